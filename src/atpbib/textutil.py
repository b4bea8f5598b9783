"""Small text checks shared by the fetch layer (validating BibTeX answers) and the exporters."""
from __future__ import annotations


def brace_problem(text: str) -> str | None:
    """What BibTeX would object to in `text`'s braces (every brace counts, backslash or not), or None."""
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return "a closing brace without an opening one"
    return "an unclosed brace (truncated?)" if depth else None


def braces_balanced(text: str) -> bool:
    return brace_problem(text) is None
