"""The only place that does HTTP: session, politeness, retries, circuit breaker, disk cache.

Sources call `Fetcher.get(url, params, validate=...)` and get either a good `Response` or a typed
`FetchError`; throttling, flaky connections, error pages and a broken cache never reach them.

Design notes
- Network and cache are separate: a plain `requests.Session` talks to the network, a requests-cache
  backend (SQLite, WAL, busy timeout) stores answers. That lets us validate a body *before* storing it,
  so failures and error pages are never cached, and lets us fall back to an expired ("stale") entry when
  a re-fetch fails.
- Retries go through tenacity with our own wait/stop functions (Retry-After wins over backoff; the stop
  bounds both the number of attempts and the summed sleeping time).
- Politeness: per host_key a lock serialises request *starts*; the gap between starts is at least the
  configured interval. Different hosts never wait for each other.
- Circuit breaker: consecutive connection failures (refused, DNS, reset, connect timeout) per host_key;
  at the threshold the host is skipped for the rest of the run.
"""
from __future__ import annotations

import email.utils
import http.client
import io
import json
import logging
import os
import random
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import requests
import urllib3
from requests_cache import BaseCache, CachedResponse, SQLiteCache

from . import config
from .textutil import brace_problem

if TYPE_CHECKING:  # tenacity is imported on the first network fetch: a warm run never needs it
    from tenacity import RetryCallState

log = logging.getLogger(__name__)

__all__ = [
    "CacheInfo",
    "FetchError",
    "Fetcher",
    "HostStats",
    "Response",
    "cache_clear",
    "cache_info",
    "expect_bibtex",
    "expect_json",
    "expect_xml",
    "user_agent",
]

KINDS = ("unreachable", "timeout", "http", "invalid", "offline", "circuit-open", "too-large")
CACHE_FILE = "http_cache.sqlite"
_BUSY_TIMEOUT_MS = 30_000
_CHUNK = 64 * 1024
_MISSING = (404, 410)  # "no such record": cacheable only when the caller says so (get(cache_missing=True))
# Errors that mean "the stored cache is unusable", as opposed to a miss.
_CACHE_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.Error,
    EOFError,
    AttributeError,
    ImportError,
    TypeError,
    ValueError,
    OSError,
)


# ----------------------------------------------------------------------------------------------------
# Public data types


class FetchError(Exception):
    """A request that could not be answered; `str(err)` is a one-line message for humans."""

    def __init__(self, url: str, host: str, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.host = host
        self.kind = kind
        self.status = status
        self.message = message
        # Retry bookkeeping (private): whether another attempt may help, and how long to wait first.
        self._retryable = False
        self._retry_after: float | None = None
        self._fast = False
        self._response: Any = None  # a definitive 404/410 answer, for get(cache_missing=True)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # keep it picklable (multiprocessing) despite the keyword-rich __init__
        return (FetchError, (self.url, self.host, self.kind, self.message, self.status))


class _Headers(dict):
    """A plain dict whose lookups ignore case (keys are stored lower-cased)."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__((str(k).lower(), str(v)) for k, v in dict(items).items())

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content: bytes
    headers: dict[str, str]  # case-insensitive lookups; keys lower-cased
    from_cache: bool
    stale: bool

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass
class HostStats:
    requests: int = 0  # network attempts (every retry counts)
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0  # get() calls that ended in FetchError
    throttled: int = 0  # 429 / 503 answers
    stale: int = 0  # expired cache entries served because the network failed (or offline)


@dataclass(frozen=True)
class CacheInfo:
    location: Path
    entries: int
    size_bytes: int
    per_host: dict[str, tuple[int, int]] = field(default_factory=dict)  # host_key → (entries, bytes)


# ----------------------------------------------------------------------------------------------------
# Validators: raise ValueError when a 200 body is not what the caller asked for.


def _head(body: bytes) -> bytes:
    return body[:512].lstrip(b"\xef\xbb\xbf").lstrip()


def _reject_html(body: bytes) -> None:
    head = _head(body).lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        raise ValueError("an HTML page instead of data")


def expect_xml(body: bytes) -> None:
    from defusedxml import ElementTree as DET  # lazy: only callers that want XML pay for it

    _reject_html(body)
    if not _head(body).startswith(b"<"):
        raise ValueError("not XML")
    try:
        DET.fromstring(body)
    except Exception as exc:  # ParseError, EntitiesForbidden, …: all mean "not the XML we want"
        raise ValueError(f"malformed XML ({exc})") from exc


def expect_json(body: bytes) -> None:
    _reject_html(body)
    try:
        json.loads(body.decode("utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ValueError(f"malformed JSON ({exc})") from exc


def expect_bibtex(body: bytes) -> None:
    _reject_html(body)
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if not text.startswith("@"):
        raise ValueError("not BibTeX (does not start with @)")
    problem = brace_problem(text)
    if problem:
        raise ValueError(f"unbalanced braces in BibTeX: {problem}")


# ----------------------------------------------------------------------------------------------------
# Helpers


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("atpbib")
    except Exception:  # not installed (running from a checkout)
        return "0.0.0"


def user_agent(mailto: str | None = None) -> str:
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"atpbib/{_version()} (+{config.PROJECT_URL}{contact})"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent/garbled."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now_dt = datetime.fromtimestamp(time.time() if now is None else now, tz=timezone.utc)
    return max(0.0, (when - now_dt).total_seconds())


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Walk an exception and everything it wraps (requests → urllib3 → socket)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
        stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))


def _any(exc: BaseException, *types: type[BaseException]) -> bool:
    return any(isinstance(c, types) for c in _causes(exc))


def _name_resolution_failed(exc: BaseException) -> bool:
    try:
        from urllib3.exceptions import NameResolutionError
    except ImportError:  # urllib3 1.x
        NameResolutionError = socket.gaierror  # type: ignore[misc,assignment]
    return _any(exc, socket.gaierror, NameResolutionError)


# ----------------------------------------------------------------------------------------------------
# Cache storage


def _cache_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / CACHE_FILE


def _sidecars(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), db.with_name(db.name + "-journal")]


def _move_aside(db: Path) -> Path:
    """Move a broken cache DB (and its WAL files) out of the way; the next open starts empty."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = db.with_name(f"{db.name}.corrupt-{stamp}-{os.getpid()}")
    for i, path in enumerate(_sidecars(db)):
        if not path.exists():
            continue
        try:
            if i == 0:
                path.replace(target)
            else:
                path.unlink()
        except OSError as exc:  # another process may have done it already
            log.debug("could not move %s aside: %s", path, exc)
    return target


def _sqlite_backend(db: Path) -> SQLiteCache:
    backend = SQLiteCache(db, wal=True, busy_timeout=_BUSY_TIMEOUT_MS)
    with backend.responses.connection() as con:
        row = con.execute("PRAGMA quick_check").fetchone()
        if not row or row[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {row[0] if row else 'no answer'}")
        con.execute(f"SELECT COUNT(*) FROM {backend.responses.table_name}").fetchone()
    return backend


_OPEN_ATTEMPTS = 10


def _open_sqlite(cache_dir: Path, notes: list[str] | None = None) -> SQLiteCache:
    """Open (creating if needed) the cache DB; a corrupt DB is moved aside and replaced, never fatal.

    "database is locked" is not corruption: another atpbib is creating or writing the same cache, so we
    wait and try again, and never move a good cache aside."""
    db = _cache_path(cache_dir)
    db.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, _OPEN_ATTEMPTS + 1):
        try:
            return _sqlite_backend(db)
        except sqlite3.OperationalError as exc:
            if attempt == _OPEN_ATTEMPTS:
                raise
            log.debug("cache busy (%s), retrying", exc)
            time.sleep(0.2 * attempt)
        except _CACHE_ERRORS as exc:
            target = _move_aside(db)
            msg = f"cache {db} was unreadable ({exc}); moved it to {target.name} and started an empty one"
            log.warning(msg)
            if notes is not None:
                notes.append(msg)
            return _sqlite_backend(db)
    raise AssertionError("unreachable")  # pragma: no cover


def _expires(days: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=max(0.0, days))


# ----------------------------------------------------------------------------------------------------
# The fetcher


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


class Fetcher:
    """One per run. Thread-safe: sources may call `get` from several threads."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        offline: bool = False,
        refresh: bool = False,
        expire_after_days: float = 30.0,
        mailto: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_bytes: int = 20_000_000,
        intervals: dict[str, float] | None = None,
        max_attempts: int = 5,
        max_total_wait: float = 60.0,
        breaker_threshold: int = 3,
        backoff_base: float = 1.0,
        on_request: Callable[[str, str, bool], None] | None = None,
    ) -> None:
        self.offline = offline
        self.refresh = refresh
        self.expire_after_days = expire_after_days
        self.mailto = mailto if mailto is not None else config.mailto()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_bytes = max_bytes
        self.intervals = dict(config.intervals() if intervals is None else intervals)
        self.max_attempts = max(1, max_attempts)
        self.max_total_wait = max(0.0, max_total_wait)
        self.breaker_threshold = max(1, breaker_threshold)
        self.backoff_base = max(0.0, backoff_base)
        self.on_request = on_request
        self.stats: dict[str, HostStats] = {}
        self.events: list[str] = []

        self._names = config.service_names()
        self._lock = threading.RLock()  # stats, events, host table, request log
        self._cache_lock = threading.RLock()  # the SQLite connection is shared between threads
        self._hosts: dict[str, _Host] = {}
        self._log: list[tuple[str, str]] = []
        self._refreshed: set[str] = set()  # cache keys re-fetched in this run (refresh=True)

        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._cache: BaseCache
        if self.cache_dir is None:
            self._cache = BaseCache()  # in-memory dict, private to this Fetcher
        else:
            self._cache = _open_sqlite(self.cache_dir, self.events)

        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent(self.mailto)

    # -- context management -------------------------------------------------------------------------

    def close(self) -> None:
        self.session.close()
        with self._cache_lock:
            try:
                self._cache.close()
            except _CACHE_ERRORS as exc:
                log.debug("closing cache: %s", exc)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public queries -----------------------------------------------------------------------------

    def unreachable(self) -> list[str]:
        with self._lock:
            return sorted({h.name for h in self._hosts.values() if h.open_reason is not None})

    def request_log(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._log)

    # -- the one entry point ------------------------------------------------------------------------

    def get(
        self,
        url: str,
        params: dict | None = None,
        *,
        validate: Callable[[bytes], None] | None = None,
        cache_missing: bool = False,
    ) -> Response:
        """A good answer, or FetchError. `cache_missing=True`: a 404/410 is a definitive "no such record"
        for this URL, so it is stored like an answer (and raised again from the cache) instead of being
        asked again on every run."""
        try:
            prepared = self.session.prepare_request(requests.Request("GET", url, params=params))
        except (requests.RequestException, ValueError) as exc:  # MissingSchema, InvalidURL, bad params
            hk = config.host_key(url) if "://" in url else "?"
            raise FetchError(url, hk, "unreachable", f"invalid URL ({exc}): {url}") from exc
        full_url = prepared.url or url
        hk = config.host_key(full_url)
        host = self._host(hk)
        from_cache = False
        try:
            result = self._get(prepared, host, validate, cache_missing)
            from_cache = result.from_cache
            return result
        except FetchError:
            with self._lock:
                self._stat(hk).failures += 1
            raise
        finally:
            self._notify(hk, full_url, from_cache)

    # -- batch APIs: one answer shared out per item ---------------------------------------------------

    def cached(self, url: str, params: dict | None = None) -> Response | None:
        """The cached good answer for this request without touching the network, or None.

        Batch APIs (arXiv id_list) use it to look up each item under its own single-item request, so a
        later run with a different selection (one section instead of the whole list) is still answered
        from the cache. Expired answers count as absent unless offline; --refresh bypasses it."""
        if self.refresh and not self.offline:
            return None
        prepared = self.session.prepare_request(requests.Request("GET", url, params=params))
        key = self._cache.create_key(prepared)
        hit = self._cache_read(key)
        if hit is None or hit.status_code in _MISSING or (hit.is_expired and not self.offline):
            return None
        host = self._host(config.host_key(prepared.url or url))
        result = self._from_cached(hit, host, stale=hit.is_expired, why="offline mode")
        self._notify(host.key, prepared.url or url, True)
        return result

    def store(self, url: str, params: dict | None, content: bytes, content_type: str) -> None:
        """Cache `content` as the answer to a single-item request, carved out of a validated batch answer."""
        prepared = self.session.prepare_request(requests.Request("GET", url, params=params))
        resp = requests.Response()
        resp.status_code = 200
        resp.reason = "OK"
        resp._content = content
        resp.url = prepared.url or url
        resp.request = prepared
        resp.headers = requests.structures.CaseInsensitiveDict({"Content-Type": content_type})
        # requests-cache copies the low-level response too: give it one built from the same bytes
        resp.raw = urllib3.HTTPResponse(body=io.BytesIO(content), headers=dict(resp.headers), status=200,
                                        preload_content=False, request_url=resp.url)
        self._cache_write(self._cache.create_key(prepared), resp)

    # -- internals ----------------------------------------------------------------------------------

    def _get(
        self, prepared: requests.PreparedRequest, host: _Host, validate: Callable[[bytes], None] | None, cache_missing: bool = False
    ) -> Response:
        key = self._cache.create_key(prepared)
        cached = self._cache_read(key)
        fresh = cached is not None and not cached.is_expired

        if self.offline:
            if cached is None:
                raise FetchError(
                    prepared.url or "",
                    host.key,
                    "offline",
                    f"{host.name}: not in the cache and offline mode forbids the network: {prepared.url}",
                )
            return self._from_cached(cached, host, stale=not fresh, why="offline mode")

        use_cache = fresh and (not self.refresh or key in self._refreshed)
        if use_cache and cached is not None:
            return self._from_cached(cached, host, stale=False)

        try:
            raw, body = self._fetch(prepared, host, validate)
        except FetchError as err:
            gone = getattr(err, "_response", None) if cache_missing else None
            if gone is not None and (cached is None or cached.status_code in _MISSING):
                self._cache_write(key, gone)
                with self._lock:
                    self._refreshed.add(key)
                raise
            if cached is not None:
                return self._from_cached(cached, host, stale=True, why=f"re-fetch failed: {err}")
            raise

        self._cache_write(key, raw)
        with self._lock:
            self._refreshed.add(key)
        return Response(
            url=raw.url or prepared.url or "",
            status=raw.status_code,
            content=body,
            headers=_Headers(raw.headers),
            from_cache=False,
            stale=False,
        )

    def _from_cached(self, cached: CachedResponse, host: _Host, *, stale: bool, why: str = "") -> Response:
        stats = self._stat(host.key)
        with self._lock:
            stats.cache_hits += 1
            if stale and cached.status_code not in _MISSING:
                stats.stale += 1
                note = f"{host.name}: used a stale cached answer for {cached.url} ({why})"
                self.events.append(note)
                log.info(note)
        if cached.status_code in _MISSING:  # a stored "no such record" (cache_missing=True)
            url = cached.url or ""
            reason = f" {cached.reason}" if getattr(cached, "reason", None) else ""
            raise FetchError(url, host.key, "http", f"{host.name} answered HTTP {cached.status_code}{reason}: {url}", cached.status_code)
        return Response(
            url=cached.url or "",
            status=cached.status_code,
            content=cached.content or b"",
            headers=_Headers(cached.headers),
            from_cache=True,
            stale=stale,
        )

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
        """Block until this host may receive a request; return (previous start, our start)."""
        with host.slot:
            now = time.monotonic()
            start = max(now, host.last_start + host.interval, host.not_before)
            if start > now:
                time.sleep(start - now)
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

    def _notify(self, hk: str, url: str, from_cache: bool) -> None:
        if self.on_request is None:
            return
        try:
            self.on_request(hk, url, from_cache)
        except Exception:  # a broken progress bar must not break a resolve
            log.exception("on_request hook failed")

    # -- cache access (never fatal) ----------------------------------------------------------------

    def _cache_read(self, key: str) -> CachedResponse | None:
        with self._cache_lock:
            try:
                value = self._cache.responses.get(key)
                if value is not None and not isinstance(value, CachedResponse):
                    return None
                return value
            except KeyError:
                return None
            except _CACHE_ERRORS as exc:
                self._cache_broken(exc)
                return None

    def _cache_write(self, key: str, resp: requests.Response) -> None:
        with self._cache_lock:
            try:
                self._cache.save_response(resp, cache_key=key, expires=_expires(self.expire_after_days))
            except _CACHE_ERRORS as exc:
                self._cache_broken(exc)

    def _cache_broken(self, exc: BaseException) -> None:
        """The DB went bad mid-run: move it aside once and continue with a fresh one (or memory)."""
        log.warning("cache error: %s", exc)
        if self.cache_dir is None or not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.OperationalError):
            return
        try:
            self._cache.close()
        except _CACHE_ERRORS:
            pass
        try:
            self._cache = _open_sqlite(self.cache_dir, self.events)
        except _CACHE_ERRORS as exc2:
            note = f"cache unusable ({exc2}); continuing without a disk cache"
            self.events.append(note)
            log.warning(note)
            self._cache = BaseCache()


# ----------------------------------------------------------------------------------------------------
# Cache administration (atpbib cache info / clear)


def _rows(backend: SQLiteCache) -> Iterator[tuple[str, int, str]]:
    """(key, stored bytes, host_key) of every entry; undecodable entries get host "?"."""
    table = backend.responses.table_name
    with backend.responses.connection() as con:
        rows = con.execute(f"SELECT key, LENGTH(value), value FROM {table}").fetchall()
    for key, size, value in rows:
        obj = backend.responses.deserialize(key, value)
        url = getattr(obj, "url", None) or getattr(getattr(obj, "request", None), "url", None)
        yield key, int(size or 0), config.host_key(url) if url else "?"


def cache_info(cache_dir: Path) -> CacheInfo:
    db = _cache_path(Path(cache_dir))
    if not db.exists():
        return CacheInfo(location=db, entries=0, size_bytes=0, per_host={})
    backend = _open_sqlite(Path(cache_dir))
    try:
        per_host: dict[str, tuple[int, int]] = {}
        for _key, size, hk in _rows(backend):
            n, b = per_host.get(hk, (0, 0))
            per_host[hk] = (n + 1, b + size)
        entries = sum(n for n, _ in per_host.values())
    finally:
        backend.close()
    size_bytes = sum(p.stat().st_size for p in _sidecars(db) if p.exists())
    return CacheInfo(location=db, entries=entries, size_bytes=size_bytes, per_host=dict(sorted(per_host.items())))


def _host_matches(hk: str, wanted: str) -> bool:
    wanted = wanted.strip().lower()
    if "://" in wanted:
        wanted = config.host_key(wanted)
    return hk == wanted or hk.rsplit(":", 1)[0] == wanted


def cache_clear(cache_dir: Path, host: str | None = None) -> int:
    """Remove all entries (or those of one host: "dblp.org", "dblp.org:443" or a URL); return the count."""
    db = _cache_path(Path(cache_dir))
    if not db.exists():
        return 0
    backend = _open_sqlite(Path(cache_dir))
    try:
        if host is None:
            removed = backend.responses.count()
            backend.clear()
            return removed
        keys = [key for key, _size, hk in _rows(backend) if _host_matches(hk, host)]
        if keys:
            backend.responses.bulk_delete(keys)
            backend._prune_redirects()
            backend.responses.vacuum()
        return len(keys)
    finally:
        backend.close()
