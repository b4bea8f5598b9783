"""ACL Anthology source: .bib parsing (current format, month ranges, fixed-case braces) and fetching via the fake."""
from __future__ import annotations

from pathlib import Path

import pytest

from atpbib.model import Person
from atpbib.sources import SourceError, acl
from fakeservices import load_papers, render_acl_bib

RESP = Path(__file__).parent / "fixtures" / "responses" / "acl"


def bib(name: str) -> str:
    return (RESP / name).read_text(encoding="utf-8")


def test_current_bib_format():
    r = acl.parse_bib(bib("N19-1423.bib"), "N19-1423")
    assert r.source == "acl" and r.source_key == "N19-1423"
    assert r.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert r.authors == (Person("Devlin", "Jacob"), Person("Chang", "Ming-Wei"), Person("Lee", "Kenton"), Person("Toutanova", "Kristina"))
    assert r.editors == (Person("Burstein", "Jill"), Person("Doran", "Christy"), Person("Solorio", "Thamar"))
    assert r.container_title.startswith("Proceedings of the 2019 Conference of the North American Chapter")
    assert (r.year, r.month) == (2019, 6)
    assert r.pages == "4171--4186"
    assert r.doi == "10.18653/v1/n19-1423" and r.ids.doi == r.doi and r.ids.acl == "N19-1423"
    assert r.type == "inproceedings" and r.published is True
    assert r.venue == "NAACL 2019"
    assert r.address == "Minneapolis, Minnesota" and r.publisher == "Association for Computational Linguistics"
    assert r.url == "https://aclanthology.org/N19-1423/"


def test_month_range_and_no_doi():
    r = acl.parse_bib(bib("N04-1001.bib"), "N04-1001")
    assert r.month == 5  # may # " 2 - " # may # " 7"
    assert r.doi is None and r.ids.doi is None
    assert r.authors[0] == Person("Florian", "R.") and len(r.authors) == 8
    assert "{" not in r.container_title and "HLT-NAACL 2004" in r.container_title
    assert r.venue == "NAACL 2004"
    assert r.pages == "1--8"


def test_new_style_id_fixed_case_and_findings_venue():
    r = acl.parse_bib(bib("2020.findings-emnlp.372.bib"), "2020.findings-emnlp.372")
    assert r.title == "TinyBERT: Distilling BERT for Natural Language Understanding"
    assert r.venue == "Findings of EMNLP 2020"
    assert r.month == 11 and r.address == "Online"


@pytest.mark.parametrize("raw,month", [("jun", 6), ('"June"', 6), ("6", 6), ('may # " 2 - " # may # " 7"', 5), ("", None), ("13", None)])
def test_parse_month(raw, month):
    assert acl.parse_month(raw) == month


@pytest.mark.parametrize("raw,pages", [("4171–4186", "4171--4186"), ("4171-4186", "4171--4186"), ("1--8", "1--8"), ("12", "12"), (None, None)])
def test_normalize_pages(raw, pages):
    assert acl.normalize_pages(raw) == pages


def test_garbage_is_a_source_error():
    with pytest.raises(SourceError):
        acl.parse_bib("<!DOCTYPE html><html>not bibtex</html>", "N19-1423")


def test_bib_url_uses_configured_base(monkeypatch):
    monkeypatch.setenv("ATPBIB_ACL_URL", "http://127.0.0.1:9/")
    assert acl.bib_url("P19-1295") == "http://127.0.0.1:9/P19-1295.bib"


# -- through the fake --------------------------------------------------------------------------------

ACL_FACTS = [p["acl"] for p in load_papers() if p.get("acl") and p["acl"].get("id")]


@pytest.mark.skipif(not ACL_FACTS, reason="no ACL facts in tests/fixtures/papers")
@pytest.mark.parametrize("facts", ACL_FACTS, ids=[f["id"] for f in ACL_FACTS])
def test_fetch_bib_matches_the_facts(fake, fetcher, facts):
    r = acl.fetch_bib(fetcher, facts["id"])
    assert fake.requests("acl") == [f"/{facts['id']}.bib"]
    assert r is not None and r.source_key == facts["id"]
    if facts.get("title"):
        assert r.title == " ".join(facts["title"].split())
    if facts.get("authors"):
        assert [(p.family, p.given) for p in r.authors] == [tuple(a) for a in facts["authors"]]
    if facts.get("editors"):
        assert [(p.family, p.given) for p in r.editors] == [tuple(a) for a in facts["editors"]]
    assert r.year == facts.get("year")
    assert r.pages == (facts["pages"].replace("–", "--") if facts.get("pages") else None)
    assert r.doi == (facts["doi"].lower() if facts.get("doi") else None)
    assert r.container_title == facts.get("booktitle")
    assert r.published is True


def test_unknown_id_is_none(fake, fetcher):
    assert acl.fetch_bib(fetcher, "Z99-9999") is None
    assert fake.requests("acl") == ["/Z99-9999.bib"]


def test_fake_bib_omits_missing_fields():
    facts = {"id": "N19-1423", "title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
             "authors": [["Devlin", "Jacob"]], "year": 2019}
    text = render_acl_bib(facts).decode()
    for absent in ("doi", "pages", "editor", "month", "publisher", "address"):
        assert f"    {absent} =" not in text
    assert '"{BERT}: Pre-training' in text  # fixed-case words are protected, as the Anthology does
    r = acl.parse_bib(text, "N19-1423")
    assert r.doi is None and r.pages is None and r.month is None
