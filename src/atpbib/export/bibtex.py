"""Works → .bib text (BibTeX or BibLaTeX flavour) through bibtexparser v2's model and writer.

BibTeX flavour (natbib/plainnat, 8-bit BibTeX): non-ASCII letters as LaTeX accents, arXiv preprints as
@misc with `howpublished = {arXiv preprint arXiv:ID}` — plainnat prints `howpublished` for @misc but
ignores `eprint`/`archivePrefix` and prints nothing of `journal` in a @misc, so howpublished is the field
that makes the preprint visible; eprint/archivePrefix/primaryClass are still written for tools that read
them (hyperref-aware styles, Zotero/Better BibTeX). BibLaTeX flavour (biber): UTF-8 kept, `date`,
`journaltitle`, `location`, preprints as @online with eprinttype, repositories as @software.

`merge_into` adds works to an existing library without re-serialising it: the old text is kept byte for
byte and the new entries are appended.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import bibtexparser
from bibtexparser import model as bibmodel
from bibtexparser.writer import BibtexFormat

from ..model import Person, Work
from ..venues import series_of
from . import bib_category, description, pages_range, sections, volume_number, work_doi, work_url
from .latex import clean_text, escape_doi, escape_text, escape_url, latex_title

log = logging.getLogger(__name__)

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_BIBTEX_TYPES = {
    "preprint": "misc", "blog": "misc", "repository": "misc", "talk": "misc", "website": "misc", "misc": "misc",
}
_BIBLATEX_TYPES = {
    "preprint": "online", "blog": "online", "repository": "software", "talk": "misc", "website": "online",
    "misc": "misc",
}


def _fmt() -> BibtexFormat:
    f = BibtexFormat()
    f.indent = "  "
    f.value_column = 0
    f.block_separator = "\n"
    f.trailing_comma = False
    return f


def _braced(value: str | None) -> str | None:
    return "{" + value + "}" if value else None


# -- names ----------------------------------------------------------------------------------------------

def _name_part(text: str, keep_unicode: bool) -> str:
    """One part of a name; braced when BibTeX would otherwise split it (a comma, the word 'and')."""
    escaped = escape_text(text, keep_unicode=keep_unicode)
    if "," in text or re.search(r"(?i)(?:^|\s)and(?:\s|$)", text):
        return "{" + escaped + "}"
    return escaped


def bib_name(person: Person, *, keep_unicode: bool = False) -> str | None:
    """'Last, First' / 'von Last, Jr, First'; single names (OpenAI, Sinovation) braced whole."""
    family = clean_text(person.family)
    given = clean_text(person.given)
    if not family and not given:
        return None
    if not family or not given:
        return "{" + escape_text(family or given, keep_unicode=keep_unicode) + "}"
    suffix = ""
    if "," in family:
        family, suffix = (s.strip() for s in family.split(",", 1))
        if not family:
            family, suffix = suffix, ""
    parts = [_name_part(family, keep_unicode)]
    if suffix:
        parts.append(_name_part(suffix, keep_unicode))
    parts.append(_name_part(given, keep_unicode))
    return ", ".join(parts)


def bib_names(people: Sequence[Person], *, keep_unicode: bool = False) -> str | None:
    names = [n for n in (bib_name(p, keep_unicode=keep_unicode) for p in people) if n]
    return " and ".join(names) if names else None


# -- one entry ------------------------------------------------------------------------------------------

@dataclass
class _Fields:
    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, value: str | None) -> None:
        if value:
            self.items.append((name, value))


def _text(value: str | None, u: bool) -> str | None:
    return _braced(escape_text(value, keep_unicode=u)) if value else None


def _label_for_authorless(work: Work) -> str:
    """What natbib shows instead of an author: the repository owner, the web site, or the title's start.

    plainnat prints `key` in the author's place, so the title itself would appear twice."""
    from urllib.parse import urlsplit

    if work.ids.github:
        return work.ids.github.split("/")[0]
    url = work_url(work)
    if url and work.kind != "paper":
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        if host:
            return host[4:] if host.startswith("www.") else host
    return " ".join(clean_text(work.title).split()[:3])


def entry_for(work: Work, *, flavour: str = "bibtex", lexicon_extra: Iterable[str | None] = ()) -> bibmodel.Entry:
    """One bibtexparser Entry for a work (the work's key must be set)."""
    u = flavour == "biblatex"
    cat = bib_category(work)
    if u:
        entry_type = _BIBLATEX_TYPES.get(cat, cat)
    else:
        entry_type = _BIBTEX_TYPES.get(cat, cat)
    f = _Fields()
    f.add("author", _braced(bib_names(work.authors, keep_unicode=u)))
    if cat == "techreport" and not work.authors:
        # no source knows who wrote it: the issuing institution stands as the (corporate) author, braced
        # whole, as styles expect for a group author; BibTeX and biber require an author for a report
        f.add("author", _braced(_braced(escape_text(work.publisher or "", keep_unicode=u))))
    if cat == "book" and not work.authors:
        f.add("editor", _braced(bib_names(work.editors, keep_unicode=u)))
    f.add("title", _braced(latex_title(work.title, keep_unicode=u, extra=tuple(lexicon_extra))))

    container = _text(work.container_title, u)
    volume, number = volume_number(work)
    if cat in ("inproceedings", "incollection"):
        f.add("booktitle", container)
        f.add("editor", _braced(bib_names(work.editors, keep_unicode=u)))
        if volume:
            # a proceedings volume in a book series (ECCV: LNCS 12375): plainnat prints "volume V of SERIES"
            f.add("series", _text(work.series or series_of(work.venue), u))
    elif cat == "article":
        f.add("journaltitle" if u else "journal", container)
    elif cat == "book":
        f.add("series", _text(work.series, u) or container)
    elif cat in ("phdthesis", "mastersthesis", "techreport"):
        f.add("institution" if cat == "techreport" else "school", _text(work.publisher, u))
    if cat in ("inproceedings", "incollection", "article", "book"):
        f.add("volume", _text(volume, u))
        if cat == "article" or not volume:
            # a proceedings volume with an issue (AAAI's 34(05)): BibTeX styles take one of the two, the volume
            f.add("number", _text(number, u))
    if cat in ("inproceedings", "incollection", "article"):
        f.add("pages", _text(pages_range(work.pages), u))
    if cat in ("inproceedings", "incollection", "book"):
        # an @article has no publisher or location: biblatex's data model lacks them (biber --validate-datamodel)
        # and no standard BibTeX style prints them, so neither flavour writes them
        f.add("publisher", _text(work.publisher, u))
        f.add("location" if u else "address", _text(work.address, u))
    if cat == "book":
        f.add("isbn", _text(work.isbn, u))

    arxiv = work.ids.arxiv
    if cat == "preprint" and arxiv and not u:
        f.add("howpublished", _braced(escape_text(f"arXiv preprint arXiv:{arxiv}")))
    elif cat == "blog" and not u:
        f.add("howpublished", "{Blog post}")
    elif cat == "repository":
        gh = work.ids.github or ("github.com" in (work_url(work) or ""))
        if not u:
            f.add("howpublished", "{GitHub repository}" if gh else "{Source code repository}")
        elif gh:
            f.add("organization", "{GitHub}")
    elif cat == "talk":
        f.add("howpublished", "{Talk}")
    elif cat == "misc" and work.venue and work.kind in ("paper", "survey", "book"):
        f.add("howpublished", _text(work.venue, u))

    if work.year:
        if u:
            date = f"{work.year:04d}-{work.month:02d}" if work.month and 1 <= work.month <= 12 else f"{work.year:04d}"
            f.add("date", _braced(date))
        else:
            f.add("year", _braced(str(work.year)))
            if work.month and 1 <= work.month <= 12:
                f.add("month", MONTHS[work.month - 1])  # the style's macro, unbraced
    elif not u:
        # plainnat warns "empty year" for every undated entry (a blog, a repository); "n.d." is the
        # conventional label for an undated work and keeps a BibTeX build warning-free
        f.add("year", "{n.d.}")

    if cat in ("blog", "repository", "talk", "website", "misc"):
        f.add("note", _text(description(work), u))
    if arxiv:
        f.add("eprint", _braced(escape_text(arxiv)))
        if u:
            f.add("eprinttype", "{arxiv}")
            f.add("eprintclass", _text(work.primary_class, u))
        else:
            f.add("archivePrefix", "{arXiv}")
            f.add("primaryClass", _text(work.primary_class, u))
    f.add("doi", _braced(escape_doi(work_doi(work, cat), tex=not u)))
    f.add("url", _braced(escape_url(work_url(work), tex=not u)))
    secs = sections(work)
    if secs:
        f.add("keywords", _braced(", ".join(escape_text(s.replace(",", " "), keep_unicode=u) for s in secs)))
    f.add("abstract", _text(work.abstract, u))
    if not u and not work.authors and not work.editors:
        # natbib labels an authorless entry by `key`; without it, by the first letters of the cite key
        f.add("key", _text(_label_for_authorless(work), u))
    return bibmodel.Entry(entry_type, work.key, [bibmodel.Field(k, v) for k, v in f.items])


def write_bib(works: Sequence[Work], *, flavour: str = "bibtex", lexicon_extra: Iterable[str | None] = (),
              existing_keys: Iterable[str] = ()) -> str:
    """A .bib text with one entry per work, in the order given. Works without a key get one."""
    from ..keys import ensure_keys

    if flavour not in ("bibtex", "biblatex"):
        raise ValueError(f"unknown .bib flavour {flavour!r}")
    extra = tuple(lexicon_extra)
    keyed = ensure_keys(works, existing=existing_keys)
    library = bibtexparser.Library()
    for work in keyed:
        library.add(entry_for(work, flavour=flavour, lexicon_extra=extra))
    if not keyed:
        return ""
    return bibtexparser.write_string(library, unparse_stack=[], bibtex_format=_fmt())


# -- merging into an existing library ---------------------------------------------------------------

_ENTRY_HEAD = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()]+)\s*,")
_NON_ENTRY = {"string", "comment", "preamble"}


def library_keys(text: str) -> list[str]:
    """Every citation key of a .bib text, including entries bibtexparser could not parse."""
    keys: list[str] = []
    seen: set[str] = set()
    for m in _ENTRY_HEAD.finditer(text):
        if m.group(1).lower() in _NON_ENTRY:
            continue
        key = m.group(2)
        if key not in seen:
            seen.add(key)
            keys.append(key)
    return keys


@dataclass
class _Known:
    key: str
    doi: set[str] = field(default_factory=set)
    arxiv: set[str] = field(default_factory=set)
    acl: set[str] = field(default_factory=set)
    title: str = ""


@lru_cache(maxsize=1)
def _latex2text():
    """pylatexenc's decoder, taught the text commands our own escaping emits (so a re-merge matches)."""
    from pylatexenc import latex2text

    db = latex2text.get_default_latex_context_db()
    db.add_context_category("atpbib", prepend=True, macros=[
        latex2text.MacroTextSpec(name, text) for name, text in (
            ("textbraceleft", "{"), ("textbraceright", "}"), ("textbackslash", "\\"),
            ("textasciitilde", "~"), ("textasciicircum", "^"))])
    return latex2text.LatexNodes2Text(latex_context=db, math_mode="verbatim")


def _plain(value: str) -> str:
    try:
        return _latex2text().latex_to_text(value)
    except Exception:  # pragma: no cover - pylatexenc is tolerant; anything else: keep raw
        return value


def _unescape_url(value: str) -> str:
    return re.sub(r"\\([%#_&$])", r"\1", value).strip().strip("{}")


def _known_entries(text: str) -> list[_Known]:
    from .. import ids as idmod

    library = bibtexparser.parse_string(text)
    known = []
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        k = _Known(entry.key)
        for name in ("doi", "url", "howpublished", "journal", "note", "eprint"):
            raw = fields.get(name)
            if not raw:
                continue
            raw = _unescape_url(raw)
            found = idmod.identify(raw)
            if name == "doi" and (d := idmod.norm_doi(raw)):
                found = {"doi": d, **idmod.identify(d)}
            if name == "eprint":
                prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
                if "arxiv" in prefix and (a := idmod.norm_arxiv(raw)):
                    found = {"arxiv": a}
            if name in ("howpublished", "journal", "note"):
                m = re.search(r"arxiv:\s*([a-z\-]+(?:\.[a-z]{2})?/\d{7}|\d{4}\.\d{4,5})", raw, re.IGNORECASE)
                found = {"arxiv": idmod.norm_arxiv(m.group(1))} if m else {}
            for scheme, value in found.items():
                if value and scheme in ("doi", "arxiv", "acl"):
                    getattr(k, scheme).add(value.lower())
        if "title" in fields:
            k.title = _plain(fields["title"])
        known.append(k)
    return known


def find_duplicate(work: Work, known: Sequence[_Known]) -> str | None:
    """The key of an existing entry that is this work, by the one identity rule (identity.py): a shared DOI,
    arXiv or ACL id; never when an id of the same scheme differs; else a near-identical title."""
    from ..identity import same_as_listed
    from ..model import Ids

    mine = Ids(doi=(work.doi or work.ids.doi or "").lower() or None, arxiv=work.ids.arxiv, acl=work.ids.acl)
    for k in known:
        for doi in k.doi or {None}:
            for arxiv in k.arxiv or {None}:
                for acl in k.acl or {None}:
                    if same_as_listed(mine, work.title or "", Ids(doi=doi, arxiv=arxiv, acl=acl), k.title):
                        return k.key
    return None


def plan_merge(existing_text: str, new_works: Sequence[Work]) -> tuple[list[Work], dict[str, str]]:
    """(works to add, {work title: existing key} for those already in the library)."""
    known = _known_entries(existing_text)
    to_add: list[Work] = []
    duplicates: dict[str, str] = {}
    for work in new_works:
        dup = find_duplicate(work, known)
        if dup is not None:
            duplicates[work.title] = dup
            continue
        to_add.append(work)
    return to_add, duplicates


def merge_into(existing_text: str, new_works: Sequence[Work], *, fmt: str = "bibtex",
               lexicon_extra: Iterable[str | None] = ()) -> str:
    """The existing library, byte for byte, followed by the works it does not hold yet."""
    to_add, duplicates = plan_merge(existing_text, new_works)
    for title, key in duplicates.items():
        log.info("already in the library as %s: %s", key, title)
    if not to_add:
        return existing_text
    new_text = write_bib(to_add, flavour=fmt, lexicon_extra=lexicon_extra,
                         existing_keys=library_keys(existing_text))
    if not existing_text:
        return new_text
    separator = "\n" if existing_text.endswith("\n") else "\n\n"
    return existing_text + separator + new_text


__all__ = [
    "MONTHS",
    "bib_name",
    "bib_names",
    "entry_for",
    "write_bib",
    "library_keys",
    "find_duplicate",
    "plan_merge",
    "merge_into",
]
