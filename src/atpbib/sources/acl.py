"""ACL Anthology per-paper BibTeX (`https://aclanthology.org/<id>.bib`) → Record.

The .bib is the Anthology's own citation (its editors, pages, DOI, canonical booktitle), so it is the
best record of an ACL paper; bibtexparser v2 reads it, we interpret the fields.
"""
from __future__ import annotations

import logging
from typing import Any

from ..model import Ids, Record
from ..names import clean_space, latex_to_text
from ..ids import landing
from . import Source
from .bibtex import bib_fields, common_fields, fetch_text, normalize_pages, parse_month  # noqa: F401 (re-exported for callers)

log = logging.getLogger(__name__)

PUBLISHED_TYPES = {"inproceedings", "article", "incollection", "proceedings", "book", "phdthesis", "mastersthesis"}


def bib_url(acl_id: str) -> str:
    from .. import config

    return f"{config.endpoints().acl}/{acl_id.strip()}.bib"


def parse_bib(text: str, acl_id: str) -> Record:
    """One Anthology .bib → Record (published venue version)."""
    etype, _key, f = bib_fields(text, "acl")
    fields = common_fields(f, latex_to_text(f.get("title")))
    return Record(
        source="acl",
        source_key=acl_id,
        type=etype,
        published=etype in PUBLISHED_TYPES,
        url=clean_space(f.get("url")) or f"{landing('acl', acl_id)}/",
        abstract=latex_to_text(f.get("abstract")) or None,
        ids=Ids(acl=acl_id, doi=fields["doi"]),
        **fields,
    )


def fetch_bib(fetcher: Any, acl_id: str) -> Record | None:
    """The Anthology record for an id; None when the Anthology does not know the id (404)."""
    acl_id = acl_id.strip()
    text = fetch_text(fetcher, bib_url(acl_id))
    return None if text is None else parse_bib(text, acl_id)


SOURCE = Source(
    name="acl", label="ACL Anthology", rank=0, lane=4,
    endpoints=(("acl", "ATPBIB_ACL_URL", "https://aclanthology.org"),),
    scheme="acl", lookup=lambda fetcher, acl_id, query: fetch_bib(fetcher, acl_id),
    # follows (by default) every record naming an Anthology id: a DBLP hit, an arXiv record, S2's answer
    ids_name_venue=True,
    missing="no record for {id}",
)

__all__ = ["SOURCE", "bib_fields", "bib_url", "fetch_bib", "normalize_pages", "parse_bib", "parse_month"]
