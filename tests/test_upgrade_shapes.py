"""`atpbib upgrade` on every shape a tool writes a preprint in (ISSUE 23), against the local fake services,
and the second run that must change nothing (ISSUE 21).

The papers' facts are the looked-up fixtures (tests/fixtures/papers/: mdl-bert.json, cmp-albert.json,
mdl-bart.json, mdl-t5.json, ana-hf-transformers.json, each citing the pages they came from); the shapes are
the tools' own: bibtool's `journal = {Ar{X}iv:ID}` (a brace inside the word), `journal = {Computing Research
Repository}, volume = {arXiv:ID}`, Semantic Scholar's `journal = {ArXiv}, volume = {abs/ID}`, Zotero's
@misc (`publisher = {arXiv}`, `note = {arXiv:ID [cs]}`, the Archive ID as `number`), Google Scholar's
`journal={arXiv preprint arXiv:ID}`, DBLP's CoRR record and arXiv's own export (eprint/archivePrefix/
primaryClass). What an upgraded entry must be is derived from the facts (tests/facts.py), never written here.
"""
from __future__ import annotations

import json

import pytest

import bibstyles
from facts import expected
from test_upgrade import entries_of, env_for, norm, run


def _paper(arxiv_id: str) -> dict:
    return next(p for p in bibstyles.arxiv_papers() if p["arxiv"]["id"] == arxiv_id)


def _names(ax: dict, sep: str = " and ") -> str:
    return sep.join(ax["authors"])


def bibtool(p: dict) -> str:
    ax = p["arxiv"]
    return (f"@Article{{\t  devlin{ax['year']}bert,\n  title\t\t= {{{{BERT}}{ax['title'][4:]}}},\n"
            f"  author\t= {{{_names(ax)}}},\n  journal\t= {{Ar{{X}}iv:{ax['id']}}},\n  year\t\t= {ax['year']}\n}}\n")


def computing_research_repository(p: dict) -> str:
    ax = p["arxiv"]
    return (f"@article{{lewis{ax['year']}bart,\n  title = {{{ax['title']}}},\n  author = {{{_names(ax)}}},\n"
            f"  journal = {{Computing Research Repository}},\n  volume = {{arXiv:{ax['id']}}},\n  year = {{{ax['year']}}}\n}}\n")


def semantic_scholar(p: dict) -> str:
    ax = p["arxiv"]
    return (f"@article{{Wolf{ax['year']}HuggingFacesTS,\n  title={{{ax['title']}}},\n  author={{{_names(ax)}}},\n"
            f"  journal={{ArXiv}},\n  year={{{ax['year']}}},\n  volume={{abs/{ax['id']}}}\n}}\n")


def zotero_archive_id(p: dict) -> str:
    """Zotero's preprint with its Archive ID as `number` and a `version` field."""
    return bibstyles.zotero_entry(p).replace("\tpublisher = {arXiv},\n",
                                             f"\tpublisher = {{arXiv}},\n\tnumber = {{arXiv:{p['arxiv']['id']}}},\n\tversion = {{1}},\n")


def arxiv_export(p: dict) -> str:
    ax = p["arxiv"]
    return (f"@misc{{lan{ax['year']}albert,\n      title={{{ax['title']}}}, \n      author={{{_names(ax)}}},\n"
            f"      year={{{ax['year']}}},\n      eprint={{{ax['id']}}},\n      archivePrefix={{arXiv}},\n"
            f"      primaryClass={{{ax['primary_category']}}},\n      url={{https://arxiv.org/abs/{ax['id']}}}, \n}}\n")


SHAPES = {
    "bibtool Ar{X}iv:ID": ("1810.04805", bibtool),
    "Computing Research Repository + arXiv:ID": ("1910.13461", computing_research_repository),
    "Semantic Scholar ArXiv + abs/ID": ("1910.03771", semantic_scholar),
    "Zotero": ("1909.11942", bibstyles.zotero_entry),
    "Zotero Archive ID as number": ("1909.11942", zotero_archive_id),
    "Google Scholar": ("1910.10683", bibstyles.scholar_entry),
    "DBLP CoRR": ("1810.04805", bibstyles.dblp_corr_entry),
    "arXiv export": ("1909.11942", arxiv_export),
}


def _upgrade(fake, tmp_path, text: str, *args: str, name: str = "in.bib"):
    src = tmp_path / name
    src.write_bytes(text.encode("utf-8"))
    out = tmp_path / ("out-" + name)
    proc = run(["upgrade", str(src), "-o", str(out), "--report", str(tmp_path / "r.json"), "--quiet", *args],
               env_for(fake, tmp_path / "cache"))
    assert proc.returncode == 0, proc.stderr
    report = {e["key"]: e for e in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["entries"]}
    return out, report


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_preprint_shape_is_upgraded_to_the_published_version(fake, tmp_path, shape):
    arxiv_id, make = SHAPES[shape]
    p = _paper(arxiv_id)
    exp = expected(p, {"arxiv": arxiv_id})
    assert exp.published  # every paper here has one, per its facts
    out, report = _upgrade(fake, tmp_path, make(p))
    (key, got), = entries_of(out.read_text(encoding="utf-8")).items()
    assert report[key]["status"] == "upgraded", report[key]
    assert got["_type"] in ("inproceedings", "article") and norm(got["title"]) == norm(exp.title)
    assert int(got["year"]) == exp.year
    if "doi" in exp.ids:
        assert got["doi"].lower() == exp.ids["doi"]
    assert got["eprint"] == arxiv_id and got["archiveprefix"] == "arXiv"  # the preprint's ids, as the export writes them
    assert "arxiv" not in (got.get("journal", "") + got.get("booktitle", "")).lower()
    assert "version" not in got and "note" not in got  # the preprint's own fields are stale on the published version
    assert not got.get("url", "").startswith(("http://arxiv.org", "https://arxiv.org"))


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_second_run_changes_nothing(fake, tmp_path, shape):
    arxiv_id, make = SHAPES[shape]
    out, _ = _upgrade(fake, tmp_path, make(_paper(arxiv_id)))
    again = run(["upgrade", str(out), "--dry-run", "--report", str(tmp_path / "again.json"), "--quiet"],
                env_for(fake, tmp_path / "cache"))
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""  # no diff
    statuses = {e["status"] for e in json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))["entries"]}
    assert statuses == {"kept"}
    # looked up again (--verify), the published version the first run wrote is the one the sources know
    verified = run(["upgrade", str(out), "--dry-run", "--verify", "--report", str(tmp_path / "v.json"), "--quiet"],
                   env_for(fake, tmp_path / "cache"))
    assert verified.returncode == 0 and verified.stdout == ""
    reasons = [e["reason"] for e in json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))["entries"]]
    assert reasons == ["already a published version (the sources agree)"]


def test_the_users_case_protection_is_kept(fake, tmp_path):
    p = _paper("1910.10683")
    ax = p["arxiv"]
    protected = "Exploring the {Limits} of {Transfer} {Learning} with a {Unified} {Text-to-Text} {Transformer}"
    assert norm(protected) == norm(ax["title"])
    text = bibstyles.scholar_entry(p).replace(bibstyles.scholar_title(ax["title"]), protected)
    out, report = _upgrade(fake, tmp_path, text)
    (key, got), = entries_of(out.read_text(encoding="utf-8")).items()
    assert report[key]["status"] == "upgraded" and got["title"] == protected


def test_keep_fields_keeps_the_stale_preprint_fields(fake, tmp_path):
    p = _paper("1909.11942")
    out, _ = _upgrade(fake, tmp_path, zotero_archive_id(p), "--keep-fields", "version,note,url")
    (_, got), = entries_of(out.read_text(encoding="utf-8")).items()
    assert got["version"] == "1" and got["note"] == f"arXiv:{p['arxiv']['id']} [cs]"
    assert got["url"] == f"http://arxiv.org/abs/{p['arxiv']['id']}"


RULE_CASES = [
    # (entry text, is a preprint, arXiv id it carries)
    ("@article{k, title={T}, journal={Ar{X}iv:1810.04805}, year=2018}", True, "1810.04805"),
    ("@article{k, title={T}, journal={{arXiv} e-prints}, eid={arXiv:1810.04805}, year=2018}", True, "1810.04805"),
    ("@article{k, title={T}, journal={Computing Research Repository (CoRR)}, volume={arXiv:1910.13461}}", True, "1910.13461"),
    ("@article{k, title={T}, journal={ArXiv}, volume={abs/1910.03771}}", True, "1910.03771"),
    ("@article{k, title={T}, journal={arXiv: Computation and Language}}", True, None),
    ("@article{k, title={T}, journal={\\em CoRR}, volume={abs/1810.04805}}", True, "1810.04805"),
    ("@article{k, title={T}, author={A}, year=2019}", True, None),  # an article with no venue at all
    ("@misc{k, title={T}, publisher={arXiv}, number={arXiv:1909.11942}}", True, "1909.11942"),
    ("@article{k, title={T}, archivePrefix={arXiv}, arxivId={1810.04805}, journal={arXiv}}", True, "1810.04805"),
    ("@inproceedings{k, title={T}, booktitle={Submitted to ICLR 2021}}", True, None),
    # published: a real venue outweighs an arXiv note, ICLR's publisher is no preprint server
    ("@inproceedings{k, title={T}, booktitle={International Conference on Learning Representations}, "
     "publisher={OpenReview.net}, note={arXiv:1909.11942}}", False, "1909.11942"),
    ("@article{k, title={T}, journal={Transactions on Machine Learning Research}}", False, None),
    ("@article{k, title={T}, journal={Journal of Machine Learning Research}, volume={21}}", False, None),
]


@pytest.mark.parametrize("text,preprint,arxiv", RULE_CASES)
def test_the_one_preprint_rule_reads_every_spelling(text, preprint, arxiv):
    from atpbib.inputs import bibfile

    (e,) = bibfile.parse(text).entries
    assert e.is_preprint is preprint and e.is_published is not preprint
    assert bibfile.entry_ids(e).arxiv == arxiv
