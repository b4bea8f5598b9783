"""`atpbib upgrade`: an existing .bib brought to the published versions, on verified evidence only.

The .bib input (inputs/bibfile.py) turns entries into Queries; the resolve stage runs as for a list, chunk
by chunk (a long run keeps its progress in a state file and writes what it has when stopped); here each
entry's work decides what happens to it:

- upgraded: the entry was a preprint (or had no venue) and a published version was verified (an id it
  carries, or a search hit whose title, authors and year agree): the entry becomes that version — type,
  venue, pages, DOI, ids — keeping the user's key, the preprint's identifiers (eprint/archivePrefix as the
  export writes them), the user's case-protected title and every field the sources do not know; stale
  preprint fields (`version`, an arXiv note, an arXiv url beside a DOI) are dropped unless kept;
- kept: already a published version (not looked up when it carries an id of its own: a second run settles),
  or no published version exists (it stays a preprint);
- mismatch: a published entry the sources place elsewhere (another venue or year; looked up when it carries
  no id, or under --verify): reported, corrected only under --fix-published;
- uncertain: a candidate came close but was not verified: reported with its scores, never written;
- unknown: no source knows it; pending: the run was stopped before it (the next run resumes there).

Every entry that is not upgraded, and every other block (@string, @comment, @preamble, text between
entries, blocks that cannot be parsed), stays byte for byte as it was, byte-order mark and line ends too.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .inputs.bibfile import BibEntry, BibFile
from .model import Ids, Work

# Fields that describe the version an entry cites: an upgrade replaces them all.
VERSION_FIELDS = frozenset((
    "title", "author", "editor", "journal", "journaltitle", "booktitle", "volume", "number", "issue", "pages",
    "publisher", "address", "location", "organization", "institution", "school", "series", "isbn", "issn", "year",
    "month", "date", "doi", "url", "eprint", "archiveprefix", "primaryclass", "eprinttype", "eprintclass",
    "howpublished", "type", "biburl", "bibsource", "timestamp", "key",
))
EPRINT_FIELDS = ("eprint", "archiveprefix", "primaryclass", "eprinttype", "eprintclass")
NOT_GENERATED = ("abstract", "keywords", "note")  # the user's own, if present; never added
STALE_FIELDS = ("version",)  # the preprint's own: wrong on the published version (kept under --keep-fields)
_ARXIV_NOTE = re.compile(r"(?i)^\s*(?:number:\s*)?arxiv:\s*\S+(?:\s*\[[^\]]*\])?\s*$")
_ARXIV_URL = re.compile(r"(?i)^\{?\s*https?://(?:www\.|export\.)?arxiv\.org/")
CLOSE_TITLE = 80.0  # a rejected candidate at least this close is reported as "possible", never applied
CLOSE_WORDS = 70.0
CHUNK = 200  # entries resolved at once: progress is saved after each chunk, memory stays bounded
STATUSES = ("upgraded", "kept", "mismatch", "uncertain", "unknown", "pending")


@dataclass
class Outcome:
    key: str
    line: int
    status: str  # one of STATUSES
    reason: str
    before: str = ""
    after: str = ""
    evidence: list[str] = field(default_factory=list)
    new_text: str | None = None

    def as_dict(self) -> dict:
        return {"key": self.key, "line": self.line, "status": self.status, "reason": self.reason,
                "from": self.before, "to": self.after, "evidence": list(self.evidence)}

    def as_state(self) -> dict:
        return {**self.as_dict(), "new_text": self.new_text}

    @classmethod
    def from_state(cls, d: dict, line: int) -> "Outcome":
        return cls(d["key"], line, d["status"], d["reason"], d.get("from", ""), d.get("to", ""),
                   list(d.get("evidence") or []), d.get("new_text"))


def _described(e: BibEntry) -> str:
    venue = e.get("journal") or e.get("booktitle") or e.get("journaltitle") or e.get("howpublished") or e.entry_type
    return f"@{e.entry_type} {venue} {e.get('year')}".strip()


def _is_published(w: Work) -> bool:
    """A venue version made of source records (merge only uses verified ones), not the input's own data."""
    return bool(w.sources) and "list" not in w.sources and (w.type or "misc") != "misc" and w.venue != "arXiv"


def names_its_version(ids: Ids) -> bool:
    """Does an entry carry an id of the version it cites (a DOI that is not arXiv's, an Anthology, OpenReview,
    PMLR, NeurIPS or non-CoRR DBLP id)? Then a published entry needs no look-up unless asked to verify."""
    return bool((ids.doi and not ids.doi.startswith("10.48550/")) or ids.acl or ids.openreview or ids.pmlr
                or ids.neurips or (ids.dblp and not ids.dblp.startswith("journals/corr/")))


def needs_lookup(e: BibEntry, ids: Ids, *, verify: bool = False, only_preprints: bool = False) -> bool:
    """A preprint always; a published entry when it names no id of its own (it may be wrong) unless only
    preprints are to be touched, or on request (--verify)."""
    if not e.title:
        return False
    if verify or not e.is_published:
        return True
    return not only_preprints and not names_its_version(ids)


def _evidence(w: Work, e: BibEntry) -> list[str]:
    out = []
    ids = w.ids.known()
    if ids:
        out.append("ids: " + ", ".join(f"{k}:{v}" for k, v in sorted(ids.items()) if k != "github"))
    for m in w.matches:
        if m.accepted:
            out.append(f"{m.source} '{m.candidate}' ({m.reason})")
    out.append("sources: " + ", ".join(w.sources))
    return out


def _close_rejections(w: Work) -> list[str]:
    out = []
    for m in w.matches:
        if not m.accepted and (m.title_score >= CLOSE_TITLE or (m.token_score or 0) >= CLOSE_WORDS):
            out.append(f"{m.source} '{m.candidate}' ({m.reason})")
    return out


def published_differences(e: BibEntry, w: Work) -> list[str]:
    """Where a published entry and the verified published version disagree: the year, or the venue when both
    name a known venue (venues.canonical; an unknown spelling is no evidence of a wrong venue)."""
    from .venues import canonical

    out = []
    m = re.search(r"\d{4}", e.get("year") or e.get("date"))
    if m and w.year and int(m.group(0)) != w.year:
        out.append(f"year {m.group(0)} (sources: {w.year})")
    raw = e.get("booktitle") or e.get("journal") or e.get("journaltitle")
    mine = canonical(raw) if raw else None
    theirs = canonical(w.container_title) or canonical(re.sub(r"\s*\d{4}$", "", w.venue or ""))
    if mine is not None and theirs is not None and mine.short != theirs.short:
        out.append(f"venue {raw!r} (sources: {w.venue})")
    return out


def decide(e: BibEntry, w: Work | None, *, only_preprints: bool = False, fix_published: bool = False) -> Outcome:
    """What happens to one entry, given the work the resolver made of it (None: it was not looked up)."""
    before = _described(e)
    if e.is_published:
        return _published(e, w, before, fix_published)
    if w is None:
        return Outcome(e.key, e.line, "unknown", "nothing to identify it by (no title)", before)
    if only_preprints and not (e.is_preprint and w.ids.arxiv):
        return Outcome(e.key, e.line, "kept", "not an arXiv preprint (--only-preprints)", before)
    if _is_published(w):
        from .export import bib_category

        after = f"@{w.type} {w.venue or w.container_title or ''}".strip()
        if bib_category(w) in ("preprint", "misc"):
            missing = [f for f in ("authors", "container_title", "year", "publisher") if not getattr(w, f)]
            return Outcome(e.key, e.line, "kept", f"a published version was found ({w.venue}) but its record lacks "
                           f"{', '.join(missing) or 'fields a citation needs'}: not applied", before, evidence=_evidence(w, e))
        return Outcome(e.key, e.line, "upgraded", "published version verified", before, after, _evidence(w, e))
    close = _close_rejections(w)
    if close:
        return Outcome(e.key, e.line, "uncertain", "possible published version, not applied", before,
                       evidence=close)
    if w.sources and w.sources != ("list",):
        return Outcome(e.key, e.line, "kept", "no published version found: it stays a preprint", before,
                       evidence=_evidence(w, e))
    why = "; ".join(str(p) for p in w.problems) or "no source knows it"
    return Outcome(e.key, e.line, "unknown", why, before)


def not_looked_up(e: BibEntry, why: str) -> Outcome:
    """An entry that could not be asked about: kept as written (published) or unknown (a preprint)."""
    if e.is_published:
        return Outcome(e.key, e.line, "kept", f"already a published version (not verified: {why})", _described(e))
    return Outcome(e.key, e.line, "unknown", f"not looked up: {why}", _described(e))


def not_reached(e: BibEntry) -> Outcome:
    return Outcome(e.key, e.line, "pending", "not reached: the run was stopped (run it again to resume)", _described(e))


def _published(e: BibEntry, w: Work | None, before: str, fix: bool) -> Outcome:
    """A published entry is kept as written unless the sources' published version places it elsewhere."""
    if w is None:
        return Outcome(e.key, e.line, "kept", "already a published version", before)
    if not _is_published(w):
        return Outcome(e.key, e.line, "kept", "already a published version (the sources do not confirm it)", before)
    diff = published_differences(e, w)
    if not diff:
        return Outcome(e.key, e.line, "kept", "already a published version (the sources agree)", before)
    after = f"@{w.type} {w.venue or w.container_title or ''}".strip()
    said = "; ".join(diff)
    if fix:
        return Outcome(e.key, e.line, "upgraded", f"published version corrected: {said}", before, after, _evidence(w, e))
    return Outcome(e.key, e.line, "mismatch", f"the sources place it elsewhere: {said} (--fix-published corrects it)",
                   before, after, _evidence(w, e))


# -- writing ------------------------------------------------------------------------------------------------

def _is_stale(name: str, value: str) -> bool:
    """A preprint's field that would be wrong on the published version."""
    if name in STALE_FIELDS:
        return True
    if name == "note" and _ARXIV_NOTE.match(value):
        return True  # Zotero's 'arXiv:ID [cs]': the identifiers are in eprint/archivePrefix
    return False


def entry_text(e: BibEntry, w: Work, *, flavour: str = "bibtex", keep_fields: Iterable[str] = (),
               drop_fields: Iterable[str] = (), newline: str = "\n") -> str:
    """The upgraded entry: the published version's fields as the export writes them (the preprint's
    eprint/archivePrefix/primaryClass included), the user's key, case-protected title and other fields."""
    import bibtexparser
    from bibtexparser import model as bm

    from .check import same_title
    from .export.bibtex import _fmt, entry_for

    keep = {f.lower() for f in keep_fields}
    drop = {f.lower() for f in drop_fields}
    made = entry_for(w.with_(key=e.key, origins=()), flavour=flavour)
    made_values = {f.key.lower(): f.value for f in made.fields}
    fields: list[tuple[str, str]] = []
    user_names = {k for k, _ in e.fields}
    has_doi = bool(made_values.get("doi"))
    for f in made.fields:
        name = f.key.lower()
        if name in NOT_GENERATED or name in drop:
            continue
        if name in keep and name in user_names:
            continue  # the user's own value is kept instead
        value = f.value
        if name == "url" and has_doi and _ARXIV_URL.match(value) and name not in keep:
            continue  # the preprint's page, not the version cited: the DOI leads there
        if name == "title" and "{" in e.get("title") and same_title(e.title, w.title or ""):
            value = "{" + e.get("title") + "}"  # the user's case protection ({Limits} of {Transfer} …)
        fields.append((f.key, value))
    made_names = {k.lower() for k, _ in fields}
    for name, value in e.fields:
        if name in drop or name in made_names:
            continue
        if name in keep or (name not in VERSION_FIELDS and not _is_stale(name, value)):
            fields.append((_spelling(e, name), "{" + value + "}"))
    entry = bm.Entry(made.entry_type, e.key, [bm.Field(k, v) for k, v in fields])
    library = bibtexparser.Library([entry])
    text = bibtexparser.write_string(library, unparse_stack=[], bibtex_format=_fmt()).strip("\n")
    # a value the user wrote over several lines in a CRLF file carries its CRLF: one line end throughout
    return text.replace("\r\n", "\n").replace("\n", newline) if newline != "\n" else text


def _spelling(e: BibEntry, name: str) -> str:
    """The field name as the user wrote it (archivePrefix, not archiveprefix)."""
    m = re.search(rf"(?i)[,\s]({re.escape(name)})\s*=", e.raw)
    return m.group(1) if m else name


def rewrite(bib: BibFile, outcomes: Sequence[Outcome]) -> str:
    """The file with each upgraded entry's source text replaced; every other byte as it was (its byte-order
    mark too). One pass over the file: entries are found in order, each from where the last one ended."""
    new_of = {o.line: o.new_text for o in outcomes if o.status == "upgraded" and o.new_text}
    pieces: list[str] = ["\ufeff"] if bib.bom else []
    at = 0  # bytes before this offset are already in pieces
    cursor = 0  # where the next entry's text is searched from
    for e in bib.entries:
        start = bib.text.find(e.raw, cursor)
        if start < 0:
            continue
        cursor = start + len(e.raw)
        text = new_of.get(e.line)
        if text is not None:
            pieces.append(bib.text[at:start])
            pieces.append(text)
            at = cursor
    pieces.append(bib.text[at:])
    return "".join(pieces)


def original(bib: BibFile) -> str:
    """The file's text as it is on disk (byte-order mark included): what a rewrite is compared with."""
    return ("\ufeff" if bib.bom else "") + bib.text


# -- a long run's progress ----------------------------------------------------------------------------------

def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class State:
    """What a run has decided so far, by each entry's exact text: a stopped run resumes where it stopped,
    and an entry edited meanwhile is simply decided again. Only valid for the same options."""

    path: Path | None
    options: str
    done: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, options: str) -> "State":
        state = cls(path, options)
        if path is None or not path.is_file():
            return state
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return state  # a damaged state costs only the work it recorded
        if isinstance(data, dict) and data.get("options") == options and isinstance(data.get("entries"), dict):
            state.done = {k: v for k, v in data["entries"].items() if isinstance(v, dict) and v.get("status") in STATUSES}
        return state

    def get(self, e: BibEntry) -> Outcome | None:
        d = self.done.get(_digest(e.raw))
        return Outcome.from_state(d, e.line) if d and d.get("key") == e.key else None

    def add(self, e: BibEntry, o: Outcome) -> None:
        if o.status != "pending":
            self.done[_digest(e.raw)] = o.as_state()

    def save(self) -> None:
        from .atomic import atomic_write

        if self.path is not None:
            atomic_write(self.path, json.dumps({"options": self.options, "entries": self.done}, ensure_ascii=False) + "\n")

    def remove(self) -> None:
        if self.path is not None:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass


def options_signature(**options: object) -> str:
    return json.dumps(options, sort_keys=True, default=str)


# -- the report ---------------------------------------------------------------------------------------------

def summary(outcomes: Sequence[Outcome], findings: Sequence[tuple[int, str]]) -> str:
    from collections import Counter

    n = Counter(o.status for o in outcomes)
    extra = "".join(f", {n[s]} {label}" for s, label in (("mismatch", "published elsewhere (--fix-published)"),
                                                           ("pending", "not reached (stopped)")) if n[s])
    return (f"{len(outcomes)} entries: {n['upgraded']} upgraded, {n['kept']} kept, {n['uncertain']} uncertain, "
            f"{n['unknown']} unknown{extra}; {len(findings)} block(s) kept as they were")


def render(outcomes: Sequence[Outcome], findings: Sequence[tuple[int, str]], fmt: str, name: str = "") -> str:
    if fmt == "json":
        return json.dumps({"file": name, "summary": summary(outcomes, findings),
                           "entries": [o.as_dict() for o in outcomes],
                           "findings": [{"line": line, "message": msg} for line, msg in findings]},
                          ensure_ascii=False, indent=2) + "\n"
    md = fmt == "markdown"
    lines = [f"# atpbib upgrade: {name}", "", summary(outcomes, findings), ""] if md else []
    for o in outcomes:
        head = f"{name}:{o.line}: {o.key}: {o.status}" + (f" ({o.before} → {o.after})" if o.after else "")
        lines.append(("- " if md else "") + f"{head}: {o.reason}")
        lines += [("  - " if md else "    ") + ev for ev in o.evidence]
    for line, msg in findings:
        lines.append(("- " if md else "") + f"{name}:{line}: {msg}")
    if not md:
        lines.append(summary(outcomes, findings))
    return "\n".join(lines) + "\n"
