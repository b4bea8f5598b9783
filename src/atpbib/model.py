"""The data that flows between the pipeline stages.

input (a Markdown list → Entry; a .bib → BibEntry) → Query (source-neutral) → Ids (ids) → Record per source
(sources/*) → Work (merge) → lock → exporters. Resolve and merge see only Queries; a Work carries the
queries' origins (the input's own items) untouched, for the input's side (list audit, .bib rewrite).
All stage outputs are frozen dataclasses so a stage can never mutate what an earlier one produced.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

# Entry kinds a list item can be.
KINDS = ("paper", "survey", "book", "talk", "blog", "repository", "website")
# Kinds that name a work to resolve (a blog post, a repository or a talk is its own record).
RESOLVABLE_KINDS = ("paper", "survey", "book")

# Identifier schemes found in links (the public JSON of `atpbib list` has exactly these keys).
ENTRY_ID_SCHEMES = ("arxiv", "acl", "openreview", "pmlr", "neurips", "doi", "github")
# A resolved work additionally knows its DBLP key.
WORK_ID_SCHEMES = ("arxiv", "acl", "openreview", "dblp", "pmlr", "neurips", "doi")


# What a list-reading warning is about: a closed set, so callers filter by kind, never by wording.
WARNING_KINDS = (
    "skipped",  # an item or table row that was not read (it has no link)
    "unread",  # lines the Markdown parser never reached
    "unsure",  # read, but the reader is not sure of it (no title found…); quotes the item as written
    "bad-link",  # a link repaired or dropped (no scheme, relative, empty, duplicate, split over lines)
    "bad-hint",  # a venue or year hint that does not read ('(ICLR 202)')
    "markup",  # broken Markdown read as meant (a bullet without its space, empty emphasis, a glued label)
)


@dataclass(frozen=True)
class ListWarning:
    """One problem found reading a list, made where it is found: the line, what kind of problem, the text."""

    line: int
    kind: str  # one of WARNING_KINDS
    text: str  # one line, without the line number

    def __post_init__(self) -> None:
        if self.kind not in WARNING_KINDS:
            raise ValueError(f"unknown list warning kind {self.kind!r}")

    @property
    def message(self) -> str:
        """The one-line form every command prints: 'line N: text'."""
        return f"line {self.line}: {self.text}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Link:
    label: str  # as written in the list, lower-cased and stripped: "paper", "code", "pt code", "post"…
    url: str


@dataclass(frozen=True)
class Ids:
    """Normalised identifiers. None means unknown."""

    arxiv: str | None = None  # "1909.10351" or "cs/0112017"; version suffix stripped
    acl: str | None = None  # "P19-1295" or "2020.acl-main.1"
    openreview: str | None = None  # forum id, e.g. "SJlPOCEKvH"
    pmlr: str | None = None  # "v97/song19d"
    neurips: str | None = None  # "7181-attention-is-all-you-need" (papers.nips.cc paper slug)
    doi: str | None = None  # lower-cased, no "https://doi.org/" prefix
    github: str | None = None  # "owner/repo"
    dblp: str | None = None  # "conf/iclr/LanCGGSS20"

    def merged(self, other: "Ids") -> "Ids":
        """Fill our unknown ids from `other`; ours win where both are known."""
        return Ids(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def known(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


@dataclass(frozen=True)
class Entry:
    """One list item, as the list wrote it."""

    section: tuple[str, ...]  # heading path, e.g. ("Pretrained Language Model", "Compression")
    line: int  # 1-based line of the item's first line in the file
    title: str
    venue: str | None = None  # hint from "(EMNLP 2019)" → "EMNLP"
    year: int | None = None  # hint → 2019
    nickname: str | None = None
    kind: str = "paper"
    links: tuple[Link, ...] = ()
    ids: Ids = Ids()
    warnings: tuple[ListWarning, ...] = ()
    description: str | None = None  # the text after " - " for blog/repository items
    end_line: int | None = None  # last line of the item (items can span lines)
    venue_raw: str | None = None  # the whole parenthesis as written, e.g. "ICLR 202"
    authors: tuple[str, ...] = ()  # names as the list writes them ("A. Author"), where it names any

    @property
    def section_path(self) -> str:
        return "/".join(self.section)

    # -- what every origin offers the exporters (see Query.origin) --------------------------------
    @property
    def tags(self) -> tuple[str, ...]:
        """Keywords the export carries: the list's section path."""
        return (self.section_path,) if self.section else ()

    @property
    def note(self) -> str | None:
        return self.description


@dataclass(frozen=True)
class Query:
    """A source-neutral request to resolve one work: what an input knows of it, and where it came from.

    Every input builds these (the Markdown list from its items, a .bib from its entries); resolve and
    merge read nothing else. `origin` is the input's own item, opaque to them, carried to the Work; it
    offers `line`, `title`, `tags` and `note` to the exporters and keys."""

    title: str
    ids: Ids = Ids()
    authors: tuple[Person, ...] = ()
    year: int | None = None
    venue: str | None = None  # a venue hint, short form ("EMNLP", "CoRR")
    venue_raw: str | None = None  # the hint as written ("ICLR 202")
    kind: str = "paper"
    links: tuple[Link, ...] = ()
    origin: Any = None

    @property
    def line(self) -> int:
        return getattr(self.origin, "line", 0)


@dataclass(frozen=True)
class Person:
    family: str
    given: str = ""  # "" for single names

    def display(self) -> str:
        return f"{self.given} {self.family}".strip()


@dataclass(frozen=True)
class Match:
    """Why a search hit was accepted (or rejected): the evidence a user can inspect."""

    source: str
    query: str
    candidate: str  # the hit's title
    title_score: float  # 0–100
    author_overlap: float | None  # 0–1, None when we had no authors to compare
    year_delta: int | None
    accepted: bool
    reason: str = ""
    token_score: float | None = None  # 0–100, distinctive words shared (survives a changed word)
    rung: str | None = None  # which search rung found it: "title", "words", "author+words"


@dataclass(frozen=True)
class Record:
    """What one source says about one paper (one version of it)."""

    source: str  # "arxiv" | "acl" | "openreview" | "dblp"
    source_key: str  # the id under which that source knows it
    title: str
    authors: tuple[Person, ...] = ()
    year: int | None = None
    month: int | None = None
    type: str = "misc"  # bibtex-ish: inproceedings | article | misc | book | phdthesis …
    published: bool = False  # True for a venue version (conference/journal), False for a preprint / submission
    venue: str | None = None  # short form, e.g. "EMNLP 2019", "ICLR 2020", "arXiv"
    container_title: str | None = None  # full booktitle / journal name
    pages: str | None = None  # "4171--4186"
    volume: str | None = None
    number: str | None = None
    publisher: str | None = None
    address: str | None = None
    editors: tuple[Person, ...] = ()
    doi: str | None = None
    url: str | None = None
    abstract: str | None = None
    ids: Ids = Ids()
    primary_class: str | None = None  # arXiv primary category
    arxiv_version: int | None = None  # latest version number
    journal_ref: str | None = None
    comment: str | None = None
    venue_status: str | None = None  # OpenReview raw venue, e.g. "Submitted to ICLR 2020"
    series: str | None = None  # a book's series ("Synthesis Lectures on Human Language Technologies")
    isbn: str | None = None
    match: Match | None = None  # set when the record was found by a search, not an identifier


@dataclass(frozen=True)
class Discrepancy:
    field: str  # "title" | "venue" | "year"
    listed: str
    resolved: str
    source: str


@dataclass(frozen=True)
class Work:
    """One paper (or blog/repo/book) as atpbib will cite it: merged from every record found."""

    title: str
    origins: tuple[Any, ...]  # the queries' origins (list items, .bib entries), in input order; opaque here
    kind: str = "paper"
    authors: tuple[Person, ...] = ()
    year: int | None = None
    month: int | None = None
    type: str = "misc"
    venue: str | None = None
    container_title: str | None = None
    pages: str | None = None
    volume: str | None = None
    number: str | None = None
    publisher: str | None = None
    address: str | None = None
    editors: tuple[Person, ...] = ()
    doi: str | None = None
    url: str | None = None
    abstract: str | None = None
    ids: Ids = Ids()
    primary_class: str | None = None
    series: str | None = None
    isbn: str | None = None
    status: str = "unresolved"  # resolved | partial | unresolved
    sources: tuple[str, ...] = ()
    provenance: tuple[tuple[str, str], ...] = ()  # (field, source) pairs
    matches: tuple[Match, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    problems: tuple[str, ...] = ()  # why the work is partial/unresolved ("arxiv unreachable", …)
    key: str = ""  # citation key, assigned by keys.assign_keys over the whole list

    @property
    def entries(self) -> tuple[Any, ...]:
        """The origins, by the name the list's side uses for them."""
        return self.origins

    @property
    def first_entry(self) -> Any:
        return self.origins[0]

    def with_(self, **changes: Any) -> "Work":
        return replace(self, **changes)


def to_jsonable(obj: Any) -> Any:
    """dataclasses → plain JSON types (tuples become lists)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


__all__ = [
    "KINDS",
    "WARNING_KINDS",
    "ListWarning",
    "ENTRY_ID_SCHEMES",
    "WORK_ID_SCHEMES",
    "Link",
    "Ids",
    "Entry",
    "Query",
    "Person",
    "Match",
    "Record",
    "Discrepancy",
    "Work",
    "to_jsonable",
    "work_from_dict",
    "work_to_dict",
    "field",
]


# -- a Work as plain JSON, and back (the lock stores works; nothing may be lost on the way) ---------------

def _person(d: dict) -> Person:
    return Person(family=d.get("family", ""), given=d.get("given", ""))


def work_to_dict(work: Work) -> dict[str, Any]:
    """Every field of a work except its origins (the input's items: the input's business), JSON-ready."""
    out: dict[str, Any] = {}
    for f in fields(work):
        if f.name == "origins":
            continue
        value = getattr(work, f.name)
        if f.name == "problems":
            out[f.name] = [{"text": str(p), "source": getattr(p, "source", None), "kind": getattr(p, "kind", "other")}
                           for p in value]
        elif f.name == "provenance":
            out[f.name] = [list(pair) for pair in value]
        else:
            out[f.name] = to_jsonable(value)
    return out


def work_from_dict(data: dict[str, Any], origins: tuple[Any, ...] = ()) -> Work:
    """The inverse of work_to_dict; unknown keys are ignored (a newer writer), missing ones take defaults."""
    from .problems import Problem

    known = {f.name for f in fields(Work)}
    kw: dict[str, Any] = {k: v for k, v in data.items() if k in known and k != "origins"}
    kw["authors"] = tuple(_person(p) for p in data.get("authors") or ())
    kw["editors"] = tuple(_person(p) for p in data.get("editors") or ())
    kw["ids"] = Ids(**{k: v for k, v in (data.get("ids") or {}).items() if k in {f.name for f in fields(Ids)}})
    kw["sources"] = tuple(data.get("sources") or ())
    kw["provenance"] = tuple(tuple(pair) for pair in data.get("provenance") or ())
    kw["matches"] = tuple(Match(**{k: v for k, v in m.items() if k in {f.name for f in fields(Match)}})
                          for m in data.get("matches") or ())
    kw["discrepancies"] = tuple(Discrepancy(**d) for d in data.get("discrepancies") or ())
    kw["problems"] = tuple(Problem(p["text"], source=p.get("source"), kind=p.get("kind", "other"))
                           if isinstance(p, dict) else Problem(str(p)) for p in data.get("problems") or ())
    return Work(origins=tuple(origins), **kw)
