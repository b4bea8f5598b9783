"""Golden files: one per entry type and format, built from real recorded data.

Regenerate with ATPBIB_UPDATE_GOLDEN=1 (then review the diff and commit tests/golden/).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_export_data import GOLDEN_CASES, golden_works, list_nicknames  # noqa: E402

from atpbib.export import export_works  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "golden"
SUFFIX = {"bibtex": ".bib", "biblatex": ".biblatex.bib", "csl-json": ".csl.json"}
UPDATE = os.environ.get("ATPBIB_UPDATE_GOLDEN") == "1"


def _work(case: str):
    names = list(GOLDEN_CASES)
    return golden_works()[names.index(case)]


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("case", list(GOLDEN_CASES))
def test_golden(case, fmt):
    text = export_works([_work(case)], fmt, lexicon_extra=list_nicknames())
    path = GOLDEN / f"{case}{SUFFIX[fmt]}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden {path.name}; run with ATPBIB_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (ATPBIB_UPDATE_GOLDEN=1 to accept)"


EXPECTED_TYPES = {
    "inproceedings": ("@inproceedings{", "@inproceedings{", "paper-conference"),
    "article": ("@article{", "@article{", "article-journal"),
    "preprint": ("@misc{", "@online{", "article"),
    "book": ("@book{", "@book{", "book"),
    "blog": ("@misc{", "@online{", "post-weblog"),
    "repository": ("@misc{", "@software{", "software"),
}


@pytest.mark.parametrize("case", list(GOLDEN_CASES))
def test_entry_type_per_case(case):
    w = _work(case)
    bib, biblatex, csl = EXPECTED_TYPES[case]
    assert export_works([w], "bibtex").startswith(bib)
    assert export_works([w], "biblatex").startswith(biblatex)
    assert json.loads(export_works([w], "csl-json"))[0]["type"] == csl


def test_bert_facts_from_the_anthology_reach_every_format():
    w = _work("inproceedings")
    bib = export_works([w], "bibtex")
    for expected in ("title = {{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding}",
                     "pages = {4171--4186}", "doi = {10.18653/v1/n19-1423}", "month = jun",
                     "editor = {Burstein, Jill and Doran, Christy and Solorio, Thamar}",
                     "address = {Minneapolis, Minnesota}", "publisher = {Association for Computational Linguistics}",
                     "booktitle = {Proceedings of the 2019 Conference of the North American Chapter"):
        assert expected in bib
    item = json.loads(export_works([w], "csl-json"))[0]
    assert item["page"] == "4171-4186"
    assert item["issued"] == {"date-parts": [[2019, 6]]}
    assert item["keyword"] == "Pretrained Language Model/Models"
    assert "date = {2019-06}" in export_works([w], "biblatex")


def test_preprint_carries_arxiv_ids_and_all_34_authors():
    w = _work("preprint")
    bib = export_works([w], "bibtex")
    assert "howpublished = {arXiv preprint arXiv:1707.08567}" in bib
    assert "eprint = {1707.08567}" in bib and "archivePrefix = {arXiv}" in bib and "primaryClass = {cs.IT}" in bib
    assert "journal" not in bib
    assert bib.split("author = {", 1)[1].split("},", 1)[0].count(" and ") == 33
    assert "W{\\\"u}bben, Dirk" in bib  # arXiv writes "Dirk Wübben"
    biblatex = export_works([w], "biblatex")
    assert "eprinttype = {arxiv}" in biblatex and "Wübben, Dirk" in biblatex
    item = json.loads(export_works([w], "csl-json"))[0]
    assert item["number"] == "arXiv:1707.08567" and item["DOI"] == "10.48550/arXiv.1707.08567"
    assert len(item["author"]) == 34
