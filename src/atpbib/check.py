"""`atpbib check`: what the list says beside what the sources say, and a corrected copy of the list.

Built on resolved works: every finding is a Discrepancy (title/venue/year), a duplicate listing, a paper
link that points at another paper, or an entry that could not be checked. `fix_text` rewrites only the
lines with fixable findings; every other byte of the list is kept.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .match import title_score
from .model import Entry, Work

# Below this similarity the list's title and the paper behind its link are different papers.
DIFFERENT_PAPER = 60.0


@dataclass(frozen=True)
class Finding:
    entry: Entry
    kind: str  # title | venue | year | duplicate | wrong-link | unchecked | add-link
    listed: str
    resolved: str
    source: str = ""
    fixable: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.entry.section_path, "line": self.entry.line, "kind": self.kind,
                "listed": self.listed, "resolved": self.resolved, "source": self.source, "fixable": self.fixable}


@dataclass
class Findings:
    items: list[Finding] = field(default_factory=list)
    checked: int = 0

    @property
    def has_findings(self) -> bool:
        """Entries that could not be checked count too: the list is not shown to agree."""
        return bool(self.items)

    def for_entry(self, entry: Entry) -> list[Finding]:
        return [f for f in self.items if f.entry.line == entry.line]


def audit(parsed: Any, result: Any) -> Findings:
    """Compare every resolved entry with its work."""
    out = Findings()
    for work in result.works:
        for entry in work.entries:
            out.checked += 1
            if work.status == "unresolved" or (work.status == "partial" and work.sources == ("list",)):
                reason = "; ".join(work.problems) or "no source knows this entry"
                out.items.append(Finding(entry, "unchecked", entry.title, reason))
                continue
            score = title_score(entry.title, work.title)
            if score < DIFFERENT_PAPER and any(work.ids.known().get(k) == entry.ids.known().get(k) for k in entry.ids.known() if k != "github"):
                out.items.append(Finding(entry, "wrong-link", entry.title, work.title, dict(work.provenance).get("title", "")))
                continue
            for d in work.discrepancies:
                if d.field == "title" and d.listed != entry.title:
                    continue
                out.items.append(Finding(entry, d.field, d.listed, d.resolved, d.source, fixable=True))
            link = _missing_link(entry, work)
            if link:
                out.items.append(Finding(entry, "add-link", "", link, "", fixable=True))
        if len(work.entries) > 1:
            lines = ", ".join(str(e.line) for e in work.entries)
            for entry in work.entries[1:]:
                out.items.append(Finding(entry, "duplicate", entry.title, f"same work as line {work.entries[0].line} (lines {lines})"))
    # unique and in list order
    seen: set[tuple] = set()
    unique = []
    for f in sorted(out.items, key=lambda f: (f.entry.line, f.kind)):
        k = (f.entry.line, f.kind, f.listed, f.resolved)
        if k not in seen:
            seen.add(k)
            unique.append(f)
    out.items = unique
    return out


def _missing_link(entry: Entry, work: Work) -> str | None:
    """An arXiv / ACL / OpenReview link for an entry that has only a plain PDF link (or none)."""
    if entry.ids.arxiv or entry.ids.acl or entry.ids.openreview:
        return None
    if work.ids.acl:
        return f"https://aclanthology.org/{work.ids.acl}/"
    if work.ids.openreview:
        return f"https://openreview.net/forum?id={work.ids.openreview}"
    if work.ids.arxiv:
        return f"https://arxiv.org/abs/{work.ids.arxiv}"
    return None


def render(findings: Findings, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({"checked": findings.checked, "findings": [f.as_dict() for f in findings.items]},
                          ensure_ascii=False, indent=2)
    by_section: dict[str, list[Finding]] = {}
    for f in findings.items:
        by_section.setdefault(f.entry.section_path, []).append(f)
    lines: list[str] = []
    md = fmt == "markdown"
    if md:
        lines.append("# atpbib check\n")
    for section, items in by_section.items():
        lines.append(f"## {section}" if md else f"{section}")
        for f in items:
            bullet = "- " if md else "  "
            if f.kind == "unchecked":
                text = f"could not be checked: {f.resolved}"
            elif f.kind == "duplicate":
                text = f"listed twice: {f.resolved}"
            elif f.kind == "wrong-link":
                text = f"paper link points to a different paper: {f.resolved!r}"
            elif f.kind == "add-link":
                text = f"no arXiv/ACL/OpenReview link; add {f.resolved}"
            else:
                text = f"{f.kind}: list says {f.listed!r}, {f.source or 'sources'} say {f.resolved!r}"
            lines.append(f"{bullet}line {f.entry.line}: {text}")
        lines.append("")
    n = sum(1 for f in findings.items if f.kind != "unchecked")
    u = sum(1 for f in findings.items if f.kind == "unchecked")
    lines.append(f"{findings.checked} entries checked, {n} finding(s), {u} not checkable")
    return "\n".join(lines)


_YEAR = re.compile(r"(?<!\d)\d{2,4}(?!\d)")


def _fix_line(line: str, entry: Entry, items: Sequence[Finding]) -> str:
    new = line
    title_fix = next((f for f in items if f.kind == "title"), None)
    if title_fix and entry.title in new:
        new = new.replace(entry.title, title_fix.resolved, 1)
    venue_fix = next((f for f in items if f.kind == "venue"), None)
    year_fix = next((f for f in items if f.kind == "year"), None)
    if (venue_fix or year_fix) and entry.venue_raw is not None:
        old = f"({entry.venue_raw})"
        if venue_fix:
            replacement = f"({venue_fix.resolved})"
        else:
            replacement = "(" + _YEAR.sub(year_fix.resolved, entry.venue_raw, count=1) + ")"
        if old in new:
            new = new.replace(old, replacement, 1)
    link_fix = next((f for f in items if f.kind == "add-link"), None)
    if link_fix:
        label = "arXiv" if "arxiv.org" in link_fix.resolved else ("ACL Anthology" if "aclanthology" in link_fix.resolved else "OpenReview")
        addition = f"[[{label}]]({link_fix.resolved})"
        # after the last link of the item's first line, before the " - ***nickname***" tail
        m = list(re.finditer(r"\]\([^)\s]*\)", new))
        if m:
            end = m[-1].end()
            new = new[:end] + addition + new[end:]
        else:
            body = new.rstrip("\r\n")
            new = body + " " + addition + new[len(body):]
    return new


def fix_text(text: str, findings: Findings) -> str:
    """The list with fixable findings applied; untouched lines are kept byte for byte."""
    lines = text.splitlines(keepends=True)
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
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name))
