"""The entry type is one decision (venues.entry_type) with its evidence on record; each kind of venue gets
the type, container and fields a careful researcher cites it with."""
from __future__ import annotations

import json

import bibtexparser
import pytest

from atpbib import venues
from atpbib.export import bib_category, export_works
from atpbib.keys import assign_keys
from atpbib.merge import merge
from atpbib.model import Entry, Person, Query, Record, Work


@pytest.mark.parametrize("source_type,venue,expected", [
    ("article", "AAAI 2020", "inproceedings"),        # AAAI's OJS record: Crossref's journal-article
    ("incollection", "ECCV 2020", "inproceedings"),   # a Springer LNCS chapter
    ("inproceedings", "TACL 2020", "article"),
    ("article", "ACM Trans. Intell. Syst. Technol. 2021", "article"),
    ("inproceedings", "RepL4NLP 2020", "inproceedings"),
    ("techreport", "OpenAI 2019", "techreport"),
    ("book", "Synthesis Lectures on Human Language Technologies 2020", "book"),
    ("incollection", "Some Unknown Volume 2020", "incollection"),  # unknown venue: the source's type
    ("misc", "arXiv", "misc"),
])
def test_entry_type_is_decided_by_the_kind_of_venue(source_type, venue, expected):
    decided = venues.entry_type(source_type, venue, published=venue != "arXiv")
    assert decided.type == expected and decided.rule


def _record(source, rtype, **kw):
    return Record(source=source, source_key=f"{source}:1", title="Unicoder-VL", authors=(Person("Li", "Gen"),), year=2020, type=rtype,
                  published=True, venue="AAAI 2020", **kw)


def test_merge_records_the_type_decision_whichever_source_won():
    query = Query(title="Unicoder-VL", origin=Entry(section=("S",), line=1, title="Unicoder-VL"))
    work = merge([query], [_record("crossref", "article", container_title="Proceedings of the AAAI Conference on "
                                   "Artificial Intelligence", volume="34", number="07", pages="11336-11344",
                                   doi="10.1609/aaai.v34i07.6795")])
    assert work.type == "inproceedings" and dict(work.provenance)["type"] == "venues"
    same = merge([query], [_record("dblp", "inproceedings", container_title="AAAI")])
    assert same.type == "inproceedings" and dict(same.provenance)["type"] == "dblp"


def _work(**kw):
    base = dict(title="T", origins=(Entry(section=("S",), line=1, title="T"),), authors=(Person("Doe", "Jane"),),
                year=2020, status="resolved", sources=("dblp",))
    base.update(kw)
    return Work(**base)


def _fields(text):
    (entry,) = bibtexparser.parse_string(text).entries
    return entry.entry_type, {f.key: f.value for f in entry.fields}


def test_an_aaai_record_filed_as_a_journal_article_is_written_as_a_proceedings_paper():
    w = assign_keys([_work(type="article", venue="AAAI 2020", container_title="Proceedings of the AAAI Conference "
                           "on Artificial Intelligence", volume="34", number="07", pages="11336--11344",
                           publisher="AAAI Press")])[0]
    for flavour in ("bibtex", "biblatex"):
        etype, f = _fields(export_works([w], flavour))
        assert etype == "inproceedings" and f["booktitle"].startswith("Proceedings of the AAAI")
        assert f["volume"] == "34" and f["pages"] == "11336--11344" and "journal" not in f


def test_an_eccv_paper_names_its_lncs_series_and_volume():
    w = assign_keys([_work(type="incollection", venue="ECCV 2020", volume="12375", pages="104--120",
                           container_title="Computer Vision - ECCV 2020", publisher="Springer",
                           editors=(Person("Vedaldi", "Andrea"),))])[0]
    etype, f = _fields(export_works([w], "bibtex"))
    assert etype == "inproceedings" and f["series"] == "Lecture Notes in Computer Science" and f["volume"] == "12375"


def test_an_incollection_without_editor_is_cited_as_a_paper_in_its_volume():
    w = assign_keys([_work(type="incollection", venue="Some Volume 2020", container_title="Some Volume",
                           publisher="P", pages="1--2")])[0]
    assert bib_category(w) == "inproceedings"
    assert _fields(export_works([w], "biblatex"))[0] == "inproceedings"


def test_a_journal_article_carries_no_publisher_in_either_flavour():
    w = assign_keys([_work(type="article", venue="TACL 2020", container_title="Transactions of the Association "
                           "for Computational Linguistics", volume="8", pages="1--2", publisher="MIT Press",
                           address="Cambridge, MA")])[0]
    for flavour in ("bibtex", "biblatex"):
        etype, f = _fields(export_works([w], flavour))
        assert etype == "article" and not {"publisher", "address", "location"} & set(f)


def test_an_authorless_report_is_cited_under_its_institution_in_csl_too():
    w = assign_keys([_work(type="techreport", authors=(), publisher="Stanford University", venue=None,
                           sources=("list",), status="partial")])[0]
    (item,) = json.loads(export_works([w], "csl-json"))
    assert item["type"] == "report" and item["author"] == [{"literal": "Stanford University"}]
    assert _fields(export_works([w], "bibtex"))[1]["author"] == "{Stanford University}"


def test_a_report_whose_code_is_on_an_institutions_github_is_issued_by_it():
    assert venues.institution_of_url("https://github.com/openai/gpt-2") == "OpenAI"
    assert venues.institution_of_url("https://github.com/someone/gpt-2") is None


def test_an_aaai_paper_without_a_volume_takes_the_one_its_doi_spells_out():
    assert venues.volume_issue_from_doi("10.1609/aaai.v34i05.6409") == ("34", "05")
    assert venues.volume_issue_from_doi("10.18653/v1/2020.acl-main.1") is None
    w = assign_keys([_work(type="inproceedings", venue="AAAI 2020", container_title="Proceedings of the AAAI "
                           "Conference on Artificial Intelligence", pages="8815--8821",
                           doi="10.1609/aaai.v34i05.6409")])[0]
    assert _fields(export_works([w], "bibtex"))[1]["volume"] == "34"
    (item,) = json.loads(export_works([w], "csl-json"))
    assert (item["volume"], item["issue"]) == ("34", "05")
