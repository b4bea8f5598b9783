"""arXiv API (Atom feed) → Record.

Why our own parser rather than the `arxiv` package's: arxiv 4.x parses with the private
`arxiv._feed.parse`, which (a) uses lxml with `recover=True`, so a truncated feed silently yields the
entries before the cut, (b) drops an error entry (it has no <published>), making arXiv's error feed look
like an empty result, and (c) accepts a DTD. We parse with defusedxml (DTDs and entities forbidden, so an
entity-expansion bomb is rejected before any expansion) over the C expat parser, by namespace + tag, never
by element order — the 2016 and 2026 feed layouts differ in order, namespace placement and wrapping.
"""
from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from ..model import Ids, Record
from ..names import clean_space, person_from_display
from ..ids import landing
from . import Source, SourceError

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_VERSION_RE = re.compile(r"^(?P<id>.+?)(?:v(?P<v>\d+))?$")
_MAX_BATCH = 2000  # the API serves at most 2000 results per call


def split_version(arxiv_id: str) -> tuple[str, int | None]:
    """'1909.10351v5' → ('1909.10351', 5); '1909.10351' → ('1909.10351', None)."""
    m = _VERSION_RE.match(arxiv_id.strip())
    assert m is not None  # the pattern matches any non-empty string
    return m.group("id"), int(m.group("v")) if m.group("v") else None


def is_valid_id(arxiv_id: str) -> bool:
    """An id arXiv's id_list accepts (new or old scheme, optional version): the one id table decides."""
    from ..ids import is_arxiv_id

    return is_arxiv_id(arxiv_id)


# -- parsing ----------------------------------------------------------------------------------------


def _parse_xml(content: bytes) -> Any:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError("arxiv", f"arXiv answer rejected: it declares a DTD or entities ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise SourceError("arxiv", f"arXiv answer is not well-formed XML ({exc})") from exc


def _text(elem: Any, tag: str) -> str | None:
    child = elem.find(tag)
    if child is None or child.text is None:
        return None
    text = clean_space(child.text)
    return text or None


def _date(value: str | None) -> tuple[int | None, int | None]:
    m = re.match(r"^\s*(\d{4})-(\d{2})", value or "")
    if not m:
        return None, None
    return int(m.group(1)), int(m.group(2))


def _entry_id(raw: str) -> str:
    """'http://arxiv.org/abs/1707.08567v1' → '1707.08567v1' (also old-style 'astro-ph/0601001v1')."""
    raw = raw.strip()
    idx = raw.find("/abs/")
    return raw[idx + 5 :] if idx >= 0 else raw.rsplit("/", 1)[-1]


def _is_error_entry(entry: Any) -> bool:
    eid = entry.findtext(f"{ATOM}id") or ""
    return "/api/errors" in eid or (clean_space(entry.findtext(f"{ATOM}title")) == "Error" and entry.find(f"{ATOM}published") is None)


def _record(entry: Any) -> Record | None:
    raw_id = entry.findtext(f"{ATOM}id")
    if not raw_id:
        log.warning("arXiv entry without <id> skipped")
        return None
    base, version = split_version(_entry_id(raw_id))
    year, month = _date(entry.findtext(f"{ATOM}published"))
    authors = tuple(
        person_from_display(name)
        for name in (clean_space(a.findtext(f"{ATOM}name")) for a in entry.iter(f"{ATOM}author"))
        if name
    )
    primary = entry.find(f"{ARXIV}primary_category")
    primary_class = primary.get("term") if primary is not None else None
    if not primary_class:
        first = entry.find(f"{ATOM}category")
        primary_class = first.get("term") if first is not None else None
    doi = _text(entry, f"{ARXIV}doi")
    doi = doi.lower() if doi else None
    return Record(
        source="arxiv",
        source_key=base,
        title=_text(entry, f"{ATOM}title") or "",
        authors=authors,
        year=year,
        month=month,
        type="misc",
        published=False,
        venue="arXiv",
        doi=doi,
        url=landing("arxiv", base),
        abstract=_text(entry, f"{ATOM}summary"),
        ids=Ids(arxiv=base, doi=doi),
        primary_class=primary_class or None,
        arxiv_version=version,
        journal_ref=_text(entry, f"{ARXIV}journal_ref"),
        comment=_text(entry, f"{ARXIV}comment"),
    )


def parse_feed(content: bytes) -> list[Record]:
    """An arXiv API answer → one Record per entry; raises SourceError for arXiv's error feed."""
    root = _parse_xml(content)
    if root.tag != f"{ATOM}feed":
        raise SourceError("arxiv", f"arXiv answer is not an Atom feed (root <{root.tag}>)")
    records: list[Record] = []
    for entry in root.iter(f"{ATOM}entry"):
        if _is_error_entry(entry):
            message = _text(entry, f"{ATOM}summary") or _entry_id(entry.findtext(f"{ATOM}id") or "")
            raise SourceError("arxiv", f"arXiv API error: {message}")
        record = _record(entry)
        if record is not None:
            records.append(record)
    return records


# -- requests ---------------------------------------------------------------------------------------


def _api() -> str:
    from .. import config

    return config.endpoints().arxiv


def _get(fetcher: Any, params: dict[str, Any]) -> bytes:
    from ..fetch import expect_xml

    return fetcher.get(_api(), params=params, validate=expect_xml).content


def fetch_by_ids(
    fetcher: Any, ids: list[str], batch_size: int = 100, errors: dict[str, BaseException] | None = None
) -> dict[str, Record]:
    """Records for many ids in few requests (id_list batches); ids arXiv does not know are absent.

    Keys are the ids as given. Malformed ids are never sent: one of them would make arXiv reject the
    whole batch with HTTP 400. With `errors`, a failed batch is recorded there per id (the records
    already found are kept) instead of raised.
    """
    batch_size = max(1, min(batch_size, _MAX_BATCH))
    wanted: dict[str, list[str]] = {}  # id as requested → the caller's spellings
    for raw in ids:
        ident = (raw or "").strip()
        if not is_valid_id(ident):
            log.warning("not an arXiv identifier, not requested: %r", raw)
            continue
        wanted.setdefault(ident, []).append(raw)
    from ..fetch import expect_xml

    answers, failed = fetcher.get_batch(
        _api(), list(wanted), batch_params=lambda batch: {"id_list": ",".join(batch), "max_results": len(batch)},
        item_params=_single, split=_split_feed, content_type="application/atom+xml; charset=utf-8",
        batch_size=batch_size, validate=expect_xml)
    found: dict[str, Record] = {}
    for ident, spellings in wanted.items():
        if ident in failed:
            if errors is None:
                raise failed[ident]
            for spelling in spellings:
                errors[spelling] = failed[ident]
            continue
        records = parse_feed(answers[ident]) if ident in answers else []
        if records:  # an empty feed: arXiv has no such id
            for spelling in spellings:
                found[spelling] = records[0]
    return found


def _single(ident: str) -> dict[str, Any]:
    return {"id_list": ident, "max_results": 1}


def _split_feed(content: bytes, batch: Sequence[str]) -> dict[str, bytes]:
    """A batch answer → one single-entry feed per id (the fetch layer caches each as its own answer)."""
    parse_feed(content)  # raises SourceError for arXiv's error feed: nothing of it is stored
    feed = _parse_xml(content)
    by_base: dict[str, Any] = {}
    by_full: dict[str, Any] = {}
    for entry in feed.findall(f"{ATOM}entry"):
        if _is_error_entry(entry):
            continue
        base, version = split_version(_entry_id(_text(entry, f"{ATOM}id") or ""))
        by_base.setdefault(base, entry)
        if version is not None:
            by_full.setdefault(f"{base}v{version}", entry)
    out: dict[str, bytes] = {}
    for ident in batch:
        base, version = split_version(ident)
        entry = (by_full.get(ident) if version is not None else None) or by_base.get(base)
        single = ET.Element(f"{ATOM}feed")
        if entry is not None:
            single.append(entry)
        # else: an empty feed, arXiv's own answer for an id it does not know, remembered as such
        out[ident] = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(single, encoding="utf-8")
    return out


def title_query(title: str) -> str:
    """`ti:"…"` phrase for a title: characters that break arXiv's query syntax become spaces."""
    words = re.sub(r"[^\w]+", " ", title or "", flags=re.UNICODE).replace("_", " ").split()
    return f'ti:"{" ".join(words)}"' if words else ""


def search_title(fetcher: Any, title: str, max_results: int = 5) -> list[Record]:
    """Title search (phrase match); the caller verifies the hits."""
    query = title_query(title)
    if not query:
        return []
    return parse_feed(_get(fetcher, {"search_query": query, "max_results": max(1, max_results)}))


def _search_steps(title: str, authors) -> list[tuple[str, str]]:
    return [("title", title)]


SOURCE = Source(
    name="arxiv", label="arXiv", rank=4, lane=1,
    endpoints=(("arxiv", "ATPBIB_ARXIV_API", "https://export.arxiv.org/api/query"),),
    intervals=(("arxiv", 3.0),),  # arXiv's terms of use: one request every three seconds
    scheme="arxiv",
    lookup_many=lambda fetcher, ids, errors: fetch_by_ids(fetcher, ids, errors=errors),
    search=search_title, search_steps=_search_steps,
    preprint_authority=True, abstract_authority=True,  # the preprint itself; DBLP's CoRR record is a copy
    follows=False,  # its ids come in its one batch, never one by one
    missing="no record for arXiv:{id}",
)

__all__ = ["SOURCE", "fetch_by_ids", "is_valid_id", "parse_feed", "search_title", "split_version", "title_query"]
