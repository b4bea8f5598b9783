"""Queries → Works: plan the requests, run each registered source in its own lane, merge what comes back.

The resolver knows no service by name: it runs whatever `sources.registry()` declares.

1. Look up: every identifier of a group is looked up by the source that declares its scheme (a source
   with `lookup_many` gets one batch for the whole run, first in its lane).
2. Follow up: a record that names an identifier of another source's scheme, where that source `follows`
   the record's source, is fetched too (a DBLP hit with an ACL DOI → the Anthology record; arXiv's DOI of
   an ACL paper → the same). A verified search hit of a source that `enriches_hits` is re-read by its id.
3. Search: once a group's look-ups are done and it still has no published version, every source that
   can `search` and holds no record of the group yet searches by title, rung by rung (each rung one
   cached request), until a rung gives a verified published hit. Hits must pass `match.verify`.

The fetch layer paces each host, so a whole-list run takes as long as the busiest host's request plan,
not the sum of all hosts.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from . import merge as merging
from .identity import Group, TwinIndex, group_queries
from .match import verify
from .model import Query, Record, Work
from .problems import Problem, problem_from_error
from .sources import rank_of

log = logging.getLogger(__name__)

MAX_REJECTED_KEPT = 2  # rejected search hits kept per search, as evidence


@dataclass
class ResolveResult:
    works: list[Work]
    failed_sources: dict[str, str] = field(default_factory=dict)  # service label → one-line reason
    events: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)  # host → network requests made
    not_locked: list[Any] = field(default_factory=list)  # entries a lock was given for but does not hold
    lock: Any = None  # the lock that served the rest (lock.Lock), if any


class _Run:
    """One resolution run: lanes, de-duplicated requests, and what each group has gathered."""

    def __init__(self, fetcher: Any, groups: list[Group]):
        from .sources import registry

        self.sources = registry()
        self.by_scheme = {s.scheme: s for s in self.sources if s.scheme and (s.lookup or s.lookup_many)}
        self.fetcher = fetcher
        self.groups = groups
        self.records: dict[int, list[Record]] = defaultdict(list)
        self.problems: dict[int, list[Problem]] = defaultdict(list)
        self.failed: dict[str, str] = {}
        self.fetched: dict[int, set[tuple[str, str]]] = defaultdict(set)  # (scheme, id) looked up per group
        self.waiting: dict[int, int] = defaultdict(int)  # look-ups still under way per group
        self.venue_ids: set[int] = set()  # groups whose identifier names the venue version itself
        self.searched: set[int] = set()
        self.lock = threading.RLock()
        self.idle = threading.Condition(self.lock)
        self.pending = 0
        self.lanes = {s.name: ThreadPoolExecutor(s.lane, thread_name_prefix=f"atpbib-{s.name}") for s in self.sources}
        self.calls: dict[tuple, list[Callable[[Any, BaseException | None], None]]] = {}
        self.results: dict[tuple, tuple[Any, BaseException | None]] = {}

    # -- scheduling -------------------------------------------------------------------------------
    def once(self, lane: str, key: tuple, fn: Callable[[], Any], then: Callable[[Any, BaseException | None], None]) -> None:
        """Run fn on `lane` at most once per key in this run; every caller's `then` gets the result."""
        with self.lock:
            if key in self.results:
                result = self.results[key]
                run_now = True
            else:
                run_now = False
                if key in self.calls:
                    self.calls[key].append(then)
                    return
                self.calls[key] = [then]
                self.pending += 1
        if run_now:
            then(*result)
            return
        self.lanes[lane].submit(self._run_task, key, fn)

    def _run_task(self, key: tuple, fn: Callable[[], Any]) -> None:
        try:
            value, error = fn(), None
        except Exception as exc:  # FetchError, SourceError, or a parser bug: kept as data, never fatal
            value, error = None, exc
            log.debug("task %s failed: %s", key, exc)
        with self.lock:
            self.results[key] = (value, error)
            callbacks = self.calls.pop(key, [])
        try:
            for cb in callbacks:
                try:
                    cb(value, error)
                except Exception:  # a bug in a callback must not hang the run
                    log.exception("while handling %s", key)
        finally:
            with self.lock:
                self.pending -= 1
                self.idle.notify_all()

    def wait(self) -> None:
        with self.lock:
            while self.pending:
                self.idle.wait()
        for pool in self.lanes.values():
            pool.shutdown(wait=True)

    # -- bookkeeping ------------------------------------------------------------------------------
    def add(self, gi: int, record: Record) -> None:
        with self.lock:
            if any(r.source == record.source and r.source_key == record.source_key and r.match == record.match
                   for r in self.records[gi]):
                return  # one batch answered the same paper under two of its ids
            self.records[gi].append(record)

    def problem(self, gi: int, source: Any, error: BaseException | str, *, attach: bool = True) -> None:
        """Note why a work lacks a source's record; a failed service is also noted once for the run.

        A long-tail source's failure (`optional`) is noted for the run only: the work did not depend on it."""
        found = problem_from_error(source.name, source.label, error)
        with self.lock:
            if found.run_wide:
                self.failed.setdefault(source.label, str(found))
            if attach and not source.optional and found not in self.problems[gi]:
                self.problems[gi].append(found)

    def best_reference(self, gi: int) -> tuple[str, tuple, int | None]:
        """Title, authors and year to verify search hits against: the best looked-up record's, else the
        query's own (a .bib entry's authors count; a list item has none)."""
        with self.lock:
            recs = [r for r in self.records[gi] if r.match is None]
        if recs:
            # the preprint first (arXiv), a secondary source's record last
            r = min(recs, key=lambda r: (merging.is_secondary(r), r.published, -rank_of(r.source)))
            return r.title, r.authors, r.year
        q = self.groups[gi].first
        return q.title, q.authors, q.year

    def verify_context(self, gi: int) -> dict[str, Any]:
        """What the query itself says that weighs on a search hit: its year hint (a preprint's year when the
        hint is "CoRR"), a paper PDF hosted outside arXiv, the kind of work."""
        from .venues import is_preprint_venue

        q = self.groups[gi].first
        return {"listed_year": q.year, "preprint_hint": is_preprint_venue(q.venue),
                "kind": q.kind, "off_arxiv": not self.groups[gi].ids.arxiv and merging.links_offsite_pdf(q)}

    # -- 1. look-ups ------------------------------------------------------------------------------
    def start(self) -> None:
        papers = [gi for gi, g in enumerate(self.groups) if g.kind in merging.RESOLVABLE_KINDS]
        batched: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        singles: list[tuple[int, Any, str]] = []
        for gi in papers:
            for scheme, value in self.groups[gi].ids.known().items():
                for source in self.sources:
                    many = scheme in source.batch_schemes
                    if not many and (source.scheme != scheme or not (source.lookup or source.lookup_many)):
                        continue
                    if source.wants is not None and not source.wants(value):
                        continue
                    with self.lock:
                        self.fetched[gi].add((scheme, value.lower()))
                        self.waiting[gi] += 1
                        if source.ids_name_venue:
                            self.venue_ids.add(gi)
                    if many:
                        batched[source.name][f"{scheme}:{value}"].append(gi)
                    elif source.lookup_many is not None:
                        batched[source.name][value].append(gi)
                    else:
                        singles.append((gi, source, value))
        for source in self.sources:  # batches first in their lanes: the searches wait for them
            if source.name in batched:
                self._lookup_batch(source, batched[source.name])
        for gi, source, value in singles:
            self._lookup(gi, source, value)
        for gi in papers:
            self._maybe_search(gi)

    def _lookup_batch(self, source: Any, wanted: dict[str, list[int]]) -> None:
        ids = sorted(wanted)
        failures: dict[str, BaseException] = {}

        def done(found: dict[str, Record] | None, error: BaseException | None) -> None:
            for value, gis in wanted.items():
                record = (found or {}).get(value)
                failed = error or failures.get(value)
                for gi in gis:
                    self._looked_up(gi, source, value, record, failed)

        self.once(source.name, (source.name, "batch", tuple(ids)),
                  lambda: source.lookup_many(self.fetcher, ids, failures), done)

    def _lookup(self, gi: int, source: Any, value: str, match=None) -> None:
        query = self.groups[gi].first
        own = match is None and (source.scheme, value.lower()) in {(k, v.lower()) for k, v in self.groups[gi].ids.known().items()}
        self.once(source.name, (source.name, value),
                  lambda: source.lookup(self.fetcher, value, query),
                  lambda record, error: self._looked_up(gi, source, value, record, error, match, own=own))

    def _looked_up(self, gi: int, source: Any, value: str, record: Record | None, error: BaseException | None,
                   match=None, own: bool = True) -> None:
        if error is not None:
            self.problem(gi, source, error)
        elif record is None:
            if own:
                self.problem(gi, source, source.missing.format(id=value))
        else:
            record = replace(record, match=match) if match is not None else record
            self.add(gi, record)
            self._follow(gi, record)
        with self.lock:
            self.waiting[gi] -= 1
        self._maybe_search(gi)

    # -- 2. follow-ups ----------------------------------------------------------------------------
    def _follow(self, gi: int, record: Record) -> list[Any]:
        """Fetch what `record` names for the sources that follow its source; the sources started."""
        started: list[Any] = []
        for source in sorted(self.sources, key=lambda s: s.rank):
            if record.source not in source.follows or not source.scheme or source.lookup is None:
                continue
            value = getattr(record.ids, source.scheme, None)
            if not value or getattr(self.groups[gi].ids, source.scheme, None):
                continue
            if source.wants is not None and not source.wants(value):
                continue
            with self.lock:
                if (source.scheme, value.lower()) in self.fetched[gi]:
                    continue
                self.fetched[gi].add((source.scheme, value.lower()))
                self.waiting[gi] += 1
            self._lookup(gi, source, value, match=record.match)
            started.append(source)
        return started

    def _enrich(self, gi: int, source: Any, hit: Record) -> None:
        """Re-read a search hit by its id (DBLP's full BibTeX record of a search hit)."""
        def done(record: Record | None, error: BaseException | None) -> None:
            if error is not None or record is None:
                if error is not None:
                    self.problem(gi, source, error)
                return  # the search hit itself stays as the record
            enriched = replace(record, match=hit.match, ids=record.ids.merged(hit.ids),
                               venue=record.venue or hit.venue, published=hit.published,
                               authors=record.authors or hit.authors)
            with self.lock:
                self.records[gi] = [r for r in self.records[gi] if r is not hit] + [enriched]

        query = self.groups[gi].first
        self.once(source.name, (source.name, "enrich", hit.source_key),
                  lambda: source.lookup(self.fetcher, hit.source_key, query), done)

    # -- 3. searches ------------------------------------------------------------------------------
    def _has_published(self, gi: int) -> bool:
        with self.lock:
            return any(r.published and (r.match is None or r.match.accepted) for r in self.records[gi])

    def _maybe_search(self, gi: int) -> None:
        with self.lock:
            if self.waiting[gi] > 0 or gi in self.searched or gi in self.venue_ids:
                return
            self.searched.add(gi)
            have = {r.source for r in self.records[gi] if r.match is None or r.match.accepted}
        if self._has_published(gi):
            return
        for source in self.sources:
            if source.search is None or source.name in have:
                continue
            if source.search_when == "nothing" and have:
                continue  # a long-tail search: only for a work that no source identifies
            self._search(gi, source, self.groups[gi].title if not self.records[gi] else self.best_reference(gi)[0])

    def _search(self, gi: int, source: Any, title: str, rung: int = 0) -> None:
        _, authors, _ = self.best_reference(gi)
        steps = source.search_steps(title, authors) if source.search_steps else [("title", title)]
        if rung >= len(steps):
            return
        rung_name, text = steps[rung]

        def done(hits: list[Record] | None, error: BaseException | None) -> None:
            if error is not None:
                self.problem(gi, source, error)
                return
            ref_title, ref_authors, year = self.best_reference(gi)
            accepted = self._keep_verified(gi, hits or [], ref_title, ref_authors, year, title,
                                           rung=rung_name if source.search_steps else None)
            best = merging.choose_version([r for r in accepted if r.published])
            if best is None:
                self._search(gi, source, title, rung + 1)
                return
            better = [s for s in self._follow(gi, best) if s.rank < source.rank]
            if not better and source.enriches_hits and source.lookup is not None:
                self._enrich(gi, source, best)  # no more authoritative record follows: read the hit's own

        self.once(source.name, (source.name, "search", text.lower()), lambda: source.search(self.fetcher, text), done)

    def _keep_verified(self, gi: int, hits: Iterable[Record], ref_title: str, authors, year, query: str,
                       rung: str | None = None) -> list[Record]:
        context = self.verify_context(gi)
        checked = [replace(h, match=verify(ref_title, h, authors=authors, year=year, query=query, rung=rung, **context))
                   for h in hits]
        accepted = [h for h in checked if h.match.accepted]
        rejected = sorted((h for h in checked if not h.match.accepted), key=lambda h: -h.match.title_score)
        with self.lock:
            known = {(r.source, r.source_key) for r in self.records[gi]}
            for h in accepted + rejected[:MAX_REJECTED_KEPT]:
                if (h.source, h.source_key) not in known:
                    self.records[gi].append(h)
        return accepted


def unverified_reasons(records: Sequence[Record]) -> list[Problem]:
    """Why a work that found candidates still has none: the best rejected hit and the reason."""
    from .sources import label_of

    rejected = sorted((r for r in records if r.match is not None and not r.match.accepted),
                      key=lambda r: -(r.match.title_score if r.match else 0))
    if not rejected:
        return []
    best = rejected[0]
    text = (f"no verified match: {len(rejected)} candidate(s) rejected, best {label_of(best.source)} "
            f"'{best.title}' ({best.match.reason})")
    return [Problem(text, source=best.source, kind="unverified")]


def resolve_queries(queries: Sequence[Query], fetcher: Any) -> ResolveResult:
    """Resolve source-neutral queries into works (input order), using `fetcher` for every request."""
    groups = group_queries(queries)
    run = _Run(fetcher, groups)
    try:
        run.start()
    finally:
        run.wait()
    works: list[Work] = []
    twins = TwinIndex(works)
    records_of: list[list[Record]] = []
    problems_of: list[list[Problem]] = []
    queries_of: list[list[Query]] = []
    for gi, g in enumerate(groups):
        recs = run.records.get(gi, [])
        probs = list(run.problems.get(gi, []))
        if (g.kind in merging.RESOLVABLE_KINDS and not any(r.match is None or r.match.accepted for r in recs)
                and not probs):  # a failed service or an unknown id is the reason, not a candidate's
            probs += unverified_reasons(recs)
        if g.kind in merging.RESOLVABLE_KINDS:
            try:
                work = merging.merge(g.queries, recs, probs)
            except Exception as exc:  # a source answered something unusable: keep the input's data, say why
                log.warning("cannot merge the records of line %d: %s", g.first.line, exc)
                work = merging.list_only_work(g.queries, [*probs, Problem(f"unusable source data ({type(exc).__name__})",
                                                                          kind="unusable")])
        else:
            work = merging.list_only_work(g.queries)
        # a work found under two positions with different links (arXiv here, ACL there) is still one work
        twin = twins.find(work) if g.kind in merging.RESOLVABLE_KINDS else None
        if twin is not None:
            queries_of[twin] = sorted(queries_of[twin] + g.queries, key=lambda q: q.line)
            records_of[twin] += recs
            problems_of[twin] += [p for p in probs if p not in problems_of[twin]]
            works[twin] = merging.merge(queries_of[twin], records_of[twin], problems_of[twin])
            twins.add(twin, works[twin])
            continue
        twins.add(len(works), work)
        works.append(work)
        records_of.append(list(recs))
        problems_of.append(list(probs))
        queries_of.append(list(g.queries))
    events = list(getattr(fetcher, "events", []))
    requests = {h: s.requests for h, s in getattr(fetcher, "stats", {}).items()}
    return ResolveResult(works=works, failed_sources=dict(run.failed), events=events, requests=requests)


def resolve_entries(entries: Sequence[Any], fetcher: Any) -> ResolveResult:
    """Resolve Markdown list entries (the list input's queries), with the list's discrepancies noted."""
    from .inputs import markdown

    result = resolve_queries(markdown.queries(entries), fetcher)
    result.works = markdown.with_discrepancies(result.works)
    return result
