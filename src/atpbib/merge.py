"""Records → Work: choose the version to cite, fill each field from the best source.

Authority is each source's declared rank (sources/): the ACL Anthology and (accepted) OpenReview notes
for their own venues, DBLP for other published venues, arXiv for the preprint and the abstract; a
secondary source only fills what no other record gives. The query's own hints are evidence only; what the
input says against the sources is the input's business (inputs/markdown.discrepancies).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from . import venues
from .identity import same_work  # noqa: F401  (the one identity rule, re-exported for callers)
from .model import RESOLVABLE_KINDS, Ids, Query, Record, Work
from .problems import AUTHORS_UNKNOWN, Problem
from .sources import by_name, rank_of



def _rank(r: Record) -> int:
    return rank_of(r.source)


def is_secondary(r: Record) -> bool:
    source = by_name(r.source)
    return bool(source and source.secondary)


def _authority(r: Record, what: str) -> bool:
    """Is r's source the declared authority for `what` ("preprint", "abstract")?"""
    return bool(getattr(by_name(r.source), f"{what}_authority", False))

_FIELDS = (
    "title", "authors", "year", "month", "type", "venue", "container_title", "pages", "volume",
    "number", "publisher", "address", "editors", "doi", "url", "abstract", "primary_class", "series", "isbn",
)


def _is_workshop(r: Record) -> bool:
    return venues.is_workshop(r.venue) or venues.is_workshop(r.container_title)


def choose_version(records: Sequence[Record]) -> Record | None:
    """The record to cite: a published venue version if there is one, else the preprint."""
    published = [r for r in records if r.published]
    if published:
        # main venues before workshops, then by source authority, then the earliest publication
        return min(published, key=lambda r: (is_secondary(r), _is_workshop(r), _rank(r), r.year or 9999))
    # the preprint authority (arXiv) first: DBLP's CoRR copy of it comes second
    preprints = sorted(records, key=lambda r: (is_secondary(r), not _authority(r, "preprint"), _rank(r)))
    return preprints[0] if preprints else None


def _first(records: Iterable[Record], attr: str):
    for r in records:
        value = getattr(r, attr)
        if value not in (None, "", ()):
            return value, r.source
    return None, None


def links_offsite_pdf(query: Query) -> bool:
    """Does the list link the paper as a PDF on a host that is no paper service (a course page, a company's
    site)? Such a work is probably not an arXiv paper: a look-alike there must not be taken for it."""
    from .ids import identify, is_code_label

    for link in query.links:
        url = link.url.lower().split("?")[0]
        if is_code_label(link.label) or not url.startswith("http"):
            continue
        if url.endswith(".pdf") and not {k for k in identify(link.url) if k != "github"}:
            return True
    return False


def report_institution(query: Query) -> str | None:
    """Who issued a report no service lists: the institution whose site hosts the PDF, else the list's hint
    when it names no venue ("CS224n Winter2019
    Reports"), after the institution whose site hosts the PDF."""
    for link in query.links:
        if (name := venues.institution_of_url(link.url)):
            return name
    hint = (query.venue_raw or "").strip()
    if hint and not venues.is_preprint_venue(query.venue) and venues.canonical(query.venue) is None:
        return hint
    return None


def _from_secondary(base: Work, secondary: Sequence[Record]) -> Work:
    """A work no authoritative source knows, completed from secondary evidence (Semantic Scholar): its
    authors (a report's), its ids — never its year or venue, which such a source gets wrong."""
    authors = next((r.authors for r in secondary if r.authors), ())
    ids = base.ids
    for r in secondary:
        ids = ids.merged(Ids(**{k: v for k, v in r.ids.known().items() if k in ("arxiv", "acl", "doi", "openreview")}))
    provenance = list(base.provenance) + ([("authors", secondary[0].source)] if authors else [])
    problems = tuple(p for p in base.problems if not (authors and str(p) == AUTHORS_UNKNOWN))
    status = base.status
    if authors and base.type == "techreport" and not problems:
        status = "resolved"
    return base.with_(authors=authors or base.authors, ids=ids, provenance=tuple(provenance), problems=problems,
                      status=status, sources=tuple(dict.fromkeys(base.sources + tuple(r.source for r in secondary))))


def list_only_work(queries: Sequence[Query], problems: Sequence[str] = ()) -> Work:
    """A work known only from its input: title, hints and links."""
    first = queries[0]
    ids = Ids()
    for q in queries:
        ids = ids.merged(q.ids)
    url = next((l.url for q in queries for l in q.links if l.url.startswith("http")), None)
    resolvable = first.kind in RESOLVABLE_KINDS
    has_ids = any(v for k, v in ids.known().items() if k != "github")
    # a blog post, repository or talk has nothing to resolve: the list is its authoritative record
    wtype = "book" if first.kind == "book" else "misc"
    institution = None
    problems = list(problems)
    if first.kind == "paper" and not has_ids and links_offsite_pdf(first):
        # a report on a course page or a company's site: cited as the report it is, never as an author-less misc
        wtype, institution = "techreport", report_institution(first)
        problems.append(Problem(AUTHORS_UNKNOWN, kind="authors-unknown"))
    status = ("partial" if (has_ids or problems) else "unresolved") if resolvable else "resolved"
    provenance = [(f, "list") for f in ("title", "year", "venue", "url")]
    if institution:
        provenance.append(("publisher", "list"))
    return Work(
        title=first.title,
        origins=tuple(q.origin for q in queries),
        kind=first.kind,
        authors=first.authors,
        year=first.year,
        type=wtype,
        # a report is issued by its institution, whatever venue the list guessed ("CoRR 2018" for OpenAI's)
        venue=(venues.short_venue(institution, first.year) if institution else None) if wtype == "techreport"
        else (venues.short_venue(first.venue, first.year) if first.venue else None),
        publisher=institution,
        url=url,
        ids=ids,
        status=status,
        sources=("list",),
        provenance=tuple(provenance),
        problems=tuple(problems),
    )


def merge(queries: Sequence[Query], records: Sequence[Record], problems: Sequence[str] = ()) -> Work:
    """One Work from every accepted record about the same paper."""
    accepted = [r for r in records if r.match is None or r.match.accepted]
    authoritative = [r for r in accepted if not is_secondary(r)]
    chosen = choose_version(authoritative)
    if chosen is None:
        secondary = [r for r in accepted if is_secondary(r)]
        base = list_only_work(queries, problems)
        # the candidates that were not verified stay on record as evidence, with their reasons
        base = base.with_(matches=tuple(dict.fromkeys(r.match for r in records if r.match is not None)))
        return _from_secondary(base, secondary) if secondary else base
    # field order of preference: the chosen version, then the other published ones, then the preprint;
    # a secondary source (evidence only) last
    ordered = [chosen] + sorted(
        (r for r in accepted if r is not chosen),
        key=lambda r: (is_secondary(r), not r.published, _rank(r)),
    )
    values: dict[str, object] = {}
    provenance: list[tuple[str, str]] = []
    version_fields = ("type", "venue", "container_title", "pages", "volume", "number", "publisher", "address",
                      "editors", "month", "year", "doi", "series", "isbn")
    # records of the very same version (the same DOI: DBLP's and Crossref's of one article) complete it
    same_version = [r for r in ordered[1:] if r.published and chosen.doi and r.doi and r.doi.lower() == chosen.doi.lower()
                    and not is_secondary(r)]
    for name in _FIELDS:
        if name in version_fields:
            # a venue's pages/publisher must never be mixed with another version's
            value, source = getattr(chosen, name), chosen.source
            if value in (None, "", ()) and name not in ("type", "venue", "year"):
                value, source = _first(same_version, name)
            if value in (None, "", ()):
                value, source = (None, None)
        elif name == "abstract":
            value, source = _first(sorted(accepted, key=lambda r: (is_secondary(r), not _authority(r, "abstract"))), name)
        else:
            value, source = _first(ordered, name)
        if value not in (None, "", ()):
            values[name] = value
            provenance.append((name, source))
    # the entry type is one decision from the venue (venues.entry_type), not whichever record's type won
    decided = venues.entry_type(values.get("type"), values.get("venue"), published=chosen.published)  # type: ignore[arg-type]
    if decided.type != values.get("type"):
        values["type"] = decided.type
        provenance = [(f, src) for f, src in provenance if f != "type"] + [("type", "venues")]
    if not values.get("title"):
        values["title"] = queries[0].title  # no source gave a usable title: the input's stands in
        provenance.append(("title", "list"))
    if "year" not in values:
        # the chosen version gave no date: another record of the same kind of version, else the list's hint
        same_kind = [r for r in ordered if r.published == chosen.published and r.year]
        if same_kind:
            values["year"] = same_kind[0].year
            provenance.append(("year", same_kind[0].source))
        elif queries[0].year:
            values["year"] = queries[0].year
            provenance.append(("year", "list"))
    if chosen.published and not values.get("container_title"):
        # ICLR notes and some DBLP records name no proceedings: use the venue's own full name
        full = venues.full_name(chosen.venue)
        if full:
            values["container_title"] = full
            provenance.append(("container_title", "venues"))

    ids = Ids()
    for q in queries:
        ids = ids.merged(q.ids)
    for r in ordered:
        ids = ids.merged(r.ids)
    if chosen.doi:
        ids = replace(ids, doi=chosen.doi)  # the cited version's DOI; other versions' stay only if it has none
    sources = tuple(sorted({r.source for r in accepted}, key=rank_of))
    matches = tuple(dict.fromkeys(r.match for r in records if r.match is not None))  # one per distinct piece of evidence
    status = "partial" if problems else "resolved"
    return Work(
        origins=tuple(q.origin for q in queries),
        kind=queries[0].kind,
        ids=ids,
        status=status,
        sources=sources,
        provenance=tuple(provenance),
        matches=matches,
        problems=tuple(problems),
        **values,  # type: ignore[arg-type]
    )



__all__ = ["RESOLVABLE_KINDS", "choose_version", "is_secondary", "links_offsite_pdf", "list_only_work", "merge", "report_institution",
           "same_work"]
