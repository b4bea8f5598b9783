"""`atpbib.lock`: every resolution recorded once, reused by every command, reproducible and offline.

A lock is plain, sorted, diff-friendly JSON (format version 1):

    {"format": "atpbib-lock", "version": 1, "list": "ATPapers.md", "written": "2026-12-01",
     "note": "…", "works": [ {"key": "acl:2020.findings-emnlp.372",
        "listed": {"title": …, "ids": {…}, "line": 121, "section": "…"},
        "locked": "2026-12-01", "sources": {"acl": "2026-12-01", …}, "manual": false,
        "pages": ["https://…", …], "work": {every field of the work, provenance per field, match evidence}} ]}

Each record is keyed by what survives edits elsewhere in the list (identity.lasting_key: the entry's best
identifier, else its normalised title), and an entry finds its record by that key, by any identifier it
shares, or by its title (the one identity rule). A record whose provenance names `manual` (or with
`"manual": true`) was edited by hand: `lock --update` never overwrites it. `pages` lists public pages a
record's facts were taken from when no service answered (the bundled lock's reports).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .identity import IdentityIndex, lasting_key, same_as_listed
from .model import Ids, Work, work_from_dict, work_to_dict

LOCK_FORMAT = "atpbib-lock"
LOCK_VERSION = 1
LOCK_NAME = "atpbib.lock"
BUNDLED_LOCK = Path(__file__).resolve().parent / "data" / LOCK_NAME
_OFF = ("off", "0", "no", "false")


class LockError(ValueError):
    """A lock that cannot be used: one line naming the file and the line."""


def disabled(no_lock: bool = False) -> bool:
    """--no-lock, or ATPBIB_LOCK=off: every lock, bundled or not, is ignored."""
    return no_lock or os.environ.get("ATPBIB_LOCK", "").strip().lower() in _OFF


def default_path(list_path: str | None) -> Path:
    """Where `atpbib lock` writes: beside the list; for a URL list or the bundled one, the current folder."""
    if list_path and not list_path.startswith(("http://", "https://")):
        return Path(list_path).resolve().parent / LOCK_NAME
    return Path.cwd() / LOCK_NAME


def locate(list_path: str | None, lock_path: Path | None) -> Path | None:
    """The lock to read: --lock PATH, else the one beside the list, else (bundled list only) the bundled lock."""
    if lock_path is not None:
        return lock_path
    beside = default_path(list_path)
    if beside.exists():
        return beside
    if not list_path and BUNDLED_LOCK.exists():
        return BUNDLED_LOCK
    return None


def today() -> str:
    return dt.date.today().isoformat()


@dataclass
class Record:
    key: str
    title: str
    ids: Ids
    line: int | None
    section: str
    locked: str
    sources: dict[str, str]
    work: dict[str, Any]
    manual: bool = False
    pages: list[str] = field(default_factory=list)

    @property
    def is_manual(self) -> bool:
        return self.manual or any(src == "manual" for _, src in self.work.get("provenance") or ())

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "listed": {"title": self.title, "ids": self.ids.known(), "line": self.line, "section": self.section},
            "locked": self.locked, "sources": dict(sorted(self.sources.items())), "manual": self.manual,
            "work": self.work,
        }
        if self.pages:
            out["pages"] = list(self.pages)
        return out


@dataclass
class Lock:
    path: Path | None
    list_name: str
    written: str
    records: list[Record] = field(default_factory=list)
    note: str = ""

    def find(self, entry: Any) -> Record | None:
        """The record of a list entry: by lasting key, a shared identifier, or the same title (through an
        identity index built once per lock, so a lookup never scans every record)."""
        by_key, index = self._index()
        hit = by_key.get(lasting_key(entry.ids, entry.title))
        if hit is not None:
            return hit
        return next((self.records[i] for i in index.candidates(entry.ids, entry.title)
                     if same_as_listed(entry.ids, entry.title, self.records[i].ids, self.records[i].title)), None)

    def _index(self) -> tuple[dict[str, Record], IdentityIndex]:
        cached = self.__dict__.get("_identity")
        if cached is None or cached[0] is not self.records or cached[1] != len(self.records):
            by_key: dict[str, Record] = {}
            index = IdentityIndex()
            for i, r in enumerate(self.records):
                by_key.setdefault(r.key, r)
                index.add(i, r.ids, r.title)
            cached = (self.records, len(self.records), by_key, index)
            self.__dict__["_identity"] = cached  # rebuilt when the records list is replaced or grows
        return cached[2], cached[3]

    def work_for(self, entry: Any) -> Work | None:
        record = self.find(entry)
        return None if record is None else work_from_dict(record.work, origins=(entry,))

    def orphans(self, entries: Iterable[Any]) -> list[Record]:
        """Records that no entry of the list finds (a lock written for another version of the list)."""
        found = {id(r) for e in entries if (r := self.find(e)) is not None}
        return [r for r in self.records if id(r) not in found]

    @property
    def date(self) -> str:
        return self.written


def record_for(entry: Any, work: Work, *, when: str | None = None, pages: Sequence[str] = ()) -> Record:
    when = when or today()
    data = work_to_dict(work)
    data["key"] = ""  # citation keys are decided over the whole list at each export
    data["discrepancies"] = []  # the list's business, computed again against the list as it is then
    # the order searches ended in is thread timing: sorted, the same resolution writes the same bytes
    for name in ("matches", "problems"):
        data[name] = sorted(data.get(name) or [], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return Record(key=lasting_key(entry.ids, entry.title), title=entry.title, ids=entry.ids, line=entry.line,
                  section=entry.section_path, locked=when, sources={s: when for s in work.sources if s != "list"},
                  work=data, pages=list(pages))


# -- reading ------------------------------------------------------------------------------------------------

class _Lines:
    """Line numbers of offsets in a lock's text: one pass over the text, then a binary search per question.

    Records are looked for in file order, each search starting where the last one ended, so reading a lock
    is linear in its size (finding each record's line from the top took 14.7 s of an 8.8 MB lock's 16 s)."""

    def __init__(self, text: str) -> None:
        import re

        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.after = 0

    def line_at(self, offset: int) -> int:
        import bisect

        return bisect.bisect_right(self.starts, offset)

    def find(self, needle: str) -> int:
        """The line of `needle`'s next occurrence (from the last one found; else from the top; else 1)."""
        at = self.text.find(needle, self.after)
        if at < 0:
            at = self.text.find(needle)
        if at < 0:
            return 1
        self.after = at + len(needle)
        return self.line_at(at)


def _quoted(name: str) -> str:
    return json.dumps(name)


def _line_of(text: str, needle: str) -> int:
    return _Lines(text).find(needle)


def _too_deep_line(text: str, limit: int = 200) -> int:
    """The line where brackets first nest deeper than `limit` (a value json cannot read without recursing)."""
    depth, in_string, escaped, line = 0, False, False, 1
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth -= 1
    return 1


def read(path: Path) -> Lock:
    """Read and check a lock; anything wrong is a LockError naming the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LockError(f"{path}:1: not UTF-8 text ({exc.reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise LockError(f"{path}:{_too_deep_line(text)}: not a lock: values nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        raise LockError(f"{path}:1: not an atpbib lock (no \"format\": \"{LOCK_FORMAT}\")")
    lines = _Lines(text)
    if data.get("version") != LOCK_VERSION:
        raise LockError(f"{path}:{lines.find(_quoted('version'))}: lock format version {data.get('version')!r} is not "
                        f"supported (this atpbib reads version {LOCK_VERSION}); re-create it with `atpbib lock`")
    works = data.get("works")
    if not isinstance(works, list):
        raise LockError(f"{path}:{lines.find(_quoted('works'))}: 'works' must be a list")
    for name in ("list", "written", "note"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            raise LockError(f"{path}:{_Lines(text).find(json.dumps(name))}: '{name}' must be text")
    lines.find('"works"')
    records = []
    for i, raw in enumerate(works):
        key = raw.get("key") if isinstance(raw, dict) else None
        where = lines.find(json.dumps(key, ensure_ascii=False)) if isinstance(key, str) else lines.find("{")
        try:
            records.append(_record(raw))
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
            raise LockError(f"{path}:{where}: record {i + 1} is broken ({reason})") from None
    return Lock(path=Path(path), list_name=str(data.get("list") or ""), written=str(data.get("written") or ""),
                records=records, note=str(data.get("note") or ""))


# The shape of a record, checked in this one place so that nothing downstream meets a value of the wrong type
# (an author {"family": 5} was an AttributeError at export; "manual": "no" read as true).
_TEXT, _TEXT_OR_NONE, _INT_OR_NONE, _NUMBER_OR_NONE = "text", "text or null", "a whole number or null", "a number or null"
_WORK_FIELDS = {
    **{name: _TEXT for name in ("title", "kind", "type", "status", "key")},
    **{name: _TEXT_OR_NONE for name in ("venue", "container_title", "pages", "volume", "number", "publisher",
                                        "address", "doi", "url", "abstract", "primary_class", "series", "isbn")},
    "year": _INT_OR_NONE, "month": _INT_OR_NONE,
}
_MATCH_FIELDS = {"source": _TEXT, "query": _TEXT, "candidate": _TEXT, "title_score": "a number",
                 "author_overlap": _NUMBER_OR_NONE, "year_delta": _INT_OR_NONE, "accepted": "true or false",
                 "reason": _TEXT, "token_score": _NUMBER_OR_NONE, "rung": _TEXT_OR_NONE}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_CHECKS = {_TEXT: lambda v: isinstance(v, str), _TEXT_OR_NONE: lambda v: v is None or isinstance(v, str),
           _INT_OR_NONE: lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)),
           _NUMBER_OR_NONE: lambda v: v is None or _is_number(v), "a number": _is_number,
           "true or false": lambda v: isinstance(v, bool)}


def _fits(value: Any, kind: str) -> bool:
    return _CHECKS[kind](value)


def _need(ok: bool, what: str, kind: str, value: Any) -> None:
    if not ok:
        shown = json.dumps(value, ensure_ascii=False)[:40] if not isinstance(value, (dict, list)) else type(value).__name__
        raise ValueError(f"{what} must be {kind}, not {shown}")


def _fields(data: Any, where: str, spec: dict[str, str], required: tuple[str, ...] = ()) -> None:
    _need(isinstance(data, dict), where, "an object", data)
    for name in required:
        if name not in data:
            raise ValueError(f"{where} has no {name!r}")
    for name, kind in spec.items():
        if name in data:
            _need(_fits(data[name], kind), f"{where}.{name}", kind, data[name])


def _list_of(data: Any, where: str, check) -> None:
    if data is None:
        return
    _need(isinstance(data, list), where, "a list", data)
    for i, item in enumerate(data):
        check(item, f"{where}[{i}]")


def _text_map(data: Any, where: str) -> None:
    if data is None:
        return
    _need(isinstance(data, dict), where, "an object", data)
    for k, v in data.items():
        _need(_fits(v, _TEXT_OR_NONE), f"{where}.{k}", _TEXT_OR_NONE, v)


def check_shape(raw: Any) -> None:
    """Every value of a lock record has the type atpbib writes (ValueError naming the first one that has not)."""
    _fields(raw, "record", {"key": _TEXT, "locked": _TEXT_OR_NONE, "manual": "true or false"}, ("key", "listed", "work"))
    _fields(raw["listed"], "listed", {"title": _TEXT, "line": _INT_OR_NONE, "section": _TEXT_OR_NONE}, ("title",))
    _text_map(raw["listed"].get("ids"), "listed.ids")
    _text_map(raw.get("sources"), "sources")
    _list_of(raw.get("pages"), "pages", lambda v, w: _need(isinstance(v, str), w, _TEXT, v))
    work = raw["work"]
    _fields(work, "work", _WORK_FIELDS, ("title",))
    person = lambda p, w: _fields(p, w, {"family": _TEXT, "given": _TEXT})
    _list_of(work.get("authors"), "work.authors", person)
    _list_of(work.get("editors"), "work.editors", person)
    _text_map(work.get("ids"), "work.ids")
    _list_of(work.get("sources"), "work.sources", lambda v, w: _need(isinstance(v, str), w, _TEXT, v))
    _list_of(work.get("provenance"), "work.provenance", lambda v, w: _need(
        isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v), w, "a [field, source] pair", v))
    _list_of(work.get("matches"), "work.matches", lambda m, w: _fields(
        m, w, _MATCH_FIELDS, ("source", "query", "candidate", "title_score", "author_overlap", "year_delta", "accepted")))
    _list_of(work.get("discrepancies"), "work.discrepancies", lambda d, w: _fields(
        d, w, dict.fromkeys(("field", "listed", "resolved", "source"), _TEXT), ("field", "listed", "resolved", "source")))
    _list_of(work.get("problems"), "work.problems", lambda p, w: _need(isinstance(p, str), w, _TEXT, p) if not isinstance(
        p, dict) else _fields(p, w, {"text": _TEXT, "source": _TEXT_OR_NONE, "kind": _TEXT}, ("text",)))


def _record(raw: dict) -> Record:
    check_shape(raw)
    listed = raw["listed"]
    work = raw["work"]
    work_from_dict(work)  # every field readable, or it is broken
    ids = Ids(**{k: v for k, v in (listed.get("ids") or {}).items() if k in Ids.__dataclass_fields__})
    return Record(key=raw["key"], title=listed["title"], ids=ids, line=listed.get("line"),
                  section=listed.get("section") or "", locked=raw.get("locked") or "",
                  sources=dict(raw.get("sources") or {}), work=work, manual=raw.get("manual", False),
                  pages=list(raw.get("pages") or []))


# -- writing ------------------------------------------------------------------------------------------------

def dumps(lock: Lock) -> str:
    records = sorted(lock.records, key=lambda r: (r.key, r.line or 0))
    data = {"format": LOCK_FORMAT, "version": LOCK_VERSION, "list": lock.list_name, "written": lock.written,
            "works": [r.as_json() for r in records]}
    if lock.note:
        data["note"] = lock.note
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@contextmanager
def held(path: Path) -> Iterator[None]:
    """One `atpbib lock` run at a time per lock file: two at once kept only one run's works.

    An exclusive flock on a small companion file (the lock itself is replaced on write, so a lock on it
    would guard a file that no longer exists); where flock is missing, no guard."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    guard = Path(path).with_name(f".{Path(path).name}.flock")
    fd = os.open(guard, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write(lock: Lock, path: Path) -> None:
    from .atomic import atomic_write

    atomic_write(Path(path), dumps(lock))


# -- what changed ---------------------------------------------------------------------------------------------

CHANGE_FIELDS = ("title", "authors", "year", "venue", "type", "container_title", "pages", "doi", "ids", "status")


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per field that differs between two locked works ("venue: arXiv → ICLR 2020")."""
    out = []
    for name in CHANGE_FIELDS:
        a, b = old.get(name), new.get(name)
        if name == "authors":
            a = ", ".join(p.get("family", "") for p in a or [])
            b = ", ".join(p.get("family", "") for p in b or [])
        elif name == "ids":
            a = " ".join(f"{k}:{v}" for k, v in sorted((a or {}).items()) if v)
            b = " ".join(f"{k}:{v}" for k, v in sorted((b or {}).items()) if v)
        if a != b:
            out.append(f"{name}: {a or '—'} → {b or '—'}")
    return out


# -- `atpbib lock`: what to resolve, and the lock that results ----------------------------------------------

def plan(old: Lock | None, selected: Sequence[Any], *, update: bool = False,
         older_than_days: float | None = None) -> tuple[list[Any], list[Any]]:
    """(entries to resolve now, entries whose hand-edited records are kept): new entries always; locked
    ones only with `update`, and then only those locked more than `older_than_days` ago."""
    cutoff = (dt.date.today() - dt.timedelta(days=older_than_days)).isoformat() if older_than_days is not None else None
    todo, kept_manual = [], []
    for e in selected:
        record = old.find(e) if old else None
        if record is None:
            todo.append(e)
        elif not update or (cutoff is not None and record.locked > cutoff):
            continue
        elif record.is_manual:
            kept_manual.append(e)
        else:
            todo.append(e)
    return todo, kept_manual


@dataclass
class Outcome:
    """The lock `atpbib lock` writes, and what it says about each change."""

    lock: Lock
    lines: list[str] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0  # a source failed run-wide: the entry keeps its old record (or none)
    kept: int = 0
    orphans: int = 0

    def summary(self) -> str:
        return (f"lock: wrote {self.lock.path}: {len(self.lock.records)} work(s); {self.added} added, {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.kept} kept by hand, {self.failed} not locked (a source failed), "
                f"{self.orphans} orphan(s) removed")


def updated(old: Lock | None, path: Path, list_name: str, papers: Sequence[Any], works: Iterable[Work],
            kept_manual: Sequence[Any] = ()) -> Outcome:
    """The new lock: the old records minus orphans of the list, with the freshly resolved works in."""
    records = {id(r): r for r in (old.records if old else [])}
    orphans = old.orphans(papers) if old else []
    for r in orphans:
        records.pop(id(r), None)
    out = Outcome(lock=Lock(path=path, list_name=list_name, written=today(), note=old.note if old else ""),
                  kept=len(kept_manual), orphans=len(orphans))
    for work in works:
        stuck = [p for p in work.problems if getattr(p, "run_wide", False)]
        for e in work.origins:
            before = old.find(e) if old else None
            if stuck:
                out.failed += 1
                out.lines.append(f"line {e.line}: not locked ({stuck[0]}): {e.title}")
                continue
            new = record_for(e, work)
            if before is not None:
                records.pop(id(before), None)
            records[id(new)] = new
            if before is None:
                out.added += 1
                out.lines.append(f"line {e.line}: added: {work.title} [{work.venue or work.type}]")
            elif diff := changes(before.work, new.work):
                out.changed += 1
                out.lines += [f"line {e.line}: changed: {work.title}"] + [f"    {d}" for d in diff]
            else:
                out.unchanged += 1
    out.lines += [f"line {e.line}: kept (edited by hand): {e.title}" for e in kept_manual]
    out.lock.records = list(records.values())
    return out


__all__ = ["BUNDLED_LOCK", "LOCK_NAME", "Lock", "LockError", "Outcome", "Record", "changes", "default_path", "disabled",
           "dumps", "held", "locate", "plan", "read", "record_for", "today", "updated", "write"]
