"""Transport: the one `requests` session, per-host politeness, retries with backoff, the circuit breaker.

It knows nothing of caching: `Transport.fetch(prepared, host, validate)` either returns a validated answer
from the network or raises a typed `FetchError`.

- Retries go through tenacity with our own wait/stop functions (Retry-After wins over backoff; the stop
  bounds both the number of attempts and the summed sleeping time).
- Politeness: per host_key a lock serialises request *starts*; the gap between starts is at least the
  configured interval. Different hosts never wait for each other.
- Circuit breaker: consecutive connection failures (refused, DNS, reset, connect timeout) per host_key;
  at the threshold the host is skipped for the rest of the run.
"""
from __future__ import annotations

import http.client
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import requests

from .. import config
from .types import FetchError, HostStats, _any, _causes, _name_resolution_failed, parse_retry_after, user_agent

if TYPE_CHECKING:  # tenacity is imported on the first network fetch: a warm run never needs it
    from tenacity import RetryCallState

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_MISSING = (404, 410)  # "no such record": kept on the error so that the caller may cache it


@dataclass
class _Host:
    key: str
    name: str
    interval: float
    slot: threading.Lock = field(default_factory=threading.Lock)
    last_start: float = float("-inf")
    not_before: float = 0.0  # monotonic time before which no request may start (Retry-After)
    consecutive_failures: int = 0
    open_reason: str | None = None  # set when the circuit is open


class Transport:
    """Network access for one run. Thread-safe: sources may call it from several threads."""

    def __init__(
        self,
        *,
        mailto: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_bytes: int = 20_000_000,
        intervals: dict[str, float] | None = None,
        max_attempts: int = 5,
        max_total_wait: float = 60.0,
        breaker_threshold: int = 3,
        backoff_base: float = 1.0,
    ) -> None:
        self.mailto = mailto if mailto is not None else config.mailto()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_bytes = max_bytes
        self.intervals = dict(config.intervals() if intervals is None else intervals)
        self.max_attempts = max(1, max_attempts)
        self.max_total_wait = max(0.0, max_total_wait)
        self.breaker_threshold = max(1, breaker_threshold)
        self.backoff_base = max(0.0, backoff_base)
        self.stats: dict[str, HostStats] = {}
        self.events: list[str] = []
        self._names = config.service_names()
        self._lock = threading.RLock()  # stats, events, host table, request log
        self._hosts: dict[str, _Host] = {}
        self._log: list[tuple[str, str]] = []
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent(self.mailto)

    def close(self) -> None:
        self.session.close()

    def unreachable(self) -> list[str]:
        with self._lock:
            return sorted({h.name for h in self._hosts.values() if h.open_reason is not None})

    def request_log(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._log)

    def fetch(self, prepared: requests.PreparedRequest, host: "_Host", validate: Callable[[bytes], None] | None):
        """(raw response, validated body) from the network, with retries; or FetchError."""
        return self._fetch(prepared, host, validate)

    def host(self, hk: str) -> "_Host":
        return self._host(hk)

    def stat(self, hk: str) -> HostStats:
        return self._stat(hk)

    def _fetch(
        self, prepared: requests.PreparedRequest, host: _Host, validate: Callable[[bytes], None] | None
    ) -> tuple[requests.Response, bytes]:
        from tenacity import Retrying, retry_if_exception

        retrying = Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, FetchError) and e._retryable),
            before_sleep=lambda rs: self._before_sleep(rs, host),
            reraise=True,
        )
        return retrying(self._attempt, prepared, host, validate)

    def _stop(self, rs: RetryCallState) -> bool:
        return rs.attempt_number >= self.max_attempts or rs.idle_for + rs.upcoming_sleep > self.max_total_wait

    def _wait(self, rs: RetryCallState) -> float:
        exc = rs.outcome.exception() if rs.outcome else None
        retry_after = getattr(exc, "_retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        if getattr(exc, "_fast", False):
            # Refused / DNS failure: strong evidence, so do not back off long; the breaker decides.
            return 0.2 * self.backoff_base
        exp = min(self.backoff_base * 2 ** (rs.attempt_number - 1), max(self.max_total_wait, 0.0))
        return exp / 2 + random.uniform(0, exp / 2)  # "equal jitter"

    def _before_sleep(self, rs: RetryCallState, host: _Host) -> None:
        with self._lock:
            self._stat(host.key).retries += 1
        exc = rs.outcome.exception() if rs.outcome else None
        log.debug(
            "retry %d/%d in %.2fs for %s: %s",
            rs.attempt_number,
            self.max_attempts - 1,
            rs.upcoming_sleep,
            getattr(exc, "url", "?"),
            exc,
        )

    def _attempt(
        self, prepared: requests.PreparedRequest, host: _Host, validate: Callable[[bytes], None] | None
    ) -> tuple[requests.Response, bytes]:
        url = prepared.url or ""
        self._check_circuit(host, url)
        prev_start, my_start = self._wait_turn(host)
        self._check_circuit(host, url)
        with self._lock:
            self._log.append((host.key, url))
            self._stat(host.key).requests += 1

        settings = self.session.merge_environment_settings(url, {}, True, None, None)
        settings["stream"] = True  # read the body ourselves, so max_bytes is enforced while reading
        try:
            resp = self.session.send(
                prepared.copy(),
                timeout=(self.connect_timeout, self.read_timeout),
                allow_redirects=True,
                **settings,
            )
        except requests.RequestException as exc:
            err = self._connection_error(exc, host, url)
            if err._fast:
                # Nothing reached the server, so this attempt does not use up the politeness slot.
                # (Not under host.slot: another thread may be sleeping there for a whole interval.)
                with self._lock:
                    if host.last_start == my_start:
                        host.last_start = prev_start
            raise err from exc

        try:
            with self._lock:
                host.consecutive_failures = 0
            return resp, self._check_answer(resp, host, url, validate)
        finally:
            resp.close()

    def _check_answer(
        self, resp: requests.Response, host: _Host, url: str, validate: Callable[[bytes], None] | None
    ) -> bytes:
        status = resp.status_code
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            if status in (429, 503):
                with self._lock:
                    self._stat(host.key).throttled += 1
            err = FetchError(url, host.key, "http", f"{host.name} answered HTTP {status} {resp.reason or ''}".rstrip() + f": {url}", status)
            err._retryable = True
            if retry_after is not None:
                if retry_after > self.max_total_wait:
                    err._retryable = False  # "come back much later": give up now rather than hang
                else:
                    err._retry_after = retry_after
                    with host.slot:
                        host.not_before = max(host.not_before, time.monotonic() + retry_after)
            raise err
        if not 200 <= status < 300:
            err = FetchError(url, host.key, "http", f"{host.name} answered HTTP {status} {resp.reason or ''}".rstrip() + f": {url}", status)
            if status in _MISSING:  # definitive: kept so that get(cache_missing=True) can store it
                try:
                    resp._content = self._read_body(resp, host, url)
                    resp._content_consumed = True
                    err._response = resp
                except FetchError:
                    pass  # a cut-off error page: still a 404, just not stored
            raise err

        body = self._read_body(resp, host, url)
        resp._content = body  # so requests-cache can serialise what we read
        resp._content_consumed = True
        if validate is not None:
            try:
                validate(body)
            except ValueError as exc:
                err = FetchError(url, host.key, "invalid", f"{host.name} sent an invalid answer ({exc}): {url}", status)
                err._retryable = True
                raise err from exc
        return body

    def _read_body(self, resp: requests.Response, host: _Host, url: str) -> bytes:
        too_large = FetchError(
            url, host.key, "too-large", f"{host.name} answer larger than {self.max_bytes} bytes: {url}", resp.status_code
        )
        declared = resp.headers.get("Content-Length")
        try:
            declared_len = int(declared) if declared is not None else None
        except ValueError:
            declared_len = None
        if declared_len is not None and declared_len > self.max_bytes:
            raise too_large
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in resp.iter_content(_CHUNK):
                total += len(chunk)
                if total > self.max_bytes:
                    raise too_large
                chunks.append(chunk)
        except requests.RequestException as exc:
            if _any(exc, requests.exceptions.ReadTimeout, socket.timeout, TimeoutError) or "timed out" in str(exc).lower():
                err = FetchError(url, host.key, "timeout", f"{host.name} timed out while sending the answer: {url}", resp.status_code)
            else:
                err = FetchError(url, host.key, "invalid", f"{host.name} answer cut off ({type(exc).__name__}): {url}", resp.status_code)
            err._retryable = True
            raise err from exc
        body = b"".join(chunks)
        encoded = resp.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if declared_len is not None and not encoded and len(body) < declared_len:
            err = FetchError(
                url, host.key, "invalid", f"{host.name} answer truncated ({len(body)} of {declared_len} bytes): {url}", resp.status_code
            )
            err._retryable = True
            raise err
        return body

    def _connection_error(self, exc: requests.RequestException, host: _Host, url: str) -> FetchError:
        """Classify a failure to get any answer; count it toward the host's circuit breaker."""
        counts = True
        fast = False
        retryable = True
        kind = "unreachable"
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            kind, reason = "timeout", f"no connection within {self.connect_timeout:g} s"
        elif isinstance(exc, requests.exceptions.ReadTimeout):
            kind, reason, counts = "timeout", f"no answer within {self.read_timeout:g} s", False
        elif isinstance(exc, requests.exceptions.SSLError):
            reason, counts, retryable = "TLS error", False, False
        elif isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
            reason, counts, retryable = "invalid URL", False, False
        elif isinstance(exc, requests.exceptions.TooManyRedirects):
            kind, reason, counts, retryable = "http", "too many redirects", False, False
        elif _any(exc, ConnectionRefusedError):
            reason, fast = "connection refused", True
        elif _name_resolution_failed(exc):
            reason, fast = "DNS lookup failed", True
        elif _any(exc, ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected):
            reason = "connection reset"
        elif _any(exc, OSError) and any(getattr(c, "errno", None) in (101, 113, 65, 51) for c in _causes(exc)):
            reason, fast = "network unreachable", True
        elif isinstance(exc, requests.exceptions.ConnectionError):
            reason = "connection failed"
        else:
            reason, counts = type(exc).__name__, False

        opened_now = False
        if counts:
            with self._lock:
                host.consecutive_failures += 1
                if host.open_reason is None and host.consecutive_failures >= self.breaker_threshold:
                    host.open_reason = reason
                    opened_now = True
                    note = f"{host.name} unreachable ({reason}); skipping it for the rest of this run"
                    self.events.append(note)
                    log.warning(note)
        if kind == "timeout":
            message = f"{host.name} timed out ({reason}): {url}"
        else:
            message = f"{host.name} unreachable ({reason}): {url}"
        err = FetchError(url, host.key, kind, message)
        err._retryable = retryable and not opened_now and host.open_reason is None
        err._fast = fast
        return err

    def _check_circuit(self, host: _Host, url: str) -> None:
        if host.open_reason is not None:
            raise FetchError(url, host.key, "circuit-open", f"{host.name} unreachable ({host.open_reason}), skipped: {url}")

    def _wait_turn(self, host: _Host) -> tuple[float, float]:
        """Block until this host may receive a request; return (previous start, our start).

        Within the process, one start at a time per host; across processes, the turn taken in the
        user's shared pacing state (pacing.py) is waited for as well."""
        from .pacing import take_turn

        with host.slot:
            now = time.monotonic()
            start = max(now, host.last_start + host.interval, host.not_before)
            if start > now:
                time.sleep(start - now)
            if host.interval > 0:
                take_turn(host.key, host.interval)  # the other processes' requests to this host
            prev = host.last_start
            host.last_start = time.monotonic()
            return prev, host.last_start

    def _host(self, hk: str) -> _Host:
        with self._lock:
            host = self._hosts.get(hk)
            if host is None:
                name = self._names.get(hk) or hk.rsplit(":", 1)[0]
                host = self._hosts[hk] = _Host(hk, name, float(self.intervals.get(hk, 0.0)))
            return host

    def _stat(self, hk: str) -> HostStats:
        with self._lock:
            return self.stats.setdefault(hk, HostStats())

