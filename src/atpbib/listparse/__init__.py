"""Markdown paper list → Entry, one per list item (or table row), with recovery warnings.

The stages, one module each: `load` reads the list, `document` walks markdown-it's blocks (headings,
items, tables, paragraphs), `inline` turns an item's inline tokens into segments, `item` reads the title,
authors, venue hint, nickname and links out of them (`people` tells names from title words), `kinds` says
what the item is, `links` repairs its links.
"""
from __future__ import annotations

from .document import MAX_NESTING, parse_list
from .load import BUNDLED_NAME, MAX_LIST_BYTES, load_list
from .parsed import Heading, ListError, ListWarning, ParsedList, count_lines, entry_to_json
from .hints import parse_venue

# The issue calls it `Warning`; ListWarning avoids shadowing the builtin for importers.
Warning = ListWarning  # noqa: A001

__all__ = [
    "Heading",
    "ListWarning",
    "ParsedList",
    "ListError",
    "parse_list",
    "load_list",
    "entry_to_json",
    "parse_venue",
    "count_lines",
    "BUNDLED_NAME",
    "MAX_LIST_BYTES",
    "MAX_NESTING",
]
