#!/usr/bin/env python
"""`atpbib upgrade` beside rebiber (ISSUE 13) on the same Scholar-style file of the default list's arXiv papers.

    python benchmarks/upgrade_vs_rebiber.py [--out benchmarks/UPGRADE.md]

The file is written from the looked-up facts (tests/bibstyles.py, Google Scholar's exact shape). atpbib runs
against the local fake services (tests/fakeservices.py); rebiber is installed from the package index into
its own virtual environment (it needs bibtexparser 1, atpbib uses 2) and runs offline on its bundled data.
Each tool's output is scored against the facts (tests/facts.py): an entry is upgraded right when it became
the published version (its year and title), wrong when it became anything else, missed when a published
version exists and the entry stayed a preprint.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bibtexparser  # noqa: E402

import bibstyles  # noqa: E402
from facts import expected  # noqa: E402
from fakeservices import FakeServices  # noqa: E402


def norm(text: str) -> str:
    from atpbib.match import normalize_title
    from atpbib.names import latex_to_text

    return normalize_title(latex_to_text(text or ""))


def entries(path: Path) -> dict[str, dict[str, str]]:
    lib = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    return {e.key: {"_type": e.entry_type.lower(), **{f.key.lower(): str(f.value) for f in e.fields}} for e in lib.entries}


def is_preprint(e: dict[str, str]) -> bool:
    venue = " ".join(e.get(k, "") for k in ("journal", "booktitle", "howpublished"))
    return e["_type"] in ("misc", "unpublished", "online") or bool(re.search(r"arxiv|corr|preprint", venue, re.I))


def score(before: dict, after: dict) -> dict[str, int]:
    out = {"right": 0, "wrong": 0, "missed": 0, "stays preprint (right)": 0}
    for p in bibstyles.arxiv_papers():
        key = next(k for k, v in before.items() if f"arXiv:{p['arxiv']['id']}" in v.get("journal", ""))
        exp = expected(p, {"arxiv": p["arxiv"]["id"]})
        got = after.get(key) or before[key]
        if is_preprint(got):
            out["missed" if exp.published else "stays preprint (right)"] += 1
        elif exp.published and norm(got.get("title")) == norm(exp.title) and str(exp.year) in got.get("year", ""):
            out["right"] += 1
        else:
            out["wrong"] += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "UPGRADE.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = work / "scholar.bib"
        src.write_text(bibstyles.scholar_file(), encoding="utf-8")
        with FakeServices() as fake:
            env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_")}
            env.update(fake.env(), ATPBIB_CACHE_DIR=str(work / "cache"), ATPBIB_LOCK="off", ATPBIB_PACE_DIR=str(work / "pace"),
                       **{f"ATPBIB_INTERVAL_{s}": "0" for s in ("ARXIV", "DBLP", "S2", "CROSSREF")})
            proc = subprocess.run([sys.executable, "-m", "atpbib", "upgrade", str(src), "-o", str(work / "atpbib.bib"), "--quiet"],
                                  env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                return 1
        venv = work / "rebiber-venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "rebiber", "bibtexparser<2"], check=True)
        subprocess.run([str(venv / "bin" / "rebiber"), "-i", str(src), "-o", str(work / "rebiber.bib")], check=True,
                       capture_output=True)
        version = subprocess.run([str(venv / "bin" / "pip"), "show", "rebiber"], capture_output=True, text=True).stdout
        rb_version = next((ln.split(":", 1)[1].strip() for ln in version.splitlines() if ln.startswith("Version")), "?")
        before = entries(src)
        rows = {"atpbib upgrade": score(before, entries(work / "atpbib.bib")),
                f"rebiber {rb_version}": score(before, entries(work / "rebiber.bib"))}
    n = len(bibstyles.arxiv_papers())
    published = sum(1 for p in bibstyles.arxiv_papers() if expected(p, {"arxiv": p["arxiv"]["id"]}).published)
    md = ["## `atpbib upgrade` vs rebiber", "",
          f"Written by `python benchmarks/upgrade_vs_rebiber.py`. Input: a Google Scholar-style file of the default list's "
          f"{n} arXiv papers ({published} of them have a published version, per the facts). atpbib against the local "
          "fake services; rebiber offline on its bundled data.", "",
          "| tool | upgraded right | wrong | missed | stays a preprint (right) |", "|---|---|---|---|---|"]
    for tool, r in rows.items():
        md.append(f"| {tool} | {r['right']} | {r['wrong']} | {r['missed']} | {r['stays preprint (right)']} |")
    md.append("")
    from upgrade_scale import write_section

    write_section(args.out, "rebiber", md)  # the other sections (upgrade_scale.py's figures) stay
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
