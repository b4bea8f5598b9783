"""listparse.py: the bundled ATPapers list, defect recovery, other list shapes, loading, robustness."""
from __future__ import annotations

import re
import socket
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atpbib.listparse import (
    Heading,
    ListError,
    ListWarning,
    ParsedList,
    count_lines,
    entry_to_json,
    load_list,
    parse_list,
    parse_venue,
)
from atpbib.model import ENTRY_ID_SCHEMES, KINDS, Entry

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"


@pytest.fixture(scope="module")
def bundled() -> ParsedList:
    return load_list(None)


def by_line(parsed: ParsedList) -> dict[int, Entry]:
    return {e.line: e for e in parsed.entries}


# ------------------------------------------------------------------ bundled list: counts

# Counted by reading src/atpbib/data/ATPapers.md (one entry per "- " item; line 166 "-Embeddings" is its own entry).
SECTION_COUNTS = {
    "Attention/Papers": 10,
    "Attention/Survey & Review": 1,
    "Attention/English Blog": 1,
    "Attention/Chinese Blog": 2,
    "Attention/Repositories": 1,
    "Transformer/Papers": 12,
    "Transformer/Chinese Blog": 3,
    "Transformer/English Blog": 5,
    "Transformer/Repositories": 3,
    "Pretrained Language Model/Models": 34,
    "Pretrained Language Model/Vision": 9,
    "Pretrained Language Model/Compression": 16,
    "Pretrained Language Model/Application": 8,
    "Pretrained Language Model/Analysis & Tools": 20,
    "Pretrained Language Model/Tutorial & Survey": 5,
    "Pretrained Language Model/Repository": 18,
    "Pretrained Language Model/Chinese Blog": 16,
    "Pretrained Language Model/English Blog": 4,
}

# blog = every item under a "... Blog" heading (2+1+3+5+16+4); repository = 1+3+18;
# survey = line 23 (Survey & Review) + lines 162, 163, 165 (Tutorial & Survey); talk = line 164 (Deeplo-talk PDF);
# book = line 166; paper = the rest.
KIND_COUNTS = {"paper": 109, "survey": 4, "book": 1, "talk": 1, "blog": 31, "repository": 22}


def test_section_counts(bundled: ParsedList) -> None:
    assert dict(Counter(e.section_path for e in bundled.entries)) == SECTION_COUNTS
    assert len(bundled.entries) == sum(SECTION_COUNTS.values()) == 168


def test_kind_counts(bundled: ParsedList) -> None:
    assert dict(Counter(e.kind for e in bundled.entries)) == KIND_COUNTS
    assert set(KIND_COUNTS) | {"website"} == set(KINDS)  # the default list links no web pages


def test_specific_kinds(bundled: ParsedList) -> None:
    e = by_line(bundled)
    assert e[23].kind == "survey"  # Survey & Review section
    assert e[162].kind == "survey"  # Tutorial & Survey section
    assert e[165].kind == "survey"
    assert e[164].kind == "talk"  # Deeplo-talk-2019.pdf
    assert e[166].kind == "book"
    assert e[25].kind == "blog" and e[30].kind == "repository" and e[169].kind == "repository"
    assert e[14].kind == "paper"


def test_headings_skip_document_title(bundled: ParsedList) -> None:
    paths = [h.path for h in bundled.headings]
    assert ("ATPapers",) not in paths and all(p[0] != "ATPapers" for p in paths)
    assert bundled.headings[0] == Heading(path=("Attention",), level=2, line=10)
    assert Heading(path=("Pretrained Language Model", "Compression"), level=3, line=111) in bundled.headings
    assert len(bundled.headings) == 21
    assert bundled.source_name == "ATPapers.md (bundled)"


def test_entries_in_list_order_with_sections(bundled: ParsedList) -> None:
    lines = [e.line for e in bundled.entries]
    assert lines == sorted(lines)
    e = by_line(bundled)
    assert e[112].section == ("Pretrained Language Model", "Compression")
    assert e[34].section == ("Transformer", "Papers")


# ------------------------------------------------------------------ bundled list: identifiers

# Extracted once with `grep -n -o` over the list (not at test time): line → id.
ARXIV = {
    14: "1409.0473", 17: "1804.00857", 20: "1905.10650", 21: "2005.00743", 23: "1904.02874", 35: "1711.02132",
    41: "1902.09113", 44: "1911.04474", 45: "2003.04887", 69: "1905.03197", 70: "1901.07291", 74: "1904.09223",
    75: "1905.12616", 76: "1907.12412", 77: "1906.08101", 78: "1907.10529", 79: "1906.08237", 80: "1907.11692",
    81: "1909.00204", 82: "1909.07606", 83: "1909.08053", 84: "1910.10683", 85: "1910.13461", 86: "1911.00720",
    87: "1911.09969", 92: "1908.04577", 93: "1909.11764", 94: "1910.12647", 95: "2002.08155", 96: "2001.04063",
    100: "1904.01766", 101: "1906.05743", 102: "1908.02265", 103: "1908.03557", 106: "1908.06066", 108: "1908.08530",
    109: "1909.11740", 112: "1903.12136", 113: "1904.09636", 114: "1904.09482", 115: "1908.08962", 117: "1909.05840",
    119: "1909.11687", 120: "1910.01108", 121: "1909.10351", 122: "1910.06188", 123: "1909.11942", 125: "1909.11556",
    126: "2002.03518", 127: "2001.04246", 130: "1902.10909", 131: "1907.00151", 132: "1908.10084", 133: "1905.01969",
    134: "2002.03932", 135: "2002.01808", 137: "2004.05808", 143: "1904.07334", 144: "1904.07531", 145: "1905.05583",
    146: "1906.04341", 147: "1908.05620", 148: "1910.05276", 149: "1910.03771", 150: "1911.12246", 153: "1912.13283",
    154: "1907.11932", 155: "1910.08350", 156: "1912.07840", 157: "2002.06305", 158: "2002.08910", 159: "2002.10832",
    163: "1910.07370", 165: "2003.08271",
}
ACL = {
    13: "D15-1166", 15: "D18-1458", 16: "D18-1408", 18: "P19-1295", 19: "P19-2030", 36: "P18-1166", 37: "N18-2074",
    39: "P19-1285", 63: "N18-1202", 64: "P18-1031", 65: "N19-1423", 71: "P19-1441", 72: "D19-1279", 73: "P19-1139",
    88: "D19-1572", 89: "D19-1005", 90: "D19-3041", 104: "D19-1219", 107: "D19-1514", 116: "D19-1374",
    118: "D19-1441", 140: "P19-1459", 141: "P19-1334", 142: "W19-4302", 151: "D19-1361", 152: "D19-1006",
    162: "N19-5004",
}
OPENREVIEW = {38: "HyzdRiR9Y7", 42: "B1x8anVFPr", 43: "rkgNKkHtvB", 91: "r1xMH1BtvB", 124: "SJlPOCEKvH"}


@pytest.mark.parametrize(("scheme", "expected"), [("arxiv", ARXIV), ("acl", ACL), ("openreview", OPENREVIEW)])
def test_every_link_yields_its_identifier(bundled: ParsedList, scheme: str, expected: dict[int, str]) -> None:
    got = {e.line: getattr(e.ids, scheme) for e in bundled.entries if getattr(e.ids, scheme)}
    assert got == expected


def test_identifier_table_sizes() -> None:
    # 74 arXiv + 27 ACL + 5 OpenReview links in the file (grep -c), one per item
    assert (len(ARXIV), len(ACL), len(OPENREVIEW)) == (74, 27, 5)


def test_other_schemes_and_github(bundled: ParsedList) -> None:
    e = by_line(bundled)
    assert e[12].ids.pmlr == "v37/xuc15"
    assert e[68].ids.pmlr == "v97/song19d"
    assert e[34].ids.neurips == "7181-attention-is-all-you-need"
    assert e[34].ids.github == "jadore801120/attention-is-all-you-need-pytorch"
    assert e[43].ids.github == "google/trax"  # first github link ([[code 1]] is pastebin)
    assert e[136].ids.github == "DataTerminatorX/Keyword-BERT"  # [[paper & code]]
    assert e[37].ids.github == "THUNLP-MT/THUMT"  # /blob/… suffix ignored
    assert e[57].ids.github == "DongjunLee/transformer-tensorflow"  # repository entry
    assert e[75].ids.github is None  # [[code]] is not on GitHub
    assert e[25].ids.known() == {}


# ------------------------------------------------------------------ bundled list: fields

def test_paper_item_fields(bundled: ParsedList) -> None:
    e = by_line(bundled)[73]
    assert e.title == "ERNIE: Enhanced Language Representation with Informative Entities"
    assert (e.venue, e.year, e.venue_raw) == ("ACL", 2019, "ACL 2019")
    assert e.nickname == "ERNIE (THU)"
    assert [(lk.label, lk.url) for lk in e.links] == [
        ("paper", "https://www.aclweb.org/anthology/P19-1139"),
        ("code", "https://github.com/thunlp/ERNIE"),
    ]
    assert e.warnings == ()
    assert (e.line, e.end_line) == (73, 73)


def test_link_labels_lower_cased(bundled: ParsedList) -> None:
    e = by_line(bundled)
    assert [lk.label for lk in e[18].links] == ["paper", "tf code", "pt code"]
    assert [lk.label for lk in e[65].links] == ["paper", "code", "official pytorch code"]
    assert [lk.label for lk in e[136].links] == ["paper & code", "post"]
    assert [lk.label for lk in e[45].links] == ["paper", "code", "related chinese post"]


@pytest.mark.parametrize(
    ("line", "venue", "year", "raw"),
    [
        (89, "EMNLP", 2019, "EMNLP 2019"),
        (21, "CoRR", 2020, "CoRR 2020"),
        (156, "ICLR", 2020, "ICLR2020"),
        (142, "RepL4NLP@ACL", 2019, "RepL4NLP@ACL 2019"),
        (122, "NeurIPS Workshop", 2019, "NeurIPS 2019 Workshop"),
        (40, "CS224n Winter Reports", 2019, "CS224n Winter2019 Reports"),
        (165, "Invited Review of Science China Technological Sciences", 2020,
         "Invited Review of Science China Technological Sciences 2020"),
        (166, None, 2020, "2020"),
        (34, "NIPS", 2017, "NIPS 2017"),
        (149, None, None, None),  # no parenthesis at all
    ],
)
def test_venue_and_year_hints(bundled: ParsedList, line: int, venue: str | None, year: int | None, raw: str | None) -> None:
    e = by_line(bundled)[line]
    assert (e.venue, e.year, e.venue_raw) == (venue, year, raw)


def test_blog_and_repository_items(bundled: ParsedList) -> None:
    e = by_line(bundled)
    assert e[169].title == "keras-bert"
    assert e[169].description == "CyberZHG's BERT Keras implementation"
    assert e[169].links[0].url == "https://github.com/CyberZHG/keras-bert"
    assert e[27].title == "深度学习中的注意力模型（2017版）"
    assert e[27].venue is None and e[27].year is None  # parentheses inside a link title are not hints
    assert e[51].title == "The Annotated Transformer"
    assert [lk.label for lk in e[51].links] == ["post", "code"]
    assert e[210].title == "The Illustrated BERT, ELMo, and co. (How NLP Cracked Transfer Learning)"


# ------------------------------------------------------------------ bundled list: defects

def warnings_at(parsed: ParsedList, line: int) -> list[str]:
    return [w.message for w in parsed.warnings if w.line == line]


def test_defect_link_split_over_two_lines(bundled: ParsedList) -> None:
    e = by_line(bundled)[104]
    url = "https://github.com/google-research/language/tree/master/language/question_answering/b2t2"
    assert e.links[1].url == url
    assert e.nickname == "B2T2" and e.end_line == 105
    assert e.ids.acl == "D19-1219" and e.ids.github == "google-research/language"
    [msg] = [w.message for w in e.warnings]  # typed ListWarning; its one-line form
    assert msg.startswith("line 104:") and "104-105" in msg and url in msg
    assert warnings_at(bundled, 104) == [msg]


def test_defect_missing_space_before_paper(bundled: ParsedList) -> None:
    e = by_line(bundled)[72]
    assert e.title == "75 Languages, 1 Model: Parsing Universal Dependencies Universally"
    assert e.nickname == "UDify" and e.ids.acl == "D19-1279"
    [msg] = [w.message for w in e.warnings]  # typed ListWarning; its one-line form
    assert msg.startswith("line 72:") and "[[paper]]" in msg and "Universally'" in msg


def test_defect_glued_bullet_and_empty_emphasis(bundled: ParsedList) -> None:
    e = by_line(bundled)
    survey, book = e[165], e[166]
    assert survey.title == "Pre-trained Models for Natural Language Processing: A Survey"
    assert survey.nickname is None and survey.description is None
    assert [lk.label for lk in survey.links] == ["paper"]
    [msg] = [w.message for w in survey.warnings]  # typed ListWarning; its one-line form
    assert msg.startswith("line 165:") and "'***'" in msg and "nickname" in msg
    assert book.title == "Embeddings in Natural Language Processing"
    assert (book.kind, book.year, book.venue, book.line, book.end_line) == ("book", 2020, None, 166, 166)
    assert book.links[0].label == "book"
    assert book.section == ("Pretrained Language Model", "Tutorial & Survey")
    [msg] = [w.message for w in book.warnings]  # typed ListWarning; its one-line form
    assert msg.startswith("line 166:") and "separate entry" in msg and "Embeddings in Natural Language Processing" in msg


def test_defect_relative_link(bundled: ParsedList) -> None:
    e = by_line(bundled)[148]
    assert e.links[1] .url == "https://exbert.net"
    [msg] = [w.message for w in e.warnings]  # typed ListWarning; its one-line form
    assert msg.startswith("line 148:") and "exbert.net" in msg and "resolved to https://exbert.net" in msg


def test_defect_year_typo(bundled: ParsedList) -> None:
    e = by_line(bundled)[126]
    assert (e.venue, e.year, e.venue_raw) == ("ICLR", None, "ICLR 202")
    [msg] = [w.message for w in e.warnings]  # typed ListWarning; its one-line form
    assert msg.startswith("line 126:") and "year '202' is not a 4-digit year" in msg and "'ICLR'" in msg


def test_defect_duplicate_links(bundled: ParsedList) -> None:
    e = by_line(bundled)[149]
    assert [lk.label for lk in e.links] == ["paper", "code"]
    [msg] = [w.message for w in e.warnings]  # typed ListWarning; its one-line form
    assert msg.startswith("line 149:") and "duplicate" in msg and "https://github.com/huggingface/transformers" in msg


def test_only_the_defects_are_reported(bundled: ParsedList) -> None:
    assert [w.line for w in bundled.warnings] == [72, 104, 126, 148, 149, 165, 166]
    assert all(isinstance(w, ListWarning) and str(w) == w.message for w in bundled.warnings)
    assert sorted(w.message for e in bundled.entries for w in e.warnings) == sorted(w.message for w in bundled.warnings)


def test_warnings_are_typed_data_made_where_the_problem_is_found(bundled: ParsedList) -> None:
    """Issue 19, item 7: ListWarning(line, kind, text), its kind from a closed set; the one-line form is built
    from it, never parsed back."""
    import dataclasses

    from atpbib.model import WARNING_KINDS

    assert [(w.line, w.kind) for w in bundled.warnings] == [
        (72, "markup"), (104, "bad-link"), (126, "bad-hint"), (148, "bad-link"), (149, "bad-link"), (165, "markup"),
        (166, "markup")]
    for w in bundled.warnings:
        assert w.kind in WARNING_KINDS and w.message == f"line {w.line}: {w.text}" and not w.text.startswith("line ")
    with pytest.raises(dataclasses.FrozenInstanceError):
        bundled.warnings[0].line = 1  # type: ignore[misc]
    with pytest.raises(ValueError):
        ListWarning(1, "oops", "not a kind")
    # the entry carries the same objects the list does
    assert {id(w) for e in bundled.entries for w in e.warnings} == {id(w) for w in bundled.warnings}


def test_skipped_items_and_rows_are_their_own_kind() -> None:
    p = parse_list("## Papers\n- A line of prose without any link at all\n\n| Title | Year |\n|---|---|\n| No link here | 2019 |\n")
    assert [(w.line, w.kind) for w in p.warnings] == [(2, "skipped"), (6, "skipped")]


def test_an_item_the_reader_is_unsure_of_says_so_once_with_the_item_as_written() -> None:
    text = ("## Papers\n"
            "- [[pdf]](https://example.org/a.pdf) [[code]](https://github.com/a/b)\n"  # links, but no title
            "- [[paper]](https://arxiv.org/abs/1902.00001)\n"  # no title, but an id: the source gives it
            "- A Study of Things (ACL 2019) [[paper]](https://example.org/b.pdf)\n")
    p = parse_list(text)
    [unsure] = [w for w in p.warnings if w.kind == "unsure"]
    assert unsure.line == 2
    assert "[[pdf]](https://example.org/a.pdf) [[code]](https://github.com/a/b)" in unsure.text
    assert by_line(p)[2].warnings == (unsure,)
    table = parse_list("| Paper | Code |\n|---|---|\n| [[pdf]](https://example.org/a.pdf) | [code](https://github.com/a/b) |\n")
    [row] = [w for w in table.warnings if w.kind == "unsure"]
    assert row.line == 3 and "[[pdf]](https://example.org/a.pdf) | [code](https://github.com/a/b)" in row.text


def test_defects_recovered_elsewhere_too() -> None:
    """The same defects at other lines (tests/fixtures/lists/defects.md): recovery is not tied to line numbers."""
    parsed = load_list(str(LISTS / "defects.md"))
    e = by_line(parsed)
    assert sorted(e) == [7, 9, 10, 11, 14, 15, 16, 17]
    assert e[7].links[1].url.endswith("/language/tree/master/language/question_answering/b2t2")
    assert "7-8" in e[7].warnings[0].text
    assert e[9].title.endswith("Universally") and e[9].ids.acl == "D19-1279"
    assert (e[10].venue, e[10].year, e[10].ids.arxiv) == ("ICLR", None, "2002.03518")
    assert e[11].links[1].url == "https://exbert.net"
    assert len(e[14].links) == 2
    assert e[15].nickname is None and e[16].kind == "book" and e[16].title == "Embeddings in Natural Language Processing"
    assert e[17].links[0].url == "docs/paper.pdf" and "kept as written" in e[17].warnings[0].text
    assert [w.line for w in parsed.warnings] == [7, 9, 10, 11, 14, 15, 16, 17, 18]
    assert "without a link" in warnings_at(parsed, 18)[0]


# ------------------------------------------------------------------ venue parsing unit

@pytest.mark.parametrize(
    ("inner", "venue", "year", "problem"),
    [
        ("EMNLP 2019", "EMNLP", 2019, None),
        ("ICLR2020", "ICLR", 2020, None),
        ("2020", None, 2020, None),
        ("ICLR 202", "ICLR", None, "year '202' is not a 4-digit year"),
        ("ACL 2019, long paper", "ACL, long paper", 2019, None),
        ("Foo 3019", "Foo", None, "year '3019' is not a plausible year"),
    ],
)
def test_parse_venue(inner: str, venue: str | None, year: int | None, problem: str | None) -> None:
    assert parse_venue(inner) == (venue, year, problem)


# ------------------------------------------------------------------ JSON shape

def test_entry_to_json_shape(bundled: ParsedList) -> None:
    j = entry_to_json(by_line(bundled)[104])
    assert list(j) == ["section", "line", "title", "authors", "venue", "year", "nickname", "kind", "links", "ids", "warnings"]
    assert j["section"] == "Pretrained Language Model/Vision"
    assert j["line"] == 104 and j["year"] == 2019 and j["kind"] == "paper"
    assert j["links"][0] == {"label": "paper", "url": "https://www.aclweb.org/anthology/D19-1219/"}
    assert list(j["ids"]) == list(ENTRY_ID_SCHEMES)
    assert j["ids"]["acl"] == "D19-1219" and j["ids"]["arxiv"] is None
    assert isinstance(j["warnings"], list) and len(j["warnings"]) == 1


# ------------------------------------------------------------------ other list shapes

def test_other_shapes() -> None:
    parsed = load_list(str(LISTS / "other_shapes.md"))
    got = [(e.line, e.section_path, e.title, e.kind) for e in parsed.entries]
    assert got == [
        (14, "Language Models/Encoders", "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", "paper"),
        (15, "Language Models/Encoders", "RoBERTa: A Robustly Optimized BERT Pretraining Approach", "paper"),
        (16, "Language Models/Encoders", "ALBERT: A Lite BERT for Self-supervised Learning of Language Representations", "paper"),
        (20, "Language Models/Decoders", "XLNet: Generalized Autoregressive Pretraining for Language Understanding", "paper"),
        (22, "Language Models/Decoders", "ERNIE 2.0: A Continual Pre-training Framework for Language Understanding", "paper"),
        (24, "Language Models/Decoders", "Universal Transformers", "paper"),
        (29, "Language Models/Decoders/Grouped", "ERNIE: Enhanced Language Representation with Informative Entities", "paper"),
        (30, "Language Models/Decoders/Grouped", "K-BERT: Enabling Language Representation with Knowledge Graph", "paper"),
        (36, "Efficiency", "TinyBERT: Distilling BERT for Natural Language Understanding", "paper"),
        (37, "Efficiency", "Reformer: The Efficient Transformer", "paper"),
        (38, "Efficiency", "MASS: Masked Sequence to Sequence Pre-training for Language Generation", "paper"),
        (43, "Repositories", "bertviz", "repository"),
    ]
    e = by_line(parsed)
    # numbered item with a bare [Title](url) link and a trailing venue hint
    assert (e[14].venue, e[14].year, e[14].ids.acl) == ("NAACL", 2019, "N19-1423")
    assert [(lk.label, lk.url) for lk in e[14].links] == [("paper", "https://www.aclweb.org/anthology/N19-1423")]
    assert e[15].ids.arxiv == "1907.11692" and e[15].description == "a robustly tuned BERT"
    assert [lk.label for lk in e[16].links] == ["pdf", "code"]
    assert (e[16].venue, e[16].year, e[16].ids.arxiv, e[16].ids.github) == ("ICLR", 2020, "1909.11942", "google-research/ALBERT")
    # "* " bullet with a nested code bullet (merged into the parent) and a nested paper (its own entry)
    assert [lk.label for lk in e[20].links] == ["paper", "code"]
    assert (e[20].ids.arxiv, e[20].ids.github, e[20].end_line) == ("1906.08237", "zihangdai/xlnet", 21)
    assert e[22].ids.arxiv == "1907.12412"
    assert e[24].ids.openreview == "HyzdRiR9Y7" and e[24].year == 2019  # "+" bullet
    # nested under a link-less grouping bullet: ordinary entries
    assert (e[29].ids.acl, e[29].venue) == ("P19-1139", "ACL")
    assert (e[30].ids.arxiv, e[30].venue, e[30].year) == ("1909.07606", "AAAI", 2020)
    # table rows: title from the first column, venue column, links from other columns
    assert (e[36].venue, e[36].year, e[36].ids.arxiv, e[36].ids.github) == ("CoRR", 2019, "1909.10351", "huawei-noah/Pretrained-Language-Model")
    assert (e[37].ids.openreview, e[37].ids.github) == ("rkgNKkHtvB", "google/trax")
    assert (e[38].ids.pmlr, e[38].venue, e[38].year) == ("v97/song19d", "ICML", 2019)
    assert e[43].ids.github == "jessevig/bertviz" and e[43].description == "BERT Visualization Tool"
    # the table of contents (anchor links) gives no entries; the link-less table row is reported
    assert not any(en.section == ("Contents",) for en in parsed.entries)
    assert [w.line for w in parsed.warnings] == [39]


def test_headings_of_any_level_and_h1_rules() -> None:
    text = "# A\n- x [[paper]](https://arxiv.org/abs/1909.10351)\n# B\n## C\n#### D\n- y [[paper]](https://arxiv.org/abs/1909.11942)\n"
    parsed = parse_list(text)
    assert [e.section for e in parsed.entries] == [("A",), ("B", "C", "D")]  # two H1s: both are sections
    text2 = "## Pre\n# Title\n### Sub\n- x [[paper]](https://arxiv.org/abs/1909.10351)\n"
    assert parse_list(text2).entries[0].section == ("Title", "Sub")  # the H1 is not at the top: it is a section
    text3 = "Title\n=====\n\nSub\n---\n* x [[paper]](https://arxiv.org/abs/1909.10351)\n"
    assert parse_list(text3).entries[0].section == ("Sub",)  # setext headings; lone top H1 is the title


def test_entries_before_any_heading_have_empty_section() -> None:
    parsed = parse_list("- x (ACL 2019) [[paper]](https://www.aclweb.org/anthology/P19-1139)\n")
    assert parsed.entries[0].section == () and parsed.entries[0].section_path == ""


# ------------------------------------------------------------------ robustness

def _check_lines(text: str, parsed: ParsedList) -> None:
    n = count_lines(text)
    for e in parsed.entries:
        assert 1 <= e.line <= n
        assert e.end_line is not None and e.line <= e.end_line <= n
        assert e.kind in KINDS
        assert "\n" not in e.title and all(a and "\n" not in a for a in e.authors)
        for w in e.warnings:
            assert isinstance(w, ListWarning) and 1 <= w.line <= n
    for w in parsed.warnings:
        assert 1 <= w.line <= n and w.message.startswith(f"line {w.line}: ")
        assert "\n" not in w.message


FRAGMENTS = st.sampled_from([
    "- ", "-", "* ", "+ ", "1. ", "  ", "    ", "\n", "\n\n", "\r\n", "\r", "# ", "## ", "### ", "#### ", "> ",
    "[[paper]](", "[[code]](", "](", "[", "]", "(", ")", "***", "**", "*", " - ", "|", "|---|", "```",
    "https://arxiv.org/abs/1909.10351", "https://github.com/a/b", "exbert.net", "https://example.org/\n",
    "(EMNLP 2019)", "(ICLR 202)", "(2020)", "Title", "Survey", "Blog", "Repositories", "<html>", "\x00", "\ufffd",
    "#anchor", "<https://x.org>", "`code`", "\t",
    # the styles of other lists (issue 14)
    "**Title**. ", "*A. Author, B. Author*. ", "ACL2019. ", "1) ", "  ", "arXiv:1810.04805", "./#anchor",
    "[![b](https://img.shields.io/x.svg)](https://github.com/a/b)", "![i](x.png)", "[[pdf](https://x.org/p.pdf)]",
    "[arXiv:1810.04805](https://arxiv.org/abs/1810.04805), ", "[Tool](https://github.com/a/b): ", "[**12 stars**]",
    "(NeurIPS2019)", " et al.", "https://arxiv.org/abs/1907.11692 ",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _check_lines(text, parse_list(text))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS | st.text(max_size=5), max_size=60).map("".join))
def test_never_raises_on_markdownish_text(text: str) -> None:
    _check_lines(text, parse_list(text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "\x00\x01\x02\xff\ufffe" * 100,
        "".join(chr(i) for i in range(1, 3000)),
        "\ud800- [a](https://x.org)",
        "[" * 20000,
        "- " * 3000 + "[a](https://arxiv.org/abs/1909.10351)",
        "\n".join("  " * i + f"- t{i} [[paper]](https://arxiv.org/abs/1909.1{i % 10:04d})" for i in range(300)),
        "> " * 1000 + "- x [[paper]](https://arxiv.org/abs/1909.10351)",
        "|a|\n|-|\n" + "|[x](https://github.com/a/b)|\n" * 500,
        # long runs of the shapes the item reader splits (names, sentences, comma fields, file names)
        "- **" + "Ab, " * 20000 + "** [[paper]](https://arxiv.org/abs/1909.10351)",
        "- " + "x. " * 50000 + "[[paper]](https://arxiv.org/abs/1909.10351)",
        "- " + "Ann Author, " * 20000 + "et al.: T, 1992.",
        "* " + "A - " * 20000 + "2014 - x",
    ],
    ids=["empty", "blank", "binaryish", "allchars", "surrogate", "brackets", "dashes", "deepnest", "deepquote", "table",
         "long-bold", "many-sentences", "many-names", "long-file-name"],
)
def test_never_raises_on_pathological_text(text: str) -> None:
    _check_lines(text, parse_list(text))


def test_huge_list() -> None:
    items = "\n".join(f"- Paper {i} (ACL 2019) [[paper]](https://arxiv.org/abs/1901.{i:05d})" for i in range(5000))
    parsed = parse_list("# T\n## S\n" + items)
    assert len(parsed.entries) == 5000
    assert parsed.entries[-1].line == 5002 and parsed.entries[-1].ids.arxiv == "1901.04999"


def test_crlf_line_numbers() -> None:
    text = "## S\r\n- a (ACL 2019) [[paper]](https://arxiv.org/abs/1909.10351)\r\n- b [[paper]](https://arxiv.org/abs/1909.11942)\r\n"
    assert [e.line for e in parse_list(text).entries] == [2, 3]


# ------------------------------------------------------------------ loading

def test_load_bundled_equals_file(bundled: ParsedList) -> None:
    root = Path(__file__).resolve().parents[1]
    text = (root / "src" / "atpbib" / "data" / "ATPapers.md").read_text("utf-8")
    assert parse_list(text).entries == bundled.entries


def test_load_path_errors(tmp_path: Path) -> None:
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ListError, match=r"image\.md.*not a text/Markdown file"):
        load_list(str(binary))
    latin = tmp_path / "latin1.md"
    latin.write_bytes("- caf\xe9 [[paper]](https://arxiv.org/abs/1909.10351)".encode("latin-1"))
    with pytest.raises(ListError, match=r"latin1\.md.*UTF-8"):
        load_list(str(latin))
    with pytest.raises(ListError, match="no such file"):
        load_list(str(tmp_path / "missing.md"))
    with pytest.raises(ListError, match="directory"):
        load_list(str(tmp_path))
    for msg_case in (binary, latin):
        try:
            load_list(str(msg_case))
        except ListError as exc:
            assert "\n" not in str(exc)


def test_load_path_ok(tmp_path: Path) -> None:
    f = tmp_path / "list.md"
    f.write_bytes("\ufeff## S\n- a (ACL 2019) [[paper]](https://arxiv.org/abs/1909.10351)\n".encode())
    parsed = load_list(str(f))
    assert parsed.source_name == str(f)
    assert [(e.section, e.line, e.ids.arxiv) for e in parsed.entries] == [(("S",), 2, "1909.10351")]


MD = "## S\n- a (ACL 2019) [[paper]](https://arxiv.org/abs/1909.10351)\n"


@pytest.mark.parametrize("ctype", ["text/markdown; charset=utf-8", "text/plain", "text/x-markdown", None])
def test_load_url_ok(httpserver, ctype: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {"Content-Type": ctype} if ctype else {}
    httpserver.expect_request("/list.md").respond_with_data(MD.encode(), headers=headers, content_type=ctype)
    url = httpserver.url_for("/list.md")
    parsed = load_list(url)
    assert parsed.source_name == url and parsed.entries[0].ids.arxiv == "1909.10351"


@pytest.mark.parametrize(
    ("ctype", "body", "shown"),
    [
        ("text/html; charset=utf-8", b"<!DOCTYPE html><html><body>GitHub</body></html>", "text/html"),
        ("text/plain", b"  <!doctype html>\n<html></html>", "text/html"),
        ("text/plain", b"<html><head></head></html>", "text/html"),
        ("image/png", b"\x89PNG\r\n", "image/png"),
        ("application/pdf", b"%PDF-1.4", "application/pdf"),
        ("application/octet-stream", b"abc", "application/octet-stream"),
    ],
)
def test_load_url_rejects_non_markdown(httpserver, ctype: str, body: bytes, shown: str) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/x").respond_with_data(body, content_type=ctype)
    url = httpserver.url_for("/x")
    with pytest.raises(ListError) as info:
        load_list(url)
    assert f"{url} is not a Markdown list (got {shown})" in str(info.value)


def test_load_url_http_error_and_unreachable(httpserver) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    url = httpserver.url_for("/gone")
    with pytest.raises(ListError, match=re.escape(url) + ".*404"):
        load_list(url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = f"http://127.0.0.1:{port}/list.md"
    with pytest.raises(ListError, match=re.escape(dead)):
        load_list(dead)


class FakeResponse:
    def __init__(self, content: bytes, ctype: str) -> None:
        self.content = content
        self.headers = {"content-type": ctype}


class FakeFetcher:
    def __init__(self, response: FakeResponse | Exception) -> None:
        self.response = response
        self.urls: list[str] = []

    def get(self, url: str) -> FakeResponse:
        self.urls.append(url)
        if isinstance(self.response, Exception):
            raise self.response
        return self.response


def test_load_url_with_fetcher() -> None:
    fetcher = FakeFetcher(FakeResponse(MD.encode(), "text/plain; charset=utf-8"))
    parsed = load_list("https://example.invalid/list.md", fetcher=fetcher)
    assert fetcher.urls == ["https://example.invalid/list.md"]
    assert parsed.entries[0].title == "a"
    with pytest.raises(ListError, match="not a Markdown list"):
        load_list("https://example.invalid/x", fetcher=FakeFetcher(FakeResponse(b"<html></html>", "text/html")))
    with pytest.raises(ListError, match=r"https://example\.invalid/y.*timed out"):
        load_list("https://example.invalid/y", fetcher=FakeFetcher(TimeoutError("timed out")))
    with pytest.raises(ListError, match="NUL"):
        load_list("https://example.invalid/z", fetcher=FakeFetcher(FakeResponse(b"a\x00b", "text/plain")))
