"""Markdown paper list → Entry, one per list item (or table row), with recovery warnings.

Built on markdown-it-py's token stream (token.map gives line numbers) rather than line regexes, so nested
bullets, numbered lists, tables and multi-line items come out right. Hand-written lists have defects
(URLs broken over two lines, a missing space after "-", bare domains as links…): each is repaired where the
intent is clear and reported as a one-line warning naming the line, so callers can decide how strict to be.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # markdown-it is imported when a list is parsed (a remembered parse needs none)
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

from atpbib.ids import identify, ids_from_links
from atpbib.model import ENTRY_ID_SCHEMES, Entry, Link

log = logging.getLogger(__name__)

__all__ = [
    "Heading",
    "ListWarning",
    "ParsedList",
    "ListError",
    "parse_list",
    "load_list",
    "entry_to_json",
    "parse_venue",
    "count_lines",
    "BUNDLED_NAME",
]

BUNDLED_NAME = "ATPapers.md"


class ListError(Exception):
    """The list could not be read (missing, not text, not Markdown, unreachable)."""


@dataclass(frozen=True)
class Heading:
    path: tuple[str, ...]  # this heading's path, ending with its own text
    level: int
    line: int


@dataclass(frozen=True)
class ListWarning:
    line: int
    message: str  # full human-readable line, starting "line N: "

    def __str__(self) -> str:
        return self.message


# The issue calls it `Warning`; ListWarning avoids shadowing the builtin for importers.
Warning = ListWarning  # noqa: A001


@dataclass(frozen=True)
class ParsedList:
    entries: tuple[Entry, ...]
    headings: tuple[Heading, ...]
    warnings: tuple[ListWarning, ...]
    source_name: str = "<list>"
    text: str = ""  # the list as read, so `check --fix` can rewrite single lines and keep the rest


# ---------------------------------------------------------------- small helpers

def count_lines(text: str) -> int:
    """Lines as markdown-it counts them (\\r\\n, \\r and \\n all end a line)."""
    if not text:
        return 0
    return len(re.split(r"\r\n|\r|\n", text))


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


_SEPARATORS = " \t\n-–—:|,;"
_KNOWN_LABEL_WORDS = {
    "code", "pdf", "slides", "slide", "video", "blog", "post", "project", "demo", "website", "homepage", "data",
    "dataset", "paper", "github", "talk", "book", "arxiv", "link", "bib", "bibtex", "poster", "supplementary",
}
_PAPERISH = ("paper", "pdf", "arxiv", "book")
from .ids import LIST_PAPER_SCHEMES as _PAPER_SCHEMES  # noqa: E402  (the one id table)


def _w(line: int, msg: str) -> str:
    return f"line {line}: {msg}"


def _short(s: str, n: int = 60) -> str:
    s = _clean(s)
    return s if len(s) <= n else s[: n - 1] + "…"


# ---------------------------------------------------------------- venue / year hints

_VENUE_PAREN = re.compile(r"\(([^()]*)\)\s*$")


def parse_venue(inner: str) -> tuple[str | None, int | None, str | None]:
    """'EMNLP 2019' → ('EMNLP', 2019, None); 'ICLR 202' → ('ICLR', None, "year '202' is not a 4-digit year")."""
    s = inner.strip()
    year: int | None = None
    problem: str | None = None
    fours = list(re.finditer(r"(?<!\d)(\d{4})(?!\d)", s))
    if fours:
        m = fours[-1]
        y = int(m.group(1))
        if 1800 <= y <= 2100:
            year = y
        else:
            problem = f"year '{m.group(1)}' is not a plausible year"
        s = s[: m.start()] + " " + s[m.end():]
    else:
        m = re.search(r"(?<![\w.])(\d{1,3}|\d{5,})(?![\w.])", s)
        if m:
            problem = f"year '{m.group(1)}' is not a 4-digit year"
            s = s[: m.start()] + " " + s[m.end():]
    venue = _clean(s)
    venue = re.sub(r"\s+([,;:])", r"\1", venue).strip(" ,;:-'’")
    return (venue or None), year, problem


def _looks_like_venue(inner: str) -> bool:
    # A trailing parenthesis is a venue hint only when it carries a (possibly mistyped) year;
    # "(BERT)" or "(short version)" at the end of a title belong to the title.
    return bool(re.search(r"\d{2,}", inner)) and len(inner) <= 120


# ---------------------------------------------------------------- inline segments

@dataclass
class _Seg:
    kind: str  # "text" | "link"
    text: str
    emph: bool = False
    href: str = ""
    autolink: bool = False


def _segments(children: list[Token] | None) -> list[_Seg]:
    segs: list[_Seg] = []
    depth = 0
    link: _Seg | None = None
    for tok in children or []:
        t = tok.type
        if t == "link_open":
            link = _Seg("link", "", href=str(tok.attrs.get("href", "") or ""), autolink=tok.markup == "autolink")
            continue
        if t == "link_close":
            if link is not None:
                segs.append(link)
            link = None
            continue
        if t in ("em_open", "strong_open", "s_open"):
            depth += 1
            continue
        if t in ("em_close", "strong_close", "s_close"):
            depth = max(0, depth - 1)
            continue
        if t in ("text", "code_inline"):
            piece = tok.content
        elif t in ("softbreak", "hardbreak"):
            piece = "\n"
        elif t == "image":
            piece = tok.content if link is not None else ""
        else:  # html_inline and anything unknown
            piece = ""
        if not piece:
            if t == "text" and depth > 0 and link is None:
                segs.append(_Seg("text", "", emph=True))  # keeps "***x***" emphasis visible even when split
            continue
        if link is not None:
            link.text += piece
        else:
            segs.append(_Seg("text", piece, emph=depth > 0))
    if link is not None:  # unclosed (cannot happen with markdown-it, but never lose text)
        segs.append(link)
    return segs


_BRACKETED = re.compile(r"^\s*\[+(.*?)\]+\s*$", re.DOTALL)


def _bracket_label(text: str) -> str | None:
    m = _BRACKETED.match(text)
    return _clean(m.group(1)).lower() if m else None


@dataclass
class _RawLink:
    label: str | None  # None: the title link, labelled once the kind is known
    text: str
    url: str


@dataclass
class _Piece:
    """One parsed item (or table title cell) before kind/section decisions."""

    line: int
    end_line: int
    title: str = ""
    venue: str | None = None
    year: int | None = None
    venue_raw: str | None = None
    nickname: str | None = None
    description: str | None = None
    links: list[_RawLink] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title_link: bool = False
    text: str = ""  # all plain text, for "no link" messages


def _is_url_text(text: str, href: str) -> bool:
    t = text.strip()
    return t == href or bool(re.match(r"^(https?://|www\.)\S+$", t))


def _analyse(segs: list[_Seg], line: int, end_line: int) -> _Piece:
    piece = _Piece(line=line, end_line=end_line)
    piece.text = _clean("".join(s.text for s in segs))
    first = next((i for i, s in enumerate(segs) if s.kind == "link"), None)
    if first is None:
        title_raw = "".join(s.text for s in segs)
        _title_and_hint(piece, title_raw)
        return piece

    pre = "".join(s.text for s in segs[:first])
    lead = segs[first]
    lead_label = _bracket_label(lead.text)
    lead_is_title = (
        not pre.strip()
        and lead_label is None
        and not lead.autolink
        and not _is_url_text(lead.text, lead.href)
        and _clean(lead.text).lower() not in _KNOWN_LABEL_WORDS
        and bool(_clean(lead.text))
    )
    for s in segs:
        if s.kind != "link":
            continue
        if s is lead and lead_is_title:
            piece.links.append(_RawLink(None, _clean(s.text), s.href))
        else:
            label = _bracket_label(s.text)
            if label is None:
                label = "link" if (s.autolink or _is_url_text(s.text, s.href)) else _clean(s.text).lower()
            piece.links.append(_RawLink(label or "link", _clean(s.text), s.href))

    if lead_is_title:
        piece.title_link = True
        piece.title = _clean(lead.text)
    else:
        _title_and_hint(piece, pre)
        if pre.strip() and not pre[-1].isspace() and lead_label is not None:
            piece.warnings.append(
                _w(line, f"no space before '[[{lead_label}]]'; title read as '{piece.title}'")
            )

    # Everything after the first link: the nickname (emphasis) and a description (plain text).
    after = segs[first + 1:]
    plain = "".join(s.text if s.kind == "text" and not s.emph else " " for s in after)
    emph_groups: list[str] = []
    current: list[str] | None = None
    for s in after:
        if s.kind == "text" and s.emph:
            if current is None:
                current = []
            current.append(s.text)
        else:
            if current is not None:
                emph_groups.append("".join(current))
            current = None
    if current is not None:
        emph_groups.append("".join(current))
    nick = next((_clean(g) for g in emph_groups if _clean(g)), None)
    piece.nickname = nick

    plain = _clean(plain)
    if lead_is_title:
        m = re.match(r"^\(([^()]*)\)", plain)
        if m and _looks_like_venue(m.group(1)):
            _apply_hint(piece, m.group(1))
            plain = plain[m.end():]
    desc = plain.strip(_SEPARATORS)
    # "- ***" with nothing inside: markdown-it leaves the markers as text; the nickname was never written
    empty = re.search(r"(?:^|\s)(\*{1,3}|_{2,3})$", desc)
    if empty and not nick:
        piece.warnings.append(
            _w(line, f"empty '{empty.group(1)}' emphasis after the links (a nickname is missing); nickname left empty")
        )
        desc = desc[: empty.start(1)].strip(_SEPARATORS)
    piece.description = desc or None
    return piece


def _apply_hint(piece: _Piece, inner: str) -> None:
    venue, year, problem = parse_venue(inner)
    piece.venue_raw = inner.strip()
    piece.venue, piece.year = venue, year
    if problem:
        piece.warnings.append(
            _w(piece.line, f"{problem} in '({inner.strip()})'; year left unknown, venue '{venue or ''}'")
        )


def _title_and_hint(piece: _Piece, raw: str) -> None:
    title = _clean(raw).rstrip(_SEPARATORS)
    m = _VENUE_PAREN.search(title)
    if m and _looks_like_venue(m.group(1)) and title[: m.start()].strip():
        _apply_hint(piece, m.group(1))
        title = title[: m.start()].rstrip(_SEPARATORS)
    piece.title = title


# ---------------------------------------------------------------- raw-text repairs (per item)

_SPLIT_URL = re.compile(r"\]\(([^\s()<>]+)\n[ \t]*([^\s()<>]+)\)")
_GLUED_BULLET = re.compile(r"\n(?=-[^\s\-*_])")


def _split_glued_items(content: str, line: int) -> list[tuple[str, int]]:
    """Split "…\\n-Next item [[x]](…)": a bullet missing its space became a lazy continuation line."""
    bounds = [(0, line)]
    for m in _GLUED_BULLET.finditer(content):
        rest = content[m.end():].split("\n", 1)[0]
        if "](" in rest:  # only when the glued line carries a link: it is an item, not a wrapped title
            bounds.append((m.end(), line + content[: m.end()].count("\n")))
    pieces: list[tuple[str, int]] = []
    for i, (pos, ln) in enumerate(bounds):
        start = pos + 1 if i else 0  # skip the "-"
        end = bounds[i + 1][0] - 1 if i + 1 < len(bounds) else len(content)  # stop before the "\n"
        pieces.append((content[start:end], ln))
    return pieces


def _repair_split_urls(content: str, line: int, warnings: list[str]) -> str:
    def fix(m: re.Match[str]) -> str:
        at = line + content[: m.start()].count("\n")
        url = m.group(1) + m.group(2)
        warnings.append(_w(at, f"link URL split over lines {at}-{at + 1}; rejoined as {url}"))
        return f"]({url})"

    return _SPLIT_URL.sub(fix, content)


# ---------------------------------------------------------------- kinds, labels, links

def _kind(section: tuple[str, ...], title: str, main_label: str | None, main_url: str) -> str:
    heads = [h.lower() for h in section]
    if any("blog" in h for h in heads):
        return "blog"
    if any("repositor" in h for h in heads):
        return "repository"
    if main_label == "book":
        return "book"
    if (
        main_label in ("slides", "slide", "talk", "video")
        or re.search(r"(?<![a-z])(talk|slides?)(?![a-z])", main_url.lower().split("?")[0])
        or any(re.search(r"\b(talks?|slides|lectures?|videos?)\b", h) for h in heads)
    ):
        return "talk"
    if any(("survey" in h or "review" in h) for h in heads) or re.search(r"\b(survey|review)\b", title, re.IGNORECASE):
        return "survey"
    return "paper"


def _title_link_label(kind: str, url: str) -> str:
    if kind == "blog":
        return "post"
    if kind == "repository":
        return "code"
    if kind == "book":
        return "book"
    if kind == "talk":
        return "slides"
    if "github" in identify(url) and not any(s in identify(url) for s in _PAPER_SCHEMES):
        return "code"
    return "paper"


_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE)


# "paper.pdf", "README.md": relative files, not domains (even where the extension is also a TLD)
_FILE_LIKE = re.compile(r"^[^/?#]*\.(?:pdf|md|markdown|html?|txt|png|jpe?g|gif|svg|bib|tex|zip|gz|py|ipynb|json|ya?ml|csv)(?:[?#].*)?$", re.IGNORECASE)


def _finish_links(raw: list[_RawLink], kind: str, line: int, warnings: list[str]) -> tuple[Link, ...]:
    out: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for rl in raw:
        label = rl.label if rl.label is not None else _title_link_label(kind, rl.url)
        url = rl.url.strip()
        if url.startswith(("#", "./#", "/#")):
            continue  # in-page anchor (table of contents), not a resource
        if url.startswith("//"):
            warnings.append(_w(line, f"link [[{label}]]({url}) has no scheme; resolved to https:{url}"))
            url = "https:" + url
        elif not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE):
            if _BARE_DOMAIN.match(url) and not _FILE_LIKE.match(url):
                warnings.append(_w(line, f"link [[{label}]]({url}) has no scheme; resolved to https://{url}"))
                url = "https://" + url
            elif url:
                warnings.append(_w(line, f"relative link [[{label}]]({url}) kept as written (no base URL)"))
            else:
                warnings.append(_w(line, f"link [[{label}]] has an empty URL; dropped"))
                continue
        key = (label, url)
        if key in seen:
            warnings.append(_w(line, f"duplicate link [[{label}]]({url}) dropped"))
            continue
        seen.add(key)
        out.append(Link(label=label, url=url))
    return tuple(out)


def _has_paper_link(p: _Piece) -> bool:
    for rl in p.links:
        if rl.url.startswith(("#", "./#", "/#")):
            continue
        found = identify(rl.url)
        if any(s in found for s in _PAPER_SCHEMES):
            return True
        if rl.label is not None and any(w in rl.label for w in _PAPERISH):
            return True
        if rl.label is None and "github" not in found:
            return True
    return False


def _real_links(p: _Piece) -> list[_RawLink]:
    return [rl for rl in p.links if not rl.url.strip().startswith(("#", "./#", "/#"))]


def _make_entry(p: _Piece, section: tuple[str, ...], extra_links: list[_RawLink] | None = None) -> Entry:
    warnings = list(p.warnings)
    raw = list(p.links) + list(extra_links or [])
    main = raw[0] if raw else None
    kind = _kind(section, p.title, main.label if main else None, main.url if main else "")
    links = _finish_links(raw, kind, p.line, warnings)
    if not p.title:
        warnings.append(_w(p.line, "item has no title text"))
    return Entry(
        section=section,
        line=p.line,
        title=p.title,
        venue=p.venue,
        year=p.year,
        nickname=p.nickname,
        kind=kind,
        links=links,
        ids=ids_from_links(links, kind=kind),
        warnings=tuple(warnings),
        description=p.description,
        end_line=p.end_line,
        venue_raw=p.venue_raw,
    )


# ---------------------------------------------------------------- the document walk

@dataclass
class _Item:
    line: int
    level: int
    section: tuple[str, ...]
    parent: "_Item | None"
    inlines: list[Token] = field(default_factory=list)
    children: list["_Item"] = field(default_factory=list)
    end_line: int = 0


@dataclass
class _Table:
    line: int
    section: tuple[str, ...]
    head: list[list[Token]] = field(default_factory=list)  # rows of cell inline tokens
    body: list[list[Token]] = field(default_factory=list)


# markdown-it stops reading the document at this depth (commonmark preset: 20, i.e. lists 10 deep);
# awesome lists nest a few levels, so allow far more, within what Python's recursion limit takes.
MAX_NESTING = 100


def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table").enable("strikethrough")


def _inline_text(tok: Token) -> str:
    return _clean("".join(s.text for s in _segments(tok.children)))


def _parse_inline(md: MarkdownIt, src: str, env: dict[str, Any], tok: Token) -> list[Token]:
    """Inline tokens of `src`; reuses the block parse when no repair changed the text."""
    if src == tok.content and tok.children is not None:
        return tok.children
    toks = md.parseInline(src, env)
    return (toks[0].children or []) if toks else []


def _item_pieces(md: MarkdownIt, item: _Item, env: dict[str, Any]) -> list[_Piece]:
    """Parse an item's own paragraphs; the first gives title/hints, later paragraphs only add links."""
    pieces: list[_Piece] = []
    for k, tok in enumerate(item.inlines):
        start = (tok.map[0] + 1) if tok.map else item.line
        content = tok.content or ""
        if k == 0:
            for sub, line in _split_glued_items(content, start):
                warnings: list[str] = []
                fixed = _repair_split_urls(sub, line, warnings)
                segs = _segments(_parse_inline(md, fixed, env, tok))
                p = _analyse(segs, line, line + sub.count("\n"))
                p.warnings[:0] = warnings
                if pieces:
                    p.warnings.insert(
                        0,
                        _w(line, f"list item starts with '-' but no space; read as a separate entry '{_short(p.title)}'"),
                    )
                pieces.append(p)
        elif pieces:
            warnings = []
            fixed = _repair_split_urls(content, start, warnings)
            extra = _analyse(_segments(_parse_inline(md, fixed, env, tok)), start, start + content.count("\n"))
            last = pieces[-1]
            last.warnings.extend(warnings)
            last.links.extend(_RawLink(rl.label or rl.text.lower() or "link", rl.text, rl.url) for rl in extra.links)
            last.end_line = max(last.end_line, extra.end_line)
    return pieces


def _walk(tokens: list[Token], title_index: int | None, n_lines: int) -> tuple[list[Heading], list[_Item], list[_Table]]:
    """One pass over the block tokens: heading paths, the list-item tree, and tables."""
    headings: list[Heading] = []
    stack: list[tuple[int, str]] = []
    roots: list[_Item] = []
    open_items: list[tuple[_Item, int]] = []  # (item, token level)
    tables: list[_Table] = []
    table: _Table | None = None
    row: list[Token] | None = None
    in_head = False
    heading_no = -1
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "heading_open":
            heading_no += 1
            level = int(tok.tag[1]) if len(tok.tag) == 2 and tok.tag[1].isdigit() else 1
            line = (tok.map[0] + 1) if tok.map else 1
            text = _inline_text(tokens[i + 1]) if i + 1 < len(tokens) and tokens[i + 1].type == "inline" else ""
            if heading_no == title_index:
                i += 1
                continue
            text = text or f"(untitled heading, line {line})"
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            headings.append(Heading(path=tuple(h for _, h in stack), level=level, line=line))
        elif t == "list_item_open":
            line = (tok.map[0] + 1) if tok.map else 1
            parent = open_items[-1][0] if open_items else None
            item = _Item(line=line, level=tok.level, section=tuple(h for _, h in stack), parent=parent)
            item.end_line = line
            (parent.children if parent else roots).append(item)
            open_items.append((item, tok.level))
        elif t == "list_item_close":
            if open_items:
                open_items.pop()
        elif t == "inline" and open_items and table is None:
            item, lvl = open_items[-1]
            if tok.level == lvl + 2 and i > 0 and tokens[i - 1].type == "paragraph_open":
                item.inlines.append(tok)
                if tok.map:
                    item.end_line = max(item.end_line, min(tok.map[1], n_lines))
        elif t == "table_open":
            table = _Table((tok.map[0] + 1) if tok.map else 1, tuple(h for _, h in stack))
        elif t == "table_close":
            if table is not None:
                tables.append(table)
            table = None
        elif t == "thead_open":
            in_head = True
        elif t == "thead_close":
            in_head = False
        elif t == "tr_open" and table is not None:
            row = []
        elif t == "tr_close" and table is not None and row is not None:
            (table.head if in_head else table.body).append(row)
            row = None
        elif t == "inline" and row is not None:
            row.append(tok)
        i += 1
    return headings, roots, tables


def _title_heading_index(tokens: list[Token]) -> int | None:
    """Index (among headings) of the document title: the only H1, and the first heading."""
    levels = [tok.tag for tok in tokens if tok.type == "heading_open"]
    if levels and levels[0] == "h1" and levels.count("h1") == 1:
        return 0
    return None


def _items_to_entries(md: MarkdownIt, roots: list[_Item], env: dict[str, Any], doc_warnings: list[str]) -> list[Entry]:
    """Decide which items are entries.

    A nested item under an item that has links is an entry of its own only when it carries a paper link;
    otherwise its links belong to the parent. Items under a link-less grouping bullet count as top-level.
    """
    entries: list[Entry] = []
    parsed: dict[int, list[_Piece]] = {}
    nested: dict[int, bool] = {}
    passed_up: dict[int, tuple[list[_RawLink], int]] = {}  # links a non-entry item hands to its parent, last line
    # Iterative (deep nesting must not hit the recursion limit); children finish before their parent.
    todo: list[tuple[_Item, bool]] = [(r, False) for r in reversed(roots)]
    while todo:
        item, finished = todo.pop()
        if not finished:
            parsed[id(item)] = _item_pieces(md, item, env)
            anc = item.parent
            nested[id(item)] = anc is not None and (
                nested[id(anc)] or any(_real_links(p) for p in parsed[id(anc)])
            )
            todo.append((item, True))
            todo.extend((child, False) for child in reversed(item.children))
            continue
        pieces = parsed.pop(id(item))
        is_nested = nested[id(item)]
        absorbed: list[_RawLink] = []
        absorbed_end = item.end_line
        for child in item.children:
            links, end = passed_up.pop(id(child), ([], 0))
            absorbed.extend(links)
            if links:
                absorbed_end = max(absorbed_end, end)
        keep: list[_Piece] = []
        mine: list[_RawLink] = []
        for p in pieces:
            real = _real_links(p)
            if not real:
                if not p.links and p.text and not item.children:
                    doc_warnings.append(_w(p.line, f"list item without a link skipped: '{_short(p.text)}'"))
                continue  # no links, or only in-page anchors (a table of contents)
            if is_nested and not _has_paper_link(p):
                mine.extend(_RawLink(rl.label or rl.text.lower() or "link", rl.text, rl.url) for rl in real)
                continue
            keep.append(p)
        if keep:
            for k, p in enumerate(keep):
                extra = absorbed if k == len(keep) - 1 else None
                if extra:
                    p.end_line = max(p.end_line, absorbed_end)
                entries.append(_make_entry(p, item.section, extra))
        elif is_nested:
            passed_up[id(item)] = (mine + absorbed, absorbed_end)
    return entries


def _table_entries(tables: list[_Table], doc_warnings: list[str]) -> list[Entry]:
    """Each body row with a link is an entry; columns are recognised by their header text."""
    entries: list[Entry] = []
    for table in tables:
        section = table.section
        header = [_inline_text(c).lower() for c in table.head[0]] if table.head else []

        def col(rx: str) -> int | None:
            return next((j for j, h in enumerate(header) if re.search(rx, h)), None)

        title_col = col(r"title|paper|name") or 0
        venue_col, year_col = col(r"venue|conference|journal|published|booktitle"), col(r"\byear\b|\bdate\b")
        nick_col, desc_col = col(r"nickname|alias|abbr|short|model"), col(r"desc|note|summary|comment")
        for row in table.body:
            if not row or title_col >= len(row):
                continue
            cell = row[title_col]
            line = (cell.map[0] + 1) if cell.map else table.line
            p = _analyse(_segments(cell.children), line, line)
            for j, c in enumerate(row):
                if j == title_col:
                    continue
                segs = _segments(c.children)
                text = _clean("".join(s.text for s in segs if s.kind == "text"))
                for s in segs:
                    if s.kind == "link":
                        label = _bracket_label(s.text)
                        if label is None:
                            label = (header[j] if j < len(header) else "") if _is_url_text(s.text, s.href) else _clean(s.text).lower()
                        p.links.append(_RawLink(label or "link", _clean(s.text), s.href))
                if j == venue_col and text and p.venue is None:
                    venue, year, problem = parse_venue(text)
                    p.venue_raw, p.venue = text, venue
                    p.year = p.year or year
                    if problem:
                        p.warnings.append(_w(line, f"{problem} in '{text}'; year left unknown"))
                elif j == year_col and text and p.year is None:
                    m = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
                    if m:
                        p.year = int(m.group(1))
                    else:
                        p.warnings.append(_w(line, f"year '{text}' is not a 4-digit year"))
                elif j == nick_col and text and not p.nickname:
                    p.nickname = text
                elif j == desc_col and text and not p.description:
                    p.description = text
            if not _real_links(p):
                if not p.links and (p.text or any(_inline_text(c) for c in row)):
                    doc_warnings.append(_w(line, f"table row without a link skipped: '{_short(p.text or _inline_text(row[0]))}'"))
                continue
            entries.append(_make_entry(p, section))
    return entries


_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:")


def _first_unread_line(text: str, tokens: list[Token]) -> int | None:
    """markdown-it silently stops at its nesting limit; find the first content line it never reached."""
    covered = max((t.map[1] for t in tokens if t.map and t.level == 0), default=0)
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text)[covered:], start=covered + 1):
        if line.strip() and not _LINK_DEFINITION.match(line):
            return number
    return None


def parse_list(text: str, source_name: str = "<list>") -> ParsedList:
    """Parse a Markdown list. Never raises on str input: problems become warnings."""
    if not isinstance(text, str):
        raise TypeError(f"parse_list expects str, got {type(text).__name__}")
    n_lines = count_lines(text)
    md = _markdown()
    env: dict[str, Any] = {}
    doc_warnings: list[str] = []
    try:
        tokens = md.parse(text, env)
    except Exception as exc:  # markdown-it-py bug or recursion limit on pathological input
        log.warning("markdown parser failed on %s: %r", source_name, exc)
        msg = _w(1, f"the Markdown parser failed ({type(exc).__name__}); no entries read")
        return ParsedList((), (), (ListWarning(1, msg),), source_name, text)
    unread = _first_unread_line(text, tokens)
    if unread is not None:
        doc_warnings.append(_w(unread, f"Markdown nested more than {MAX_NESTING // 2} levels deep: "
                                       f"lines {unread}-{n_lines} could not be read"))
    headings, roots, tables = _walk(tokens, _title_heading_index(tokens), n_lines)
    entries = _items_to_entries(md, roots, env, doc_warnings) + _table_entries(tables, doc_warnings)
    entries = [_clamp(e, n_lines) for e in entries]
    entries.sort(key=lambda e: e.line)
    warnings: list[ListWarning] = []
    for msg in [w for e in entries for w in e.warnings] + doc_warnings:
        warnings.append(ListWarning(_line_of(msg, n_lines), msg))
    warnings.sort(key=lambda w: w.line)
    return ParsedList(tuple(entries), tuple(headings), tuple(warnings), source_name, text)


def _line_of(msg: str, n_lines: int) -> int:
    m = re.match(r"line (\d+):", msg)
    return min(max(int(m.group(1)), 1), max(n_lines, 1)) if m else 1


def _clamp(e: Entry, n_lines: int) -> Entry:
    top = max(n_lines, 1)
    end = min(max(e.end_line or e.line, e.line), top)
    return replace(e, line=min(max(e.line, 1), top), end_line=end) if (e.line > top or e.end_line != end) else e


# ---------------------------------------------------------------- JSON

def entry_to_json(e: Entry) -> dict[str, Any]:
    """The public JSON shape of an entry (`atpbib list --json`)."""
    return {
        "section": e.section_path,
        "line": e.line,
        "title": e.title,
        "venue": e.venue,
        "year": e.year,
        "nickname": e.nickname,
        "kind": e.kind,
        "links": [{"label": lk.label, "url": lk.url} for lk in e.links],
        "ids": {k: getattr(e.ids, k) for k in ENTRY_ID_SCHEMES},
        "warnings": list(e.warnings),
    }


# ---------------------------------------------------------------- loading

class _Fetcher(Protocol):
    def get(self, url: str) -> Any: ...


_NOT_TEXT_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/octet-stream",
                   "application/zip", "application/gzip", "application/x-", "application/vnd.", "application/msword")


# Awesome lists are kilobytes; the pure-Python Markdown parser reads about 0.5 MB/s. Refuse what is not a list.
MAX_LIST_BYTES = 5_000_000


def _check_text(data: bytes, name: str) -> str:
    if len(data) > MAX_LIST_BYTES:
        raise ListError(f"{name} is too large for a Markdown list ({len(data) / 1e6:.1f} MB; the limit is {MAX_LIST_BYTES / 1e6:.0f} MB)")
    if b"\x00" in data:
        raise ListError(f"{name} is not a text/Markdown file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListError(f"{name} is not a UTF-8 text/Markdown file (undecodable byte at offset {exc.start})") from None


def _fetch(url: str, fetcher: _Fetcher | None) -> str:
    try:
        if fetcher is not None:
            resp = fetcher.get(url)
        else:
            import requests

            resp = requests.get(url, timeout=30)
    except Exception as exc:  # requests.RequestException, OSError, anything a custom fetcher raises
        raise ListError(f"cannot fetch {url}: {type(exc).__name__}: {_short(str(exc), 120)}") from None
    status = getattr(resp, "status_code", None)
    if isinstance(status, int) and status >= 400:
        raise ListError(f"cannot fetch {url}: HTTP {status}")
    headers = getattr(resp, "headers", None) or {}
    ctype = ""
    for k, v in dict(headers).items():
        if str(k).lower() == "content-type":
            ctype = str(v).split(";")[0].strip().lower()
    data = getattr(resp, "content", b"") or b""
    if isinstance(data, str):
        data = data.encode("utf-8")
    head = data[:512].lstrip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html")):
        got = ctype if ctype in ("text/html", "application/xhtml+xml") else "text/html"  # sniffed from the body
        raise ListError(f"{url} is not a Markdown list (got {got}); for a GitHub page use its raw file URL")
    if ctype and ctype.startswith(_NOT_TEXT_TYPES):
        raise ListError(f"{url} is not a Markdown list (got {ctype})")
    return _check_text(data, url)


def _remembered_parse(text: str, source_name: str) -> ParsedList:
    from .inputs.listmemo import parse

    return parse(text, source_name)


def load_list(path_or_url: str | None = None, fetcher: _Fetcher | None = None, remember: bool = False) -> ParsedList:
    """Read and parse a list: None → the bundled ATPapers.md; a path; or an http(s) URL.
    `remember`: reuse an earlier parse of the same text (inputs/listmemo.py)."""
    parse = _remembered_parse if remember else parse_list
    if path_or_url is None:
        data = resources.files("atpbib").joinpath("data", BUNDLED_NAME).read_bytes()
        return parse(_check_text(data, BUNDLED_NAME), f"{BUNDLED_NAME} (bundled)")
    if re.match(r"^https?://", path_or_url, re.IGNORECASE):
        return parse(_fetch(path_or_url, fetcher), path_or_url)
    path = Path(path_or_url)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ListError(f"{path_or_url}: no such file") from None
    except IsADirectoryError:
        raise ListError(f"{path_or_url} is a directory, not a Markdown list") from None
    except OSError as exc:
        raise ListError(f"cannot read {path_or_url}: {exc.strerror or exc}") from None
    return parse(_check_text(data, path_or_url), path_or_url)
