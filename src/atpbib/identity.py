"""One identity rule: when two queries, records or works are the same work, and what a work's lasting key is.

Grouping an input's queries, joining twin works (one paper linked as arXiv here and ACL there), the
export's duplicate check against an existing library and the lock all decide sameness here:

- a shared identifier (DOI, arXiv, ACL, OpenReview, DBLP, PMLR, NeurIPS) makes two things one work;
- two different identifiers of the same scheme make them two works, whatever else they share;
- with no identifier in common, only a near-identical title (same kind of work) does.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .match import normalize_title, title_score
from .model import RESOLVABLE_KINDS, Ids, Query, Work

from .ids import PAPER_SCHEMES  # noqa: E402  (the one id table: schemes that name a paper)
SAME_TITLE = 97.0  # title similarity (0–100) that makes two id-less works one


def id_keys(ids: Ids) -> list[tuple[str, str]]:
    """(scheme, value) pairs that identify a paper, case-folded (DOIs and ACL ids are case-insensitive)."""
    return [(s, v.lower()) for s, v in ids.known().items() if s in PAPER_SCHEMES]


def ids_agree(a: Ids, b: Ids) -> bool | None:
    """True: an identifier in common; False: one scheme with two values (two papers); None: no evidence."""
    shared = False
    for scheme in PAPER_SCHEMES:
        va, vb = getattr(a, scheme), getattr(b, scheme)
        if va and vb:
            if va.lower() != vb.lower():
                return False
            shared = True
    return True if shared else None


def same_work(a: Work, b: Work) -> bool:
    """Two works are one when they share an identifier, or their titles are verified equal."""
    agree = ids_agree(a.ids, b.ids)
    if agree is not None:
        return agree
    return a.kind == b.kind and a.kind in RESOLVABLE_KINDS and title_score(a.title, b.title) >= SAME_TITLE


def same_as_listed(ids: Ids, title: str, other_ids: Ids, other_title: str) -> bool:
    """The same rule for things that are not works yet (an existing .bib entry, a locked entry)."""
    agree = ids_agree(ids, other_ids)
    if agree is not None:
        return agree
    a, b = normalize_title(title or ""), normalize_title(other_title or "")
    return bool(a and b) and (a == b or title_score(a, b) >= SAME_TITLE)


def lasting_key(ids: Ids, title: str) -> str:
    """A key that survives edits elsewhere in the input (not a line number): the best identifier, else
    the normalised title. 'arxiv:1909.10351', 'acl:P19-1285', 'title:memory transformer networks'."""
    for scheme in ("doi", "acl", "openreview", "arxiv", "pmlr", "neurips", "dblp"):
        value = getattr(ids, scheme)
        if value:
            return f"{scheme}:{value.lower() if scheme in ('doi', 'acl') else value}"
    return f"title:{normalize_title(title or '')}"


@dataclass
class Group:
    """Queries that ask for the same work (one resolution for all of them)."""

    queries: list[Query]
    ids: Ids

    @property
    def title(self) -> str:
        return self.queries[0].title

    @property
    def kind(self) -> str:
        return self.queries[0].kind

    @property
    def first(self) -> Query:
        return self.queries[0]


def group_queries(queries: Sequence[Query]) -> list[Group]:
    """Queries that are the same work (shared identifier or same normalised title) become one group."""
    groups: list[Group] = []
    by_key: dict[tuple[str, str], int] = {}
    for q in queries:
        keys = id_keys(q.ids)
        if q.kind in RESOLVABLE_KINDS and normalize_title(q.title):
            keys.append(("title", normalize_title(q.title)))
        elif not keys and q.links:
            keys.append(("url", q.links[0].url))
        hit = next((by_key[k] for k in keys if k in by_key), None)
        if hit is not None and ids_agree(groups[hit].ids, q.ids) is False:
            hit = None  # the same title under two different ids: two works
        if hit is None:
            groups.append(Group([q], q.ids))
            hit = len(groups) - 1
        else:
            groups[hit].queries.append(q)
            groups[hit].ids = groups[hit].ids.merged(q.ids)
        for k in keys:
            by_key.setdefault(k, hit)
    return groups


class IdentityIndex:
    """Things (works, lock records, library entries) by their ids and normalised titles, so that finding
    the same one never compares against all of them: `candidates` are the few positions that share an id
    or whose title is within SAME_TITLE (the exact title first, then a fuzzy pass over titles of a
    similar length only), in insertion order. The caller applies the one rule (`ids_agree` / `same_work`
    / `same_as_listed`) to them."""

    def __init__(self) -> None:
        self.by_id: dict[tuple[str, str], list[int]] = {}
        self.by_title: dict[str, list[int]] = {}
        self._lengths: list[tuple[int, str]] = []  # (length, title), kept sorted for the fuzzy pass
        self._sorted = True

    def add(self, pos: int, ids: Ids, title: str | None, *, titled: bool = True) -> None:
        for key in id_keys(ids):
            self.by_id.setdefault(key, []).append(pos)
        norm = normalize_title(title or "") if titled else ""
        if norm:
            if norm not in self.by_title:
                self._lengths.append((len(norm), norm))
                self._sorted = False
            self.by_title.setdefault(norm, []).append(pos)

    def candidates(self, ids: Ids, title: str | None, *, fuzzy: bool = True) -> list[int]:
        found = {p for key in id_keys(ids) for p in self.by_id.get(key, ())}
        norm = normalize_title(title or "")
        if norm:
            found.update(self.by_title.get(norm, ()))
            if fuzzy:
                found.update(p for t in self._near(norm) for p in self.by_title[t])
        return sorted(found)

    def _near(self, norm: str) -> list[str]:
        """Titles whose fuzz.ratio with `norm` can reach SAME_TITLE: only lengths within that ratio."""
        from bisect import bisect_left, bisect_right

        from rapidfuzz import fuzz, process

        if not self._sorted:
            self._lengths.sort()
            self._sorted = True
        c = SAME_TITLE / 100  # ratio = 2·common/(la+lb) ≥ c needs lb within [la·c/(2−c), la·(2−c)/c]
        lo = bisect_left(self._lengths, (int(len(norm) * c / (2 - c)), ""))
        hi = bisect_right(self._lengths, (int(len(norm) * (2 - c) / c) + 1, "\uffff"))
        pool = [t for _, t in self._lengths[lo:hi]]
        return [t for t, _, _ in process.extract(norm, pool, scorer=fuzz.ratio, score_cutoff=SAME_TITLE, limit=None)]


@dataclass
class TwinIndex:
    """Finds an earlier work that is the same as a new one without comparing against every work
    (a 5,000-entry list would make that quadratic): candidates come from an IdentityIndex."""

    works: list[Work]
    index: IdentityIndex = field(default_factory=IdentityIndex)

    def add(self, index: int, work: Work) -> None:
        self.index.add(index, work.ids, work.title, titled=work.kind in RESOLVABLE_KINDS)

    def find(self, work: Work) -> int | None:
        return next((i for i in self.index.candidates(work.ids, work.title) if same_work(self.works[i], work)), None)
