#!/usr/bin/env python
"""Accuracy (ISSUE 10): `atpbib resolve --json` on the whole bundled list against the local fake services,
scored field by field against the looked-up facts in tests/fixtures/papers (see tests/facts.py).

    python benchmarks/score.py [--show-misses]

Prints, per field (version, title, authors, year, ids, no look-alike), how many works are right, and the
works that are fully right; --show-misses lists each miss with what was expected.
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

from facts import FIELDS, expectations, score  # noqa: E402
from fakeservices import FakeServices  # noqa: E402


def resolve_json(fake: FakeServices, cache: str) -> list[dict]:
    env = {**os.environ, **fake.env(), "ATPBIB_INTERVAL_ARXIV": "0", "ATPBIB_INTERVAL_DBLP": "0", "ATPBIB_INTERVAL_S2": "0", "ATPBIB_INTERVAL_CROSSREF": "0",
           "ATPBIB_CACHE_DIR": cache, "ATPBIB_LOCK": "off"}
    proc = subprocess.run([sys.executable, "-m", "atpbib", "resolve", "--json", "--quiet"],
                          capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    with FakeServices() as fake, tempfile.TemporaryDirectory() as cache:
        works = resolve_json(fake, cache)
    right, full, misses = score(works)
    n = len(expectations())
    print(f"{n} works with facts; fully right: {full}/{n}")
    for f in FIELDS:
        print(f"  {f:<14} {right[f]}/{n}")
    if args.show_misses:
        for line, what, work, e in misses:
            print(f"- line {line} [{what}]: got {work.get('type')} {work.get('venue')!r} {work.get('year')} "
                  f"{(work.get('title') or '')[:60]!r} ids={ {k: v for k, v in (work.get('ids') or {}).items() if v} }")
            print(f"    want published={e.published} year={e.year} title={(e.title or '')[:60]!r} ids={e.ids} "
                  f"authors={e.families[:4]}{'…' if len(e.families) > 4 else ''} got={[a.get('family') for a in work.get('authors') or []][:4]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
