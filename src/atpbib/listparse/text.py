"""Small text rules every part of the list parser shares: spacing, warning lines, venue/year hints."""
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


def parse_venue(inner: str) -> tuple[str | None, int | None, str | None]:
    """'EMNLP 2019' → ('EMNLP', 2019, None); 'ICLR 202' → ('ICLR', None, "year '202' is not a 4-digit year")."""
    s = inner.strip()
    year: int | None = None
    problem: str | None = None
    fours = list(re.finditer(r"(?<!\d)(\d{4})(?!\d)", s))
    if fours:
        m = fours[-1]
        y = int(m.group(1))
        if 1800 <= y <= 2100:
            year = y
        else:
            problem = f"year '{m.group(1)}' is not a plausible year"
        s = s[: m.start()] + " " + s[m.end():]
    else:
        m = re.search(r"(?<![\w.])(\d{1,3}|\d{5,})(?![\w.])", s)
        if m:
            problem = f"year '{m.group(1)}' is not a 4-digit year"
            s = s[: m.start()] + " " + s[m.end():]
    venue = clean(s)
    venue = re.sub(r"\s+([,;:])", r"\1", venue).strip(" ,;:-'’")
    return (venue or None), year, problem


def looks_like_venue(inner: str) -> bool:
    """A parenthesis is a venue hint only when it carries a (possibly mistyped) year;
    "(BERT)" or "(short version)" at the end of a title belong to the title."""
    return bool(re.search(r"\d{2,}", inner)) and len(inner) <= 120


# "ACL2019", "NeurIPS 2019", "In Proceedings of EMNLP-IJCNLP 2019", "TACL, 2020", "arXiv 2019", "2019":
# a venue hint written as a sentence of its own (bold-title lists), not in parentheses.
_BARE_VENUE = re.compile(
    r"^(?:in\s+)?(?:(?:the\s+)?proceedings\s+of\s+(?:the\s+)?)?"
    r"(?P<venue>[A-Za-z][\w&.\-/ ]{0,50}?)?[\s,'’\-]*(?P<year>(?:19|20)\d{2})$",
    re.IGNORECASE,
)


def bare_venue(text: str) -> tuple[str | None, int] | None:
    """('ACL', 2019) for a sentence that is only a venue and a year; None for anything else."""
    m = _BARE_VENUE.match(clean(text).strip(" .,;"))
    if not m:
        return None
    venue = clean(m.group("venue") or "").strip(" ,;:-") or None
    if venue and len(venue.split()) > 6:
        return None
    return venue, int(m.group("year"))
