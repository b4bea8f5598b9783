"""The response cache: answers stored on disk (requests-cache's SQLite backend, WAL, busy timeout) or in
memory, keyed by request. Never fatal: a broken database is moved aside and replaced, a locked one
waited for. Only the fetch layer uses it; sources never see it.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import requests

if TYPE_CHECKING:  # requests-cache is imported when a cache is first opened: a run served by the lock never is
    from requests_cache import BaseCache, CachedResponse, SQLiteCache

from .. import config
from .types import CacheInfo

log = logging.getLogger(__name__)

CACHE_FILE = "http_cache.sqlite"
_BUSY_TIMEOUT_MS = 30_000
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
    from requests_cache import SQLiteCache

    backend = SQLiteCache(db, wal=True, busy_timeout=_BUSY_TIMEOUT_MS)
    with backend.responses.connection() as con:
        row = con.execute("PRAGMA quick_check").fetchone()
        if not row or row[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {row[0] if row else 'no answer'}")
        con.execute(f"SELECT COUNT(*) FROM {backend.responses.table_name}").fetchone()
    return backend


_OPEN_ATTEMPTS = 10


def _busy(exc: BaseException) -> bool:
    """Another atpbib holds the database for a moment: wait, never move it aside, never give it up."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


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
            if not _busy(exc) or attempt == _OPEN_ATTEMPTS:
                raise  # cannot be opened at all (a directory, no permission, read-only): no use waiting
            log.debug("cache busy (%s), retrying", exc)
            time.sleep(0.2 * attempt)
        except _CACHE_ERRORS as exc:
            target = _move_aside(db)
            msg = f"cache {db} was unreadable ({exc}); moved it to {target.name} and started an empty one"
            log.info(msg)
            if notes is not None:
                notes.append(msg)
            return _sqlite_backend(db)
    raise AssertionError("unreachable")  # pragma: no cover


def _expires(days: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=max(0.0, days))


class ResponseCache:
    """Stored answers for one run (thread-safe)."""

    def __init__(self, cache_dir: Path | None, *, expire_after_days: float = 30.0, events: list[str] | None = None,
                 lazy: bool = False) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.expire_after_days = expire_after_days
        self.events = events if events is not None else []
        self._cache_lock = threading.RLock()  # the SQLite connection is shared between threads
        self._on_disk = True  # False once this run has given the disk cache up
        self._backend: BaseCache | None = None  # lazy: opened on first use, so a run served by the lock never opens it
        if not lazy:
            self._cache  # noqa: B018  (open now: a broken cache is reported at once)

    @property
    def _cache(self) -> BaseCache:
        with self._cache_lock:
            if self._backend is None:
                # in-memory dict private to this run, or the disk cache
                from requests_cache import BaseCache

                if self.cache_dir is None:
                    self._backend = BaseCache()
                else:
                    try:
                        self._backend = _open_sqlite(self.cache_dir, self.events)
                    except _CACHE_ERRORS as exc:
                        self._without_cache(exc)
                        self._on_disk = False
                        self._backend = BaseCache()
            return self._backend

    @_cache.setter
    def _cache(self, backend: BaseCache) -> None:
        self._backend = backend

    @property
    def opened(self) -> bool:
        return self._backend is not None

    def key(self, prepared: requests.PreparedRequest) -> str:
        return self._cache.create_key(prepared)

    def read(self, key: str) -> CachedResponse | None:
        return self._cache_read(key)

    def write(self, key: str, resp: requests.Response) -> None:
        self._cache_write(key, resp)

    def close(self) -> None:
        with self._cache_lock:
            if self._backend is None:
                return
            try:
                self._cache.close()
            except _CACHE_ERRORS as exc:
                log.debug("closing cache: %s", exc)

    def _cache_read(self, key: str) -> CachedResponse | None:
        with self._cache_lock:
            try:
                value = self._cache.responses.get(key)
                from requests_cache import CachedResponse

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
                before = self._backend
                self._cache_broken(exc)
                if self._backend is not before:  # replaced (a fresh DB, or memory): this answer goes there,
                    try:  # under the new backend's own key for it
                        again = self._cache.create_key(resp.request) if resp.request is not None else key
                        self._cache.save_response(resp, cache_key=again, expires=_expires(self.expire_after_days))
                    except _CACHE_ERRORS as exc2:
                        log.debug("cache write: %s", exc2)

    def _without_cache(self, exc: BaseException) -> None:
        """Say once that this run has no disk cache (it keeps its answers in memory until it ends)."""
        where = _cache_path(self.cache_dir) if self.cache_dir is not None else "memory"
        note = f"cache {where} unusable ({_reason(exc)}); this run goes on without a disk cache"
        self.events.append(note)
        log.info(note)

    def _cache_broken(self, exc: BaseException) -> None:
        """The DB went bad mid-run: move it aside once and continue with a fresh one (or memory). A DB that
        cannot be written (read-only, its folder gone) is left as it is and this run goes on in memory."""
        log.debug("cache error: %s", exc)
        if self.cache_dir is None or not self._on_disk or not isinstance(exc, sqlite3.DatabaseError):
            return
        if isinstance(exc, sqlite3.OperationalError):
            if not _busy(exc):
                self._drop_to_memory(exc)
            return
        try:
            self._cache.close()
        except _CACHE_ERRORS:
            pass
        try:
            self._cache = _open_sqlite(self.cache_dir, self.events)
        except _CACHE_ERRORS as exc2:
            self._drop_to_memory(exc2)

    def _drop_to_memory(self, exc: BaseException) -> None:
        from requests_cache import BaseCache

        try:
            self._cache.close()
        except _CACHE_ERRORS:
            pass
        self._without_cache(exc)
        self._cache = BaseCache()
        self._on_disk = False  # nothing more is tried on disk in this run


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


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
