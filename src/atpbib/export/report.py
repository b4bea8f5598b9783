"""The export summary: what was exported, what is missing and why, what a user must check.

One dict (build_report) rendered three ways: text for stderr, Markdown and JSON for --report FILE.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..model import Work
from . import bib_category, category
from .latex import clean_text, escape_text, has_cjk, needs_unicode_engine, pdflatex_takes

UNICODE_NOTE = ("{n} work(s) hold characters pdfLaTeX cannot typeset as written (CJK, symbols LaTeX has no name for, "
                "letters such as ạ or Ȧ that biber passes on as UTF-8): compile with a Unicode engine (LuaLaTeX or "
                "XeLaTeX).")


def _first(work: Work) -> dict[str, Any]:
    origin = work.origins[0] if work.origins else None
    return {
        "key": work.key,
        "title": work.title,
        "line": getattr(origin, "line", None),
        "section": "/".join(getattr(origin, "tags", ())[:1]),
    }


def _needs_unicode(work: Work) -> bool:
    texts = [work.title, work.container_title or "", work.publisher or "", work.address or ""]
    texts += [p.family for p in work.authors + work.editors] + [p.given for p in work.authors + work.editors]
    texts += [getattr(o, "note", None) or "" for o in work.origins]
    return any(has_cjk(t) or needs_unicode_engine(escape_text(t)) or not all(map(pdflatex_takes, clean_text(t)))
               for t in texts if t)


def build_report(works: Sequence[Work], *, events: Iterable[str] = (),
                 failed_sources: Mapping[str, str] | None = None,
                 list_warnings: Iterable[tuple[int | None, str]] = ()) -> dict[str, Any]:
    """A JSON-able summary of an export. `list_warnings`: the list parser's notes (line, message) on the
    exported entries: like the discrepancies, the list's business, counted on stderr and listed here."""
    failed_sources = dict(failed_sources or {})
    by_status = Counter(w.status for w in works)
    by_source: Counter[str] = Counter()
    for w in works:
        for s in w.sources or ("none",):
            by_source[s] += 1
    by_type = Counter(category(w) for w in works)
    unresolved = [{**_first(w), "problems": list(w.problems)} for w in works if w.status == "unresolved"]
    partial = [{**_first(w), "problems": list(w.problems)} for w in works if w.status == "partial"]
    downgraded = [
        {**_first(w), "category": category(w), "written_as": bib_category(w)}
        for w in works if bib_category(w) != category(w)
    ]
    discrepancies = [
        {**_first(w), "field": d.field, "listed": d.listed, "resolved": d.resolved, "source": d.source}
        for w in works for d in w.discrepancies
    ]
    unicode_works = [_first(w) for w in works if _needs_unicode(w)]
    return {
        "total": len(works),
        "by_status": dict(sorted(by_status.items())),
        "by_source": dict(sorted(by_source.items())),
        "by_type": dict(sorted(by_type.items())),
        "unresolved": unresolved,
        "partial": partial,
        "downgraded": downgraded,
        "discrepancies": discrepancies,
        "list_warnings": [{"line": line, "message": message} for line, message in list_warnings],
        "failed_sources": dict(sorted(failed_sources.items())),
        "events": list(events),
        "unicode_engine": {
            "needed": bool(unicode_works),
            "works": unicode_works,
            "note": UNICODE_NOTE.format(n=len(unicode_works)) if unicode_works else "",
        },
    }


def _counts(d: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in d.items()) or "none"


def _where(item: Mapping[str, Any]) -> str:
    line = item.get("line")
    return f"line {line}" if line else "(no line)"


def _plural(n: int, word: str, words: str = "") -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _render_text(r: Mapping[str, Any], check_command: str = "atpbib check") -> str:
    """The stderr summary: one line for the export; what the user must act on (unresolved works, failed
    sources) line by line; the list's own business (discrepancies, parser notes) counted in one line that
    says where to read it."""
    out = [f"exported {r['total']} work(s): {_counts(r['by_status'])}; by source: {_counts(r['by_source'])}"]
    for item in r["unresolved"]:
        why = "; ".join(item["problems"]) or "no source found it"
        out.append(f"unresolved: {_where(item)}: {item['title']} ({why})")
    for item in r["partial"]:
        if item["problems"]:
            out.append(f"partial: {_where(item)}: {item['title']} ({'; '.join(item['problems'])})")
    for item in r["downgraded"]:
        out.append(f"written as @{item['written_as']} (incomplete {item['category']}): {_where(item)}: {item['key']}")
    listed = []
    if r["discrepancies"]:
        listed.append(_plural(len(r["discrepancies"]), "discrepancy", "discrepancies") + " with the sources")
    if r.get("list_warnings"):
        listed.append(_plural(len(r["list_warnings"]), "parser note"))
    if listed:
        out.append(f"list: {' and '.join(listed)}: `{check_command}` lists them (or --report FILE.md)")
    for service, reason in r["failed_sources"].items():
        out.append(f"source failed: {reason if reason.startswith(service) else f'{service}: {reason}'}")
    for event in r["events"]:
        out.append(f"note: {event}")
    if r["unicode_engine"]["needed"]:
        out.append("note: " + r["unicode_engine"]["note"])
    return "\n".join(out) + "\n"


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _render_markdown(r: Mapping[str, Any]) -> str:
    out = ["# atpbib export report", "",
           f"- works exported: **{r['total']}**",
           f"- by status: {_counts(r['by_status'])}",
           f"- by source: {_counts(r['by_source'])}",
           f"- by type: {_counts(r['by_type'])}", ""]
    if r["unresolved"] or r["partial"]:
        out += ["## Unresolved and partial works", "", "| status | line | key | title | problems |", "|---|---|---|---|---|"]
        for status in ("unresolved", "partial"):
            for item in r[status]:
                out.append(f"| {status} | {item['line'] or ''} | {_md(item['key'])} | {_md(item['title'])} | "
                           f"{_md('; '.join(item['problems']))} |")
        out.append("")
    if r["downgraded"]:
        out += ["## Incomplete entries written as a simpler type", ""]
        out += [f"- line {i['line']}: `{i['key']}` is a {i['category']}, written as @{i['written_as']}" for i in r["downgraded"]]
        out.append("")
    if r.get("list_warnings"):
        out += ["## Notes on the list", ""]
        out += [f"- line {w['line']}: {_md(w['message'])}" for w in r["list_warnings"]]
        out.append("")
    if r["discrepancies"]:
        out += ["## Discrepancies with the list", "", "| line | key | field | list | sources | source |", "|---|---|---|---|---|---|"]
        for d in r["discrepancies"]:
            out.append(f"| {d['line'] or ''} | {_md(d['key'])} | {d['field']} | {_md(d['listed'])} | "
                       f"{_md(d['resolved'])} | {_md(d['source'])} |")
        out.append("")
    if r["failed_sources"] or r["events"]:
        out += ["## Sources", ""]
        out += [f"- **{_md(k)}** failed: {_md(v)}" for k, v in r["failed_sources"].items()]
        out += [f"- {_md(e)}" for e in r["events"]]
        out.append("")
    if r["unicode_engine"]["needed"]:
        out += ["## Unicode engine needed", "", r["unicode_engine"]["note"], ""]
        out += [f"- line {i['line']}: `{i['key']}` {_md(i['title'])}" for i in r["unicode_engine"]["works"]]
        out.append("")
    return "\n".join(out)


def render_report(report: Mapping[str, Any], fmt: str = "text", *, check_command: str = "atpbib check") -> str:
    """`fmt`: text | markdown | json. `check_command`: the audit the text summary points to."""
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("markdown", "md"):
        return _render_markdown(report)
    if fmt == "text":
        return _render_text(report, check_command)
    raise ValueError(f"unknown report format {fmt!r} (text, markdown, json)")


def report_format_for_path(path: str) -> str:
    """.json → json, .md/.markdown → markdown, anything else → text."""
    low = str(path).lower()
    if low.endswith(".json"):
        return "json"
    if low.endswith((".md", ".markdown")):
        return "markdown"
    return "text"


__all__ = ["build_report", "render_report", "report_format_for_path", "UNICODE_NOTE"]
