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
from .inline import Seg
from .people import ET_AL, families, names_in, split_title_authors
from .text import SEPARATORS, bare_venue, clean, looks_like_venue, parse_venue, w

KNOWN_LABEL_WORDS = {
    "code", "pdf", "slides", "slide", "video", "blog", "post", "project", "demo", "website", "homepage", "data",
    "dataset", "paper", "github", "talk", "book", "arxiv", "link", "bib", "bibtex", "poster", "supplementary",
    "abs", "abstract", "html", "doi", "openreview", "acl", "anthology", "official", "pytorch", "tensorflow",
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
    warnings: list[str] = field(default_factory=list)
    text: str = ""  # all plain text, for "no link" messages
    badges: int = 0  # status badges dropped (decoration: an item of badges alone is no entry)

    def hint(self, inner: str) -> None:
        """Take a venue/year hint ('EMNLP 2019', 'ICLR 202'); the first one the item gives wins."""
        if self.venue_raw is not None:
            return
        venue, year, problem = parse_venue(inner)
        self.venue_raw = inner.strip()
        self.venue, self.year = venue, year
        if problem:
            self.warnings.append(w(self.line, f"{problem} in '({inner.strip()})'; "
                                              f"year left unknown, venue '{venue or ''}'"))


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


# A sentence ends at '.' after a word of two or more characters: not after an initial ('A.') or an abbreviation.
_PERIOD = re.compile(r"\.(?:\s+|$)")
_ABBREVIATIONS = frozenset("vs etc eg e.g ie i.e fig no vol inc ltd jr sr dr mr ms st cf pp ed eds".split())
_NUMBERED = re.compile(r"^\s*(?:\(\d{1,3}\)|\d{1,3}[).:])\s+(?=\S)")
_NUMBER_ONLY = re.compile(r"\s*(?:\(\d{1,3}\)|\d{1,3}[).:])\s*")
_DOUBLE_SPACE = re.compile(r"(?<=\S)(?: {2,}|\t+)(?=\S)")
_VENUE_PAREN = re.compile(r"\(([^()]*)\)\s*$")
LONG_TITLE = 200  # characters: a paper's title is shorter; beyond this the cell holds a description too


def sentences(text: str) -> list[str]:
    out, pos = [], 0
    for m in _PERIOD.finditer(text):
        word = re.search(r"(\S+)$", text[max(pos, m.start() - 40):m.start()])  # bounded: linear on any text
        last = word.group(1) if word else ""
        core = last.lstrip("([\"'“‘").lower()
        if len(core) < 2 or core in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.-?)+[a-z]", core):
            continue
        out.append(text[pos:m.start()])
        pos = m.end()
    out.append(text[pos:])
    return [s.strip() for s in out if s.strip()]


# ---------------------------------------------------------------- the reader

def analyse(segs: list[Seg], line: int, end_line: int) -> Piece:
    piece = Piece(line=line, end_line=end_line)
    for s in segs:
        if s.kind == "link" and s.badge and is_repository_url(s.href):
            s.badge, s.text = False, "code"  # a stars badge on a repository: the picture links the code
    kept = [s for s in segs if not (s.kind == "link" and s.badge)]  # other badges are decoration
    piece.badges, segs = len(segs) - len(kept), kept
    _unwrap_link_brackets(segs)
    piece.text = clean("".join(s.text for s in segs))
    first = next((i for i, s in enumerate(segs) if s.kind == "link" and not s.image_only), None)
    if first is None:
        _read_head(piece, segs)
        _add_links(piece, segs, title_at=None)
        return piece

    pre, lead = segs[:first], segs[first]
    title_at: int | None = None
    tail_from = first + 1
    pre_text = "".join(s.text for s in pre if s.kind == "text")
    if _NUMBER_ONLY.fullmatch(pre_text) or (pre_text.strip() and not re.search(r"\w", pre_text)):
        pre, pre_text = [], ""  # "3) [Title](…)": the number is the list's, not the title's
    if pre_text.strip():
        _read_head(piece, pre)
        label = bracket_label(lead.text)
        joined = "".join(s.text for s in pre)
        if joined and not joined[-1].isspace() and label is not None:
            piece.warnings.append(w(line, f"no space before '[[{label}]]'; title read as '{piece.title}'"))
    elif _can_title(lead):
        later = next((i for i in range(first + 1, len(segs)) if _can_title(segs[i]) and titlelike(segs[i].text)
                      and not is_repository_url(segs[i].href)), None)
        if is_repository_url(lead.href) and later is not None and _only_separators(segs[first + 1:later]):
            # [ToolName](github): [Paper Title](paper): the tool's name is the nickname
            title_at, tail_from = later, later + 1
            piece.nickname = clean(lead.text) if len(clean(lead.text).split()) <= 4 else None
        else:
            title_at = first
        piece.title = clean(segs[title_at].text)
    else:
        # the first link is an identifier or a bare URL: the title is the text after it
        nxt = next((i for i in range(first + 1, len(segs)) if segs[i].kind == "link"), len(segs))
        words = "".join(s.text for s in segs[first + 1:nxt] if s.kind == "text")
        if titlelike(words.strip(SEPARATORS)):
            _read_head(piece, segs[first + 1:nxt], after_id=True)
            tail_from = nxt
    _add_links(piece, segs, title_at)
    _read_tail(piece, segs[tail_from:], after_title_link=title_at is not None)
    return piece


def _can_title(s: Seg) -> bool:
    return (s.kind == "link" and not s.autolink and not s.image_only and bracket_label(s.text) is None
            and not is_url_text(s.text, s.href) and clean(s.text).lower() not in KNOWN_LABEL_WORDS
            and not id_label(s.text) and bool(clean(s.text)))


def _only_separators(segs: list[Seg]) -> bool:
    return all(s.kind == "text" and not s.text.strip(SEPARATORS + "()[]") for s in segs)


def _unwrap_link_brackets(segs: list[Seg]) -> None:
    """'[[pdf](…)]': the brackets around a link are markup, not text (they would end up in the title)."""
    for i, s in enumerate(segs):
        if s.kind != "link":
            continue
        before = segs[i - 1] if i > 0 and segs[i - 1].kind == "text" else None
        after = segs[i + 1] if i + 1 < len(segs) and segs[i + 1].kind == "text" else None
        if before is not None and before.text.rstrip(" ").endswith("["):
            before.text = before.text.rstrip(" ")[:-1]
        if after is not None and after.text.lstrip(" ").startswith("]"):
            after.text = after.text.lstrip(" ")[1:]


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


def _chunks(segs: list[Seg]) -> list[tuple[str, str]]:
    """Runs of text in one style: ('strong' | 'em' | 'plain', text)."""
    out: list[tuple[str, str]] = []
    for s in segs:
        if s.kind != "text":
            continue
        style = "strong" if s.strong else ("em" if s.em else "plain")
        if out and out[-1][0] == style:
            out[-1] = (style, out[-1][1] + s.text)
        else:
            out.append((style, s.text))
    return out


def continuation(piece: Piece, more: Piece) -> None:
    """A later paragraph of the same item ("   *A. Author, B. Author* [[pdf](…)]" below a bold title) adds
    its links, and the authors and hint the first paragraph did not give."""
    if not piece.authors and more.authors:
        # a plain paragraph of names reads as "Title, Authors": its first name came out as the title
        first = (more.title,) if more.title and names_in(more.title, single=True) else ()
        piece.authors = first + more.authors
    if piece.venue_raw is None and more.venue_raw is not None:
        piece.venue, piece.year, piece.venue_raw = more.venue, more.year, more.venue_raw
    piece.links.extend(rl.labelled() for rl in more.links)
    piece.end_line = max(piece.end_line, more.end_line)


def _read_head(piece: Piece, segs: list[Seg], after_id: bool = False) -> None:
    """The text before the links: the title, and in bold-title lists the authors and venue after it."""
    chunks = [c for c in _chunks(segs) if c[1]]
    while chunks and chunks[0][0] == "plain" and (not chunks[0][1].strip() or _NUMBER_ONLY.fullmatch(chunks[0][1])
                                                  or not re.search(r"\w", chunks[0][1])):
        chunks.pop(0)  # blank, "1) " or an emoji before a bold title
    if not chunks:
        return
    style, first = chunks[0]
    rest = "".join(t for _, t in chunks[1:])
    if style == "em" and not rest.strip(SEPARATORS + ".") and (names := names_in(first, single=True)):
        piece.authors = names  # a paragraph of authors only (below the title)
        return
    if style == "strong" and clean(first) and (not rest.strip() or re.match(r"^\s*(?:[.,;]|\n|[-–—]\s)", rest)
                                                 or re.search(r"[.?!]$", clean(first))  # "**Title.** EMNLP 2019."
                                                 or (len(chunks) > 1 and chunks[1][0] == "em")):
        # **Title**. *Authors*. Venue Year.
        piece.title = re.sub(r"(?<=[^.])\.$", "", clean(first).strip(SEPARATORS))  # the title's full stop, not "et al."
        _read_fields(piece, chunks[1:])
        return
    strong = [j for j, (st, _) in enumerate(chunks) if st == "strong"]
    if len(strong) == 1 and strong[0] > 0:
        before = "".join(t for _, t in chunks[: strong[0]]).strip()
        probe = Piece(line=piece.line, end_line=piece.end_line)
        if _authors_first(probe, before + " x") == "x":
            # Faruqui and Dyer - 2014 - **Title** [[pdf]]: the bold part is the title
            piece.authors, piece.venue_raw, piece.year = probe.authors, probe.venue_raw, probe.year
            piece.title = clean(chunks[strong[0]][1]).strip(SEPARATORS + ".")
            _read_fields(piece, chunks[strong[0] + 1:])
            return
    # Title *A. Author, B. Author* …: an italic list of names ends the title
    k = next((j for j, (st, t) in enumerate(chunks) if j > 0 and st == "em" and names_in(t, single=True)), None)
    title_raw = "".join(t for _, t in (chunks[:k] if k else chunks))
    _plain_title(piece, title_raw, after_id=after_id)
    if k:
        _read_fields(piece, chunks[k:])


def _plain_title(piece: Piece, raw: str, after_id: bool = False) -> None:
    """Plain text that starts with the title: '1) Title  description', 'Title. A. Author. ACL 2019.',
    'Title, A. Author, B. Author, NIPS 2017', '[ACL 2019] Title', 'Title (EMNLP 2019)'."""
    text = raw.replace("\n", " ").strip(SEPARATORS)
    text = _NUMBERED.sub("", text)
    lead = _LEADING_HINT.match(text)
    if lead and bare_venue(lead.group(1)):
        piece.hint(lead.group(1))
        text = text[lead.end():]
    text = _authors_first(piece, text)
    description = ""
    m = _DOUBLE_SPACE.search(text)
    if m and len(clean(text[m.end():])) >= 20 and not names_in(text[m.end():].strip(SEPARATORS)):
        text, description = text[: m.start()], text[m.end():]
    parts = sentences(text)
    if len(parts) == 1:
        text = parts[0]  # "Title." : the full stop ends the sentence, it is not the title's
    elif len(parts) > 1:
        known = [_field(p) for p in parts[1:]]
        if any(k is not None for k in known) or len(text) > LONG_TITLE:
            text = parts[0]
            for p, k in zip(parts[1:], known):
                if k is None:
                    description = (description + " " + p + ".").strip() if description else p + "."
                else:
                    _take_field(piece, p, k)
    title = _trailing_fields(piece, clean(text).rstrip(SEPARATORS), single=after_id)
    pm = _VENUE_PAREN.search(title)
    if pm and looks_like_venue(pm.group(1)) and title[: pm.start()].strip():
        piece.hint(pm.group(1))
        title = title[: pm.start()].rstrip(SEPARATORS)
    piece.title = title
    if description.strip():
        piece.description = clean(description)


# "Faruqui and Dyer - 2014 - Title" (how Zotero names a paper's file), "Peter F Brown, et al.: Title, 1992."
_FILE_NAME = re.compile(r"^(?P<names>[^\d:]{2,200}?)\s+[-–]\s+(?P<year>(?:19|20)\d{2})\s*[-–]\s*(?P<rest>.*)$")
_NAMES_COLON = re.compile(r"^(?P<names>[^:]{2,300}?):\s+(?P<rest>\S.*)$")


def _authors_first(piece: Piece, text: str) -> str:
    """Authors before the title: 'Names - Year - Title' or 'Names, et al.: Title'; the rest is the title."""
    m = _FILE_NAME.match(text)
    if m and families(m.group("names")):
        piece.authors = piece.authors or families(m.group("names"))
        if piece.venue_raw is None:
            piece.venue_raw, piece.year = m.group("year"), int(m.group("year"))
        return m.group("rest")
    if piece.authors:
        return text
    # one name alone, or family names alone, only in a reference's shape: ending in its year
    dated = bool(re.search(r"(?:19|20)\d{2}\W*$", text))
    parts = sentences(text)
    if dated and len(parts) >= 2 and (names := names_in(parts[0], single=True)):
        piece.authors = names  # "Donald Hindle and Mats Rooth. Title. Venue, 1993."
        return ". ".join(parts[1:])
    m = _NAMES_COLON.match(text)
    if m and len(sentences(m.group("names"))) == 1:
        names = names_in(m.group("names"), single=dated)
        if names:
            piece.authors = names
            return m.group("rest")
    return text


_LEADING_HINT = re.compile(r"^\s*[\[(]([^\])]{2,60})[\])]\s*(?=\S)")  # "[ACL 2019] Title", "(NeurIPS 2019) Title"


# A journal or proceedings named in words: ", J. of Machine Learning Research", ", Computational Linguistics"
_VENUE_WORDS = re.compile(r"^(?:j\.|journal\b|trans\.|transactions\b|proc\.|proceedings\b|computational linguistics$"
                          r"|machine learning$|artificial intelligence$|(?:ieee|acm)\b)", re.IGNORECASE)


def _trailing_fields(piece: Piece, text: str, single: bool = False) -> str:
    """'Title, A. Author, B. Author, NIPS 2017' → 'Title', taking the venue and the authors off the end.
    `single`: one name alone counts as the authors (after an id link, where nothing else can follow)."""
    head, sep, last = text.rpartition(",")
    if sep and head.strip() and piece.venue_raw is None and bare_venue(last):
        _take_field(piece, last.strip(), "venue")
        text = head.rstrip(SEPARATORS)
        head, sep, last = text.rpartition(",")
    if sep and head.strip() and piece.venue is None and _VENUE_WORDS.match(last.strip()):
        piece.venue = clean(last)  # "Title, J. of Machine Learning Research, 2003": the journal too
        piece.venue_raw = clean(f"{piece.venue} {piece.year or ''}")
        text = head.rstrip(SEPARATORS)
    if not piece.authors and "," in text:
        title, names = split_title_authors(text)
        if names and (single or len(names) > 1 or ET_AL.search(text)):
            piece.authors, text = names, title
    return text


def _field(text: str) -> str | None:
    """What one sentence after the title is: 'venue', 'authors', or None (description)."""
    if bare_venue(text) or (re.fullmatch(r"\(([^()]*)\)", text.strip()) and looks_like_venue(text)):
        return "venue"
    if names_in(text):
        return "authors"
    return None


def _take_field(piece: Piece, text: str, what: str) -> None:
    if what == "venue":
        inner = text.strip().strip("()")
        if piece.venue_raw is None:
            bv = bare_venue(inner)
            if bv:
                piece.venue_raw, (piece.venue, piece.year) = clean(inner).strip(" .,;"), bv
            else:
                piece.hint(inner)
    elif what == "authors" and not piece.authors:
        piece.authors = names_in(text) or ()


def _read_fields(piece: Piece, chunks: list[tuple[str, str]]) -> None:
    """After a bold title: italic names are the authors; plain sentences are a venue hint or a description."""
    extra: list[str] = []
    for style, text in chunks:
        if style == "em" and not piece.authors and (names := names_in(text, single=True)):
            piece.authors = names
            continue
        for sentence in sentences(text.replace("\n", " ")):
            s = sentence.strip(SEPARATORS + ".")
            if not s:
                continue
            what = _field(s)
            if what:
                _take_field(piece, s, what)
            else:
                extra.append(s)
    if extra and not piece.description:
        piece.description = clean(" ".join(extra)).strip(SEPARATORS) or None


_COUNT = re.compile(r"^[\d,.]+\s*[kKmM]?\+?\s*(?:stars?|forks?|citations?|cited|⭐|★)?$", re.IGNORECASE)


def _tail_fields(piece: Piece, text: str) -> str:
    """', Ashish Vaswani, Noam Shazeer, NIPS 2017' after a title link: the authors and the venue, no description."""
    head, sep, last = text.rpartition(",")
    if sep and piece.venue_raw is None and bare_venue(last) and names_in(head):
        _take_field(piece, last.strip(), "venue")
        text = head.strip(SEPARATORS)
    if not piece.authors and "," in text and (names := names_in(text)):
        piece.authors, text = names, ""
    return text


def _ends_its_run(segs: list[Seg], end: int) -> bool:
    """Nothing but punctuation follows, up to the next link or the end: the emphasis closes the item."""
    for s in segs[end:]:
        if s.kind == "link":
            return True
        if re.search(r"\w", s.text):
            return False
    return True


def _emphasis_groups(segs: list[Seg]) -> list[tuple[int, int]]:
    """(start, end) of each run of emphasised text; a link or plain text ends a run."""
    groups: list[tuple[int, int]] = []
    start: int | None = None
    for i, s in enumerate(segs + [Seg("link", "")]):
        if s.kind == "text" and s.emph:
            start = i if start is None else start
        elif start is not None:
            groups.append((start, i))
            start = None
    return groups


def _read_tail(piece: Piece, segs: list[Seg], after_title_link: bool) -> None:
    """The text after the links: a nickname in emphasis, authors in italics, a venue hint, a description."""
    hidden: set[int] = set()  # emphasis taken as a nickname, authors or a venue, or a counter: not description
    for start, end in _emphasis_groups(segs):
        text = clean("".join(s.text for s in segs[start:end]))
        before = segs[start - 1].text if start > 0 and segs[start - 1].kind == "text" else ""
        after = segs[end].text if end < len(segs) and segs[end].kind == "text" else ""
        span = set(range(start, end))
        if (before.rstrip().endswith("[") and after.lstrip().startswith("]")) or _COUNT.match(text):
            hidden |= span  # [**12 stars**]: a counter, neither a name nor a description
            continue
        italic = not any(s.strong for s in segs[start:end])
        if bare_venue(text):
            _take_field(piece, text, "venue")  # "**ACL 2019**": a hint set in bold, not a nickname
        elif italic and not piece.authors and (names := names_in(text, single=True)):
            piece.authors = names
        elif piece.nickname is None and text and _ends_its_run(segs, end) and len(text) <= 40 and len(text.split()) <= 5:
            piece.nickname = text  # "- ***BERT***", "(**ELMo**)": set apart at the end, short
        else:
            continue  # emphasis inside a description ("**official** code for …") stays in it
        hidden |= span
    plain = clean("".join(s.text if s.kind == "text" and i not in hidden else " " for i, s in enumerate(segs)))
    if after_title_link:
        m = re.match(r"^\(([^()]*)\)", plain)
        if m and looks_like_venue(m.group(1)):
            piece.hint(m.group(1))
            plain = plain[m.end():]
    m = re.search(r"\(([^()]*)\)$", plain)
    if m and looks_like_venue(m.group(1)) and piece.venue_raw is None:
        piece.hint(m.group(1))  # [[code](…)] (NeurIPS2019): a hint after the links
        plain = plain[: m.start()]
    desc = plain.strip(SEPARATORS + "[]")
    desc = re.sub(r"(?:^|[\s,;])(?:19|20)\d{2}[./-]\d{1,2}\.?$", "", desc).strip(SEPARATORS)  # "…, 2019.7": a date
    if after_title_link and desc:
        desc = _tail_fields(piece, desc)
    if after_title_link and desc:
        parts = sentences(desc)
        kinds = [_field(p.strip(SEPARATORS)) for p in parts]
        if any(kinds):
            for p, k in zip(parts, kinds):
                if k:
                    _take_field(piece, p.strip(SEPARATORS), k)
            desc = " ".join(p + "." for p, k in zip(parts, kinds) if not k).strip(SEPARATORS)
    # "- ***" with nothing inside: markdown-it leaves the markers as text; the nickname was never written
    empty = re.search(r"(?:^|\s)(\*{1,3}|_{2,3})$", desc)
    if empty and not piece.nickname:
        piece.warnings.append(
            w(piece.line, f"empty '{empty.group(1)}' emphasis after the links (a nickname is missing); nickname left empty")
        )
        desc = desc[: empty.start(1)].strip(SEPARATORS)
    if desc:
        piece.description = clean(f"{piece.description or ''} {desc}")
