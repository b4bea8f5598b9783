"""What a parse gives back: entries, headings and warnings (and the error for a list that cannot be read)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import ENTRY_ID_SCHEMES, Entry, ListWarning


class ListError(Exception):
    """The list could not be read (missing, not text, not Markdown, unreachable)."""


@dataclass(frozen=True)
class Heading:
    path: tuple[str, ...]  # this heading's path, ending with its own text
    level: int
    line: int


@dataclass(frozen=True)
class ParsedList:
    entries: tuple[Entry, ...]
    headings: tuple[Heading, ...]
    warnings: tuple[ListWarning, ...]
    source_name: str = "<list>"
    text: str = ""  # the list as read, so `check --fix` can rewrite single lines and keep the rest


def count_lines(text: str) -> int:
    """Lines as markdown-it counts them (\\r\\n, \\r and \\n all end a line)."""
    if not text:
        return 0
    return len(re.split(r"\r\n|\r|\n", text))


def entry_to_json(e: Entry) -> dict[str, Any]:
    """The public JSON shape of an entry (`atpbib list --json`)."""
    return {
        "section": e.section_path,
        "line": e.line,
        "title": e.title,
        "authors": list(e.authors),
        "venue": e.venue,
        "year": e.year,
        "nickname": e.nickname,
        "kind": e.kind,
        "links": [{"label": lk.label, "url": lk.url} for lk in e.links],
        "ids": {k: getattr(e.ids, k) for k in ENTRY_ID_SCHEMES},
        "warnings": [w.message for w in e.warnings],
    }
