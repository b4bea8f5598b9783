"""BibTeX answers (ACL Anthology `.bib`, DBLP `/rec/<key>.bib`) → the fields every Record takes from them.

Both services write BibTeX for one paper; reading it is the same job whichever sent it, so it lives here
once and each source adds only what is its own (ids, the CoRR rule, the Anthology's abstract).
"""
from __future__ import annotations

import re
from typing import Any

from ..names import clean_space, latex_to_text, split_bibtex_names
from . import SourceError, is_http_status

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


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


def common_fields(f: dict[str, str], title: str) -> dict[str, Any]:
    """Record keyword arguments shared by every BibTeX source (venue fields of the version it describes)."""
    from ..venues import journal_full_name, short_venue

    year = _year(f.get("year"))
    container = latex_to_text(f.get("booktitle")) or journal_full_name(latex_to_text(f.get("journal")) or None)
    return dict(
        title=title,
        authors=split_bibtex_names(f.get("author")),
        year=year,
        month=parse_month(f.get("month")),
        venue=short_venue(container, year),
        container_title=container,
        pages=normalize_pages(f.get("pages")),
        volume=clean_space(f.get("volume")) or None,
        number=clean_space(f.get("number")) or None,
        publisher=latex_to_text(f.get("publisher")) or None,
        address=latex_to_text(f.get("address")) or None,
        editors=split_bibtex_names(f.get("editor")),
        doi=clean_space(f.get("doi")).lower() or None,
        series=latex_to_text(f.get("series")) or None,
        isbn=clean_space(f.get("isbn")) or None,
    )


def fetch_text(fetcher: Any, url: str) -> str | None:
    """A per-paper .bib answer; None when the service does not know the paper (404/410, cached as such)."""
    from ..fetch import expect_bibtex

    try:
        return fetcher.get(url, validate=expect_bibtex, cache_missing=True).text
    except Exception as exc:
        if is_http_status(exc, 404, 410):
            return None
        raise
