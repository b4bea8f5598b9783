"""Transport: the one `requests` session, per-host politeness, retries with backoff, the circuit breaker.

It knows nothing of caching: `Transport.fetch(prepared, host, validate)` either returns a validated answer
from the network or raises a typed `FetchError`.

- Retries go through tenacity with our own wait/stop functions (Retry-After wins over backoff; the stop
  bounds both the number of attempts and the summed sleeping time).
- Politeness: per host_key a lock serialises request *starts*; the gap between starts is at least the
  configured interval. Different hosts never wait for each other.
- Circuit breaker: a refused connection or a failed name lookup marks the host down at once (an answer
  that cannot come is not retried); other connection failures (reset, connect timeout) at the threshold of
  consecutive ones; and a host that has spent its retry budget (policy.py) is down too. A down host's
  requests fail at once for the rest of the run, and the run says so once per service.
- Every attempt runs under the policy's deadline (session.py), shortened to what the host's budget has left.
- A fast failure (nothing reached the server) gives back the pacing turn it took, in the process and in the
  user-wide state (pacing.py).
"""
from __future__ import annotations

import http.client
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import requests

from .. import config
from .pacing import Turn
from .policy import Budget, Policy, from_env
from .session import Session, deadline
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
    budget: Budget = field(default_factory=lambda: Budget(0.0, 0.0))
    consecutive_failures: int = 0
    open_reason: str | None = None  # set when the circuit is open
    down: threading.Event = field(default_factory=threading.Event)  # set with open_reason


class Transport:
    """Network access for one run. Thread-safe: sources may call it from several threads."""

    def __init__(self, *, mailto: str | None = None, intervals: dict[str, float] | None = None,
                 policy: Policy | None = None, **settings: Any) -> None:
        """`settings`: any field of `Policy` (connect_timeout, read_timeout, deadline, max_bytes, max_attempts,
        max_total_wait, backoff_base, breaker_threshold, host_budget, run_budget), over `policy` (default:
        the environment's, policy.from_env)."""
        self.policy = (policy or from_env()).with_overrides(**settings)
        self.mailto = mailto if mailto is not None else config.mailto()
        self.intervals = dict(config.intervals() if intervals is None else intervals)
        self.stats: dict[str, HostStats] = {}
        self.events: list[str] = []
        self._names = config.service_names()
        self._lock = threading.RLock()  # stats, events, host table, request log
        self._hosts: dict[str, _Host] = {}
        self._log: list[tuple[str, str]] = []
        self._down_noted: set[str] = set()  # service names already said to be down
        self.session = Session()
        self.session.headers["User-Agent"] = user_agent(self.mailto)

    # the policy's numbers, as attributes (callers and tests read them)
    connect_timeout = property(lambda self: self.policy.connect_timeout)
    read_timeout = property(lambda self: self.policy.read_timeout)
    max_bytes = property(lambda self: self.policy.max_bytes)
    max_attempts = property(lambda self: self.policy.max_attempts)
    max_total_wait = property(lambda self: self.policy.max_total_wait)
    breaker_threshold = property(lambda self: self.policy.breaker_threshold)
    backoff_base = property(lambda self: self.policy.backoff_base)

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
            stop=lambda rs: self._stop(rs, host),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, FetchError) and e._retryable),
            before_sleep=lambda rs: self._before_sleep(rs, host),
            reraise=True,
        )
        return retrying(self._attempt, prepared, host, validate)

    def _stop(self, rs: RetryCallState, host: _Host) -> bool:
        if rs.attempt_number >= self.max_attempts or rs.idle_for + rs.upcoming_sleep > self.max_total_wait:
            return True
        with self._lock:
            affordable = host.budget.can_afford(rs.upcoming_sleep)
        if not affordable:
            exc = rs.outcome.exception() if rs.outcome else None
            self._down(host, f"no good answer within its retry budget of {host.budget.describe()} (last: {_short(exc)})")
        return not affordable

    def _wait(self, rs: RetryCallState) -> float:
        exc = rs.outcome.exception() if rs.outcome else None
        retry_after = getattr(exc, "_retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        exp = min(self.backoff_base * 2 ** (rs.attempt_number - 1), max(self.max_total_wait, 0.0))
        return exp / 2 + random.uniform(0, exp / 2)  # "equal jitter"

    def _before_sleep(self, rs: RetryCallState, host: _Host) -> None:
        with self._lock:
            self._stat(host.key).retries += 1
            host.budget.spend(rs.upcoming_sleep)  # waiting for a failing host is what it costs the run
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
        prev_start, my_start, turn = self._wait_turn(host, url)
        if host.open_reason is not None:  # went down just now: this turn was not used
            self._give_back(host, prev_start, my_start, turn)
            raise self._circuit_error(host, url)
        with self._lock:
            self._log.append((host.key, url))
            self._stat(host.key).requests += 1
            left = host.budget.remaining()  # a failing host's last attempt gets only what its budget has left
            limit = self.policy.deadline if left <= 0 else max(0.05, min(self.policy.deadline, left))

        settings = self.session.merge_environment_settings(url, {}, True, None, None)
        settings["stream"] = True  # read the body ourselves, so max_bytes is enforced while reading
        started = time.monotonic()
        with deadline(limit) as watch:
            try:
                try:
                    resp = self.session.send(
                        prepared.copy(),
                        timeout=(self.connect_timeout, self.read_timeout),
                        allow_redirects=True,
                        **settings,
                    )
                except requests.RequestException as exc:
                    if watch.expired:
                        raise self._cut_off(host, url, limit) from exc
                    err = self._connection_error(exc, host, url)
                    if err._fast:
                        self._give_back(host, prev_start, my_start, turn)
                    raise err from exc
                try:
                    body = self._check_answer(resp, host, url, validate)
                except FetchError as exc:
                    if watch.expired:
                        raise self._cut_off(host, url, limit) from exc
                    raise
                finally:
                    resp.close()
                if watch.expired:  # the shutdown ended the body early: not a whole answer
                    raise self._cut_off(host, url, limit)
            except FetchError as err:
                self._failed(host, err, time.monotonic() - started)
                raise
        with self._lock:
            host.consecutive_failures = 0
            host.budget.good()
        return resp, body

    def _cut_off(self, host: _Host, url: str, limit: float) -> FetchError:
        err = FetchError(url, host.key, "timeout", f"{host.name} timed out (no complete answer within {limit:g} s): {url}")
        err._retryable = True
        return err

    def _failed(self, host: _Host, err: FetchError, seconds: float) -> None:
        """Charge a failed attempt to the host's budget; a definitive answer (a 404) is no failure of the host."""
        if err._fast or err.kind == "circuit-open":
            return
        if err.kind == "http" and not err._retryable and err.status is not None and err.status < 500 and err.status != 429:
            with self._lock:
                host.budget.good()
            return
        with self._lock:
            host.budget.spend(seconds)
            spent = not host.budget.can_afford(0.0)
        if spent:
            self._down(host, f"no good answer within its retry budget of {host.budget.describe()} (last: {_short(err)})")
            err._retryable = False

    def _give_back(self, host: _Host, prev_start: float, my_start: float, turn: Turn | None) -> None:
        """Nothing reached the server, so this attempt does not use up the pacing slot, here or user-wide.
        (Not under host.slot: another thread may be sleeping there for a whole interval.)"""
        with self._lock:
            if host.last_start == my_start:
                host.last_start = prev_start
        if turn is not None:
            from .pacing import give_back

            give_back(turn)

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
                if retry_after > self.max_total_wait or retry_after >= self.policy.host_budget:
                    # "come back much later": this request gives up now rather than hang; the host costs nothing
                    # more than this answer, so it is not put down for it (each request still says why it failed).
                    # A wait the host's budget can no longer afford puts it down (_stop).
                    err._retryable = False
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
                threshold = 1 if fast else self.breaker_threshold  # refused / no such name: final at once
                opened_now = host.open_reason is None and host.consecutive_failures >= threshold
            if opened_now:
                self._down(host, reason)
        if kind == "timeout":
            message = f"{host.name} timed out ({reason}): {url}"
        else:
            message = f"{host.name} unreachable ({reason}): {url}"
        err = FetchError(url, host.key, kind, message)
        err._retryable = retryable and host.open_reason is None
        err._fast = fast
        return err

    def _down(self, host: _Host, reason: str) -> None:
        """Open the host's circuit for the rest of the run; say so once per service (the resolver names the
        failed source too, so the note gives the reason and no more)."""
        with self._lock:
            if host.open_reason is not None:
                return
            host.open_reason = reason
            host.down.set()  # wakes the requests waiting for their turn: they fail now, not after the interval
            first = host.name not in self._down_noted
            self._down_noted.add(host.name)
            if first:
                self.events.append(f"{host.name}: skipped for the rest of this run ({reason})")
        log.info("%s (%s) down for the rest of this run: %s", host.name, host.key, reason)

    def _check_circuit(self, host: _Host, url: str) -> None:
        if host.open_reason is not None:
            raise self._circuit_error(host, url)

    def _circuit_error(self, host: _Host, url: str) -> FetchError:
        return FetchError(url, host.key, "circuit-open", f"{host.name} unreachable ({host.open_reason}), skipped: {url}")

    def _wait_turn(self, host: _Host, url: str) -> tuple[float, float, Turn | None]:
        """Block until this host may receive a request; return (previous start, our start, the user-wide turn).

        Within the process, one start at a time per host; across processes, the turn taken in the
        user's shared pacing state (pacing.py) is waited for as well."""
        from .pacing import take_turn

        with host.slot:
            now = time.monotonic()
            start = max(now, host.last_start + host.interval, host.not_before)
            if start > now and host.down.wait(start - now):
                pass  # the host went down while we waited: no turn is taken
            if host.open_reason is not None:
                raise self._circuit_error(host, url)
            turn = take_turn(host.key, host.interval) if host.interval > 0 else None
            prev = host.last_start
            host.last_start = time.monotonic()
            return prev, host.last_start, turn or None

    def _host(self, hk: str) -> _Host:
        with self._lock:
            host = self._hosts.get(hk)
            if host is None:
                name = self._names.get(hk) or hk.rsplit(":", 1)[0]
                host = self._hosts[hk] = _Host(hk, name, float(self.intervals.get(hk, 0.0)),
                                               budget=Budget(self.policy.host_budget, self.policy.run_budget))
            return host

    def _stat(self, hk: str) -> HostStats:
        with self._lock:
            return self.stats.setdefault(hk, HostStats())



def _short(exc: BaseException | None) -> str:
    """The reason of a failure without its URL, for a one-line note."""
    if exc is None:
        return "no answer"
    text = str(exc).split(": http", 1)[0]
    return text if len(text) < 120 else text[:117] + "..."
