"""The Markdown list as an input: list items → Queries, and the comparisons that are the list's business
(what the list says against what the sources say)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from .. import venues
from ..match import same_title
from ..model import Discrepancy, Entry, Query, Work
from ..names import person_from_display


def query_of(entry: Entry) -> Query:
    """What a list item asks for: its title, authors (where the list names them), hints, links and ids."""
    return Query(title=entry.title, ids=entry.ids, authors=tuple(person_from_display(a) for a in entry.authors),
                 year=entry.year, venue=entry.venue, venue_raw=entry.venue_raw, kind=entry.kind, links=entry.links,
                 origin=entry)


def queries(entries: Iterable[Entry]) -> list[Query]:
    return [query_of(e) for e in entries]


def discrepancies(work: Work, entries: Sequence[Entry] | None = None) -> tuple[Discrepancy, ...]:
    """Where the list disagrees with the sources (title, venue, year), for each list position."""
    found: list[Discrepancy] = []
    source_of = dict(work.provenance)
    for e in (work.origins if entries is None else entries):
        if not isinstance(e, Entry):
            continue
        if e.title and work.title and not same_title(e.title, work.title):
            found.append(Discrepancy("title", e.title, work.title, source_of.get("title", "")))
        if e.year is not None and work.year is not None and e.year != work.year:
            found.append(Discrepancy("year", str(e.year), str(work.year), source_of.get("year", "")))
        elif e.year is None and e.venue_raw and work.year is not None:
            found.append(Discrepancy("year", e.venue_raw, str(work.year), source_of.get("year", "")))
        if e.venue and work.venue and not venues.same_venue(e.venue, work.venue):
            found.append(Discrepancy("venue", e.venue_raw or e.venue, work.venue, source_of.get("venue", "")))
    # one finding per field and listed value
    unique: dict[tuple[str, str, str], Discrepancy] = {}
    for d in found:
        unique.setdefault((d.field, d.listed, d.resolved), d)
    return tuple(unique.values())


def with_discrepancies(works: Iterable[Work]) -> list[Work]:
    """Resolved works with the list's disagreements noted (a list-only work has none to note)."""
    return [w if w.sources == ("list",) else w.with_(discrepancies=discrepancies(w)) for w in works]
