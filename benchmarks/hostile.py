"""Hostile services against the real CLI, with the default budgets (issue 22 items 1-4, 10, 14; issue 20 part 5).

    python benchmarks/hostile.py                         # this checkout; prints a Markdown table
    python benchmarks/hostile.py --src /tmp/before/src   # another source tree (the code before a change)
    python benchmarks/hostile.py --json out.json --cap 300 --only slow-loris-dblp,no-network-shared

Each case runs `python -m atpbib …` in a child (killed at --cap seconds, or at 1 GB of memory for the bomb)
against the local fake services (tests/fakeservices.py) with one service replaced by a hostile server
(tests/hostile_servers.py). Reported: wall time, exit code, peak memory, requests the hostile server got,
and what the case checks (the key seen elsewhere, lines saying "unreachable", …). Never touches the network.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakeservices import FakeServices  # noqa: E402
from hostile_servers import (HostileServer, answer, closed_port, endless_503, gzip_bomb, redirect,  # noqa: E402
                             slow_loris)
from test_reliability_helpers import cli_env, run_cli  # noqa: E402

# Q8BERT: its one-paper run asks arXiv, Semantic Scholar, DBLP (search and record) and Crossref
ONE_PAPER = "# One\n\n## Compression\n\n- Q8BERT: Quantized 8Bit BERT [[paper]](https://arxiv.org/abs/1910.06188)\n"
VARS = {"dblp": ("ATPBIB_DBLP_URL", ""), "arxiv": ("ATPBIB_ARXIV_API", "/api/query"), "s2": ("ATPBIB_S2_API", "/graph/v1")}
ALL = [("ATPBIB_ARXIV_API", "/api/query"), ("ATPBIB_S2_API", "/graph/v1"), ("ATPBIB_ACL_URL", ""),
       ("ATPBIB_OPENREVIEW_API", ""), ("ATPBIB_OPENREVIEW_API2", ""), ("ATPBIB_DBLP_URL", ""), ("ATPBIB_CROSSREF_API", "")]


def _said(stderr: str, needle: str) -> int:
    return sum(1 for line in stderr.splitlines() if needle in line and not line.startswith("partial:"))


def _one_paper(fake: FakeServices, work: Path, service: str, srv: HostileServer, cap: float, **env: str):
    listing = work / "one.md"
    listing.write_text(ONE_PAPER, encoding="utf-8")
    var, suffix = VARS[service]
    e = cli_env({**fake.env(), var: srv.url(suffix)}, work / "cache", **env)
    return run_cli(["export", "--list", listing, "-o", work / "one.bib", "--quiet"], e, timeout=cap)


def case_slow_loris(service: str) -> Callable[..., dict]:
    def run(fake: FakeServices, work: Path, cap: float) -> dict:
        with HostileServer(slow_loris(gap=5.0)) as srv:
            r = _one_paper(fake, work, service, srv, cap)
            return {"run": r, "hostile requests": len(srv.seen), "bound": "≤ 150 s"}
    return run


def case_endless_503(service: str) -> Callable[..., dict]:
    def run(fake: FakeServices, work: Path, cap: float) -> dict:
        with HostileServer(endless_503(retry_after=20)) as srv:
            r = _one_paper(fake, work, service, srv, cap)
            return {"run": r, "hostile requests": len(srv.seen), "bound": "≤ 180 s"}
    return run


def case_key_redirect(fake: FakeServices, work: Path, cap: float) -> dict:
    with HostileServer(answer(b"[null]")) as elsewhere:
        with HostileServer(redirect(lambda seen: elsewhere.url(seen.path), 307)) as s2:
            r = _one_paper(fake, work, "s2", s2, cap, ATPBIB_S2_API_KEY="KEY-123")
        leaked = sum(1 for s in elsewhere.seen if s.headers.get("x-api-key") == "KEY-123")
        return {"run": r, "hostile requests": len(s2.seen), "key sent to the other host": leaked, "bound": "0 keys"}


def case_gzip_bomb(fake: FakeServices, work: Path, cap: float) -> dict:
    with HostileServer(gzip_bomb(unpacked=4 << 30)) as srv:
        r = run_cli(["list", "--json", "--list", srv.url("/awesome.md")], cli_env({}, work / "cache"), timeout=cap,
                    max_rss_mb=1024)
        return {"run": r, "hostile requests": len(srv.seen), "bound": "cap (5 MB), memory bounded"}


def case_no_network(shared: bool) -> Callable[..., dict]:
    def run(fake: FakeServices, work: Path, cap: float) -> dict:
        port = closed_port()
        e = cli_env({var: f"http://127.0.0.1:{port}{suffix}" for var, suffix in ALL}, work / "cache",
                    ATPBIB_PACE_DIR=str(work / "pace") if shared else "")
        for name in ("ARXIV", "DBLP", "ACL", "OPENREVIEW", "OPENREVIEW2", "S2", "CROSSREF"):
            e.pop(f"ATPBIB_INTERVAL_{name}", None)  # the real intervals
        r = run_cli(["export", "--section", "Compression", "--no-lock", "-o", work / "out.bib", "--quiet"], e,
                    timeout=cap)
        return {"run": r, "'arXiv unreachable' lines": _said(r.stderr, "arXiv unreachable"), "bound": "≤ 5 s"}
    return run


def case_unusable_cache(fake: FakeServices, work: Path, cap: float) -> dict:
    listing = work / "one.md"
    listing.write_text(ONE_PAPER, encoding="utf-8")
    (work / "cache" / "http_cache.sqlite").mkdir(parents=True)
    r = run_cli(["export", "--list", listing, "-o", work / "one.bib", "--quiet"], cli_env(fake.env(), work / "cache"),
                timeout=cap)
    return {"run": r, "sources failed": _said(r.stderr, "source failed"),
            "'without a disk cache' lines": _said(r.stderr, "without a disk cache"), "bound": "as with a cache"}


CASES: dict[str, Callable[..., dict]] = {
    "slow-loris-dblp": case_slow_loris("dblp"),
    "slow-loris-arxiv": case_slow_loris("arxiv"),
    "endless-503-dblp": case_endless_503("dblp"),
    "endless-503-arxiv": case_endless_503("arxiv"),
    "s2-key-cross-host-307": case_key_redirect,
    "list-url-gzip-bomb": case_gzip_bomb,
    "no-network-shared-pacing": case_no_network(True),
    "no-network-per-process": case_no_network(False),
    "unusable-cache-folder": case_unusable_cache,
}


def _row(name: str, out: dict) -> dict[str, Any]:
    r = out.pop("run")
    return {"case": name, "seconds": round(r.elapsed, 1), "killed": r.timed_out or r.memory_exceeded,
            "exit": r.returncode, "peak MB": round(r.maxrss_mb), **out,
            "last line": (r.stderr.strip().splitlines() or [""])[-1][:100]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", help="source tree to run (PYTHONPATH), default: this checkout")
    ap.add_argument("--cap", type=float, default=300.0, help="seconds after which a run is killed")
    ap.add_argument("--only", default="", help="comma-separated case names")
    ap.add_argument("--json", help="write the rows there as JSON")
    args = ap.parse_args(argv)
    src = Path(args.src).resolve() if args.src else ROOT / "src"
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    wanted = [c for c in args.only.split(",") if c] or list(CASES)
    rows = []
    with FakeServices() as fake, tempfile.TemporaryDirectory(prefix="atpbib-hostile-") as tmp:
        os.environ["ATPBIB_PACE_DIR"] = str(Path(tmp) / "pace")  # never the user's pacing state
        for name in wanted:
            fake.clear()
            work = Path(tmp) / name
            work.mkdir()
            row = _row(name, CASES[name](fake, work, args.cap))
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"src": str(src), "rows": rows}, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
