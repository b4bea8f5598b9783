#!/usr/bin/env python
"""How long hostile list and lock files take to read (ISSUE 22 items 6 and 12): each file is built here,
read by the real `atpbib list --json` / lock reader in a child process, and timed.

    python benchmarks/hostile_files.py [--quick]

Bounds the issue sets: a million `[` read in under 10 s; a large lock reads linearly (time per MB of an
8 MB lock about that of a 1 MB one). Nothing here touches the network.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LISTS = {
    "runs of [": lambda n: "- " + "[" * n + "\n",
    "runs of ![": lambda n: "- " + "![" * (n // 2) + "\n",
    "[x repeated, one ] at the end": lambda n: "- " + "[x" * (n // 2) + "]\n",
    "nested [[[…]]]": lambda n: "- " + "[" * (n // 2) + "]" * (n // 2) + "\n",
    "commas and spaces after a link": lambda n: "- [A Title](https://arxiv.org/abs/1810.04805) " + ", " * (n // 2) + "\n",
    "commas and spaces between two names": lambda n: "- [A Title](https://arxiv.org/abs/1810.04805) Smith"
                                                     + ", " * (n // 2) + "Jones\n",
}


LIMIT = 120.0  # seconds a case may take before it is reported as "over"


def time_list(text: str, folder: Path) -> str:
    path = folder / "hostile.md"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "atpbib", "list", "--list", str(path), "--json"], capture_output=True,
                       cwd=folder, env={"ATPBIB_CACHE_DIR": str(folder / "cache"), "PATH": "/usr/bin:/bin"},
                       timeout=LIMIT)
    except subprocess.TimeoutExpired:
        return f"over {LIMIT:.0f} s"
    return f"{time.perf_counter() - start:7.2f} s"


def lock_text(works: int) -> str:
    record = lambda i: {"key": f"arxiv:2001.{i:05d}", "listed": {"title": f"Paper number {i}", "ids": {"arxiv": f"2001.{i:05d}"},
                                                                   "line": i + 1, "section": "S"},
                        "locked": "2026-12-01", "sources": {"arxiv": "2026-12-01"}, "manual": False,
                        "work": {"title": f"Paper number {i}", "authors": [{"family": "Doe", "given": "Jane"}],
                                 "year": 2020, "sources": ["arxiv"], "ids": {"arxiv": f"2001.{i:05d}"}}}
    data = {"format": "atpbib-lock", "version": 1, "list": "x.md", "written": "2026-12-01",
            "works": [record(i) for i in range(works)]}
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def time_lock(text: str, folder: Path) -> float:
    path = folder / "atpbib.lock"
    path.write_text(text, encoding="utf-8")
    code = f"import time; from atpbib import lock; t = time.perf_counter(); lock.read({str(path)!r}); print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    return float(out.stdout.strip() or "nan")


def main() -> None:
    quick = "--quick" in sys.argv
    n = 200_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"list reader, {n:,} characters each (`atpbib list --json`, whole process):")
        for name, make in LISTS.items():
            print(f"  {name:36s} {time_list(make(n), folder)}")
        print("lock reader (`lock.read`):")
        for works in (2_000, 16_000) if quick else (5_000, 40_000):
            text = lock_text(works)
            seconds = time_lock(text, folder)
            mb = len(text.encode()) / 1e6
            print(f"  {works:6d} works, {mb:5.1f} MB {seconds:7.2f} s ({seconds / mb:.2f} s/MB)")


if __name__ == "__main__":
    main()
