"""A grammar of the styles paper lists are written in (issue 19, item 3): one paper's looked-up facts
(tests/fixtures/papers/*.json) rendered as a Markdown list item, with the fields a reader must read back.

Nothing here is a style fixture: an item is drawn dimension by dimension — the style (free fields, ACL, APA,
IEEE, Chicago, Zotero file names, table rows, heading items, block HTML), the separator between fields, the
title's markup, then field order, numbering, nickname and label prefixes, link forms, venue forms and author
forms — and the expected fields follow from the facts and the forms chosen, never from the reader.

The held-out split is by combination: `HELDOUT` lists (style, separator, markup) triples that the dev split
never draws. Develop against `items("dev")` / `render(rng, "dev")`; report `"heldout"` separately, so the
figures say how the reader does on combinations nobody looked at while tuning it.

What "expected" means, per form (the reader's job is to give back the list's own writing, not the facts'):
- authors as the style writes them, given name first: 'Clark, Kevin' and 'Clark, K.' are 'Kevin Clark' and
  'K. Clark'; 'Kevin Clark et al.' is ('Kevin Clark',); a Zotero file name keeps family names only;
- venue as written without its year and without 'In Proceedings of' ('Findings of EMNLP 2020' → 'Findings of
  EMNLP', 'EMNLP 2020 Demo' → 'EMNLP Demo', "ICLR'20" → 'ICLR'); a year written alone is no venue;
- ids: the arXiv id (or the Anthology id when the facts name no preprint) of the one link the item carries.
"""
from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakeservices import load_papers  # noqa: E402

PARTICLES = frozenset("van von der den de del della di da dos du le la ter ten bin".split())


# -- facts -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Name:
    given: str
    family: str

    @property
    def full(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def initials(self) -> str:
        """'Christopher D.' → 'C. D.', 'Ming-Wei' → 'M.-W.'."""
        parts = []
        for g in self.given.split():
            parts.append("-".join(x[0] + "." for x in g.split("-") if x))
        return " ".join(parts + [self.family])


@dataclass(frozen=True)
class Facts:
    slug: str
    title: str
    names: tuple[Name, ...]
    venue: str  # the published venue's short name ('EMNLP-IJCNLP', 'TACL', 'RepL4NLP') or 'arXiv'
    track: str | None  # 'Findings' or 'Demo'
    year: int
    arxiv: str | None
    acl: str | None
    nickname: str | None  # the title's own short name before its colon ('BERT: Pre-training …' → 'BERT')
    month: int | None = None  # a preprint's month (arXiv's submission date), for '2019.6'-style dates


# DBLP's ISO abbreviations of the journals the fixtures publish in, and the acronyms lists write for them.
_JOURNALS = {"Trans. Assoc. Comput. Linguistics": "TACL", "J. Mach. Learn. Res.": "JMLR"}


def _split_name(full: str) -> Name:
    words = full.split()
    k = len(words) - 1
    while k > 1 and words[k - 1].lower() in PARTICLES:
        k -= 1
    return Name(" ".join(words[:k]), " ".join(words[k:]))


def _venue_of(paper: dict) -> tuple[str, str | None, int] | None:
    """(short name, track, year) of the published version the facts name (ACL Anthology/DBLP), or arXiv."""
    for rec in paper.get("dblp") or []:
        v = (rec or {}).get("venue") or ""
        if not v or v == "CoRR" or (rec.get("type") or "").startswith("Informal") or not rec.get("year"):
            continue
        track = None
        m = re.fullmatch(r"(.+?)\s*\((\w+)\)", v)
        if m:
            v, inner = m.group(1), m.group(2).lower()
            track = "Findings" if inner == "findings" else "Demo" if inner.startswith("demo") else None
        v = _JOURNALS.get(v, v)
        v = v.split("@")[0].replace("/", "-")  # 'RepL4NLP@ACL' → 'RepL4NLP'; 'EMNLP/IJCNLP' → 'EMNLP-IJCNLP'
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]+", v):
            return None  # a journal named in words the grammar does not abbreviate
        return v, track, int(rec["year"])
    ax = paper.get("arxiv") or {}
    if ax.get("published"):
        return "arXiv", None, int(ax["published"][:4])
    return None


def title_shape(title: str) -> str:
    """What in a title a reader may take for a field boundary: ', and ' (an Oxford comma), ' -- ', '?', ':'."""
    if ", and " in title or re.search(r", [A-Z][a-z]+ and ", title):
        return "comma_and"
    if " -- " in title or " - " in title:
        return "dashes"
    if "?" in title:
        return "question"
    if " " not in title:
        return "one_word"
    return "colon" if ":" in title else "plain"


def name_shape(names: Sequence[Name]) -> str:
    """The hardest trait of a paper's people: one author, particles/apostrophes, middle initials, non-ASCII."""
    if len(names) == 1:
        return "single"
    if any(" " in n.family or "'" in n.full for n in names):
        return "particle"
    if any(not n.full.isascii() for n in names):
        return "non_ascii"
    if any(re.search(r"\b[A-Z]\.", n.given) for n in names):
        return "middle_initial"
    if any(len(n.given.split()) > 1 for n in names):
        return "two_given"
    return "plain"


@lru_cache(maxsize=1)
def papers() -> tuple[Facts, ...]:
    """Every fixture paper with a title, people, a venue or preprint year, and an arXiv or Anthology id."""
    out = []
    for p in load_papers():
        ax, acl = p.get("arxiv") or {}, p.get("acl") or {}
        title = (ax.get("title") or acl.get("title") or "").strip().rstrip(".")
        if ax.get("authors"):
            names = tuple(_split_name(n) for n in ax["authors"])
        else:
            names = tuple(Name(g, f) for f, g in acl.get("authors") or [])
        venue = _venue_of(p)
        if not title or not names or venue is None or not (ax.get("id") or acl.get("id")):
            continue
        head = title.split(":")[0]
        nick = head if ":" in title and " " not in head and len(head) <= 20 else None
        month = int(ax["published"][5:7]) if venue[0] == "arXiv" and len(ax.get("published") or "") >= 7 else None
        out.append(Facts(p["slug"], title, names, venue[0], venue[1], venue[2], ax.get("id"), acl.get("id"), nick, month))
    return tuple(out)


# -- the split ---------------------------------------------------------------------------------------------

SEPARATORS = (". ", ", ", "; ", " — ", " – ", " | ", " - ")
STYLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # style → (separators it takes, title markups it takes)
    "free": (SEPARATORS, ("plain", "bold", "italic", "quotes", "bold_quotes", "underline", "html_b", "link")),
    "acl": ((" ", " | "), ("plain", "link", "bold")),
    "apa": ((" ", " | "), ("plain", "italic", "link")),
    "ieee": ((" ", " | "), ("quotes", "link")),
    "chicago": ((" ", " | "), ("quotes", "link", "italic")),
    "zotero": ((" ", " | "), ("plain", "bold", "link")),
    "table": (("|",), ("plain", "bold", "link")),
    "heading": (("-", "*"), ("link", "plain")),
    "html_li": ((". ", ", "), ("html_b", "html_a", "plain")),
    "html_h3": (("-", "p"), ("html_a", "plain")),
}
# (style, separator, title markup) combinations the dev split never draws. Fixed by hand, about one in six
# per style, so every style, separator and markup is seen in dev and each has unseen partners.
HELDOUT: frozenset[tuple[str, str, str]] = frozenset({
    ("free", ". ", "quotes"), ("free", ", ", "underline"), ("free", "; ", "bold"), ("free", " — ", "italic"),
    ("free", " – ", "link"), ("free", " | ", "html_b"), ("free", " - ", "bold_quotes"), ("free", ". ", "plain"),
    ("free", " | ", "bold"),
    ("acl", " | ", "link"), ("apa", " ", "italic"), ("ieee", " | ", "quotes"), ("chicago", " ", "link"),
    ("zotero", " | ", "bold"), ("table", "|", "link"), ("heading", "*", "plain"), ("html_li", ", ", "html_b"),
    ("html_h3", "p", "plain"),
})


def combos(split: str) -> list[tuple[str, str, str]]:
    """Every (style, separator, markup) of a split: 'dev', 'heldout' or 'both', in a fixed order."""
    every = [(s, sep, mk) for s, (seps, marks) in STYLES.items() for sep in seps for mk in marks]
    assert HELDOUT <= set(every), sorted(HELDOUT - set(every))
    if split == "both":
        return every
    if split not in ("dev", "heldout"):
        raise ValueError(f"split is 'dev', 'heldout' or 'both', not {split!r}")
    return [c for c in every if (c in HELDOUT) == (split == "heldout")]


# -- items ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    text: str  # the Markdown list (one item, with whatever heading/table frame its style needs)
    slug: str
    title: str
    authors: tuple[str, ...]
    venue: str | None
    year: int | None
    arxiv: str | None
    acl: str | None
    dims: tuple[tuple[str, str], ...]  # every dimension drawn and its value, e.g. ('style', 'apa')

    @property
    def dim(self) -> dict[str, str]:
        return dict(self.dims)


Choose = Callable[[str, Sequence], object]  # (dimension name, options) → the option drawn


def _mark(title: str, markup: str, url: str) -> str:
    return {
        "plain": title, "bold": f"**{title}**", "italic": f"*{title}*", "quotes": f"\u201c{title}\u201d",
        "bold_quotes": f'**"{title}"**', "underline": f"<u>{title}</u>", "html_b": f"<b>{title}</b>",
        "link": f"[{title}]({url})", "html_a": f'<a href="{url}">{title}</a>',
    }[markup]


def _join_names(names: Sequence[str], choose: Choose) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    last = choose("author_and", ("oxford", "and", "commas"))
    if last == "oxford":
        return ", ".join(names[:-1]) + ", and " + names[-1]
    if last == "and":
        return ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names)


def _authors(f: Facts, choose: Choose) -> tuple[str, tuple[str, ...]]:
    """(text, expected names) in one of the free forms."""
    forms = ["full", "initials", "family_given", "family_initials"] + (["et_al", "et_al_initials"] if len(f.names) >= 3 else [])
    form = choose("authors", forms)
    if form == "full":
        return _join_names([n.full for n in f.names], choose), tuple(n.full for n in f.names)
    if form == "initials":
        return _join_names([n.initials for n in f.names], choose), tuple(n.initials for n in f.names)
    if form == "family_given":  # BibTeX's 'Family, Given and Family, Given'
        return " and ".join(f"{n.family}, {n.given}" for n in f.names), tuple(n.full for n in f.names)
    if form == "family_initials":  # APA's 'Family, G., Family, G., & Family, G.'
        parts = [f"{n.family}, {n.initials[: -len(n.family) - 1]}" for n in f.names]
        text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", & " + parts[-1]
        return text, tuple(n.initials for n in f.names)
    first = f.names[0].full if form == "et_al" else f.names[0].initials
    return f"{first} {choose('et_al', ('et al.', 'et al', 'et. al.'))}", (first,)


def _venue(f: Facts, choose: Choose) -> tuple[str, str | None, int | None]:
    """(text, expected venue, expected year)."""
    y = f.year
    if f.track == "Findings":
        name = f"Findings of {f.venue}"
        form = choose("venue", ("space", "paren", "proceedings", "year_only", "findings_acl"))
        if form == "findings_acl":  # the Anthology's own form: 'Findings of ACL: EMNLP 2020'
            return f"Findings of ACL: {f.venue} {y}", f"Findings of ACL: {f.venue}", y
    elif f.track == "Demo":
        name = f.venue
        form = choose("venue", ("demo", "space", "paren", "year_only"))
    elif f.venue == "arXiv":  # a preprint: 'arXiv 2019', '(arXiv 2019)', 'arXiv, 2019'
        name = f.venue
        form = choose("venue", ("space", "paren", "year_only") + (("date",) if f.month else ()))
        if form == "date":  # '2019.6', as weekly digests date a preprint
            return f"{y}.{f.month}", None, y
    else:
        name = f.venue
        form = choose("venue", ("space", "glued", "short", "paren", "paren_name", "proceedings", "year_only"))
    if form == "space":
        return f"{name} {y}", name, y
    if form == "glued":
        return f"{name}{y}", name, y
    if form == "short":
        return f"{name}'{y % 100:02d}", name, y
    if form == "paren":
        return f"({name} {y})", name, y
    if form == "paren_name":  # the bare '(TACL)' with the year after it
        return f"({name}) {y}", name, y
    if form == "proceedings":  # a Findings paper is 'In Findings of EMNLP 2020', no proceedings
        return (f"In {name} {y}" if f.track == "Findings" else f"In Proceedings of {name} {y}"), name, y
    if form == "demo":
        return f"{name} {y} Demo", f"{name} Demo", y
    return str(y), None, y


def _url(f: Facts, choose: Choose) -> tuple[str, str | None, str | None]:
    """(url, expected arXiv id, expected Anthology id)."""
    if f.arxiv:
        form = choose("url", ("arxiv_abs", "arxiv_pdf"))
        return (f"https://arxiv.org/abs/{f.arxiv}" if form == "arxiv_abs" else f"https://arxiv.org/pdf/{f.arxiv}.pdf"), f.arxiv, None
    choose("url", ("acl",))
    return f"https://aclanthology.org/{f.acl}/", None, f.acl


def _link(url: str, f: Facts, choose: Choose) -> str:
    form = choose("link", ("bracket_pdf", "pdf", "paper", "arxiv", "bracket_Paper", "bare", "html_a", "id_label"))
    ident = f.arxiv and f"arXiv:{f.arxiv}" or f.acl
    return {"bracket_pdf": f"[[pdf]({url})]", "pdf": f"[pdf]({url})", "paper": f"[paper]({url})",
            "arxiv": f"[arXiv]({url})", "bracket_Paper": f"[[Paper]({url})]", "bare": url,
            "html_a": f'<a href="{url}">pdf</a>', "id_label": f"[{ident}]({url})"}[form]


def _bullet(choose: Choose) -> str:
    n = choose("number", tuple(range(1, 40)))
    return str(choose("numbering", ("1.", "-", "*", "(n)", "[n]"))).replace("1.", f"{n}.").replace("n", str(n))


def _free(f: Facts, sep: str, markup: str, choose: Choose) -> tuple[str, dict]:
    url, ax, acl = _url(f, choose)
    title = _mark(f.title, markup, url)
    fields = {"title": title}
    exp_authors: tuple[str, ...] = ()
    who = choose("has_authors", ("yes", "yes", "no", "cite") if f.venue != "arXiv" else ("yes", "yes", "no"))
    if who == "yes":
        text, exp_authors = _authors(f, choose)
        fields["authors"] = f"*{text}*" if choose("author_markup", ("plain", "italic")) == "italic" else text
    venue, year = None, None
    if who == "cite":  # '(Sun et al., EMNLP 2019)': the authors and the venue in one citation
        fam = [n.family for n in f.names]
        cited = fam[:2] if len(fam) == 2 else fam[:1]
        people = " and ".join(cited) + (" et al." if len(fam) > 2 else "")
        name = f"Findings of {f.venue}" if f.track == "Findings" else f.venue
        fields["venue"], exp_authors, venue, year = f"({people}, {name} {f.year})", tuple(cited), name, f.year
    elif choose("has_venue", ("yes", "yes", "yes", "no")) == "yes":
        fields["venue"], venue, year = _venue(f, choose)
    if markup != "link" or choose("extra_link", ("yes", "no")) == "yes":
        fields["links"] = _link(url, f, choose)
    order = choose("order", ("T A V L", "T A L V", "T V A L", "A T V L", "A V T L", "T L A V", "L T A V", "V T A L",
                             "T V L A"))
    keys = {"T": "title", "A": "authors", "V": "venue", "L": "links"}
    seq = [fields[keys[k]] for k in str(order).split() if keys[k] in fields]
    body = seq[0]
    for piece in seq[1:]:  # 'et al.' + '. ' is written 'et al. ', not 'et al.. '
        body += (sep[1:] if body.endswith(".") and sep.startswith(".") else sep) + piece
    if choose("end", ("none", "dot")) == "dot" and not body.endswith((".", ")", "]")):
        body += "."
    prefix = ""
    form = choose("nickname", ("none", "none", "bold", "underline", "plain")) if f.nickname else "none"
    if form != "none":
        prefix = {"bold": f"**{f.nickname}**: ", "underline": f"<u>{f.nickname}</u>: ", "plain": f"{f.nickname}: "}[form]
    label = choose("label", ("none", "none", "none", "follow-up", "see also", "extension"))
    if label != "none":
        prefix = f"{label}: " + prefix
    return f"{_bullet(choose)} {prefix}{body}\n", dict(authors=exp_authors, venue=venue, year=year, arxiv=ax, acl=acl)


def _citation(style: str, f: Facts, sep: str, markup: str, choose: Choose) -> tuple[str, dict]:
    url, ax, acl = _url(f, choose)
    y = f.year
    name = f"Findings of {f.venue}" if f.track == "Findings" else f.venue
    # where a citation names a preprint, it names the server: 'arXiv preprint arXiv:1904.09482' (venue 'arXiv')
    preprint = f.venue == "arXiv"
    where = f"*arXiv preprint arXiv:{f.arxiv}*" if preprint else f"In *{name} {y}*" if f.track == "Findings" \
        else f"In *Proceedings of {name} {y}*"
    choose("venue_kind", ("preprint",) if preprint else ("published",))
    fulls, inits = [n.full for n in f.names], [n.initials for n in f.names]
    link = "" if markup in ("link",) and choose("extra_link", ("yes", "no")) == "no" else sep + _link(url, f, choose)
    title = f.title
    if style == "acl":  # A. Author, B. Author, and C. Author. 2015. Title. In Proceedings of ICLR 2015.
        form = choose("authors", ("full", "initials"))
        names = fulls if form == "full" else inits
        text = f"{_join_names(names, choose)}. {y}. {_mark(title, markup, url)}. {where}."
        exp = dict(authors=tuple(names), venue=name, year=y)
    elif style == "apa":  # Author, A., & Author, B. (2019). Title. Venue.
        parts = [f"{n.family}, {n.initials[: -len(n.family) - 1]}" for n in f.names]
        who = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", & " + parts[-1]
        text = f"{who} ({y}). {_mark(title, markup, url)}. {where if preprint else '*' + name + '*'}."
        exp = dict(authors=tuple(inits), venue=name, year=y)
    elif style == "ieee":  # A. Author, B. Author, and C. Author, "Title," in Proc. Venue, 2019.
        t = f"\u201c{title},\u201d" if markup == "quotes" else f"\u201c{_mark(title, markup, url)},\u201d"
        where = f"*arXiv preprint arXiv:{f.arxiv}*" if preprint else f"in *{name}*" if f.track == "Findings" \
            else f"in *Proc. {name}*"
        text = f"{_join_names(inits, choose)}, {t} {where}, {y}."
        exp = dict(authors=tuple(inits), venue=name, year=y)
    else:  # chicago: Author, Ann, Bob Writer, and Cara Smith. 2019. "Title." In Proceedings of Venue.
        first = f"{f.names[0].family}, {f.names[0].given}"
        who = first if len(fulls) == 1 else _join_names([first] + fulls[1:], choose)
        t = {"quotes": f"\u201c{title}.\u201d", "link": f"\u201c[{title}]({url}).\u201d", "italic": f"*{title}*."}[markup]
        text = f"{who}. {y}. {t} {where}."
        exp = dict(authors=tuple(fulls), venue=name, year=y)
    return f"{_bullet(choose)} {text}{link}\n", dict(exp, arxiv=ax, acl=acl)


def _zotero(f: Facts, sep: str, markup: str, choose: Choose) -> tuple[str, dict]:
    url, ax, acl = _url(f, choose)
    fam = [n.family for n in f.names]
    who = fam[0] if len(fam) == 1 else f"{fam[0]} and {fam[1]}" if len(fam) == 2 else f"{fam[0]} et al."
    exp_names = tuple(fam[:2]) if len(fam) <= 2 else (fam[0],)
    link = "" if markup == "link" and choose("extra_link", ("yes", "no")) == "no" else sep + _link(url, f, choose)
    text = f"{who} - {f.year} - {_mark(f.title, markup, url)}{link}"
    return f"{_bullet(choose)} {text}\n", dict(authors=exp_names, venue=None, year=f.year, arxiv=ax, acl=acl)


def _table(f: Facts, sep: str, markup: str, choose: Choose) -> tuple[str, dict]:
    url, ax, acl = _url(f, choose)
    who, names = _authors(f, choose)
    vtext, venue, year = _venue(f, choose)
    head = choose("table_head", ("Title|Authors|Venue|Link", "Paper|Authors|Conference|Paper link", "Paper|Venue|Authors|Code"))
    cols = str(head).split("|")
    cells = {"Title": _mark(f.title, markup, url), "Paper": _mark(f.title, markup, url), "Authors": who,
             "Venue": vtext, "Conference": vtext, "Link": _link(url, f, choose), "Paper link": _link(url, f, choose),
             "Code": _link(url, f, choose)}
    row = " | ".join(cells[c] for c in cols)
    text = f"| {' | '.join(cols)} |\n|{'---|' * len(cols)}\n| {row} |\n"
    return text, dict(authors=names, venue=venue, year=year, arxiv=ax, acl=acl)


def _heading(f: Facts, sep: str, markup: str, choose: Choose) -> tuple[str, dict]:
    url, ax, acl = _url(f, choose)
    who, names = _authors(f, choose)
    vtext, venue, year = _venue(f, choose)
    level = choose("heading_level", ("###", "####"))
    title = f"[{f.title}]({url})" if markup == "link" else f.title
    lines = [f"## Papers\n\n{level} {title}\n"]
    if choose("authors_said", ("yes", "no")) == "yes":
        who = f"Authors: {who}"
    lines.append(f"{sep} {who}")
    lines.append(f"{sep} {vtext}")
    if markup != "link":
        lines.append(f"{sep} {_link(url, f, choose)}")
    if choose("notes", ("yes", "no")) == "yes":
        lines.append(f"{sep} {choose('note', ('Notes: the first to try this at scale.', 'Key idea: reuse what was learned.'))}")
    return "\n".join(lines) + "\n", dict(authors=names, venue=venue, year=year, arxiv=ax, acl=acl)


def _html_li(f: Facts, sep: str, markup: str, choose: Choose) -> tuple[str, dict]:
    url, ax, acl = _url(f, choose)
    who, names = _authors(f, choose)
    vtext, venue, year = _venue(f, choose)
    title = _mark(f.title, markup, url)
    link = "" if markup == "html_a" else f' <a href="{url}">{choose("html_label", ("pdf", "paper", "arXiv"))}</a>'
    text = f"<ul>\n<li>{title}{sep}{who}{sep}{vtext}.{link}</li>\n</ul>\n"
    return text, dict(authors=names, venue=venue, year=year, arxiv=ax, acl=acl)


def _html_h3(f: Facts, sep: str, markup: str, choose: Choose) -> tuple[str, dict]:
    url, ax, acl = _url(f, choose)
    who, names = _authors(f, choose)
    vtext, venue, year = _venue(f, choose)
    title = _mark(f.title, markup, url)
    below = [f"- {who}", f"- {vtext}"] if sep == "-" else [f"<p>{who}. {vtext}.</p>"]
    if markup != "html_a":
        below.append(f'- <a href="{url}">pdf</a>' if sep == "-" else f'<p><a href="{url}">pdf</a></p>')
    text = "<h2>Papers</h2>\n\n<h3>" + title + "</h3>\n\n" + "\n".join(below) + "\n"
    return text, dict(authors=names, venue=venue, year=year, arxiv=ax, acl=acl)


_RENDER = {"free": _free, "zotero": _zotero, "table": _table, "heading": _heading, "html_li": _html_li,
           "html_h3": _html_h3}


Avoid = dict  # dimension → values never drawn, e.g. {"style": {"ieee"}, "name_shape": {"particle"}}


def build(choose: Choose, split: str = "dev", avoid: Avoid | None = None) -> Item:
    """One item: the combination from `split`, the paper and every other dimension from `choose`.
    `avoid` narrows the grammar (a property over what the reader reads right today); an option list that
    `avoid` would empty is drawn from whole."""
    avoid = avoid or {}
    drawn: list[tuple[str, str]] = []

    def keep(name: str, value) -> bool:
        if name == "combo":
            return all(v not in avoid.get(d, ()) for d, v in zip(("style", "sep", "markup"), value))
        if name == "paper":
            return (value.slug not in avoid.get("paper", ()) and title_shape(value.title) not in avoid.get("title_shape", ())
                    and name_shape(value.names) not in avoid.get("name_shape", ()))
        return str(value) not in avoid.get(name, ())

    def pick(name: str, options: Sequence):
        value = choose(name, [o for o in options if keep(name, o)] or list(options))
        if name != "number":
            drawn.append((name, str(value)))
        return value

    style, sep, markup = pick("combo", combos(split))  # type: ignore[misc]
    citing = style in ("acl", "apa", "ieee", "chicago")
    # the venue's kind follows from the paper: a citation of a preprint names the server
    f = pick("paper", [p for p in papers() if not (citing and p.venue == "arXiv" and "preprint" in avoid.get("venue_kind", ()))])
    drawn[:] = [("style", style), ("sep", sep), ("markup", markup), ("paper", f.slug),
                ("title_shape", title_shape(f.title)), ("name_shape", name_shape(f.names))]
    if citing:
        text, exp = _citation(style, f, sep, markup, pick)
    else:
        text, exp = _RENDER[style](f, sep, markup, pick)
    d = dict(drawn)  # one coarse dimension for what stands before the item's fields
    labelled, nicknamed = d.get("label", "none") != "none", d.get("nickname", "none") != "none"
    drawn.append(("prefix", "label+nickname" if labelled and nicknamed else "label" if labelled
                  else "nickname" if nicknamed else "none"))
    return Item(text, f.slug, f.title, exp["authors"], exp["venue"], exp["year"], exp["arxiv"], exp["acl"],
                tuple(drawn))


Combos = Sequence  # conjunctions: an item is left out when, for one of them, every dimension has a listed value


def matches(item: Item, conjunctions: Combos | None) -> bool:
    """Does the item have, for some conjunction {dim: values}, a listed value in every one of its dimensions?"""
    d = item.dim
    return any(all(d.get(k) in vs for k, vs in c.items()) for c in conjunctions or ())


def render(rng: random.Random, split: str = "dev", avoid: Avoid | None = None, reject: Combos | None = None) -> Item:
    """A seeded-random item (the benchmark's renderer: no hypothesis, same seed → same items)."""
    while True:
        item = build(lambda _name, options: rng.choice(list(options)), split, avoid)
        if not matches(item, reject):
            return item


def items(split: str = "dev", avoid: Avoid | None = None, reject: Combos | None = None):
    """The hypothesis strategy of items of a split; `avoid` narrows dimensions, `reject` leaves out combinations."""
    from hypothesis import strategies as st

    @st.composite
    def _item(draw):
        return build(lambda _name, options: draw(st.sampled_from(list(options))), split, avoid)

    return _item().filter(lambda item: not matches(item, reject)) if reject else _item()


# -- reading back ----------------------------------------------------------------------------------------------

FIELDS = ("entry", "title", "authors", "venue", "year", "ids")


def read_back(item: Item) -> tuple[dict[str, bool], dict]:
    """Field → read exactly?, and what the reader gave (for the miss listings)."""
    from atpbib.listparse import parse_list

    entries = [e for e in parse_list(item.text).entries if e.title or e.ids.known()]
    if len(entries) != 1:
        got = {"entries": [(e.title, e.line) for e in entries]}
        return {k: False for k in FIELDS}, got
    (e,) = entries
    got = {"title": e.title, "authors": tuple(e.authors), "venue": e.venue, "year": e.year,
           "arxiv": e.ids.arxiv, "acl": e.ids.acl}
    ok = {"entry": True, "title": e.title == item.title, "authors": tuple(e.authors) == item.authors,
          "venue": e.venue == item.venue, "year": e.year == item.year,
          "ids": (e.ids.arxiv, e.ids.acl) == (item.arxiv, item.acl)}
    return ok, got
