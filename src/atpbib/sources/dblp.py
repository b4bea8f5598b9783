"""DBLP publication search (JSON) and record BibTeX (`/rec/<key>.bib`) → Record.

DBLP is where a preprint's published version is found by title: it lists the conference/journal
record and the CoRR record of a paper side by side, with keys, DOIs and the arXiv volume.
"""
from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from typing import Any

from ..model import Ids, Record
from ..names import clean_space, latex_to_text, person_from_display
from . import Source, SourceError
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


def record_ids(key: str | None, venue: str | None, volume: str | None, urls: list[str], doi: str | None,
               eprint: str | None = None) -> Ids:
    """Every id a DBLP record names: its key, its DOI, and what its `ee` links point at (the OpenReview
    forum, the Anthology page, the arXiv abstract); a CoRR record's volume `abs/ID` is its arXiv id."""
    from ..ids import ids_from_urls, norm_arxiv

    found = ids_from_urls(urls, doi)
    arxiv = norm_arxiv(eprint) if eprint else None
    if not arxiv and volume and (venue or "").lower().startswith("corr") and volume.strip().startswith("abs/"):
        arxiv = norm_arxiv(volume.strip()[4:])
    return Ids(dblp=key, doi=doi).merged(Ids(arxiv=arxiv)).merged(found)


def _title(text: str | None) -> str:
    title = latex_to_text(text) if text and re.search(r"[\\{}]", text) else clean_space(text)
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def _year(value: Any) -> int | None:
    m = re.search(r"\d{4}", str(value or ""))
    return int(m.group(0)) if m else None


# -- search -----------------------------------------------------------------------------------------


def _hit_record(info: dict) -> Record | None:
    from ..venues import journal_full_name, short_venue

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
    return Record(
        source="dblp",
        source_key=key,
        title=_title(_first(info.get("title"))),
        authors=tuple(person_from_display(n) for n in names),
        year=year,
        type=rtype,
        published=published,
        venue=short_venue(venue_raw, year),
        container_title=journal_full_name(venue_raw) if rtype == "article" else None,
        pages=normalize_pages(_first(info.get("pages"))),
        volume=volume,
        number=_first(info.get("number")),
        doi=doi,
        url=ees[0] if ees else None,  # as its BibTeX: the paper's own link, never DBLP's page
        ids=record_ids(key, venue_raw, volume, ees, doi),
        venue_status=venue_raw,
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


RUNGS = ("title", "words", "author+words")


def search_rungs(title: str, first_family: str | None = None) -> list[tuple[str, str]]:
    """The ladder of DBLP queries for a title, best first, each (rung, query), without repeats.

    DBLP wants every query word in the record (prefix matching), so one changed word in a published
    version's title gives no hit: the later rungs keep only the title's four longest distinctive words
    (stemmed, so 'Transformers' still finds 'Transformer'), then the first author's family name with the
    title's first two distinctive words (a paper's name, 'Poly-encoders', outlives a retitling)."""
    from ..match import title_tokens

    words = list(dict.fromkeys(w for w in title_tokens(title) if len(w) > 2 and not w.isdigit()))
    longest = sorted(words, key=lambda w: (-len(w), words.index(w)))
    distinctive = [w for w in words if w in longest[:4]]
    ladder = [("title", search_query(title)), ("words", " ".join(distinctive))]
    family = search_query(first_family or "")
    if family and words:
        ladder.append(("author+words", " ".join([family] + words[:2])))
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for rung, query in ladder:
        key = query.lower()
        if query and key not in seen and len(query.split()) >= (1 if rung == "title" else 2):
            seen.add(key)
            out.append((rung, query))
    return out


def search(fetcher: Any, title: str, max_hits: int = 10) -> list[Record]:
    from .. import config
    from ..fetch import expect_json

    query = search_query(title)
    if not query:
        return []
    params = {"q": query, "format": "json", "h": max(1, min(max_hits, 1000))}
    response = fetcher.get(f"{config.endpoints().dblp}/search/publ/api", params=params, validate=expect_json)
    return parse_search(response.content)


LISTING_HITS = 1000  # DBLP's cap on hits per request: one request lists a proceedings of up to 1,000 papers


@lru_cache(maxsize=4096)  # asked for every lead, rung and follow-up of a run: the venue grammar once per name
def listing_query(venue: str | None) -> str | None:
    """One DBLP query that lists a conference's proceedings of one year ("ICLR 2020": DBLP's venue label
    and year, every word a prefix of the records' venue and year), from a lead's venue name that says
    both ("8th International Conference on Learning Representations, ICLR 2020, …"). None for a name
    without a year, a preprint server, a journal (listed by volume) or a workshop (labelled by its host)."""
    from ..venues import JOURNALS, canonical, is_preprint_venue, is_workshop, short_venue

    known = canonical(venue) if venue and not is_preprint_venue(venue) else None
    years = re.findall(r"\b(?:19|20)\d\d\b", venue or "")
    if known is None or known.short in JOURNALS or is_workshop(known.short) or len(set(years)) != 1:
        return None
    return search_query(short_venue(venue, int(years[0])) or "") or None


def list_venue(fetcher: Any, query: str) -> list[Record]:
    """Every record the listing query finds (up to DBLP's cap): one request for all papers of the run in
    those proceedings; each group verifies the hits as it would a title search's."""
    return search(fetcher, query, max_hits=LISTING_HITS)


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
        ids=record_ids(source_key, journal, fields["volume"], [url] if url else [], fields["doi"], eprint or None),
        **fields,
    )


def proceedings_of(record: Any) -> str | None:
    """The proceedings a conference paper's search hit belongs to: DBLP's venue label as given (with its
    volume or track: "ACL (1)", "EMNLP (Findings)") and its year name one proceedings record. One paper's
    record of them gives every paper of them its booktitle, editors, publisher and address (the `crossref`
    that DBLP's papers of one proceedings share)."""
    if record.type != "inproceedings" or not record.published or not record.venue_status or not record.year:
        return None
    return f"{record.venue_status}|{record.year}"


def carries_its_record(record: Any) -> bool:
    """A journal article's search hit carries what its BibTeX would give (journal, volume, number, pages,
    DOI, link): re-reading it by its key adds nothing to cite."""
    return record.type == "article" and record.published and bool(record.volume and record.pages)


def bib_url(key: str) -> str:
    from .. import config

    return f"{config.endpoints().dblp}/rec/{key.strip()}.bib"


def fetch_bib(fetcher: Any, key: str) -> Record | None:
    """The record's BibTeX; None when DBLP has no such key (404)."""
    text = fetch_text(fetcher, bib_url(key))
    return None if text is None else parse_bib(text)


SOURCE = Source(
    name="dblp", label="DBLP", rank=2, lane=1,
    endpoints=(("dblp", "ATPBIB_DBLP_URL", "https://dblp.org"),),
    intervals=(("dblp", 1.0),),  # dblp FAQ: one or two seconds between requests
    scheme="dblp", lookup=lambda fetcher, key, query: fetch_bib(fetcher, key),
    search=lambda fetcher, text: search(fetcher, text),
    search_steps=lambda title, authors: search_rungs(title, authors[0].family if authors else None),
    listing_of=listing_query, lists=list_venue,
    enriches_hits=True, container_of=proceedings_of, hit_complete=carries_its_record,
    wants=lambda key: not key.startswith("journals/corr/"),  # S2's DBLP id is often the CoRR copy
    missing="no record for {id}",
)

__all__ = ["LISTING_HITS", "SOURCE", "RUNGS", "list_venue", "listing_query", "proceedings_of", "record_ids", "search_rungs", "bib_url", "fetch_bib", "parse_bib", "parse_search", "search", "search_query"]
