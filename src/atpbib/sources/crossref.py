"""Crossref REST API: the publishers' own metadata behind a DOI (journals, books, non-ACL proceedings).

`/works/{doi}` for every DOI that is not arXiv's (10.48550) and not the ACL Anthology's (10.18653, whose
own records are better), named by the input or by another source's record: volume, issue, pages,
publisher, ISSN/ISBN. `/works?query.bibliographic=` only as a verified search for works no source
identifies: its top hit is often another paper. The polite pool gets `mailto` (from the User-Agent the
fetch layer sends and as a parameter); its limits: list queries one a second, little concurrency.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..model import Ids, Person, Record
from ..names import clean_space, latex_to_text
from . import SearchWhen, Source, SourceError, is_http_status

_TYPES = {
    "journal-article": ("article", True), "proceedings-article": ("inproceedings", True),
    "book-chapter": ("incollection", True), "book": ("book", True), "monograph": ("book", True),
    "edited-book": ("book", True), "reference-book": ("book", True), "posted-content": ("misc", False),
    "report": ("techreport", True), "dissertation": ("phdthesis", True),
}
_NOT_HERE = ("10.48550/", "10.18653/")  # arXiv's DataCite DOIs; the Anthology's (its own records are better)


def wants(doi: str) -> bool:
    return not doi.lower().startswith(_NOT_HERE)


def _api() -> str:
    from .. import config

    return config.endpoints().crossref


def _params() -> dict[str, str]:
    from .. import config

    mailto = config.mailto()
    return {"mailto": mailto} if mailto else {}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return clean_space(latex_to_text(value)) if isinstance(value, str) and value.strip() else None


def _date(item: dict) -> tuple[int | None, int | None]:
    for key in ("published-print", "published", "issued", "published-online"):
        parts = (item.get(key) or {}).get("date-parts") if isinstance(item.get(key), dict) else None
        if parts and parts[0] and isinstance(parts[0][0], int):
            month = parts[0][1] if len(parts[0]) > 1 and isinstance(parts[0][1], int) else None
            return parts[0][0], month
    return None, None


def record_of(item: Any) -> Record | None:
    """One Crossref work (the `message` of /works/{doi}) → Record."""
    from ..ids import ids_from_urls, norm_doi
    from ..sources.bibtex import normalize_pages
    from ..venues import short_venue

    if not isinstance(item, dict):
        return None
    doi = norm_doi(str(item.get("DOI") or ""))
    title = _first(item.get("title"))
    if not doi or not title:
        return None
    subtitle = _first(item.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    rtype, published = _TYPES.get(str(item.get("type") or ""), ("misc", False))
    year, month = _date(item)
    people = [Person(family=clean_space(a.get("family") or a.get("name")), given=clean_space(a.get("given")))
              for a in item.get("author") or [] if isinstance(a, dict) and (a.get("family") or a.get("name"))]
    editors = [Person(family=clean_space(a.get("family")), given=clean_space(a.get("given")))
               for a in item.get("editor") or [] if isinstance(a, dict) and a.get("family")]
    container = _first(item.get("container-title"))
    series = None
    if rtype == "book":
        series, container = container, None
    elif published and not container:
        published = False  # an article or paper of no named journal or proceedings cannot be cited as its venue
    isbn = _first(item.get("ISBN"))
    return Record(
        source="crossref", source_key=doi, title=title, authors=tuple(people), year=year, month=month, type=rtype,
        published=published, venue=short_venue(container or series, year) if (container or series) else None,
        container_title=container, pages=normalize_pages(_first(item.get("page"))), volume=_first(item.get("volume")),
        number=_first(item.get("issue")), publisher=_first(item.get("publisher")), editors=tuple(editors), doi=doi,
        url=f"https://doi.org/{doi}", ids=Ids(doi=doi).merged(ids_from_urls([], doi)), series=series, isbn=isbn,
    )


def _message(content: bytes) -> Any:
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise SourceError("crossref", f"Crossref answer is not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("status") != "ok":
        raise SourceError("crossref", "Crossref answer has no 'status: ok'")
    return data.get("message")


def fetch_work(fetcher: Any, doi: str, query: Any = None) -> Record | None:
    """The Crossref record of a DOI; None for a DOI Crossref does not hold (404 "Resource not found.")."""
    from ..fetch import expect_json

    doi = doi.strip()
    if not wants(doi):
        return None
    try:
        response = fetcher.get(f"{_api()}/works/{doi}", params=_params() or None, validate=expect_json,
                               cache_missing=True)
    except Exception as exc:
        if is_http_status(exc, 404):
            return None
        raise
    return record_of(_message(response.content))


def search(fetcher: Any, text: str) -> list[Record]:
    """A bibliographic query (title and authors); the caller verifies the hits."""
    from ..fetch import expect_json

    if not clean_space(text):
        return []
    params = {"query.bibliographic": clean_space(text), "rows": "5", **_params()}
    response = fetcher.get(f"{_api()}/works", params=params, validate=expect_json)
    message = _message(response.content)
    items = message.get("items") if isinstance(message, dict) else None
    return [r for r in (record_of(i) for i in items or []) if r is not None]


def _steps(title: str, authors) -> list[tuple[str, str]]:
    family = authors[0].family if authors else ""
    return [("title", re.sub(r"\s+", " ", f"{title} {family}").strip())]


SOURCE = Source(
    name="crossref", label="Crossref", rank=3, lane=1, optional=True,
    endpoints=(("crossref", "ATPBIB_CROSSREF_API", "https://api.crossref.org"),),
    intervals=(("crossref", 1.0),),  # list queries one a second in the public pool, little concurrency
    scheme="doi", lookup=fetch_work, wants=wants,
    follows_except=("acl", "openreview"),  # their DOIs are their own records: the authority answered already
    search=search, search_steps=_steps, search_when=SearchWhen.UNIDENTIFIED,
    missing="no record for DOI {id}",
)

__all__ = ["SOURCE", "fetch_work", "record_of", "search", "wants"]
