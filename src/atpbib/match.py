"""The evidence for accepting a search hit: title similarity, author overlap, year proximity.

Identifiers from the list are trusted; anything found by a title search must pass `verify`, because
services happily return a look-alike (Crossref answers "Attention is All you Need" with a different paper).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

from .model import Match, Person, Record

# A hit is the same paper when its normalised title is at least this similar (0–100) ...
TITLE_ACCEPT = 90.0
# ... or nearly identical when there are no authors to compare.
TITLE_ACCEPT_NO_AUTHORS = 95.0
MIN_AUTHOR_OVERLAP = 0.5
MAX_YEAR_DELTA = 3  # a preprint can precede its publication by a few years


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalize_title(title: str) -> str:
    """Case, accents, LaTeX braces/commands, punctuation and spacing removed: what makes two titles 'the same'."""
    text = re.sub(r"\\[a-zA-Z]+\s*", " ", title)  # LaTeX commands
    text = ascii_fold(text).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def title_score(a: str, b: str) -> float:
    """0–100. Robust to the list's truncated/typo'd titles ('Transforme', 'Representatio')."""
    na, nb = normalize_title(a), normalize_title(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.ratio(na, nb))


def _family_key(p: Person) -> str:
    return normalize_title(p.family).replace(" ", "")


def author_overlap(a: Sequence[Person], b: Sequence[Person]) -> float | None:
    """Share of the shorter author list whose family names appear in the other; None if either is empty."""
    if not a or not b:
        return None
    fa = {_family_key(p) for p in a}
    fb = {_family_key(p) for p in b}
    fa.discard("")
    fb.discard("")
    if not fa or not fb:
        return None
    return len(fa & fb) / min(len(fa), len(fb))


def verify(
    query_title: str,
    candidate: Record,
    *,
    authors: Sequence[Person] = (),
    year: int | None = None,
    query: str | None = None,
) -> Match:
    """Decide whether `candidate` (a search hit) is the paper titled `query_title`, and say why."""
    score = title_score(query_title, candidate.title)
    overlap = author_overlap(authors, candidate.authors)
    delta = abs(candidate.year - year) if (candidate.year and year) else None
    if overlap is not None:
        accepted = score >= TITLE_ACCEPT and overlap >= MIN_AUTHOR_OVERLAP
    else:
        accepted = score >= TITLE_ACCEPT_NO_AUTHORS
    reasons = [f"title {score:.0f}/100"]
    if overlap is not None:
        reasons.append(f"authors {overlap:.0%} shared")
    if delta is not None:
        reasons.append(f"year {'±' + str(delta)}")
        if delta > MAX_YEAR_DELTA:
            accepted = False
            reasons.append("too far apart")
    if not accepted:
        if score < (TITLE_ACCEPT if overlap is not None else TITLE_ACCEPT_NO_AUTHORS):
            reasons.append("title differs")
        elif overlap is not None and overlap < MIN_AUTHOR_OVERLAP:
            reasons.append("different authors")
    return Match(
        source=candidate.source,
        query=query or query_title,
        candidate=candidate.title,
        title_score=round(score, 1),
        author_overlap=None if overlap is None else round(overlap, 2),
        year_delta=delta,
        accepted=accepted,
        reason=", ".join(reasons),
    )
