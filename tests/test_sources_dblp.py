"""DBLP source: search JSON (lists, single objects, zero hits), record BibTeX, and both through the fake."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from atpbib.model import Person
from atpbib.sources import SourceError, dblp
from fakeservices import Catalogue, load_papers

RESP = Path(__file__).parent / "fixtures" / "responses" / "dblp"


def answer(name: str) -> dict:
    return json.loads((RESP / name).read_text(encoding="utf-8"))


def test_search_hits_conference_corr_and_lookalike():
    conf, corr, other = dblp.parse_search(answer("search_attention_multi.json"))
    assert conf.source == "dblp" and conf.source_key == "conf/nips/VaswaniSPUJGKP17"
    assert conf.title == "Attention is All you Need"  # dblp's trailing "." removed
    assert conf.type == "inproceedings" and conf.published is True
    assert conf.venue == "NIPS 2017" and conf.year == 2017 and conf.pages == "5998--6008"
    assert conf.ids.dblp == conf.source_key and conf.ids.arxiv is None
    assert conf.authors[0] == Person("Vaswani", "Ashish") and len(conf.authors) == 8

    assert corr.type == "misc" and corr.published is False and corr.venue == "arXiv"
    assert corr.ids.arxiv == "1706.03762" and corr.volume == "abs/1706.03762"

    assert other.doi == "10.18653/v1/2020.acl-main.357"  # lower-cased
    assert other.ids.acl == "2020.acl-main.357" and other.ids.doi == other.doi
    assert other.venue == "ACL 2020" and other.authors[1] == Person("Pellicanò", "Nicola")


def test_single_author_object_and_single_hit_object():
    (r,) = dblp.parse_search(answer("search_single_author.json"))
    assert r.authors == (Person("Anastassiou", "George A."),)
    assert r.source_key == "series/sci/2023-1062" and r.published is True and r.type == "book"
    assert r.title.endswith("Interpolation")


def test_zero_hits():
    assert dblp.parse_search(answer("search_zero_hits.json")) == []


def test_search_rejects_non_results():
    with pytest.raises(SourceError):
        dblp.parse_search(b"<html>")
    with pytest.raises(SourceError):
        dblp.parse_search({"something": 1})


def test_informal_publications_are_preprints():
    info = {"key": "journals/corr/abs-1909-11942", "title": "ALBERT: A Lite BERT for Self-supervised Learning of Language Representations.",
            "venue": "CoRR", "volume": "abs/1909.11942", "year": "2019", "type": "Informal Publications",
            "authors": {"author": [{"@pid": "1", "text": "Zhenzhong Lan"}]}}
    (r,) = dblp.parse_search({"result": {"status": {"@code": "200"}, "hits": {"@total": "1", "hit": [{"info": info}]}}})
    assert r.published is False and r.type == "misc" and r.ids.arxiv == "1909.11942"


def test_record_bib_conference():
    r = dblp.parse_bib((RESP / "conf_nips_VaswaniSPUJGKP17.bib").read_text(encoding="utf-8"))
    assert r.source_key == "conf/nips/VaswaniSPUJGKP17" and r.ids.dblp == r.source_key
    assert r.type == "inproceedings" and r.published is True
    assert r.container_title.startswith("Advances in Neural Information Processing Systems 30") and "{" not in r.container_title
    assert r.venue == "NIPS 2017" and r.pages == "5998--6008" and r.year == 2017
    assert Person("von Luxburg", "Ulrike") in r.editors and len(r.editors) == 7
    assert r.url.startswith("https://proceedings.neurips.cc/")


def test_record_bib_corr_is_a_preprint_with_arxiv_id():
    r = dblp.parse_bib((RESP / "journals_corr_VaswaniSPUJGKP17.bib").read_text(encoding="utf-8"))
    assert r.type == "misc" and r.published is False and r.venue == "arXiv"
    assert r.ids.arxiv == "1706.03762" and r.container_title == "CoRR"


def test_record_bib_latex_names_doi_and_acl_id():
    r = dblp.parse_bib((RESP / "conf_acl_TamborrinoPPVN20.bib").read_text(encoding="utf-8"))
    assert r.authors[1] == Person("Pellicanò", "Nicola")
    assert r.title == "Pre-training Is (Almost) All You Need: An Application to Commonsense Reasoning"
    assert r.doi == "10.18653/v1/2020.acl-main.357" and r.ids.acl == "2020.acl-main.357"
    assert r.venue == "ACL 2020" and r.publisher == "Association for Computational Linguistics"


@pytest.mark.parametrize(
    "doi,urls,expected",
    [
        ("10.18653/V1/N19-1423", [], "N19-1423"),
        ("10.18653/V1/2020.FINDINGS-EMNLP.372", [], "2020.findings-emnlp.372"),
        (None, ["https://www.aclweb.org/anthology/P19-1295"], "P19-1295"),
        (None, ["https://aclanthology.org/2020.acl-main.1.pdf"], "2020.acl-main.1"),
        ("10.1007/978-3-031-16400-2", ["https://doi.org/10.1007/978-3-031-16400-2"], None),
    ],
)
def test_acl_id_from_doi_and_links(doi, urls, expected):
    assert dblp.record_ids("k", None, None, urls, doi and doi.lower()).acl == expected


def test_every_ee_link_gives_its_id_and_corr_ids_come_from_the_one_id_table():
    ids = dblp.record_ids("conf/iclr/X20", "ICLR", None,
                          ["https://openreview.net/forum?id=r1xMH1BtvB", "https://arxiv.org/abs/2003.10555v2"], None)
    assert (ids.openreview, ids.arxiv, ids.dblp) == ("r1xMH1BtvB", "2003.10555", "conf/iclr/X20")
    # the same normalisation as ids.py: version and subject class dropped
    assert dblp.record_ids("k", "CoRR", "abs/1909.10351v2", [], None).arxiv == "1909.10351"
    assert dblp.record_ids("k", "CoRR", "abs/math.CA/0611800", [], None).arxiv == "math/0611800"


def test_search_query_drops_operators():
    assert dblp.search_query("BERT: Pre-training | of $Deep* -Bidirectional") == "BERT Pre training of Deep Bidirectional"


# -- through the fake --------------------------------------------------------------------------------

DBLP_FACTS = list(Catalogue.build(load_papers()).dblp.values())  # the records as the fake serves them


def test_search_through_fake_returns_versions_and_lookalikes(fake, fetcher):
    from atpbib.match import normalize_title

    papers = [p for p in load_papers() if p.get("dblp") and any(r.get("title") for r in p.get("lookalikes") or [])]
    if not papers:
        pytest.skip("no paper with a look-alike")
    paper = papers[0]
    hits = dblp.search(fetcher, paper["list_title"], max_hits=30)
    found = {normalize_title(h.title) for h in hits}
    for rec in paper["dblp"]:  # every version of the paper under its list title
        if rec.get("title") and normalize_title(rec["title"]) == normalize_title(paper["list_title"]):
            assert normalize_title(rec["title"]) in found
    (path,) = fake.requests("dblp")
    q = parse_qs(urlsplit(path).query)
    assert q["format"] == ["json"] and q["h"] == ["30"]
    # as on dblp, every query word must be in the record: the words a look-alike shares with the paper find both
    lookalike = next(r for r in paper["lookalikes"] if r.get("title"))
    shared = [w for w in normalize_title(lookalike["title"]).split() if w in normalize_title(paper["list_title"]).split()]
    both = {normalize_title(h.title) for h in dblp.search(fetcher, " ".join(shared), max_hits=30)}
    assert normalize_title(lookalike["title"]) in both and normalize_title(paper["list_title"]) in both
    # ... and a word the paper's title lacks excludes it
    assert normalize_title(paper["list_title"]) not in {
        normalize_title(h.title) for h in dblp.search(fetcher, paper["list_title"] + " zyxwvut", max_hits=30)}


def test_search_nothing_similar(fake, fetcher):
    assert dblp.search(fetcher, "Zyxwvut Qqqq Nonexistent") == []


@pytest.mark.skipif(not DBLP_FACTS, reason="no keyed DBLP facts")
@pytest.mark.parametrize("facts", DBLP_FACTS, ids=[r["key"] for r in DBLP_FACTS])
def test_fetch_bib_matches_the_facts(fake, fetcher, facts):
    r = dblp.fetch_bib(fetcher, facts["key"])
    assert fake.requests("dblp") == [f"/rec/{facts['key']}.bib"]
    assert r is not None and r.source_key == facts["key"]
    if facts.get("title"):
        assert r.title == " ".join(facts["title"].split()).rstrip(".").replace("--", "\u2013")  # BibTeX's en dash
    if facts.get("authors"):
        assert [p.display() for p in r.authors] == [" ".join(a.split()[:-1]) if a.split()[-1].isdigit() else a for a in facts["authors"]]
    assert r.year == facts.get("year")
    assert r.doi == (facts["doi"].lower() if facts.get("doi") else None)
    is_corr = facts.get("venue") == "CoRR"
    assert r.published is (not is_corr and facts.get("type") in (
        "Conference and Workshop Papers", "Journal Articles", "Books and Theses", "Parts in Books or Collections"))
    if is_corr and str(facts.get("volume") or "").startswith("abs/"):
        assert r.ids.arxiv == facts["volume"][4:]


def test_fetch_bib_unknown_key_is_none(fake, fetcher):
    assert dblp.fetch_bib(fetcher, "conf/nowhere/Nobody99") is None


def test_a_hit_names_its_proceedings_by_dblp_venue_label_and_year_and_a_paper_of_them_lends_its_fields():
    from atpbib.plan import lend

    conf, corr, other = dblp.parse_search(answer("search_attention_multi.json"))
    assert conf.venue_status == "NIPS" and dblp.proceedings_of(conf) == "NIPS|2017"
    assert dblp.proceedings_of(corr) is None  # a CoRR record is no proceedings paper
    assert conf.url and "dblp.org/rec" not in conf.url  # the paper's own link, never DBLP's page
    paper = dblp.parse_bib((RESP / "conf_nips_VaswaniSPUJGKP17.bib").read_text(encoding="utf-8"))
    assert paper.container_title and paper.editors  # what a search hit lacks
    conf = conf.__class__(**{**conf.__dict__, "source_key": "conf/nips/OtherPaper17", "pages": "1--9"})
    lent = lend(conf, paper)
    assert lent.container_title == paper.container_title and lent.editors == paper.editors
    assert lent.publisher == paper.publisher
    assert (lent.title, lent.pages, lent.doi, lent.authors, lent.source_key) == (conf.title, conf.pages, conf.doi,
                                                                                 conf.authors, conf.source_key)


@pytest.mark.parametrize("venue, query", [
    ("8th International Conference on Learning Representations, ICLR 2020, Addis Ababa, Ethiopia, April 26-30, 2020", "ICLR 2020"),
    ("Advances in Neural Information Processing Systems 32: Annual Conference on Neural Information Processing Systems 2019, "
     "NeurIPS 2019, December 8-14, 2019, Vancouver, BC, Canada", "NeurIPS 2019"),
    ("Advances in Neural Information Processing Systems 30: Annual Conference on Neural Information Processing Systems 2017, "
     "December 4-9, 2017, Long Beach, CA, USA", "NIPS 2017"),  # DBLP's label of the year
    ("International Conference on Learning Representations", None),  # no year: which proceedings is unknown
    ("arXiv.org", None),
    ("Journal of Machine Learning Research 2020", None),  # journals are listed by volume
    ("2019 Fifth Workshop on Energy Efficient Machine Learning and Cognitive Computing - NeurIPS Edition (EMC2-NIPS)", None),
    ("Synthesis Lectures on Human Language Technologies", None),
])
def test_a_venue_name_with_its_year_gives_one_listing_query_of_those_proceedings(venue, query):
    assert dblp.listing_query(venue) == query


def test_a_listing_through_the_fake_holds_every_paper_of_those_proceedings_in_one_request(fake, fetcher):
    hits = dblp.list_venue(fetcher, "ICLR 2020")
    (path,) = fake.requests("dblp")
    assert f"h={dblp.LISTING_HITS}" in path
    expected = {r["title"].rstrip(".") for p in load_papers() for r in p.get("dblp") or []
                if r and r.get("venue") == "ICLR" and r.get("year") == 2020 and r.get("title")}
    assert len(expected) >= 10 and expected <= {h.title for h in hits}
    assert all(h.venue == "ICLR 2020" for h in hits if h.title in expected)


def test_only_a_journal_articles_hit_with_volume_and_pages_carries_its_record():
    article, corr = dblp.parse_search(answer("search_attention_multi.json"))[:2]
    assert not dblp.carries_its_record(article)  # a conference paper: its BibTeX gives the booktitle
    from dataclasses import replace

    jmlr = replace(article, type="article", volume="21", pages="140:1-140:67")
    assert dblp.carries_its_record(jmlr) and not dblp.carries_its_record(replace(jmlr, pages=None))
    assert not dblp.carries_its_record(corr)


def test_a_listing_is_guarded_like_a_search(fake, fetcher):
    """A listing's answer of the wrong shape is DBLP's one-line failure, as a search's would be."""
    from dataclasses import replace

    from atpbib.sources import guarded

    junk = replace(dblp.SOURCE, lists=lambda fetcher, query: [{"title": "not a record"}])
    with pytest.raises(SourceError, match="unusable answer"):
        guarded(junk).lists(fetcher, "ICLR 2020")
    assert [h.venue for h in guarded(dblp.SOURCE).lists(fetcher, "ICLR 2020")][:1] == ["ICLR 2020"]
