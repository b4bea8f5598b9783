"""Author names from the shapes the sources write them in, turned into `Person(family, given)`.

arXiv, OpenReview and DBLP write "Given Family" (DBLP adds homonym numbers such as "Qun Liu 0001"),
BibTeX (ACL, DBLP .bib) writes "Family, Given" or "Given Family" joined by " and ". Matching compares
family names, so the split must keep particles ("van der Putten", "de With") with the family.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from .model import Person
from .textutil import nfc_letters

# Lower-case words that belong to the family name when they precede it (BibTeX's "von" part).
PARTICLES = frozenset(
    "van von der den de del della degli dei di da das dos du des la le lo ter ten zu zur af al el bin ibn y".split()
)
# Capitalised forms that are particles when they stand between given and family name
# ("Adrian Del Maestro", "Teven Le Scao", "Benjamin Van Durme"); never the first word ("Di Wu", "Le Hou").
CAP_PARTICLES = frozenset("Van Von Der Den De Del Della Le La Ter Ten Dos Das Du".split())
SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())

_DBLP_NUMBER = re.compile(r"\s+\d{4}$")
_LATEX_HINT = re.compile(r"[\\{}$~]")


def decode_letters(text: str) -> str:
    """Whatever spelling a service uses for a letter (HTML entities: `&eacute;`, `&#233;`; NFD or NFC) → NFC."""
    if "&" in text and ";" in text:
        text = html.unescape(text)
    return nfc_letters(text)


def clean_space(text: str | None) -> str:
    """Collapse runs of whitespace (arXiv hard-wraps titles and abstracts in old feeds)."""
    return " ".join((text or "").split())


def strip_dblp_number(name: str) -> str:
    """'Qun Liu 0001' → 'Qun Liu' (dblp's homonym disambiguation is not part of the name)."""
    return _DBLP_NUMBER.sub("", name.strip())


@lru_cache(maxsize=1)
def _latex_converter():
    from pylatexenc.latex2text import LatexNodes2Text  # lazy: only BibTeX sources need it

    return LatexNodes2Text()


def latex_to_text(text: str | None) -> str:
    """BibTeX/LaTeX markup → plain Unicode: '{BERT}' → 'BERT', 'M{\\"u}ller' → 'Müller'."""
    if not text:
        return ""
    if _LATEX_HINT.search(text):
        # A bare % would start a LaTeX comment and swallow the rest; an odd number of $ is a price, not math.
        text = re.sub(r"(?<!\\)%", r"\\%", text)
        if len(re.findall(r"(?<!\\)\$", text)) % 2:
            text = re.sub(r"(?<!\\)\$", r"\\$", text)
        try:
            text = _latex_converter().latex_to_text(text)
        except Exception:  # malformed markup: fall back to dropping braces
            text = text.replace("{", "").replace("}", "")
    return clean_space(decode_letters(text).replace("\xa0", " "))


def _is_particle(word: str) -> bool:
    return word in PARTICLES or word in CAP_PARTICLES


def split_given_family(name: str) -> Person:
    """'Given Middle von Family Jr.' → Person(family='von Family Jr.', given='Given Middle').

    Person has no suffix field, so a suffix stays with the family name (it prints after it either way).
    """
    name = clean_space(name)
    if not name:
        return Person(family="")
    if "," in name:
        head, _, tail = name.partition(",")
        if tail.strip().lower() in SUFFIXES:  # "Given Family, Jr."
            p = split_given_family(head)
            return Person(family=f"{p.family} {tail.strip()}".strip(), given=p.given)
        return split_family_first(name)
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return Person(family=" ".join([words[0], suffix]).strip())
    start = len(words) - 1
    while start > 1 and _is_particle(words[start - 1]):
        start -= 1
    family = " ".join(words[start:] + ([suffix] if suffix else []))
    return Person(family=family, given=" ".join(words[:start]))


def split_family_first(name: str) -> Person:
    """BibTeX 'von Family, Given' or 'Family, Jr, Given' → Person."""
    parts = [clean_space(p) for p in name.split(",")]
    if len(parts) == 1:
        return split_given_family(parts[0])
    if len(parts) >= 3:  # Family, Jr, Given
        family, suffix, given = parts[0], parts[1], ", ".join(parts[2:])
        return Person(family=f"{family} {suffix}".strip(), given=given)
    return Person(family=parts[0], given=parts[1])


def split_bibtex_names(value: str | None) -> tuple[Person, ...]:
    """A BibTeX author/editor field → Persons; ' and ' inside braces does not split."""
    if not value:
        return ()
    names: list[str] = []
    depth, start, i = 0, 0, 0
    text = value
    lower = text.lower()
    while i < len(text):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch.isspace():
            m = re.match(r"\s+and\s+", lower[i:])
            if m:
                names.append(text[start:i])
                i += m.end()
                start = i
                continue
        i += 1
    names.append(text[start:])
    out: list[Person] = []
    for raw in names:
        raw = raw.strip()
        if not raw:
            continue
        if raw.lower() == "others":
            continue  # "and others": the list was truncated by the source
        raw = strip_dblp_number(raw)
        if raw.startswith("{") and raw.endswith("}") and not _top_level(raw).strip():
            out.append(Person(family=latex_to_text(raw)))  # {Barnes and Noble}: a corporate name, never split
            continue
        # Decode LaTeX per part so braces protecting a comma or "and" have done their job first.
        if "," in _top_level(raw):
            parts = _split_top_level_commas(raw)
            person = split_family_first(", ".join(latex_to_text(p) for p in parts))
        else:
            person = split_given_family(latex_to_text(raw))
        out.append(person)
    return tuple(out)


def _top_level(text: str) -> str:
    """The characters of `text` outside braces."""
    depth, out = 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _split_top_level_commas(text: str) -> list[str]:
    depth, parts, cur = 0, [], []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def person_from_display(name: str) -> Person:
    """A 'Given Family' name as arXiv/OpenReview/DBLP print it (DBLP numbers removed)."""
    return split_given_family(strip_dblp_number(clean_space(decode_letters(name))))


__all__ = [
    "clean_space",
    "decode_letters",
    "latex_to_text",
    "person_from_display",
    "split_bibtex_names",
    "split_family_first",
    "split_given_family",
    "strip_dblp_number",
]
