"""One module per bibliographic service: URL building (from `config.endpoints()`) and parsing into `Record`.

Sources never retry, cache or sleep: every request goes through the shared `fetch.Fetcher`, which does.
Parsers are pure functions over bytes/text/JSON so they can be tested on recorded shapes.
Submodules are imported on first use (`sources.arxiv`, `SOURCES["dblp"]`) to keep CLI start-up fast.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

NAMES = ("arxiv", "acl", "openreview", "dblp")


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


class _LazySources(dict):
    """{"arxiv": module, …} whose modules are imported when first looked up."""

    def __missing__(self, key: str) -> ModuleType:
        if key not in NAMES:
            raise KeyError(key)
        module = importlib.import_module(f"{__name__}.{key}")
        self[key] = module
        return module

    def values(self):  # type: ignore[override]
        return [self[k] for k in NAMES]

    def items(self):  # type: ignore[override]
        return [(k, self[k]) for k in NAMES]

    def __iter__(self):
        return iter(NAMES)

    def __len__(self) -> int:
        return len(NAMES)

    def __contains__(self, key: object) -> bool:
        return key in NAMES


SOURCES: dict[str, ModuleType] = _LazySources()


def __getattr__(name: str) -> Any:
    if name in NAMES:
        return SOURCES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["NAMES", "SOURCES", "SourceError", "is_http_status"]
