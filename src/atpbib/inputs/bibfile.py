"""A .bib file as an input: its entries → Queries (ids, title, authors, year, venue hint), read with
bibtexparser v2; every block keeps its exact source text, so the file can be rewritten entry by entry.

The identifiers a real .bib carries: `eprint` + `archivePrefix`/`eprinttype` (arXiv's own export, DBLP),
arXiv URLs, `journal = {arXiv preprint arXiv:ID}` (Google Scholar), `journal = {Ar{X}iv:ID}` (bibtool),
DBLP's `CoRR` + `volume = {abs/ID}` and `biburl`, Semantic Scholar's `ArXiv` + `volume = {abs/ID}`,
`Computing Research Repository` + `volume = {arXiv:ID}`, Zotero's `number`/`note = {arXiv:ID [cs]}`, arXiv
DOIs (10.48550/arXiv.ID), ACL Anthology URLs and DOIs, OpenReview URLs, other DOIs. Without one, the title,
authors and year are the query (Scholar lower-cases titles: matching is case-blind).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..model import Ids, Query

MAX_BYTES = 20_000_000  # a .bib larger than this is refused with a one-line error

PREPRINT_WORDS = re.compile(r"\b(arxiv|corr|computing research repository|preprint|biorxiv|medrxiv|openreview|submitted"
                            r"|under review)\b", re.I)
# the fields that name the venue an entry cites; a publisher, note or number counts only when none of them
# does (ICLR's publisher is "OpenReview.net", a Zotero preprint's is "arXiv")
VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "howpublished")
PUBLISHED_TYPES = ("inproceedings", "conference", "article", "incollection", "inbook", "book", "phdthesis",
                   "mastersthesis", "techreport", "report", "thesis", "proceedings")


class BibError(ValueError):
    """A file that is not a usable .bib: one line naming it."""


@dataclass(frozen=True)
class BibEntry:
    """One entry of the file, as written: the origin of its query."""

    key: str
    entry_type: str  # lower-cased
    fields: tuple[tuple[str, str], ...]  # (name lower-cased, value as parsed, macros resolved), file order
    raw: str  # the exact source text of the entry
    line: int  # 1-based line of its `@`
    title: str = ""  # plain text
    tags: tuple[str, ...] = ()
    note: str | None = None

    def get(self, name: str) -> str:
        for k, v in self.fields:
            if k == name:
                return v
        return ""

    @cached_property
    def is_preprint(self) -> bool:
        """Does the entry describe a preprint? The one rule: a preprint entry type, a venue field naming a
        preprint server in any tool's spelling (Scholar's 'arXiv preprint', bibtool's 'Ar{X}iv:ID', S2's
        'ArXiv', DBLP's 'CoRR', 'Computing Research Repository'), or, with no venue field, an article or a
        publisher, note or number saying arXiv (Zotero). A real venue outweighs an arXiv note."""
        if self.entry_type in ("misc", "unpublished", "online", "preprint", "electronic"):
            return True
        venue = _plain(" ".join(self.get(f) for f in VENUE_FIELDS))
        if venue.strip():
            return bool(PREPRINT_WORDS.search(venue))
        rest = _plain(" ".join(self.get(f) for f in ("publisher", "note", "number")))
        return self.entry_type == "article" or bool(PREPRINT_WORDS.search(rest))

    @property
    def is_published(self) -> bool:
        return self.entry_type in PUBLISHED_TYPES and not self.is_preprint


def _plain(value: str) -> str:
    """Braces and macros out of a venue field, for matching only ('Ar{X}iv' → 'ArXiv', '{\\em CoRR}' → 'CoRR')."""
    return re.sub(r"\\[a-zA-Z]+\s*|[{}\\]", "", value) if "{" in value or "\\" in value else value


@dataclass
class BibFile:
    path: str
    text: str  # the file's text, without its byte-order mark
    entries: list[BibEntry] = field(default_factory=list)
    findings: list[tuple[int, str]] = field(default_factory=list)  # (line, message): blocks kept as they are
    bom: bool = False  # the file began with a UTF-8 byte-order mark: a rewrite keeps it

    @property
    def newline(self) -> str:
        """The file's own line ending: a rewritten entry uses it (a CRLF file gets CRLF entries)."""
        crlf = self.text.count("\r\n")
        return "\r\n" if crlf and crlf * 2 >= self.text.count("\n") else "\n"


def read(path: str | Path) -> BibFile:
    """Read a .bib; a file that cannot be one is a BibError (one line), a block that cannot be parsed is kept
    byte for byte and reported as a finding with its line."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise BibError(f"{path}: no such file") from None
    if p.is_dir():
        raise BibError(f"{path} is a folder, not a .bib file")
    if size > MAX_BYTES:
        raise BibError(f"{path}: {size // 1_000_000} MB is more than a .bib file can sensibly be "
                       f"(limit {MAX_BYTES // 1_000_000} MB)")
    data = p.read_bytes()
    if b"\x00" in data[:65536]:
        raise BibError(f"{path}: binary data, not a .bib file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BibError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    bib = parse(text, str(path))
    bib.bom = data.startswith(b"\xef\xbb\xbf")
    return bib


def parse(text: str, name: str = "<bib>") -> BibFile:
    """Entries with their exact text; bibtexparser's own objects are not kept (a 50,000-entry file would hold
    them all), and its log lines about broken blocks are not printed: each is a finding with its line."""
    import logging

    import bibtexparser
    from bibtexparser import model as bm

    log = logging.getLogger("bibtexparser")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        library = bibtexparser.parse_string(text)
    finally:
        log.setLevel(level)
    out = BibFile(path=name, text=text)
    if not library.entries and "@" not in text:
        raise BibError(f"{name}: no BibTeX entries found (is it a .bib file?)")
    for block in library.blocks:
        line = (getattr(block, "start_line", 0) or 0) + 1
        if isinstance(block, bm.DuplicateBlockKeyBlock):
            out.findings.append((line, f"duplicate key {block.key!r}: this entry is kept as it is, not upgraded"))
        elif isinstance(block, bm.ParsingFailedBlock):
            out.findings.append((line, f"cannot be parsed ({type(block).__name__}); kept byte for byte"))
        elif isinstance(block, bm.Entry):
            out.entries.append(_entry(block, line))
    return out


def _entry(block: Any, line: int) -> BibEntry:
    from ..names import latex_to_text

    fields = tuple((f.key.lower(), str(f.value)) for f in block.fields)
    title = latex_to_text(dict(fields).get("title", ""))
    return BibEntry(key=block.key, entry_type=block.entry_type.lower(), fields=fields, raw=block.raw, line=line,
                    title=title)


_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]*(?:abs/)?((?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?)", re.I)


def entry_ids(e: BibEntry) -> Ids:
    """Every identifier an entry carries, through the one id table."""
    from ..ids import ids_from_urls, norm_arxiv, norm_doi

    found = Ids()
    prefix = (e.get("archiveprefix") or e.get("eprinttype")).lower()
    eprint = e.get("eprint")
    if eprint and (not prefix or "arxiv" in prefix) and (a := norm_arxiv(eprint)):
        found = found.merged(Ids(arxiv=a))
    volume = e.get("volume")
    if e.is_preprint and (m := re.match(r"(?i)\s*(?:abs/|arxiv:\s*)(\S+)", volume)) and (a := norm_arxiv(m.group(1))):
        found = found.merged(Ids(arxiv=a))  # DBLP's and S2's 'abs/ID', 'Computing Research Repository' arXiv:ID
    doi = norm_doi(e.get("doi")) if e.get("doi") else None
    urls = [e.get(k) for k in ("url", "howpublished", "pdf", "link", "note") if e.get(k)]
    urls = [u for raw in urls for u in re.findall(r"https?://[^\s{}\\]+|\bdoi\.org/\S+", raw) or [raw]]
    found = found.merged(ids_from_urls(urls, doi))
    arxivid = e.get("arxivid")  # Mendeley's arxivId
    if arxivid and (a := norm_arxiv(arxivid)):
        found = found.merged(Ids(arxiv=a))
    for name in ("journal", "howpublished", "note", "booktitle", "number", "eid"):  # eid: NASA ADS's arXiv:ID
        m = _ARXIV_IN_TEXT.search(_plain(e.get(name)))
        if m and (a := norm_arxiv(m.group(1))):
            found = found.merged(Ids(arxiv=a))
    biburl = e.get("biburl")
    m = re.search(r"dblp\.org/rec/(.+?)\.bib", biburl)
    if m:
        found = found.merged(Ids(dblp=m.group(1)))
    return found


def query_of(e: BibEntry, ids: Ids | None = None) -> Query:
    from ..names import split_bibtex_names
    from ..venues import short_venue

    year_m = re.search(r"\d{4}", e.get("year") or e.get("date"))
    year = int(year_m.group(0)) if year_m else None
    venue_raw = e.get("journal") or e.get("journaltitle") or e.get("booktitle") or e.get("howpublished") or None
    venue = "CoRR" if e.is_preprint else (short_venue(venue_raw, None) if venue_raw else None)
    kind = "book" if e.entry_type == "book" else "paper"
    return Query(title=e.title, ids=ids if ids is not None else entry_ids(e), authors=tuple(split_bibtex_names(e.get("author"))), year=year,
                 venue=venue, venue_raw=venue_raw, kind=kind, origin=e)


def queries(bib: BibFile) -> list[Query]:
    duplicate_lines = {line for line, msg in bib.findings if msg.startswith("duplicate key")}
    return [query_of(e) for e in bib.entries if e.line not in duplicate_lines and e.title]
