"""DBLP publication search (JSON) and record BibTeX (`/rec/<key>.bib`) → Record.

DBLP is where a preprint's published version is found by title: it lists the conference/journal
record and the CoRR record of a paper side by side, with keys, DOIs and the arXiv volume.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any

from ..model import Ids, Record
from ..names import clean_space, latex_to_text, person_from_display
from . import SourceError
from .bibtex import bib_fields, common_fields, fetch_text, normalize_pages

log = logging.getLogger(__name__)

TYPE_MAP = {
    "conference and workshop papers": ("inproceedings", True),
    "journal articles": ("article", True),
    "parts in books or collections": ("incollection", True),
    "books and theses": ("book", True),
    "editorship": ("proceedings", True),
    "informal and other publications": ("misc", False),
    "informal publications": ("misc", False),
    "reference works": ("misc", False),
    "data and artifacts": ("misc", False),
}
PUBLISHED_BIB_TYPES = {"inproceedings", "article", "incollection", "book", "proceedings", "phdthesis", "mastersthesis"}
_ACL_DOI = re.compile(r"^10\.18653/v1/(.+)$", re.I)
_ACL_URL = re.compile(r"(?:aclanthology\.org|aclweb\.org/anthology)/([A-Za-z0-9.\-]+?)(?:\.pdf|\.bib|/)?$", re.I)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:v\d+)?(?:\.pdf)?$", re.I)
_CORR_VOLUME = re.compile(r"^abs/(.+)$")


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("text")
    if not isinstance(value, str):  # a number or object where text belongs is junk, never an identifier
        return None
    text = clean_space(value)
    return text or None


def _all(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [t for t in (_first(i) for i in items) if t]


def acl_id_from(doi: str | None = None, urls: list[str] | None = None) -> str | None:
    """The Anthology id behind an ACL DOI (10.18653/v1/N19-1423) or Anthology URL, case restored."""
    candidates = []
    if doi:
        m = _ACL_DOI.match(doi.strip())
        if m:
            candidates.append(m.group(1))
    for url in urls or []:
        m = _ACL_URL.search(url.strip())
        if m:
            candidates.append(m.group(1))
    for raw in candidates:
        if re.fullmatch(r"[A-Za-z]\d{2}-\d{4}", raw):
            return raw.upper()  # old style: P19-1295
        if re.fullmatch(r"\d{4}\.[A-Za-z0-9\-]+\.\d+", raw):
            return raw.lower()  # new style: 2020.acl-main.1
    return None


def arxiv_id_from(venue: str | None, volume: str | None, urls: list[str] | None = None, eprint: str | None = None) -> str | None:
    if eprint:
        return re.sub(r"v\d+$", "", eprint.strip())
    if volume and (venue or "").lower().startswith("corr"):
        m = _CORR_VOLUME.match(volume.strip())
        if m:
            return m.group(1)
    for url in urls or []:
        m = _ARXIV_URL.search(url.strip())
        if m:
            return m.group(1)
    return None


def _title(text: str | None) -> str:
    title = latex_to_text(text) if text and re.search(r"[\\{}]", text) else clean_space(text)
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def _year(value: Any) -> int | None:
    m = re.search(r"\d{4}", str(value or ""))
    return int(m.group(0)) if m else None


# -- search -----------------------------------------------------------------------------------------


def _hit_record(info: dict) -> Record | None:
    from ..venues import short_venue

    key = _first(info.get("key"))
    if not key:
        return None
    authors_obj = info.get("authors") or {}
    names = _all(authors_obj.get("author") if isinstance(authors_obj, dict) else authors_obj)
    venue_raw = _first(info.get("venue"))
    year = _year(info.get("year"))
    dtype = (_first(info.get("type")) or "").lower()
    rtype, published = TYPE_MAP.get(dtype, ("misc", False))
    is_corr = (venue_raw or "").lower().startswith("corr")
    if is_corr:
        rtype, published = "misc", False
    volume = _first(info.get("volume"))
    doi = (_first(info.get("doi")) or "").lower() or None
    ees = _all(info.get("ee"))
    arxiv_id = arxiv_id_from(venue_raw, volume, ees)
    return Record(
        source="dblp",
        source_key=key,
        title=_title(_first(info.get("title"))),
        authors=tuple(person_from_display(n) for n in names),
        year=year,
        type=rtype,
        published=published,
        venue=short_venue(venue_raw, year),
        container_title=venue_raw if rtype == "article" else None,
        pages=normalize_pages(_first(info.get("pages"))),
        volume=volume,
        number=_first(info.get("number")),
        doi=doi,
        url=ees[0] if ees else _first(info.get("url")),
        ids=Ids(dblp=key, doi=doi, arxiv=arxiv_id, acl=acl_id_from(doi, ees)),
    )


def parse_search(obj: Any) -> list[Record]:
    """`/search/publ/api?format=json` → Records in DBLP's order; no hits → []."""
    if isinstance(obj, (bytes, str)):
        try:
            obj = json.loads(obj)
        except ValueError as exc:
            raise SourceError("dblp", f"DBLP answer is not JSON ({exc})") from exc
    result = obj.get("result") if isinstance(obj, dict) else None
    if not isinstance(result, dict):
        raise SourceError("dblp", "DBLP answer has no 'result'")
    status = result.get("status") or {}
    code = str(status.get("@code", "200")) if isinstance(status, dict) else "200"
    if code != "200":
        raise SourceError("dblp", f"DBLP search failed: {code} {status.get('text', '')}")
    hits = (result.get("hits") or {}).get("hit") or []
    if isinstance(hits, dict):
        hits = [hits]
    out = []
    for hit in hits:
        info = hit.get("info") if isinstance(hit, dict) else None
        if isinstance(info, dict):
            record = _hit_record(info)
            if record is not None:
                out.append(record)
    return out


def search_query(title: str) -> str:
    """DBLP query words for a title (its operators |, -, $, * and punctuation removed)."""
    return " ".join(re.sub(r"[^\w]+", " ", title or "", flags=re.UNICODE).replace("_", " ").split())


def search(fetcher: Any, title: str, max_hits: int = 10) -> list[Record]:
    from .. import config
    from ..fetch import expect_json

    query = search_query(title)
    if not query:
        return []
    params = {"q": query, "format": "json", "h": max(1, min(max_hits, 1000))}
    response = fetcher.get(f"{config.endpoints().dblp}/search/publ/api", params=params, validate=expect_json)
    return parse_search(response.content)


# -- record BibTeX ----------------------------------------------------------------------------------


def parse_bib(text: str) -> Record:
    """A `/rec/<key>.bib` body → Record (booktitle, publisher, editors, pages, DOI…)."""
    etype, key, f = bib_fields(text, "dblp")
    source_key = key[5:] if key.startswith("DBLP:") else key
    fields = common_fields(f, _title(f.get("title")))
    journal = latex_to_text(f.get("journal")) or None
    is_corr = (journal or "").lower().startswith("corr")
    url = clean_space(f.get("url")) or None
    eprint = clean_space(f.get("eprint")) if clean_space(f.get("eprinttype")).lower() == "arxiv" else None
    return Record(
        source="dblp",
        source_key=source_key,
        type="misc" if is_corr else etype,
        published=(not is_corr) and etype in PUBLISHED_BIB_TYPES,
        url=url,
        ids=Ids(
            dblp=source_key,
            doi=fields["doi"],
            arxiv=arxiv_id_from(journal, fields["volume"], [url] if url else [], eprint or None),
            acl=acl_id_from(fields["doi"], [url] if url else []),
        ),
        **fields,
    )


def bib_url(key: str) -> str:
    from .. import config

    return f"{config.endpoints().dblp}/rec/{key.strip()}.bib"


def fetch_bib(fetcher: Any, key: str) -> Record | None:
    """The record's BibTeX; None when DBLP has no such key (404)."""
    text = fetch_text(fetcher, bib_url(key))
    return None if text is None else parse_bib(text)


__all__ = ["acl_id_from", "arxiv_id_from", "bib_url", "fetch_bib", "parse_bib", "parse_search", "search", "search_query"]
