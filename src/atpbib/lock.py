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
from collections.abc import Iterable, Sequence
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
    return Record(key=lasting_key(entry.ids, entry.title), title=entry.title, ids=entry.ids, line=entry.line,
                  section=entry.section_path, locked=when, sources={s: when for s in work.sources if s != "list"},
                  work=data, pages=list(pages))


# -- reading ------------------------------------------------------------------------------------------------

def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


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
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        raise LockError(f"{path}:1: not an atpbib lock (no \"format\": \"{LOCK_FORMAT}\")")
    if data.get("version") != LOCK_VERSION:
        line = _line_of(text, '"version"')
        raise LockError(f"{path}:{line}: lock format version {data.get('version')!r} is not supported "
                        f"(this atpbib reads version {LOCK_VERSION}); re-create it with `atpbib lock`")
    works = data.get("works")
    if not isinstance(works, list):
        line = _line_of(text, '"works"')
        raise LockError(f"{path}:{line}: 'works' must be a list")
    records = []
    for i, raw in enumerate(works):
        where = _line_of(text, json.dumps(raw.get("key"), ensure_ascii=False)) if isinstance(raw, dict) else 1
        try:
            records.append(_record(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise LockError(f"{path}:{where}: record {i + 1} is broken ({type(exc).__name__}: {exc})") from None
    return Lock(path=Path(path), list_name=str(data.get("list") or ""), written=str(data.get("written") or ""),
                records=records, note=str(data.get("note") or ""))


def _record(raw: dict) -> Record:
    listed = raw["listed"]
    work = raw["work"]
    if not isinstance(work, dict) or not isinstance(work.get("title"), str):
        raise ValueError("its work has no title")
    work_from_dict(work)  # every field readable, or it is broken
    ids = Ids(**{k: v for k, v in (listed.get("ids") or {}).items() if k in Ids.__dataclass_fields__})
    return Record(key=str(raw["key"]), title=str(listed["title"]), ids=ids, line=listed.get("line"),
                  section=str(listed.get("section") or ""), locked=str(raw.get("locked") or ""),
                  sources=dict(raw.get("sources") or {}), work=work, manual=bool(raw.get("manual", False)),
                  pages=list(raw.get("pages") or []))


# -- writing ------------------------------------------------------------------------------------------------

def dumps(lock: Lock) -> str:
    records = sorted(lock.records, key=lambda r: (r.key, r.line or 0))
    data = {"format": LOCK_FORMAT, "version": LOCK_VERSION, "list": lock.list_name, "written": lock.written,
            "works": [r.as_json() for r in records]}
    if lock.note:
        data["note"] = lock.note
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


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
           "dumps", "locate", "plan", "read", "record_for", "today", "updated", "write"]
