"""Queries → Works: run the request plan (plan.py) in each registered source's lane, merge what comes back.

The resolver knows no service by name: it runs whatever `sources.registry()` declares, and what to ask
is decided by the pure functions of `plan` over each group's evidence:

1. Look up: every identifier of a group is looked up by the source that declares its scheme (a source
   with `lookup_many` gets one batch for the whole run, first in its lane).
2. Follow up: a record that names an identifier of a source's scheme is fetched by that source (a DBLP hit
   with an ACL DOI → the Anthology record; S2's DBLP key → the DBLP record), unless the source opts out. A
   verified search hit of a source that `enriches_hits` is re-read by its id.
3. Search: once a group's look-ups are done and it still has no published version, every source that
   can `search` and holds no record of the group yet searches by title, rung by rung (each rung one
   cached request), until a rung gives a verified published hit. Hits must pass `match.verify`. A source
   that `lists` proceedings starts with one listing of those a lead names ("ICLR 2020"): sent once, it
   answers every group of the run in them. A next rung waits for the group's other searches.

The fetch layer paces each host, so a whole-list run takes as long as the busiest host's request plan,
not the sum of all hosts.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from . import merge as merging
from . import plan
from .identity import Group, TwinIndex, group_queries
from .model import Query, Record, Work
from .plan import Evidence, Request
from .problems import Problem, problem_from_error

log = logging.getLogger(__name__)


@dataclass
class ResolveResult:
    works: list[Work]
    failed_sources: dict[str, str] = field(default_factory=dict)  # service label → one-line reason
    events: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)  # host → network requests made
    not_locked: list[Any] = field(default_factory=list)  # entries a lock was given for but does not hold
    lock: Any = None  # the lock that served the rest (lock.Lock), if any


class _Lanes:
    """Each source's worker threads, and requests run at most once per key in a run."""

    def __init__(self, sources: Sequence[Any]):
        self.lock = threading.RLock()
        self.idle = threading.Condition(self.lock)
        self.pending = 0
        self.pools = {s.name: ThreadPoolExecutor(s.lane, thread_name_prefix=f"atpbib-{s.name}") for s in sources}
        self.calls: dict[tuple, list[Callable[[Any, BaseException | None], None]]] = {}
        self.results: dict[tuple, tuple[Any, BaseException | None]] = {}

    def once(self, lane: str, key: tuple, fn: Callable[[], Any], then: Callable[[Any, BaseException | None], None]) -> None:
        """Run fn on `lane` at most once per key in this run; every caller's `then` gets the result."""
        with self.lock:
            result = self.results.get(key)
            if result is None:
                if key in self.calls:
                    self.calls[key].append(then)
                    return
                self.calls[key] = [then]
                self.pending += 1
        if result is not None:
            then(*result)
            return
        self.pools[lane].submit(self._run, key, fn)

    def _run(self, key: tuple, fn: Callable[[], Any]) -> None:
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
        for pool in self.pools.values():
            pool.shutdown(wait=True)


class _Run:
    """One resolution run: sends what `plan` asks for each group, feeds the answers back to it."""

    def __init__(self, fetcher: Any, groups: list[Group], answers: Any = None):
        from .sources import guarded_registry

        self.sources = guarded_registry()  # a source's answer of the wrong shape is that source's failure
        self.by_name = {s.name: s for s in self.sources}
        self.fetcher = fetcher
        self.groups = groups
        self.evidence = [Evidence(g.first, g.ids, g.kind, resolvable=g.kind in merging.RESOLVABLE_KINDS) for g in groups]
        self.problems: dict[int, list[Problem]] = defaultdict(list)
        self.failed: dict[str, str] = {}
        self.lanes = _Lanes(self.sources)
        self.lock = self.lanes.lock
        self.answers = answers  # remembered parsed answers (answers.py): a warm run parses nothing again
        self.listed: frozenset[tuple[str, str]] = frozenset()  # listings that the leads of several groups name

    def remembered(self, key: tuple, fn: Callable[[], Any], *, keep: Callable[[], bool] = lambda: True) -> Callable[[], Any]:
        """fn, answered from the remembered answers when they hold `key`; its answer remembered if `keep()`."""
        if self.answers is None:
            return fn

        def run() -> Any:
            hit, value = self.answers.get(key)
            if hit:
                return value
            value = fn()
            if keep():
                self.answers.put(key, value)
            return value
        return run

    def problem(self, gi: int, source: Any, error: BaseException | str) -> None:
        """Note why a work lacks a source's record; a failed service is also noted once for the run.

        A long-tail source's failure (`optional`) is noted for the run only: the work did not depend on it."""
        found = problem_from_error(source.name, source.label, error)
        with self.lock:
            if found.run_wide:
                self.failed.setdefault(source.label, str(found))
            if not source.optional and found not in self.problems[gi]:
                self.problems[gi].append(found)

    def wait(self) -> None:
        self.lanes.wait()

    def start(self) -> None:
        """Every group's own look-ups (the batches first in their lanes: the searches wait for them)."""
        batched: dict[str, dict[str, list[tuple[int, Request]]]] = defaultdict(lambda: defaultdict(list))
        singles: list[tuple[int, Request]] = []
        for gi, ev in enumerate(self.evidence):
            with self.lock:
                wanted = ev.claim(plan.lookups(ev, self.sources))
                ev.venue_named = plan.names_venue(wanted, self.sources)
            for req in wanted:
                if req.kind == "batch":
                    batched[req.source][req.value].append((gi, req))
                else:
                    singles.append((gi, req))
        for source in self.sources:
            if source.name in batched:
                self._batch(source, batched[source.name])
        for gi, req in singles:
            self.send(gi, req)
        for gi in range(len(self.evidence)):
            self.advance(gi)

    def _batch(self, source: Any, wanted: dict[str, list[tuple[int, Request]]]) -> None:
        ids = sorted(wanted)
        failures: dict[str, BaseException] = {}

        def done(found: dict[str, Record] | None, error: BaseException | None) -> None:
            if source.secondary and found:  # each group's lead once, before any group plans its follow-ups
                leads = {gi: found[v] for v, asks in wanted.items() if v in found for gi, _ in asks}
                with self.lock:
                    self.listed = self.listed | plan.shared_listings(leads.values(), self.sources)
            for value, asks in wanted.items():
                for gi, req in asks:
                    self.looked_up(gi, req, (found or {}).get(value), error or failures.get(value))

        key = (source.name, "batch", tuple(ids))
        self.lanes.once(source.name, key, self.remembered(key, lambda: source.lookup_many(self.fetcher, ids, failures),
                                                          keep=lambda: not failures), done)

    def send(self, gi: int, req: Request) -> None:
        """Run one request of group gi in its source's lane; its answer goes back to the plan."""
        source = self.by_name[req.source]
        query = self.groups[gi].first
        if req.kind == "lookup":
            key: tuple = (source.name, req.value)
            self.lanes.once(source.name, key, self.remembered(key, lambda: source.lookup(self.fetcher, req.value, query)),
                            lambda record, error: self.looked_up(gi, req, record, error))
        elif req.kind == "enrich":  # one paper's record per proceedings serves every paper of them
            key = (source.name, "container", req.container) if req.container else (source.name, "enrich", req.value)
            self.lanes.once(source.name, key, self.remembered(key, lambda: source.lookup(self.fetcher, req.value, query)),
                            lambda record, error: self.enriched(gi, req, record, error))
        elif req.kind == "search":  # a listing of one proceedings is sent once for every paper of them
            key = (source.name, "listing" if req.listing else "search", req.value.lower())
            step = source.lists if req.listing else source.search
            self.lanes.once(source.name, key, self.remembered(key, lambda: step(self.fetcher, req.value)),
                            lambda hits, error: self.searched(gi, req, hits, error))

    def looked_up(self, gi: int, req: Request, record: Record | None, error: BaseException | None) -> None:
        source = self.by_name[req.source]
        if error is not None:
            self.problem(gi, source, error)
        elif record is None and req.own:
            self.problem(gi, source, source.missing.format(id=req.value))
        with self.lock:
            ev = self.evidence[gi]
            more = plan.answered(ev, req, record if error is None else None, self.sources, self.listed)
        for r in more:
            self.send(gi, r)
        self.advance(gi)

    def enriched(self, gi: int, req: Request, record: Record | None, error: BaseException | None) -> None:
        if req.container and (error is not None or record is None or not record.published):
            return self.send(gi, replace(req, container=None))  # the other paper's record failed: read its own
        if error is not None:
            self.problem(gi, self.by_name[req.source], error)
            return  # the search hit itself stays as the record
        with self.lock:
            plan.enriched(self.evidence[gi], req.value, req.source, record)

    def searched(self, gi: int, req: Request, hits: list[Record] | None, error: BaseException | None) -> None:
        with self.lock:
            ev = self.evidence[gi]
            if error is not None:
                more: list[Request] = plan.failed(ev, req, self.sources)
            else:
                more = plan.searched(ev, req, hits, self.sources)
        if error is not None and not (req.listing and more):  # a failed listing's title rungs will say
            self.problem(gi, self.by_name[req.source], error)
        for r in more:
            self.send(gi, r)

    def advance(self, gi: int) -> None:
        """Start the group's searches once its look-ups are done (plan.searches says whether any)."""
        with self.lock:
            more = plan.searches(self.evidence[gi], self.sources)
        for r in more:
            self.send(gi, r)


def _answers_for(fetcher: Any) -> Any:
    """The remembered answers of the fetcher's cache folder (answers.py), without making a lazy fetcher."""
    from . import answers

    planned = getattr(fetcher, "planned", None)
    if planned is not None:
        from .config import fetch_settings

        days = float(fetch_settings().get("expire_after_days", 30.0))
        return answers.open_for(planned["cache_dir"], refresh=planned["refresh"], lifetime_days=days)
    days = float(getattr(getattr(fetcher, "cache", None), "expire_after_days", 30.0))
    return answers.open_for(getattr(fetcher, "cache_dir", None), refresh=bool(getattr(fetcher, "refresh", False)),
                            lifetime_days=days)


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
    run = _Run(fetcher, groups, _answers_for(fetcher))
    try:
        run.start()
    finally:
        run.wait()
    if run.answers is not None and not run.failed:
        run.answers.save()
    works: list[Work] = []
    twins = TwinIndex(works)
    records_of: list[list[Record]] = []
    problems_of: list[list[Problem]] = []
    queries_of: list[list[Query]] = []
    for gi, g in enumerate(groups):
        recs = run.evidence[gi].records
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
    unmade = getattr(fetcher, "made", True) is False  # every answer was remembered: no fetcher was needed
    events = [] if unmade else list(getattr(fetcher, "events", []))
    requests = {} if unmade else {h: s.requests for h, s in getattr(fetcher, "stats", {}).items()}
    return ResolveResult(works=works, failed_sources=dict(run.failed), events=events, requests=requests)


def resolve_entries(entries: Sequence[Any], fetcher: Any) -> ResolveResult:
    """Resolve Markdown list entries (the list input's queries), with the list's discrepancies noted."""
    from .inputs import markdown

    result = resolve_queries(markdown.queries(entries), fetcher)
    result.works = markdown.with_discrepancies(result.works)
    return result
