"""The Python API: the same pipeline the CLI runs, without the terminal.

    >>> import atpbib
    >>> result = atpbib.resolve(sections=["Compression"], offline=True)
    >>> [w.key for w in result.works]
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import RESOLVABLE_KINDS

if TYPE_CHECKING:  # lazy: `atpbib sections` / `list` never load the resolver (merge, rapidfuzz, …)
    from .model import Entry, Work
    from .resolve import ResolveResult


def make_fetcher(
    *,
    cache_dir: str | Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    mailto: str | None = None,
    on_request: Callable[..., None] | None = None,
    lazy_cache: bool = False,
) -> Any:
    """A Fetcher configured from arguments and the environment (ATPBIB_CACHE_DIR, ATPBIB_MAILTO)."""
    from . import config
    from .fetch import Fetcher

    return Fetcher(
        Path(cache_dir) if cache_dir else config.default_cache_dir(),
        offline=offline,
        refresh=refresh,
        mailto=mailto or config.mailto(),
        on_request=on_request,
        lazy_cache=lazy_cache,
        **config.fetch_settings(),
    )


class LazyFetcher:
    """A Fetcher made on first use: a run the lock serves entirely never loads the network stack."""

    def __init__(self, make: Callable[[], Any], *, cache_dir: str | Path | None = None, refresh: bool = False) -> None:
        import threading

        self._make = make
        self._real: Any = None
        self._making = threading.Lock()  # the resolver's threads ask at once: one Fetcher, one pacing state
        # what the resolver may know before the fetcher exists (remembered answers: answers.open_for)
        self.planned = {"cache_dir": cache_dir, "refresh": refresh}

    @property
    def made(self) -> bool:
        return self._real is not None

    def __getattr__(self, name: str) -> Any:
        if self._real is None:
            with self._making:
                if self._real is None:
                    self._real = self._make()
        return getattr(self._real, name)

    def close(self) -> None:
        if self._real is not None:
            self._real.close()


def load(list_path: str | None = None, fetcher: Any = None, remember: bool = False):
    """Parse the list (bundled ATPapers by default, a path or an http(s) URL otherwise); `remember` reuses
    an earlier parse of the same text from the cache folder."""
    from .listparse import load_list

    return load_list(list_path, fetcher=fetcher, remember=remember)


def select(parsed: Any, sections: Sequence[str] = ()) -> tuple[Entry, ...]:
    from .select import select_entries

    return select_entries(parsed, list(sections))


def resolve(
    sections: Sequence[str] = (),
    list_path: str | None = None,
    *,
    offline: bool = False,
    refresh: bool = False,
    cache_dir: str | Path | None = None,
    mailto: str | None = None,
    kinds: Sequence[str] = RESOLVABLE_KINDS,
    key_format: str | None = None,
    fetcher: Any = None,
) -> ResolveResult:
    """Resolve the selected entries of a list into works with stable citation keys.

    Only the selection is fetched; the rest of the list is resolved from the cache alone, so that
    citation-key collisions are decided over the whole list and a work keeps its key whatever is selected.
    """
    own = fetcher is None
    fetcher = fetcher or make_fetcher(cache_dir=cache_dir, offline=offline, refresh=refresh, mailto=mailto)
    try:
        parsed = load(list_path, fetcher=fetcher)
        return resolve_selected(parsed, select(parsed, sections), fetcher, kinds=kinds, key_format=key_format)
    finally:
        if own:
            fetcher.close()


def resolve_selected(parsed: Any, selected: Sequence[Entry], fetcher: Any, *,
                     kinds: Sequence[str] = RESOLVABLE_KINDS, key_format: str | None = None,
                     existing: set[str] | frozenset[str] = frozenset(), lock: Any = None) -> ResolveResult:
    """Resolve the selected entries of a parsed list (those of `kinds`) and give them their keys.

    With a lock (lock.Lock), a locked entry is served from it with no request; the others are resolved as
    usual and listed in `result.not_locked`."""
    from .inputs import markdown
    from .resolve import ResolveResult, resolve_entries

    chosen = [e for e in selected if e.kind in kinds]
    locked, todo = split_by_lock(chosen, lock)
    result = resolve_entries(todo, fetcher) if todo else ResolveResult(works=[])
    if locked:
        result.works = join_twins(markdown.with_discrepancies(locked) + result.works)
    result.not_locked = [e for e in todo if e.kind in RESOLVABLE_KINDS] if lock is not None else []
    result.lock = lock
    result.works = with_keys(result.works, parsed, kinds, fetcher, key_format, existing=existing, lock=lock)
    return result


def split_by_lock(entries: Sequence[Entry], lock: Any) -> tuple[list[Work], list[Entry]]:
    """(works served by the lock, entries it does not hold); only papers are locked."""
    if lock is None:
        return [], list(entries)
    served: list[Work] = []
    todo: list[Entry] = []
    for e in entries:
        work = lock.work_for(e) if e.kind in RESOLVABLE_KINDS else None
        if work is None:
            todo.append(e)
        else:
            served.append(work)
    return served, todo


def join_twins(works: list[Work]) -> list[Work]:
    """One work per paper, in list order: two list positions of one work (found the same in the lock, or
    one locked and one resolved) become one work with both origins."""
    from .identity import TwinIndex

    ordered = sorted(works, key=lambda w: w.first_entry.line)
    out: list[Work] = []
    twins = TwinIndex(out)
    for w in ordered:
        i = twins.find(w) if w.kind in RESOLVABLE_KINDS else None
        if i is None:
            twins.add(len(out), w)
            out.append(w)
        else:
            out[i] = out[i].with_(origins=tuple(sorted(out[i].origins + w.origins, key=lambda o: o.line)))
    return out


def with_keys(works: list[Work], parsed: Any, kinds: Sequence[str], fetcher: Any, key_format: str | None,
              existing: set[str] | frozenset[str] = frozenset(), lock: Any = None) -> list[Work]:
    """Give each work its citation key, deciding collisions over every entry of the whole list."""
    from .keys import assign_keys

    selected_lines = {e.line for w in works for e in w.entries}
    others = [e for e in parsed.entries if e.kind in kinds and e.line not in selected_lines]
    rest, others = split_by_lock(others, lock)
    if others:
        # resolve the rest from the cache only: no network, same answers as a full run once cached
        from .fetch import Fetcher
        from .resolve import resolve_entries

        from .fetch import CACHE_FILE

        planned = getattr(fetcher, "planned", None)  # a LazyFetcher not made yet stays unmade
        cache_dir = planned["cache_dir"] if planned is not None else getattr(fetcher, "cache_dir", None)
        if cache_dir is not None and not (Path(cache_dir) / CACHE_FILE).exists():
            cache_dir = None  # nothing cached yet: an empty in-memory cache answers the same, and creates no file
        with Fetcher(cache_dir, offline=True) as quiet:
            rest += resolve_entries(others, quiet).works
    # a selected work also listed in an unselected section is one work: it keeps its whole-list position
    from .identity import TwinIndex

    position = {id(w): w.first_entry.line for w in works}
    twins = TwinIndex(works)
    for i, w in enumerate(works):
        twins.add(i, w)
    unique_rest = []
    for other in rest:
        at = twins.find(other)
        twin = None if at is None else works[at]
        if twin is None:
            unique_rest.append(other)
        else:
            position[id(twin)] = min(position[id(twin)], other.first_entry.line)
    for other in unique_rest:
        position[id(other)] = other.first_entry.line
    every = sorted(works + unique_rest, key=lambda w: position[id(w)])
    keyed = assign_keys(every, template=key_format, existing=existing) if key_format else assign_keys(every, existing=existing)
    key_of = {id(orig): new.key for orig, new in zip(every, keyed)}
    return [w.with_(key=key_of[id(w)]) for w in works]
