"""Semantic Scholar (Graph API): the widest cross-linker of ML papers — secondary evidence only.

One `POST /paper/batch` (up to 500 ids) for every arXiv, ACL and DOI id of a run, at the start beside
arXiv's batch; a `GET /paper/search/match` title match for works no other source identifies. Its
`externalIds` (DBLP, ACL, DOI, ArXiv) are leads that the authoritative sources follow; its own fields only
fill what no authoritative record gives (the authors of a report nobody else lists). Its known flaws are
kept out of the output by the merge rules: `year` is the earliest (often the preprint's) and `venue` free
text, so neither is ever cited (the venue is kept as `venue_status`, a lead: a paper S2 knows only at
"arXiv.org" climbs no DBLP search rung past the exact title, plan.lead_says_preprint_only; one that names
proceedings with their year starts with DBLP's listing of them, shared by every paper of the run in them,
plan.ladder — and then its DBLP key is not fetched on its own, plan.follow_ups); initials ("R. Child") lose to any full name; a DBLP id that points at the
CoRR record is not followed. It answers 429 without Retry-After: the fetch layer backs off exponentially.
"""
from __future__ import annotations

import json
import os
from typing import Any

from ..model import Ids, Record
from ..names import clean_space, person_from_display
from . import SearchWhen, Source, SourceError, is_http_status

FIELDS = "title,authors,year,venue,externalIds,publicationTypes"
BATCH_MAX = 500
_SCHEME_PREFIX = {"arxiv": "ARXIV", "acl": "ACL", "doi": "DOI"}


def _api() -> str:
    from .. import config

    return config.endpoints().s2


def _headers() -> dict[str, str]:
    key = os.environ.get("ATPBIB_S2_API_KEY")
    return {"x-api-key": key} if key else {}


def record_of(paper: Any) -> Record | None:
    """One Graph API paper object → a secondary Record (never a venue version)."""
    from ..ids import norm_acl, norm_arxiv, norm_doi

    if not isinstance(paper, dict) or not isinstance(paper.get("title"), str):
        return None
    ext = paper.get("externalIds") if isinstance(paper.get("externalIds"), dict) else {}
    arxiv = norm_arxiv(str(ext["ArXiv"])) if ext.get("ArXiv") else None
    acl = norm_acl(str(ext["ACL"])) if ext.get("ACL") else None
    doi = norm_doi(str(ext["DOI"])) if ext.get("DOI") else None
    dblp = str(ext["DBLP"]).strip() if ext.get("DBLP") else None
    names = [clean_space(a.get("name")) for a in paper.get("authors") or [] if isinstance(a, dict) and a.get("name")]
    year = paper.get("year") if isinstance(paper.get("year"), int) else None
    return Record(
        source="s2", source_key=str(paper.get("paperId") or ""), title=clean_space(paper["title"]),
        authors=tuple(person_from_display(n) for n in names), year=year, type="misc", published=False,
        venue=None, venue_status=clean_space(paper.get("venue")) or None if isinstance(paper.get("venue"), str) else None,
        ids=Ids(arxiv=arxiv, acl=acl, doi=doi, dblp=dblp),
    )


def parse_batch(content: bytes, keys: list[str]) -> dict[str, Record]:
    """The batch answer (a list aligned with the ids asked, `null` for unknown ones) → {key: Record}."""
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise SourceError("s2", f"Semantic Scholar answer is not JSON ({exc})") from exc
    if not isinstance(data, list):
        raise SourceError("s2", "Semantic Scholar batch answer is not a list")
    out: dict[str, Record] = {}
    for key, paper in zip(keys, data):
        record = record_of(paper)
        if record is not None:
            out[key] = record
    return out


def _ids_of(batch: list[str]) -> dict:
    return {"ids": [f"{_SCHEME_PREFIX[k.split(':', 1)[0]]}:{k.split(':', 1)[1]}" for k in batch]}


def _split(content: bytes, batch: list[str]) -> dict[str, bytes]:
    """The batch answer → one answer per id (a paper object, or `null`: S2 does not know it)."""
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise SourceError("s2", f"Semantic Scholar answer is not JSON ({exc})") from exc
    if not isinstance(data, list) or len(data) != len(batch):
        raise SourceError("s2", "Semantic Scholar batch answer is not a list aligned with the ids asked")
    return {key: json.dumps(paper).encode("utf-8") for key, paper in zip(batch, data)}


def lookup_many(fetcher: Any, keys: list[str], errors: dict) -> dict[str, Record]:
    """Records for "scheme:value" keys (arxiv, acl, doi): batches of 500, each id's answer cached as its own."""
    from ..fetch import expect_json

    wanted = [k for k in keys if k.split(":", 1)[0] in _SCHEME_PREFIX]
    answers, failed = fetcher.get_batch(
        f"{_api()}/paper/batch", wanted, batch_params=lambda batch: {"fields": FIELDS}, batch_body=_ids_of,
        item_params=lambda key: {"fields": FIELDS, "id": key}, split=_split, content_type="application/json",
        batch_size=BATCH_MAX, validate=expect_json, headers=_headers())
    errors.update(failed)
    found: dict[str, Record] = {}
    for key, body in answers.items():
        try:
            record = record_of(json.loads(body))
        except ValueError:
            record = None
        if record is not None:
            found[key] = record
    return found


def search_match(fetcher: Any, title: str) -> list[Record]:
    """The best title match; 404 "Title match not found" and an empty `data` mean none."""
    from ..fetch import expect_json

    if not clean_space(title):
        return []
    try:
        response = fetcher.get(f"{_api()}/paper/search/match", params={"query": clean_space(title), "fields": FIELDS},
                               headers=_headers(), validate=expect_json, cache_missing=True)
    except Exception as exc:
        if is_http_status(exc, 404):
            return []
        raise
    try:
        data = json.loads(response.content)
    except ValueError as exc:
        raise SourceError("s2", f"Semantic Scholar answer is not JSON ({exc})") from exc
    items = data.get("data") if isinstance(data, dict) else None
    return [r for r in (record_of(p) for p in items or []) if r is not None]


SOURCE = Source(
    name="s2", label="Semantic Scholar", rank=8, lane=1, secondary=True, optional=True,
    endpoints=(("s2", "ATPBIB_S2_API", "https://api.semanticscholar.org/graph/v1"),),
    intervals=(("s2", 1.0),),  # one request a second (with a key; the shared pool is slower still)
    batch_schemes=("arxiv", "acl", "doi"), lookup_many=lookup_many,
    search=search_match, search_when=SearchWhen.UNIDENTIFIED,
    missing="no record for {id}",
)

__all__ = ["SOURCE", "lookup_many", "parse_batch", "record_of", "search_match"]
