"""Block HTML inside a Markdown list, read as the Markdown it stands for, line for line.

Lists written partly in HTML (`<h2 id="x">Models</h2>`, `<ul><li>…</li></ul>`, `<p>…</p>`, `<details>`) are
blocks that markdown-it leaves as raw HTML, so their headings are no sections and their items no entries.
Each such line is rewritten into its Markdown form — a heading, a bullet, plain text — keeping every line
where it was, so line numbers and `check --fix` still name the list as written. Inline HTML that remains
(`<a href>`, `<b>`, `<u>`) is read by the inline stage.
"""
from __future__ import annotations

import re

_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(?P<inner>.*?)</h\1\s*>\s*$", re.IGNORECASE)
_HEADING_OPEN = re.compile(r"^\s*<h([1-6])\b[^>]*>(?P<inner>.*)$", re.IGNORECASE)
_LI = re.compile(r"^(?P<indent>\s*)<li\b[^>]*>\s*", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(?P<inner>.*?)</summary\s*>", re.IGNORECASE)
_DROP = re.compile(r"</?(?:ul|ol|p|div|details|center|section|article|span|font|table|tbody|thead|blockquote)\b[^>]*>"
                   r"|</li\s*>|</h[1-6]\s*>", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_BLOCK_START = re.compile(r"^\s*</?(?:h[1-6]|ul|ol|li|p|div|details|summary|center|section|table|blockquote)\b",
                          re.IGNORECASE)


def _nesting(depth: int) -> str:
    return "  " * max(depth - 1, 0)


def markdown_of_html_lines(text: str) -> str:
    """The list with its block-HTML lines in Markdown form; every other line (and the line count) unchanged."""
    if "<" not in text:
        return text
    lines = re.split(r"(\r\n|\r|\n)", text)
    out: list[str] = []
    fence: str | None = None
    depth = 0  # <ul>/<ol> nesting, for the bullets' indentation
    for k in range(0, len(lines), 2):
        line = lines[k]
        end = lines[k + 1] if k + 1 < len(lines) else ""
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line + end)
            continue
        if m:
            fence = m.group(1)
            out.append(line + end)
            continue
        if not _BLOCK_START.match(line) and not (depth and "<li" in line.lower()):
            out.append(line + end)
            continue
        opened = len(re.findall(r"<(?:ul|ol)\b", line, re.IGNORECASE))
        closed = len(re.findall(r"</(?:ul|ol)\s*>", line, re.IGNORECASE))
        new = _convert(line, depth + opened)
        depth = max(depth + opened - closed, 0)
        out.append(new + end)
    return "".join(out)


def _convert(line: str, depth: int) -> str:
    h = _HEADING.match(line) or _HEADING_OPEN.match(line)
    if h:
        return "#" * int(h.group(1)) + " " + _DROP.sub(" ", h.group("inner")).strip()
    line = _SUMMARY.sub(lambda s: s.group("inner"), line)
    li = _LI.search(_DROP.sub("", line.split("<li", 1)[0]) + "<li" + line.split("<li", 1)[1]) if "<li" in line.lower() else None
    if li is not None:
        rest = line[re.search(r"<li\b[^>]*>", line, re.IGNORECASE).end():]
        return _nesting(depth) + "- " + _DROP.sub(" ", rest).strip()
    return _DROP.sub(" ", line).strip()
