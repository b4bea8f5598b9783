"""`atpbib upgrade`: an existing .bib brought to the published versions, on verified evidence only.

The .bib input (inputs/bibfile.py) turns entries into Queries; the resolve stage runs as for a list; here
each entry's work decides what happens to it:

- upgraded: the entry was a preprint (or had no venue) and a published version was verified (an id it
  carries, or a search hit whose title, authors and year agree): the entry becomes that version — type,
  venue, pages, DOI, ids — keeping the user's key and every field the sources do not know;
- uncertain: a candidate came close but was not verified: reported with its scores, never written;
- kept: already a published version, or no published version exists (it stays a preprint);
- unknown: no source knows it.

Every entry that is not upgraded, and every other block (@string, @comment, @preamble, text between
entries, blocks that cannot be parsed), stays byte for byte as it was.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .inputs.bibfile import BibEntry, BibFile
from .model import Work

# Fields that describe the version an entry cites: an upgrade replaces them all.
VERSION_FIELDS = frozenset((
    "title", "author", "editor", "journal", "journaltitle", "booktitle", "volume", "number", "issue", "pages",
    "publisher", "address", "location", "organization", "institution", "school", "series", "isbn", "issn", "year",
    "month", "date", "doi", "url", "eprint", "archiveprefix", "primaryclass", "eprinttype", "eprintclass",
    "howpublished", "type", "biburl", "bibsource", "timestamp", "key",
))
EPRINT_FIELDS = ("eprint", "archiveprefix", "primaryclass", "eprinttype", "eprintclass")
NOT_GENERATED = ("abstract", "keywords", "note")  # the user's own, if present; never added
CLOSE_TITLE = 80.0  # a rejected candidate at least this close is reported as "possible", never applied
CLOSE_WORDS = 70.0


@dataclass
class Outcome:
    key: str
    line: int
    status: str  # upgraded | kept | uncertain | unknown
    reason: str
    before: str = ""
    after: str = ""
    evidence: list[str] = field(default_factory=list)
    new_text: str | None = None

    def as_dict(self) -> dict:
        return {"key": self.key, "line": self.line, "status": self.status, "reason": self.reason,
                "from": self.before, "to": self.after, "evidence": list(self.evidence)}


def _described(e: BibEntry) -> str:
    venue = e.get("journal") or e.get("booktitle") or e.get("journaltitle") or e.get("howpublished") or e.entry_type
    return f"@{e.entry_type} {venue} {e.get('year')}".strip()


def _is_published(w: Work) -> bool:
    """A venue version made of source records (merge only uses verified ones), not the input's own data."""
    return bool(w.sources) and "list" not in w.sources and (w.type or "misc") != "misc" and w.venue != "arXiv"


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


def decide(e: BibEntry, w: Work | None, *, only_preprints: bool = False) -> Outcome:
    """What happens to one entry, given the work the resolver made of it (None: it could not be asked)."""
    before = _described(e)
    if w is None:
        return Outcome(e.key, e.line, "unknown", "nothing to identify it by (no title)", before)
    if e.is_published:
        return Outcome(e.key, e.line, "kept", "already a published version", before)
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


# -- writing ------------------------------------------------------------------------------------------------

def entry_text(e: BibEntry, w: Work, *, flavour: str = "bibtex", keep_fields: Iterable[str] = (),
               drop_fields: Iterable[str] = ()) -> str:
    """The upgraded entry: the published version's fields, the user's key, the user's other fields."""
    import bibtexparser
    from bibtexparser import model as bm

    from .export.bibtex import _fmt, entry_for

    keep = {f.lower() for f in keep_fields}
    drop = {f.lower() for f in drop_fields}
    made = entry_for(w.with_(key=e.key, origins=()), flavour=flavour)
    fields: list[tuple[str, str]] = []
    user_names = {k for k, _ in e.fields}
    for f in made.fields:
        name = f.key.lower()
        if name in NOT_GENERATED or name in drop:
            continue
        if name in EPRINT_FIELDS:
            if "eprint" not in keep:
                continue  # the arXiv eprint of a published version only on request (--keep-fields eprint)
        elif name in keep and name in user_names:
            continue  # the user's own value is kept instead
        fields.append((f.key, f.value))
    for name, value in e.fields:
        if name in drop or any(k.lower() == name for k, _ in fields):
            continue
        if name in keep or name not in VERSION_FIELDS:
            fields.append((_spelling(e, name), "{" + value + "}"))
    entry = bm.Entry(made.entry_type, e.key, [bm.Field(k, v) for k, v in fields])
    library = bibtexparser.Library([entry])
    return bibtexparser.write_string(library, unparse_stack=[], bibtex_format=_fmt()).strip("\n")


def _spelling(e: BibEntry, name: str) -> str:
    """The field name as the user wrote it (archivePrefix, not archiveprefix)."""
    import re

    m = re.search(rf"(?i)[,\s]({re.escape(name)})\s*=", e.raw)
    return m.group(1) if m else name


def rewrite(bib: BibFile, outcomes: Sequence[Outcome]) -> str:
    """The file with each upgraded entry's source text replaced; every other byte as it was."""
    new_of = {o.line: o.new_text for o in outcomes if o.status == "upgraded" and o.new_text}
    pieces: list[str] = []
    at = 0
    for e in bib.entries:
        text = new_of.get(e.line)
        start = bib.text.find(e.raw, at)
        if start < 0:
            continue
        if text is not None:
            pieces.append(bib.text[at:start])
            pieces.append(text)
            at = start + len(e.raw)
    pieces.append(bib.text[at:])
    return "".join(pieces)


# -- the report ---------------------------------------------------------------------------------------------

def summary(outcomes: Sequence[Outcome], findings: Sequence[tuple[int, str]]) -> str:
    from collections import Counter

    n = Counter(o.status for o in outcomes)
    return (f"{len(outcomes)} entries: {n['upgraded']} upgraded, {n['kept']} kept, {n['uncertain']} uncertain, "
            f"{n['unknown']} unknown; {len(findings)} block(s) kept as they were")


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
