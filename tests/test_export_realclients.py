"""Real clients on our output: LaTeX + BibTeX + natbib, biber + biblatex, LuaLaTeX for CJK, the BibTeX parser
of Better BibTeX for Zotero, citation-js, pandoc --citeproc.

In CI (CI=true) a missing tool is a failure; locally the test is skipped. The node packages live in
tests/realclients/node_modules (`npm ci` there; see /work/notes/REALCLIENTS_INSTALL.sh).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_export_data import HOSTILE_TITLES, cjk_works, golden_works, hostile_works, list_nicknames  # noqa: E402

from atpbib.export import export_works  # noqa: E402
from atpbib.export.latex import clean_text  # noqa: E402
from atpbib.keys import ensure_keys  # noqa: E402

pytestmark = pytest.mark.realclient

CLIENTS = Path(__file__).resolve().parent / "realclients"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIMEOUT = 300


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        message = f"real client(s) not installed: {', '.join(missing)}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def require_node_packages() -> None:
    require("node")
    needed = ["@retorquere/bibtex-parser", "@citation-js/core", "@citation-js/plugin-bibtex"]
    missing = [p for p in needed if not (CLIENTS / "node_modules" / p / "package.json").exists()]
    if missing:
        message = f"npm packages missing in tests/realclients (run npm ci there): {', '.join(missing)}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
                          encoding="utf-8", errors="replace", env={**os.environ, "max_print_line": "10000"})
    return proc


def ok(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run(cmd, cwd)
    log_tail = ""
    for name in ("doc.log", "doc.blg"):
        if (cwd / name).exists():
            log_tail += f"\n--- {name} ---\n" + (cwd / name).read_text(errors="replace")[-3000:]
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}{log_tail}"
    return proc


# -- the libraries under test --------------------------------------------------------------------------------

def pdflatex_works():
    """Everything pdfLaTeX can typeset: the golden works and the hostile ones (no CJK)."""
    return ensure_keys(golden_works() + hostile_works())


def all_works():
    return ensure_keys(golden_works() + hostile_works() + cjk_works())


def write_document(tmp: Path, driver: str, works, fmt: str) -> None:
    shutil.copy(CLIENTS / driver, tmp / "doc.tex")
    (tmp / "library.bib").write_text(export_works(works, fmt, lexicon_extra=list_nicknames()), encoding="utf-8")
    (tmp / "cites.tex").write_text("".join(f"\\citet{{{w.key}}}\n" for w in works), encoding="utf-8")


LATEX_PROBLEMS = re.compile(r"^!|LaTeX Warning|Package \w+ Warning|LaTeX Font Warning|undefined|Missing character", re.M)


def assert_clean_log(tmp: Path, allow_missing_chars: bool = False) -> str:
    log = (tmp / "doc.log").read_text(encoding="utf-8", errors="replace")
    problems = [m.group(0) for m in LATEX_PROBLEMS.finditer(log)
                if not (allow_missing_chars and m.group(0) == "Missing character")]
    # "undefined" also matches harmless font-shape info lines only via "Font Warning", which is listed above
    assert not problems, f"LaTeX problems: {problems[:10]}\n{log[-4000:]}"
    assert "(/etc/passwd" not in log, "a title was executed as \\input"
    return log


def assert_hostile_titles_inert(bbl: str) -> None:
    assert "\\input{/etc/passwd}" not in bbl and "\\end{document}" not in bbl
    assert "\\textbraceleft" in bbl and "\\textbackslash" in bbl


# -- LaTeX ----------------------------------------------------------------------------------------------------

def test_bibtex_flavour_compiles_with_latex_bibtex_natbib(tmp_path):
    require("latex", "bibtex", "kpsewhich")
    works = pdflatex_works()
    write_document(tmp_path, "natbib.tex", works, "bibtex")
    latex = ["latex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    ok(latex, tmp_path)
    ok(["bibtex", "doc"], tmp_path)
    ok(latex, tmp_path)
    ok(latex, tmp_path)
    blg = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert "Warning" not in blg and "error message" not in blg, blg
    assert_clean_log(tmp_path)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\bibitem") == len(works)
    assert_hostile_titles_inert(bbl)


def test_biblatex_flavour_compiles_with_biber(tmp_path):
    require("latex", "biber", "kpsewhich")
    works = pdflatex_works()
    write_document(tmp_path, "biblatex.tex", works, "biblatex")
    latex = ["latex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    ok(latex, tmp_path)
    ok(["biber", "doc"], tmp_path)
    ok(latex, tmp_path)
    ok(latex, tmp_path)
    blg = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert "WARN" not in blg and "ERROR" not in blg, blg
    assert_clean_log(tmp_path)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\entry{") == len(works)
    assert_hostile_titles_inert(bbl)
    # biber reads url/doi verbatim: the URL arrives exactly as the source gave it
    odd = next(w for w in works if w.url and "example.org" in w.url)
    assert "https://example.org/a%20b?x=1&y=%41#frag" in bbl
    assert odd.doi in bbl


@pytest.mark.parametrize("fmt,driver,tool", [("bibtex", "natbib.tex", "bibtex"), ("biblatex", "biblatex.tex", "biber")])
def test_cjk_entries_typeset_with_a_unicode_engine(tmp_path, fmt, driver, tool):
    require("lualatex", tool)
    works = ensure_keys(cjk_works() + golden_works()[:1])
    write_document(tmp_path, driver, works, fmt)
    latex = ["lualatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    ok(latex, tmp_path)
    ok([tool, "doc"], tmp_path)
    ok(latex, tmp_path)
    ok(latex, tmp_path)
    blg = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert not re.search(r"Warning|WARN|ERROR", blg), blg
    # no CJK font is installed: glyphs are missing, but the characters arrive intact
    log = assert_clean_log(tmp_path, allow_missing_chars=True)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    for w in cjk_works():
        assert w.title in bbl
    assert "Missing character: There is no 深" in log or "深" not in log


# -- JavaScript parsers ----------------------------------------------------------------------------------------

def _node(script: str, *args: str, tmp: Path) -> dict:
    proc = run(["node", str(CLIENTS / script), *args], tmp)
    assert proc.stdout, proc.stderr
    data = json.loads(proc.stdout)
    assert proc.returncode == 0, json.dumps(data)[:3000] + proc.stderr[-2000:]
    return data


def _expected_url(url: str, fmt: str) -> str:
    from atpbib.export.latex import escape_url

    return escape_url(url, tex=(fmt == "bibtex"))


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_better_bibtex_parser_reads_every_entry(tmp_path, fmt):
    require_node_packages()
    works = all_works()
    path = tmp_path / "library.bib"
    path.write_text(export_works(works, fmt, lexicon_extra=list_nicknames()), encoding="utf-8")
    data = _node("bbt_parse.mjs", str(path), tmp=tmp_path)
    assert not data["errors"]
    assert [e["key"] for e in data["entries"]] == [w.key for w in works]
    for w, e in zip(works, data["entries"]):
        assert e["title"] == clean_text(w.title), w.key
        assert len(e["author"]) == len([p for p in w.authors if p.family or p.given])
    titles = {e["title"] for e in data["entries"]}
    assert set(HOSTILE_TITLES) <= titles


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_citation_js_reads_every_entry(tmp_path, fmt):
    require_node_packages()
    works = all_works()
    path = tmp_path / "library.bib"
    path.write_text(export_works(works, fmt, lexicon_extra=list_nicknames()), encoding="utf-8")
    data = _node("citationjs_parse.cjs", str(path), fmt, tmp=tmp_path)
    assert not data["warnings"]
    assert [i["id"] for i in data["items"]] == [w.key for w in works]
    for w, item in zip(works, data["items"]):
        assert item["title"] == clean_text(w.title), w.key
        if w.url:
            # biblatex: the URL itself; bibtex: with TeX's \% \# (what a .bbl needs)
            assert item["URL"] == _expected_url(w.url, fmt), w.key


# -- CSL-JSON ------------------------------------------------------------------------------------------------

def test_csl_json_renders_with_pandoc_citeproc(tmp_path):
    require("pandoc")
    works = all_works()
    (tmp_path / "refs.json").write_text(export_works(works, "csl-json"), encoding="utf-8")
    (tmp_path / "doc.md").write_text("Cited: " + "; ".join(f"[@{w.key}]" for w in works) + "\n", encoding="utf-8")
    proc = run(["pandoc", "--citeproc", "--bibliography", "refs.json", "-t", "plain", "--wrap=none", "doc.md"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr.upper() and proc.stderr.strip() == "", proc.stderr
    out = proc.stdout
    assert "???" not in out
    assert "Devlin" in out and "pre-training of deep bidirectional transformers" in out.lower()
    assert "深度学习中的注意力模型" in out
    assert "\\input{/etc/passwd}" in out.lower()  # shown as text (title-cased by the style), never interpreted


def test_csl_json_validates_against_the_schema():
    import jsonschema

    from test_export_data import SHARED, need

    schema = json.loads(need(SHARED / "csl-data.json").read_text(encoding="utf-8"))
    data = json.loads(export_works(all_works(), "csl-json"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft7Validator)
