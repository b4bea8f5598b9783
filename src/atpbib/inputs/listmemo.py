"""A parsed list, remembered: the same list text parsed by the same parser code is read back from a small
JSON file instead of being parsed again (the Markdown parser is the slowest step of a run the lock serves).

Keyed by the SHA-256 of the text, the list's name and the parser's own source files (size and mtime), so
an edited list or an upgraded atpbib parses afresh. Plain JSON, never pickle: a file in a cache folder is
data, not code. Any problem reading or writing it just means parsing again.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

FORMAT = 3  # 3: warnings are ListWarning(line, kind, text)
_FOLDER: ContextVar[Path | None] = ContextVar("atpbib_listmemo_folder", default=None)


@contextmanager
def kept_in(cache_dir: str | os.PathLike[str] | None) -> Iterator[None]:
    """Remember parses under `cache_dir` (a command's --cache-dir) while inside; None: the default folder."""
    token = _FOLDER.set(Path(cache_dir) if cache_dir else None)
    try:
        yield
    finally:
        _FOLDER.reset(token)


def _fingerprint() -> str:
    from ..codestamp import stamp

    return stamp(("listparse",), ("ids.py", "model.py", "names.py", "inputs/listmemo.py"))


def _path(text: str, source_name: str) -> Path | None:
    from .. import config

    folder = str(_FOLDER.get() or os.environ.get("ATPBIB_CACHE_DIR") or config.default_cache_dir())
    if not folder:
        return None
    digest = hashlib.sha256("\0".join((str(FORMAT), _fingerprint(), source_name, text)).encode("utf-8")).hexdigest()
    return Path(folder) / "lists" / f"{digest[:32]}.json"


def _to_json(parsed: Any) -> dict:
    from ..model import to_jsonable

    return {"format": FORMAT, "entries": to_jsonable(parsed.entries), "headings": to_jsonable(parsed.headings),
            "warnings": to_jsonable(parsed.warnings)}


def _from_json(data: dict, text: str, source_name: str) -> Any:
    from ..listparse import Heading, ListWarning, ParsedList
    from ..model import Entry, Ids, Link

    entries = tuple(Entry(**{**e, "section": tuple(e["section"]), "ids": Ids(**e["ids"]),
                             "links": tuple(Link(**lk) for lk in e["links"]), "warnings": tuple(ListWarning(**w) for w in e["warnings"]),
                             "authors": tuple(e.get("authors", ()))})
                    for e in data["entries"])
    headings = tuple(Heading(path=tuple(h["path"]), level=h["level"], line=h["line"]) for h in data["headings"])
    warnings = tuple(ListWarning(**w) for w in data["warnings"])
    return ParsedList(entries, headings, warnings, source_name, text)


def parse(text: str, source_name: str) -> Any:
    """listparse.parse_list(text, source_name), remembered on disk."""
    path = _path(text, source_name)
    if path is not None and path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") == FORMAT:
                return _from_json(data, text, source_name)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    from ..listparse import parse_list

    parsed = parse_list(text, source_name)
    if path is not None:
        try:
            from ..atomic import atomic_write

            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, json.dumps(_to_json(parsed), ensure_ascii=False))
        except OSError:
            pass  # a read-only folder: parse again next time
    return parsed
