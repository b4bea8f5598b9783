"""The export report: counts, unresolved entries with their list line, discrepancies, failures, Unicode note."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_export_data import cjk_works, golden_works  # noqa: E402

from atpbib.export.report import build_report, render_report, report_format_for_path  # noqa: E402
from atpbib.model import Discrepancy, Entry, Work  # noqa: E402


def _works():
    unresolved = Work(title="Lost Paper", origins=(Entry(section=("A", "B"), line=42, title="Lost Paper"),),
                      status="unresolved", problems=("arxiv unreachable",), key="lostnd")
    disagree = golden_works()[0].with_(discrepancies=(Discrepancy("year", "2018", "2019", "acl"),))
    return [disagree, unresolved] + golden_works()[1:] + cjk_works()


def test_build_report_counts_and_lists():
    rep = build_report(_works(), events=["dblp slow: 3 retries"], failed_sources={"openreview": "HTTP 503"})
    assert rep["total"] == 9
    assert rep["by_status"]["unresolved"] == 2  # "Lost Paper" and the CJK paper known from nowhere
    assert rep["by_source"]["acl"] == 1 and rep["by_source"]["arxiv"] == 1
    lost = next(u for u in rep["unresolved"] if u["title"] == "Lost Paper")
    assert lost["line"] == 42 and lost["problems"] == ["arxiv unreachable"]
    assert rep["discrepancies"][0]["field"] == "year" and rep["discrepancies"][0]["listed"] == "2018"
    assert rep["failed_sources"] == {"openreview": "HTTP 503"}
    assert rep["events"] == ["dblp slow: 3 retries"]
    assert rep["unicode_engine"]["needed"] is True
    assert {w["title"] for w in rep["unicode_engine"]["works"]} == {w.title for w in cjk_works()}


def test_render_text_markdown_json():
    rep = build_report(_works(), failed_sources={"openreview": "HTTP 503"})
    text = render_report(rep, "text")
    assert "unresolved: line 42: Lost Paper (arxiv unreachable)" in text
    assert "source failed: openreview: HTTP 503" in text
    assert "Unicode engine" in text
    md = render_report(rep, "markdown")
    assert md.startswith("# atpbib export report") and "| unresolved | 42 |" in md and "## Unicode engine needed" in md
    assert json.loads(render_report(rep, "json")) == json.loads(json.dumps(rep))


def test_no_unicode_note_for_ascii_only_exports():
    rep = build_report(golden_works()[:1])
    assert rep["unicode_engine"]["needed"] is False
    assert "Unicode" not in render_report(rep, "text")


def test_report_format_for_path():
    assert report_format_for_path("r.json") == "json"
    assert report_format_for_path("r.md") == "markdown"
    assert report_format_for_path("r.txt") == "text"
