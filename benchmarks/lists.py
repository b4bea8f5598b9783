#!/usr/bin/env python
"""How well lists written by others read (ISSUE 14): `atpbib list --json` on each Markdown file given (or,
by default, the bundled list and the style fixtures in tests/fixtures/lists/styles), with the signs of a
misread entry counted per list.

    python benchmarks/lists.py [FILE_OR_FOLDER …]

Per list: entries and their kinds; how many of the arXiv ids the file's text links end up on an entry;
entries with an identifier, with authors, with a year; and the junk a
user would see: titles longer than 150 characters, titles with markup or a URL in them, entries without a
title or an identifier. Nothing here knows the right answer; it shows where to look.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT / "src" / "atpbib" / "data" / "ATPapers.md",
           *sorted(p for p in (ROOT / "tests" / "fixtures" / "lists" / "styles").glob("*.md") if p.name != "SOURCES.md")]
JUNK = re.compile(r"[\[\]*]|https?://|^\d+\)")
ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.IGNORECASE)


def entries(path: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "atpbib", "list", "--list", str(path), "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    return json.loads(proc.stdout) if proc.returncode == 0 else []


def report(path: Path) -> str:
    es = entries(path)
    kinds = Counter(e["kind"] for e in es)
    with_id = sum(1 for e in es if any(v for k, v in e["ids"].items() if k != "github"))
    with_authors = sum(1 for e in es if e["authors"])
    with_year = sum(1 for e in es if e["year"])
    long_titles = sum(1 for e in es if len(e["title"]) > 150)
    marked = sum(1 for e in es if JUNK.search(e["title"]))
    blind = sum(1 for e in es if not e["title"] and not any(v for k, v in e["ids"].items() if k != "github"))
    kind_text = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
    in_text = set(ARXIV.findall(path.read_text(encoding="utf-8", errors="replace")))
    on_entries = {e["ids"]["arxiv"] for e in es if e["ids"].get("arxiv")} | {
        m for e in es for lk in e["links"] for m in ARXIV.findall(lk["url"])}
    return (f"| {path.name} | {len(es)} ({kind_text}) | {len(in_text & on_entries)}/{len(in_text)} | {with_id} | "
            f"{with_authors} | {with_year} | {long_titles} | {marked} | {blind} |")


def main(argv: list[str]) -> None:
    paths: list[Path] = []
    for arg in argv or [str(p) for p in DEFAULT]:
        p = Path(arg)
        paths += sorted(p.glob("*.md")) if p.is_dir() else [p]
    print("| list | entries (kinds) | arXiv ids in the text on an entry | with an id | with authors | with a year | "
          "titles > 150 chars | titles with markup/URL | no title, no id |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        print(report(p))


if __name__ == "__main__":
    main(sys.argv[1:])
