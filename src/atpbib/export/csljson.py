"""Works → CSL-JSON (the input format of citeproc: pandoc, Zotero, citation-js).

Valid against the CSL 1.0.2 schema (../shared/csl-data.json). Preprints follow Zotero's shape for arXiv
items — type "article", publisher "arXiv", number "arXiv:ID" and the arXiv DOI — because that is what
CSL styles print as a preprint reference.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..model import Person, Work
from . import category, description, pages_range, sections, volume_number, work_doi, work_url
from .latex import clean_text

CSL_TYPES = {
    "inproceedings": "paper-conference",
    "article": "article-journal",
    "preprint": "article",
    "book": "book",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "blog": "post-weblog",
    "repository": "software",
    "talk": "speech",
    "website": "webpage",
    "misc": "article",
}


def csl_name(person: Person) -> dict[str, str] | None:
    family, given = clean_text(person.family), clean_text(person.given)
    if not family and not given:
        return None
    if not family or not given:
        return {"literal": family or given}
    name: dict[str, str] = {"family": family, "given": given}
    if "," in family:
        fam, suffix = (s.strip() for s in family.split(",", 1))
        if fam:
            name["family"] = fam
            if suffix:
                name["suffix"] = suffix
    return name


def _names(people: Sequence[Person]) -> list[dict[str, str]]:
    return [n for n in (csl_name(p) for p in people) if n]


def csl_item(work: Work) -> dict[str, Any]:
    """One CSL item; `id` is the citation key."""
    cat = category(work)
    item: dict[str, Any] = {"id": work.key, "type": CSL_TYPES.get(cat, "article")}

    def put(name: str, value: Any) -> None:
        if isinstance(value, str):
            value = clean_text(value)
        if value not in (None, "", [], {}):
            item[name] = value

    put("title", work.title)
    put("author", _names(work.authors))
    if cat == "techreport" and not work.authors and not work.editors and work.publisher:
        # a report no source names the authors of is cited under its institution (as the .bib does)
        put("author", [{"literal": clean_text(work.publisher)}])
    put("editor", _names(work.editors))
    if work.year:
        parts: list[int] = [work.year]
        if work.month and 1 <= work.month <= 12:
            parts.append(work.month)
        item["issued"] = {"date-parts": [parts]}
    if cat == "book":
        put("collection-title", work.series or work.container_title)
        put("collection-number", work.volume)
        put("ISBN", work.isbn)
    else:
        volume, number = volume_number(work)
        put("container-title", work.container_title)
        put("volume", volume)
        put("issue", number)
    put("page", pages_range(work.pages, "-"))
    if cat == "preprint" and work.ids.arxiv:
        put("publisher", work.publisher or "arXiv")
        put("number", f"arXiv:{work.ids.arxiv}")
    else:
        put("publisher", work.publisher)
        if cat == "repository" and (work.ids.github or "github.com" in (work_url(work) or "")):
            put("publisher", work.publisher or "GitHub")
    put("publisher-place", work.address)
    if cat == "misc" and work.venue and not work.container_title:
        put("container-title", work.venue)
    put("DOI", work_doi(work, cat))
    put("URL", work_url(work))
    put("abstract", work.abstract)
    if cat in ("blog", "repository", "talk", "website", "misc"):
        put("note", description(work))
    put("keyword", ", ".join(s.replace(",", " ") for s in sections(work)))
    return item


def write_csl_json(works: Sequence[Work]) -> str:
    """A JSON array, one item per work in the order given; works without a key get one."""
    from ..keys import ensure_keys

    items = [csl_item(w) for w in ensure_keys(works)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


__all__ = ["CSL_TYPES", "csl_name", "csl_item", "write_csl_json"]
