"""An item's inline tokens → a flat run of text and link segments that keep what the reader needs:
bold (a title in bold-title lists) apart from italic (their authors), images apart from text (a badge
is decoration, never a title), and URLs or arXiv ids written as plain text turned into links."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@dataclass
class Seg:
    kind: str  # "text" | "link"
    text: str
    strong: bool = False
    em: bool = False
    underline: bool = False  # <u>T5</u>: how some lists set a model's name apart
    href: str = ""
    autolink: bool = False  # <url>, or a URL written as plain text
    image_only: bool = False  # a link whose whole content is images: an icon or a badge
    badge: bool = False  # ... and one of them is a status badge (shields.io and the like)
    written: str = ""  # the link as the list writes it, for warnings

    @property
    def emph(self) -> bool:
        return self.strong or self.em or self.underline


_BADGE_HOSTS = ("shields.io", "badge.fury.io", "badgen.net", "awesome.re", "travis-ci.org", "travis-ci.com",
                "circleci.com", "codecov.io", "codacy.com", "pepy.tech", "zenodo.org/badge", "visitor-badge",
                "hits.seeyoufarm.com", "komarev.com")


def is_badge(src: str) -> bool:
    """Status/star/licence badges: pictures of a number, not resources."""
    s = src.lower()
    if any(h in s for h in _BADGE_HOSTS):
        return True
    path = urlsplit(s).path if "://" in s else s
    return bool(re.search(r"(^|[/_.-])badge([/_.-]|s?$)", path))


_HTML_TAG = re.compile(r"^<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>$", re.DOTALL)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HTML_STYLE = {"b": "strong", "strong": "strong", "i": "em", "em": "em", "cite": "em", "u": "underline", "ins": "underline"}


def _html_as_tokens(tok: Token) -> tuple[str, dict[str, str]] | None:
    """Inline HTML as the Markdown token it stands for: <a href> a link, <b>/<i>/<u> emphasis, <br> a break."""
    m = _HTML_TAG.match(tok.content.strip())
    if not m:
        return None
    closing, tag = m.group(1) == "/", m.group(2).lower()
    if tag == "a":
        if closing:
            return "link_close", {}
        h = _HREF.search(m.group(3))
        return ("link_open", {"href": next(g for g in h.groups() if g is not None)}) if h else None
    if tag in _HTML_STYLE:
        return f"{_HTML_STYLE[tag]}_{'close' if closing else 'open'}", {}
    if tag == "br":
        return "softbreak", {}
    return None


def segments(children: list[Token] | None) -> list[Seg]:
    segs: list[Seg] = []
    strong = em = under = 0
    link: Seg | None = None
    link_has_text = False
    for tok in children or []:
        t = tok.type
        attrs = tok.attrs
        if t == "html_inline" and (mapped := _html_as_tokens(tok)) is not None:
            t, attrs = mapped
        if t in ("underline_open", "underline_close"):
            under = max(0, under + (1 if t.endswith("_open") else -1))
            continue
        if t == "link_open":
            link = Seg("link", "", href=str(attrs.get("href", "") or ""), autolink=tok.markup == "autolink",
                       image_only=True)
            link_has_text = False
            continue
        if t == "link_close":
            if link is not None:
                link.image_only = link.image_only and not link_has_text and bool(link.text.strip())
                if not link.image_only:
                    link.badge = False
                link.written = f"<{link.href}>" if link.autolink else f"[{link.text}]({link.href})"
                segs.append(link)
            link = None
            continue
        if t in ("strong_open", "strong_close"):
            strong = max(0, strong + (1 if t == "strong_open" else -1))
            continue
        if t in ("em_open", "s_open", "em_close", "s_close"):
            em = max(0, em + (1 if t.endswith("_open") else -1))
            continue
        if t in ("text", "code_inline"):
            piece = tok.content
            if link is not None and piece.strip():
                link_has_text = True
        elif t in ("softbreak", "hardbreak"):
            piece = "\n"
        elif t == "image":
            if link is None:
                continue  # a picture in the text: neither title nor link
            piece = tok.content
            if is_badge(str(tok.attrs.get("src", "") or "")):
                link.badge = True
        else:  # html_inline and anything unknown
            piece = ""
        if not piece:
            if t == "text" and (strong or em) and link is None:
                segs.append(Seg("text", "", strong=strong > 0, em=em > 0))  # keeps "***x***" visible when split
            continue
        if link is not None:
            link.text += piece
        elif t == "text":
            segs.extend(_bare_links(piece, strong > 0, em > 0, under > 0))
        else:
            segs.append(Seg("text", piece, strong=strong > 0, em=em > 0, underline=under > 0))
    if link is not None:  # unclosed (cannot happen with markdown-it, but never lose text)
        segs.append(link)
    return segs


# A URL written as plain text ends before whitespace, a bracket, or trailing punctuation.
_BARE_URL = re.compile(r"(?<![\w/(\[])https?://[^\s<>\[\]()]+[^\s<>\[\]().,;:!?'\"]")
# 'arXiv:1810.04805', or arXiv's own listing form '[2004.05150]' (a bracketed new-style id, month 01–12)
_ARXIV_TEXT = re.compile(r"(?<![\w/.])arXiv:\s?(\d{4}\.\d{4,5}(?:v\d+)?)(?![\w.]*\d)"
                         r"|(?<![\w\]])\[(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}(?:v\d+)?)\](?![(\[])", re.IGNORECASE)


def _bare_links(text: str, strong: bool, em: bool, under: bool = False) -> list[Seg]:
    """'… see https://arxiv.org/abs/1810.04805' or '… arXiv:1810.04805': a link the list forgot to mark up."""
    found = [(m.start(), m.end(), m.group(0), m.group(0)) for m in _BARE_URL.finditer(text)]
    rest = _BARE_URL.sub(lambda m: " " * len(m.group(0)), text)  # an "arXiv:" inside a URL is the URL's
    found += [(m.start(), m.end(), f"https://arxiv.org/abs/{m.group(1) or m.group(2)}", m.group(0))
              for m in _ARXIV_TEXT.finditer(rest)]
    if not found:
        return [Seg("text", text, strong=strong, em=em, underline=under)]
    out: list[Seg] = []
    pos = 0
    for start, end, href, written in sorted(found):
        if start > pos:
            out.append(Seg("text", text[pos:start], strong=strong, em=em, underline=under))
        out.append(Seg("link", written, href=href, autolink=True, written=written))
        pos = end
    if pos < len(text):
        out.append(Seg("text", text[pos:], strong=strong, em=em, underline=under))
    return out


# -- links the reader can afford ------------------------------------------------------------------
# markdown-it looks for the `]` of every `[` by scanning the rest of the paragraph, so a run of `[` (or `![`)
# costs time quadratic in its length (4.9 MB of `[` took 639 s). No link of a paper list spans more than this
# many characters (label, URL and title together): past it, a `[` is plain text.
LINK_SPAN = 3000
_NEXT_CLOSE = ("atpbib", "next ]")  # a key of markdown-it's per-paragraph cache no position can take


def bounded_links(md: MarkdownIt) -> MarkdownIt:
    """Make `md`'s link and image rules linear: a `[` with no `]` within LINK_SPAN characters opens no link
    (found in constant time, and a run of such `[`/`![` is read as text at once), and the search for a
    label never looks further than LINK_SPAN."""
    for name, opener in (("link", "["), ("image", "!")):
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)].fn
        md.inline.ruler.at(name, _bounded(rule, opener))
    return md


def _bounded(rule, opener: str):
    def bounded(state, silent: bool) -> bool:
        start, end = state.pos, state.posMax
        if state.src[start] != opener:
            return False
        close = _next_close(state, start)
        if close >= min(end, start + LINK_SPAN):
            stop = start  # every `[`/`!` of the run from here that no `]` can close in reach: text
            while stop < end and state.src[stop] in "[!" and stop + LINK_SPAN <= close:
                stop += 1
            stop = max(stop, start + 1)
            if not silent:
                state.pending += state.src[start:stop]
            state.pos = stop
            return True
        state.posMax = min(end, start + LINK_SPAN)
        try:
            return rule(state, silent)
        finally:
            state.posMax = end

    return bounded


def _next_close(state, pos: int) -> int:
    """Where the first `]` after `pos` is in the paragraph (its length if none): one scan per paragraph."""
    cache = state.cache
    known = cache.get(_NEXT_CLOSE)
    if known is not None and known[0] <= pos < known[1]:
        return known[1]
    at = state.src.find("]", pos + 1)
    at = len(state.src) if at < 0 else at
    cache[_NEXT_CLOSE] = (pos, at)
    return at
