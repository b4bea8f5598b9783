"""The document walk: markdown-it's block tokens → headings, the list-item tree and tables → Entries.

Built on markdown-it-py's token stream (token.map gives line numbers) rather than line regexes, so nested
bullets, numbered lists, tables and multi-line items come out right. Hand-written lists have defects
(URLs broken over two lines, a missing space after "-", bare domains as links…): each is repaired where the
intent is clear and reported as a one-line warning naming the line, so callers can decide how strict to be.
"""
from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..ids import identify, ids_from_links
from ..model import Entry
from .htmlblocks import markdown_of_html_lines
from .inline import Seg, bounded_links, segments
from .item import KNOWN_LABEL_WORDS, Piece, RawLink, analyse, bracket_label, continuation, id_label, is_url_text
from .kinds import is_paper_link, kind_of
from .people import names_in
from .links import finish_links, real_links
from .parsed import Heading, ListWarning, ParsedList, count_lines
from .hints import parse_venue
from .text import clean, short, w

if TYPE_CHECKING:  # markdown-it is imported when a list is parsed (a remembered parse needs none)
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

log = logging.getLogger(__name__)


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


def _repair_split_urls(content: str, line: int, warnings: list[ListWarning]) -> str:
    def fix(m: re.Match[str]) -> str:
        at = line + content[: m.start()].count("\n")
        url = m.group(1) + m.group(2)
        warnings.append(w(at, f"link URL split over lines {at}-{at + 1}; rejoined as {url}", "bad-link"))
        return f"]({url})"

    return _SPLIT_URL.sub(fix, content)


# ---------------------------------------------------------------- entries

def _has_paper_link(p: Piece) -> bool:
    """A nested item is an entry of its own only when it points at a paper (else its links are its parent's)."""
    for rl in real_links(p.links):
        if is_paper_link(rl):
            return True
        if rl.label is None and "github" not in identify(rl.url):
            return True
    return False


def _reference_without_link(p: Piece) -> bool:
    """A paper named without a link: a title with its authors and year, or with a named venue and its year."""
    if not p.title or len(p.title.split()) < 3 or p.links:
        return False
    return bool(p.year and (p.authors or p.venue))


def _said(p: Piece) -> str:
    """What the item says of itself besides its title and its links' labels: its description, and words the
    reader set apart ('- video', '(slides)') — the words kinds weigh."""
    rest = p.text
    for part in [p.title] + [rl.text for rl in p.links]:
        if part:
            rest = rest.replace(part, " ", 1)
    return clean(" ".join(x for x in (p.description, rest) if x))


def make_entry(p: Piece, section: tuple[str, ...], extra_links: list[RawLink] | None = None) -> Entry:
    warnings = list(p.warnings)
    raw = list(p.links) + list(extra_links or [])
    kind = kind_of(section, p.title, raw, _said(p), p.authors, p.venue, p.year)
    links = finish_links(raw, kind, p.line, warnings)
    ids = ids_from_links(links, kind=kind)
    if not p.title and not any(k != "github" for k in ids.known()):  # (with an id, the source gives the title)
        warnings.append(w(p.line, f"no title found in the item as written: {short(p.written or p.text, 160)!r}", "unsure"))
    return Entry(
        section=section,
        line=p.line,
        title=p.title,
        venue=p.venue,
        year=p.year,
        nickname=p.nickname,
        kind=kind,
        links=links,
        ids=ids,
        warnings=tuple(warnings),
        description=p.description,
        end_line=p.end_line,
        venue_raw=p.venue_raw,
        authors=p.authors,
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
    lead: str = ""  # '2019. ': a year the Markdown took for the number of an ordered list


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

    return bounded_links(MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table").enable("strikethrough"))


def _inline_text(tok: Token) -> str:
    return clean("".join(s.text for s in segments(tok.children)))


def _parse_inline(md: MarkdownIt, src: str, env: dict[str, Any], tok: Token) -> list[Token]:
    """Inline tokens of `src`; reuses the block parse when no repair changed the text."""
    if src == tok.content and tok.children is not None:
        return tok.children
    toks = md.parseInline(src, env)
    return (toks[0].children or []) if toks else []


def _item_pieces(md: MarkdownIt, item: _Item, env: dict[str, Any]) -> list[Piece]:
    """Parse an item's own paragraphs; the first gives title/hints, later paragraphs only add links."""
    pieces: list[Piece] = []
    for k, tok in enumerate(item.inlines):
        start = (tok.map[0] + 1) if tok.map else item.line
        content = tok.content or ""
        if k == 0:
            content = item.lead + content
            for sub, line in _split_glued_items(content, start):
                warnings: list[ListWarning] = []
                fixed = _repair_split_urls(sub, line, warnings)
                segs = segments(_parse_inline(md, fixed, env, tok))
                p = analyse(segs, line, line + sub.count("\n"))
                p.written = sub
                p.warnings[:0] = warnings
                if pieces:
                    p.warnings.insert(
                        0,
                        w(line, f"list item starts with '-' but no space; read as a separate entry '{short(p.title)}'", "markup"),
                    )
                pieces.append(p)
        elif pieces:
            warnings = []
            fixed = _repair_split_urls(content, start, warnings)
            extra = analyse(segments(_parse_inline(md, fixed, env, tok)), start, start + content.count("\n"))
            pieces[-1].warnings.extend(warnings)
            continuation(pieces[-1], extra)
    return pieces


def _walk(tokens: list[Token], title_index: int | None, n_lines: int
          ) -> tuple[list[Heading], list[_Item], list[_Table], list[tuple[Token, tuple[str, ...]]],
                     list[tuple[Heading, Token]]]:
    """One pass over the block tokens: heading paths, the list-item tree, tables, and top-level (or quoted)
    paragraphs."""
    paragraphs: list[tuple[Token, tuple[str, ...]]] = []
    headings: list[Heading] = []
    heading_inlines: list[tuple[Heading, Token]] = []
    stack: list[tuple[int, str]] = []
    roots: list[_Item] = []
    open_items: list[tuple[_Item, int]] = []  # (item, token level)
    tables: list[_Table] = []
    table: _Table | None = None
    row: list[Token] | None = None
    in_head = False
    heading_no = -1
    quoted = 0  # blockquotes around the current token: a quoted paragraph is a paragraph
    list_starts: list[int | None] = []  # the first number of each open ordered list (None: a bullet list)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t in ("blockquote_open", "blockquote_close") and not open_items:
            quoted += 1 if t == "blockquote_open" else -1
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
            if i + 1 < len(tokens) and tokens[i + 1].type == "inline":
                heading_inlines.append((headings[-1], tokens[i + 1]))
        elif t in ("ordered_list_open", "bullet_list_open"):
            list_starts.append(int(tok.attrs.get("start", 1) or 1) if t == "ordered_list_open" else None)
        elif t in ("ordered_list_close", "bullet_list_close"):
            if list_starts:
                list_starts.pop()
        elif t == "list_item_open":
            line = (tok.map[0] + 1) if tok.map else 1
            parent = open_items[-1][0] if open_items else None
            item = _Item(line=line, level=tok.level, section=tuple(h for _, h in stack), parent=parent)
            if list_starts and list_starts[-1] is not None and 1900 <= list_starts[-1] <= 2099 and tok.info.isdigit():
                item.lead = f"{tok.info}{tok.markup} "  # '* 2019. *Title*': a list never starts counting at 2019
            item.end_line = line
            (parent.children if parent else roots).append(item)
            open_items.append((item, tok.level))
        elif t == "list_item_close":
            if open_items:
                open_items.pop()
        elif t == "inline" and not open_items and table is None and tok.level == 1 + quoted and i > 0 \
                and tokens[i - 1].type == "paragraph_open":
            paragraphs.append((tok, tuple(h for _, h in stack)))
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
    return headings, roots, tables, paragraphs, heading_inlines


def _title_heading_index(tokens: list[Token]) -> int | None:
    """Index (among headings) of the document title: the only H1, and the first heading."""
    levels = [tok.tag for tok in tokens if tok.type == "heading_open"]
    if levels and levels[0] == "h1" and levels.count("h1") == 1:
        return 0
    return None


def _items_to_entries(md: MarkdownIt, roots: list[_Item], env: dict[str, Any], doc_warnings: list[ListWarning]
                      ) -> list[Entry]:
    """Decide which items are entries.

    A nested item under an item that has links is an entry of its own only when it carries a paper link;
    otherwise its links belong to the parent. Items under a link-less grouping bullet count as top-level.
    """
    entries: list[Entry] = []
    parsed: dict[int, list[Piece]] = {}
    nested: dict[int, bool] = {}
    passed_up: dict[int, tuple[list[RawLink], int]] = {}  # links a non-entry item hands to its parent, last line
    fields_up: dict[int, list[Piece]] = {}  # link-less bullets of authors, venue or date below a paper's item
    # Iterative (deep nesting must not hit the recursion limit); children finish before their parent.
    todo: list[tuple[_Item, bool]] = [(r, False) for r in reversed(roots)]
    while todo:
        item, finished = todo.pop()
        if not finished:
            parsed[id(item)] = _item_pieces(md, item, env)
            anc = item.parent
            nested[id(item)] = anc is not None and (
                nested[id(anc)] or any(real_links(p.links) for p in parsed[id(anc)])
            )
            todo.append((item, True))
            todo.extend((child, False) for child in reversed(item.children))
            continue
        pieces = parsed.pop(id(item))
        is_nested = nested[id(item)]
        absorbed: list[RawLink] = []
        absorbed_end = item.end_line
        given: list[Piece] = []
        for child in item.children:
            given.extend(fields_up.pop(id(child), []))
            links, end = passed_up.pop(id(child), ([], 0))
            absorbed.extend(links)
            if links:
                absorbed_end = max(absorbed_end, end)
        keep: list[Piece] = []
        mine: list[RawLink] = []
        for p in pieces:
            real = real_links(p.links)
            if not real and not p.links and not is_nested and _reference_without_link(p):
                keep.append(p)  # a reference written out without a link: "A. Author et al.: Title, 1992."
                continue
            if not real:
                if is_nested and not p.links and not item.children and (p.authors or p.venue_raw) and not p.title:
                    fields_up.setdefault(id(item), []).append(p)
                    continue
                if not p.links and p.text and not item.children and not is_nested:  # nested: the paper's notes
                    doc_warnings.append(w(p.line, f"list item without a link skipped: '{short(p.text)}'", "skipped"))
                continue  # no links, or only in-page anchors (a table of contents)
            if not p.title and all(rl.image_only for rl in real):
                continue  # icons or pictures alone: decoration, not an item
            if is_nested and not _has_paper_link(p):
                mine.extend(rl.labelled() for rl in real)
                continue
            keep.append(p)
        if keep:
            for more in given:
                continuation(keep[-1], more)
            for k, p in enumerate(keep):
                extra = absorbed if k == len(keep) - 1 else None
                if extra:
                    p.end_line = max(p.end_line, absorbed_end)
                entries.append(make_entry(p, item.section, extra))
        elif is_nested:
            passed_up[id(item)] = (mine + absorbed, absorbed_end)
    return entries


def _table_entries(tables: list[_Table], doc_warnings: list[ListWarning]) -> list[Entry]:
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
        author_col = col(r"author|writer|\bby\b")
        for row in table.body:
            if not row or title_col >= len(row):
                continue
            cell = row[title_col]
            line = (cell.map[0] + 1) if cell.map else table.line
            p = analyse(segments(cell.children), line, line)
            p.written = " | ".join(c.content or "" for c in row)
            for j, c in enumerate(row):
                if j == title_col:
                    continue
                segs = segments(c.children)
                text = clean("".join(s.text for s in segs if s.kind == "text"))
                for s in segs:
                    if s.kind == "link" and s.badge:
                        p.badges += 1
                    elif s.kind == "link":
                        label = bracket_label(s.text)
                        if label is None:
                            label = (header[j] if j < len(header) else "") if is_url_text(s.text, s.href) else clean(s.text).lower()
                        p.links.append(RawLink(id_label(s.text) or label or "link", clean(s.text), s.href, s.written,
                                               s.image_only))
                if j == author_col and text and not p.authors:
                    p.authors = names_in(text, single=True) or ()
                elif j == venue_col and text and p.venue is None:
                    venue, year, problem = parse_venue(text.strip("[]() "))
                    p.venue_raw, p.venue = text.strip("[]() "), venue
                    p.year = p.year or year
                    if problem:
                        p.warnings.append(w(line, f"{problem} in '{text}'; year left unknown", "bad-hint"))
                elif j == year_col and text and p.year is None:
                    m = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
                    if m:
                        p.year = int(m.group(1))
                    else:
                        p.warnings.append(w(line, f"year '{text}' is not a 4-digit year", "bad-hint"))
                elif j == nick_col and text and not p.nickname:
                    cited = analyse(segs, line, line)  # "RNES w/o coherence (Wu and Hu, 2018)": a citation in the cell
                    p.nickname = cited.title or text
                    if cited.authors and not p.authors:
                        p.authors = cited.authors
                    if cited.year and p.year is None:
                        p.year, p.venue_raw = cited.year, p.venue_raw or cited.venue_raw
                        p.venue = p.venue or cited.venue
                elif j == desc_col and text and not p.description:
                    p.description = text
            if not real_links(p.links) and not _reference_without_link(p):
                if not p.links and not p.badges and (p.text or any(_inline_text(c) for c in row)):
                    doc_warnings.append(w(line, f"table row without a link skipped: '{short(p.text or _inline_text(row[0]))}'",
                                          "skipped"))
                continue
            entries.append(make_entry(p, section))
    return entries


def _names_a_paper(link: Seg) -> bool:
    """'[Memory Networks](https://arxiv.org/pdf/…)': a link whose label is a title and whose target a paper."""
    words = clean(link.text).split()
    return (len(words) >= 2 and not id_label(link.text) and clean(link.text).lower() not in KNOWN_LABEL_WORDS
            and is_paper_link(RawLink(None, link.text, link.href)))


# "(12) A. Author, …", "[3] A. Author, …": a numbered reference written as a line of a paragraph
_PARAGRAPH_NUMBER = re.compile(r"^\s{0,3}(?:\(\d{1,4}\)|\[\d{1,4}\])\s+\S")


def _a_reference(segs: list[Seg], text: str) -> bool:
    """'Rohrer JM. [Title](doi) Journal. 2018;1(1):27-42.': a line that cites a titled paper with its authors or year."""
    if not any(s.kind == "link" and _names_a_paper(s) for s in segs):
        return False
    p = analyse(segs, 0, 0)
    return bool(p.title) and any(rl.label is None for rl in p.links) and bool(p.authors or p.year)


def _paragraph_entries(md: MarkdownIt, paragraphs: list[tuple[Token, tuple[str, ...]]], env: dict[str, Any]) -> list[Entry]:
    """Lists written as paragraphs: "[Paper Title](arxiv…)" opening a line, its authors, year and notes on the
    lines after it. Only a line that opens with a title-like link to a paper starts an entry, so prose that
    merely contains links gives none."""
    entries: list[Entry] = []
    for tok, section in paragraphs:
        start = (tok.map[0] + 1) if tok.map else 1
        groups: list[tuple[int, list[str]]] = []
        for k, text in enumerate((tok.content or "").split("\n")):
            numbered = bool(_PARAGRAPH_NUMBER.match(text))
            segs = segments(_parse_inline(md, text, env, tok)) if (text.lstrip().startswith("[") or numbered
                                                                   or (k == 0 and "](" in text)) else []
            lead = segs[0] if segs else None
            if (lead is not None and lead.kind == "link" and _names_a_paper(lead)) or (numbered and any(
                    s.kind == "link" and is_paper_link(RawLink("link", s.text, s.href)) for s in segs)) or (
                    k == 0 and _a_reference(segs, text)):
                groups.append((start + k, [text]))
            elif groups:
                groups[-1][1].append(text)
        all_lines = (tok.content or "").split("\n")
        if len(groups) == 1 and len(all_lines) <= 5:  # one reference over a few lines: names, [Title](…), venue
            groups = [(start, all_lines)]
        for line, lines in groups:
            p = analyse(segments(_parse_inline(md, "\n".join(lines), env, tok)), line, line + len(lines) - 1)
            p.written = "\n".join(lines)
            entries.append(make_entry(p, section))
    return entries


def _heading_items(md: MarkdownIt, env: dict[str, Any], heading_inlines: list[tuple[Heading, Token]],
                   headings: list[Heading], paragraphs: list[tuple[Token, tuple[str, ...]]], roots: list[_Item],
                   entries: list[Entry],
                   doc_warnings: list[ListWarning], n_lines: int
                   ) -> tuple[list[Entry], list[Heading], list[ListWarning]]:
    """Lists that give each paper a heading: '### [Title](url)' or '#### Title' with its authors, venue and links
    in the paragraphs and bullets below. Such a heading is an entry, not a section, when it links a paper itself,
    or when what stands below it links one and holds no titled entry of its own."""
    starts = sorted(h.line for h in headings) + [n_lines + 1]
    # what stands between two lines, found by bisection: a list of many headings stays linear
    by_line = sorted(entries, key=lambda e: e.line)
    entry_lines = [e.line for e in by_line]
    para_toks = sorted(((t.map[0] + 1) if t.map else 0, k, t) for k, (t, _) in enumerate(paragraphs))
    para_lines = [pl for pl, _, _ in para_toks]
    roots_by_line = sorted(roots, key=lambda r: r.line)
    root_lines = [r.line for r in roots_by_line]

    def between(items: list, keys: list[int], a: int, b: int) -> list:
        return items[bisect.bisect_right(keys, a):bisect.bisect_left(keys, b)]

    drop_headings: set[int] = set()
    absorbed: set[int] = set()
    quiet: list[tuple[int, int]] = []  # line ranges whose 'skipped' warnings were the notes of a heading item
    made: list[Entry] = []
    for heading, tok in heading_inlines:
        if heading.level < 2:
            continue
        end = starts[bisect.bisect_right(starts, heading.line)]
        piece = analyse(segments(tok.children), heading.line, heading.line)
        piece.written = "#" * heading.level + " " + (tok.content or "")
        if not piece.title:
            continue
        below = between(by_line, entry_lines, heading.line, end)
        own_paper = any(is_paper_link(rl) for rl in real_links(piece.links))
        titled = [e for e in below if e.title and any(is_paper_link(lk_raw(lk)) for lk in e.links)]
        if not own_paper and titled:
            continue  # a section of papers
        for ptok in [t for _, _, t in between(para_toks, para_lines, heading.line, end)] + [
                t for r in between(roots_by_line, root_lines, heading.line, end) for t in r.inlines]:
            pline = (ptok.map[0] + 1) if ptok.map else 0
            if heading.line < pline < end:
                more = analyse(segments(_parse_inline(md, ptok.content or "", env, ptok)), pline,
                               pline + (ptok.content or "").count("\n"))
                if not more.links:  # a bullet of authors or of the venue below the heading; links come from entries
                    continuation(piece, more)
                elif not any(e.line == pline for e in below):
                    continuation(piece, more)
        keep_apart = titled if own_paper else []
        taken = [e for e in below if e not in keep_apart]
        links = [RawLink(lk.label or "link", lk.label, lk.url) for e in taken for lk in e.links]
        if not own_paper and not any(is_paper_link(rl) for rl in real_links(piece.links) + links):
            continue
        piece.end_line = max([piece.end_line] + [e.end_line or e.line for e in taken])
        made.append(make_entry(piece, heading.path[:-1], links))
        absorbed |= {id(e) for e in taken}
        drop_headings.add(heading.line)
        quiet.append((heading.line, end))
    if not made:
        return entries, headings, doc_warnings
    dropped = [h.path for h in headings if h.line in drop_headings]

    def outside(path: tuple[str, ...]) -> tuple[str, ...]:
        for d in dropped:  # what stood below a paper's heading belongs to the heading's own section
            if path[: len(d)] == d:
                path = d[:-1] + path[len(d):]
        return path

    kept = [e if outside(e.section) == e.section else replace(e, section=outside(e.section))
            for e in entries if id(e) not in absorbed] + made
    headings = [h if outside(h.path) == h.path else replace(h, path=outside(h.path))
                for h in headings if h.line not in drop_headings]
    warnings = [m for m in doc_warnings if not (m.kind == "skipped" and any(a < m.line < b for a, b in quiet))]
    return kept, headings, warnings


def lk_raw(lk: Any) -> RawLink:
    return RawLink(lk.label or "link", lk.label or "", lk.url)


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
    doc_warnings: list[ListWarning] = []
    readable = markdown_of_html_lines(text)
    try:
        tokens = md.parse(readable, env)
    except Exception as exc:  # markdown-it-py bug or recursion limit on pathological input
        log.warning("markdown parser failed on %s: %r", source_name, exc)
        failed = w(1, f"the Markdown parser failed ({type(exc).__name__}); no entries read", "unread")
        return ParsedList((), (), (failed,), source_name, text)
    unread = _first_unread_line(readable, tokens)
    if unread is not None:
        doc_warnings.append(w(unread, f"Markdown nested more than {MAX_NESTING // 2} levels deep: "
                                       f"lines {unread}-{n_lines} could not be read", "unread"))
    headings, roots, tables, paragraphs, heading_inlines = _walk(tokens, _title_heading_index(tokens), n_lines)
    entries = (_items_to_entries(md, roots, env, doc_warnings) + _table_entries(tables, doc_warnings)
               + _paragraph_entries(md, paragraphs, env))
    entries, headings, doc_warnings = _heading_items(md, env, heading_inlines, headings, paragraphs, roots, entries,
                                                     doc_warnings, n_lines)
    entries = [_clamp(e, n_lines) for e in entries]
    entries.sort(key=lambda e: e.line)
    warnings = sorted([m for e in entries for m in e.warnings] + [_clamp_warning(m, n_lines) for m in doc_warnings],
                      key=lambda lw: lw.line)
    return ParsedList(tuple(entries), tuple(headings), tuple(warnings), source_name, text)


def _clamp_warning(lw: ListWarning, n_lines: int) -> ListWarning:
    line = min(max(lw.line, 1), max(n_lines, 1))
    return lw if line == lw.line else replace(lw, line=line)


def _clamp(e: Entry, n_lines: int) -> Entry:
    top = max(n_lines, 1)
    end = min(max(e.end_line or e.line, e.line), top)
    if e.line <= top and e.end_line == end and all(1 <= lw.line <= top for lw in e.warnings):
        return e
    return replace(e, line=min(max(e.line, 1), top), end_line=end,
                   warnings=tuple(_clamp_warning(lw, n_lines) for lw in e.warnings))


