"""The fetch layer's public data types, validators and small pure helpers."""
from __future__ import annotations

import email.utils
import json
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from .. import config
from ..textutil import brace_problem

KINDS = ("unreachable", "timeout", "http", "invalid", "offline", "circuit-open", "too-large")


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


