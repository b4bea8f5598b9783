"""Fetch layer disk cache: reuse, offline, expiry, refresh, stale answers, corruption, concurrency, admin."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from atpbib import config
from atpbib.fetch import CACHE_FILE, FetchError, Fetcher, cache_clear, cache_info, expect_json, expect_xml

XML = b'<?xml version="1.0"?><feed><entry><id>1</id></entry></feed>'
HTML = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"
SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture(scope="module")
def _server():
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    if srv.is_running():
        srv.stop()


@pytest.fixture
def server(_server):
    _server.clear()
    yield _server
    _server.clear()


def make(cache_dir: Path | None, **kw) -> Fetcher:
    opts = dict(intervals={}, backoff_base=0.01, connect_timeout=1.0, read_timeout=2.0, mailto="", max_attempts=2)
    opts.update(kw)
    return Fetcher(cache_dir, **opts)


class Counter:
    """Serve a body per path (echoing the query), counting requests; `.body` can change between runs."""

    def __init__(self, body: bytes = b"{}", status: int = 200) -> None:
        self.body = body
        self.status = status
        self.calls = 0

    def __call__(self, request: Request) -> Response:
        self.calls += 1
        return Response(self.body, status=self.status)


# ---------------------------------------------------------------------------------------------------


def test_second_run_makes_zero_requests(server, tmp_path):
    c = Counter(XML)
    server.expect_request("/api").respond_with_handler(c)
    urls = [(server.url_for("/api"), {"id_list": str(i), "max_results": "1"}) for i in range(3)]
    with make(tmp_path) as f:
        for u, p in urls:
            assert not f.get(u, params=p, validate=expect_xml).from_cache
        assert len(f.request_log()) == 3
    with make(tmp_path) as f:
        for u, p in urls:
            r = f.get(u, params=p, validate=expect_xml)
            assert r.from_cache and not r.stale and r.content == XML and r.status == 200
        assert f.request_log() == []
        assert f.stats[config.host_key(urls[0][0])].cache_hits == 3
    assert c.calls == 3


def test_cache_key_sorted_params_not_headers(server, tmp_path):
    c = Counter(b"{}")
    server.expect_request("/k").respond_with_handler(c)
    with make(tmp_path) as f:
        f.get(server.url_for("/k"), params={"b": "2", "a": "1"})
        f.session.headers["X-Other"] = "changes nothing"
        assert f.get(server.url_for("/k") + "?a=1&b=2").from_cache
        assert not f.get(server.url_for("/k"), params={"a": "1", "b": "3"}).from_cache
    assert c.calls == 2


def test_memory_cache_when_no_cache_dir(server):
    c = Counter(b"{}")
    server.expect_request("/m").respond_with_handler(c)
    with make(None) as f:
        f.get(server.url_for("/m"))
        assert f.get(server.url_for("/m")).from_cache
    with make(None) as f:  # nothing shared between runs
        assert not f.get(server.url_for("/m")).from_cache
    assert c.calls == 2


def test_offline_empty_cache_fails_per_url_without_requests(server, tmp_path):
    c = Counter(b"{}")
    server.expect_request("/o").respond_with_handler(c)
    with make(tmp_path, offline=True) as f:
        for i in range(3):
            with pytest.raises(FetchError) as ei:
                f.get(server.url_for("/o"), params={"i": i})
            assert ei.value.kind == "offline"
            assert f"i={i}" in ei.value.url and f"i={i}" in str(ei.value)
        assert f.request_log() == []
    assert c.calls == 0


def test_offline_answers_from_cache(server, tmp_path):
    c = Counter(b'{"v": 1}')
    server.expect_request("/o").respond_with_handler(c)
    with make(tmp_path) as f:
        f.get(server.url_for("/o"))
    with make(tmp_path, offline=True, expire_after_days=0) as f:
        r = f.get(server.url_for("/o"))
        assert r.content == b'{"v": 1}' and r.from_cache
        assert f.request_log() == []
    assert c.calls == 1


def test_failures_and_invalid_answers_are_never_cached(server, tmp_path):
    html = Counter(HTML)
    missing = Counter(b"gone", status=404)
    broken = Counter(b"oops", status=500)
    server.expect_request("/html").respond_with_handler(html)
    server.expect_request("/missing").respond_with_handler(missing)
    server.expect_request("/broken").respond_with_handler(broken)
    for _run in range(2):
        with make(tmp_path, max_attempts=1) as f:
            for path, validate in (("/html", expect_json), ("/missing", None), ("/broken", None)):
                with pytest.raises(FetchError):
                    f.get(server.url_for(path), validate=validate)
            assert len(f.request_log()) == 3  # every run asks the network again
    assert (html.calls, missing.calls, broken.calls) == (2, 2, 2)
    assert cache_info(tmp_path).entries == 0


def test_expiry_refetches(server, tmp_path):
    c = Counter(b'{"v": 1}')
    server.expect_request("/e").respond_with_handler(c)
    with make(tmp_path, expire_after_days=0.4 / 86400) as f:
        f.get(server.url_for("/e"))
    time.sleep(0.5)
    c.body = b'{"v": 2}'
    with make(tmp_path) as f:
        r = f.get(server.url_for("/e"))
        assert not r.from_cache and r.content == b'{"v": 2}'
    with make(tmp_path) as f:
        assert f.get(server.url_for("/e")).from_cache
    assert c.calls == 2


def test_refresh_refetches_and_stores(server, tmp_path):
    c = Counter(b'{"v": 1}')
    server.expect_request("/r").respond_with_handler(c)
    with make(tmp_path) as f:
        f.get(server.url_for("/r"))
    c.body = b'{"v": 2}'
    with make(tmp_path, refresh=True) as f:
        r = f.get(server.url_for("/r"))
        assert not r.from_cache and r.content == b'{"v": 2}'
        assert f.get(server.url_for("/r")).from_cache  # refreshed once per run, not on every call
    with make(tmp_path) as f:
        r = f.get(server.url_for("/r"))
        assert r.from_cache and r.content == b'{"v": 2}'
    assert c.calls == 2


def test_stale_answer_used_when_refresh_fails(server, tmp_path):
    c = Counter(b'{"v": 1}')
    server.expect_request("/s").respond_with_handler(c)
    with make(tmp_path) as f:
        f.get(server.url_for("/s"))
    c.status, c.body = 500, b"down"
    with make(tmp_path, refresh=True) as f:
        r = f.get(server.url_for("/s"), validate=expect_json)
        assert r.content == b'{"v": 1}' and r.from_cache and r.stale
        hk = config.host_key(server.url_for("/"))
        assert f.stats[hk].stale == 1
        assert any("stale" in e and "/s" in e for e in f.events)
    # The failed refresh did not overwrite the good entry.
    with make(tmp_path, offline=True) as f:
        assert f.get(server.url_for("/s")).content == b'{"v": 1}'


def test_stale_answer_used_when_expired_and_host_gone(tmp_path):
    gone = HTTPServer(host="127.0.0.1", port=0)
    gone.start()
    gone.expect_request("/x").respond_with_data(b"{}")
    url = gone.url_for("/x")
    with make(tmp_path, expire_after_days=0) as f:
        f.get(url)
    gone.stop()  # nothing listens on that port any more: connection refused
    with make(tmp_path) as f:
        r = f.get(url)
        assert r.stale and r.from_cache and r.content == b"{}"
        assert len(f.request_log()) >= 1  # it did try the network first
        assert any("stale" in e for e in f.events)


def _fill(server, cache_dir: Path, n: int = 12) -> list[str]:
    server.expect_request("/fill").respond_with_handler(lambda r: Response(b'{"pad": "' + b"x" * 8000 + b'"}'))
    urls = [server.url_for("/fill") + f"?n={i}" for i in range(n)]
    with make(cache_dir) as f:
        for u in urls:
            f.get(u)
    return urls


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_cache_is_detected_and_ignored(server, tmp_path, damage):
    urls = _fill(server, tmp_path)
    db = tmp_path / CACHE_FILE
    assert db.exists() and not (tmp_path / (CACHE_FILE + "-wal")).exists()
    if damage == "truncate":
        size = db.stat().st_size
        with open(db, "r+b") as fh:
            fh.truncate(size // 2)
    else:
        db.write_bytes(b"this is not a database" * 100)
    with make(tmp_path) as f:
        r = f.get(urls[-1])
        assert r.content.startswith(b'{"pad"') and not r.from_cache
        assert any("unreadable" in e for e in f.events)
    assert list(tmp_path.glob(CACHE_FILE + ".corrupt-*"))
    info = cache_info(tmp_path)
    assert info.entries == 1
    with make(tmp_path) as f:
        assert f.get(urls[-1]).from_cache


def test_cache_info_and_clear(tmp_path, server):
    server.expect_request("/a").respond_with_data(b"{}")
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/b").respond_with_data(b"[1, 2, 3]")
        with make(tmp_path) as f:
            for i in range(3):
                f.get(server.url_for("/a"), params={"i": i})
            for i in range(2):
                f.get(other.url_for("/b"), params={"i": i})
        hk1, hk2 = config.host_key(server.url_for("/")), config.host_key(other.url_for("/"))
        info = cache_info(tmp_path)
        assert info.location == tmp_path / CACHE_FILE
        assert info.entries == 5 and info.size_bytes > 0
        assert info.per_host[hk1][0] == 3 and info.per_host[hk2][0] == 2
        assert all(b > 0 for _, b in info.per_host.values())
        assert cache_clear(tmp_path, host=hk2) == 2
        assert cache_clear(tmp_path, host="nowhere.example") == 0
        assert cache_info(tmp_path).per_host == {hk1: info.per_host[hk1]}
        assert cache_clear(tmp_path) == 3
        assert cache_info(tmp_path).entries == 0
    finally:
        other.stop()
    empty = tmp_path / "never-used"
    assert cache_info(empty).entries == 0 and cache_clear(empty) == 0 and not empty.exists()


WORKER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {src!r})
    from atpbib.fetch import Fetcher
    cache_dir, base, tag, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with Fetcher(cache_dir, intervals={{}}, backoff_base=0.01, mailto="") as f:
        for i in range(n):
            f.get(base, params={{"who": tag, "i": i}})
            print(i, flush=True)
    """
).format(src=SRC)


def test_two_processes_share_the_cache(server, tmp_path):
    server.expect_request("/w").respond_with_handler(lambda r: Response(b'{"who": "' + r.args["who"].encode() + b'"}'))
    base = server.url_for("/w")
    n = 60
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), base, tag, str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for tag in ("p1", "p2")
    ]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    assert cache_info(tmp_path).entries == 2 * n
    with make(tmp_path, offline=True) as f:
        for tag in ("p1", "p2"):
            for i in range(n):
                assert f.get(base, params={"who": tag, "i": i}).content == b'{"who": "' + tag.encode() + b'"}'


def test_process_killed_mid_run_leaves_a_usable_cache(server, tmp_path):
    server.expect_request("/k").respond_with_handler(lambda r: Response(b'{"i": ' + r.args["i"].encode() + b"}"))
    base = server.url_for("/k")
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(tmp_path), base, "k", "100000"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(30):  # wait until it has stored a few dozen entries, then kill it mid-stream
            if not proc.stdout.readline():
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
        proc.stdout.close()
    info = cache_info(tmp_path)
    assert info.entries >= 29
    with make(tmp_path, offline=True) as f:
        assert f.get(base, params={"who": "k", "i": 0}).content == b'{"i": 0}'
    with make(tmp_path) as f:  # and it is still writable
        f.get(base, params={"who": "k", "i": "new"})
    assert cache_info(tmp_path).entries == info.entries + 1


def test_threads_share_one_fetcher_and_cache(server, tmp_path):
    import threading

    server.expect_request("/t").respond_with_handler(lambda r: Response(b'{"i": "' + r.args["i"].encode() + b'"}'))
    base = server.url_for("/t")
    errors: list[BaseException] = []
    with make(tmp_path) as f:

        def worker(t: int) -> None:
            try:
                for i in range(10):
                    key = f"{t}-{i % 5}"  # each thread asks twice for the same five URLs
                    assert f.get(base, params={"i": key}).content == b'{"i": "' + key.encode() + b'"}'
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors
        assert len(f.request_log()) == 40
        assert f.stats[config.host_key(base)].cache_hits == 40
    assert cache_info(tmp_path).entries == 40


def test_a_busy_cache_is_waited_for_never_moved_aside(tmp_path, monkeypatch):
    """Another atpbib creating or writing the same cache locks it for a moment: that is not corruption."""
    import sqlite3

    from atpbib import fetch
    from atpbib.fetch import cache

    real = cache._sqlite_backend
    calls = {"n": 0}

    def busy_twice(db):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise sqlite3.OperationalError("database is locked")
        return real(db)

    monkeypatch.setattr(cache, "_sqlite_backend", busy_twice)
    with fetch.Fetcher(tmp_path) as f:
        assert f.events == []
    assert calls["n"] == 3
    assert not list(tmp_path.glob("*corrupt*"))


def test_a_corrupt_cache_is_moved_aside_and_replaced(tmp_path):
    from atpbib import fetch

    (tmp_path / fetch.CACHE_FILE).write_bytes(b"this is not a database" * 100)
    with fetch.Fetcher(tmp_path) as f:
        assert any("moved it to" in e for e in f.events)
    assert list(tmp_path.glob("*corrupt*"))


# -- an unusable cache folder (issue 22 item 10): the run goes on without a cache and says so once ----------


def _unusable(kind: str, tmp_path: Path) -> Path:
    if kind == "db-is-a-directory":
        (tmp_path / "cache" / CACHE_FILE).mkdir(parents=True)
        return tmp_path / "cache"
    if kind == "folder-under-a-file":
        (tmp_path / "a-file").write_text("x", encoding="utf-8")
        return tmp_path / "a-file" / "cache"
    if kind == "read-only-folder":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["db-is-a-directory", "folder-under-a-file", "read-only-folder"])
@pytest.mark.parametrize("lazy", [False, True])
def test_an_unusable_cache_folder_means_no_cache_said_once(server, tmp_path, kind, lazy):
    counter = Counter(b'{"ok": true}')
    server.expect_request("/x").respond_with_handler(counter)
    cache_dir = _unusable(kind, tmp_path)
    t0 = time.monotonic()
    with make(cache_dir, lazy_cache=lazy) as f:
        for _ in range(3):
            assert f.get(server.url_for("/x"), validate=expect_json).content == b'{"ok": true}'
        notes = [e for e in f.events if "cache" in e]
        assert len(notes) == 1 and "without a disk cache" in notes[0], f.events
        assert str(cache_dir) in notes[0]
    assert time.monotonic() - t0 < 2.0  # no waiting for a lock that is not there
    assert counter.calls == 1  # the run still remembers its own answers (in memory)
    if kind == "db-is-a-directory":
        assert (cache_dir / CACHE_FILE).is_dir() and not list(cache_dir.glob("*corrupt*"))  # left as it was


def test_a_cache_that_becomes_read_only_mid_run_goes_on_in_memory(server, tmp_path, monkeypatch):
    import sqlite3

    counter = Counter(b"{}")
    server.expect_request(re.compile("/w.*")).respond_with_handler(counter)
    with make(tmp_path) as f:
        f.get(server.url_for("/w0"))

        def read_only(*a, **kw):
            raise sqlite3.OperationalError("attempt to write a readonly database")

        monkeypatch.setattr(f.cache._cache, "save_response", read_only)
        for i in range(1, 4):
            f.get(server.url_for(f"/w{i}"))
        f.get(server.url_for("/w1"))  # answered from memory now
        notes = [e for e in f.events if "without a disk cache" in e]
        assert len(notes) == 1, f.events
    assert counter.calls == 4
