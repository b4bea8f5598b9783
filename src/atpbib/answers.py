"""Parsed answers, remembered: a warm run reads the records a source's answers were parsed into, instead
of opening the HTTP cache, rebuilding every request and parsing every cached body again (ISSUE 20).

One small JSON file per state of the HTTP cache: keyed by its answers' count, last row id and expiry
times, the parsers' own source files (size and mtime) and FORMAT, so any new answer in the cache, a
cleared cache or an upgraded atpbib means parsing again. It holds only what a request answered (never an
error), and is not used once the earliest answer in the HTTP cache has expired (that answer is asked
again, as without it). Plain JSON, never pickle (a file in a cache folder is data, not code); any
problem reading or writing it just means asking the fetcher.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

FORMAT = 2


def _fingerprint() -> str:
    from .codestamp import stamp

    return stamp(("sources",), ("model.py", "names.py", "ids.py", "venues.py", "answers.py"))


def _record(data: dict) -> Any:
    from .model import Ids, Match, Person, Record

    kw = dict(data)
    kw["ids"] = Ids(**kw.get("ids") or {})
    kw["authors"] = tuple(Person(**p) for p in kw.get("authors") or ())
    kw["editors"] = tuple(Person(**p) for p in kw.get("editors") or ())
    kw["match"] = Match(**kw["match"]) if kw.get("match") else None
    return Record(**kw)


def _encode(value: Any) -> Any:
    from .model import to_jsonable

    if value is None:
        return {"none": True}
    if isinstance(value, dict):
        return {"map": {k: to_jsonable(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"list": [to_jsonable(v) for v in value]}
    return {"one": to_jsonable(value)}


def _decode(data: dict) -> Any:
    if "none" in data:
        return None
    if "map" in data:
        return {k: _record(v) for k, v in data["map"].items()}
    if "list" in data:
        return [_record(v) for v in data["list"]]
    return _record(data["one"])


class Answers:
    """The remembered answers of one cache folder (`get`/`put` by the resolver's request key)."""

    def __init__(self, path: Path | None, known: dict[str, Any] | None = None) -> None:
        self.path = path
        self.known: dict[str, Any] = known or {}
        self.new = 0
        self.lock = threading.Lock()

    @staticmethod
    def key(parts: tuple) -> str:
        return "\0".join(str(p) for p in parts)

    def get(self, parts: tuple) -> tuple[bool, Any]:
        data = self.known.get(self.key(parts))
        if data is None:
            return False, None
        try:
            return True, _decode(data)
        except (TypeError, KeyError, ValueError):
            return False, None

    def put(self, parts: tuple, value: Any) -> None:
        try:
            data = _encode(value)
        except (TypeError, ValueError):
            return
        with self.lock:
            key = self.key(parts)
            if key not in self.known:
                self.known[key] = data
                self.new += 1

    def save(self) -> None:
        """Written after the run, under the HTTP cache's state as the run left it."""
        if not self.new or self.path is None:
            return
        target = _path(self.path.parent.parent)
        if target is None:
            return
        try:
            from .atomic import atomic_write

            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # another resolve of this run (the unselected entries' keys) wrote first
                try:
                    data = json.loads(target.read_text(encoding="utf-8"))
                    if data.get("format") == FORMAT:
                        self.known = {**data.get("answers", {}), **self.known}
                except (OSError, ValueError):
                    pass
            for old in target.parent.glob("*.json"):
                if old != target:
                    old.unlink(missing_ok=True)
            atomic_write(target, json.dumps({"format": FORMAT, "written": time.time(), "answers": self.known},
                                            ensure_ascii=False))
        except OSError:
            pass


CACHE_FILE = "http_cache.sqlite"  # fetch.cache.CACHE_FILE (not imported: a remembered run loads no network stack)


def cache_state(cache_dir: Path) -> tuple[str, float | None] | None:
    """What changes whenever an answer is added to, replaced in or cleared from the HTTP cache (its rows'
    count, last rowid and expiry times), and when its earliest answer expires; read with the stdlib's
    sqlite3 (requests-cache's `responses` table); None when there is no cache file."""
    import sqlite3

    db = cache_dir / CACHE_FILE
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(str(db), timeout=1.0)  # read only; a plain connection leaves no -wal/-shm behind
        try:
            count, last, first_expiry, last_expiry = con.execute(
                "SELECT COUNT(*), MAX(rowid), MIN(expires), MAX(expires) FROM responses").fetchone()
        finally:
            con.close()
        return f"{count}:{last}:{first_expiry}:{last_expiry}", first_expiry
    except sqlite3.Error:
        return None


def _path(cache_dir: Path) -> Path | None:
    state = cache_state(cache_dir)
    if state is None or (state[1] is not None and time.time() >= float(state[1])):
        return None  # no cache yet, or an answer in it has expired: ask (and remember again afterwards)
    digest = hashlib.sha256("\0".join((str(FORMAT), _fingerprint(), state[0])).encode()).hexdigest()
    return cache_dir / "parsed" / f"{digest[:32]}.json"


def open_for(cache_dir: str | Path | None, *, refresh: bool = False, lifetime_days: float = 30.0) -> Answers | None:
    """The remembered answers for this state of the HTTP cache in `cache_dir` (empty when there are none
    yet); None when there is no cache folder, a refresh asks every service again, or cached answers expire
    at once (ATPBIB_CACHE_DAYS=0)."""
    if not cache_dir or refresh or lifetime_days <= 0:
        return None
    path = _path(Path(cache_dir))
    if path is None:
        return Answers(Path(cache_dir) / "parsed" / "pending.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Answers(path, data["answers"] if data.get("format") == FORMAT else None)
    except (OSError, ValueError, KeyError, TypeError):
        return Answers(path)
