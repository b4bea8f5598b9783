"""Works → BibTeX, BibLaTeX or CSL-JSON text. Exporters never fetch: everything comes from the Work.

The helpers here decide *what* a work is (one decision shared by every format); the modules decide how
each format writes it: bibtex.py (both .bib flavours), csljson.py, latex.py (escaping, case protection).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

from ..model import Work

FORMATS = ("bibtex", "biblatex", "csl-json")

# What a work is, independent of the output format.
CATEGORIES = (
    "inproceedings", "article", "preprint", "book", "incollection", "phdthesis", "mastersthesis",
    "techreport", "blog", "repository", "talk", "website", "misc",
)
_PASS_THROUGH = ("inproceedings", "article", "book", "incollection", "phdthesis", "mastersthesis", "techreport")


NON_PAPER_KINDS = ("blog", "repository", "talk", "website")  # the list is their record: cited as it gives them


class ExportError(ValueError):
    """An export request that cannot be honoured (unknown format)."""


def _is_preprint_container(work: Work) -> bool:
    from ..venues import is_preprint_venue

    return is_preprint_venue(work.container_title) or work.venue == "arXiv"


def category(work: Work) -> str:
    """What the work is: Work.kind for non-papers, Work.type (from the merge stage) for papers."""
    if work.kind in NON_PAPER_KINDS:
        return work.kind
    if work.kind == "book" or work.type == "book":
        return "book"
    from ..venues import entry_type

    wtype = (work.type or "misc").lower()
    if set(work.sources) - {"list"} and not _is_preprint_container(work):
        # the one entry-type decision (merge makes it too): a work locked before it is cited alike
        wtype = entry_type(wtype, work.venue, published=True).type
    if wtype == "article" and _is_preprint_container(work):
        return "preprint" if work.ids.arxiv else "misc"
    if wtype in _PASS_THROUGH:
        return wtype
    return "preprint" if work.ids.arxiv else "misc"


def bib_category(work: Work) -> str:
    """The category a .bib entry uses: an entry a BibTeX style would warn about (no author, no venue,
    no year) becomes the preprint/misc it effectively is, so a partial work never breaks a build."""
    cat = category(work)
    if cat == "incollection" and not work.editors:
        # biblatex requires an editor for @incollection; a chapter of a volume nobody names the editors of
        # is cited as the paper in that volume it is
        cat = "inproceedings"
    required = {
        "inproceedings": ("authors", "container_title", "year"),
        "incollection": ("authors", "container_title", "year", "publisher"),
        "article": ("authors", "container_title", "year"),
        "book": ("publisher", "year"),
        "phdthesis": ("authors", "year"),
        "mastersthesis": ("authors", "year"),
        "techreport": ("year",),  # a report nobody lists the authors of is still a report (see bibtex.py)
    }.get(cat, ())
    missing = [f for f in required if not getattr(work, f)]
    if cat == "book" and not (work.authors or work.editors):
        missing.append("authors")
    if cat in ("phdthesis", "mastersthesis", "techreport") and not work.publisher:
        missing.append("publisher")
    if missing:
        return "preprint" if work.ids.arxiv else "misc"
    return cat


def work_url(work: Work) -> str | None:
    """The work's own URL, or the canonical landing page of its best identifier."""
    from ..ids import landing_url

    return work.url or landing_url(work.ids)


def work_doi(work: Work, cat: str | None = None) -> str | None:
    """The DOI of the version cited: a venue version's own DOI (a NeurIPS paper has none, and must not borrow
    its preprint's); an arXiv preprint's is arXiv's DataCite DOI (10.48550/arXiv.ID), not its journal's."""
    if (cat or category(work)) == "preprint" and work.ids.arxiv:
        return f"10.48550/arXiv.{work.ids.arxiv}"
    return work.doi


def sections(work: Work) -> list[str]:
    """Every list section the work appears in ("Pretrained Language Model/Compression"), list order."""
    out: list[str] = []
    for origin in work.origins:
        for tag in getattr(origin, "tags", ()):
            if tag and tag not in out:
                out.append(tag)
    return out


def description(work: Work) -> str | None:
    for origin in work.origins:
        if getattr(origin, "note", None):
            return origin.note
    return None


def volume_number(work: Work) -> tuple[str | None, str | None]:
    """The work's volume and number; when no source gave them, those its DOI spells out (AAAI's
    10.1609/aaai.v34i05.6409: volume 34, number 05), so every AAAI paper is cited with its proceedings volume."""
    from ..venues import volume_issue_from_doi

    if work.volume or work.number:
        return work.volume, work.number
    derived = volume_issue_from_doi(work.doi or work.ids.doi)
    return derived if derived else (None, None)


def pages_range(pages: str | None, dash: str = "--") -> str | None:
    """'4171–4186' / '4171-4186' / '4171--4186' → '4171' + dash + '4186'."""
    if not pages:
        return None
    text = re.sub(r"\s*[-\u2010-\u2015\u2212]+\s*", dash, pages.strip())
    return text or None


def format_for_path(path: str | os.PathLike[str] | None) -> str:
    """Output format from a file name: .json → csl-json, .bib (and anything else) → bibtex."""
    if path is None:
        return "bibtex"
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix in (".json", ".csljson"):
        return "csl-json"
    if suffix in (".biblatex", ".bbx"):
        return "biblatex"
    return "bibtex"


def export_works(works: Sequence[Work], fmt: str, *, lexicon_extra: Iterable[str | None] = ()) -> str:
    """The works, one entry each, in the order given, as `fmt` text."""
    if fmt in ("bibtex", "biblatex"):
        from .bibtex import write_bib

        return write_bib(works, flavour=fmt, lexicon_extra=lexicon_extra)
    if fmt == "csl-json":
        from .csljson import write_csl_json

        return write_csl_json(works)
    raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


__all__ = [
    "FORMATS",
    "CATEGORIES",
    "ExportError",
    "category",
    "bib_category",
    "work_url",
    "work_doi",
    "sections",
    "description",
    "pages_range",
    "volume_number",
    "format_for_path",
    "export_works",
]
