"""Entries → Works: plan the requests, run each service's queue in parallel, merge what comes back.

Each service gets its own small worker pool (a "lane"); a result may enqueue follow-up work on another
lane (a DBLP hit with an ACL DOI → fetch the Anthology record). The fetch layer paces each host, so
a whole-list run takes as long as the busiest host's request plan, not the sum of all hosts.
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
from .match import normalize_title, verify
from .model import Entry, Ids, Record, Work

log = logging.getLogger(__name__)

SERVICE_NAMES = {"arxiv": "arXiv", "acl": "ACL Anthology", "openreview": "OpenReview", "dblp": "DBLP"}
LANE_WORKERS = {"arxiv": 1, "acl": 4, "openreview": 4, "dblp": 1}
MAX_REJECTED_KEPT = 2  # rejected search hits kept per search, as evidence


@dataclass
class ResolveResult:
    works: list[Work]
    failed_sources: dict[str, str] = field(default_factory=dict)  # service → one-line reason
    events: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)  # host → network requests made


@dataclass
class _Group:
    entries: list[Entry]
    ids: Ids

    @property
    def title(self) -> str:
        return self.entries[0].title

    @property
    def kind(self) -> str:
        return self.entries[0].kind


def group_entries(entries: Sequence[Entry]) -> list[_Group]:
    """Entries that are the same work (shared identifier or same normalised title) become one group."""
    groups: list[_Group] = []
    by_key: dict[tuple[str, str], int] = {}
    for e in entries:
        keys = [(s, v.lower()) for s, v in e.ids.known().items() if s != "github"]
        if e.kind in merging.RESOLVABLE_KINDS and normalize_title(e.title):
            keys.append(("title", normalize_title(e.title)))
        elif not keys and e.links:
            keys.append(("url", e.links[0].url))
        hit = next((by_key[k] for k in keys if k in by_key), None)
        if hit is None:
            groups.append(_Group([e], e.ids))
            hit = len(groups) - 1
        else:
            groups[hit].entries.append(e)
            groups[hit].ids = groups[hit].ids.merged(e.ids)
        for k in keys:
            by_key.setdefault(k, hit)
    return groups


class _Run:
    """One resolution run: lanes, de-duplicated requests, and what each group has gathered."""

    def __init__(self, fetcher: Any, groups: list[_Group]):
        from . import sources  # lazy: keeps `atpbib --help` fast

        self.src = sources
        self.fetcher = fetcher
        self.groups = groups
        self.records: dict[int, list[Record]] = defaultdict(list)
        self.problems: dict[int, list[str]] = defaultdict(list)
        self.failed: dict[str, str] = {}
        self.lock = threading.RLock()
        self.idle = threading.Condition(self.lock)
        self.pending = 0
        self.lanes = {name: ThreadPoolExecutor(n, thread_name_prefix=f"atpbib-{name}") for name, n in LANE_WORKERS.items()}
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
            self.records[gi].append(record)

    def problem(self, gi: int, service: str, error: BaseException | str) -> None:
        """Note why a work lacks a source's record; a failed service is also noted once for the run."""
        name = SERVICE_NAMES[service]
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        kind = getattr(error, "kind", None)
        if kind in ("unreachable", "circuit-open"):
            msg = run_wide = f"{name} unreachable"
        elif kind == "timeout":
            msg = run_wide = f"{name}: timed out"
        elif kind == "offline":
            msg = run_wide = f"{name}: not in the cache (offline)"
        else:
            msg = f"{name}: {text}"
            run_wide = msg if not isinstance(error, str) else None  # a bad answer, not "no such record"
        with self.lock:
            if run_wide:
                self.failed.setdefault(name, run_wide)
            if msg not in self.problems[gi]:
                self.problems[gi].append(msg)

    def best_reference(self, gi: int) -> tuple[str, tuple, int | None]:
        """Title, authors and year to verify search hits against: arXiv's if known, else the list's."""
        with self.lock:
            recs = list(self.records[gi])
        for src in ("arxiv", "openreview", "acl"):
            r = next((r for r in recs if r.source == src and (r.match is None or r.match.accepted)), None)
            if r is not None:
                return r.title, r.authors, r.year
        e = self.groups[gi].entries[0]
        return e.title, (), e.year

    def verify_context(self, gi: int) -> dict[str, Any]:
        """What the list itself says that weighs on a search hit: its year hint (a preprint's year when the
        hint is "CoRR"), a paper PDF hosted outside arXiv, the kind of work."""
        from .venues import is_preprint_venue

        e = self.groups[gi].entries[0]
        return {"listed_year": e.year, "preprint_hint": is_preprint_venue(e.venue), "kind": e.kind,
                "off_arxiv": not self.groups[gi].ids.arxiv and merging.links_offsite_pdf(e)}

    # -- the plan ---------------------------------------------------------------------------------
    def start(self) -> None:
        papers = [(gi, g) for gi, g in enumerate(self.groups) if g.kind in merging.RESOLVABLE_KINDS]
        arxiv_ids: dict[str, list[int]] = defaultdict(list)
        for gi, g in papers:
            if g.ids.arxiv:
                arxiv_ids[g.ids.arxiv].append(gi)
        if arxiv_ids:
            # first in the arXiv lane: the DBLP searches of every arXiv-linked paper wait for its titles
            ids = sorted(arxiv_ids)
            failures: dict[str, BaseException] = {}
            self.once("arxiv", ("arxiv-batch", tuple(ids)),
                      lambda: self.src.arxiv.fetch_by_ids(self.fetcher, ids, errors=failures),
                      lambda value, error: self._arxiv_batch_done(arxiv_ids, value, error, failures))
        for gi, g in papers:
            if g.ids.acl:
                self.fetch_acl(gi, g.ids.acl)
            if g.ids.openreview:
                self.fetch_openreview(gi, g.ids.openreview)
            if not (g.ids.arxiv or g.ids.acl or g.ids.openreview):
                self.search_dblp(gi, g.title)
                self.search_arxiv(gi, g.title)

    def _arxiv_batch_done(self, wanted: dict[str, list[int]], found: dict[str, Record] | None,
                          error: BaseException | None, failures: dict[str, BaseException]) -> None:
        for arxiv_id, gis in wanted.items():
            record = (found or {}).get(arxiv_id)
            failed = error or failures.get(arxiv_id)
            for gi in gis:
                g = self.groups[gi]
                if record is not None:
                    self.add(gi, record)
                    if record.ids.acl and not g.ids.acl:
                        self.fetch_acl(gi, record.ids.acl)  # arXiv's `doi` names the Anthology version
                elif failed is not None:
                    self.problem(gi, "arxiv", failed)
                else:
                    self.problem(gi, "arxiv", f"no record for arXiv:{arxiv_id}")
                if not (g.ids.acl or g.ids.openreview or (record is not None and record.ids.acl)):
                    self.search_dblp(gi, record.title if record else g.title)

    def fetch_acl(self, gi: int, acl_id: str, match=None) -> None:
        def done(record: Record | None, error: BaseException | None) -> None:
            if error is not None:
                self.problem(gi, "acl", error)
            elif record is None:
                self.problem(gi, "acl", f"no record for {acl_id}")
            else:
                self.add(gi, replace(record, match=match) if match is not None else record)

        self.once("acl", ("acl", acl_id), lambda: self.src.acl.fetch_bib(self.fetcher, acl_id), done)

    def fetch_openreview(self, gi: int, forum: str) -> None:
        hint = self.groups[gi].entries[0].year
        prefer = "v2" if (hint or 0) >= 2024 else "v1"

        def done(record: Record | None, error: BaseException | None) -> None:
            if error is not None:
                self.problem(gi, "openreview", error)
            elif record is None:
                self.problem(gi, "openreview", f"no note for forum {forum}")
            else:
                self.add(gi, record)
            if record is None or not record.published:
                # a rejected / withdrawn / unknown submission: look for the published version elsewhere
                self.search_dblp(gi, record.title if record else self.groups[gi].title)
                if not self.groups[gi].ids.arxiv:
                    self.search_arxiv(gi, record.title if record else self.groups[gi].title)

        self.once("openreview", ("openreview", forum), lambda: self.src.openreview.fetch_note(self.fetcher, forum, prefer=prefer), done)

    def search_arxiv(self, gi: int, title: str) -> None:
        def done(hits: list[Record] | None, error: BaseException | None) -> None:
            if error is not None:
                self.problem(gi, "arxiv", error)
                return
            ref_title, authors, year = self.best_reference(gi)
            self._keep_verified(gi, hits or [], ref_title, authors, year, title, rung=None)

        self.once("arxiv", ("arxiv-search", normalize_title(title)), lambda: self.src.arxiv.search_title(self.fetcher, title), done)

    def search_dblp(self, gi: int, title: str, rung: int = 0) -> None:
        """DBLP title search in rungs (see sources.dblp.search_rungs): each later rung only while no
        earlier one gave a verified published version; each rung is one cached request."""
        ref_title, authors, _ = self.best_reference(gi)
        ladder = self.src.dblp.search_rungs(title, authors[0].family if authors else None)
        if rung >= len(ladder):
            return
        rung_name, query = ladder[rung]

        def done(hits: list[Record] | None, error: BaseException | None) -> None:
            if error is not None:
                self.problem(gi, "dblp", error)
                return
            ref_title, authors, year = self.best_reference(gi)
            accepted = self._keep_verified(gi, hits or [], ref_title, authors, year, title, rung=rung_name)
            best = merging.choose_version([r for r in accepted if r.published])
            if best is None:
                self.search_dblp(gi, title, rung + 1)
                return
            acl_id = best.ids.acl
            if acl_id and not self.groups[gi].ids.acl:
                self.fetch_acl(gi, acl_id, match=best.match)
            else:
                self.fetch_dblp_bib(gi, best)

        self.once("dblp", ("dblp-search", query.lower()), lambda: self.src.dblp.search(self.fetcher, query), done)

    def fetch_dblp_bib(self, gi: int, hit: Record) -> None:
        def done(record: Record | None, error: BaseException | None) -> None:
            if error is not None or record is None:
                if error is not None:
                    self.problem(gi, "dblp", error)
                return  # the search hit itself stays as the DBLP record
            enriched = replace(record, match=hit.match, ids=record.ids.merged(hit.ids),
                               venue=record.venue or hit.venue, published=hit.published,
                               authors=record.authors or hit.authors)
            with self.lock:
                self.records[gi] = [r for r in self.records[gi] if r is not hit] + [enriched]

        self.once("dblp", ("dblp-bib", hit.source_key), lambda: self.src.dblp.fetch_bib(self.fetcher, hit.source_key), done)

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


def unverified_reasons(records: Sequence[Record]) -> list[str]:
    """Why a work that found candidates still has none: the best rejected hit and the reason."""
    rejected = sorted((r for r in records if r.match is not None and not r.match.accepted),
                      key=lambda r: -(r.match.title_score if r.match else 0))
    if not rejected:
        return []
    best = rejected[0]
    name = SERVICE_NAMES.get(best.source, best.source)
    return [f"no verified match: {len(rejected)} candidate(s) rejected, best {name} '{best.title}' ({best.match.reason})"]


class _TwinIndex:
    """Finds an earlier work that is the same as a new one without comparing against every work
    (a 5,000-entry list would make that quadratic): candidates share an identifier or a near-equal title."""

    def __init__(self, works: list[Work]):
        self.works = works
        self.by_id: dict[tuple[str, str], int] = {}
        self.titles: list[str] = []
        self.title_owner: list[int] = []

    def add(self, index: int, work: Work) -> None:
        for scheme, value in work.ids.known().items():
            if scheme != "github":
                self.by_id.setdefault((scheme, value.lower()), index)
        if work.kind in merging.RESOLVABLE_KINDS:
            self.titles.append(normalize_title(work.title))
            self.title_owner.append(index)

    def find(self, work: Work) -> int | None:
        from rapidfuzz import fuzz, process

        candidates = {i for (scheme, value) in ((k, v.lower()) for k, v in work.ids.known().items() if k != "github")
                      if (i := self.by_id.get((scheme, value))) is not None}
        title = normalize_title(work.title)
        if title and self.titles:
            for _, _, pos in process.extract(title, self.titles, scorer=fuzz.ratio, score_cutoff=97.0, limit=5):
                candidates.add(self.title_owner[pos])
        return next((i for i in sorted(candidates) if merging.same_work(self.works[i], work)), None)


def resolve_entries(entries: Sequence[Entry], fetcher: Any) -> ResolveResult:
    """Resolve list entries into works (list order), using `fetcher` for every request."""
    groups = group_entries(entries)
    run = _Run(fetcher, groups)
    try:
        run.start()
    finally:
        run.wait()
    works: list[Work] = []
    twins = _TwinIndex(works)
    records_of: list[list[Record]] = []
    problems_of: list[list[str]] = []
    for gi, g in enumerate(groups):
        recs = run.records.get(gi, [])
        probs = list(run.problems.get(gi, []))
        if g.kind in merging.RESOLVABLE_KINDS and not any(r.match is None or r.match.accepted for r in recs):
            probs += unverified_reasons(recs)
        if g.kind in merging.RESOLVABLE_KINDS:
            try:
                work = merging.merge(g.entries, recs, probs)
            except Exception as exc:  # a source answered something unusable: keep the list's data, say why
                log.warning("cannot merge the records of line %d: %s", g.entries[0].line, exc)
                work = merging.list_only_work(g.entries, [*probs, f"unusable source data ({type(exc).__name__})"])
        else:
            work = merging.list_only_work(g.entries)
        # a work found under two list positions with different links (arXiv here, ACL there) is still one work
        twin = twins.find(work) if g.kind in merging.RESOLVABLE_KINDS else None
        if twin is not None:
            entries_all = sorted(works[twin].entries + work.entries, key=lambda e: e.line)
            records_of[twin] += recs
            problems_of[twin] += [p for p in probs if p not in problems_of[twin]]
            works[twin] = merging.merge(entries_all, records_of[twin], problems_of[twin])
            twins.add(twin, works[twin])
            continue
        twins.add(len(works), work)
        works.append(work)
        records_of.append(list(recs))
        problems_of.append(list(probs))
    events = list(getattr(fetcher, "events", []))
    requests = {h: s.requests for h, s in getattr(fetcher, "stats", {}).items()}
    return ResolveResult(works=works, failed_sources=dict(run.failed), events=events, requests=requests)
