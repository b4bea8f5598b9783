"""The only place that does HTTP: a transport (session, politeness, retries, circuit breaker) and a
response cache, composed by `Fetcher` behind the small `Fetch` protocol that every source uses.

Sources call `get(url, params, validate=...)` (or `get_batch` for APIs that answer many ids at once) and
get either a good `Response` or a typed `FetchError`; throttling, flaky connections, error pages and a
broken cache never reach them, and they never touch the cache themselves.

Design notes
- Network and cache are separate (transport.py, cache.py): a plain `requests.Session` talks to the
  network, a requests-cache backend stores answers. That lets us validate a body *before* storing it, so
  failures and error pages are never cached, and lets us fall back to an expired ("stale") entry when a
  re-fetch fails.
- The limits (deadline per attempt, retry budget per host, answer size) are policy.py's, nowhere else.
- A batch answer (arXiv's id_list) is split and stored per item, so a later run with another selection
  is answered from the cache.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from typing import TYPE_CHECKING

import requests
import urllib3

if TYPE_CHECKING:
    from requests_cache import CachedResponse

from .. import config
from .cache import CACHE_FILE, ResponseCache, cache_clear, cache_info
from .transport import Transport, _Host
from .types import (KINDS, CacheInfo, FetchError, HostStats, Response, _Headers, expect_bibtex, expect_json,
                    expect_xml, parse_retry_after, user_agent)

log = logging.getLogger(__name__)

__all__ = [
    "CACHE_FILE",
    "CacheInfo",
    "Fetch",
    "FetchError",
    "Fetcher",
    "HostStats",
    "KINDS",
    "Response",
    "cache_clear",
    "cache_info",
    "download",
    "expect_bibtex",
    "expect_json",
    "expect_xml",
    "parse_retry_after",
    "user_agent",
]

_MISSING = (404, 410)  # "no such record": cacheable only when the caller says so (get(cache_missing=True))


class Fetch(Protocol):
    """What a source may ask of the fetch layer."""

    def get(self, url: str, params: dict | None = None, *, validate: Callable[[bytes], None] | None = None,
            cache_missing: bool = False, headers: dict[str, str] | None = None,
            json_body: object = None) -> Response: ...

    def get_batch(self, url: str, items: Sequence[str], *, batch_params: Callable[[list[str]], dict],
                  item_params: Callable[[str], dict], split: Callable[[bytes, list[str]], dict[str, bytes]],
                  content_type: str, batch_size: int, validate: Callable[[bytes], None] | None = None,
                  batch_body: Callable[[list[str]], object] | None = None, headers: dict[str, str] | None = None
                  ) -> tuple[dict[str, bytes], dict[str, BaseException]]: ...


def download(url: str, *, max_bytes: int | None = None, **settings: Any) -> Response:
    """One answer straight from the network, no cache (a list named by URL): the same session, deadline,
    retry budget and caps as every other request, the cap lowered to `max_bytes` if given; or FetchError."""
    transport = Transport(**settings)
    if max_bytes is not None:
        transport.policy = transport.policy.with_overrides(max_bytes=min(max_bytes, transport.policy.max_bytes))
    try:
        try:
            prepared = transport.session.prepare_request(requests.Request("GET", url))
        except (requests.RequestException, ValueError) as exc:
            raise FetchError(url, "?", "unreachable", f"invalid URL ({exc}): {url}") from exc
        raw, body = transport.fetch(prepared, transport.host(config.host_key(prepared.url or url)), None)
        return Response(url=raw.url or url, status=raw.status_code, content=body, headers=_Headers(raw.headers),
                        from_cache=False, stale=False)
    finally:
        transport.close()


class Fetcher:
    """One per run: a Transport and a ResponseCache. Thread-safe: sources may call `get` from several threads."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        offline: bool = False,
        refresh: bool = False,
        expire_after_days: float = 30.0,
        on_request: Callable[[str, str, bool], None] | None = None,
        lazy_cache: bool = False,
        **transport: Any,
    ) -> None:
        """`transport`: the network settings, passed to `Transport` as they are: mailto, intervals, and any
        field of `policy.Policy` (connect_timeout, read_timeout, deadline, max_bytes, max_attempts,
        max_total_wait, backoff_base, breaker_threshold, host_budget, run_budget) over the environment's."""
        self.offline = offline
        self.refresh = refresh
        self.on_request = on_request
        self.transport = Transport(**transport)
        self.cache = ResponseCache(cache_dir, expire_after_days=expire_after_days, events=self.transport.events,
                                   lazy=lazy_cache)
        self._lock = self.transport._lock
        self._refreshed: set[str] = set()  # cache keys re-fetched in this run (refresh=True)

    # what callers read of the run: the transport's counters and notes, the cache's location
    @property
    def stats(self) -> dict[str, HostStats]:
        return self.transport.stats

    @property
    def events(self) -> list[str]:
        return self.transport.events

    @property
    def session(self) -> requests.Session:
        return self.transport.session

    @property
    def cache_dir(self) -> Path | None:
        return self.cache.cache_dir

    @property
    def intervals(self) -> dict[str, float]:
        return self.transport.intervals

    @property
    def mailto(self) -> str | None:
        return self.transport.mailto

    # -- context management -------------------------------------------------------------------------

    def close(self) -> None:
        self.transport.close()
        self.cache.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public queries -----------------------------------------------------------------------------

    def unreachable(self) -> list[str]:
        return self.transport.unreachable()

    def request_log(self) -> list[tuple[str, str]]:
        return self.transport.request_log()

    # -- the entry points ---------------------------------------------------------------------------

    def get(
        self,
        url: str,
        params: dict | None = None,
        *,
        validate: Callable[[bytes], None] | None = None,
        cache_missing: bool = False,
        headers: dict[str, str] | None = None,
        json_body: object = None,
    ) -> Response:
        """A good answer, or FetchError. `cache_missing=True`: a 404/410 is a definitive "no such record"
        for this URL, so it is stored like an answer (and raised again from the cache) instead of being
        asked again on every run. `json_body`: a POST of that JSON (a batch API, Semantic Scholar's), cached
        under its body like a GET under its URL; `headers` (an API key) are sent but never part of the key."""
        try:
            method = "GET" if json_body is None else "POST"
            prepared = self.session.prepare_request(requests.Request(method, url, params=params, json=json_body,
                                                                     headers=headers or {}))
        except (requests.RequestException, ValueError) as exc:  # MissingSchema, InvalidURL, bad params
            hk = config.host_key(url) if "://" in url else "?"
            raise FetchError(url, hk, "unreachable", f"invalid URL ({exc}): {url}") from exc
        full_url = prepared.url or url
        hk = config.host_key(full_url)
        host = self.transport.host(hk)
        from_cache = False
        try:
            result = self._get(prepared, host, validate, cache_missing)
            from_cache = result.from_cache
            return result
        except FetchError:
            with self._lock:
                self.transport.stat(hk).failures += 1
            raise
        finally:
            self._notify(hk, full_url, from_cache)

    def get_batch(self, url: str, items: Sequence[str], *, batch_params: Callable[[list[str]], dict],
                  item_params: Callable[[str], dict], split: Callable[[bytes, list[str]], dict[str, bytes]],
                  content_type: str, batch_size: int, validate: Callable[[bytes], None] | None = None,
                  batch_body: Callable[[list[str]], object] | None = None, headers: dict[str, str] | None = None
                  ) -> tuple[dict[str, bytes], dict[str, BaseException]]:
        """Answers for many items of a batch API, each as its own single-item answer.

        `batch_body`: the batch is a POST of that JSON (Semantic Scholar's); each item's answer is still
        stored under its own `item_params` request, so any later selection finds it.

        An item answered before (by any batch) comes from its cached single-item answer; the others are
        asked in batches of `batch_size`, and each validated batch answer is `split` into single-item
        answers that are stored, so a later run with a different selection (one section instead of the
        whole list) is still answered from the cache. A failed batch is reported per item."""
        answers: dict[str, bytes] = {}
        errors: dict[str, BaseException] = {}
        todo: list[str] = []
        for item in dict.fromkeys(items):
            hit = self._cached(url, item_params(item))
            if hit is None:
                todo.append(item)
            else:
                answers[item] = hit.content
        for i in range(0, len(todo), max(1, batch_size)):
            batch = todo[i : i + max(1, batch_size)]
            try:
                body = batch_body(batch) if batch_body is not None else None
                content = self.get(url, batch_params(batch), validate=validate, json_body=body, headers=headers).content
                singles = split(content, batch)
            except Exception as exc:  # FetchError, or a batch answer that cannot be split
                for item in batch:
                    errors[item] = exc
                continue
            for item in batch:
                body = singles.get(item)
                if body is not None:
                    self._store(url, item_params(item), body, content_type)
                    answers[item] = body
        return answers, errors

    # -- internals ----------------------------------------------------------------------------------

    def _cached(self, url: str, params: dict | None = None) -> Response | None:
        """The cached good answer for this request without touching the network, or None.
        Expired answers count as absent unless offline; --refresh bypasses it."""
        if self.refresh and not self.offline:
            return None
        prepared = self.session.prepare_request(requests.Request("GET", url, params=params))
        hit = self.cache.read(self.cache.key(prepared))
        if hit is None or hit.status_code in _MISSING or (hit.is_expired and not self.offline):
            return None
        host = self.transport.host(config.host_key(prepared.url or url))
        result = self._from_cached(hit, host, stale=hit.is_expired, why="offline mode")
        self._notify(host.key, prepared.url or url, True)
        return result

    def _store(self, url: str, params: dict | None, content: bytes, content_type: str) -> None:
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
        self.cache.write(self.cache.key(prepared), resp)

    def _get(
        self, prepared: requests.PreparedRequest, host: _Host, validate: Callable[[bytes], None] | None, cache_missing: bool = False
    ) -> Response:
        key = self.cache.key(prepared)
        cached = self.cache.read(key)
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
            raw, body = self.transport.fetch(prepared, host, validate)
        except FetchError as err:
            gone = getattr(err, "_response", None) if cache_missing else None
            if gone is not None and (cached is None or cached.status_code in _MISSING):
                self.cache.write(key, gone)
                with self._lock:
                    self._refreshed.add(key)
                raise
            if cached is not None:
                return self._from_cached(cached, host, stale=True, why=f"re-fetch failed: {err}")
            raise

        self.cache.write(key, raw)
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
        stats = self.transport.stat(host.key)
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

    def _notify(self, hk: str, url: str, from_cache: bool) -> None:
        if self.on_request is None:
            return
        try:
            self.on_request(hk, url, from_cache)
        except Exception:  # a broken progress bar must not break a resolve
            log.exception("on_request hook failed")

