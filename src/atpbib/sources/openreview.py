"""OpenReview notes (API 1 and API 2) → Record.

A forum on OpenReview is a *submission*; it is a publication only when the note says it was accepted.
API 1 writes content values plainly (`content.title`), API 2 wraps each (`content.title.value`); old API 1
notes (ICLR 2018–2020) carry no venue fields, only a `_bibtex` whose entry type tells the decision
(`@inproceedings{…booktitle={International Conference on Learning Representations}` vs `@misc`).
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from typing import Any

from ..model import Ids, Record
from ..names import clean_space, person_from_display
from . import Source, SourceError, is_http_status

log = logging.getLogger(__name__)

# "Submitted to ICLR 2020", "ICLR 2020 Conference Blind Submission", "ICLR 2026 Conference Submission",
# "ICLR 2020 Conference Withdrawn Submission", "… Desk Rejected Submission": all mean "not (yet) accepted".
_REJECTED_VENUE_WORDS = ("withdrawn", "rejected", "desk rejected", "submission", "submitted")
_NOT_ACCEPTED_VENUEID_PARTS = ("withdrawn", "rejected", "desk_rejected", "submission", "blind")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def forum_url(forum: str) -> str:
    from ..ids import landing

    return landing("openreview", forum) or ""


# -- decision ---------------------------------------------------------------------------------------


def _venueid_accepted(venueid: str) -> bool:
    parts = [p.lower() for p in venueid.strip().split("/") if p]
    if not parts or "-" in parts:  # ".../-/Submission" is an invitation, not a venue
        return False
    return not any(word in part for part in parts for word in _NOT_ACCEPTED_VENUEID_PARTS)


def _venue_accepted(venue: str) -> bool:
    low = clean_space(venue).lower()
    if not low:
        return False
    return not any(word in low for word in _REJECTED_VENUE_WORDS)


def _bibtex_type_and_fields(bibtex: str | None) -> tuple[str | None, dict[str, str]]:
    if not bibtex:
        return None, {}
    m = re.match(r"\s*@(\w+)\s*\{", bibtex)
    etype = m.group(1).lower() if m else None
    fields: dict[str, str] = {}
    for fm in re.finditer(r"(\w+)\s*=\s*\{((?:[^{}]|\{[^{}]*\})*)\}", bibtex):
        fields.setdefault(fm.group(1).lower(), clean_space(fm.group(2).replace("{", "").replace("}", "")))
    return etype, fields


def is_accepted(venue: str | None, venueid: str | None, bibtex: str | None = None) -> bool:
    """The decision as the note states it; anything unclear counts as not accepted."""
    if venueid or venue:
        return (not venueid or _venueid_accepted(venueid)) and (not venue or _venue_accepted(venue))
    etype, fields = _bibtex_type_and_fields(bibtex)
    if etype == "inproceedings":
        return bool(fields.get("booktitle"))
    if etype == "article":
        return bool(fields.get("journal"))
    return False


# -- records ----------------------------------------------------------------------------------------


def _year_from_ms(ms: Any) -> int | None:
    if not isinstance(ms, (int, float)) or ms <= 0:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).year


def _first_year(*texts: str | None) -> int | None:
    for text in texts:
        m = _YEAR.search(text or "")
        if m:
            return int(m.group(1))
    return None


def _venue_name(venue: str | None, venueid: str | None, booktitle: str | None) -> str | None:
    """A name venues.short_venue understands: 'ICLR', 'International Conference on Learning Representations'."""
    if venueid:
        head = venueid.strip().split("/")[0]
        return re.sub(r"\.(cc|org|com|net|io)$", "", head, flags=re.I) or None
    if booktitle:
        return booktitle
    if venue:
        return _YEAR.split(venue)[0].strip() or venue
    return None


def _note_record(note: dict, content: dict[str, Any]) -> Record | None:
    from ..venues import full_name, short_venue

    forum = note.get("forum") or note.get("id")
    if not forum:
        return None
    title = clean_space(content.get("title") if isinstance(content.get("title"), str) else "")
    if not title:
        return None  # a note without a title is no evidence of anything
    authors_raw = content.get("authors") or []
    if isinstance(authors_raw, str):
        authors_raw = [authors_raw]
    authors = tuple(person_from_display(a) for a in authors_raw if isinstance(a, str) and a.strip())
    venue = content.get("venue") if isinstance(content.get("venue"), str) else None
    venueid = content.get("venueid") if isinstance(content.get("venueid"), str) else None
    bibtex = content.get("_bibtex") if isinstance(content.get("_bibtex"), str) else None
    etype, bib = _bibtex_type_and_fields(bibtex)
    accepted = is_accepted(venue, venueid, bibtex)
    year = (
        _first_year(venue, venueid)
        or _first_year(bib.get("year"))
        or _year_from_ms(note.get("pdate"))
        or _year_from_ms(note.get("cdate"))
        or _year_from_ms(note.get("tcdate"))
    )
    short = container = None
    rtype = "misc"
    if accepted:
        name = _venue_name(venue, venueid, bib.get("booktitle") or bib.get("journal"))
        short = short_venue(name, year)
        container = bib.get("booktitle") or bib.get("journal") or full_name(short)
        is_journal = etype == "article" or (venueid or "").upper().startswith("TMLR")
        rtype = "article" if is_journal else "inproceedings"
    abstract = content.get("abstract") if isinstance(content.get("abstract"), str) else None
    return Record(
        source="openreview",
        source_key=forum,
        title=title,
        authors=authors,
        year=year,
        type=rtype,
        published=accepted,
        venue=short,
        container_title=container,
        url=forum_url(forum),
        abstract=clean_space(abstract) or None,
        ids=Ids(openreview=forum),
        venue_status=venue if venue else (venueid or None),
    )


def _notes(obj: Any) -> list[dict]:
    if isinstance(obj, (bytes, str)):
        try:
            obj = json.loads(obj)
        except ValueError as exc:
            raise SourceError("openreview", f"OpenReview answer is not JSON ({exc})") from exc
    if isinstance(obj, dict) and "notes" in obj:
        notes = obj["notes"]
    elif isinstance(obj, dict) and "content" in obj:
        notes = [obj]
    elif isinstance(obj, list):
        notes = obj
    else:
        raise SourceError("openreview", "OpenReview answer has no 'notes'")
    if not isinstance(notes, list):
        raise SourceError("openreview", "OpenReview 'notes' is not a list")
    return [n for n in notes if isinstance(n, dict)]


def parse_notes_v1(obj: Any) -> list[Record]:
    """API 1 `{"notes": [...]}` (content values plain) → Records."""
    out = []
    for note in _notes(obj):
        content = note.get("content") if isinstance(note.get("content"), dict) else {}
        record = _note_record(note, content)
        if record is not None:
            out.append(record)
    return out


def parse_notes_v2(obj: Any) -> list[Record]:
    """API 2 `{"notes": [...]}` (content.<field>.value) → Records."""
    out = []
    for note in _notes(obj):
        raw = note.get("content") if isinstance(note.get("content"), dict) else {}
        content = {k: (v.get("value") if isinstance(v, dict) else v) for k, v in raw.items()}
        record = _note_record(note, content)
        if record is not None:
            out.append(record)
    return out


# -- requests ---------------------------------------------------------------------------------------


def fetch_note(fetcher: Any, forum_id: str, prefer: str = "v1") -> Record | None:
    """The note of a forum, asking the preferred API first and the other one when it has no such note."""
    from .. import config
    from ..fetch import expect_json

    eps = config.endpoints()
    apis = [("v1", eps.openreview, parse_notes_v1), ("v2", eps.openreview2, parse_notes_v2)]
    if prefer == "v2":
        apis.reverse()
    forum_id = forum_id.strip()
    failure: BaseException | None = None
    for _name, base, parse in apis:
        try:
            response = fetcher.get(f"{base}/notes", params={"id": forum_id}, validate=expect_json)
        except Exception as exc:
            if is_http_status(exc, 400, 403, 404):
                continue  # a foreign id: this API does not have it
            if getattr(exc, "kind", None) is None:
                raise
            failure = failure or exc  # that API is down; the other one may still know the note
            continue
        records = parse(response.content)
        match = next((r for r in records if r.source_key == forum_id), None) or (records[0] if records else None)
        if match is not None:
            return match
    if failure is not None:
        raise failure
    return None


def lookup(fetcher: Any, forum_id: str, query: Any = None) -> Record | None:
    """A forum's note; API 2 asked first for venues from 2024 on, when OpenReview moved to it."""
    year = getattr(query, "year", None) or 0
    return fetch_note(fetcher, forum_id, prefer="v2" if year >= 2024 else "v1")


SOURCE = Source(
    name="openreview", label="OpenReview", rank=1, lane=4,
    endpoints=(("openreview", "ATPBIB_OPENREVIEW_API", "https://api.openreview.net"),
               ("openreview2", "ATPBIB_OPENREVIEW_API2", "https://api2.openreview.net")),
    scheme="openreview", lookup=lookup,
    follows=False,  # a forum another record names (DBLP's ICLR records) is not read again: that record is the venue's
    missing="no note for forum {id}",
)

__all__ = ["SOURCE", "fetch_note", "lookup", "forum_url", "is_accepted", "parse_notes_v1", "parse_notes_v2"]
