"""Fetch layer against real local servers: retries, Retry-After, timeouts, resets, breaker, politeness."""
from __future__ import annotations

import email.utils
import re
import logging
import socket
import struct
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from atpbib import config
from atpbib.fetch import (
    FetchError,
    Fetcher,
    expect_bibtex,
    expect_json,
    expect_xml,
    parse_retry_after,
    user_agent,
)

XML = b'<?xml version="1.0"?><feed><entry><id>1</id></entry></feed>'
HTML = b"<!DOCTYPE html><html><body>Rate limited, try later</body></html>"


@pytest.fixture(scope="module")
def _servers():
    """Two threaded servers (two host keys), started once: stopping one takes ~0.5 s."""
    pair = [HTTPServer(host="127.0.0.1", port=0, threaded=True) for _ in range(2)]
    for srv in pair:
        srv.start()
    yield pair
    for srv in pair:
        if srv.is_running():
            srv.stop()


@pytest.fixture
def server(_servers):
    _servers[0].clear()
    yield _servers[0]
    _servers[0].clear()


@pytest.fixture
def server2(_servers):
    _servers[1].clear()
    yield _servers[1]
    _servers[1].clear()


def make(tmp_path: Path | None = None, **kw) -> Fetcher:
    opts = dict(intervals={}, backoff_base=0.01, connect_timeout=1.0, read_timeout=2.0, mailto="")
    opts.update(kw)
    return Fetcher(tmp_path, **opts)


def sequence(*responses):
    """A handler answering with the given (status, body, headers) in turn, then repeating the last."""
    calls: list[float] = []

    def handler(request: Request) -> Response:
        calls.append(time.monotonic())
        status, body, headers = responses[min(len(calls), len(responses)) - 1]
        return Response(body, status=status, headers=headers)

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------


def test_429_retry_after_seconds_one_retry(server, caplog):
    h = sequence((429, b"slow down", {"Retry-After": "1"}), (200, XML, {}))
    server.expect_request("/api").respond_with_handler(h)
    with make() as f, caplog.at_level(logging.DEBUG, logger="atpbib.fetch"):
        resp = f.get(server.url_for("/api"), validate=expect_xml)
        assert resp.content == XML and resp.status == 200 and not resp.from_cache
        hk = config.host_key(server.url_for("/"))
        assert f.stats[hk].retries == 1 and f.stats[hk].throttled == 1 and f.stats[hk].requests == 2
    assert len(h.calls) == 2
    assert h.calls[1] - h.calls[0] >= 0.9
    assert any("retry" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)


def test_429_retry_after_http_date(server):
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    h = sequence((429, b"", {"Retry-After": when}), (200, b"{}", {}))
    server.expect_request("/d").respond_with_handler(h)
    with make() as f:
        assert f.get(server.url_for("/d"), validate=expect_json).content == b"{}"
    assert len(h.calls) == 2
    assert h.calls[1] - h.calls[0] >= 0.9


def test_retry_after_parsing():
    now = 1_700_000_000.0
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_retry_after_beyond_budget_gives_up_at_once(server):
    h = sequence((429, b"", {"Retry-After": "3600"}))
    server.expect_request("/x").respond_with_handler(h)
    with make(max_total_wait=5) as f:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as ei:
            f.get(server.url_for("/x"))
        assert time.monotonic() - t0 < 2
    assert ei.value.kind == "http" and ei.value.status == 429 and len(h.calls) == 1


def test_503_three_times_then_200(server):
    h = sequence((503, b"busy", {}), (503, b"busy", {}), (503, b"busy", {}), (200, XML, {}))
    server.expect_request("/q").respond_with_handler(h)
    with make() as f:
        resp = f.get(server.url_for("/q"), params={"id_list": "1909.10351"}, validate=expect_xml)
        hk = config.host_key(server.url_for("/"))
        assert resp.content == XML
        assert f.stats[hk].retries == 3 and f.stats[hk].throttled == 3
        assert len(f.request_log()) == 4
        assert all(u.endswith("/q?id_list=1909.10351") for _, u in f.request_log())
    assert len(h.calls) == 4


def test_5xx_gives_up_after_max_attempts(server):
    h = sequence((500, b"oops", {}))
    server.expect_request("/e").respond_with_handler(h)
    with make(max_attempts=3) as f:
        with pytest.raises(FetchError) as ei:
            f.get(server.url_for("/e"))
        hk = config.host_key(server.url_for("/"))
        assert f.stats[hk].failures == 1
    assert ei.value.kind == "http" and ei.value.status == 500 and len(h.calls) == 3
    assert "HTTP 500" in str(ei.value) and "\n" not in str(ei.value)


def test_404_not_retried(server):
    h = sequence((404, b"no such paper", {}))
    server.expect_request("/missing").respond_with_handler(h)
    with make() as f:
        with pytest.raises(FetchError) as ei:
            f.get(server.url_for("/missing"))
    assert ei.value.kind == "http" and ei.value.status == 404
    assert len(h.calls) == 1


def test_html_200_is_invalid_retried_bounded(server):
    h = sequence((200, HTML, {"Content-Type": "text/html"}))
    server.expect_request("/api").respond_with_handler(h)
    with make(max_attempts=3) as f:
        with pytest.raises(FetchError) as ei:
            f.get(server.url_for("/api"), validate=expect_xml)
    assert ei.value.kind == "invalid" and len(h.calls) == 3


def test_invalid_then_valid_recovers(server):
    h = sequence((200, b'{"trunc', {}), (200, b'{"ok": true}', {}))
    server.expect_request("/j").respond_with_handler(h)
    with make() as f:
        assert f.get(server.url_for("/j"), validate=expect_json).content == b'{"ok": true}'
    assert len(h.calls) == 2


def test_read_timeout_then_success(server):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(1.0)
        return Response(b"{}", status=200)

    server.expect_request("/slow").respond_with_handler(handler)
    with make(read_timeout=0.3) as f:
        assert f.get(server.url_for("/slow")).content == b"{}"
        hk = config.host_key(server.url_for("/"))
        assert f.stats[hk].retries == 1
        assert f.unreachable() == []  # a slow server is not an unreachable one
    assert len(calls) == 2


def test_read_timeout_exhausted(server):
    server.expect_request("/slow").respond_with_handler(lambda r: (time.sleep(0.8), Response(b"{}"))[1])
    with make(read_timeout=0.2, max_attempts=2) as f:
        with pytest.raises(FetchError) as ei:
            f.get(server.url_for("/slow"))
    assert ei.value.kind == "timeout" and "timed out" in str(ei.value)


class ResetServer:
    """Raw TCP server: the first `resets` connections are aborted with RST, later ones get a 200."""

    def __init__(self, resets: int, body: bytes = b"{}") -> None:
        self.resets = resets
        self.body = body
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            try:
                conn.settimeout(2)
                conn.recv(65536)
                if self.accepted <= self.resets:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        + f"Content-Length: {len(self.body)}\r\n\r\n".encode()
                        + self.body
                    )
            finally:
                conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()


def test_connection_reset_is_retried():
    srv = ResetServer(resets=1)
    try:
        with make() as f:
            resp = f.get(f"http://127.0.0.1:{srv.port}/x")
            assert resp.content == b"{}"
            assert f.stats[f"127.0.0.1:{srv.port}"].retries == 1
            assert f.unreachable() == []
        assert srv.accepted == 2
    finally:
        srv.close()


def test_repeated_resets_open_the_breaker():
    srv = ResetServer(resets=100)
    try:
        with make(breaker_threshold=3, max_attempts=5) as f:
            with pytest.raises(FetchError) as ei:
                f.get(f"http://127.0.0.1:{srv.port}/x")
            assert ei.value.kind == "unreachable" and "reset" in str(ei.value)
            assert srv.accepted == 3
            with pytest.raises(FetchError) as ei2:
                f.get(f"http://127.0.0.1:{srv.port}/y")
            assert ei2.value.kind == "circuit-open"
        assert srv.accepted == 3
    finally:
        srv.close()


def test_circuit_breaker_closed_port(monkeypatch):
    port = free_port()
    monkeypatch.setenv("ATPBIB_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    url = config.endpoints().arxiv
    t0 = time.monotonic()
    with make(breaker_threshold=3, max_attempts=5) as f:
        with pytest.raises(FetchError) as first:
            f.get(url, params={"id_list": "1909.10351"})
        assert first.value.kind == "unreachable"
        assert str(first.value).startswith("arXiv unreachable (connection refused)")
        assert len(f.request_log()) == 1  # a refusal is final at once: no retry, no backoff (issue 20)
        t1 = time.monotonic()
        for i in range(5):
            with pytest.raises(FetchError) as ei:
                f.get(url, params={"id_list": str(i)})
            assert ei.value.kind == "circuit-open" and ei.value.host == f"127.0.0.1:{port}"
        assert time.monotonic() - t1 < 0.1
        assert len(f.request_log()) == 1  # no connection attempt once open
        assert f.unreachable() == ["arXiv"]
        assert [e for e in f.events if "arXiv" in e] == ["arXiv: skipped for the rest of this run (connection refused)"]
        assert f.stats[f"127.0.0.1:{port}"].failures == 6
    assert time.monotonic() - t0 < 3


def test_breaker_is_per_host(server):
    server.expect_request("/ok").respond_with_data(b"{}")
    dead = f"http://127.0.0.1:{free_port()}/x"
    with make() as f:
        with pytest.raises(FetchError):
            f.get(dead)
        assert f.get(server.url_for("/ok")).content == b"{}"
        assert f.unreachable() == ["127.0.0.1"]


def test_success_resets_failure_count():
    srv = ResetServer(resets=2)
    try:
        with make(breaker_threshold=3, max_attempts=5) as f:
            assert f.get(f"http://127.0.0.1:{srv.port}/x").content == b"{}"
            srv.resets = srv.accepted + 2  # two more failures: still below the threshold
            assert f.get(f"http://127.0.0.1:{srv.port}/y").content == b"{}"
            assert f.unreachable() == []
    finally:
        srv.close()


def test_per_host_interval_across_threads(server):
    starts: list[float] = []
    lock = threading.Lock()

    def handler(request):
        with lock:
            starts.append(time.monotonic())
        return Response(b"{}")

    server.expect_request("/p").respond_with_handler(handler)
    hk = config.host_key(server.url_for("/"))
    n, interval = 4, 0.3
    with make(intervals={hk: interval}) as f:
        errors: list[BaseException] = []

        def worker(i):
            try:
                f.get(server.url_for("/p"), params={"i": i})
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        t0 = time.monotonic()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
    assert not errors
    assert elapsed >= (n - 1) * interval
    starts.sort()
    assert all(b - a >= interval - 0.02 for a, b in zip(starts, starts[1:]))


def test_retries_respect_interval(server):
    h = sequence((503, b"", {}), (200, b"{}", {}))
    server.expect_request("/r").respond_with_handler(h)
    hk = config.host_key(server.url_for("/"))
    with make(intervals={hk: 0.5}) as f:
        f.get(server.url_for("/r"))
    assert h.calls[1] - h.calls[0] >= 0.48


def test_two_hosts_run_concurrently(server, server2):
    spans: dict[str, tuple[float, float]] = {}

    def slow(name):
        def handler(request):
            t = time.monotonic()
            time.sleep(0.5)
            spans[name] = (t, time.monotonic())
            return Response(b"{}")

        return handler

    server.expect_request("/a").respond_with_handler(slow("a"))
    server2.expect_request("/b").respond_with_handler(slow("b"))
    ivs = {config.host_key(server.url_for("/")): 2.0, config.host_key(server2.url_for("/")): 2.0}
    with make(intervals=ivs) as f:
        ts = [
            threading.Thread(target=f.get, args=(server.url_for("/a"),)),
            threading.Thread(target=f.get, args=(server2.url_for("/b"),)),
        ]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert time.monotonic() - t0 < 0.95
    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert a0 < b1 and b0 < a1  # the two requests overlapped


def test_user_agent_with_and_without_mailto(server, monkeypatch):
    seen: list[str] = []
    server.expect_request("/ua").respond_with_handler(lambda r: (seen.append(r.headers["User-Agent"]), Response(b"{}"))[1])
    version = user_agent().split("/")[1].split(" ")[0]
    assert version and version[0].isdigit()
    with make(mailto="someone@example.org") as f:
        f.get(server.url_for("/ua"))
    monkeypatch.setenv("ATPBIB_MAILTO", "env@example.org")
    with make(mailto=None) as f:
        f.get(server.url_for("/ua"), params={"n": 2})
    monkeypatch.delenv("ATPBIB_MAILTO")
    with make(mailto=None) as f:
        f.get(server.url_for("/ua"), params={"n": 3})
    assert seen[0] == f"atpbib/{version} (+https://github.com/atpbib/atpbib; mailto:someone@example.org)"
    assert "mailto:env@example.org" in seen[1]
    assert seen[2] == f"atpbib/{version} (+https://github.com/atpbib/atpbib)"


def test_too_large_declared_and_streamed(server):
    server.expect_request("/big").respond_with_data(b"x" * 5000)

    def chunked(request):
        return Response((b"y" * 1000 for _ in range(10)), status=200)  # no Content-Length

    server.expect_request("/stream").respond_with_handler(chunked)
    with make(max_bytes=2000) as f:
        for path in ("/big", "/stream"):
            with pytest.raises(FetchError) as ei:
                f.get(server.url_for(path))
            assert ei.value.kind == "too-large"
        assert len(f.request_log()) == 2  # not retried


def test_truncated_body_is_invalid():
    class Truncating(ResetServer):
        def _run(self) -> None:
            self.sock.settimeout(0.1)
            while not self._stop:
                try:
                    conn, _ = self.sock.accept()
                except (socket.timeout, OSError):
                    continue
                self.accepted += 1
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n<feed>")
                conn.close()

    srv = Truncating(resets=0)
    try:
        with make(max_attempts=2) as f:
            with pytest.raises(FetchError) as ei:
                f.get(f"http://127.0.0.1:{srv.port}/feed")
            assert ei.value.kind == "invalid"
            assert f.unreachable() == []
        assert srv.accepted == 2
    finally:
        srv.close()


def test_on_request_hook(server):
    server.expect_request("/h").respond_with_data(b"{}")
    seen = []
    with make(on_request=lambda hk, url, cached: seen.append((hk, url, cached))) as f:
        f.get(server.url_for("/h"), params={"a": "1"})
        f.get(server.url_for("/h"), params={"a": "1"})
    hk = config.host_key(server.url_for("/"))
    assert seen == [(hk, server.url_for("/h") + "?a=1", False), (hk, server.url_for("/h") + "?a=1", True)]


def test_response_headers_and_text(server):
    server.expect_request("/t").respond_with_data("héllo".encode(), headers={"X-Thing": "1"}, content_type="text/plain")
    with make() as f:
        r = f.get(server.url_for("/t"))
    assert r.text == "héllo"
    assert r.headers["x-thing"] == "1" and r.headers.get("X-Thing") == "1" and "Content-Type" in r.headers


def test_validators():
    expect_xml(XML)
    expect_json(b' {"a": [1, 2]}')
    expect_bibtex(b"\n@inproceedings{k,\n title = {A {BERT} model},\n}\n")
    bad = [
        (expect_xml, HTML),
        (expect_xml, b"<html><body/></html>"),
        (expect_xml, b"<feed><entry>"),
        (expect_xml, b"not xml"),
        (expect_json, HTML),
        (expect_json, b'{"a": '),
        (expect_bibtex, HTML),
        (expect_bibtex, b"title = {x}"),
        (expect_bibtex, b"@article{k, title = {A {BERT} model}"),
        (expect_bibtex, b"@article{k, title = x}}"),
    ]
    for fn, body in bad:
        with pytest.raises(ValueError):
            fn(body)


# ---------------------------------------------------------------------------------------------------
# Hostile services (issue 22: items 1, 2, 3; issue 20: refusals are final and give their pacing back).
# Budgets are small here so that each case costs about a second; benchmarks/hostile.py plays the defaults.

from hostile_servers import HostileServer, answer, closed_port, endless_503, gzip_bomb, redirect, slow_loris  # noqa: E402


def test_deadline_cuts_off_a_server_that_sends_a_byte_at_a_time():
    """Each byte comes well within the read timeout, so only a deadline for the whole attempt ends it."""
    with HostileServer(slow_loris(gap=0.1)) as srv, make(deadline=1.0, read_timeout=5.0, max_attempts=1) as f:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as ei:
            f.get(srv.url("/search"))
        took = time.monotonic() - t0
    assert ei.value.kind == "timeout" and "within 1 s" in str(ei.value)
    assert 0.9 <= took < 2.5, took


def test_a_slow_loris_host_costs_at_most_its_budget_then_is_down():
    with HostileServer(slow_loris(gap=0.1)) as srv, make(deadline=1.0, host_budget=1.5, max_attempts=5) as f:
        t0 = time.monotonic()
        with pytest.raises(FetchError):
            f.get(srv.url("/a"))
        assert time.monotonic() - t0 < 2.5  # one full attempt, a second one cut to what the budget had left
        assert f.unreachable() == ["127.0.0.1"]
        t1 = time.monotonic()
        with pytest.raises(FetchError) as later:
            f.get(srv.url("/b"))
        assert later.value.kind == "circuit-open" and time.monotonic() - t1 < 0.1
        assert [s.path for s in srv.seen] == ["/a", "/a"]


def test_endless_503_with_retry_after_is_given_up_at_the_host_budget():
    with HostileServer(endless_503(retry_after=0.5)) as srv, make(host_budget=1.2, max_attempts=50,
                                                                   max_total_wait=600) as f:
        t0 = time.monotonic()
        for path in ("/1", "/2", "/3"):
            with pytest.raises(FetchError):
                f.get(srv.url(path))
        took = time.monotonic() - t0
        assert f.unreachable() == ["127.0.0.1"]
        assert any("retry budget" in e for e in f.events), f.events
    assert took < 2.5, took
    assert len(srv.seen) == 3, [s.path for s in srv.seen]  # two waits of 0.5 s fit in 1.2 s, a third does not


def test_the_run_budget_bounds_a_host_that_answers_now_and_then(server):
    """A host whose good answers keep resetting its streak still costs at most the run budget."""
    h = sequence(*([(503, b"", {"Retry-After": "0.4"}), (200, b"{}", {})] * 20))
    server.expect_request(re.compile("/r.*")).respond_with_handler(h)
    with make(host_budget=10, run_budget=1.0, max_attempts=3) as f:
        outcomes = []
        for i in range(10):
            try:
                f.get(server.url_for(f"/r{i}"))
                outcomes.append("ok")
            except FetchError as exc:
                outcomes.append(exc.kind)
        # each request waits 0.4 s once: two fit in the run's 1 s, the third's wait does not
        assert outcomes == ["ok", "ok", "http"] + ["circuit-open"] * 7, outcomes
    assert len(h.calls) == 5


def test_retry_after_beyond_the_host_budget_is_not_waited_for():
    with HostileServer(endless_503(retry_after=30)) as srv, make(max_total_wait=7200, host_budget=10) as f:
        t0 = time.monotonic()
        for path in ("/x", "/y"):
            with pytest.raises(FetchError) as ei:
                f.get(srv.url(path))
            assert ei.value.kind == "http" and ei.value.status == 503  # each request says why it failed
        assert time.monotonic() - t0 < 1.0
    assert len(srv.seen) == 2


def test_budget_and_deadline_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ATPBIB_DEADLINE", "0.7")
    monkeypatch.setenv("ATPBIB_HOST_BUDGET", "0.5")
    with HostileServer(slow_loris(gap=0.1, for_seconds=5)) as srv, Fetcher(None, intervals={}, mailto="",
                                                                           max_attempts=2) as f:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as ei:
            f.get(srv.url("/x"))
        assert time.monotonic() - t0 < 1.5 and ei.value.kind == "timeout"
        assert f.transport.policy.deadline == 0.7 and f.unreachable() == ["127.0.0.1"]


def test_a_bad_budget_in_the_environment_is_a_config_error(monkeypatch):
    monkeypatch.setenv("ATPBIB_HOST_BUDGET", "a minute")
    with pytest.raises(config.ConfigError, match="ATPBIB_HOST_BUDGET"):
        Fetcher(None)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_credentials_never_follow_a_redirect_to_another_host(status):
    with HostileServer(answer(b"{}")) as other:
        with HostileServer(redirect(lambda seen: other.url(seen.path), status)) as first, make() as f:
            resp = f.get(first.url("/paper/batch"), headers={"x-api-key": "SECRET", "Authorization": "Bearer T",
                                                             "X-Auth-Token": "T2"}, validate=expect_json,
                         json_body={"ids": ["ARXIV:1909.10351"]} if status in (307, 308) else None)
            assert resp.content == b"{}"
        assert first.seen[0].headers["x-api-key"] == "SECRET"  # its own host gets the key
        sent = other.seen[0].headers
        assert not {"x-api-key", "authorization", "x-auth-token"} & set(sent), sent
        assert sent.get("user-agent", "").startswith("atpbib/")


def test_a_redirect_on_the_same_host_keeps_the_key():
    with HostileServer(answer(b"{}")) as srv:
        srv.behaviour = lambda sock, seen, s: (redirect(lambda _: srv.url("/moved"))(sock, seen, s) if seen.path == "/old"
                                               else answer(b"{}")(sock, seen, s))
        with make() as f:
            f.get(srv.url("/old"), headers={"x-api-key": "SECRET"})
        assert [s.headers.get("x-api-key") for s in srv.seen] == ["SECRET", "SECRET"]


def test_a_gzip_bomb_is_cut_off_at_the_cap_while_it_is_read():
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with HostileServer(gzip_bomb(unpacked=4 << 30)) as srv, make(max_bytes=2_000_000) as f:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as ei:
            f.get(srv.url("/list.md"))
        assert time.monotonic() - t0 < 5
    assert ei.value.kind == "too-large"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB: far below the 4 GB


def test_a_refused_connection_gives_back_the_user_wide_pacing_turn(tmp_path, monkeypatch):
    """The slot file records no request that never happened: the next run does not wait for it (issue 20)."""
    monkeypatch.setenv("ATPBIB_PACE_DIR", str(tmp_path))
    url = f"http://127.0.0.1:{closed_port()}/x"
    hk = config.host_key(url)
    for _ in range(2):
        t0 = time.monotonic()
        with make(intervals={hk: 30.0}) as f, pytest.raises(FetchError) as ei:
            f.get(url)
        assert ei.value.kind == "unreachable" and time.monotonic() - t0 < 1.0
    slots = list(tmp_path.iterdir())
    assert len(slots) == 1 and slots[0].read_text() == ""


def test_a_failed_name_lookup_is_final_at_once(monkeypatch):
    import urllib3.util.connection as uconn

    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(uconn.socket, "getaddrinfo", no_such_name)
    with make(max_attempts=5, breaker_threshold=3) as f:
        t0 = time.monotonic()
        for path in ("/a", "/b", "/c"):
            with pytest.raises(FetchError) as ei:
                f.get(f"http://dblp.example.invalid{path}")
        assert time.monotonic() - t0 < 1.0
        assert "DNS lookup failed" in str(ei.value) or ei.value.kind == "circuit-open"
        assert len(f.request_log()) == 1 and f.unreachable() == ["dblp.example.invalid"]
