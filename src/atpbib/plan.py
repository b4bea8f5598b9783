"""The request plan as data: given what a group has gathered, which requests it still needs, and why.

Every function here is pure over an `Evidence` (one group's state) and the declared `Source`s: it returns
`Request`s, never sends them. The resolver's scheduler (resolve.py) runs what they return in each
source's lane and feeds the answers back with `answered` / `searched`. A group moves through explicit
phases: LOOKUP (its own ids, batched where the source batches), FOLLOW (ids that a record names for the
source of that scheme), SEARCH (title rungs, only while cheaper evidence leaves the version open), DONE.

Which requests are needed is decided from evidence only (the ids, the records, their sources'
declarations), never from a source's name.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from enum import Enum
from typing import Any

from .match import verify
from .model import Ids, Match, Query, Record
from .sources import SearchWhen

MAX_REJECTED_KEPT = 2  # rejected search hits kept per search, as evidence


class Phase(Enum):
    LOOKUP = "look-up"  # the group's own ids are being looked up
    FOLLOW = "follow"  # ids named by its records are being looked up
    SEARCH = "search"  # title searches under way
    DONE = "done"


@dataclass(frozen=True)
class Request:
    """One request a group needs: `kind` is "lookup" (an id, one by one), "batch" (an id inside the
    source's one batch), "search" (a title rung) or "enrich" (re-read a search hit by its key)."""

    source: str
    kind: str
    value: str
    why: str
    rung: int = 0
    rung_name: str | None = None
    match: Match | None = None  # a follow-up of a verified hit: its record carries the hit's verification
    own: bool = True  # the group's own id: a miss is a problem of the work
    scheme: str | None = None  # a look-up's id scheme
    title: str | None = None  # a search's title (its rungs are made from it)
    container: str | None = None  # an enrich's proceedings: one record of them lends the others its container
    listing: bool = False  # a search rung that lists one proceedings (one request for every paper of them)
    lead: bool = False  # a follow-up of an id a secondary source's record names


@dataclass
class Evidence:
    """What one group has gathered so far, and which requests of it are under way."""

    query: Query
    ids: Ids
    kind: str
    resolvable: bool = True
    records: list[Record] = field(default_factory=list)
    asked: set[tuple[str, str]] = field(default_factory=set)  # (scheme, id) looked up
    pending: int = 0  # look-ups under way
    venue_named: bool = False  # an id of the group names the venue version itself: no search
    search_started: bool = False
    searching: int = 0  # searches under way
    under_way: list[Request] = field(default_factory=list)  # look-ups sent, not answered
    deferred: list[Request] = field(default_factory=list)  # follow-ups waiting for a more authoritative answer
    parked: list[Request] = field(default_factory=list)  # next rungs waiting for the group's other searches

    @property
    def phase(self) -> Phase:
        if not self.resolvable:
            return Phase.DONE
        if self.searching or self.parked:
            return Phase.SEARCH
        if self.pending or self.deferred:
            return Phase.LOOKUP if self.asked <= _own(self.ids) else Phase.FOLLOW
        if not (self.search_started or self.venue_named or has_published(self.records)):
            return Phase.SEARCH  # look-ups done, the version still open: the searches are next
        return Phase.DONE

    def claim(self, requests: Iterable[Request]) -> list[Request]:
        """Mark requests as under way (the scheduler calls this before sending them)."""
        out = list(requests)
        for r in out:
            if r.kind in ("lookup", "batch"):
                self.pending += 1
                self.under_way.append(r)
                if r.scheme:
                    self.asked.add((r.scheme, r.value.split(":", 1)[-1].lower() if r.kind == "batch" else r.value.lower()))
            elif r.kind == "search":
                self.searching += 1
        return out

    def claim_later(self, requests: list[Request]) -> list[Request]:
        """Deferred follow-ups count as asked (no second copy is planned) but not as under way."""
        for r in requests:
            if r.scheme:
                self.asked.add((r.scheme, r.value.lower()))
        return requests

    def add(self, record: Record) -> bool:
        """Keep a record unless one batch already gave the same paper under another of its ids."""
        if any(r.source == record.source and r.source_key == record.source_key and r.match == record.match
               for r in self.records):
            return False
        self.records.append(record)
        return True


def _own(ids: Ids) -> set[tuple[str, str]]:
    return {(k, v.lower()) for k, v in ids.known().items()}


def has_published(records: Sequence[Record]) -> bool:
    return any(r.published and (r.match is None or r.match.accepted) for r in records)


def accepted_sources(records: Sequence[Record]) -> set[str]:
    return {r.source for r in records if r.match is None or r.match.accepted}


# -- 1. look-ups --------------------------------------------------------------------------------------


def lookups(ev: Evidence, sources: Sequence[Any]) -> list[Request]:
    """The group's own ids, each for the source of its scheme (inside a source's batch where it batches);
    a source's `wants` says which ids of its scheme it knows."""
    if not ev.resolvable:
        return []
    out: list[Request] = []
    for scheme, value in ev.ids.known().items():
        for source in sources:
            in_batch = scheme in source.batch_schemes
            if not in_batch and (source.scheme != scheme or not (source.lookup or source.lookup_many)):
                continue
            if source.wants is not None and not source.wants(value):
                continue
            if in_batch:
                out.append(Request(source.name, "batch", f"{scheme}:{value}", f"its {scheme} id", scheme=scheme))
            elif source.lookup_many is not None:
                out.append(Request(source.name, "batch", value, f"its {scheme} id", scheme=scheme))
            else:
                out.append(Request(source.name, "lookup", value, f"its {scheme} id", scheme=scheme))
    return out


def names_venue(requests: Iterable[Request], sources: Sequence[Any]) -> bool:
    """Does one of the group's own ids name the venue version itself (an Anthology id)?"""
    by_name = {s.name: s for s in sources}
    return any(by_name[r.source].ids_name_venue and r.kind in ("lookup", "batch") and r.own and by_name[r.source].scheme == r.scheme
               for r in requests)


# -- 2. follow-ups ------------------------------------------------------------------------------------


def follows(source: Any, record: Record) -> bool:
    """Does `source` look up an id of its scheme that `record` names? Every source that looks up one by
    one does, unless it opts out (`follows=False`) or opts out of that record's source."""
    return (bool(source.scheme) and source.lookup is not None and source.follows and record.source != source.name
            and record.source not in source.follows_except)


def listing_for(record: Record, source: Any) -> str | None:
    """The query by which `source` lists the proceedings that `record`'s venue names, if it lists any."""
    if source.listing_of is None or source.lists is None or not record.venue_status:
        return None
    from .venues import is_preprint_venue

    return None if is_preprint_venue(record.venue_status) else source.listing_of(record.venue_status)


def shared_listings(leads: Iterable[Record], sources: Sequence[Any]) -> frozenset[tuple[str, str]]:
    """(source, listing query) that the leads of two groups or more name: one listing of those proceedings
    then answers each of them for the price of one request."""
    seen: dict[tuple[str, str], int] = {}
    for record in leads:
        for source in sources:
            query = listing_for(record, source)
            if query:
                seen[(source.name, query)] = seen.get((source.name, query), 0) + 1
    return frozenset(k for k, n in seen.items() if n >= 2)


def follow_ups(ev: Evidence, record: Record, sources: Sequence[Any],
               listed: frozenset[tuple[str, str]] = frozenset()) -> list[Request]:
    """Ids that `record` names, for the sources of their schemes, not yet asked; most authoritative first.
    An id of a scheme the group itself names is not followed: its own look-up answers it. A lead's only
    lead, a key of a source that lists the lead's proceedings for other groups too (`listed`), is not
    fetched: the shared listing answers it (verified like a search hit), its proceedings' record lends the rest."""
    out: list[Request] = []
    for source in sorted(sources, key=lambda s: s.rank):
        if not follows(source, record):
            continue
        value = getattr(record.ids, source.scheme, None)
        if not value or getattr(ev.ids, source.scheme, None):
            continue
        if source.wants is not None and not source.wants(value):
            continue
        if (source.scheme, value.lower()) in ev.asked or any(r.source == source.name and r.scheme == source.scheme
                                                               and r.value.lower() == value.lower() for r in out):
            continue
        out.append(Request(source.name, "lookup", value, f"{record.source} record names {source.scheme}:{value}",
                           match=record.match, own=False, scheme=source.scheme, lead=_secondary(sources, record.source)))
    if len(out) == 1 and record.match is None and _secondary(sources, record.source) and will_search(ev, sources):
        query = listing_for(record, by_source(sources, out[0].source))
        if query and (out[0].source, query) in listed:
            return []
    return out


def will_search(ev: Evidence, sources: Sequence[Any]) -> bool:
    """Is the group bound for the search phase whatever its look-ups under way answer? No id names its
    venue, nothing published is in, and only preprint and secondary look-ups are still under way."""
    if ev.venue_named or has_published(ev.records):
        return False
    return all(by_source(sources, w.source).secondary or by_source(sources, w.source).preprint_authority
               for w in ev.under_way + ev.deferred)


def venue_paper_complete(ev: Evidence, sources: Sequence[Any]) -> bool:
    """Is the venue's own record of a conference paper in (an Anthology id's), with its proceedings and
    pages? Then another index's record of it, found through a secondary lead, has nothing to add. (A
    journal article's is not: DBLP gives the TACL volume the Anthology's record lacks.)"""
    from .venues import JOURNALS, canonical

    def journal(name: str) -> bool:  # the Anthology files a TACL article as a paper in "proceedings" of TACL
        known = canonical(name)
        return known is not None and known.short in JOURNALS

    return any(r.published and r.type == "inproceedings" and r.container_title and r.pages and r.match is None
               and not journal(r.container_title) and any(s.name == r.source and s.ids_name_venue for s in sources)
               for r in ev.records)


def _secondary(sources: Sequence[Any], name: str) -> bool:
    return any(s.name == name and s.secondary for s in sources)


def _rank(sources: Sequence[Any], name: str) -> int:
    return next((s.rank for s in sources if s.name == name), 9)


def in_order(ev: Evidence, requests: Iterable[Request], sources: Sequence[Any]) -> tuple[list[Request], list[Request]]:
    """Split follow-ups into (send now, wait): one waits while a look-up of a more authoritative source is
    under way for the group (the Anthology's record before DBLP's of the same TACL article)."""
    now: list[Request] = []
    later: list[Request] = []
    for r in sorted(requests, key=lambda r: _rank(sources, r.source)):
        ahead = [w for w in ev.under_way + now if not by_source(sources, w.source).secondary]
        (later if any(_rank(sources, w.source) < _rank(sources, r.source) for w in ahead) else now).append(r)
    return now, later


def by_source(sources: Sequence[Any], name: str) -> Any:
    return next(s for s in sources if s.name == name)


def _done(ev: Evidence, request: Request) -> None:
    ev.pending -= 1
    if request in ev.under_way:
        ev.under_way.remove(request)


def answered(ev: Evidence, request: Request, record: Record | None, sources: Sequence[Any],
             listed: frozenset[tuple[str, str]] = frozenset()) -> list[Request]:
    """A look-up's answer is in: keep the record; return the follow-ups it calls for and those that
    waited for it. (A follow-up is sent even when a more authoritative record is in: records of the very
    same version complete it — DBLP's volume of a TACL article, Crossref's booktitle of a DBLP record.)"""
    _done(ev, request)
    follow: list[Request] = []
    if record is not None:
        if request.match is not None:
            record = replace(record, match=request.match)
        if ev.add(record):
            follow = follow_ups(ev, record, sources, listed)
    waiting, ev.deferred = ev.deferred, []
    if venue_paper_complete(ev, sources):  # a lead's key adds nothing to the venue's own complete paper record
        waiting, follow = [r for r in waiting if not r.lead], [r for r in follow if not r.lead]
    now, later = in_order(ev, waiting + follow, sources)
    ev.deferred = ev.claim_later(later)
    return ev.claim(now)


# -- 3. searches --------------------------------------------------------------------------------------


def reference(ev: Evidence, sources: Sequence[Any]) -> tuple[str, tuple, int | None]:
    """Title, authors and year to verify search hits against: the best looked-up record's (the preprint
    authority's first, a secondary source's last), else the query's own (a .bib entry's authors count)."""
    by_name = {s.name: s for s in sources}
    recs = [r for r in ev.records if r.match is None]
    if recs:
        def order(r: Record) -> tuple:
            s = by_name.get(r.source)
            return (bool(s and s.secondary), r.published, not (s and s.preprint_authority), -(s.rank if s else 9))
        r = min(recs, key=order)
        return r.title, r.authors, r.year
    q = ev.query
    return q.title, q.authors, q.year


def lead_says_preprint_only(ev: Evidence, sources: Sequence[Any]) -> bool:
    """A secondary source that links the paper (Semantic Scholar's batch answer) names only a preprint
    venue and no published id: no reason to climb past the exact-title rung."""
    from .venues import is_preprint_venue

    by_name = {s.name: s for s in sources}
    leads = [r for r in ev.records if (r.match is None or r.match.accepted) and by_name.get(r.source) is not None
             and by_name[r.source].secondary]  # its batch answer, or its verified title match
    if not leads:
        return False
    return all(is_preprint_venue(r.venue_status) and not (r.ids.acl or r.ids.doi or r.ids.openreview) for r in leads)


def lead_naming_a_venue(ev: Evidence, sources: Sequence[Any]) -> Record | None:
    """The record of a secondary source that links the paper and names its venue (not a preprint server)."""
    from .venues import is_preprint_venue

    return next((r for r in ev.records if r.match is None and _secondary(sources, r.source) and r.venue_status
                 and not is_preprint_venue(r.venue_status)), None)


def ladder(ev: Evidence, source: Any, title: str, sources: Sequence[Any]) -> list[tuple[str, str]]:
    """A source's search rungs for `title`, best first: its listing of the proceedings a lead names (one
    request shared by every paper of the run in them), then its title rungs."""
    _, authors, _ = reference(ev, sources)
    steps = source.search_steps(title, authors) if source.search_steps else [("title", title)]
    lead = lead_naming_a_venue(ev, sources)
    listing = listing_for(lead, source) if lead is not None else None
    return ([(LISTING_RUNG, listing)] if listing else []) + steps


LISTING_RUNG = "venue"


def searches(ev: Evidence, sources: Sequence[Any]) -> list[Request]:
    """The first title rung of every source that can search, once the look-ups are done and the version
    is still open: never for a work an id names at its venue, or one already published."""
    if not ev.resolvable or ev.pending or ev.deferred or ev.search_started or ev.venue_named:
        return []
    ev.search_started = True
    if has_published(ev.records):
        return []
    have = accepted_sources(ev.records)
    title = ev.query.title if not ev.records else reference(ev, sources)[0]
    out = []
    for source in sources:
        if source.search is None or source.name in have:
            continue
        if SearchWhen(source.search_when) is SearchWhen.UNIDENTIFIED and have:
            continue
        first = rung(ev, source, title, 0, sources)
        if first is not None:
            out.append(first)
    return ev.claim(out)


def rung(ev: Evidence, source: Any, title: str, step: int, sources: Sequence[Any]) -> Request | None:
    """Search rung `step` of `source` for `title`, or None when the ladder is climbed (or needs no more)."""
    steps = ladder(ev, source, title, sources)
    if step >= len(steps):
        return None
    if step > 0 and lead_says_preprint_only(ev, sources):
        return None
    name, text = steps[step]
    listing = name == LISTING_RUNG
    why = ("list the proceedings a lead names" if listing else f"rung {name}") + ": no published version verified yet"
    return Request(source.name, "search", text, why, rung=step, rung_name=name if source.search_steps or listing else None,
                   title=title, listing=listing)


def verified(ev: Evidence, request: Request, hits: Iterable[Record], sources: Sequence[Any]) -> list[Record]:
    """Verify a search's hits against the reference; keep the accepted ones and the best rejected as
    evidence; return the accepted."""
    from . import merge as merging
    from .venues import is_preprint_venue

    ref_title, ref_authors, year = reference(ev, sources)
    q = ev.query
    context = {"listed_year": q.year, "preprint_hint": is_preprint_venue(q.venue), "kind": q.kind,
               "off_arxiv": not ev.ids.arxiv and merging.links_offsite_pdf(q)}
    if request.listing:  # a listing holds every paper of its proceedings: verify only those sharing a word
        hits = list(sharing_a_word(ref_title, hits))
    checked = [replace(h, match=verify(ref_title, h, authors=ref_authors, year=year, query=request.title,
                                       rung=request.rung_name, **context)) for h in hits]
    accepted = [h for h in checked if h.match.accepted]
    rejected = sorted((h for h in checked if not h.match.accepted), key=lambda h: -h.match.title_score)
    known = {(r.source, r.source_key) for r in ev.records}
    kept = 0 if request.listing else MAX_REJECTED_KEPT  # a listing's other papers say nothing of this one
    for h in accepted + rejected[:kept]:
        if (h.source, h.source_key) not in known:
            ev.records.append(h)
    return accepted


@lru_cache(maxsize=8192)
def _words(title: str) -> frozenset[str]:
    from .match import title_tokens

    return frozenset(title_tokens(title))


def sharing_a_word(title: str, hits: Iterable[Record]) -> Iterable[Record]:
    """The hits whose titles share a distinctive word with `title` (every title `verify` can accept does;
    a listing's other papers mostly do not): a cheap cut before verifying a listing's hundreds of hits."""
    words = _words(title)
    return (h for h in hits if words & _words(h.title))


def searched(ev: Evidence, request: Request, hits: list[Record] | None, sources: Sequence[Any]) -> list[Request]:
    """A search's answer is in: the next rung when nothing published was verified; else the hit's
    follow-ups, and a re-read of the hit by its key when no more authoritative record follows."""
    from . import merge as merging

    ev.searching -= 1
    source = next(s for s in sources if s.name == request.source)
    accepted = verified(ev, request, hits or [], sources)
    best = merging.choose_version([r for r in accepted if r.published])
    if best is None:
        nxt = rung(ev, source, request.title or "", request.rung + 1, sources)
        ev.parked += [nxt] if nxt is not None else []
        return ev.claim(release(ev, sources))
    follow = follow_ups(ev, best, sources)
    by_name = {s.name: s for s in sources}
    better = [r for r in follow if by_name[r.source].rank < source.rank]
    out = ev.claim(follow)
    complete = source.hit_complete is not None and source.hit_complete(best)
    if not better and not complete and source.enriches_hits and source.lookup is not None:
        shared = source.container_of(best) if source.container_of is not None else None
        out.append(Request(source.name, "enrich", best.source_key, "re-read the verified hit by its key"
                           + (f" (or a paper of {shared})" if shared else ""), match=best.match, own=False, container=shared))
    return out + ev.claim(release(ev, sources))


def release(ev: Evidence, sources: Sequence[Any]) -> list[Request]:
    """The parked next rungs, once the group's other searches are answered: none when one of them verified
    a published version (a Crossref book settles what DBLP's second rung would look for), nor past the exact
    title when a lead — the secondary source's batch answer or verified title match — knows only a preprint."""
    if ev.searching or not ev.parked:
        return []
    parked, ev.parked = ev.parked, []
    if has_published(ev.records):
        return []
    return [r for r in parked if not (r.rung > 0 and lead_says_preprint_only(ev, sources))]


def failed(ev: Evidence, request: Request, sources: Sequence[Any] = ()) -> list[Request]:
    """A request failed (the scheduler notes the problem): it is no longer under way; a search's ladder
    stops, but for a failed listing of proceedings (the title rungs follow); other sources' parked rungs go on."""
    if request.kind in ("lookup", "batch"):
        _done(ev, request)
    elif request.kind == "search":
        ev.searching -= 1
        if request.listing:  # a listing is an extra: its failure leaves the title rungs to go on
            source = by_source(sources, request.source)
            nxt = rung(ev, source, request.title or "", request.rung + 1, sources)
            ev.parked += [nxt] if nxt is not None else []
        return ev.claim(release(ev, sources))
    return []


CONTAINER_FIELDS = ("venue", "container_title")  # the proceedings' names, as its record gives them
CONTAINER_FILLS = ("editors", "publisher", "address", "series", "volume", "isbn")  # where the hit has none


def lend(hit: Record, paper: Record) -> Record:
    """A hit completed from another paper of the same proceedings: the proceedings' fields only (booktitle,
    editors, publisher, address, series, volume); pages, DOI, title and authors stay the hit's own."""
    fields = {f: getattr(paper, f) for f in CONTAINER_FIELDS if getattr(paper, f) not in (None, "", ())}
    fields.update({f: getattr(paper, f) for f in CONTAINER_FILLS
                   if getattr(hit, f) in (None, "", ()) and getattr(paper, f) not in (None, "", ())})
    return replace(hit, **fields)


def enriched(ev: Evidence, hit_key: str, source: str, record: Record | None) -> None:
    """A hit re-read by its key replaces the hit (its search fields fill what the record lacks); a record
    of another paper of the same proceedings lends the hit its proceedings' fields."""
    if record is None:
        return
    hit = next((r for r in ev.records if r.source == source and r.source_key == hit_key and r.match is not None
                and r.match.accepted), None)
    if hit is None:
        return
    if record.source_key != hit_key:
        full = lend(hit, record)
    else:
        full = replace(record, match=hit.match, ids=record.ids.merged(hit.ids), venue=record.venue or hit.venue,
                       published=hit.published, authors=record.authors or hit.authors)
    ev.records = [r for r in ev.records if r is not hit] + [full]


__all__ = ["answered", "enriched", "Evidence", "failed", "follow_ups", "follows", "has_published", "ladder",
           "lead_naming_a_venue", "lend", "listing_for", "LISTING_RUNG", "lookups", "MAX_REJECTED_KEPT",
           "names_venue", "Phase", "reference", "release", "Request", "rung", "searched", "searches", "SearchWhen",
           "shared_listings", "sharing_a_word", "venue_paper_complete", "verified", "will_search"]
