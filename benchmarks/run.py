#!/usr/bin/env python
"""atpbib benchmark (ISSUE 6): how close a whole-list run gets to the services' pace, and how fast it is
once cached.

    python benchmarks/run.py [--quick] [--keep] [--out benchmarks/RESULTS.md]

Every measurement runs the real `atpbib` command in a child process against the local four-service fake
(tests/fakeservices.py), never the network:

1. cold: `atpbib export -o out.bib --quiet` over the whole bundled list with an empty cache; the fake
   answers after LATENCY (300 ms) and refuses clients faster than the hosts' rules (arXiv 3 s -> 503,
   DBLP 1 s -> 429 + Retry-After; ACL and OpenReview: no rule, as atpbib paces them not at all and runs
   4 requests at a time). Reported against the lower bound computed from the run's own request plan.
2. warm: the same export again with everything cached, beside `python -c "import requests"` (the floor);
   `atpbib --help` and `atpbib sections` start-up; -X importtime offenders; a phase breakdown + profile.
3. scale: synthetic lists (benchmarks/synth.py) of 100 … 5000 entries; a cold fill with zero latency and
   zero intervals, then warm export time and peak memory per size.

--quick: the cold run covers one section (Compression), 3 repetitions, scale up to 1000 entries.
Children run with bytecode caching on (PYTHONPYCACHEPREFIX in the scratch dir), as in a normal install.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fakeservices as fs  # noqa: E402  (the local four-service server)
import synth  # noqa: E402

LATENCY = 0.3
RULES = {"arxiv": 3.0, "dblp": 1.0, "s2": 1.0, "crossref": 1.0}  # seconds between requests the fake enforces; ACL/OpenReview: none
LANE_OF = {"arxiv": "arxiv", "acl": "acl", "openreview": "openreview", "openreview2": "openreview", "dblp": "dblp",
           "s2": "s2", "crossref": "crossref"}
TARGET_COLD = 1.15
TARGET_WARM = 3.0


# ----------------------------------------------------------------------------------------------------
# Fake-service request log (wall-clock start/end and status of every request, refused ones included)

@dataclass
class Hit:
    service: str
    start: float
    end: float
    path: str
    status: int


LOG: list[Hit] = []
_LOG_LOCK = threading.Lock()


def _instrument_fake() -> None:
    original_handle = fs.Service.handle
    original_send = fs._Handler.send_answer

    def send_answer(self, ans, *, truncate=False):  # noqa: ANN001
        self._bench_status = ans.status
        return original_send(self, ans, truncate=truncate)

    def handle(self, req):  # noqa: ANN001
        start = time.monotonic()
        try:
            original_handle(self, req)
        finally:
            with _LOG_LOCK:
                LOG.append(Hit(self.name, start, time.monotonic(), req.path, getattr(req, "_bench_status", 0)))

    fs._Handler.send_answer = send_answer
    fs.Service.handle = handle


def hits_since(mark: int) -> list[Hit]:
    with _LOG_LOCK:
        return list(LOG[mark:])


def log_mark() -> int:
    with _LOG_LOCK:
        return len(LOG)


# ----------------------------------------------------------------------------------------------------
# Child processes

@dataclass
class Run:
    wall: float
    maxrss_kb: int
    rc: int
    stdout: str
    stderr: str
    t0: float  # monotonic launch time


def run_child(cmd: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run cmd; wall time from launch to exit, and the child's own peak RSS (wait4 rusage)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(wall, int(usage.ru_maxrss), p.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), t0)


def atpbib_cmd() -> list[str]:
    script = Path(sys.executable).with_name("atpbib")
    return [str(script)] if script.exists() else [sys.executable, "-m", "atpbib"]


def base_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_")}
    env["ATPBIB_PACE_DIR"] = str(work / "pace")  # the runs share one pacing state, never the user's
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what an installed package does: cached bytecode
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")  # …kept out of the source tree
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["ATPBIB_LOCK"] = "off"  # the services are measured; the lock-served run turns it back on
    return env


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ----------------------------------------------------------------------------------------------------
# The lower bound from a run's request plan

def _intervals(env: dict[str, str]) -> dict[str, float]:
    from atpbib import config

    out = {}
    for service in fs.SERVICES:
        raw = env.get(f"ATPBIB_INTERVAL_{service.upper()}")
        out[service] = float(raw) if raw not in (None, "") else float(config.default_intervals().get(service, 0.0))
    return out


def _lanes() -> dict[str, int]:
    from atpbib.sources import registry

    out = {s.name: s.lane for s in registry()}
    out.update({name: s.lane for s in registry() for name, _, _ in s.endpoints})  # every host of a source
    return out


def _independent(entries: list) -> dict[str, set[str]]:
    """Requests that need no other answer first: the ones the list itself names."""
    from atpbib.sources import arxiv as ax
    from atpbib.sources import dblp

    out: dict[str, set[str]] = {"acl": set(), "dblp": set(), "arxiv": set(), "openreview": set()}
    for e in entries:
        if e.kind not in synth.PAPER_KINDS:
            continue
        if e.ids.acl:
            out["acl"].add(e.ids.acl.lower())
        if e.ids.openreview:
            out["openreview"].add(e.ids.openreview)
        if not (e.ids.arxiv or e.ids.acl or e.ids.openreview):
            out["dblp"].add(dblp.search_query(e.title))
            out["arxiv"].add(ax.title_query(e.title))
    return out


def _release(h: Hit, independent: dict[str, set[str]], latency: dict[str, float]) -> float:
    """Earliest moment the plan can issue this request: 0, or after the answer it depends on."""
    parts = urlsplit(h.path)
    q = parse_qs(parts.query)
    if h.service == "arxiv":
        if "id_list" in q:
            return 0.0
        return 0.0 if (q.get("search_query") or [""])[0] in independent["arxiv"] else latency["openreview"]
    if h.service == "dblp":
        if parts.path.startswith("/rec/"):
            return latency["dblp"]  # a record fetch follows a search
        # an arXiv-linked entry is searched under arXiv's title: after the id batch (or OpenReview's note)
        return 0.0 if (q.get("q") or [""])[0] in independent["dblp"] else min(latency["arxiv"], latency["openreview"])
    if h.service == "acl":
        acl_id = parts.path.strip("/").removesuffix(".bib").lower()
        return 0.0 if acl_id in independent["acl"] else 2 * latency["dblp"]  # found through a DBLP hit
    if h.service == "crossref":
        return latency["dblp"]  # a DOI named by another source's answer
    return 0.0  # OpenReview notes come straight from the list; the S2 batch starts at once


def host_bound(releases: list[float], interval: float, latency: float, workers: int) -> float:
    """Finish time of the best schedule: starts >= interval apart, <= workers at once, each takes latency."""
    free = [0.0] * max(1, workers)
    last = -math.inf
    end = 0.0
    for r in sorted(releases):
        i = min(range(len(free)), key=free.__getitem__)
        start = max(r, free[i], last + interval)
        free[i] = start + latency
        last = start
        end = max(end, start + latency)
    return end


@dataclass
class Plan:
    per_host: dict[str, dict] = field(default_factory=dict)
    bound: float = 0.0
    bound_host: str = ""


def plan_and_bound(hits: list[Hit], entries: list, env: dict[str, str], latency: dict[str, float]) -> Plan:
    intervals, lanes = _intervals(env), _lanes()
    independent = _independent(entries)
    plan = Plan()
    for service in fs.SERVICES:
        mine = [h for h in hits if h.service == service]
        answered = [h for h in mine if h.status not in (429, 503) and h.status < 500]
        urls = Counter(h.path for h in answered)
        unique = sorted(urls)
        releases = [_release(h, independent, latency) for h in
                    [next(h for h in answered if h.path == u) for u in unique]]
        workers = lanes.get(LANE_OF[service], 1)
        bound = host_bound(releases, intervals[service], latency[service], workers) if unique else 0.0
        plan.per_host[service] = {
            "requests": len(mine),
            "unique": len(unique),
            "duplicates": sum(n - 1 for n in urls.values()),
            "refused": sum(1 for h in mine if h.status in (429, 503)),
            "errors": sum(1 for h in mine if h.status >= 500 and h.status != 503),
            "interval": intervals[service],
            "workers": workers,
            "offset": min(releases) if releases else 0.0,
            "bound": bound,
        }
        if bound > plan.bound:
            plan.bound, plan.bound_host = bound, service
    return plan


def lane_idle(hits: list[Hit], service: str, spacing: float, t0: float) -> dict:
    """Where a single-lane host waited for work: gaps beyond its pace between consecutive requests."""
    starts = sorted(h.start - t0 for h in hits if h.service == service)
    if not starts:
        return {"first": None, "idle": 0.0, "gaps": []}
    gaps = []
    for a, b in zip(starts, starts[1:]):
        extra = b - a - spacing
        if extra > 0.25:
            gaps.append((round(a, 2), round(b, 2), round(extra, 2)))
    return {"first": starts[0], "idle": sum(g[2] for g in gaps), "gaps": sorted(gaps, key=lambda g: -g[2])[:3],
            "last_end": max(h.end - t0 for h in hits if h.service == service)}


# ----------------------------------------------------------------------------------------------------
# Helpers for the warm analysis

def importtime_top(stderr: str, n: int = 8) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(top-level imports by cumulative ms, any module by self ms) from -X importtime output."""
    top, selfs = [], []
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        self_us, cum_us, indent, name = int(m.group(1)), int(m.group(2)), len(m.group(3)), m.group(4)
        if indent <= 1:
            top.append((name, cum_us / 1000))
        selfs.append((name, self_us / 1000))
    return sorted(top, key=lambda x: -x[1])[:n], sorted(selfs, key=lambda x: -x[1])[:n]


BREAKDOWN = r'''
import json, sys, time, threading, cProfile, pstats
t0 = time.perf_counter()
from atpbib.api import load, select, make_fetcher, with_keys
from atpbib.resolve import resolve_entries
import atpbib.resolve as R
from atpbib.export import export_works
from atpbib.export.report import build_report, render_report
t1 = time.perf_counter()
kinds = ("paper", "survey", "book")
list_path = sys.argv[1] or None
fetcher = make_fetcher()
t2 = time.perf_counter()
parsed = load(list_path, fetcher=fetcher)
chosen = [e for e in select(parsed, []) if e.kind in kinds]
t3 = time.perf_counter()
result = resolve_entries(chosen, fetcher)
t4 = time.perf_counter()
works = with_keys(result.works, parsed, kinds, fetcher, None)
t5 = time.perf_counter()
nick = tuple(e.nickname for e in parsed.entries if e.nickname)
text = export_works(works, "bibtex", lexicon_extra=nick)
t6 = time.perf_counter()
render_report(build_report(works, events=result.events, failed_sources=result.failed_sources), "text")
t7 = time.perf_counter()
top = []
if len(sys.argv) > 2:  # second, profiled pass: CPU time spent in the resolve lanes (worker threads)
    profs, lock = [], threading.Lock()
    orig = R._Lanes._run
    def run_task(self, key, fn):
        p = cProfile.Profile(time.thread_time); p.enable()
        try:
            return orig(self, key, fn)
        finally:
            p.disable()
            with lock: profs.append(p)
    R._Lanes._run = run_task
    resolve_entries(chosen, fetcher)
    if profs:
        st = pstats.Stats(profs[0])
        for p in profs[1:]:
            st.add(p)
        own = {}
        for (fname, _line, func), v in st.stats.items():
            if "site-packages/" in fname:
                group = fname.split("site-packages/")[1].split("/")[0].removesuffix(".py")
            elif "/atpbib/" in fname:
                group = "atpbib/" + fname.split("/atpbib/")[1]
            elif fname == "~":
                group = func.strip("<>").replace("built-in method ", "").replace("method ", "")
            else:
                group = "stdlib " + fname.rsplit("/", 1)[-1]
            own[group] = own.get(group, 0.0) + v[2]
        total = sum(own.values())
        top = [("total", round(total * 1000, 1))] + [(g, round(t * 1000, 1)) for g, t in sorted(own.items(), key=lambda kv: -kv[1])[:9]]
fetcher.close()
print(json.dumps({"imports": t1 - t0, "fetcher": t2 - t1, "parse": t3 - t2, "resolve": t4 - t3,
                  "keys": t5 - t4, "export": t6 - t5, "report": t7 - t6, "works": len(works),
                  "lane_cpu_top": top}))
'''


def breakdown(env: dict[str, str], cwd: Path, list_path: str = "", lanes: bool = False) -> dict:
    r = run_child([sys.executable, "-c", BREAKDOWN, list_path] + (["lanes"] if lanes else []), env, cwd)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": (r.stderr.strip().splitlines() or ["no output"])[-1]}


def profile_top(env: dict[str, str], cwd: Path, args: list[str], n: int = 12) -> list[tuple[str, float, float]]:
    """Main-thread cProfile of a command: functions by own time (ms), with cumulative time."""
    import pstats

    prof = cwd / "warm.prof"
    run_child([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "atpbib", *args], env, cwd)
    if not prof.exists():
        return []
    st = pstats.Stats(str(prof))
    rows = []
    for (fname, line, func), (_cc, _nc, tt, ct, _callers) in st.stats.items():
        where = fname.split("site-packages/")[-1].split("/src/")[-1].split("/lib/python3")[-1]
        rows.append((f"{where}:{func}" if fname != "~" else func, ct * 1000, tt * 1000))
    rows.sort(key=lambda r: -r[2])
    return rows[:n]


# ----------------------------------------------------------------------------------------------------
# Machine

def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count() or 0
    commit = "?"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip() or "?"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        commit += " (+ uncommitted changes in src/)" if dirty else ""
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": f"{os.cpu_count()} logical ({affinity} usable)",
        "ram": ram,
        "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "os": f"{platform.system()} {platform.release()}",
        "commit": commit,
        "facts": f"{len(list((ROOT / 'tests' / 'fixtures' / 'papers').glob('*.json')))} fact files in tests/fixtures/papers",
    }


# ----------------------------------------------------------------------------------------------------
# The benchmark

def cold_run(work: Path, env0: dict[str, str], quick: bool, fake: fs.FakeServices) -> dict:
    from atpbib.listparse import load_list
    from atpbib.select import select_entries

    sections = ["Compression"] if quick else []
    parsed = load_list(None)
    entries = list(select_entries(parsed, sections)) if sections else list(parsed.entries)
    latency = {s: LATENCY for s in fs.SERVICES}
    cache = work / "cold-cache"
    env = {**env0, **fake.env(), "ATPBIB_CACHE_DIR": str(cache)}
    cmd = atpbib_cmd() + ["export", "-o", str(work / "cold.bib"), "--quiet"]
    for s in sections:
        cmd += ["--section", s]
    mark = log_mark()
    r = run_child(cmd, env, work)
    hits = hits_since(mark)
    plan = plan_and_bound(hits, entries, env, latency)
    summary = next((ln for ln in r.stderr.splitlines() if ln.startswith("exported ")), r.stderr.strip()[-200:])
    idle = {s: lane_idle(hits, s, max(plan.per_host[s]["interval"], LATENCY), r.t0) for s in ("arxiv", "dblp")}
    first = min((h.start for h in hits), default=r.t0) - r.t0
    refused = sum(v["refused"] for v in plan.per_host.values())
    dups = sum(v["duplicates"] for v in plan.per_host.values())
    ratio = r.wall / plan.bound if plan.bound else float("nan")
    return {"run": r, "plan": plan, "idle": idle, "first": first, "summary": summary, "refused": refused,
            "dups": dups, "ratio": ratio, "cmd": " ".join(["atpbib"] + cmd[len(atpbib_cmd()):]).replace(str(work) + "/", ""),
            "env": env, "cache": cache,
            "papers": sum(1 for e in entries if e.kind in ("paper", "survey", "book"))}


def warm_runs(cold: dict, work: Path, env0: dict[str, str], reps: int, quick: bool) -> dict:
    """Warm exports interleaved with the floor; needs the cold run's fake alive (same ports = same cache keys)."""
    env = cold["env"]
    cmd = atpbib_cmd() + ["export", "-o", str(work / "warm.bib"), "--quiet"] + (["--section", "Compression"] if quick else [])
    floor_cmd = [sys.executable, "-c", "import requests"]
    # the same export served by the lock of the list: written once by `atpbib lock` from the warm cache
    lock_path = work / "atpbib.lock"
    run_child(atpbib_cmd() + ["lock", "--lock", str(lock_path), "--quiet"]
              + (["--section", "Compression"] if quick else []), env, work)
    lock_env = {**env, "ATPBIB_LOCK": "on", "ATPBIB_CACHE_DIR": str(work / "lock-run-cache")}
    lock_cmd = atpbib_cmd() + ["export", "-o", str(work / "locked.bib"), "--quiet", "--lock", str(lock_path)] + (
        ["--section", "Compression"] if quick else [])
    run_child(lock_cmd, lock_env, work)  # first run remembers the list's parse
    warm, floor, locked, requests_made, which = [], [], [], [], []
    for _ in range(reps):
        mark = log_mark()
        warm.append(run_child(cmd, env, work))
        locked.append(run_child(lock_cmd, lock_env, work))
        made = hits_since(mark)
        requests_made.append(len(made))
        which += [f"{h.service} {h.path[:70]}" for h in made]
        floor.append(run_child(floor_cmd, env0, work))
    same = (work / "locked.bib").read_bytes() == (work / "warm.bib").read_bytes()
    return {"warm": warm, "floor": floor, "locked": locked, "requests": requests_made, "which": which,
            "locked_same": same, "lock_cmd": " ".join(["atpbib"] + lock_cmd[len(atpbib_cmd()):])}


def parallel_runs(work: Path, env0: dict[str, str], fake: fs.FakeServices) -> dict:
    """Two cold exports of one section started together (`make -j2`), each with its own empty cache and
    the one user-wide pacing state, against the fake's rate rules (ISSUE 14)."""
    fake.clear()
    procs, t0 = [], time.monotonic()
    for i in range(2):
        env = {**env0, **fake.env(), "ATPBIB_CACHE_DIR": str(work / f"par-cache{i}")}
        cmd = atpbib_cmd() + ["export", "--section", "Compression", "--quiet", "-o", str(work / f"par{i}.bib")]
        procs.append(subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    walls = []
    for p in procs:
        p.wait()
        walls.append(time.monotonic() - t0)
    same = (work / "par0.bib").read_bytes() == (work / "par1.bib").read_bytes()
    return {"walls": walls, "rc": [p.returncode for p in procs], "same": same,
            "refused": {s: fake.refused(s) for s in fake.services}, "requests": {s: len(fake.requests(s)) for s in fake.services}}


def startup_runs(work: Path, env0: dict[str, str], reps: int) -> dict:
    out = {}
    for name, args in (("--help", ["--help"]), ("sections", ["sections"])):
        runs = [run_child(atpbib_cmd() + args, env0, work) for _ in range(reps)]
        out[name] = runs
    return out


FILL = r'''
import sys
from atpbib.api import load, make_fetcher
from atpbib.identity import group_queries
from atpbib.inputs.markdown import queries
from atpbib.resolve import _Run
fetcher = make_fetcher()
parsed = load(sys.argv[1], fetcher=fetcher)
run = _Run(fetcher, group_queries(queries([e for e in parsed.entries if e.kind in ("paper", "survey", "book")])))
try:
    run.start()
finally:
    run.wait()
fetcher.close()
'''
SLOW = 15.0  # seconds: a warm run slower than this is measured once, not three times


def scale_runs(work: Path, env0: dict[str, str], sizes: list[int], reps: int) -> list[dict]:
    """Per size: fill the cache (the resolver's request lanes only: the same requests as `export` makes,
    without the merge/export work that the warm runs measure), then warm exports."""
    rows = []
    cache = work / "scale-cache"
    zero = {s: 0.0 for s in fs.SERVICES}
    with fs.FakeServices(latency=zero) as fake:
        env = {**env0, **fake.env(), "ATPBIB_CACHE_DIR": str(cache),
               **{f"ATPBIB_INTERVAL_{s.upper()}": "0" for s in fs.SERVICES}}
        for n in sizes:
            lst = synth.write(n, work / f"synth-{n}.md")
            cmd = atpbib_cmd() + ["export", "--list", str(lst), "-o", str(work / f"synth-{n}.bib"), "--quiet"]
            mark = log_mark()
            fill = run_child([sys.executable, "-c", FILL, str(lst)], env, work)
            if fill.rc != 0:  # the private lane API changed: fill through the CLI instead
                fill = run_child(cmd, env, work)
            fill_requests = len(hits_since(mark))
            runs, made = [], []
            for i in range(reps):
                mark = log_mark()
                runs.append(run_child(cmd, env, work))
                made.append(len(hits_since(mark)))
                print(f"  {n} entries: warm export {fmt_s(runs[-1].wall)}", file=sys.stderr)
                if runs[-1].wall > SLOW:
                    break
            summary = next((ln for ln in runs[-1].stderr.splitlines() if ln.startswith("exported ")), "")
            slow = runs[-1].wall > SLOW
            rows.append({"n": n, "fill": fill.wall, "fill_rc": fill.rc, "fill_requests": fill_requests,
                         "wall": med([r.wall for r in runs]), "rss": med([r.maxrss_kb for r in runs]) / 1024,
                         "rc": max(r.rc for r in runs), "requests": sum(made), "summary": summary, "reps": len(runs),
                         "breakdown": breakdown(env, work, str(lst)) if n in (1000, 2000) or (n == sizes[-1] and not slow) else None})
    return rows


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x; returns (a, b, worst relative residual)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    a = my - b * mx
    worst = max(abs(y - (a + b * x)) / y for x, y in zip(xs, ys)) if ys else 0.0
    return a, b, worst


def growth(marg: list[tuple[int, int, float]]) -> str:
    if len(marg) < 2:
        return "n/a"
    return "linear" if marg[-1][2] <= 1.5 * max(marg[0][2], 1e-9) else "super-linear"


def fmt_s(x: float) -> str:
    return f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one section cold, 3 repetitions, scale up to 1000 entries")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory (printed)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = ap.parse_args(argv)

    _instrument_fake()
    reps = 3 if args.quick else 5
    sizes = [100, 500, 1000] if args.quick else [100, 500, 1000, 2000, 5000]
    work = Path(tempfile.mkdtemp(prefix="atpbib-bench-"))
    env0 = base_env(work)
    began = time.monotonic()
    md: list[str] = []
    try:
        # compile bytecode once, untimed (an installed package ships it compiled)
        run_child(atpbib_cmd() + ["export", "--offline", "--quiet", "-o", str(work / "prewarm.bib"),
                                  "--cache-dir", str(work / "prewarm-cache")], env0, work)
        run_child([sys.executable, "-c", "import requests"], env0, work)

        print("cold run (paced; about a minute and a half for the whole list)…", file=sys.stderr)
        fake = fs.FakeServices(latency={s: LATENCY for s in fs.SERVICES}, min_interval=RULES).start()
        try:
            cold = cold_run(work, env0, args.quick, fake)
            print(f"  {fmt_s(cold['run'].wall)}, bound {fmt_s(cold['plan'].bound)}; warm runs…", file=sys.stderr)
            warm = warm_runs(cold, work, env0, reps, args.quick)
            print("two parallel cold exports…", file=sys.stderr)
            par = parallel_runs(work, env0, fake)
            bd = breakdown(cold["env"], work, lanes=True) if not args.quick else None
            prof = profile_top(cold["env"], work, ["export", "-o", str(work / "prof.bib"), "--quiet"]) if not args.quick else []
            imp = {}
            for name, a in (("--help", ["--help"]), ("sections", ["sections"]),
                            ("export (warm)", ["export", "-o", str(work / "imp.bib"), "--quiet"])):
                r = run_child([sys.executable, "-X", "importtime", "-m", "atpbib", *a], cold["env"], work)
                imp[name] = importtime_top(r.stderr)
        finally:
            fake.stop()
        start = startup_runs(work, env0, reps)
        print("scale runs…", file=sys.stderr)
        scale = scale_runs(work, env0, sizes, 3)
    finally:
        if args.keep:
            print(f"scratch directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - began

    # ------------------------------------------------------------------ report
    m = machine()
    p = cold["plan"]
    w_wall = med([r.wall for r in warm["warm"]])
    f_wall = med([r.wall for r in warm["floor"]])
    l_wall = med([r.wall for r in warm["locked"]])
    w_rss = med([r.maxrss_kb for r in warm["warm"]]) / 1024
    f_rss = med([r.maxrss_kb for r in warm["floor"]]) / 1024
    cold_ok = cold["ratio"] <= TARGET_COLD and cold["refused"] == 0 and cold["dups"] == 0 and cold["run"].rc == 0
    warm_ok = w_wall <= TARGET_WARM * f_wall and sum(warm["requests"]) == 0
    md += [
        "# atpbib benchmark results",
        "",
        f"Written by `python benchmarks/run.py{' --quick' if args.quick else ''}` on {m['date']} "
        f"(whole benchmark: {total:.0f} s).",
        "",
        "| machine | |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in m.items() if k != "date"],
        "",
        "## 1. Cold run against the paced fake services",
        "",
        f"Command: `{cold['cmd']}` with an empty cache dir; fake latency {LATENCY * 1000:.0f} ms per answer; "
        f"fake rules: arXiv one request per {RULES['arxiv']:g} s (503 otherwise), DBLP one per {RULES['dblp']:g} s "
        "(429 + Retry-After otherwise), ACL Anthology and OpenReview none (atpbib: no interval, 4 at a time).",
        "",
        f"- wall time **{fmt_s(cold['run'].wall)}**, exit {cold['run'].rc}, peak RSS {cold['run'].maxrss_kb / 1024:.0f} MiB; "
        f"first request {fmt_s(cold['first'])} after launch",
        f"- lower bound from the run's own request plan: **{fmt_s(p.bound)}** ({p.bound_host}); "
        f"ratio **{cold['ratio']:.3f}** (target ≤ {TARGET_COLD}) → {'MET' if cold_ok else 'MISSED'}",
        f"- refused by the rate rules: **{cold['refused']}**; duplicate requests: **{cold['dups']}**",
        f"- requests per paper per host ({cold['papers']} papers): "
        + ", ".join(f"{s} {v['requests'] / max(1, cold['papers']):.2f}" for s, v in p.per_host.items() if v["requests"]),
        f"- result: {cold['summary']}",
        "",
        "| host | requests | unique URLs | duplicates | refused | 5xx | interval | parallel | first-request offset | host bound |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[f"| {s} | {v['requests']} | {v['unique']} | {v['duplicates']} | {v['refused']} | {v['errors']} | {v['interval']:g} s | "
          f"{v['workers']} | {v['offset']:.1f} s | {fmt_s(v['bound'])} |" for s, v in p.per_host.items()],
        "",
        "Bound: per host, the best schedule of its unique requests (starts ≥ interval apart, ≤ lane workers at "
        "once, each taking the latency), each released at 0 or — for a follow-up — after the answer it needs "
        "(DBLP searches for arXiv-linked entries after the arXiv batch, DBLP record fetches after a search, ACL "
        "fetches found through DBLP after a DBLP answer); the run's bound is the slowest host. Process start-up "
        "is not in the bound.",
        "",
        "Single-lane hosts, idle time beyond their pace (gaps > 0.25 s between consecutive request starts):",
        "",
        *[f"- {s}: first request at {fmt_s(v['first'] or 0)}, last answer at {fmt_s(v.get('last_end', 0))}, idle "
          f"{v['idle']:.1f} s; largest gaps (from → to, extra): {v['gaps'] or 'none'}" for s, v in cold["idle"].items()],
        "",
        "## 1b. Two cold exports started together (`make -j2`)",
        "",
        "Command: `atpbib export --section Compression -o parN.bib --quiet`, twice at once, each with its own empty "
        "cache, both with the one user-wide pacing state (`ATPBIB_PACE_DIR`), against the same fake rules.",
        "",
        f"- wall times {', '.join(fmt_s(w) for w in par['walls'])}; exit codes {par['rc']}; files "
        f"{'identical' if par['same'] else 'DIFFERENT'}",
        f"- refused by the rate rules: **{sum(par['refused'].values())}** ({', '.join(f'{k} {v}' for k, v in par['refused'].items() if v) or 'none on any host'}); "
        f"requests per host (both runs): {', '.join(f'{k} {v}' for k, v in par['requests'].items() if v)}",
        "",
        "## 2. Warm run (everything cached) and start-up",
        "",
        f"{reps} runs each, interleaved, median. Floor = `python -c \"import requests\"` on the same machine in the same run.",
        "",
        "| command | median wall | min–max | peak RSS | vs floor |",
        "|---|---|---|---|---|",
        f"| `python -c \"import requests\"` (floor) | {fmt_s(f_wall)} | {fmt_s(min(r.wall for r in warm['floor']))}–"
        f"{fmt_s(max(r.wall for r in warm['floor']))} | {f_rss:.0f} MiB | 1.0× |",
        f"| `{cold['cmd'].replace('cold.bib', 'warm.bib')}` (warm, from the HTTP cache) | {fmt_s(w_wall)} | {fmt_s(min(r.wall for r in warm['warm']))}–"
        f"{fmt_s(max(r.wall for r in warm['warm']))} | {w_rss:.0f} MiB | {w_wall / f_wall:.1f}× |",
        f"| `{warm['lock_cmd']}` (served by the lock) | {fmt_s(l_wall)} | {fmt_s(min(r.wall for r in warm['locked']))}–"
        f"{fmt_s(max(r.wall for r in warm['locked']))} | {med([r.maxrss_kb for r in warm['locked']]) / 1024:.0f} MiB | "
        f"{l_wall / f_wall:.1f}× |",
        *[f"| `atpbib {name}` | {fmt_s(med([r.wall for r in runs]))} | {fmt_s(min(r.wall for r in runs))}–"
          f"{fmt_s(max(r.wall for r in runs))} | {med([r.maxrss_kb for r in runs]) / 1024:.0f} MiB | "
          f"{med([r.wall for r in runs]) / f_wall:.1f}× |" for name, runs in start.items()],
        "",
        f"- lock-served export target ≤ {TARGET_WARM:g}× floor (ISSUE 12): {'MET' if l_wall / f_wall <= TARGET_WARM else 'MISSED'} "
        f"({l_wall / f_wall:.1f}×); its file is {'byte-identical to' if warm['locked_same'] else 'DIFFERENT from'} the "
        "HTTP-cache-served export; it opens no HTTP cache and parses no source answer.",
        f"- warm (HTTP cache) target ≤ {TARGET_WARM:g}× floor: {'MET' if warm_ok else 'MISSED'} ({w_wall / f_wall:.1f}×); "
        f"network requests during the warm runs: {warm['requests']} (target: all 0)"
        + (f"; they were: {'; '.join(warm['which'][:3])}" if warm["which"] else ""),
        "",
    ]
    if bd:
        if "error" in bd:
            md += [f"Phase breakdown failed: {bd['error']}", ""]
        else:
            md += [
                "Where the warm export's time goes (in-process phase timing, same steps as the CLI):",
                "",
                "| imports | fetcher + cache open | parse list | resolve (cache hits) | keys | export .bib | report |",
                "|---|---|---|---|---|---|---|",
                "| " + " | ".join(fmt_s(bd[k]) for k in ("imports", "fetcher", "parse", "resolve", "keys", "export", "report")) + " |",
                "",
                "Resolve lanes (worker threads): CPU time by package/module, own time in ms, from a second, profiled "
                "pass (profiler overhead inflates it): "
                + ", ".join(f"`{n}` {ms:g}" for n, ms in bd.get("lane_cpu_top", [])[:10]),
                "",
            ]
    if prof:
        md += ["Main-thread cProfile of the warm export, functions by own time (profiler overhead included):", "",
               "| function | cumulative | own |", "|---|---|---|",
               *[f"| `{name}` | {ct:.0f} ms | {tt:.0f} ms |" for name, ct, tt in prof], ""]
    md += ["`python -X importtime` top offenders (top-level imports by cumulative time; any module by self time):", ""]
    for name, (top, selfs) in imp.items():
        md.append(f"- `atpbib {name}`: " + ", ".join(f"{n} {ms:.0f} ms" for n, ms in top[:6])
                  + "; self: " + ", ".join(f"{n} {ms:.0f} ms" for n, ms in selfs[:5]))
    md += ["", "## 3. Scale: synthetic lists, warm cache", "",
           "Lists from `benchmarks/synth.py` (shapes of the bundled list, varied titles and ids; the fake answers "
           "them with its real not-found shapes and near-miss search hits). Cache filled once per size with zero "
           "latency and ATPBIB_INTERVAL_*=0 (the resolver's request lanes only), then "
           "`atpbib export --list synth-N.md -o synth-N.bib --quiet` 3× (median; once when a run takes more than "
           f"{SLOW:g} s).", "",
           "| entries | cache fill | new requests | warm wall | runs | peak RSS | warm requests | result |",
           "|---|---|---|---|---|---|---|---|"]
    for row in scale:
        md.append(f"| {row['n']} | {fmt_s(row['fill'])} | {row['fill_requests']} | {fmt_s(row['wall'])} | {row['reps']} | "
                  f"{row['rss']:.0f} MiB | {row['requests']} | {row['summary'] or 'exit ' + str(row['rc'])} |")
    xs = [r["n"] for r in scale]
    am, bm, worstm = linear_fit(xs, [r["rss"] for r in scale])
    big = [r for r in scale if r["n"] >= 1000] or scale
    expo = (math.log(big[-1]["wall"] / big[0]["wall"]) / math.log(big[-1]["n"] / big[0]["n"])
            if len(big) > 1 else float("nan"))
    marg = [(scale[i]["n"], scale[i + 1]["n"], (scale[i + 1]["wall"] - scale[i]["wall"]) / (scale[i + 1]["n"] - scale[i]["n"]) * 1000)
            for i in range(len(scale) - 1)]
    md += ["",
           f"- time grows as entries^{expo:.2f} between {big[0]['n']} and {big[-1]['n']} entries (1.00 = linear); "
           "marginal ms per entry: " + ", ".join(f"{x}→{y}: {v:.2f}" for x, y, v in marg),
           f"- memory ≈ {am:.0f} MiB + {bm * 1024:.1f} KiB × entries (worst relative residual {worstm:.0%})",
           f"- growth: {growth(marg)} (linear if the last marginal cost per entry is within 1.5× of the first)", ""]
    for row in scale:
        bdn = row.get("breakdown")
        if bdn and "error" not in bdn:
            md.append(f"- phases at {row['n']} entries: " + ", ".join(f"{k} {fmt_s(bdn[k])}" for k in
                      ("imports", "fetcher", "parse", "resolve", "keys", "export", "report")))
    md.append("")
    text = "\n".join(md)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
