"""Small text checks shared by the fetch layer (validating BibTeX answers) and the exporters."""
from __future__ import annotations

import unicodedata

# Letters NFKD does not decompose into ASCII: transliterated, not dropped ("Søgaard" is "Sogaard").
_TRANSLIT = str.maketrans({
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
    "þ": "th", "Þ": "TH", "œ": "oe", "Œ": "OE", "ı": "i", "ȷ": "j", "ð": "d", "Ð": "D", "ĳ": "ij", "Ĳ": "IJ",
    "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŀ": "l", "Ŀ": "L", "ŉ": "n", "ƒ": "f",
})


_DOTLESS = {"\u0131": "i", "\u0237": "j"}


def nfc_letters(text: str) -> str:
    """One spelling for every accented letter: NFC, and a dotless ı/ȷ under a combining accent made the plain
    i/j it stands for. (`{\\'\\i}` is the LaTeX spelling of í; decoded literally it is ı + U+0301, which has
    no precomposed form: biber writes it so, pdfLaTeX then rejects the U+0301.)"""
    text = unicodedata.normalize("NFC", text)
    if "\u0131" in text or "\u0237" in text:
        chars = list(text)
        for i, ch in enumerate(chars[:-1]):
            if ch in _DOTLESS and unicodedata.combining(chars[i + 1]):
                chars[i] = _DOTLESS[ch]
        text = unicodedata.normalize("NFC", "".join(chars))
    return text


def ascii_fold(text: str) -> str:
    """The one ASCII fold (citation keys, title and name comparison): Müller → Muller, Łukasz → Lukasz,
    Søgaard → Sogaard, Straße → Strasse; characters with no Latin form are dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLIT)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def brace_problem(text: str) -> str | None:
    """What BibTeX would object to in `text`'s braces (every brace counts, backslash or not), or None."""
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return "a closing brace without an opening one"
    return "an unclosed brace (truncated?)" if depth else None


def braces_balanced(text: str) -> bool:
    return brace_problem(text) is None
