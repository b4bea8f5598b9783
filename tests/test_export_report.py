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


def test_the_readme_main_command_is_quiet_and_says_where_the_lists_business_is(tmp_path):
    """`atpbib export --section Compression -o compression.bib` (bundled lock, no network): at most three
    stderr lines; the list's discrepancies and parser notes are counted, `atpbib check` and --report list them."""
    import os
    import subprocess

    from fakeservices import ENV_VARS

    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_") or k == "ATPBIB_PACE_DIR"}
    env.update({var: "http://127.0.0.1:9" + suffix for var, suffix in ENV_VARS.values()})
    cmd = [sys.executable, "-m", "atpbib", "export", "--section", "Compression", "-o", "compression.bib"]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) <= 3 and not any(l.startswith("discrepancy:") for l in lines), lines
    summary = next(l for l in lines if l.startswith("list: "))
    n = int(summary.split()[1])
    assert n > 0 and "`atpbib check --section Compression`" in summary and "1 parser note" in summary
    rep = subprocess.run(cmd + ["--report", "r.json"], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert rep.returncode == 0 and len(data["discrepancies"]) == n
    assert [w["line"] for w in data["list_warnings"]] == [126]
