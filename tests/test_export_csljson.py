"""CSL-JSON: valid against the CSL schema, types and fields as citeproc expects them."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_export_data import SHARED, cjk_works, golden_works, hostile_works, need  # noqa: E402

from atpbib.export import export_works  # noqa: E402
from atpbib.export.csljson import csl_item  # noqa: E402
from atpbib.keys import assign_keys  # noqa: E402
from atpbib.model import Entry, Ids, Person, Work  # noqa: E402


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(need(SHARED / "csl-data.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def test_every_golden_hostile_and_cjk_work_validates(validator):
    works = golden_works() + hostile_works() + cjk_works()
    data = json.loads(export_works(assign_keys(works), "csl-json"))
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, [e.message for e in errors[:5]]
    assert len(data) == len(works)
    assert len({item["id"] for item in data}) == len(data)


def test_fields_and_types():
    w = Work(title="TinyBERT", origins=(Entry(section=("PLM", "Compression"), line=3, title="TinyBERT"),
                                        Entry(section=("Other",), line=9, title="TinyBERT")),
             authors=(Person("Jiao", "Xiaoqi"), Person("OpenAI"), Person("van der Berg, Jr.", "Jan")),
             year=2020, month=11, type="inproceedings", container_title="Findings of EMNLP", pages="4163--4174",
             doi="10.18653/v1/2020.findings-emnlp.372", abstract="We ...", publisher="ACL", address="Online",
             volume="1", number="2", key="jiao2020tinybert")
    item = csl_item(w)
    assert item["id"] == "jiao2020tinybert" and item["type"] == "paper-conference"
    assert item["author"] == [{"family": "Jiao", "given": "Xiaoqi"}, {"literal": "OpenAI"},
                              {"family": "van der Berg", "given": "Jan", "suffix": "Jr."}]
    assert item["issued"] == {"date-parts": [[2020, 11]]}
    assert item["page"] == "4163-4174"
    assert item["container-title"] == "Findings of EMNLP" and item["publisher-place"] == "Online"
    assert item["volume"] == "1" and item["issue"] == "2"
    assert item["keyword"] == "PLM/Compression, Other"
    assert item["DOI"] == "10.18653/v1/2020.findings-emnlp.372"


def test_preprint_is_article_with_arxiv_number_and_doi():
    w = Work(title="P", origins=(Entry(section=("S",), line=1, title="P"),), type="misc",
             ids=Ids(arxiv="1909.10351"), key="k")
    item = csl_item(w)
    assert item["type"] == "article"
    assert item["number"] == "arXiv:1909.10351"
    assert item["DOI"] == "10.48550/arXiv.1909.10351"
    assert item["URL"] == "https://arxiv.org/abs/1909.10351"


def test_non_papers():
    blog = Work(title="B", origins=(Entry(section=("S",), line=1, title="B", kind="blog"),), kind="blog",
                url="https://x.org/b", key="b")
    repo = Work(title="R", origins=(Entry(section=("S",), line=1, title="R", kind="repository", description="desc"),),
                kind="repository", ids=Ids(github="o/r"), key="r")
    site = Work(title="GLUE", origins=(Entry(section=("S",), line=1, title="GLUE", kind="website"),), kind="website",
                url="https://gluebenchmark.com/leaderboard", key="g")
    assert csl_item(blog)["type"] == "post-weblog"
    assert (csl_item(site)["type"], csl_item(site)["URL"]) == ("webpage", "https://gluebenchmark.com/leaderboard")
    r = csl_item(repo)
    assert r["type"] == "software" and r["URL"] == "https://github.com/o/r" and r["note"] == "desc"


def test_text_is_cleaned_but_not_escaped():
    w = Work(title="100% \\input{x} & Gábor\u200b\n深度", origins=(Entry(section=("S",), line=1, title="t"),), key="k")
    assert csl_item(w)["title"] == "100% \\input{x} & Gábor 深度"
