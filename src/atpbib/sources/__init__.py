"""The source registry: one module per bibliographic service, each declaring itself in a `SOURCE`.

A `Source` says everything the resolver and the fetch layer need to know of a service: its name, its base
URLs (overridable by environment variable), its politeness (seconds between requests), how many requests
it may have in flight, its authority (which record is the version to cite), and its steps: look records up
by an identifier scheme (one by one, or many at once), search by title in rungs, and whether it follows up
the ids of its scheme that other records name (the ACL Anthology fetches the Anthology record a DBLP hit
names; any source does unless it opts out). What to ask when is decided by atpbib.plan from these.

Sources never retry, cache or sleep: every request goes through the shared fetch layer, which does.
Parsers are pure functions over bytes/text/JSON so they can be tested on recorded shapes.

Adding a source is its own module (with a `SOURCE`) and one line in `REGISTERED`; a test can `register()` a
toy source that lives outside the package.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from types import ModuleType
from typing import Any

# The registry: module names under atpbib.sources, in the order their lanes start. One line per source.
REGISTERED: tuple[str, ...] = (
    "arxiv",
    "semanticscholar",
    "acl",
    "openreview",
    "dblp",
    "crossref",
)
NAMES = REGISTERED  # kept for callers of the former name


class SearchWhen(str, Enum):
    """When a source that can search is asked by title (see plan.searches)."""

    NO_PUBLISHED = "no-published"  # while no published version is verified
    UNIDENTIFIED = "nothing"  # only when no source identifies the work at all (a long-tail title match)


@dataclass(frozen=True)
class Source:
    """A service's declaration (see the module docstring)."""

    name: str  # "dblp": the provenance tag of its records
    label: str  # "DBLP": how messages name it
    rank: int  # authority: the lower, the more it is preferred as the version to cite
    lane: int = 1  # requests in flight at once (its worker threads)
    endpoints: tuple[tuple[str, str, str], ...] = ()  # (config name, environment variable, default base URL)
    intervals: tuple[tuple[str, float], ...] = ()  # (config name, default seconds between two requests)
    scheme: str | None = None  # the identifier scheme it looks records up by ("arxiv", "acl", "dblp", …)
    lookup: Callable[[Any, str, Any], Any] | None = None  # (fetcher, id, query) → Record | None
    lookup_many: Callable[[Any, list[str], dict], dict] | None = None  # (fetcher, ids, errors) → {id: Record}
    search: Callable[[Any, str], list] | None = None  # (fetcher, query text) → Records to verify
    search_steps: Callable[[str, Sequence[Any]], list[tuple[str, str]]] | None = None  # (title, authors) → rungs
    follows: bool = True  # it looks up an id of its scheme that another source's record names (plan.follows)
    follows_except: tuple[str, ...] = ()  # …except in these sources' records (what they name is answered)
    enriches_hits: bool = False  # a search hit of its own is re-read by its id (a DBLP hit → its BibTeX)
    container_of: Callable[[Any], str | None] | None = None  # a hit's proceedings: one record of them serves all
    ids_name_venue: bool = False  # an id of its scheme names the venue version itself: no search needed
    missing: str = "no record for {id}"  # the problem line when it does not know an id
    secondary: bool = False  # evidence only: its fields never replace an authoritative record's
    batch_schemes: tuple[str, ...] = ()  # one batch for ids of all these schemes ("arxiv:ID", "acl:ID"): lookup_many
    wants: Callable[[str], bool] | None = None  # which ids of its scheme it looks up (Crossref: not arXiv's DOIs)
    optional: bool = False  # a long-tail source: its failure is noted for the run, never makes a work partial
    search_when: SearchWhen = SearchWhen.NO_PUBLISHED
    preprint_authority: bool = False  # its record is the preprint itself (others' copies of it come second)
    abstract_authority: bool = False  # its abstract is preferred to every other source's


class SourceError(Exception):
    """A service answered, but with something we cannot use (an error feed, an unparseable body)."""

    def __init__(self, source: str, message: str) -> None:
        message = " ".join(str(message).split())  # always one line
        super().__init__(message)
        self.source = source
        self.message = message

    def __str__(self) -> str:
        return self.message


def is_http_status(exc: BaseException, *statuses: int) -> bool:
    """Is `exc` a fetch.FetchError for one of these HTTP statuses? (Duck-typed: no import cycle.)"""
    return getattr(exc, "kind", None) == "http" and getattr(exc, "status", None) in statuses


_extra: list[Source] = []  # registered at run time (tests, plugins)


def register(source: Source) -> None:
    """Add a source that lives outside the package (a test's toy source); `unregister` removes it."""
    unregister(source.name)
    _extra.append(source)


def unregister(name: str) -> None:
    _extra[:] = [s for s in _extra if s.name != name]


def registry() -> list[Source]:
    """Every registered source, in registry order (module sources first)."""
    return [SOURCES[name].SOURCE for name in REGISTERED] + list(_extra)


def by_name(name: str) -> Source | None:
    return next((s for s in registry() if s.name == name), None)


def rank_of(name: str) -> int:
    source = by_name(name)
    return source.rank if source is not None else 9


def label_of(name: str) -> str:
    source = by_name(name)
    return source.label if source is not None else name


class _LazySources(dict):
    """{"arxiv": module, …} whose modules are imported when first looked up."""

    def __missing__(self, key: str) -> ModuleType:
        if key not in REGISTERED:
            raise KeyError(key)
        module = importlib.import_module(f"{__name__}.{key}")
        self[key] = module
        return module

    def values(self):  # type: ignore[override]
        return [self[k] for k in REGISTERED]

    def items(self):  # type: ignore[override]
        return [(k, self[k]) for k in REGISTERED]

    def __iter__(self):
        return iter(REGISTERED)

    def __len__(self) -> int:
        return len(REGISTERED)

    def __contains__(self, key: object) -> bool:
        return key in REGISTERED


SOURCES: dict[str, ModuleType] = _LazySources()


def __getattr__(name: str) -> Any:
    if name in REGISTERED:
        return SOURCES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["NAMES", "REGISTERED", "SOURCES", "SearchWhen", "Source", "SourceError", "by_name", "is_http_status", "label_of",
           "rank_of", "register", "registry", "unregister"]
