"""Citation keys: deterministic, ASCII, decided over the whole list so they never move.

A key depends only on the work itself and on the works listed before it (collisions are settled in list
order: the first keeps the plain key, later ones get a, b, …). Exporting one section or the whole list
therefore gives a work the same key, and adding a paper later in the list never renames an earlier one.
"""
from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence

from .model import Work
from .textutil import ascii_fold  # the one fold, shared with match.py

DEFAULT_TEMPLATE = "{family}{year}{word}"

STOP_WORDS = frozenset(
    """a an the on of for to in is are and or with by at from via as into onto towards toward what how why
    when where which who do does can we our its it be being not vs versus using use about beyond over under
    your you than that this these those more most very""".split()
)


_PLACEHOLDER = re.compile(r"\{([A-Za-z]+)(\d*)\}")
_LITERAL_OK = re.compile(r"[A-Za-z0-9_:.\-]*")


class KeyTemplateError(ValueError):
    """A --key-format template with an unknown placeholder or characters a key cannot hold."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def family_slug(family: str) -> str:
    """'van der Berg, Jr.' → 'vanderberg' (the suffix after a comma is not part of the name)."""
    return _slug(family.split(",", 1)[0])


def title_words(title: str) -> list[str]:
    """Significant title words as key material: ASCII, lower case, stop words skipped."""
    words = []
    for token in ascii_fold(title).split():
        slug = _slug(token)
        if slug and slug not in STOP_WORDS:
            words.append(slug)
    return words


def _title_hash(title: str) -> str:
    return hashlib.sha1(unicodedata.normalize("NFC", title).encode("utf-8")).hexdigest()[:6]


def validate_template(template: str) -> None:
    for m in _PLACEHOLDER.finditer(template):
        name, n = m.group(1), m.group(2)
        if name not in ("family", "year", "word", "words", "title") or (n and name != "words"):
            raise KeyTemplateError(f"unknown placeholder {{{name}{n}}} in key template {template!r} "
                                   "(use {family} {year} {word} {wordsN} {title})")
    literal = _PLACEHOLDER.sub("", template)
    if not _LITERAL_OK.fullmatch(literal):
        raise KeyTemplateError(f"key template {template!r} has characters a citation key cannot hold")
    if not _PLACEHOLDER.search(template):
        raise KeyTemplateError(f"key template {template!r} has no placeholder")


def base_key(work: Work, template: str = DEFAULT_TEMPLATE) -> str:
    """The key before collisions are settled."""
    validate_template(template)
    words = title_words(work.title)
    family = ""
    for person in work.authors or work.editors:
        family = family_slug(person.family) or family_slug(person.given)
        if family:
            break
    if not family:
        # no (Latin-script) author: the title stands in for the name, and its next words for {word}
        if words:
            family, words = words[0], words[1:]
        else:
            family = "anon"
    if not words:
        words = [_title_hash(work.title)] if not title_words(work.title) else [""]
    year = str(work.year) if work.year else ""  # no year: nothing, as Better BibTeX does (not "nd")

    def fill(m: re.Match[str]) -> str:
        name, n = m.group(1), m.group(2)
        if name == "family":
            return family
        if name == "year":
            return year
        if name == "word":
            return words[0]
        if name == "title":
            return "".join(words[:3])
        return "".join(words[: int(n or 1)])

    key = _PLACEHOLDER.sub(fill, template)
    return re.sub(r"[^A-Za-z0-9_:.\-]", "", key) or "anon"


def _suffixes() -> Iterable[str]:
    letters = string.ascii_lowercase
    yield from letters
    for a in letters:
        for b in letters:
            yield a + b
    n = 0
    while True:  # pragma: no cover - 702 collisions of one key
        n += 1
        yield f"x{n}"


def unique_key(base: str, taken: set[str]) -> str:
    """`base`, or base+a, base+b … whichever is free (compared case-insensitively, as BibTeX does)."""
    if base.lower() not in taken:
        return base
    for suffix in _suffixes():
        candidate = base + suffix
        if candidate.lower() not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def assign_keys(
    works: Sequence[Work],
    template: str = DEFAULT_TEMPLATE,
    existing: Iterable[str] = frozenset(),
) -> list[Work]:
    """New Works with `.key` set, in the same order.

    `works` must be the whole list in list order; `existing` are keys of a library being merged into
    (they are kept, and new keys avoid them).
    """
    validate_template(template)
    taken = {k.lower() for k in existing}
    out = []
    for work in works:
        key = unique_key(base_key(work, template), taken)
        taken.add(key.lower())
        out.append(work.with_(key=key))
    return out


def ensure_keys(works: Sequence[Work], existing: Iterable[str] = frozenset()) -> list[Work]:
    """Keep the keys works already have; give keyless or clashing ones a fresh key (list order)."""
    taken = {k.lower() for k in existing}
    out = []
    for work in works:
        key = unique_key(work.key if _valid_key(work.key) else base_key(work), taken)
        taken.add(key.lower())
        out.append(work if key == work.key else work.with_(key=key))
    return out


def _valid_key(key: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_:.\-]+", key))


__all__ = [
    "DEFAULT_TEMPLATE",
    "STOP_WORDS",
    "KeyTemplateError",
    "ascii_fold",
    "family_slug",
    "title_words",
    "base_key",
    "unique_key",
    "assign_keys",
    "ensure_keys",
    "validate_template",
]
