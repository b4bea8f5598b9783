"""The evidence for accepting a search hit: title similarity, author overlap, year proximity.

Identifiers from the list are trusted; anything found by a title search must pass `verify`, because
services happily return a look-alike (Crossref answers "Attention is All you Need" with a different paper).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from .model import Match, Person, Record
from .textutil import ascii_fold  # the one fold, shared with keys.py

# A hit is the same paper when its normalised title is at least this similar (0–100) ...
TITLE_ACCEPT = 90.0
# ... or nearly identical when there are no authors to compare.
TITLE_ACCEPT_NO_AUTHORS = 95.0
MIN_AUTHOR_OVERLAP = 0.5
MAX_YEAR_DELTA = 3  # a preprint can precede its publication by a few years


def normalize_title(title: str) -> str:
    """Case, accents, LaTeX braces/commands, punctuation and spacing removed: what makes two titles 'the same'."""
    text = re.sub(r"\\[a-zA-Z]+\s*", " ", title)  # LaTeX commands
    text = ascii_fold(text).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def same_title(a: str, b: str) -> bool:
    """The one "same title" rule (the audit, the list's discrepancies): equal up to case, accents,
    punctuation and spacing ("Sequence-to-SequencePre-training", as the ACL Anthology writes ProphetNet's
    title, is the list's "Sequence-to-Sequence Pre-training")."""
    na, nb = normalize_title(a), normalize_title(b)
    return na == nb or na.replace(" ", "") == nb.replace(" ", "")


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


# Words that carry no identity: a retitled version keeps the distinctive ones.
STOPWORDS = frozenset(
    "a an the of for in on and or to with by from via at as is are be its into using towards toward s".split()
)
TOKEN_ACCEPT = 75.0  # token agreement for a retitled version (the same people, in order, must agree too)
MAX_YEARS_AFTER_HINT = 1  # without authors, a hit dated later than this after the list's year is another work


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def title_tokens(title: str) -> list[str]:
    """The distinctive words of a title, in order, lightly stemmed ('Transformers' = 'Transformer')."""
    return [_stem(w) for w in normalize_title(title).split() if w not in STOPWORDS]


def token_score(a: str, b: str) -> float:
    """0–100: shared distinctive words over the longer title's. Survives one changed word, a dropped
    prefix ('HuggingFace's') or reordered words, where a character ratio does not."""
    ta, tb = set(title_tokens(a)), set(title_tokens(b))
    if not ta or not tb:
        return 0.0
    return 100.0 * len(ta & tb) / max(len(ta), len(tb))


def main_title(title: str) -> str:
    """The title before its subtitle ('X: Theory and …' → 'X')."""
    head = re.split(r"\s*(?::|\s[-\u2013\u2014]\s)\s*", title or "", maxsplit=1)[0]
    return head.strip()


def is_subtitle_of(short: str, full: str) -> bool:
    """Is `full` the title `short` plus a subtitle?"""
    head = normalize_title(main_title(full))
    return bool(head) and head == normalize_title(short) and normalize_title(full) != head


def same_people_in_order(a: Sequence[Person], b: Sequence[Person]) -> bool:
    """The same author list (family names, in order): the evidence that carries a retitled version."""
    fa = [k for k in (_family_key(p) for p in a) if k]
    fb = [k for k in (_family_key(p) for p in b) if k]
    return bool(fa) and fa == fb


def verify(
    query_title: str,
    candidate: Record,
    *,
    authors: Sequence[Person] = (),
    year: int | None = None,
    query: str | None = None,
    listed_year: int | None = None,
    preprint_hint: bool = False,
    off_arxiv: bool = False,
    kind: str | None = None,
    rung: str | None = None,
) -> Match:
    """Decide whether `candidate` (a search hit) is the paper titled `query_title`, and say why.

    `year` is the reference's year (the preprint's, or the list's hint); `listed_year` the list's hint when
    the list gave one; `preprint_hint` says that hint names a preprint ("CoRR 2019"); `off_arxiv` that the
    list links a PDF outside arXiv (a course page, a company site), so an arXiv hit needs the exact title."""
    score = title_score(query_title, candidate.title)
    tokens = token_score(query_title, candidate.title)
    overlap = author_overlap(authors, candidate.authors)
    delta = abs(candidate.year - year) if (candidate.year and year) else None
    subtitle = is_subtitle_of(query_title, candidate.title)
    reasons = [f"title {score:.0f}/100", f"words {tokens:.0f}/100"]
    title_ok = score >= (TITLE_ACCEPT if overlap is not None else TITLE_ACCEPT_NO_AUTHORS)
    how = "same title" if title_ok else ""
    if overlap is not None:
        reasons.append(f"authors {overlap:.0%} shared")
        accepted = title_ok and overlap >= MIN_AUTHOR_OVERLAP
        if not title_ok and (tokens >= TOKEN_ACCEPT or subtitle) and same_people_in_order(authors, candidate.authors):
            accepted, how = True, ("subtitle added" if subtitle else "retitled, same authors in order")
    else:
        accepted = title_ok
        if not title_ok and subtitle and _kinds_agree(kind, candidate) and delta is not None and delta <= 1:
            accepted, how = True, "subtitle added"
    if how and accepted:
        reasons.append(how)
    if rung:
        reasons.append(f"rung {rung}")
    if delta is not None:
        reasons.append(f"year {'±' + str(delta)}")
        if delta > MAX_YEAR_DELTA:
            accepted = False
            reasons.append("too far apart")
    if accepted and overlap is None and listed_year and candidate.year:
        after = candidate.year - listed_year
        allowed = MAX_YEAR_DELTA if (preprint_hint and candidate.published) else MAX_YEARS_AFTER_HINT
        if after > allowed:
            accepted = False
            reasons.append(f"dated {candidate.year}, {after} years after the list's {listed_year}")
    if accepted and off_arxiv and overlap is None and candidate.source == "arxiv":
        if normalize_title(query_title) != normalize_title(candidate.title) or delta is None or delta > 1:
            accepted = False
            reasons.append("the list links a PDF outside arXiv")
    if accepted and kind and not _kinds_agree(kind, candidate):
        accepted = False
        reasons.append(f"a {kind} is not a {candidate.type}")
    if not accepted and not title_ok and not how:
        reasons.append("title differs")
    elif not accepted and overlap is not None and overlap < MIN_AUTHOR_OVERLAP:
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
        token_score=round(tokens, 1),
        rung=rung,
    )


def _kinds_agree(kind: str | None, candidate: Record) -> bool:
    """A book is cited as a book; a paper is never a whole book (a chapter or an article may be)."""
    if kind == "book":
        return candidate.type in ("book", "misc") or not candidate.published
    return candidate.type != "book"
