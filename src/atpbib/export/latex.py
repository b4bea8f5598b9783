"""Text for .bib files: LaTeX escaping, URL safety and case protection.

Metadata comes from web services, so every character is treated as data: LaTeX specials become
text commands that contain no unbalanced brace (BibTeX counts braces even after a backslash, so
`\\{` would still break an entry), and no input can produce a command of its own.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

from pylatexenc.latexencode import unicode_to_latex

from ..textutil import braces_balanced  # re-exported: the exporters' safety check
from ..textutil import nfc_letters

# Each replacement is brace-balanced; the braced forms are BibTeX "special characters" (one letter each).
SPECIALS = {
    "\\": "{\\textbackslash}",
    "{": "{\\textbraceleft}",
    "}": "{\\textbraceright}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "~": "{\\textasciitilde}",
    "^": "{\\textasciicircum}",
}

# Scripts that pdfLaTeX cannot typeset without extra packages: kept as UTF-8, flagged for a Unicode engine.
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x31FF),  # Bopomofo, Hangul compat, Katakana ext
    (0x3200, 0x9FFF),  # enclosed CJK, CJK ext A, unified ideographs
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),  # Hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half/full-width forms
    (0x20000, 0x3FFFF),  # ext B…
)

# Characters dropped everywhere: control, format (zero-width…), surrogates, private use, unassigned.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


def clean_text(text: str | None) -> str:
    """NFC (a dotless ı under an accent made i: see nfc_letters), no invisible or control characters,
    whitespace collapsed to single spaces."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():  # nearly every name and title: nothing to drop, nothing to compose
        return " ".join(text.split())
    text = nfc_letters(text)
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) in _DROP_CATEGORIES:
            continue
        else:
            out.append(ch)
    return re.sub(r" {2,}", " ", "".join(out)).strip()


# A letter with one diacritic as LaTeX's accent command over the plain letter: the spelling bibtex, biber
# (which decodes it to the precomposed letter), Better BibTeX, citation-js and pandoc all read as that letter.
# Never over \i or \j: biber decodes {\'\i} to ı + U+0301, which pdfLaTeX rejects.
ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0307": ".", "\u0308": '"',
    "\u0306": "u", "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d", "\u0327": "c", "\u0328": "k",
    "\u0331": "b",
}


# Accents Better BibTeX's parser does not know (`\\b`, the macron below): such letters stay UTF-8 in the .bib.
_UNPARSED_ACCENTS = frozenset({"\u0331"})
# The accented letters beyond Latin-1 and Latin Extended-A that pdfLaTeX's UTF-8 input sets up (the
# DeclareUnicodeCharacter lines of t1enc.dfu/ts1enc.dfu, TeX Live 2022; tests/test_export_letters.py checks
# this against the installed files). biber hands every letter to LaTeX as UTF-8, whatever the .bib spelling,
# so any other one (Ȧ, ạ, ḇ…) needs a Unicode engine under biblatex: the report says which entries.
PDFLATEX_LETTERS = frozenset("ǍǎǏǐǑǒǓǔǦǧǨǩǪǫǰǴǵȲȳḂḃḍḞḟḠḡḥḰḱḷṃṅṇṛṣṭẎẏẐẑỲỳ")


_UNPARSED_LETTERS = frozenset(c for c in map(chr, range(0x1E00, 0x1F00))
                              if unicodedata.normalize("NFD", c)[1:] in _UNPARSED_ACCENTS)


def pdflatex_takes(ch: str) -> bool:
    """Does pdfLaTeX's UTF-8 input know this (non-CJK) character, as biber writes it?"""
    return ord(ch) < 0x180 or ch in PDFLATEX_LETTERS or accented_letter(ch, for_bib=False) is None


def accented_letter(ch: str, *, for_bib: bool = True) -> str | None:
    """'í' → `{\\'i}`, 'č' → `{\\v{c}}`: a Latin letter with one diacritic as a BibTeX special character
    (for_bib: None for an accent a .bib parser does not read)."""
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) != 2 or not ("a" <= parts[0].lower() <= "z") or parts[1] not in ACCENTS:
        return None
    if for_bib and parts[1] in _UNPARSED_ACCENTS:
        return None
    macro = ACCENTS[parts[1]]
    return f"{{\\{macro}{parts[0]}}}" if not macro.isalpha() else f"{{\\{macro}{{{parts[0]}}}}}"


@lru_cache(maxsize=4096)
def _latex_char(ch: str) -> str:
    """One non-ASCII character as LaTeX (braced), or itself when LaTeX has no name for it."""
    accented = accented_letter(ch)
    if accented:
        return accented
    if ch in _UNPARSED_LETTERS:
        return ch
    return unicode_to_latex(
        ch,
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def escape_text(text: str | None, *, keep_unicode: bool = False) -> str:
    """Plain text → a LaTeX-safe field value (without the enclosing braces).

    keep_unicode=False (BibTeX flavour): non-ASCII letters become LaTeX accents (`Gábor` → `G{\\'a}bor`);
    CJK and characters LaTeX has no name for stay UTF-8 (see `needs_unicode_engine`).
    keep_unicode=True (BibLaTeX flavour, biber reads UTF-8): only the LaTeX specials are escaped.
    """
    return _escape(clean_text(text), keep_unicode)


def _escape(text: str, keep_unicode: bool) -> str:
    out = []
    for ch in text:
        if ch in SPECIALS:
            out.append(SPECIALS[ch])
        elif ord(ch) < 128 or keep_unicode or is_cjk(ch):
            out.append(ch)
        else:
            out.append(_latex_char(ch))
    return "".join(out)


def needs_unicode_engine(value: str) -> bool:
    """Does an escaped value still hold characters pdfLaTeX cannot take (CJK, emoji, ḇ…)?"""
    return any(ord(c) > 127 for c in value)


# Characters a URL may carry as they are; everything else is percent-encoded.
_URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")


def _encode(text: str, safe: set[str] | frozenset[str], tex: bool) -> str:
    out = []
    for ch in clean_text(text):
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    encoded = "".join(out)
    if tex:
        encoded = encoded.replace("%", "\\%").replace("#", "\\#")
    return encoded


def escape_url(url: str | None, *, tex: bool = True) -> str:
    """A URL for the url field: only what would break the file or the .bbl is touched.

    Spaces, braces, backslashes, quotes and non-ASCII are percent-encoded (they are not valid in a URL
    anyway). tex=True (BibTeX flavour: the URL lands in a .bbl that TeX reads, possibly inside a macro
    argument): `%` and `#` become `\\%` and `\\#`, which hyperref's \\url turns back into `%` and `#`.
    tex=False (BibLaTeX flavour): biber reads url/doi verbatim and would keep the backslash, so they stay.
    """
    return _encode(url or "", _URL_SAFE, tex)


# A DOI is a name, not a URL: `<>;()` and friends are part of it. Only braces, backslashes and spaces
# (which no registered DOI holds, and which would break the entry) are encoded.
_DOI_SAFE = frozenset(chr(c) for c in range(33, 127)) - {"{", "}", "\\"}


def escape_doi(doi: str | None, *, tex: bool = True) -> str:
    """A DOI for the doi field; `%`/`#` as for URLs."""
    return _encode(doi or "", _DOI_SAFE, tex)


# -- case protection ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def base_lexicon() -> tuple[str, ...]:
    """The bundled names whose case must survive a style (data/lexicon.txt)."""
    text = resources.files("atpbib").joinpath("data/lexicon.txt").read_text(encoding="utf-8")
    words = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return tuple(words)


def nickname_terms(extra: Iterable[str | None]) -> tuple[str, ...]:
    """A list's nicknames ("ERNIE (THU)", "Bi-BloSAN") as lexicon terms: each part as written."""
    terms: list[str] = []
    for nick in extra:
        if not nick:
            continue
        for part in re.split(r"[(),/;]", nick):
            part = clean_text(part).strip(" *-")
            if part and any(c.isalpha() for c in part):
                terms.append(part)
    return tuple(terms)


@lru_cache(maxsize=16)
def _lexicon(extra: tuple[str | None, ...]) -> tuple[str, ...]:
    """Built once per export, not once per title: a 5,000-entry list has thousands of nicknames."""
    return base_lexicon() + nickname_terms(extra)


@lru_cache(maxsize=64)
def _lexicon_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    unique = sorted(set(terms), key=lambda t: (-len(t), t))
    if not unique:
        return None
    alts = "|".join(re.escape(t) for t in unique)
    return re.compile(rf"(?<![^\W_])(?:{alts})(?![^\W_])")


_RUN = re.compile(r"[^\W_]+")


def _needs_protection(word: str) -> bool:
    """Acronyms and mixed case: two or more capitals, or a capital after the first character."""
    uppers = [i for i, c in enumerate(word) if c.isupper()]
    return len(uppers) >= 2 or any(i > 0 for i in uppers)


def case_segments(title: str, lexicon: Sequence[str] = ()) -> list[tuple[str, bool]]:
    """Split plain text into (text, protect) pieces: lexicon terms first, then mixed-case words."""
    terms = tuple(lexicon) or base_lexicon()
    pattern = _lexicon_pattern(terms)
    spans: list[tuple[int, int]] = []
    if pattern is not None:
        spans = [(m.start(), m.end()) for m in pattern.finditer(title)]
    taken = [False] * len(title)
    for s, e in spans:
        for i in range(s, e):
            taken[i] = True
    for m in _RUN.finditer(title):
        if not any(taken[m.start():m.end()]) and _needs_protection(m.group()):
            spans.append((m.start(), m.end()))
    spans.sort()
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for s, e in spans:
        if s > pos:
            pieces.append((title[pos:s], False))
        pieces.append((title[s:e], True))
        pos = e
    if pos < len(title):
        pieces.append((title[pos:], False))
    return pieces


def latex_title(title: str | None, *, keep_unicode: bool = False, extra: Iterable[str | None] = ()) -> str:
    """A title for a .bib field: escaped, with acronyms and names brace-protected ({BERT}, {GPT}-2)."""
    text = clean_text(title)
    lexicon = _lexicon(tuple(extra))
    out = []
    for piece, protect in case_segments(text, lexicon):
        escaped = _escape(piece, keep_unicode)
        out.append("{" + escaped + "}" if protect else escaped)
    return "".join(out)


__all__ = [
    "SPECIALS",
    "is_cjk",
    "has_cjk",
    "clean_text",
    "escape_text",
    "escape_url",
    "escape_doi",
    "needs_unicode_engine",
    "accented_letter",
    "PDFLATEX_LETTERS",
    "pdflatex_takes",
    "base_lexicon",
    "nickname_terms",
    "case_segments",
    "latex_title",
    "braces_balanced",
]
