"""Small text rules every part of the list parser shares: spacing and warning lines (venue/year hints: `hints`)."""
from __future__ import annotations

import re

SEPARATORS = " \t\n-–—:|,;"


def clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def w(line: int, msg: str) -> str:
    """A warning line: every warning names the line it is about."""
    return f"line {line}: {msg}"


def short(s: str, n: int = 60) -> str:
    s = clean(s)
    return s if len(s) <= n else s[: n - 1] + "…"
