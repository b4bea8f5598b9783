"""An item read by what its parts are, wherever the list puts them.

The item's segments are cut into spans along their markup (links, bold, italic, underline, quotes) and their
punctuation (sentence ends, `; — – - |`, parentheses, brackets, a double space, a line break). Each span gets
the labels it can carry from what it looks like — a year, a venue hint (the grammar in `hints`), a list of
names (`people`), a counter, a label prefix (`follow-up:`), text that can be a title — and then the fields
are decided jointly: one title, the best-placed names, the first hint, a nickname set apart, the rest as notes.
The title is the candidate with the best score over explicit features (a title-like link label, quotes,
bold, position, length, description-like words), so no list style is a branch of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .hints import Hint, looks_like_venue, only_track, parse_venue, read_hint, year_only
from .inline import Seg
from .people import ET_AL, delatex, families, names_in, split_title_authors
from .text import SEPARATORS, clean

# ------------------------------------------------------------------ spans


@dataclass
class Span:
    text: str
    link: Seg | None = None
    strong: bool = False
    em: bool = False
    underline: bool = False
    quoted: bool = False
    group: str = ""  # "(" or "[" when the span stands inside parentheses or brackets
    sep_before: str = ""  # the punctuation between this span and the one before ("" : they touch)
    sep_after: str = ""
    what: str = "text"  # year | hint | names | count | label | marker | text (links: link)
    hint: object = None
    names: tuple[str, ...] = ()

    @property
    def style(self) -> tuple[bool, bool, bool, bool, str]:
        return (self.strong, self.em, self.underline, self.quoted, self.group)


# Punctuation that ends a field. A colon or a comma inside text does not: titles have them; nor does a journal's
# issue between its volume and pages ('21(140):1–67').
_CUT = re.compile(r"\s+[—–]+\s*|\s*[—–]{1,2}\s+|(?<=\S)[—–](?=\S)|\s+-{1,2}\s+|^-{1,2}\s+|\s*\|\s*|;\s*|\s*\n\s*"
                  r"|(?<=[^\s,])(?: {2,}|\t+)(?=\S)|(?<!\d)\(|\((?!\d{1,4}\)\s*:)|\)(?!\s*:\s*\d)|(?<!\(\d)(?<!\(\d\d)(?<!\(\d{3})(?<!\(\d{4})\)"
                  r"|[\[\]“”\"]|(?<!\w)['‘](?=\w[^'’]{3,}['’](?!\w))|(?<=[^\s\w])['’](?!\w)")
_SOFT_CUT = re.compile(r"\s+[—–]+\s*|\s*[—–]{1,2}\s+|(?<=\S)[—–](?=\S)|\s+-{1,2}\s+|\s*\|\s*|(?: {2,}|\t+)|[\[\]]")
_LEAD_SYMBOLS = re.compile(r"^[^\w\s\"“‘'(\[*_<`-]+\s*")
_ABBREVIATIONS = frozenset("vs etc eg e.g ie i.e fig no vol inc ltd jr sr dr mr ms st cf pp ed eds et proc conf trans int intl assoc comput ling mach learn res symp natl".split())
_NUMBERED = re.compile(r"^\s*(?:\(\d{1,3}\)|\d{1,3}[).:]|#\d{1,3}[.:]?)\s+(?=\S)")


def sentences(text: str) -> list[str]:
    """Sentence breaks: a full stop after a word of two or more letters, not after an initial or 'vs.'."""
    out, pos = [], 0
    for m in re.finditer(r"[.。](?:\s+|$)", text):
        word = re.search(r"(\S+)$", text[max(pos, m.start() - 40):m.start()])  # bounded: linear on any text
        last = word.group(1) if word else ""
        core = last.lstrip("([\"'“‘").lower()
        if len(core) < 2 or core in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.-?)+[a-z]", core):
            continue
        out.append(text[pos:m.start()])
        pos = m.end()
    out.append(text[pos:])
    return [s.strip() for s in out if s.strip()]


_SEP_KEPT = 64  # marks of one separator kept


@dataclass
class _Cutter:
    spans: list[Span] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    quoted: bool = False
    pending: str = ""  # punctuation seen since the last span

    def sep(self, mark: str) -> None:
        mark = mark.strip() or (" " if "\n" not in mark else "\n")
        if len(self.pending) < _SEP_KEPT:  # what a separator says is in its first marks: a run of a million '['
            self.pending += mark           # must not be copied a million times
        if self.spans and len(self.spans[-1].sep_after) < _SEP_KEPT:
            self.spans[-1].sep_after += mark

    def add(self, span: Span) -> None:
        span.sep_before = self.pending
        span.group = self.groups[-1] if self.groups else ""
        span.quoted = self.quoted
        self.pending = ""
        self.spans.append(span)

    def text(self, s: str, seg: Seg) -> None:
        whole = (seg.strong or self.quoted) and not seg.em  # '**… ITU-T Rec. P.1203 …**': one title, not sentences
        parts = sentences(s) if re.search(r"[.。](?:\s|$)", s) and not whole else [s]
        for k, part in enumerate(parts):
            if k:
                self.sep(".")
            lead = re.match(r"^[\s,:.]+", part)
            if lead and lead.group().strip():
                self.sep(lead.group())
            body = part[lead.end():] if lead else part
            end = len(body.rstrip(" \t\n\r\f\v,:"))  # not a regex anchored at the end: linear on ', , , …'
            core, tail = body[:end], body[end:]
            if core.strip():
                self.add(Span(clean(core), strong=seg.strong, em=seg.em, underline=seg.underline))
            if tail.strip():
                self.sep(tail)
        if re.search(r"[.。]\s*$", s):
            self.sep(".")

    def punct(self, mark: str) -> None:
        m = mark.strip()
        if m in ("(", "["):
            self.sep(m)
            self.groups.append(m)
        elif m in (")", "]"):
            if self.groups and self.groups[-1] == ("(" if m == ")" else "["):
                self.groups.pop()
            self.sep(m)
        elif m in ("“", "‘"):
            self.quoted = True
        elif m in ("”", "’"):
            self.quoted = False
        elif m in ('"', "'"):
            self.quoted = not self.quoted
        else:
            self.sep(m or " ")


def cut(segs: list[Seg]) -> list[Span]:
    c = _Cutter()
    for seg in segs:
        if seg.kind == "link":
            c.add(Span(clean(seg.text), link=seg, what="link"))
            continue
        pos = 0
        text = delatex(seg.text)
        if not c.spans and not c.pending:
            text = _LEAD_SYMBOLS.sub("", text)  # '📄 Title', '⭐ Title': a pictogram opens the item
        for m in _CUT.finditer(text):
            if (seg.strong or c.quoted) and _SOFT_CUT.fullmatch(m.group()):
                continue  # '**Title -- Subtitle**', '"Title | Part"': the emphasis or the quotes hold one field
            if m.start() > pos:
                c.text(text[pos:m.start()], seg)
            c.punct(m.group())
            pos = m.end()
        if pos < len(text):
            c.text(text[pos:], seg)
    return _join_touching(c.spans)


def _join_touching(spans: list[Span]) -> list[Span]:
    """Text split only by the markup parser (two runs of one style that touch) is one span again."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if (prev is not None and prev.link is None and s.link is None and not s.sep_before
                and prev.style == s.style):
            prev.text = clean(prev.text + " " + s.text)
            prev.sep_after = s.sep_after
            continue
        out.append(s)
    return out


# ------------------------------------------------------------------ what each span looks like

LABEL_WORDS = frozenset("""code pdf slides slide video blog post project demo website homepage data dataset paper papers
github talk book arxiv link bib bibtex poster supplementary abs abstract html doi openreview acl anthology official
pytorch tensorflow keras jax source sources implementation notes note tl;dr tldr summary review follow-up followup
follow up see also related new update updated extension extended version journal conference preprint reading
unofficial author authors reproduction reimplementation model models weights checkpoint checkpoints colab
tutorial docs documentation leaderboard benchmark results result survey example examples paper-link cite citation
citations star stars""".split())
_COUNT = re.compile(r"^[\d,.]+\s*[kKmM]?\+?\s*(?:stars?|forks?|citations?|cited(?:\s+by)?|⭐|★)?$|^(?:stars?|citations?|"
                    r"cited\s+by)\s*[:：]?\s*[\d,.]+[kKmM]?$", re.IGNORECASE)
_INITIALS = r"(?:[A-Z]\.\s?)+(?:-[A-Z]\.\s?)?"  # 'K. ', 'Y.-C. ', 'A. E. ': a name that opens with initials
_INITIALS_FIRST = re.compile(rf"^{_INITIALS}[^\W\d_]")
_ONE_NAME = re.compile(rf"^{_INITIALS}(?:[a-z]{{1,3}}\s)?[A-Z][^\W\d_'’-]+(?:[-'’][^\W\d_]+)?$")  # 'K. Ethayarajh'
_MARKERS = re.compile(r"^(?:\*{1,3}|_{2,3})$")
# A field the list names ('Publisher: CVPR 2026', 'Venue: ICLR', 'Date: March 27, 2026'): its value is the hint.
_NAMED_VENUE = re.compile(r"^(?:venue|conference|journal|publisher|publication|published(?:\s+(?:in|at))?|"
                          r"accepted(?:\s+(?:at|by|to))?|appeared\s+in|proceedings|booktitle|source)\s*[:：]\s*(?P<v>\S.*)$",
                          re.IGNORECASE)
_NAMED_DATE = re.compile(r"^(?:date|year|time|published|publication\s+date|release(?:d)?|submitted)\s*[:：]\s*(?P<v>\S.*)$",
                         re.IGNORECASE)
_CITE = re.compile(r"^(?P<names>[^\W\d][^,()]{1,120}?(?:\bet\.?\s+al\.?|\s(?:and|&)\s[^,()]+?)?)(?:,\s*|(?<=\.)\s+)(?P<rest>(?:[A-Za-z][\w&.\-' ]{0,60}?[\s,]+)?(?:19|20)\d{2}[a-z]?)$")


def _label_word(text: str) -> bool:
    t = text.lower().strip(" .:;")
    return t in LABEL_WORDS or all(w in LABEL_WORDS for w in re.split(r"[\s/&,+-]+", t) if w)


def _cite(s: Span) -> bool:
    """'(Sun et al., EMNLP 2019)', '(Wu and Hu, 2018)': the names before the venue are authors, not the venue's."""
    m = _CITE.match(s.text)
    if not m or read_hint(m.group("names"), aside=True) is not None or not (fam := families(m.group("names"))):
        return False
    rest = read_hint(m.group("rest"))
    if rest is None:
        return False
    s.what, s.names, s.hint = "cite", fam, rest
    return True


def _classify(s: Span) -> None:
    t = s.text
    if _MARKERS.match(t):
        s.what = "marker"
        return
    if year_only(t) is not None:
        s.what, s.hint = "year", read_hint(t)
        return
    if _COUNT.match(t):
        s.what = "count"
        return
    if not re.search(r"[^\W_]", t):
        s.what = "punct"
        return
    if s.group == "(" and _cite(s):
        return
    if (m := _NAMED_DATE.match(t)) and (years := re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", m.group("v"))):
        s.what, s.hint = "year", Hint(None, int(years[-1]), t)
        return
    if (m := _NAMED_VENUE.match(t)) and (hint := read_hint(m.group("v"), aside=True)) is not None:
        s.what, s.hint = "hint", hint
        return
    alone = bool(_ONE_NAME.match(t))  # 'K. Ethayarajh', 'Y.-C. Chen': initials make one name a person
    names = names_in(t, single=(s.em and not s.strong) or alone) if (s.group == "(" or (s.em and not s.strong) or alone) \
        else None
    if names and len(names) == 1 and (venue := read_hint(t)) is not None and venue.venue:
        names = None  # '*Computational Linguistics*', '*Electronic Imaging*': a journal set in italics
    hint = read_hint(t, aside=s.group == "(") if not names else None
    if hint is not None:
        s.what, s.hint = "hint", hint
        return
    names = names or names_in(t, single=s.em and not s.strong)
    if names:
        s.what, s.names = "names", names
        return
    if _label_word(t) and (len(t.split()) == 1 or (len(t.split()) <= 3 and (
            t.rstrip().endswith((":", "：")) or ":" in s.sep_after or s.group))):
        s.what = "label"  # 'Code', 'follow-up:', '(see also)'; 'Models Models.' set apart as a title is none


def _unit_fields(spans: list[Span]) -> list[Span]:
    """Runs of touching spans in several styles ('In *Proceedings of ICLR 2015*'): one span when together they
    are a hint or names."""
    out: list[Span] = []
    i = 0
    while i < len(spans):
        j = i + 1
        while j < len(spans) and spans[j].link is None and spans[i].link is None and not spans[j].sep_before \
                and spans[j].group == spans[i].group:
            j += 1
        if j - i > 1:
            joined = Span(clean(" ".join(s.text for s in spans[i:j])), em=any(s.em for s in spans[i:j]),
                          strong=all(s.strong for s in spans[i:j]), group=spans[i].group,
                          sep_before=spans[i].sep_before, sep_after=spans[j - 1].sep_after)
            _classify(joined)
            if joined.what in ("hint", "names", "year"):
                out.append(joined)
                i = j
                continue
        out.append(spans[i])
        i += 1
    return out


def _split_commas(spans: list[Span]) -> list[Span]:
    """'Ann Author, Bob Writer, NIPS 2017', 'A Study of Things, Computational Linguistics, 1993', 'Writer et al 2015':
    a text span that ends in a hint is the hint and what stands before it (names, or text)."""
    out: list[Span] = []
    for s in spans:
        if s.what == "hint" and "," in s.text and (lead := _leading_hint(s.text)) is not None:
            hint, raw, rest = lead  # 'arXiv 2019, Understanding the Behaviors of BERT in Ranking'
            after = Span(rest, strong=s.strong, em=s.em, underline=s.underline, quoted=s.quoted, group=s.group,
                         sep_before=",", sep_after=s.sep_after)
            _classify(after)
            out += [Span(raw, strong=s.strong, em=s.em, underline=s.underline, group=s.group, sep_before=s.sep_before,
                         sep_after=",", what="hint", hint=hint), after]
            continue
        if s.link is not None or s.what != "text":
            out.append(s)
            continue
        head, hint, raw = _trailing_hint(s.text)
        if hint is None or not head:
            out.append(s)
            continue
        first = Span(head, strong=s.strong, em=s.em, underline=s.underline, quoted=s.quoted, group=s.group,
                     sep_before=s.sep_before, sep_after=",")
        _classify(first)
        out += [first, Span(raw, strong=s.strong, em=s.em, underline=s.underline, group=s.group, sep_before=",",
                            sep_after=s.sep_after, what="hint" if hint.venue else "year", hint=hint)]
    return out


def _leading_hint(text: str):
    """(the hint, its text, what follows) when `text` opens with a venue and year and a comma, and what follows is
    no part of a venue: a title ('arXiv 2019, Understanding …'), not a place or a track ('ACL 2019, Florence')."""
    first, _, rest = text.partition(",")
    rest = rest.strip()
    hint = read_hint(first)
    if hint is None or hint.year is None or hint.venue is None or len(rest.split()) < 3 or read_hint(rest) is not None:
        return None
    return hint, first.strip(), rest


def _trailing_hint(text: str):
    """(what stands before, the hint, its text) when `text` ends in a venue/year written after a comma or a name."""
    parts = text.rsplit(",", 2)
    if len(parts) >= 2:
        if len(parts) == 3:  # 'Computational Linguistics, 1993' : a venue and its year, both after commas
            both = f"{parts[1].strip()} {parts[2].strip()}"
            hint = read_hint(both) if year_only(parts[2]) is not None else None
            if hint is not None and hint.venue:
                return parts[0].strip(SEPARATORS), hint, f"{parts[1].strip()}, {parts[2].strip()}"
        hint = read_hint(parts[-1])
        if hint is not None:
            return ",".join(parts[:-1]).strip(SEPARATORS), hint, parts[-1].strip()
    m = re.match(r"^(?P<names>.+?)\s+(?P<year>(?:19|20)\d{2})$", text)  # 'Writer et al. 2015'
    if m and names_in(m.group("names"), single=True):
        return m.group("names"), read_hint(m.group("year")), m.group("year")
    m = re.match(r"^(?P<names>.*\b[A-Z]\.)\s+(?P<hint>[A-Z]\S*(?:\s\S+){0,4})$", text)  # '…, & Si, L. ICLR'20'
    if m and (hint := read_hint(m.group("hint"))) is not None and hint.year and names_in(m.group("names"), single=True):
        return m.group("names"), hint, m.group("hint")
    return "", None, ""


def _names_by_place(spans: list[Span]) -> list[Span]:
    """Names the list sets in a reference's places: 'Author and Writer - 2014 - Title' (family names before a year),
    'Cara Writer. A Study of Things, ACL 2005.' (one name opening a dated reference)."""
    dated = any(s.what in ("year", "hint") and s.hint is not None and s.hint.year for s in spans)
    for k, s in enumerate(spans):
        if s.link is not None or s.what != "text":
            continue
        nxt = spans[k + 1] if k + 1 < len(spans) else None
        if nxt is not None and nxt.what == "year" and not (s.strong or s.quoted) and any(
                (o.what == "text" and o.link is None) or (o.link is not None and len(o.text.split()) >= 3)
                for o in spans[k + 2:]) and (
                fam := names_in(s.text, single=True) or families(s.text)):
            s.what, s.names = "names", fam  # 'Author and Writer - 2014 - Title', 'Ethayarajh, K. (2019). Title
        elif k == 0 and dated and "." in s.sep_after and nxt is not None and nxt.link is None \
                and not (s.strong or s.quoted) and (names := names_in(s.text, single=True)):  # bold: a title
            s.what, s.names = "names", names
    return spans


def _rejoin_dashes(spans: list[Span]) -> list[Span]:
    """'oLMpics -- On what Language Model Pre-training Captures': a short name before a dash opens the title."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if (prev is not None and s.link is None and prev.link is None and s.what == prev.what == "text"
                and s.sep_before.strip() in ("-", "--", "–", "—") and len(prev.text.split()) == 1
                and s.style == prev.style and not re.match(r"^[a-z]", s.text)):
            prev.text = f"{prev.text} {s.sep_before.strip()} {s.text}"
            prev.sep_after = s.sep_after
            continue
        out.append(s)
    return out


def _rejoin_asides(spans: list[Span]) -> list[Span]:
    """'ERNIE (THU)', 'Title (short version)': a parenthesis that is no field, in the style of the text before it,
    belongs to that text."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if (prev is not None and s.link is None and prev.link is None and s.what == "text" and prev.what == "text"
                and s.group == "(" and s.sep_before == "(" and not looks_like_venue(s.text)
                and (s.strong, s.em, s.underline) ==
                (prev.strong, prev.em, prev.underline) and prev.group == ""):
            prev.text = f"{prev.text} ({s.text})"
            prev.sep_after = s.sep_after
            continue
        out.append(s)
    return out


# ------------------------------------------------------------------ the title


def _can_title_link(s: Span, is_title_label) -> bool:
    seg = s.link
    return seg is not None and is_title_label(seg)


def title_score(k: int, s: Span, spans: list[Span], ctx: "Context",
                heads: dict[str, int] | None = None) -> float | None:
    """How much `s` looks like the item's title (None: it cannot be one)."""
    words = s.text.split()
    if s.link is not None:
        if not ctx.is_title_label(s.link):
            return None
        score = 3.0
        if ctx.is_paper(s.link):
            score += 1.0
        if ctx.is_repository(s.link.href) and any(
                (o.link is not None and o is not s and ctx.is_title_label(o.link) and ctx.is_paper(o.link))
                or (o.link is None and o.what == "text" and (o.strong or o.quoted) and len(o.text.split()) >= 2)
                for o in spans):
            score -= 2.0  # [Tool](github): [Paper Title](arxiv), [Tool](github): **Paper Title**
        if all(o.what in ("punct", "marker") or o.what == "number" for o in spans[:k]):
            score += 1.5  # the item opens with it: awesome-list style
    else:
        if s.what != "text":
            return None
        score = 2.5 if re.search(r"[^\W\d_]", s.text) or s.strong or s.quoted else 0.5  # '2.0 2.0': a title at worst
        if s.quoted:
            score += 2.0
        if s.strong:
            score += 0.8
        if s.em and not s.strong:
            score -= 0.5
        if s.underline:
            score -= 1.0
        if words[0].islower() and len(words) >= 4 and any(o.what == "text" or o.link for o in spans[:k]):
            score -= 1.2  # a description starts in lower case; titles rarely do ('exBERT', 'oLMpics' are names)
        if re.match(r"^(?:this|we|our|it|an?\s+(?:\w+\s+)?(?:implementation|collection|list|library|toolkit|tool|"
                    r"framework|package|reimplementation)|implementation|official|unofficial|code|pytorch|tensorflow|"
                    r"keras)\b", s.text, re.IGNORECASE):
            score -= 1.0
    if len(words) <= 3 and (heads if heads is not None else _heads(spans)).get(s.text.lower(), -1) > k:
        return None  # '**exBERT**: … *exBERT: A Visual …*': the name the title opens with, set before it
    if s.group:
        score -= 1.5
    if ":" in s.sep_after and len(words) <= 3 and any(
            o.what == "text" or (o.link is not None and ctx.is_title_label(o.link)) for o in spans[k + 1:]):
        score -= 1.5  # "**VL-BERT**: …", "TONT: *Title*": a name set before the item, not its title
    if len(words) == 1:
        score -= 1.5
    elif len(words) == 2:
        score -= 0.3
    if len(s.text) > 250:
        score -= 2.0
    if s.link is None:
        if any(o.link is not None for o in spans[:k]) and any(o.what == "text" for o in spans[:k]):
            score -= 1.0  # text after the links, with text before them: a note or a nickname
        if (s.strong or s.em or s.underline) and len(words) <= 5 and _ends_run(spans, k) and k > 0:
            score -= 1.0  # "- ***BERT***": set apart at the end, a nickname
    earlier = sum(1 for o in spans[:k] if o.what == "text" or o.link is not None)
    return score - 0.5 * earlier


@dataclass
class Context:
    """What the tagger asks of the item module about links (kept there: the link rules are the item's)."""
    is_title_label: object
    is_paper: object
    is_repository: object


@dataclass
class Fields:
    title: str = ""
    title_span: int | None = None  # index of the title among the spans
    title_link: Seg | None = None
    authors: tuple[str, ...] = ()
    hint_raw: str | None = None
    venue: str | None = None
    year: int | None = None
    problem: str | None = None
    nickname: str | None = None
    nickname_link: Seg | None = None
    notes: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    rival: str | None = None  # a span that scored within UNSURE_MARGIN of the title


def tag(segs: list[Seg], ctx: Context) -> tuple[Fields, list[Span]]:
    spans = cut(segs)
    if spans and spans[0].link is None:  # "1) Title", "3. **Title**": the list's numbering
        m = _NUMBERED.match(spans[0].text + " ")
        if m:
            rest = spans[0].text[m.end():].strip() if m.end() <= len(spans[0].text) else ""
            if rest:
                spans[0].text = rest
            else:
                spans[0].what = "number"
        elif re.fullmatch(r"\(?\d{1,3}[).:]?", spans[0].text):
            spans[0].what = "number"
    spans = _label_apart(spans)
    for s in spans[:_CLASSIFIED]:
        if s.link is None and s.what == "text":
            _classify(s)
    spans = _names_by_place(_split_commas(_rejoin_dashes(_rejoin_asides(_unit_fields(spans)))))
    f = Fields()
    _choose_title(f, spans, ctx)
    _choose_rest(f, spans, ctx)
    return f, spans


_LABEL_HEAD = re.compile(r"^(?P<label>[^:：]{1,30}?)\s*[:：]\s+(?P<rest>\S.*)$", re.DOTALL)


def _label_apart(spans: list[Span], depth: int = 0) -> list[Span]:
    """'follow-up: Title …', 'see also: A. Author …': a label opening the item's text is a span of its own; so is
    a one-word nickname that the title repeats or that a venue follows."""
    k = next((i for i, o in enumerate(spans) if o.what not in ("number", "punct", "marker", "label")), None)
    if k is None or spans[k].link is not None or spans[k].what != "text":
        return spans
    s = spans[k]
    m = _LABEL_HEAD.match(s.text)
    if not m or _NAMED_VENUE.match(s.text) or _NAMED_DATE.match(s.text):
        return spans  # 'Publisher: CVPR 2026' is a field the list names
    head, rest = m.group("label"), m.group("rest")
    if _label_word(head):
        what = "label"
    elif " " not in head.strip() and (rest.lower().startswith(head.lower() + ":") or (
            (hint := read_hint(re.split(r"[.;]\s", rest, maxsplit=1)[0])) is not None and hint.year)
            or _opens_with_names(rest)):
        what = "text"  # 'exBERT: exBERT: A Visual …', 'exBERT: ACL 2020 Demo. …', 'UNITER: Y.-C. Chen, L. Li – …'
    else:
        return spans
    label = Span(f"{head}:" if what == "label" else head, strong=s.strong, em=s.em, underline=s.underline,
                 quoted=s.quoted, group=s.group, sep_before=s.sep_before, sep_after=":", what=what)
    s.text, s.sep_before = m.group("rest"), ":"
    out = spans[:k] + [label] + spans[k:]
    return _label_apart(out, depth + 1) if what == "label" and depth == 0 else out  # 'follow-up: XLNet: XLNet: …'


def _opens_with_names(text: str) -> bool:
    """'Y.-C. Chen, L. Li, … – …', 'Benjamin Hoover, Hendrik Strobelt, and …, Title, …': people come first."""
    parts = text.split(",")
    return any(len(names_in(",".join(parts[:j])) or ()) >= 2 for j in range(min(len(parts), 12), 1, -1))


def _heads(spans: list[Span]) -> dict[str, int]:
    """Where each 'Head: …' text last opens a span, worked out once per item, not once per candidate."""
    return {o.text.lower().split(":", 1)[0]: i for i, o in enumerate(spans) if ":" in o.text}


UNSURE_MARGIN = 0.25  # title scores closer than this: the item says the reader is unsure
_TITLE_CANDIDATES = 200  # a title stands among an item's first spans: a pathological item is not scored whole
_CLASSIFIED = 1000  # nor are its fields further on than a real item has spans


def _choose_title(f: Fields, spans: list[Span], ctx: Context) -> None:
    heads = _heads(spans)
    scored = [(sc, k) for k, s in enumerate(spans[:_TITLE_CANDIDATES])
              if (sc := title_score(k, s, spans, ctx, heads)) is not None]
    if not scored:
        return
    best = max(scored, key=lambda sk: sk[0])  # the first of the best
    k = best[1]
    close = [(sc, j) for sc, j in scored if j != k and best[0] - sc < UNSURE_MARGIN]
    if close:  # another span scored nearly as well: the reader says so (item.analyse warns)
        f.rival = spans[max(close)[1]].text
    s = spans[k]
    f.title_span = k
    if s.link is not None:
        f.title, f.title_link = _label_title(f, clean(s.link.text)), s.link
        s.what = "title"
        return
    s.what = "title"
    text = s.text
    # the title span may carry the authors or the venue written into it with commas or a colon
    text = _names_before(f, text, dated=any(o.hint is not None and o.hint.year for o in spans))
    text = _names_ahead(f, text)
    text = _fields_after(f, text, single=k > 0 and spans[k - 1].link is not None and
                         not ctx.is_title_label(spans[k - 1].link))
    f.title = re.sub(r"(?<=[^.\s])\.$", "", text.strip(SEPARATORS))


def _label_title(f: Fields, label: str) -> str:
    """'[Title (CVPR 2019)](…)', '[Title.](…)': a hint written inside the link's label is the hint."""
    m = re.search(r"\s*[(\[]([^()\[\]]{2,80})[)\]]\s*$", label)
    if m and m.start() > 0:
        hint = read_hint(m.group(1), aside=True)
        if hint is not None and (hint.year is not None or (hint.venue and not only_track(hint.venue))):
            _take_hint(f, hint)
            label = label[: m.start()]
    return re.sub(r"(?<=[^.\s])\.$", "", label.strip())


_NAMES_COLON = re.compile(r"^(?P<names>[^:]{2,300}?):\s+(?P<rest>\S.*)$")


def _names_before(f: Fields, text: str, dated: bool) -> str:
    """'A. Author, et al.: Title' — the names before a colon (one name alone only in a dated reference)."""
    m = _NAMES_COLON.match(text)
    if m and (dated or ET_AL.search(m.group("names")) or "," in m.group("names") or " and " in m.group("names")):
        names = names_in(m.group("names"), single=True)  # not families alone: 'Show, Attend and Tell: …' is a title
        if names:
            f.authors = names
            return m.group("rest")
    return text


def _names_ahead(f: Fields, text: str) -> str:
    """'Q. Guo, X. Qiu, Z. Zhang, Star-Transformer': the people written before the title, with commas."""
    if f.authors or text.count(",") < 2 or len(text) > 2000:
        return text
    parts = text.split(",")
    for j in range(len(parts) - 1, 0, -1):  # the longest run of names that leaves a title
        rest = ",".join(parts[j:]).strip(" ,")
        if not rest or names_in(rest, single=True):
            continue
        names = names_in(",".join(parts[:j]))
        if names and len(names) >= 2:
            f.authors = names
            first, sep, after = rest.partition(",")
            if sep and after.strip() and (hint := read_hint(first)) is not None and hint.year:
                _take_hint(f, hint)  # 'A. Author, B. Author, arXiv 2019, Title'
                return after.strip()
            return rest
    return text


def _fields_after(f: Fields, text: str, single: bool) -> str:
    """'Title, A. Author, B. Author, NIPS 2017', 'Title, NIPS 2017, A. Author, B. Author' → 'Title', the venue
    and the authors taken off the end."""
    text = _hint_off_the_end(f, text)
    if not f.authors and "," in text:
        title, names = split_title_authors(text)
        if names and (single or len(names) > 1 or ET_AL.search(text)
                      or _INITIALS_FIRST.match(names[0])):  # '…, K. Ethayarajh'
            f.authors, text = names, _hint_off_the_end(f, title)
    return text


def _hint_off_the_end(f: Fields, text: str) -> str:
    head, sep, last = text.rpartition(",")
    if sep and head.strip():
        hint = read_hint(last)
        if hint is not None and (hint.year is not None or (hint.venue and not only_track(hint.venue))):
            _take_hint(f, hint)
            return head.rstrip(SEPARATORS)
    return text


def _take_hint(f: Fields, hint, raw: str | None = None) -> None:
    if f.hint_raw is not None:
        if f.year is None and hint.year is not None and f.venue is not None and hint.venue is None:
            f.year = hint.year  # "TACL. ... 2020": the year written apart from the venue
        return
    f.hint_raw = clean(raw or hint.raw).strip(" .,;()")
    f.venue, f.year = hint.venue, hint.year


def _choose_rest(f: Fields, spans: list[Span], ctx: Context) -> None:
    t = f.title_span
    # nickname or label written before the title: "<u>T5</u>: **"Title"**", "follow-up: [Title](…)", "[Tool](gh): [Paper](…)"
    if t is not None and t > 0:
        opening = next((k for k, o in enumerate(spans) if o.what not in ("number", "punct")), None)
        first = spans[opening] if opening is not None and opening < t else None
        if first is not None and first.link is not None and ctx.is_repository(first.link.href) \
                and ctx.is_title_label(first.link) and ":" in first.sep_after and len(first.text.split()) <= 4:
            f.nickname, f.nickname_link = first.text, first.link  # "[Tool](github): …, **Paper Title**"
        pre = spans[t - 1]
        title = spans[t]
        if title.link is None and not title.quoted and not title.strong and ":" in pre.sep_after \
                and not f.title.lower().startswith(pre.text.lower()) \
                and pre.link is None and pre.what in ("text", "label") and not _label_word(pre.text) \
                and len(pre.text.split()) <= 3 and (pre.strong or pre.underline or pre.em) and t == 1 + sum(
                    1 for o in spans[:t - 1] if o.what in ("number", "punct")):
            # "**ALBERT**: A Lite BERT for …": the name is the title's head, in bold
            f.title = f"{pre.text}: {f.title}"
            pre.what = "title"
        if f.nickname is not None:
            pass
        elif pre.link is not None and ctx.is_repository(pre.link.href) and ctx.is_title_label(pre.link) \
                and len(pre.text.split()) <= 4 and all(s.what in ("punct", "number") for s in spans[:t - 1]):
            f.nickname, f.nickname_link = pre.text, pre.link
        elif pre.link is None and pre.what in ("text", "label", "names", "hint") and len(pre.text.split()) <= 4 \
                and (":" in pre.sep_after or pre.underline) and len(pre.text) <= 40:
            if pre.what == "text" or pre.underline:
                if not _label_word(pre.text):
                    f.nickname = pre.text
                pre.what = "nick" if f.nickname == pre.text else "label"
            elif pre.what == "label":
                pass
    # authors: the names span best placed (italic, next to the title)
    best: tuple[float, int] | None = None
    for k, s in enumerate(spans):
        if s.what in ("names", "cite") and not f.authors:
            sc = (1.0 if s.em else 0.0) + (1.0 if t is not None and abs(k - t) <= 2 else 0.0) - 0.01 * k \
                + (1.5 if len(s.names) >= 2 else 0.0)  # a list of people beats one italic phrase
            if s.what == "cite":
                sc -= 0.5
            if best is None or sc > best[0]:
                best = (sc, k)
    if best is not None:
        f.authors = spans[best[1]].names
        spans[best[1]].what = "authors" if spans[best[1]].what == "names" else "cite*"
    # venue and year: the first hint, a citation's, then a year written alone
    for s in spans:
        if s.what in ("hint", "cite*") and s.hint is not None and s.hint.venue:
            _take_hint(f, s.hint, s.hint.raw if s.what == "hint" else None)
            s.what = "venue" if s.what == "hint" else "cite*"
            break
    for s in spans:
        if s.what in ("hint", "year", "cite", "cite*") and s.hint is not None:
            if f.hint_raw is None:
                _take_hint(f, s.hint)
                s.what = "venue"
            elif f.year is None and s.hint.year is not None:
                f.year = s.hint.year
                s.what = "venue"
            elif s.what == "year":
                s.what = "date"
    if f.venue is None and any(s.link is not None and s.link.autolink and s.text.lower().startswith("arxiv:")
                               for s in spans):
        f.venue = "arXiv"  # '*arXiv:1703.01619*', 'Title arXiv:1706.03762': the id written as the venue
    # a parenthesis with a mistyped year, '(ICLR 202)', is a hint with a problem
    if f.hint_raw is None:
        for s in spans:
            if s.what == "text" and s.group == "(" and s.link is None and re.search(r"\d{2,}", s.text) \
                    and len(s.text) <= 60 and s.sep_before == "(":
                venue, year, problem = parse_venue(s.text)
                if problem and venue:
                    f.hint_raw, f.venue, f.year, f.problem = s.text, venue, year, problem
                    s.what = "venue"
                    break
    # a venue written after the title in words with its year: ', Computational Linguistics, 1993'
    if f.hint_raw is None and t is not None:
        for s in spans[t + 1:]:
            if s.what == "text" and s.link is None:
                m = re.fullmatch(r"(?P<v>[A-Z][\w&.\- ]{1,60}?)[\s,]+(?P<y>(?:19|20)\d{2})", s.text)
                if m and len(m.group("v").split()) <= 6 and not names_in(m.group("v"), single=True):
                    f.hint_raw, f.venue, f.year = s.text, clean(m.group("v")).strip(" ,"), int(m.group("y"))
                    s.what = "venue"
                    break
    # nickname set apart at the end of its run: "- ***BERT***", "(**ELMo**)"
    if f.nickname is None:
        for k, s in enumerate(spans):
            if t is not None and k <= t:
                continue
            if s.link is None and s.what == "text" and (s.strong or s.em or s.underline) and len(s.text) <= 40 \
                    and len(s.text.split()) <= 5 and not s.group == "[" and _ends_run(spans, k):
                f.nickname = s.text
                s.what = "nick"
                break
    for s in spans:
        if s.what == "marker":
            f.markers.append(s.text)
        elif s.what == "text" and s.link is None:
            f.notes.append(s.text)


def _ends_run(spans: list[Span], k: int) -> bool:
    """Nothing but punctuation follows up to the next link or the end: the emphasis closes the item."""
    for s in spans[k + 1:]:
        if s.link is not None:
            return True
        if s.what not in ("punct", "marker", "count"):
            return False
    return True
