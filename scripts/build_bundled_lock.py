#!/usr/bin/env python
"""Build the lock the package ships (src/atpbib/data/atpbib.lock) from looked-up facts, never from memory.

    python scripts/build_bundled_lock.py [--out PATH]

1. The local fake services (tests/fakeservices.py) serve, in each service's real format, the facts that
   were looked up on public pages for every paper of the default list (tests/fixtures/papers/*.json,
   each with the pages it came from; unconfirmed facts are null there).
2. `atpbib lock` resolves the whole bundled list against them, exactly as against the real services.
3. Each record gets `pages`: the pages its facts came from. Works no service lists but a public page
   does (scripts/bundled_lock_facts.json: the OpenAI reports' authors) are written with provenance
   `manual`, so `lock --update` never overwrites them.
The test tests/test_lock.py fails when the bundled lock and the bundled list drift apart.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from fakeservices import FakeServices, load_papers  # noqa: E402

from atpbib import lock as locking  # noqa: E402

NOTE = ("Built by scripts/build_bundled_lock.py: the whole bundled list resolved by `atpbib lock` against local "
        "services that serve the facts looked up on public pages (tests/fixtures/papers); each record's `pages` "
        "lists where its facts came from. Records with provenance 'manual' carry facts of works that no service "
        "lists, from the pages named in them.")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=locking.BUNDLED_LOCK)
    args = ap.parse_args()
    with FakeServices() as fake, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **fake.env(), "ATPBIB_INTERVAL_ARXIV": "0", "ATPBIB_INTERVAL_DBLP": "0", "ATPBIB_INTERVAL_S2": "0", "ATPBIB_INTERVAL_CROSSREF": "0",
               "ATPBIB_CACHE_DIR": str(Path(tmp) / "cache"), "ATPBIB_LOCK": "off"}
        out = Path(tmp) / "atpbib.lock"
        proc = subprocess.run([sys.executable, "-m", "atpbib", "lock", "--lock", str(out), "--quiet"],
                              env=env, capture_output=True, text=True, cwd=tmp)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            return 1
        lock = locking.read(out)
    pages_of = {p["list_line"]: list(p.get("facts_sources") or []) for p in load_papers() if p.get("list_line")}
    manual = {w["line"]: w for w in json.loads((ROOT / "scripts" / "bundled_lock_facts.json").read_text())["works"]}
    for record in lock.records:
        record.pages = pages_of.get(record.line, [])
        extra = manual.get(record.line)
        if extra is None:
            continue
        if record.title != extra["title"]:
            raise SystemExit(f"bundled_lock_facts.json: line {extra['line']} is {record.title!r}, not {extra['title']!r}")
        work = record.work
        work["authors"] = [{"family": f, "given": g} for f, g in extra["authors"]]
        work.update(year=extra["year"], type=extra["type"], publisher=extra["publisher"], status="resolved")
        work["problems"] = []
        work["sources"] = ["manual"]
        prov = {k: v for k, v in work.get("provenance") or []}
        prov.update(authors="manual", year="manual", type="manual", publisher="manual")
        work["provenance"] = sorted([k, v] for k, v in prov.items())
        record.manual = True
        record.sources = {"manual": record.locked}
        record.pages = list(extra["pages"])
    lock.path, lock.note, lock.list_name = args.out, NOTE, "ATPapers.md (bundled)"
    locking.write(lock, args.out)
    print(f"wrote {args.out}: {len(lock.records)} works")
    return 0


if __name__ == "__main__":
    sys.exit(main())
