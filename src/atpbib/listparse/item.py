"""One list item (or table cell) → its title, authors, venue/year hint, nickname, description and links.

Lists are written in a handful of styles, and each says where its parts are:
  ATPapers      Title (EMNLP 2019) [[paper]](…)[[code]](…) - ***Nickname***
  awesome       [Title](…) (NeurIPS 2019) - description            [Tool](github): [Paper Title](…)
  bold-title    **Title**. *A. Author, B. Author*. ACL2019. [[pdf](…)]   (authors may be on the next line)
  weekly table  1) Title  a long description… | [arXiv](…)
  id first      [arXiv:1810.04805](…), Title, A. Author, B. Author
The reader looks at the shape (bold against italic, a link label that is an identifier or a repository,
sentence breaks, a double space) rather than at one list's conventions, and keeps the authors: they are
evidence for matching.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..ids import identify
from ..ids import LIST_PAPER_SCHEMES as PAPER_SCHEMES
from ..model import ListWarning
from .hints import read_hint
from .inline import Seg
from .people import names_in
from .text import SEPARATORS, clean, short, w

KNOWN_LABEL_WORDS = {
    "code", "pdf", "slides", "slide", "video", "blog", "post", "project", "demo", "website", "homepage", "data",
    "dataset", "paper", "github", "talk", "book", "arxiv", "link", "bib", "bibtex", "poster", "supplementary",
    "abs", "abstract", "html", "doi", "openreview", "acl", "anthology", "official", "pytorch", "tensorflow",
    "acl anthology", "semantic scholar", "google scholar", "papers with code", "paperswithcode", "hugging face",
    "huggingface", "source", "project page", "full text", "read", "download", "citation", "citations",
}


@dataclass
class RawLink:
    label: str | None  # None: the title link, labelled once the kind is known
    text: str
    url: str
    written: str = ""  # as the list writes it, for warnings
    image_only: bool = False

    def labelled(self) -> "RawLink":
        """The link with a label of its own (a title link handed to another item is labelled by its text)."""
        return RawLink(self.label or self.text.lower() or "link", self.text, self.url, self.written, self.image_only)


@dataclass
class Piece:
    """One parsed item (or table title cell) before kind/section decisions."""

    line: int
    end_line: int
    title: str = ""
    authors: tuple[str, ...] = ()
    venue: str | None = None
    year: int | None = None
    venue_raw: str | None = None
    nickname: str | None = None
    description: str | None = None
    links: list[RawLink] = field(default_factory=list)
    warnings: list[ListWarning] = field(default_factory=list)
    text: str = ""  # all plain text, for "no link" messages
    written: str = ""  # the item as the list writes it (its Markdown), quoted when the reader is unsure of it
    badges: int = 0  # status badges dropped (decoration: an item of badges alone is no entry)


# ---------------------------------------------------------------- what a piece of text looks like

_BRACKETED = re.compile(r"^\s*\[+(.*?)\]+\s*$", re.DOTALL)


def bracket_label(text: str) -> str | None:
    m = _BRACKETED.match(text)
    return clean(m.group(1)).lower() if m else None


def is_url_text(text: str, href: str) -> bool:
    t = text.strip()
    return t == href or bool(re.match(r"^(https?://|www\.)\S+$", t))


_ID_LABEL = re.compile(r"^(?:arxiv\s*[:.]?\s*(?:abs/)?\d{4}\.\d{4,5}(?:v\d+)?|\d{4}\.\d{4,5}(?:v\d+)?|(?:doi:\s*)?10\.\d{4,9}/\S+"
                       r"|[A-Z]\d{2}-\d{4}|arxiv(?:\s*preprint)?)$", re.IGNORECASE)


def id_label(text: str) -> str | None:
    """'arXiv:1810.04805' → 'arxiv', '10.18653/v1/N19-1423' → 'doi': a label that names a paper by its id."""
    t = clean(text)
    if not _ID_LABEL.match(t):
        return None
    return "doi" if re.match(r"^(doi:\s*)?10\.", t, re.IGNORECASE) else ("acl" if re.match(r"^[A-Z]\d{2}-", t) else "arxiv")


def is_repository_url(url: str) -> bool:
    found = identify(url)
    return "github" in found and not any(s in found for s in PAPER_SCHEMES)


def titlelike(text: str) -> bool:
    """Text that can be a paper's title: words, not a label, an id or a URL."""
    t = clean(text)
    return len(t.split()) >= 3 and t.lower() not in KNOWN_LABEL_WORDS and not id_label(t) and not re.match(r"^\w+://", t)


from .tagger import Context, sentences, tag  # noqa: E402  (sentences: the one sentence rule, re-exported)


def _venue_label(text: str) -> bool:
    """'[arXiv 2020](…)', '[ACL 2019](…)': a link labelled by where and when; '[ACL 2018 Highlights: …](…)' is a title."""
    hint = read_hint(text)
    return hint is not None and hint.year is not None and (hint.venue is None or len(hint.venue.split()) <= 3)


def _title_label(s: Seg) -> bool:
    return (s.kind == "link" and not s.autolink and not s.image_only and bracket_label(s.text) is None
            and not is_url_text(s.text, s.href) and clean(s.text).lower() not in KNOWN_LABEL_WORDS
            and not id_label(s.text) and bool(clean(s.text)) and not _venue_label(s.text))


def _paper(s: Seg) -> bool:
    from .kinds import is_paper_link

    return is_paper_link(RawLink(None, s.text, s.href))


_CONTEXT = Context(is_title_label=_title_label, is_paper=_paper, is_repository=is_repository_url)


def analyse(segs: list[Seg], line: int, end_line: int) -> Piece:
    """The item's fields, decided by the tagger; links labelled; the warnings a reader of the list needs."""
    piece = Piece(line=line, end_line=end_line)
    for s in segs:
        if s.kind == "link" and s.badge and is_repository_url(s.href):
            s.badge, s.text = False, "code"  # a stars badge on a repository: the picture links the code
    kept = [s for s in segs if not (s.kind == "link" and s.badge)]  # other badges are decoration
    piece.badges, segs = len(segs) - len(kept), kept
    piece.text = clean("".join(s.text for s in segs))
    fields, _ = tag(segs, _CONTEXT)
    piece.title, piece.authors, piece.nickname = fields.title, fields.authors, fields.nickname
    piece.venue_raw, piece.venue, piece.year = fields.hint_raw, fields.venue, fields.year
    if fields.rival and piece.title and clean(fields.rival) != piece.title:
        piece.warnings.append(w(line, f"title read as '{short(piece.title)}'; '{short(fields.rival)}' looked "
                                      "nearly as much like one", "unsure"))
    if fields.problem:
        piece.warnings.append(w(line, f"{fields.problem} in '({fields.hint_raw})'; "
                                      f"year left unknown, venue '{fields.venue or ''}'", "bad-hint"))
    notes = clean(" ".join(fields.notes)).strip(SEPARATORS + "[]")
    if fields.markers and not piece.nickname:
        piece.warnings.append(w(line, f"empty '{fields.markers[-1]}' emphasis after the links (a nickname is missing); "
                                      "nickname left empty", "markup"))
    piece.description = notes or None
    title_at = next((i for i, s in enumerate(segs) if fields.title_link is not None and s is fields.title_link), None)
    _add_links(piece, segs, title_at)
    if fields.title_link is None and piece.title:
        _glued_label_warning(piece, segs)
    return piece


def _glued_label_warning(piece: Piece, segs: list[Seg]) -> None:
    """'Title[[pdf]](…)': the title runs into its first bracketed link."""
    for i, s in enumerate(segs):
        if s.kind == "link" and (label := bracket_label(s.text)) is not None:
            before = segs[i - 1] if i else None
            if before is not None and before.kind == "text" and before.text and not before.text[-1].isspace():
                piece.warnings.append(w(piece.line, f"no space before '[[{label}]]'; title read as '{piece.title}'", "markup"))
            return


def continuation(piece: Piece, more: Piece) -> None:
    """A later paragraph of the same item ("   *A. Author, B. Author* [[pdf](…)]" below a bold title) adds
    its links, and the authors and hint the first paragraph did not give."""
    if not piece.authors and more.authors:
        # a plain paragraph of names reads as "Title, Authors": its first name came out as the title
        first = (more.title,) if more.title and names_in(more.title, single=True) else ()
        piece.authors = first + more.authors
    if piece.venue_raw is None and more.venue_raw is not None:
        piece.venue, piece.year, piece.venue_raw = more.venue, more.year, more.venue_raw
    elif more.venue_raw is not None:  # 'Date: 2026' then 'Publisher: CVPR 2026': each gives what is missing
        if piece.venue is None and more.venue:
            piece.venue = more.venue
        if piece.year is None and more.year:
            piece.year = more.year
    piece.links.extend(rl.labelled() for rl in more.links)
    piece.end_line = max(piece.end_line, more.end_line)


def _add_links(piece: Piece, segs: list[Seg], title_at: int | None) -> None:
    for i, s in enumerate(segs):
        if s.kind != "link":
            continue
        if i == title_at:
            piece.links.append(RawLink(None, clean(s.text), s.href, s.written))
            continue
        label = bracket_label(s.text)
        if label is None:
            if s.autolink or is_url_text(s.text, s.href):
                label = id_label(s.text) or "link"
            else:
                label = id_label(s.text) or ("code" if is_repository_url(s.href) else clean(s.text).lower())
        piece.links.append(RawLink(label or "link", clean(s.text), s.href, s.written, s.image_only))
