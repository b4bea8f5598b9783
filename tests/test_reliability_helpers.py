"""Shared machinery of the reliability suite (tests/test_reliability_*.py); holds no tests itself.

Every scenario runs the real CLI in a subprocess (`python -m atpbib …`) against the local four-service
fake (tests/fakeservices.py), then inspects what was written: the .bib (parsed back with bibtexparser),
the JSON report, the cache and the fake's request logs.

The CLI has no option for the retry policy or the read timeout, so scenarios that need a failure to be
*final* quickly put a small `sitecustomize` hook on PYTHONPATH (written at test time, see HOOK) that
changes the defaults of `atpbib.fetch.Fetcher` from the ATPBIB_TEST_FETCHER environment variable. The same
hook can make os.replace / os.fsync fail or kill the process while a .bib is written (ATPBIB_TEST_WRITE_FAULT).
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bibtexparser
import pytest

from fakeservices import FakeServices

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
SECTION = "Compression"
RUN_TIMEOUT = 120.0  # no single CLI run of this suite may take longer: a hang fails, it never blocks CI
SERVICE_LABEL = {"arxiv": "arXiv", "acl": "ACL Anthology", "openreview": "OpenReview", "openreview2": "OpenReview",
                 "dblp": "DBLP"}
# Fetcher defaults for runs whose failures must become final fast (2 attempts, ~0.05 s backoff).
QUICK_GIVE_UP = {"max_attempts": 2, "backoff_base": 0.05}

HOOK = r'''
"""Test-only hook (atpbib reliability suite): adjusts atpbib.fetch.Fetcher defaults and injects write faults."""
import os

_spec = os.environ.get("ATPBIB_TEST_FETCHER")
if _spec:
    import json as _json

    import atpbib.fetch as _fetch

    _overrides = _json.loads(_spec)
    _orig_init = _fetch.Fetcher.__init__

    def _init(self, *args, **kwargs):
        for _k, _v in _overrides.items():
            kwargs.setdefault(_k, _v)
        _orig_init(self, *args, **kwargs)

    _fetch.Fetcher.__init__ = _init

_fault = os.environ.get("ATPBIB_TEST_WRITE_FAULT")
if _fault:
    import errno as _errno
    import signal as _signal

    _suffix = os.environ.get("ATPBIB_TEST_WRITE_SUFFIX", ".bib")
    _real_replace, _real_fsync = os.replace, os.fsync

    def _targets_bib(dst):
        return str(dst).endswith(_suffix)

    def _replace(src, dst, *a, **kw):
        if _targets_bib(dst):
            if _fault == "replace-enospc":
                raise OSError(_errno.ENOSPC, os.strerror(_errno.ENOSPC), str(dst))
            if _fault == "replace-kill":
                os.kill(os.getpid(), _signal.SIGKILL)
        return _real_replace(src, dst, *a, **kw)

    def _fsync(fd):
        if _fault == "fsync-enospc":
            try:
                name = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                name = ""
            if name.endswith(".tmp"):
                raise OSError(_errno.ENOSPC, os.strerror(_errno.ENOSPC))
        return _real_fsync(fd)

    os.replace = _replace
    os.fsync = _fsync
'''


# ------------------------------------------------------------------------------------------------------
# Running the CLI


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    maxrss_mb: float
    timed_out: bool
    memory_exceeded: bool = False

    def describe(self) -> str:
        return (f"atpbib {' '.join(self.args)} → rc={self.returncode} in {self.elapsed:.1f}s, peak {self.maxrss_mb:.0f} MB"
                f"{' (timed out)' if self.timed_out else ''}{' (memory bound exceeded)' if self.memory_exceeded else ''}"
                f"\nstderr:\n{self.stderr[-3000:]}")


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def run_cli(args: list[Any], env: dict[str, str], *, timeout: float = RUN_TIMEOUT, cwd: Path | None = None,
            max_rss_mb: float | None = None) -> Run:
    """`python -m atpbib ARGS` with a hard timeout; also measures this child's own peak memory (wait4).

    With max_rss_mb the child is killed as soon as its resident memory passes the bound (so a test of a
    memory bound fails fast instead of swapping); Run.maxrss_mb then reports at least the bound."""
    argv = [str(a) for a in args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "atpbib", *argv], env=env, cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timed_out = threading.Event()

        def _kill() -> None:
            timed_out.set()
            try:
                proc.kill()
            except OSError:
                pass

        timer = threading.Timer(timeout, _kill)
        timer.start()
        done = threading.Event()
        over = threading.Event()

        def _watch() -> None:
            while not done.wait(0.2):
                if _rss_mb(proc.pid) > (max_rss_mb or 0):
                    over.set()
                    _kill()
                    return

        watcher = threading.Thread(target=_watch, daemon=True) if max_rss_mb else None
        if watcher:
            watcher.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            done.set()
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        if over.is_set():
            timed_out.clear()  # killed for its memory, not its time
        return Run(argv, proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   elapsed, usage.ru_maxrss / 1024.0, timed_out.is_set(), over.is_set())


def write_hook(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    return directory


def cli_env(service_env: dict[str, str], cache_dir: Path, *, hook_dir: Path | None = None,
            fetcher: dict[str, Any] | None = None, **extra: str) -> dict[str, str]:
    """A clean environment for the CLI: our services, our cache, no politeness pauses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_") or k == "ATPBIB_PACE_DIR"}
    env.update(service_env)
    env["ATPBIB_CACHE_DIR"] = str(cache_dir)
    env["ATPBIB_LOCK"] = "off"  # the services themselves are under test, not the bundled lock
    for name in ("ARXIV", "DBLP", "ACL", "OPENREVIEW", "OPENREVIEW2", "S2", "CROSSREF"):
        env[f"ATPBIB_INTERVAL_{name}"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if hook_dir is not None or fetcher is not None or "ATPBIB_TEST_WRITE_FAULT" in extra:
        if hook_dir is None:
            raise ValueError("the fetcher/write-fault hook needs hook_dir")
        env["PYTHONPATH"] = os.pathsep.join([str(hook_dir)] + [p for p in [env.get("PYTHONPATH")] if p])
    if fetcher:
        env["ATPBIB_TEST_FETCHER"] = json.dumps(fetcher)
    env.update(extra)
    return env


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.describe()
    assert "Traceback" not in run.stdout, run.describe()
    assert not run.timed_out, run.describe()


def assert_one_line_usage_error(run: Run) -> str:
    """Exit code 2, no traceback, exactly one 'atpbib: error: …' line (besides the list's own
    'FILE:LINE: warning:' notes, which the bundled list has); returns that line."""
    assert_no_traceback(run)
    assert run.returncode == 2, run.describe()
    return one_error_line(run.stderr, run.describe())


LIST_WARNING = re.compile(r"^.+:\d+: warning: ")


def one_error_line(stderr: str, context: str = "") -> str:
    lines = [l for l in stderr.splitlines() if l.strip() and not LIST_WARNING.match(l)]
    assert len(lines) == 1 and lines[0].startswith("atpbib: error: "), context or stderr
    return lines[0]


# ------------------------------------------------------------------------------------------------------
# Reading what was written


@dataclass(frozen=True)
class BibEntry:
    key: str
    entry_type: str
    fields: tuple[tuple[str, str], ...]
    raw: str

    @property
    def f(self) -> dict[str, str]:
        return dict(self.fields)

    def essentials(self) -> tuple:
        """What a reader cites: key, type, venue, year, title, authors, pages."""
        f = self.f
        venue = f.get("booktitle") or f.get("journal") or f.get("howpublished") or f.get("journaltitle")
        return (self.key, self.entry_type, venue, f.get("year"), f.get("title"), f.get("author"), f.get("pages"))


def braces_balanced(text: str) -> bool:
    """BibTeX's rule: every brace counts (backslash or not), depth never negative, zero at the end.

    Deliberately written again here rather than imported: the oracle must not share a bug with the code."""
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def parse_bib(text: str) -> list[BibEntry]:
    """The entries of a .bib, in file order; fails the test on any block bibtexparser could not read."""
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [getattr(b, "error", b) for b in library.failed_blocks]
    out = []
    for e in library.entries:
        fields = tuple((fld.key.lower(), str(fld.value)) for fld in e.fields)
        out.append(BibEntry(e.key, e.entry_type.lower(), fields, e.raw or ""))
    return out


def read_report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def partial_lines(report: dict) -> dict[int, list[str]]:
    return {item["line"]: item["problems"] for item in report["partial"]}


def temp_leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp") or ".tmp" in p.name)


# ------------------------------------------------------------------------------------------------------
# The fake and its logs


SERVICES = ("arxiv", "acl", "openreview", "openreview2", "dblp")


def reset_fake(fake: FakeServices) -> None:
    for name in SERVICES:
        fake.up(name)
        fake.set_latency(name, 0)
        fake.set_min_interval(name, 0)
        fake.services[name].slow_seconds = fake.slow_seconds
    fake.retry_after = 1
    fake.clear()


def logs(fake: FakeServices) -> dict[str, list[str]]:
    return {name: fake.requests(name) for name in SERVICES}


def service_of_url(fake: FakeServices, url: str) -> str | None:
    port = urlsplit(url).port
    return next((n for n in SERVICES if fake.services[n].port == port), None)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def cached_requests(cache_dir: Path, fake: FakeServices) -> set[tuple[str, str]]:
    """(service, path?query) of every answer stored in an atpbib cache directory."""
    from requests_cache import SQLiteCache

    db = cache_dir / "http_cache.sqlite"
    if not db.exists():
        return set()
    backend = SQLiteCache(db)
    try:
        out = set()
        for resp in backend.responses.values():
            url = getattr(resp, "url", None) or ""
            svc = service_of_url(fake, url)
            if svc:
                out.add((svc, path_of(url)))
        return out
    finally:
        backend.close()


def cached_count(cache_dir: Path) -> int:
    """How many answers an atpbib cache holds (two POSTs to one URL with different bodies are two)."""
    from requests_cache import SQLiteCache

    db = cache_dir / "http_cache.sqlite"
    if not db.exists():
        return 0
    backend = SQLiteCache(db)
    try:
        return backend.responses.count()
    finally:
        backend.close()


def sqlite_integrity(cache_dir: Path) -> str:
    con = sqlite3.connect(cache_dir / "http_cache.sqlite", timeout=30)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------------
# The fault-free reference run


@dataclass
class Baseline:
    bib_text: str
    entries: list[BibEntry]
    works: list[dict]  # `atpbib resolve --json`
    report: dict
    lines: list[int]  # first list line of each work, in output order
    touched: dict[int, set[str]] = field(default_factory=dict)  # line → services its resolution asks
    list_ids: dict[int, dict[str, str]] = field(default_factory=dict)  # line → identifiers the list gives

    def entry_for_line(self, line: int) -> BibEntry:
        return self.entries[self.lines.index(line)]

    def lines_touching(self, service: str) -> set[int]:
        return {line for line, svcs in self.touched.items() if service in svcs}


def touched_services(fake: FakeServices, section: str = SECTION) -> dict[int, set[str]]:
    """For each selected work (by first line): the services its fault-free resolution sends requests to.

    Resolved one work at a time in-process with a recording Fetcher (no cache), so a persistent fault of
    service S must make exactly the works that touch S partial."""
    from atpbib import api
    from atpbib.fetch import Fetcher
    from atpbib.resolve import resolve_entries

    class Recording(Fetcher):
        def __init__(self) -> None:
            super().__init__(None, intervals={}, max_attempts=1)
            self.hit: set[str] = set()

        def get(self, url, params=None, **kw):  # type: ignore[override]
            self.hit.add(service_of_url(fake, url) or url)
            return super().get(url, params, **kw)

    with pytest.MonkeyPatch.context() as mp:
        for k, v in fake.env().items():
            mp.setenv(k, v)
        parsed = api.load(None)
        chosen = [e for e in api.select(parsed, [section]) if e.kind in ("paper", "survey", "book")]
        out: dict[int, set[str]] = {}
        for entry in chosen:
            with Recording() as rec:
                works = resolve_entries([entry], rec).works
                assert [w.status for w in works] == ["resolved"], (entry.title, works)
                out[entry.line] = {("openreview" if s == "openreview2" else s) for s in rec.hit}
        return out


def make_baseline(fake: FakeServices, workdir: Path) -> Baseline:
    reset_fake(fake)
    cache = workdir / "cache"
    env = cli_env(fake.env(), cache)
    out, rep = workdir / "baseline.bib", workdir / "baseline.json"
    run = run_cli(["export", "--section", SECTION, "-o", out, "--report", rep, "--quiet"], env)
    assert run.returncode == 0, run.describe()
    works_run = run_cli(["resolve", "--section", SECTION, "--json", "--quiet"], env)
    assert works_run.returncode == 0, works_run.describe()
    works = json.loads(works_run.stdout)
    text = out.read_text(encoding="utf-8")
    report = read_report(rep)
    assert report["by_status"] == {"resolved": len(works)}, report["by_status"]
    entries = parse_bib(text)
    assert [e.key for e in entries] == [w["key"] for w in works]
    base = Baseline(text, entries, works, report, [w["entries"][0]["line"] for w in works])
    base.touched = touched_services(fake)
    from atpbib import api

    base.list_ids = {e.line: e.ids.known() for e in api.select(api.load(None), [SECTION])}
    assert set(base.touched) == set(base.lines)
    reset_fake(fake)
    return base


# Fixtures of the reliability modules: each module imports them by name (`from test_reliability_helpers
# import fake, baseline, fresh_fake`), so every module gets its own fake server and baseline run.


@pytest.fixture(scope="module")
def fake():
    """Module-scoped FakeServices (short 'slow' fault, Retry-After 1)."""
    with FakeServices(slow_seconds=1.5) as services:
        yield services


@pytest.fixture(scope="module")
def baseline(fake: FakeServices, tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return make_baseline(fake, tmp_path_factory.mktemp("baseline"))


@pytest.fixture(autouse=True)
def fresh_fake(fake: FakeServices):
    """Every test starts and ends with all services up, no latency, no scripted faults."""
    reset_fake(fake)
    yield
    reset_fake(fake)


