"""ACL Anthology per-paper BibTeX (`https://aclanthology.org/<id>.bib`) → Record.

The .bib is the Anthology's own citation (its editors, pages, DOI, canonical booktitle), so it is the
best record of an ACL paper; bibtexparser v2 reads it, we interpret the fields.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from ..model import Ids, Record
from ..names import clean_space, latex_to_text, split_bibtex_names
from . import SourceError, is_http_status

log = logging.getLogger(__name__)

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
PUBLISHED_TYPES = {"inproceedings", "article", "incollection", "proceedings", "book", "phdthesis", "mastersthesis"}


def bib_url(acl_id: str) -> str:
    from .. import config

    return f"{config.endpoints().acl}/{acl_id.strip()}.bib"


def parse_month(value: str | None) -> int | None:
    """'jun', '"June"', '6', or the Anthology's range 'may # " 2 - " # may # " 7"' → month number (first)."""
    if not value:
        return None
    m = re.search(r"[A-Za-z]{3,}|\d{1,2}", value)
    if not m:
        return None
    token = m.group(0)
    if token.isdigit():
        n = int(token)
        return n if 1 <= n <= 12 else None
    return MONTHS.get(token[:3].lower())


def normalize_pages(value: str | None) -> str | None:
    """'4171–4186' / '4171-4186' / '4171--4186' → '4171--4186'."""
    if not value:
        return None
    text = clean_space(value)
    text = re.sub(r"\s*(?:--|[-–—])+\s*", "--", text)
    return text or None


def _year(value: str | None) -> int | None:
    m = re.search(r"\d{4}", value or "")
    return int(m.group(0)) if m else None


def bib_fields(text: str, source: str) -> tuple[str, str, dict[str, str]]:
    """(entry type, key, {field: raw value}) of the first entry of a BibTeX text."""
    import bibtexparser

    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # bibtexparser raises assorted errors on garbage
        raise SourceError(source, f"unparseable BibTeX from {source} ({type(exc).__name__}: {exc})") from exc
    if not library.entries:
        raise SourceError(source, f"no BibTeX entry in the {source} answer")
    entry = library.entries[0]
    fields = {f.key.lower(): f.value if isinstance(f.value, str) else str(f.value) for f in entry.fields}
    return entry.entry_type.lower(), entry.key, fields


def parse_bib(text: str, acl_id: str) -> Record:
    """One Anthology .bib → Record (published venue version)."""
    from ..venues import short_venue

    etype, _key, f = bib_fields(text, "acl")
    year = _year(f.get("year"))
    container = latex_to_text(f.get("booktitle") or f.get("journal")) or None
    doi = clean_space(f.get("doi")).lower() or None
    url = clean_space(f.get("url")) or f"https://aclanthology.org/{acl_id}/"
    return Record(
        source="acl",
        source_key=acl_id,
        title=latex_to_text(f.get("title")),
        authors=split_bibtex_names(f.get("author")),
        year=year,
        month=parse_month(f.get("month")),
        type=etype,
        published=etype in PUBLISHED_TYPES,
        venue=short_venue(container, year),
        container_title=container,
        pages=normalize_pages(f.get("pages")),
        volume=clean_space(f.get("volume")) or None,
        number=clean_space(f.get("number")) or None,
        publisher=latex_to_text(f.get("publisher")) or None,
        address=latex_to_text(f.get("address")) or None,
        editors=split_bibtex_names(f.get("editor")),
        doi=doi,
        url=url,
        abstract=latex_to_text(f.get("abstract")) or None,
        ids=Ids(acl=acl_id, doi=doi),
    )


def fetch_bib(fetcher: Any, acl_id: str) -> Record | None:
    """The Anthology record for an id; None when the Anthology does not know the id (404)."""
    from ..fetch import expect_bibtex

    acl_id = acl_id.strip()
    try:
        response = fetcher.get(bib_url(acl_id), validate=expect_bibtex, cache_missing=True)  # a 404 is an answer: cached
    except Exception as exc:
        if is_http_status(exc, 404, 410):
            return None
        raise
    return parse_bib(response.text, acl_id)


__all__ = ["bib_fields", "bib_url", "fetch_bib", "normalize_pages", "parse_bib", "parse_month"]
