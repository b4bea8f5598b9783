#!/usr/bin/env python
"""Requests per paper per host and accuracy of the whole default list in seconds (ISSUE 20): one
`atpbib resolve --json` against the local fakes with pacing off (request counts do not depend on it),
DBLP split into searches and record fetches, scored against the facts (tests/facts.py, as score.py).

    python benchmarks/plan_requests.py [SRC_DIR] [-v]

SRC_DIR (default: this tree's src/) is put first on PYTHONPATH, so a snapshot of another commit can be
measured with the same fakes and facts; -v lists every DBLP request.
"""
from __future__ import annotations

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


def main(argv: list[str]) -> int:
    src = next((a for a in argv if not a.startswith("-")), str(ROOT / "src"))
    with FakeServices() as fake, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **fake.env(), "ATPBIB_CACHE_DIR": tmp, "ATPBIB_LOCK": "off", "ATPBIB_PACE_DIR": tmp + "/p",
               "PYTHONPATH": src, **{f"ATPBIB_INTERVAL_{x}": "0" for x in ("ARXIV", "DBLP", "S2", "CROSSREF")}}
        proc = subprocess.run([sys.executable, "-m", "atpbib", "resolve", "--json", "--quiet"], env=env,
                              capture_output=True, text=True, timeout=900)
        if not proc.stdout.strip():
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        works = json.loads(proc.stdout)
        requests = {s: fake.requests(s) for s in fake.services}
    papers = len(works)
    print(f"{papers} works; requests per paper: "
          + ", ".join(f"{s} {len(r) / papers:.2f} ({len(r)})" for s, r in requests.items() if r))
    dblp = requests["dblp"]
    print(f"dblp: {sum('/search/' in p for p in dblp)} searches, {sum('/rec/' in p for p in dblp)} record fetches")
    right, full, misses = score(works)
    n = len(expectations())
    print(f"fully right {full}/{n}: " + ", ".join(f"{f} {right[f]}" for f in FIELDS))
    for line, what, work, _ in misses:
        print(f"  miss: line {line} [{what}] {(work.get('title') or '')[:60]!r}")
    if "-v" in argv:
        for p in dblp:
            print("   ", p[:160])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
