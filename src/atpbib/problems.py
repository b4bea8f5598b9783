"""Problems and warnings as typed values.

A `Problem` is the one-line text a user reads (it *is* a `str`, so reports and JSON print it as before)
and carries what code needs to act on it — which source, what kind — so the CLI, `check` and the lock
never parse the text again.
"""
from __future__ import annotations

# kinds: "unreachable" (a service could not be reached), "timeout", "offline" (not in the cache),
# "answer" (a service answered something unusable), "missing" (a service does not know the id),
# "unverified" (search hits, none verified), "authors-unknown", "not-locked", "unusable".
RUN_WIDE_KINDS = ("unreachable", "timeout", "offline", "answer")


class Problem(str):
    """Why a work is partial: a message, its source and its kind."""

    source: str | None
    kind: str

    def __new__(cls, text: str, *, source: str | None = None, kind: str = "other") -> "Problem":
        obj = super().__new__(cls, text)
        obj.source = source
        obj.kind = kind
        return obj

    def __reduce__(self):  # picklable (multiprocessing)
        return (_rebuild, (str(self), self.source, self.kind))

    @property
    def run_wide(self) -> bool:
        """Does it say the service failed for the whole run (not only that it lacks this work)?"""
        return self.kind in RUN_WIDE_KINDS


def _rebuild(text: str, source: str | None, kind: str) -> Problem:
    return Problem(text, source=source, kind=kind)


def problem_from_error(source: str, label: str, error: BaseException | str) -> Problem:
    """The problem line for a failed request (a FetchError's kind) or a plain 'no record' message."""
    if isinstance(error, str):
        return Problem(f"{label}: {error}", source=source, kind="missing")
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    kind = getattr(error, "kind", None)
    if kind in ("unreachable", "circuit-open"):
        return Problem(f"{label} unreachable", source=source, kind="unreachable")
    if kind == "timeout":
        return Problem(f"{label}: timed out", source=source, kind="timeout")
    if kind == "offline":
        return Problem(f"{label}: not in the cache (offline)", source=source, kind="offline")
    return Problem(f"{label}: {text}", source=source, kind="answer")


AUTHORS_UNKNOWN = "no source knows its authors"
