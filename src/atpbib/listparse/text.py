"""Small text rules every part of the list parser shares: spacing and warnings (venue/year hints: `hints`)."""
from __future__ import annotations

from ..model import ListWarning

SEPARATORS = " \t\n-–—:|,;"


def clean(s: str) -> str:
    """Whitespace runs → one space, none at the ends (called for every piece of every item: str.split is the
    fastest pass Python has, with the same idea of whitespace as the regex `\\s`)."""
    return " ".join(s.split())


def w(line: int, msg: str, kind: str) -> ListWarning:
    """A warning, made where the problem is found: the line it is about, what kind of problem, the text."""
    return ListWarning(line, kind, msg)


def short(s: str, n: int = 60) -> str:
    s = clean(s)
    return s if len(s) <= n else s[: n - 1] + "…"
