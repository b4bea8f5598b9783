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
    listing_of: Callable[[str], str | None] | None = None  # a lead's venue → one query listing those proceedings
    lists: Callable[[Any, str], list] | None = None  # (fetcher, listing query) → every paper of them, to verify
    follows: bool = True  # it looks up an id of its scheme that another source's record names (plan.follows)
    follows_except: tuple[str, ...] = ()  # …except in these sources' records (what they name is answered)
    enriches_hits: bool = False  # a search hit of its own is re-read by its id (a DBLP hit → its BibTeX)
    hit_complete: Callable[[Any], bool] | None = None  # a hit that already carries what re-reading it would give
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


def guarded_registry() -> list[Source]:
    """`registry()` with every step guarded (`guarded`): what the resolver calls."""
    return [guarded(s) for s in registry()]


# -- one guard for every source answer -----------------------------------------------------------------
# A service can answer anything: an OpenReview note whose `id` is a JSON object, a Crossref field that is a
# number where a string was expected. Whatever a source's step raises (other than the fetch layer's own
# errors) or returns in the wrong shape is that source's failure for that call, as a one-line SourceError,
# never a traceback or a record that breaks the merge of the sources that did answer.

_TEXT_FIELDS = ("source", "source_key", "title", "type")
_OPTIONAL_TEXT = ("venue", "container_title", "pages", "volume", "number", "publisher", "address", "doi", "url",
                  "abstract", "primary_class", "journal_ref", "comment", "venue_status", "series", "isbn")
_OPTIONAL_INT = ("year", "month", "arxiv_version")


def shape_problem(record: Any) -> str | None:
    """What is wrong with the shape of a source's Record (None: every field has the type the model says)."""
    from ..model import Ids, Person, Record

    if not isinstance(record, Record):
        return f"a {type(record).__name__} instead of a record"
    for name in _TEXT_FIELDS:
        if not isinstance(getattr(record, name), str):
            return f"{name} is a {type(getattr(record, name)).__name__}, not text"
    for name in _OPTIONAL_TEXT:
        value = getattr(record, name)
        if value is not None and not isinstance(value, str):
            return f"{name} is a {type(value).__name__}, not text"
    for name in _OPTIONAL_INT:
        value = getattr(record, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return f"{name} is a {type(value).__name__}, not a whole number"
    if not isinstance(record.published, bool):
        return f"published is a {type(record.published).__name__}, not true/false"
    for name in ("authors", "editors"):
        people = getattr(record, name)
        if not isinstance(people, tuple) or not all(
                isinstance(p, Person) and isinstance(p.family, str) and isinstance(p.given, str) for p in people):
            return f"{name} are not names"
    if not isinstance(record.ids, Ids) or not all(v is None or isinstance(v, str) for v in vars(record.ids).values()):
        return "ids are not text"
    return None


def _checked(source: str, record: Any) -> Any:
    if record is None:
        return None
    problem = shape_problem(record)
    if problem is not None:
        raise SourceError(source, f"unusable answer ({problem})")
    return record


def _unusable(source: str, exc: Exception) -> SourceError:
    return SourceError(source, f"unusable answer ({type(exc).__name__}: {exc})")


def _passes(exc: BaseException) -> bool:
    """The fetch layer's and the sources' own errors already say what went wrong: they pass as they are."""
    return isinstance(exc, SourceError) or getattr(exc, "kind", None) is not None


def guarded(source: Source) -> Source:
    """`source` whose lookup, lookup_many and search never raise anything but a one-line error of their own
    and never return a record of the wrong shape (see above); the guarded Source is made once per source."""
    cached = _guarded.get(id(source))
    if cached is not None and cached[0] is source:
        return cached[1]
    name = source.name
    changes: dict[str, Any] = {}
    if source.lookup is not None:
        def lookup(fetcher, value, query, _step=source.lookup):
            return _checked(name, _answer(name, _step, fetcher, value, query))
        changes["lookup"] = lookup
    if source.lookup_many is not None:
        def lookup_many(fetcher, ids, errors, _step=source.lookup_many):
            found = _answer(name, _step, fetcher, ids, errors)
            if not isinstance(found, dict):
                raise SourceError(name, f"unusable answer (a {type(found).__name__} instead of records)")
            kept = {}
            for key, record in found.items():
                try:
                    kept[key] = _checked(name, record)
                except SourceError as exc:
                    errors[key] = exc  # that paper's failure; the batch's other answers stand
            return kept
        changes["lookup_many"] = lookup_many
    for step_name in ("search", "lists"):  # a title search, and a listing of proceedings: the same guard
        if getattr(source, step_name) is None:
            continue

        def search(fetcher, text, _step=getattr(source, step_name)):
            return [_checked(name, hit) for hit in _answer(name, _step, fetcher, text) or []]
        changes[step_name] = search
    import dataclasses

    wrapped = dataclasses.replace(source, **changes)
    _guarded[id(source)] = (source, wrapped)
    return wrapped


_guarded: dict[int, tuple[Source, Source]] = {}


def _answer(name: str, step, *args):
    """`step(*args)`; a parser's own failure on the answer is this source's one-line `unusable answer`."""
    try:
        return step(*args)
    except Exception as exc:
        if _passes(exc):
            raise
        raise _unusable(name, exc) from exc


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


__all__ = ["NAMES", "REGISTERED", "SOURCES", "SearchWhen", "Source", "SourceError", "by_name", "guarded",
           "guarded_registry", "is_http_status", "label_of", "rank_of", "register", "registry", "shape_problem",
           "unregister"]
