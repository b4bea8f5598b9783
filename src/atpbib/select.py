"""Section selection shared by every command (`--section NAME`).

A name is a heading text ("Compression") or a "/"-separated path ("Transformer/Papers"), matched
case-insensitively against the end (or the whole) of each heading path; a heading selects its subtree.
Ambiguous and unknown names are errors that say what would have matched, so the user can fix the call.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from atpbib.listparse import ParsedList
from atpbib.model import Entry

__all__ = ["SectionError", "resolve_sections", "select_entries", "section_paths"]


class SectionError(Exception):
    """A --section name that matches no heading, or several."""


def _fold(s: str) -> str:
    return " ".join(s.split()).casefold()


def _split(name: str) -> tuple[str, ...]:
    return tuple(_fold(p) for p in name.strip().strip("/").split("/") if p.strip())


def section_paths(parsed: ParsedList) -> list[tuple[str, ...]]:
    """Every heading path (document order, no duplicates), plus entry sections not backed by a heading."""
    out: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for path in [h.path for h in parsed.headings] + [e.section for e in parsed.entries]:
        if path and path not in seen:
            seen.add(path)
            out.append(path)
    return out


def _matches(path: tuple[str, ...], wanted: tuple[str, ...], whole: str) -> bool:
    folded = tuple(_fold(p) for p in path)
    if wanted and len(wanted) <= len(folded) and folded[-len(wanted):] == wanted:
        return True
    # a heading whose own text contains "/" (e.g. "CNN/RNN") can still be named whole
    return bool(folded) and (folded[-1] == whole or "/".join(folded) == whole)


def _resolve_one(paths: Sequence[tuple[str, ...]], name: str) -> tuple[str, ...]:
    wanted, whole = _split(name), _fold(name.strip().strip("/"))
    if not wanted:
        raise SectionError(f"empty section name {name!r}")
    hits = [p for p in paths if _matches(p, wanted, whole)]
    full = [p for p in hits if tuple(_fold(x) for x in p) == wanted]
    if full:  # an exact full path beats suffix matches ("Attention" vs ".../Attention")
        hits = full
    if len(hits) == 1:
        return hits[0]
    if hits:
        listed = "; ".join("/".join(p) for p in hits)
        raise SectionError(f"section {name!r} is ambiguous, it matches {len(hits)} headings: {listed}")
    candidates = {"/".join(p): p for p in paths}
    keys = {_fold(k): k for k in candidates}
    keys.update({_fold(p[-1]): "/".join(p) for p in paths if _fold(p[-1]) not in keys})
    near = difflib.get_close_matches(whole, list(keys), n=5, cutoff=0.5)
    suggestions: list[str] = []
    for k in near:
        label = keys[k]
        # a bare heading name may stand for several paths: list each one
        for full_path in ["/".join(p) for p in paths if _fold(p[-1]) == k] or [label]:
            if full_path not in suggestions:
                suggestions.append(full_path)
    if suggestions:
        raise SectionError(f"unknown section {name!r}; nearest headings: {'; '.join(suggestions[:5])}")
    tops = [p[0] for p in paths if len(p) == 1]
    raise SectionError(f"unknown section {name!r}; top-level headings: {'; '.join(tops) or '(none)'}")


def resolve_sections(parsed: ParsedList, names: Iterable[str]) -> list[tuple[str, ...]]:
    """Heading paths named by `names` (in the order given, without duplicates)."""
    paths = section_paths(parsed)
    out: list[tuple[str, ...]] = []
    for name in names:
        path = _resolve_one(paths, name)
        if path not in out:
            out.append(path)
    return out


def select_entries(parsed: ParsedList, sections: Sequence[str] | None) -> tuple[Entry, ...]:
    """Entries under any of the named headings (union, in list order); all entries when none are named."""
    if not sections:
        return parsed.entries
    roots = resolve_sections(parsed, sections)
    return tuple(e for e in parsed.entries if any(e.section[: len(r)] == r for r in roots))
