"""What users run, checked by the real tools: `atpbib export --section Compression -o compression.bib`
(and .json, and the biblatex flavour, and the whole list with blogs and repositories) against the local
four-service server, then LaTeX + bibtex + natbib, biber, Better BibTeX's parser, citation-js, the CSL
schema and pandoc --citeproc on the files written.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_export_realclients import _node, assert_clean_log, ok, require, require_node_packages, run

pytestmark = pytest.mark.realclient

CLIENTS = Path(__file__).resolve().parent / "realclients"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="module")
def exported(fake, tmp_path_factory):
    """The CLI's own output files, written once for the module."""
    out = tmp_path_factory.mktemp("export")
    env = {**os.environ, **fake.env(), "ATPBIB_INTERVAL_ARXIV": "0", "ATPBIB_INTERVAL_DBLP": "0", "ATPBIB_INTERVAL_S2": "0", "ATPBIB_INTERVAL_CROSSREF": "0",
           "ATPBIB_CACHE_DIR": str(out / "cache")}

    def export(*args: str) -> None:
        proc = subprocess.run([sys.executable, "-m", "atpbib", "export", "--quiet", *args],
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr

    export("--section", "Compression", "-o", str(out / "compression.bib"))
    export("--section", "Compression", "-o", str(out / "compression.json"))
    export("--section", "Compression", "--format", "biblatex", "-o", str(out / "compression-biblatex.bib"))
    export("-o", str(out / "papers.bib"))
    export("--format", "biblatex", "-o", str(out / "papers-biblatex.bib"))
    export("--include", "papers,blogs,repos,talks", "-o", str(out / "all.bib"))
    export("--include", "papers,blogs,repos,talks", "--format", "biblatex", "-o", str(out / "all-biblatex.bib"))
    export("--include", "papers,blogs,repos,talks", "-o", str(out / "all.json"))
    return out


def keys_of(bib: Path) -> list[str]:
    import bibtexparser

    return [e.key for e in bibtexparser.parse_string(bib.read_text(encoding="utf-8")).entries]


def compile_document(tmp: Path, bib: Path, driver: str, tool: str, engine: str = "latex",
                     tool_args: tuple[str, ...] = ()) -> str:
    (tmp / "doc.tex").write_text((CLIENTS / driver).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "library.bib").write_text(bib.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "cites.tex").write_text("".join(f"\\citet{{{k}}}\n" for k in keys_of(bib)), encoding="utf-8")
    latex = [engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    ok(latex, tmp)
    ok([tool, *tool_args, "doc"], tmp)
    ok(latex, tmp)
    ok(latex, tmp)
    return (tmp / "doc.blg").read_text(encoding="utf-8", errors="replace")


def test_compression_bib_compiles_with_latex_bibtex_natbib_without_a_warning(exported, tmp_path):
    require("latex", "bibtex")
    blg = compile_document(tmp_path, exported / "compression.bib", "natbib.tex", "bibtex")
    assert "Warning" not in blg and "error message" not in blg, blg
    assert_clean_log(tmp_path)
    bbl = " ".join((tmp_path / "doc.bbl").read_text(encoding="utf-8").split())  # bibtex wraps lines
    assert bbl.count("\\bibitem") == 16
    assert "Findings of the Association for Computational Linguistics: EMNLP 2020" in bbl  # TinyBERT, not ICLR


def test_compression_biblatex_compiles_with_biber_without_a_warning(exported, tmp_path):
    require("latex", "biber")
    blg = compile_document(tmp_path, exported / "compression-biblatex.bib", "biblatex.tex", "biber")
    assert "WARN" not in blg and "ERROR" not in blg, blg
    assert_clean_log(tmp_path)
    assert (tmp_path / "doc.bbl").read_text(encoding="utf-8").count("\\entry{") == 16


def test_whole_list_papers_compile_with_pdflatex_bibtex_natbib_without_a_warning(exported, tmp_path):
    require("pdflatex", "bibtex")
    blg = compile_document(tmp_path, exported / "papers.bib", "natbib.tex", "bibtex", engine="pdflatex")
    assert "Warning" not in blg and "error message" not in blg, blg
    assert_clean_log(tmp_path)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\bibitem") == len(keys_of(exported / "papers.bib")) > 100


def test_whole_list_papers_pass_biber_datamodel_validation_under_pdflatex(exported, tmp_path):
    """Editors such as Llu{\\'\\i}s, journal articles, author-less reports: biber --validate-datamodel and
    pdfLaTeX (no Unicode engine) accept every entry of the whole list without a warning."""
    require("pdflatex", "biber")
    blg = compile_document(tmp_path, exported / "papers-biblatex.bib", "biblatex.tex", "biber", engine="pdflatex",
                           tool_args=("--validate-datamodel",))
    assert "WARN" not in blg and "ERROR" not in blg, blg
    assert_clean_log(tmp_path)
    assert (tmp_path / "doc.bbl").read_text(encoding="utf-8").count("\\entry{") == len(keys_of(exported / "papers-biblatex.bib"))


def test_whole_list_bibtex_flavour_passes_biber_datamodel_validation_too(exported, tmp_path):
    """Many users feed the default (BibTeX-flavour) .bib to biblatex: no @article with a publisher, no
    @incollection without editor, no {\\'\\i} that biber turns into a combining accent pdfLaTeX rejects."""
    require("pdflatex", "biber")
    blg = compile_document(tmp_path, exported / "papers.bib", "biblatex.tex", "biber", engine="pdflatex",
                           tool_args=("--validate-datamodel",))
    assert "WARN" not in blg and "ERROR" not in blg, blg
    assert_clean_log(tmp_path)
    text = (exported / "papers.bib").read_text(encoding="utf-8")
    assert "\\i}" not in text and "Llu{\\'i}s" in text  # the ACL 2019 volume's editor Lluís Màrquez
    types = {e.key: e.entry_type for e in __import__("bibtexparser").parse_string(text).entries}
    aaai = [k for k, t in types.items() if k in ("li2020unicodervl", "shen2020qbert", "jin2020bert", "sun2020ernie",
                                                "liu2020kbert")]
    assert len(aaai) == 5 and {types[k] for k in aaai} == {"inproceedings"}
    assert types["chen2020uniter"] == "inproceedings" and "series = {Lecture Notes in Computer Science}" in text


def test_whole_list_with_blogs_and_repositories_compiles_with_a_unicode_engine(exported, tmp_path):
    require("lualatex", "bibtex")
    blg = compile_document(tmp_path, exported / "all.bib", "natbib.tex", "bibtex", engine="lualatex")
    assert "Warning" not in blg and "error message" not in blg, blg
    assert_clean_log(tmp_path, allow_missing_chars=True)  # no CJK font installed; the characters arrive


@pytest.mark.parametrize("name", ["compression.bib", "all.bib", "all-biblatex.bib"])
def test_better_bibtex_parser_and_citation_js_read_the_export(exported, tmp_path, name):
    require_node_packages()
    path = exported / name
    keys = keys_of(path)
    bbt = _node("bbt_parse.mjs", str(path), tmp=tmp_path)
    assert not bbt["errors"] and [e["key"] for e in bbt["entries"]] == keys
    fmt = "biblatex" if "biblatex" in name else "bibtex"
    cjs = _node("citationjs_parse.cjs", str(path), fmt, tmp=tmp_path)
    assert not cjs["warnings"] and [i["id"] for i in cjs["items"]] == keys


@pytest.mark.parametrize("name", ["compression.json", "all.json"])
def test_csl_json_validates_and_renders_with_pandoc(exported, tmp_path, name):
    import jsonschema

    require("pandoc")
    items = json.loads((exported / name).read_text(encoding="utf-8"))
    schema = json.loads((SHARED / "csl-data.json").read_text(encoding="utf-8"))
    jsonschema.validate(items, schema, cls=jsonschema.Draft7Validator)
    (tmp_path / "doc.md").write_text("Cited: " + "; ".join(f"[@{i['id']}]" for i in items) + "\n", encoding="utf-8")
    proc = run(["pandoc", "--citeproc", "--bibliography", str(exported / name), "-t", "plain", "--wrap=none", "doc.md"], tmp_path)
    assert proc.returncode == 0 and proc.stderr.strip() == "", proc.stderr
    assert "???" not in proc.stdout
    reports = [i for i in items if i["type"] == "report"]
    assert all(i.get("author") for i in reports) and (reports or name == "compression.json")  # institution
    tiny = next(i for i in items if i["id"] == "jiao2020tinybert")
    assert tiny["type"] == "paper-conference" and tiny["container-title"].startswith("Findings of the Association")
    assert tiny["issued"]["date-parts"][0][0] == 2020 and tiny["DOI"] == "10.18653/v1/2020.findings-emnlp.372"
