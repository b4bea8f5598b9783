"""Small text rules every part of the list parser shares: spacing and warnings (venue/year hints: `hints`)."""
from __future__ import annotations

import re

from ..model import ListWarning

SEPARATORS = " \t\n-–—:|,;"


_SPACES = re.compile(r"\s+")


def clean(s: str) -> str:
    """Whitespace runs → one space; one compiled pattern, one pass (called for every piece of every item)."""
    return _SPACES.sub(" ", s).strip()


def w(line: int, msg: str, kind: str) -> ListWarning:
    """A warning, made where the problem is found: the line it is about, what kind of problem, the text."""
    return ListWarning(line, kind, msg)


def short(s: str, n: int = 60) -> str:
    s = clean(s)
    return s if len(s) <= n else s[: n - 1] + "…"
