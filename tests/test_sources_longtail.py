"""Semantic Scholar and Crossref (ISSUE 15): parsers on the recorded shapes (API-FACTS.md §5–6), and the
two services in the whole-list run against the local fakes."""
from __future__ import annotations

import json

import pytest

from atpbib.model import Person, Record
from atpbib.sources import crossref, semanticscholar as s2
from fakeservices import environment, quick_fetcher

# -- Semantic Scholar: the Graph API's shapes ---------------------------------------------------------------

PAPER = {"paperId": "7e5d4466c8b85f93775fe183e1a318a3e65ac8e4",
         "externalIds": {"DBLP": "journals/corr/abs-1909-10351", "ArXiv": "1909.10351", "ACL": "2020.findings-emnlp.372",
                         "DOI": "10.18653/V1/2020.FINDINGS-EMNLP.372", "CorpusId": 202719327},
         "title": "TinyBERT: Distilling BERT for Natural Language Understanding", "venue": "Findings", "year": 2019,
         "authors": [{"authorId": "1", "name": "Xiaoqi Jiao"}, {"authorId": "2", "name": "Y. Yin"}]}


def test_batch_answer_aligned_with_the_ids_and_null_for_unknown_ones():
    body = json.dumps([PAPER, None, {"paperId": "x", "title": None}]).encode()
    found = s2.parse_batch(body, ["arxiv:1909.10351", "arxiv:0000.00000", "doi:10.1/x"])
    assert list(found) == ["arxiv:1909.10351"]
    r = found["arxiv:1909.10351"]
    assert (r.ids.arxiv, r.ids.acl, r.ids.doi, r.ids.dblp) == ("1909.10351", "2020.findings-emnlp.372",
                                                              "10.18653/v1/2020.findings-emnlp.372", "journals/corr/abs-1909-10351")
    assert r.source == "s2" and not r.published and r.venue is None  # S2's free-text venue is never used
    assert r.authors[1] == Person("Yin", "Y.")


def test_garbage_from_s2_is_a_source_error():
    from atpbib.sources import SourceError

    with pytest.raises(SourceError):
        s2.parse_batch(b"<html>", ["arxiv:1"])
    with pytest.raises(SourceError):
        s2.parse_batch(b'{"data": []}', ["arxiv:1"])


def test_title_match_not_found_forms(httpserver, monkeypatch):
    monkeypatch.setenv("ATPBIB_S2_API", httpserver.url_for("/graph/v1"))
    httpserver.expect_request("/graph/v1/paper/search/match", query_string={"query": "nothing like it", "fields": s2.FIELDS}
                              ).respond_with_json({"error": "Title match not found"}, status=404)
    httpserver.expect_request("/graph/v1/paper/search/match", query_string={"query": "empty", "fields": s2.FIELDS}
                              ).respond_with_json({"data": []})
    with quick_fetcher() as f:
        assert s2.search_match(f, "nothing like it") == []
        assert s2.search_match(f, "empty") == []


def test_s2_batch_is_one_post_with_field_selection_and_the_api_key(httpserver, monkeypatch):
    monkeypatch.setenv("ATPBIB_S2_API", httpserver.url_for("/graph/v1"))
    monkeypatch.setenv("ATPBIB_S2_API_KEY", "secret-key")
    httpserver.expect_request("/graph/v1/paper/batch", method="POST", query_string={"fields": s2.FIELDS},
                              headers={"x-api-key": "secret-key"},
                              json={"ids": ["ARXIV:1909.10351", "ACL:P19-1285", "DOI:10.1/x"]}).respond_with_json([PAPER, None, None])
    with quick_fetcher() as f:
        found = s2.lookup_many(f, ["arxiv:1909.10351", "acl:P19-1285", "doi:10.1/x"], {})
    assert list(found) == ["arxiv:1909.10351"]


def test_a_429_without_retry_after_is_retried_with_backoff(fake, monkeypatch):
    with environment(fake.env()):
        fake.clear()
        fake.fail("s2", ["429-bare", "429-bare"])
        with quick_fetcher(max_attempts=4, backoff_base=0.01) as f:
            found = s2.lookup_many(f, ["arxiv:1909.10351"], errors := {})
        assert errors == {} and "arxiv:1909.10351" in found
        assert len(fake.requests("s2")) == 3  # two refusals, then the answer
        assert f.stats[next(iter(f.stats))].throttled >= 0


# -- Crossref: the REST API's shapes ------------------------------------------------------------------------

WORK = {"status": "ok", "message-type": "work", "message": {
    "DOI": "10.1007/s11431-020-1647-3", "type": "journal-article", "title": ["Pre-trained models for natural language processing: A survey"],
    "author": [{"given": "XiPeng", "family": "Qiu", "sequence": "first", "affiliation": []}],
    "container-title": ["Science China Technological Sciences"], "publisher": "Springer Science and Business Media LLC",
    "volume": "63", "issue": "10", "page": "1872-1897", "published-print": {"date-parts": [[2020, 10]]},
    "ISSN": ["1674-7321", "1869-1900"]}}


def test_a_crossref_work_gives_volume_issue_pages_publisher():
    r = crossref.record_of(WORK["message"])
    assert (r.type, r.published, r.container_title, r.volume, r.number, r.pages, r.year, r.month) == (
        "article", True, "Science China Technological Sciences", "63", "10", "1872--1897", 2020, 10)
    assert r.doi == "10.1007/s11431-020-1647-3" and r.publisher.startswith("Springer")


def test_a_book_with_a_subtitle_and_its_series():
    item = {"DOI": "10.2200/x", "type": "book", "title": ["Embeddings in Natural Language Processing"],
            "subtitle": ["Theory and Advances in Vector Representations of Meaning"],
            "container-title": ["Synthesis Lectures on Human Language Technologies"], "ISBN": ["978-1-63639-021-5"],
            "published": {"date-parts": [[2020]]}}
    r = crossref.record_of(item)
    assert r.type == "book" and r.series == "Synthesis Lectures on Human Language Technologies" and r.container_title is None
    assert r.title == "Embeddings in Natural Language Processing: Theory and Advances in Vector Representations of Meaning"
    assert r.isbn == "978-1-63639-021-5"


def test_resource_not_found_and_dois_that_are_not_crossrefs(httpserver, monkeypatch):
    monkeypatch.setenv("ATPBIB_CROSSREF_API", httpserver.url_for(""))
    httpserver.expect_request("/works/10.1/nothing").respond_with_data("Resource not found.", status=404)
    with quick_fetcher() as f:
        assert crossref.fetch_work(f, "10.1/nothing") is None
        assert crossref.fetch_work(f, "10.48550/arXiv.1909.10351") is None  # arXiv's DOI: never asked
        assert crossref.fetch_work(f, "10.18653/v1/N19-1423") is None  # the Anthology's own record is better
    assert len(httpserver.log) == 1


# -- the whole list, with both services ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def whole(fake):
    from atpbib.api import load, select
    from atpbib.resolve import resolve_entries

    fake.clear()
    with environment(fake.env()), quick_fetcher() as f:
        entries = [e for e in select(load(None), []) if e.kind in ("paper", "survey", "book")]
        result = resolve_entries(entries, f)
    return result, {e.line: w for w in result.works for e in w.entries}


def test_the_company_reports_get_their_authors_from_s2(whole):
    _, by_line = whole
    gpt, gpt2 = by_line[66], by_line[67]
    assert [a.family for a in gpt.authors] == ["Radford", "Narasimhan", "Salimans", "Sutskever"]
    assert gpt.type == "techreport" and gpt.publisher == "OpenAI" and dict(gpt.provenance)["authors"] == "s2"
    assert [a.family for a in gpt2.authors][:3] == ["Radford", "Wu", "Child"]
    assert gpt.status == "resolved" and gpt.year == 2018


def test_the_book_and_the_journal_survey_get_their_doi_metadata(whole):
    _, by_line = whole
    book, survey = by_line[166], by_line[165]
    assert book.type == "book" and book.doi == "10.2200/s01057ed1v01y202009hlt047"
    assert book.series == "Synthesis Lectures on Human Language Technologies" and book.isbn
    assert book.title.startswith("Embeddings in Natural Language Processing: Theory and Advances")
    assert survey.type == "article" and survey.container_title == "Science China Technological Sciences"
    assert (survey.volume, survey.number, survey.pages) == ("63", "10", "1872--1897")


def test_only_the_course_report_stays_partial(whole):
    result, _ = whole
    partial = [w.first_entry.line for w in result.works if w.status != "resolved"]
    assert partial == [40]  # Memory Transformer Networks: no service knows it


def test_a_crossref_top_hit_for_another_paper_is_rejected(whole):
    _, by_line = whole
    memory = by_line[40]
    rejected = [m for m in memory.matches if m.source == "crossref" and not m.accepted]
    assert rejected and all("title differs" in m.reason for m in rejected)
    assert memory.sources == ("list",)


def test_no_s2_year_or_venue_replaces_an_authoritative_one(whole):
    _, by_line = whole
    for w in by_line.values():
        prov = dict(w.provenance)
        assert prov.get("year") != "s2" and prov.get("venue") != "s2"
    tiny = by_line[121]
    assert tiny.year == 2020 and tiny.venue == "Findings of EMNLP 2020"  # S2's year is the preprint's, 2019


def test_initials_from_s2_lose_to_a_full_name():
    from atpbib.merge import merge
    from atpbib.model import Ids, Query

    s2rec = Record(source="s2", source_key="x", title="A Report", authors=(Person("Child", "R."),), ids=Ids(arxiv="2001.00001"))
    ax = Record(source="arxiv", source_key="2001.00001", title="A Report", authors=(Person("Child", "Rewon"),), year=2020,
                ids=Ids(arxiv="2001.00001"))
    work = merge([Query(title="A Report", ids=Ids(arxiv="2001.00001"))], [s2rec, ax])
    assert work.authors == (Person("Child", "Rewon"),) and dict(work.provenance)["authors"] == "arxiv"


@pytest.mark.parametrize("service", ["s2", "crossref"])
def test_either_service_down_changes_nothing_else(fake, service):
    from atpbib.api import load, select
    from atpbib.resolve import resolve_entries

    entries = [e for e in select(load(None), ["Compression"]) if e.kind == "paper"]
    with environment(fake.env()):
        with quick_fetcher() as f:
            base = resolve_entries(entries, f).works
        fake.down(service)
        try:
            with quick_fetcher() as f:
                down = resolve_entries(entries, f)
        finally:
            fake.up(service)
    label = {"s2": "Semantic Scholar", "crossref": "Crossref"}[service]
    assert label in down.failed_sources
    same = [(w.title, w.venue, w.year, w.status, w.authors) for w in base]
    assert [(w.title, w.venue, w.year, w.status, w.authors) for w in down.works] == same
