"""`atpbib check`: what the list says beside what the sources say, and a corrected copy of the list.

Built on resolved works (one `audit(parsed, result)` call after `resolve_entries`). Finding kinds:

- ``title``: the list's title is not the sources' title. Pure case/punctuation/accent/spacing differences
  (``normalize_title`` equal, or equal once spaces are dropped) are never a finding. Typos and truncations ("…Transforme") are fixable.
  A title that differs widely (similarity < DIFFERENT_PAPER) is either a paper that was retitled on
  publication or a link to another paper; it is reported as a (fixable) ``title`` finding that says
  "retitled" unless there is positive evidence of a wrong link (see ``wrong-link``).
- ``wrong-link``: the paper link points to a different paper than the title. Evidence required: another
  checked entry carries the linked paper's title, or both titles start with a different system name
  ("TinyBERT: …" vs "ALBERT: …"; names survive retitling). Never fixed automatically.
- ``venue`` / ``year``: the ``(VENUE YEAR)`` hint disagrees. The list's own style is kept: "CoRR" means
  arXiv-only, so an arXiv-only paper listed "(CoRR 2019)" is not a finding; a published one is rewritten
  to the resolved short venue ("(AAAI 2020)", "(Findings of EMNLP 2020)"); a year-only typo keeps the
  venue ("(ICLR 202)" → "(ICLR 2020)"). When the sources know only the preprint of a paper the list
  places at a venue, that is reported but not fixed (our four sources may miss the publication), and
  its year is not compared (a venue year is not a preprint year).
- ``venue`` with an empty ``listed``: the entry has no hint at all and the paper is published at a real
  venue: --fix inserts "(EMNLP 2019)" after the title. An arXiv-only paper without a hint is not a
  finding (nothing is wrong, and "(CoRR …)" would add no information).
- ``add-link``: the entry has no identifying paper link (no arXiv/ACL/OpenReview/PMLR/NeurIPS/DOI link,
  only a plain PDF or none) and the sources know one: --fix adds it right after the paper link. Preferred:
  the ACL Anthology page, an accepted OpenReview paper's forum, else the arXiv abstract.
- ``duplicate``: the same work is listed more than once (every listing after the first).
- ``markdown``: the parser's recovery warnings for the checked entries (broken Markdown, split links).
- ``unchecked``: the entry could not be checked (unresolved, or a source failed: the reason is given).
  Unchecked entries count as findings for the exit code: the list is not shown to agree. For a
  partially resolved work the title is still compared, the venue/year only if a published venue is known.

`has_findings` is True when any finding exists (exit code 1). `fix_text` rewrites only the lines with
fixable findings; every other byte of the list (including line endings) is kept.

JSON (`render(…, "json")`): ``{"list", "checked", "counts": {kind: n}, "findings": [{"section", "line",
"kind", "listed", "resolved", "source", "fixable", "fix"}], "entries": [{"section", "line", "status",
"title": {"list", "sources"}, "venue": {…}, "year": {…}, "links": {"list": [urls], "sources": {scheme: id}},
"findings": [kinds]}]}``.
"""
from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .inputs.markdown import discrepancies as list_discrepancies
from . import venues
from .listparse.hints import replace_year
from .match import normalize_title, same_title, title_score
from .model import Entry, Work

log = logging.getLogger(__name__)

# Below this similarity the list's title and the paper behind its link may be different papers.
DIFFERENT_PAPER = 60.0
# At or above this similarity another entry's title names the linked paper.
SAME_PAPER = 90.0
# Identifiers that name a paper (a link with one of these is not "only a PDF").
from .ids import LIST_PAPER_SCHEMES as _PAPER_SCHEMES  # noqa: E402  (the one id table)

KINDS = ("title", "wrong-link", "venue", "year", "add-link", "duplicate", "markdown", "unchecked")


@dataclass(frozen=True)
class Finding:
    entry: Entry
    kind: str  # one of KINDS
    listed: str
    resolved: str
    source: str = ""
    fixable: bool = False
    fix: str = ""  # what --fix writes (a title, a "(VENUE YEAR)" hint, a link)
    line: int | None = None  # the line the finding is about, when not the entry's first line
    note: str = ""

    @property
    def at(self) -> int:
        return self.line if self.line is not None else self.entry.line

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.entry.section_path, "line": self.at, "kind": self.kind,
                "listed": self.listed, "resolved": self.resolved, "source": self.source,
                "fixable": self.fixable, "fix": self.fix or None}


@dataclass
class Findings:
    items: list[Finding] = field(default_factory=list)
    checked: int = 0
    entries: list[dict[str, Any]] = field(default_factory=list)  # the side-by-side view of every entry
    list_name: str = ""

    @property
    def has_findings(self) -> bool:
        """Entries that could not be checked count too: the list is not shown to agree."""
        return bool(self.items)


# ---------------------------------------------------------------- the list's own hint style

def _is_preprint(venue: str | None) -> bool:
    return not venue or venues.is_preprint_venue(venue)


def list_hint(work: Work) -> str | None:
    """The work's venue written the way the list writes hints: "CoRR 2019" for arXiv-only, "AAAI 2020"."""
    if _is_preprint(work.venue):
        return f"CoRR {work.year}" if work.year else None
    hint = work.venue or ""
    if work.year and not re.search(r"(?<!\d)\d{4}(?!\d)", hint):
        hint = f"{hint} {work.year}"
    return hint


def _system_name(title: str) -> str | None:
    """"TinyBERT: Distilling…" → "tinybert": a short name before a colon (kept when a paper is retitled)."""
    head, sep, _ = title.partition(":")
    if not sep or not head.strip() or len(head.split()) > 3:
        return None
    return normalize_title(head) or None


# ---------------------------------------------------------------- audit

def audit(parsed: Any, result: Any) -> Findings:
    """Compare every checked entry (the entries of `result.works`) with its work."""
    out = Findings(list_name=getattr(parsed, "source_name", ""))
    warnings = list(getattr(parsed, "warnings", ()))
    all_entries = [(e, w) for w in result.works for e in w.entries]
    for work in result.works:
        for entry in work.entries:
            out.checked += 1
            found = _entry_findings(entry, work, all_entries)
            found += _markdown_findings(entry, warnings)
            out.items.extend(found)
            out.entries.append(_side_by_side(entry, work, found))
        out.items.extend(_duplicates(work))
    out.items = _unique_in_list_order(out.items)
    out.entries.sort(key=lambda d: d["line"])
    return out


def _reason(problems: Sequence[str]) -> str:
    """The resolver's problems, short enough for one report line (no request URLs, no doubled prefixes)."""
    out = []
    for p in problems:
        p = re.sub(r"(?:,\s*skipped)?:?\s*https?://\S+", "", p).strip()
        p = re.sub(r"^([\w .]+): \1: ", r"\1: ", p)
        if p and p not in out:
            out.append(p)
    return "; ".join(out)


def _entry_findings(entry: Entry, work: Work, all_entries: Sequence[tuple[Entry, Work]]) -> list[Finding]:
    if work.status == "unresolved" or work.sources == ("list",):
        reason = _reason(work.problems) or "no source knows this paper"
        return [Finding(entry, "unchecked", entry.title, reason)]
    items: list[Finding] = []
    if work.status == "partial":
        items.append(Finding(entry, "unchecked", entry.title, "incomplete: " + (_reason(work.problems) or "partial")))
    source_of = dict(work.provenance)
    title_src = source_of.get("title", "")

    # title, or a link to another paper
    if entry.title and work.title and not same_title(entry.title, work.title):
        score = title_score(entry.title, work.title)
        evidence = _wrong_link_evidence(entry, work, all_entries) if score < DIFFERENT_PAPER else ""
        if evidence:
            return items + [Finding(entry, "wrong-link", entry.title, work.title, title_src, note=evidence)]
        note = "retitled? the titles differ widely; check the link" if score < DIFFERENT_PAPER else ""
        items.append(Finding(entry, "title", entry.title, work.title, title_src, fixable=True, fix=work.title, note=note))

    # venue and year
    published = not _is_preprint(work.venue)
    if work.status == "partial" and not published:
        pass  # a missing publication may be the failed source's to know
    elif entry.venue_raw is None:
        hint = list_hint(work)
        if published and hint:
            items.append(Finding(entry, "venue", "", work.venue or hint, source_of.get("venue", ""), fixable=True,
                                 fix=f"({hint})", note="no venue hint"))
    else:
        mine = list_discrepancies(work, [entry])
        venue_d = next((d for d in mine if d.field == "venue"), None)
        year_d = next((d for d in mine if d.field == "year"), None)
        hint = list_hint(work)
        if venue_d is not None and not published and not _is_preprint(entry.venue):
            # the list places it at a venue; the sources know only the preprint: report, do not demote
            items.append(Finding(entry, "venue", venue_d.listed, f"only the arXiv preprint ({hint})",
                                 venue_d.source, note="publication not confirmed by the sources"))
        else:
            if venue_d is not None and hint:
                items.append(Finding(entry, "venue", venue_d.listed, venue_d.resolved, venue_d.source,
                                     fixable=True, fix=f"({hint})"))
            if year_d is not None and work.year:
                fix = f"({hint})" if venue_d is not None and hint else f"({replace_year(entry.venue_raw, work.year)})"
                items.append(Finding(entry, "year", year_d.listed, year_d.resolved, year_d.source, fixable=True, fix=fix))

    link = _missing_link(entry, work)
    if link:
        items.append(Finding(entry, "add-link", "", link, "", fixable=True, fix=link))
    return items


def _wrong_link_evidence(entry: Entry, work: Work, all_entries: Sequence[tuple[Entry, Work]]) -> str:
    """Why we believe the link names another paper (empty: no evidence, the paper may have been retitled)."""
    for other, _ in all_entries:
        if other.line != entry.line and title_score(other.title, work.title) >= SAME_PAPER:
            return f"line {other.line} lists the linked paper"
    mine, theirs = _system_name(entry.title), _system_name(work.title)
    if mine and theirs and mine != theirs:
        return f"'{mine}' is not '{theirs}'"
    return ""


def _missing_link(entry: Entry, work: Work) -> str | None:
    """An arXiv / ACL / OpenReview link for an entry whose links name no paper (a plain PDF, or none)."""
    if any(getattr(entry.ids, s) for s in _PAPER_SCHEMES):
        return None
    # the published version's own page first (ACL, an accepted OpenReview paper), else the preprint
    from .ids import landing

    if work.ids.acl:
        return f"{landing('acl', work.ids.acl)}/"  # the Anthology's canonical form ends with a slash
    if work.ids.openreview and dict(work.provenance).get("venue") == "openreview":
        return landing("openreview", work.ids.openreview)
    if work.ids.arxiv:
        return landing("arxiv", work.ids.arxiv)
    return None


def _markdown_findings(entry: Entry, warnings: Sequence[Any]) -> list[Finding]:
    last = entry.end_line or entry.line
    out = []
    for w in warnings:
        if entry.line <= w.line <= last:
            out.append(Finding(entry, "markdown", w.text, "", "list", line=w.line))
    return out


def _duplicates(work: Work) -> list[Finding]:
    """Every listing of a work after the first (wrong links are not duplicates)."""
    if len(work.entries) < 2:
        return []
    same = [e for e in work.entries if title_score(e.title, work.title) >= DIFFERENT_PAPER] or list(work.entries)
    if len(same) < 2:
        return []
    lines = ", ".join(str(e.line) for e in same)
    return [Finding(e, "duplicate", e.title, f"same paper as line {same[0].line} (lines {lines})") for e in same[1:]]


def _unique_in_list_order(items: list[Finding]) -> list[Finding]:
    order = {k: i for i, k in enumerate(KINDS)}
    seen: set[tuple] = set()
    unique = []
    for f in sorted(items, key=lambda f: (f.entry.line, order.get(f.kind, 99), f.at)):
        k = (f.entry.line, f.kind, f.listed, f.resolved, f.at)
        if k not in seen:
            seen.add(k)
            unique.append(f)
    return unique


def _side_by_side(entry: Entry, work: Work, found: Sequence[Finding]) -> dict[str, Any]:
    return {
        "section": entry.section_path,
        "line": entry.line,
        "status": work.status,
        "title": {"list": entry.title, "sources": None if work.sources == ("list",) else work.title},
        "venue": {"list": entry.venue_raw, "sources": None if work.sources == ("list",) else list_hint(work)},
        "year": {"list": entry.year, "sources": None if work.sources == ("list",) else work.year},
        "links": {"list": [l.url for l in entry.links],
                  "sources": {k: v for k, v in work.ids.known().items() if k != "github"}},
        "findings": sorted({f.kind for f in found}),
    }


# ---------------------------------------------------------------- report

def _describe(f: Finding) -> str:
    src = f" ({f.source})" if f.source and f.source != "list" else ""
    if f.kind == "unchecked":
        return f"could not be checked: {f.resolved}"
    if f.kind == "duplicate":
        return f"listed twice: {f.resolved}"
    if f.kind == "wrong-link":
        return f"paper link points to a different paper: list {f.listed!r}, link {f.resolved!r}{src} [{f.note}]"
    if f.kind == "add-link":
        return f"no arXiv/ACL/OpenReview link; add {f.resolved}"
    if f.kind == "markdown":
        return f"markdown: {f.listed}"
    if f.kind == "venue" and not f.listed:
        return f"venue: no hint, sources say {f.resolved!r}{src}; add {f.fix}"
    text = f"{f.kind}: list {f.listed!r}, sources {f.resolved!r}{src}"
    if f.fixable and f.fix:
        text += f" → {f.fix}" if f.kind != "title" else ""
    if f.note:
        text += f" [{f.note}]"
    return text


def render(findings: Findings, fmt: str = "text") -> str:
    """The report: text (terminal), markdown (a CI comment), or json (documented in the module docstring)."""
    counts: dict[str, int] = {}
    for f in findings.items:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    if fmt == "json":
        return json.dumps({"list": findings.list_name, "checked": findings.checked, "counts": counts,
                           "findings": [f.as_dict() for f in findings.items], "entries": findings.entries},
                          ensure_ascii=False, indent=2)
    md = fmt == "markdown"
    by_section: dict[str, list[Finding]] = {}
    for f in findings.items:
        by_section.setdefault(f.entry.section_path, []).append(f)
    lines: list[str] = []
    if md:
        lines += [f"# atpbib check: {findings.list_name}" if findings.list_name else "# atpbib check", ""]
    for section, items in by_section.items():
        lines.append(f"## {section}" if md else section)
        if md:
            lines.append("")
        for f in items:
            lines.append(f"{'- ' if md else '  '}line {f.at}: {_describe(f)}")
        lines.append("")
    unchecked = {f.entry.line for f in findings.items if f.kind == "unchecked"}
    n = sum(1 for f in findings.items if f.kind != "unchecked")
    fixable = sum(1 for f in findings.items if f.fixable)
    summary = (f"{findings.checked} entries checked, {n} finding(s) ({fixable} fixable with --fix), "
               f"{len(unchecked)} not (fully) checkable")
    if not findings.items:
        summary += ": the list agrees with the sources"
    lines.append(f"**{summary}**" if md else summary)
    return "\n".join(lines)


# ---------------------------------------------------------------- --fix

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, numbered the way markdown-it numbers them (\\r\\n, \\r and \\n only)."""
    return _LINES.findall(text)


def _title_pattern(title: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in title.split()]
    return re.compile(r"\s+".join(words))


def _fix_line(line: str, entry: Entry, items: Sequence[Finding]) -> str:
    new = line
    title_end = None
    title_fix = next((f for f in items if f.kind == "title"), None)
    m = _title_pattern(entry.title).search(new) if entry.title else None
    if m:
        title_end = m.end()
        if title_fix:
            new = new[: m.start()] + title_fix.fix + new[m.end():]
            title_end = m.start() + len(title_fix.fix)
    elif title_fix:
        log.warning("line %d: title not found on the line; title not fixed", entry.line)

    hint_fix = next((f for f in items if f.kind == "venue" and f.listed), None) or next(
        (f for f in items if f.kind == "year"), None)
    if hint_fix and entry.venue_raw is not None:
        old = re.compile(r"\(\s*" + r"\s+".join(re.escape(w) for w in entry.venue_raw.split()) + r"\s*\)")
        start = title_end or 0
        hm = old.search(new, start) or old.search(new)
        if hm:
            new = new[: hm.start()] + hint_fix.fix + new[hm.end():]
        else:
            log.warning("line %d: hint (%s) not found on the line; not fixed", entry.line, entry.venue_raw)

    insert = next((f for f in items if f.kind == "venue" and not f.listed), None)
    if insert and title_end is not None and entry.venue_raw is None:
        rest = new[title_end:]
        stripped = rest.lstrip(" \t")
        new = new[:title_end] + " " + insert.fix + (" " if stripped.startswith("[") else rest[: len(rest) - len(stripped)]) + stripped

    link_fix = next((f for f in items if f.kind == "add-link"), None)
    if link_fix:
        url = link_fix.fix
        label = "arXiv" if "arxiv.org" in url else ("ACL Anthology" if "aclanthology" in url else "OpenReview")
        addition = f"[[{label}]]({url})"
        links = list(re.finditer(r"\[[^\]\n]*\]?\]\([^)\s]*\)", new))
        if links:
            end = links[0].end()  # right after the paper link, before [[code]] and the " - ***nickname***" tail
            new = new[:end] + addition + new[end:]
        else:
            body = new.rstrip("\r\n")
            new = body + " " + addition + new[len(body):]
    return new


def fix_text(text: str, findings: Findings) -> str:
    """The list with fixable findings applied; untouched lines are kept byte for byte."""
    lines = split_lines(text)
    by_line: dict[int, list[Finding]] = {}
    entries: dict[int, Entry] = {}
    for f in findings.items:
        if f.fixable:
            by_line.setdefault(f.entry.line, []).append(f)
            entries[f.entry.line] = f.entry
    for line_no, items in by_line.items():
        idx = line_no - 1
        if 0 <= idx < len(lines):
            lines[idx] = _fix_line(lines[idx], entries[line_no], items)
    return "".join(lines)


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(split_lines(old), split_lines(new), old_name, new_name))
