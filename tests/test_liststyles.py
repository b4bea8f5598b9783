"""The list styles people write (issue 14): bold-title reading lists, weekly tables, link labels that are
identifiers or tool names, general lists mixing papers with code, models, leaderboards, courses, posts
and talks. Each style has its fixture list in tests/fixtures/lists/styles/; the papers in them are papers
whose facts were looked up (tests/fixtures/papers/<slug>.json), and what the parser reads is compared with
those facts: title, every author as written, identifiers. The venue/year hints are what each list writes.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atpbib.inputs.markdown import query_of
from atpbib.listparse import load_list, parse_list
from atpbib.listparse.item import sentences
from atpbib.listparse.people import names_in, split_title_authors
from atpbib.listparse.kinds import kind_of_url
from atpbib.listparse.hints import bare_venue
from atpbib.model import Entry

STYLES = Path(__file__).resolve().parent / "fixtures" / "lists" / "styles"
PAPERS = Path(__file__).resolve().parent / "fixtures" / "papers"


def facts(slug: str) -> dict:
    return json.loads((PAPERS / f"{slug}.json").read_text(encoding="utf-8"))


def fact_title(paper: dict) -> str:
    return (paper.get("arxiv") or {}).get("title") or paper["acl"]["title"]


def fact_authors(paper: dict) -> list[str]:
    names = (paper.get("arxiv") or {}).get("authors") or paper["acl"]["authors"]
    return [n if isinstance(n, str) else f"{n[1]} {n[0]}" for n in names]  # the Anthology's (family, given)


def initials(name: str) -> str:
    """'Quoc V. Le' → 'Q. V. Le': how some lists abbreviate."""
    *given, family = name.split()
    return " ".join([g[0] + "." for g in given] + [family])


def fact_ids(paper: dict) -> dict[str, str]:
    out = {}
    for scheme in ("arxiv", "acl", "openreview"):
        rec = paper.get(scheme)
        if rec and rec.get("id"):
            out[scheme] = rec["id"]
    return out


def parsed(name: str):
    return load_list(str(STYLES / name))


def by_line(p) -> dict[int, Entry]:
    return {e.line: e for e in p.entries}


def _check_against_facts(entry: Entry, slug: str, authors: str, venue: str | None, year: int | None) -> None:
    paper = facts(slug)
    assert entry.title == fact_title(paper), (entry.line, entry.title)
    names = fact_authors(paper)
    want = {"all": names, "none": [], "initials": [initials(n) for n in names]}.get(authors)
    if want is None:  # "first N": the list wrote "et al." after N names
        want = names[: int(authors.split()[1])]
    assert list(entry.authors) == want, (entry.line, entry.authors)
    ids = {k: v for k, v in entry.ids.known().items() if k in ("arxiv", "acl", "openreview")}
    assert ids and all(fact_ids(paper).get(k) == v for k, v in ids.items()), (entry.line, ids)
    assert (entry.venue, entry.year) == (venue, year), (entry.line, entry.venue, entry.year)
    assert entry.kind == "paper"


def _no_junk(p) -> None:
    """What `atpbib list` must never show: markup, URLs or descriptions in titles, badges, anchors."""
    for e in p.entries:
        assert e.title and len(e.title) <= 200, (e.line, e.title)
        assert not re.search(r"[\[\]*]|https?://|^\d+\)", e.title), (e.line, e.title)
        assert not any(lk.url.startswith(("#", "./#", "/#")) for lk in e.links)
        assert not any("shields.io" in lk.url or "travis-ci" in lk.url or "badge" in lk.url for lk in e.links)
        assert e.nickname is None or not re.search(r"\d+\s*stars?", e.nickname)


# -- bold title, italic authors, venue sentence, bracketed links ---------------------------------------

BOLD = {  # line → (slug, authors as written, venue hint, year hint)
    15: ("mdl-elmo", "all", "NAACL", 2018),
    16: ("mdl-ulmfit", "all", "ACL", 2018),
    17: ("mdl-bert", "all", "NAACL", 2019),
    18: ("mdl-xlnet", "all", "NeurIPS", 2019),  # the two-line form: authors and venue on the next lines
    21: ("trf-transformer-xl", "initials", "ACL", 2019),
    22: ("mdl-roberta", "first 3", "arXiv", 2019),  # "… et al."
    24: ("mdl-ernie-thu", "all", "ACL", 2019),  # a "-" bullet, authors indented below
    29: ("cmp-bert-pkd", "all", "EMNLP", 2019),  # the venue hint after the links: "(EMNLP2019)"
    30: ("cmp-tinybert", "all", "Findings of EMNLP", 2020),  # a stars badge among the links
    35: ("mdl-spanbert", "all", "TACL", 2020),  # "**Title.** Venue.", then a paragraph of authors and links
}


def test_bold_title_lists_split_title_authors_venue_and_links() -> None:
    p = parsed("bold_title.md")
    entries = by_line(p)
    assert sorted(entries) == sorted(BOLD)  # no badge, contents or build-status entries
    for line, (slug, authors, venue, year) in BOLD.items():
        _check_against_facts(entries[line], slug, authors, venue, year)
    _no_junk(p)
    assert entries[15].nickname == "ELMo"  # "(**ELMo**)" after the links
    assert entries[17].nickname is None  # "[**12 stars**]" is a counter, not a nickname
    assert [lk.label for lk in entries[17].links] == ["pdf", "code"]
    assert entries[18].end_line == 20 and entries[18].ids.github == "zihangdai/xlnet"
    assert entries[35].end_line == 37 and entries[35].description is None  # "2019.7" is a date, not a note
    # a stars badge links the code: kept as the code link; a build-status badge is dropped
    assert [lk.label for lk in entries[30].links] == ["code", "pdf"]
    assert entries[30].ids.github == "huawei-noah/Pretrained-Language-Model"
    assert p.warnings == ()


def test_the_lists_authors_reach_the_query_as_people() -> None:
    entry = by_line(parsed("bold_title.md"))[21]
    people = query_of(entry).authors
    assert [p.family for p in people] == [n.split()[-1] for n in fact_authors(facts("trf-transformer-xl"))]
    assert people[4].given == "Q. V."


# -- weekly tables: "1) Title  long description" in one cell ------------------------------------------

WEEKLY = {
    9: ("cmp-albert", "none", "ICLR", 2020),  # a double space ends the title
    10: ("cmp-tinybert", "none", None, None),  # a sentence break ends it
    11: ("trf-reformer", "none", "ICLR", 2020),  # "3) [Title](…)  notes": the number is not the title
    17: ("app-sentence-bert", "none", None, None),  # a number column, then the numbered title
}


def test_weekly_tables_keep_the_title_and_move_the_notes_to_the_description() -> None:
    p = parsed("weekly_table.md")
    entries = by_line(p)
    assert sorted(entries) == sorted(WEEKLY)  # the Colab badge row is no entry
    for line, (slug, authors, venue, year) in WEEKLY.items():
        _check_against_facts(entries[line], slug, authors, venue, year)
    _no_junk(p)
    for e in entries.values():
        assert e.description and e.description.startswith(("Notes", "A short note"))
    assert p.warnings == ()  # a badge-only row is decoration, not a skipped row


# -- link labels that are identifiers or tool names; URLs and arXiv ids in the text -------------------

LABELS = {
    7: ("mdl-bert", "all", None, None),  # [arXiv:1810.04805](…), Title, Authors
    8: ("mdl-roberta", "none", None, None),  # [1907.11692](…) Title
    9: ("mdl-udify", "all", None, None),  # Title. Authors. https://… (a bare URL in the text)
    10: ("trf-attention-is-all-you-need", "none", "NIPS", 2017),  # … arXiv:1706.03762 in the text
    11: ("att-sixteen-heads", "none", "NeurIPS", 2019),  # [[pdf](…)] (NeurIPS2019)
    12: ("mdl-electra", "all", "ICLR", 2020),  # [Title](…). *Authors*. ICLR 2020.
    16: ("mdl-uer", "none", None, None),  # [UER-py](github): [Paper Title](paper)
    17: ("ana-hf-transformers", "none", None, None),  # [Transformers](github) - [Paper Title](paper)
    19: ("trf-reformer", "all", None, None),  # Title. Authors. https://arxiv.org/abs/… (a bare arXiv URL)
}


def test_a_link_label_that_is_an_id_or_a_tool_is_not_the_title() -> None:
    p = parsed("link_labels.md")
    entries = by_line(p)
    assert sorted(entries) == sorted([*LABELS, 18])
    for line, (slug, authors, venue, year) in LABELS.items():
        _check_against_facts(entries[line], slug, authors, venue, year)
    _no_junk(p)
    assert (entries[16].nickname, entries[16].ids.github) == ("UER-py", "dbiir/UER-py")
    assert (entries[17].nickname, entries[17].ids.github) == ("Transformers", "huggingface/transformers")
    assert entries[16].description == "a toolkit"  # "[**12 stars**]" is neither nickname nor description
    assert [lk.label for lk in entries[7].links] == ["arxiv"]
    assert (entries[18].title, entries[18].kind) == ("bertviz", "repository")


# -- kinds from links, hosts and sections --------------------------------------------------------------

GENERAL_KINDS = {
    8: "paper", 9: "paper",  # "Review" in a paper's title does not make it a survey
    10: "survey",  # "…: A Survey"
    11: "repository", 12: "repository",  # a GitHub repository; a model card
    13: "website", 14: "website",  # a leaderboard; a course
    15: "blog", 16: "blog",  # "A Stage Review of …" on medium.com; a company blog
    17: "talk",  # a video
}


def test_kinds_come_from_links_hosts_and_sections_not_from_one_word() -> None:
    p = parsed("general.md")
    assert {e.line: e.kind for e in p.entries} == GENERAL_KINDS
    _no_junk(p)
    e = by_line(p)
    assert (e[9].ids.acl, e[9].venue, e[9].year) == ("N19-1242", "NAACL", 2019)
    assert [lk.label for lk in e[11].links] == ["code"] and e[11].ids.github == "google-research/bert"
    assert [lk.label for lk in e[15].links] == ["post"]


def test_a_section_name_is_a_prior_for_links_that_say_nothing() -> None:
    """Issue 19: a section's name is a prior, not a verdict. Where the item's links say nothing (example.org) the
    section decides; an arXiv paper in a 'Packages/Libraries' section is a paper (this test used to expect
    'repository' there, when the section came first)."""
    text = ("## English Blog\n- [A Survey of Attention](https://example.org/a)\n"
            "## Repositories\n- [tool](https://example.org/b)\n"
            "## Survey & Review\n- [Attention in NLP](https://arxiv.org/abs/1902.02181)\n"
            "## Packages/Libraries\n- [Scikit-thing: things in Python](http://arxiv.org/pdf/1201.00001.pdf)\n"
            "## Tutorials and Courses\n- [Deep Learning for NLP](https://example.org/dl4nlp)\n"
            "## Analysis & Tools\n- [A Study of Things](https://arxiv.org/abs/1902.00001)\n")
    assert [e.kind for e in parse_list(text).entries] == ["blog", "repository", "survey", "paper", "website", "paper"]


@pytest.mark.parametrize("url,kind", [
    ("https://github.com/google-research/bert", "repository"),
    ("https://huggingface.co/bert-base-uncased", "repository"),
    ("https://huggingface.co/blog/bert-101", "blog"),
    ("https://huggingface.co/papers/1810.04805", None),
    ("https://gluebenchmark.com/leaderboard", "website"),
    ("https://rajpurkar.github.io/SQuAD-explorer/leaderboard", "website"),
    ("https://web.stanford.edu/class/cs224n/", "website"),
    ("https://zhuanlan.zhihu.com/p/12345", "blog"),
    ("https://towardsdatascience.com/x-123", "blog"),
    ("https://example.com/blog/2019/bert", "blog"),
    ("https://someone.github.io/2015/05/21/a-post/", "blog"),  # a dated path
    ("https://youtu.be/abc", "talk"),
    ("https://arxiv.org/abs/1810.04805", None),
    ("https://www.aclweb.org/anthology/N19-1423", None),
    ("https://github.com/google-research", "website"),  # an organisation's page is not one repository (nor a paper)
    ("https://github.com/topics/bert", None),
    ("http://arxiv-sanity.com/search?q=transformer", "website"),  # a search page lists papers; it is none
    ("https://rowanzellers.com/grover/", None),
    ("http://www.arxiv-sanity.com/", "website"),  # a home page
    ("http://www.cs.columbia.edu/~someone/", "website"),  # someone's home page
    ("https://www.tensorflow.org/tutorials/seq2seq/index", "website"),
    ("https://docs.example.org/guide", "website"),
])
def test_hosts_say_what_a_page_is(url: str, kind: str | None) -> None:
    assert kind_of_url(url) == kind


def test_a_paper_link_beats_the_host_of_the_title_link() -> None:
    text = ("- [BERT repo](https://github.com/google-research/bert) [[paper]](https://arxiv.org/abs/1810.04805)\n"
            "- Title only with code [[code]](https://github.com/a/b)\n"
            "- A post [[blog]](https://medium.com/@x/y-1) [[pdf]](https://example.org/y.pdf)\n")
    assert [e.kind for e in parse_list(text).entries] == ["paper", "repository", "paper"]


# -- kinds weighed from evidence (issue 19, item 6) ---------------------------------------------------------

def _kinds(text: str) -> list[str]:
    return [e.kind for e in parse_list(text).entries]


def test_a_paper_with_a_source_or_code_link_stays_a_paper() -> None:
    text = ("- **A Study of Things**. *Ann Author, Bob Writer*. NeurIPS 2017. [[Source](https://github.com/a/b)]\n"
            "- [A Study of Things](https://papers.nips.cc/paper/7181-a-study) [Source](https://github.com/a/b)\n"
            "- A Study of Things (ACL 2019) [[paper]](https://www.aclweb.org/anthology/P19-1001) [[code]](https://github.com/a/b)\n"
            "- A Study of Things (CoRR 2020) [[paper & code]](https://github.com/a/b) [[post]](https://zhuanlan.zhihu.com/p/1)\n"
            "- [A Study of Things](https://arxiv.org/abs/2001.00001) - code: [a/b](https://github.com/a/b)\n")
    assert _kinds(text) == ["paper"] * 5
    # … and a repository with no paper evidence is still one
    assert _kinds("- A toolkit for things [[code]](https://github.com/a/b)\n") == ["repository"]


@pytest.mark.parametrize("item,kind", [
    ("[A Chat Product](https://openai.com/chatgpt) - a product", "website"),  # a product page
    ("[Pricing](https://www.anthropic.com/pricing)", "website"),
    ("[Some Company](https://example.com/)", "website"),  # a company's home page
    ("[A Language Group](http://www1.cs.example.edu/nlp/index.cgi)", "website"),  # a lab's home page
    ("[Model released](https://techcrunch.com/2023/03/14/model-released/)", "blog"),  # news: an article is a post
    ("[Lab news](https://www.example.com/en/news/features/model)", "blog"),
    ("[A Textbook on Language](https://web.stanford.edu/~someone/book3/) - a textbook", "book"),
    ("[Deep Things](https://www.deeplearningbook.org/)", "book"),  # a book's site
    ("[Things with Code](https://www.oreilly.com/library/view/things/9781098136789/)", "book"),  # publisher, ISBN
    ("[Neural Things](https://link.springer.com/book/10.1007/978-3-031-02165-7)", "book"),  # a book's DOI
    ("Deep Things, MIT Press, ISBN 9780262035613 [[link]](https://example.org/dl)", "book"),  # an ISBN in the text
    ("[Language Processing](https://web.stanford.edu/class/cs224n/)", "website"),  # a course
    ("[Things 101](https://www.coursera.org/learn/things)", "website"),
    ("[A Corpus](https://rajpurkar.github.io/corpus-explorer/) - a dataset", "website"),  # a dataset
    ("[A Corpus](https://huggingface.co/datasets/someone/corpus)", "website"),
    ("[Open Leaderboard](https://huggingface.co/spaces/someone/open_leaderboard)", "website"),  # a leaderboard
    # … while a paper stays a paper: a chapter DOI in a proceedings book, a dataset paper, a model named 'Video…'
    ("[A Study of Things](https://link.springer.com/chapter/10.1007/978-3-030-58452-8_13) (ECCV 2020)", "paper"),
    ("[A Corpus for Things](https://arxiv.org/abs/1606.00001) - a dataset of questions", "paper"),
    ("[VideoThing: A Joint Model for Video and Language](https://example.org/videothing) - a model for video", "paper"),
])
def test_product_company_news_book_course_dataset_and_leaderboard_pages_are_not_papers(item: str, kind: str) -> None:
    assert _kinds(f"- {item}\n") == [kind]


@pytest.mark.parametrize("item,kind", [
    ("[Understanding Things](https://example.org/things) - a blog post on scaling", "blog"),
    ("[Understanding Things](https://example.org/things) - an illustrated blog post", "blog"),
    ("[Things at ACL](https://example.org/t) - slides from the tutorial", "talk"),
    ("[Things Explained](https://example.org/v) - video", "talk"),
    ("[Things Explained](https://example.org/v) (video)", "talk"),
    ("[thing-lib](https://example.org/lib) - TensorFlow code and pre-trained models", "repository"),
    ("[Understanding Things](https://example.org/things) - a paper about things", "paper"),  # nothing said: a paper
    # a venue that names a tutorial: slides, however paper-like the reference around them
    ("Ann Author and Bob Writer. 2016. [Things](https://example.org/things-acl2016-v4.pdf). *ACL 2016 Tutorial*.", "talk"),
    ("A Study of Things (ACL 2019 Workshop on Things) [[paper]](https://example.org/a.pdf)", "paper"),
])
def test_the_descriptions_words_count(item: str, kind: str) -> None:
    assert _kinds(f"- {item}\n") == [kind]


def test_a_section_name_is_a_prior_not_a_verdict() -> None:
    text = ("## Surveys\n"
            "- [Some overview of things](https://medium.com/@someone/some-overview-0123456789ab)\n"  # a blog
            "- [Things Survey](https://github.com/someone/ThingsSurvey)\n"  # a repository
            "- [Notes on things](https://someone.github.io/2023/05/01/things/)\n"  # a dated post
            "- [A Survey of Things](https://arxiv.org/abs/2303.00001)\n"  # a survey
            "- [Things, Reviewed](https://example.org/things)\n"  # nothing said: the section's word
            "## Blog\n"
            "- [A Stage Review of Things](https://someone.notion.site/A-Stage-Review-of-Things-0123)\n"
            # a post whose own page says nothing, beside the paper it explains: the section speaks for the page
            "- [The Illustrated Thing](https://someone.github.io/illustrated/) [[paper]](https://arxiv.org/abs/1810.00001)\n"
            "## Libraries\n"
            "- [thing-lib](https://github.com/someone/thing-lib) [[paper]](https://arxiv.org/abs/1910.00001)\n"
            "- [A Study of Things](http://arxiv.org/pdf/1201.00001.pdf)\n")  # the paper's own link: a paper
    assert _kinds(text) == ["blog", "repository", "blog", "survey", "survey", "blog", "blog", "repository", "paper"]


def test_a_home_page_says_little_a_journal_article_says_paper() -> None:
    text = ("## Books\n- [Text Mining Things](https://www.example-textmining.com)\n"  # a book's own site
            "## Tutorials\n- [Things: An Introduction](https://academic.oup.com/jamia/article/18/5/544/829676)\n"
            "- [How To Label Things](https://www.example.io/how-to-label-things/)\n")
    assert _kinds(text) == ["book", "paper", "website"]


def test_a_link_reads_as_its_most_specific_sign() -> None:
    from atpbib.listparse.item import RawLink
    from atpbib.listparse.kinds import WEIGHTS, link_reading

    # the file's name says more than the label or the extension; the list's label more than the host
    assert link_reading(RawLink("paper", "[paper]", "https://www.dropbox.com/s/x/Deeplo-talk-2019.pdf?dl=0")) == (
        "talk", WEIGHTS["file"])
    assert link_reading(RawLink("paper & code", "[paper & code]", "https://github.com/a/b")) == ("paper", WEIGHTS["label"])
    assert link_reading(RawLink("code", "[code]", "https://arxiv.org/abs/2001.00001")) == (
        "paper", WEIGHTS["id"] + WEIGHTS["agree"])  # an id, on a paper host
    assert link_reading(RawLink("post", "[post]", "https://medium.com/@a/b-1")) == ("blog", WEIGHTS["label"] + WEIGHTS["agree"])
    assert link_reading(RawLink(None, "Title", "https://example.org/a")) is None


def test_kind_evidence_is_inspectable_and_weighed_in_one_table() -> None:
    from atpbib.listparse.item import RawLink
    from atpbib.listparse.kinds import WEIGHTS, kind_evidence, weigh

    ev = kind_evidence(("Papers", "English Blog"), "A Stage Review of Things",
                       [RawLink(None, "A Stage Review of Things", "https://medium.com/@a/b-1")], "a blog post")
    by_kind: dict[str, float] = {}
    for e in ev:
        by_kind[e.kind] = by_kind.get(e.kind, 0.0) + e.weight
    assert by_kind["blog"] == WEIGHTS["host"] * WEIGHTS["own"] + WEIGHTS["section"] + WEIGHTS["words"]
    assert by_kind["paper"] == WEIGHTS["base"] and by_kind["survey"] == 0.0  # a survey's title decides no kind
    assert weigh(ev) == "blog"
    assert {e.why.split()[0] for e in ev} >= {"own", "section", "description"}


# -- warnings quote the link as written ----------------------------------------------------------------

def test_warnings_quote_each_link_as_the_list_writes_it() -> None:
    text = ("- A [[code]](exbert.net)\n- B [pdf](paper.pdf)\n- C [Project page](//example.org/c)\n"
            "- D [[paper]](https://arxiv.org/abs/1810.04805)[[paper]](https://arxiv.org/abs/1810.04805)\n")
    messages = [w.message for w in parse_list(text).warnings]
    assert messages == [
        "line 1: link [[code]](exbert.net) has no scheme; resolved to https://exbert.net",
        "line 2: relative link [pdf](paper.pdf) kept as written (no base URL)",
        "line 3: link [Project page](//example.org/c) has no scheme; resolved to https://example.org/c",
        "line 4: duplicate link [[paper]](https://arxiv.org/abs/1810.04805) dropped",
    ]


# -- the rules underneath ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,names", [
    ("A. Author, B. Author", ("A. Author", "B. Author")),
    ("Jeremy Howard and Sebastian Ruder", ("Jeremy Howard", "Sebastian Ruder")),
    ("Teven Le Scao, Laurens van der Maaten & Łukasz Kaiser", ("Teven Le Scao", "Laurens van der Maaten", "Łukasz Kaiser")),
    ("Yinhan Liu, Myle Ott et al.", ("Yinhan Liu", "Myle Ott")),
    ("Zhiyuan Liu1, Maosong Sun2*", ("Zhiyuan Liu", "Maosong Sun")),
    ("Ann You, Bob Writer", ("Ann You", "Bob Writer")),  # a family name that is also an English word
    ("Author, Ann M and Writer, Bob", ("Ann M Author", "Bob Writer")),  # BibTeX's "Family, Given and …"
    ("Attention Is All You Need", None),
    ("Deep Contextualized Word Representations", None),
    ("BERT Visualization Tool", None),
    ("Google Research", None),  # one name alone is a name only where it was set apart
    ("NAACL 2019", None),
])
def test_names(text: str, names: tuple[str, ...] | None) -> None:
    assert names_in(text) == names


def test_title_then_authors_after_commas() -> None:
    assert split_title_authors("75 Languages, 1 Model: Parsing Universal Dependencies Universally, Dan Kondratyuk, Milan Straka") == (
        "75 Languages, 1 Model: Parsing Universal Dependencies Universally", ("Dan Kondratyuk", "Milan Straka"))
    assert split_title_authors("Show, Attend and Tell") == ("Show, Attend and Tell", ())


def test_sentences_do_not_break_at_initials_or_abbreviations() -> None:
    assert sentences("A Title. J. Devlin, M.-W. Chang et al. NAACL 2019.") == ["A Title", "J. Devlin, M.-W. Chang et al", "NAACL 2019"]
    assert sentences("Cats vs. Dogs, e.g. a study") == ["Cats vs. Dogs, e.g. a study"]


@pytest.mark.parametrize("text,hint", [
    ("ACL2019", ("ACL", 2019)), ("NeurIPS 2019.", ("NeurIPS", 2019)), ("In Proceedings of EMNLP-IJCNLP 2019", ("EMNLP-IJCNLP", 2019)),
    ("TACL, 2020", ("TACL", 2020)), ("2019", (None, 2019)), ("a long sentence that ends in 2019 but is a description", None),
    ("BERT Visualization Tool", None),
])
def test_bare_venue(text: str, hint) -> None:
    assert bare_venue(text) == hint


# -- guarantees on generated items ---------------------------------------------------------------------

_WORD = st.sampled_from("Attention Neural Sparse models of for Learning Transformers BERT via Deep Graph and Efficient "
                        "Language with Text Pre-training Robust 2.0 Multi-lingual".split())
_GIVEN = st.sampled_from(["Ashish", "Noam", "Ming-Wei", "Łukasz", "J.", "Quoc V.", "Zhilin", "Anna"])
_FAMILY = st.sampled_from(["Vaswani", "Shazeer", "Chang", "Kaiser", "Devlin", "Le", "Yang", "van der Maaten", "O'Brien"])
_NAME = st.builds(lambda g, f: f"{g} {f}", _GIVEN, _FAMILY)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(_WORD, min_size=2, max_size=12), names=st.lists(_NAME, min_size=1, max_size=8),
       venue=st.sampled_from(["ACL", "NeurIPS", "ICLR", "Findings of EMNLP"]), year=st.integers(1990, 2030),
       two_lines=st.booleans(), arxiv=st.from_regex(r"\A(1[0-9]|2[0-4])(0[1-9]|1[0-2])\.[0-9]{5}\Z"))
def test_any_bold_title_item_reads_back(words, names, venue, year, two_lines, arxiv) -> None:
    title = " ".join(words)
    sep = "\n   " if two_lines else ". "
    text = f"1. **{title}**{sep}*{', '.join(names)}*{sep}{venue} {year}. [[pdf](https://arxiv.org/abs/{arxiv})]\n"
    (e,) = parse_list(text).entries
    assert (e.title, list(e.authors), e.venue, e.year, e.ids.arxiv) == (title, names, venue, year, arxiv)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(_WORD, min_size=2, max_size=12).filter(lambda ws: any(w[0].isalpha() for w in ws)),  # a title has letters
       note=st.lists(_WORD, min_size=6, max_size=60),
       n=st.integers(1, 99), double_space=st.booleans())
def test_any_weekly_cell_keeps_only_the_title(words, note, n, double_space) -> None:
    title = " ".join(words)
    description = "Notes " + " ".join(note)
    cell = f"{n}) {title}  {description}" if double_space else f"{n}) {title}. {description}" + " x" * 120
    (e,) = parse_list(f"| Paper | Link |\n|---|---|\n| {cell} | [arXiv](https://arxiv.org/abs/1810.04805) |\n").entries
    assert e.title == title


# -- references written out without a link ---------------------------------------------------------------

REFERENCES = {
    7: ("trf-attention-is-all-you-need", "first 1", "NIPS", 2017),
    8: ("mdl-electra", "all", "ICLR", 2020),
    9: ("app-sentence-bert", "all", "EMNLP", 2019),
    10: ("att-sixteen-heads", "first 1", "NeurIPS", 2019),  # a title that ends in "?"
}


def test_references_without_links_are_entries_with_their_authors() -> None:
    p = parsed("references.md")
    entries = by_line(p)
    assert sorted(entries) == sorted(REFERENCES) and p.warnings == ()
    for line, (slug, authors, venue, year) in REFERENCES.items():
        e = entries[line]
        paper = facts(slug)
        names = fact_authors(paper)
        assert (e.title, list(e.authors)) == (fact_title(paper), names[: int(authors.split()[1])] if authors != "all" else names)
        assert (e.venue, e.year, e.links, e.kind) == (venue, year, (), "paper")


# -- and they resolve: each style's papers come out as their facts say ----------------------------------

@pytest.mark.parametrize("name,lines", [("bold_title.md", BOLD), ("weekly_table.md", WEEKLY), ("link_labels.md", LABELS),
                                        ("references.md", REFERENCES)])
def test_each_style_resolves_to_the_papers_its_facts_describe(fake, name: str, lines: dict) -> None:
    from atpbib.cli import _work_json
    from atpbib.fetch import Fetcher
    from atpbib.resolve import resolve_entries
    from facts import expected, score_work
    from fakeservices import environment

    fast = {f"ATPBIB_INTERVAL_{s}": "0" for s in ("ARXIV", "DBLP", "S2", "CROSSREF")}
    entries = [e for e in parsed(name).entries if e.kind in ("paper", "survey", "book")]
    with environment({**fake.env(), **fast}), Fetcher(None, max_attempts=2, backoff_base=0.05) as fetcher:
        result = resolve_entries(entries, fetcher)
    by_entry = {w.first_entry.line: _work_json(w) for w in result.works}
    wrong = {}
    for line, (slug, *_rest) in lines.items():
        entry = by_line(parsed(name))[line]
        exp = expected(facts(slug), entry.ids.known())
        scores = score_work(exp, by_entry[line])
        if not all(scores.values()):
            wrong[line] = [f for f, ok in scores.items() if not ok]
    assert wrong == {}
    assert all(by_entry[line]["sources"] != ["list"] for line in lines)  # found by the services, not echoed


# -- more shapes seen in public lists (placeholder papers: the shape is what is tested) ------------------

@pytest.mark.parametrize("item,title,authors,hint", [
    ("[arXiv:1901.00001](https://arxiv.org/abs/1901.00001), A Study of Things, Authors: Ann Author, Bob Writer",
     "A Study of Things", ("Ann Author", "Bob Writer"), (None, None)),
    ("A Study of Things, Author et al., NeurIPS 2017 [[pdf]](https://arxiv.org/abs/1901.00001)",
     "A Study of Things", ("Author",), ("NeurIPS", 2017)),
    ("[A Study of Things](https://arxiv.org/abs/1901.00001), Ann Author, Bob Writer, NIPS 2017",
     "A Study of Things", ("Ann Author", "Bob Writer"), ("NIPS", 2017)),
    ("[A Study of Things](https://arxiv.org/abs/1901.00001) by Ann Author", "A Study of Things", ("Ann Author",), (None, None)),
    ("**A Study of Things: A Review of Methods.** *Ann Author, Bob Writer*. arXiv 2018. [paper](https://arxiv.org/pdf/1901.00001.pdf)",
     "A Study of Things: A Review of Methods", ("Ann Author", "Bob Writer"), ("arXiv", 2018)),
    ("[ACL 2019] A Study of Things [[paper]](https://arxiv.org/abs/1901.00001)", "A Study of Things", (), ("ACL", 2019)),
    ("A Study of Things. TACL 2020. [paper](https://arxiv.org/abs/1901.00001)", "A Study of Things", (), ("TACL", 2020)),
    ("Show, Attend and Tell: A Study (ICML 2015) [[paper]](https://arxiv.org/abs/1901.00001)",
     "Show, Attend and Tell: A Study", (), ("ICML", 2015)),
    ("Small, Fast, Cheaper and Lighter Models [[paper]](https://arxiv.org/abs/1901.00001)",
     "Small, Fast, Cheaper and Lighter Models", (), (None, None)),
    ("**A Study of Things**, Author et al., *arXiv 2023*. [[paper](https://arxiv.org/abs/1901.00001)]",
     "A Study of Things", ("Author",), ("arXiv", 2023)),
    ("[A Study of Things](https://arxiv.org/abs/1901.00001) - *Ann Author, Bob Writer*, **ACL 2019**",
     "A Study of Things", ("Ann Author", "Bob Writer"), ("ACL", 2019)),  # a bold venue is no nickname
    ("**A Study of Things** (NeurIPS 2020) [[paper](https://arxiv.org/abs/1901.00001)]", "A Study of Things", (), ("NeurIPS", 2020)),
])
def test_more_item_shapes(item: str, title: str, authors: tuple, hint: tuple) -> None:
    (e,) = parse_list(f"- {item}\n").entries
    assert (e.title, e.authors, (e.venue, e.year), e.ids.arxiv) == (title, authors, hint, "1901.00001")


def test_a_weekly_row_with_a_bold_name_and_a_long_note() -> None:
    row = ("| 1) **Thing 2** - a collection of pretrained models from small to large; the report covers training, "
           "evaluation and safety at length. | [Paper](https://arxiv.org/abs/1901.00001), [Tweet](https://twitter.com/x/status/1) |")
    (e,) = parse_list(f"| **Paper** | **Links** |\n|---|---|\n{row}\n").entries
    assert (e.title, e.ids.arxiv, [lk.label for lk in e.links]) == ("Thing 2", "1901.00001", ["paper", "tweet"])
    assert e.description.startswith("a collection of pretrained models")


def test_a_decorated_or_numbered_link_is_still_the_title() -> None:
    (a, b) = parse_list("- 🔥 [**Thing**](https://arxiv.org/abs/1901.00001): what it does\n\n"
                        "| T |\n|---|\n| 7) [A Study of Things](https://arxiv.org/abs/1901.00002) |\n").entries
    assert (a.title, a.description) == ("Thing", "what it does")
    assert b.title == "A Study of Things"


def test_atpbib_list_on_each_style_shows_only_its_entries() -> None:
    from typer.testing import CliRunner

    from atpbib.cli import app

    expected = {"bold_title.md": BOLD, "weekly_table.md": WEEKLY, "link_labels.md": {**LABELS, 18: None},
                "general.md": GENERAL_KINDS, "references.md": REFERENCES}
    for name, lines in expected.items():
        result = CliRunner().invoke(app, ["list", "--list", str(STYLES / name), "--json"])
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert sorted(e["line"] for e in shown) == sorted(lines), name
        assert all(e["title"] and "[" not in e["title"] for e in shown)


@pytest.mark.parametrize("item,title,authors,venue,year", [
    ("Ann Author, et al.: A Study of Things, 1992.", "A Study of Things", ("Ann Author",), None, 1992),
    ("Ann Author and Bob Writer. A Study of Things, Computational Linguistics, 1993.", "A Study of Things",
     ("Ann Author", "Bob Writer"), "Computational Linguistics", 1993),
    ("Ann Author: A Study of Things, J. of Machine Learning Research, 2003.", "A Study of Things", ("Ann Author",),
     "J. of Machine Learning Research", 2003),
    ("Cara Writer. A Study of Things, ACL 2005.", "A Study of Things", ("Cara Writer",), "ACL", 2005),
])
def test_a_reference_written_out_without_a_link_is_an_entry(item, title, authors, venue, year) -> None:
    (e,) = parse_list(f"* {item}\n").entries
    assert (e.title, e.authors, e.venue, e.year, e.links) == (title, authors, venue, year, ())


def test_text_without_a_link_or_a_reference_shape_is_still_skipped() -> None:
    p = parse_list("* A note about things.\n* Show, Attend and Tell: A Study (ICML 2015)\n"
                   "* Ann Author, Bob Writer. A Study of Things.\n")  # no year: not a reference
    # a title with its venue and year names a paper (searched by title); a note or names without a year do not
    assert [(e.title, e.venue, e.year) for e in p.entries] == [("Show, Attend and Tell: A Study", "ICML", 2015)]
    assert len(p.warnings) == 2


@pytest.mark.parametrize("item,authors,year,title", [
    ("Author and Writer - 2014 - **A Study of Things** [[pdf]](https://arxiv.org/abs/1901.00001)", ("Author", "Writer"), 2014, "A Study of Things"),
    ("Author et al. - 2018 - A Study of Things [[pdf]](https://arxiv.org/abs/1901.00001)", ("Author",), 2018, "A Study of Things"),
])
def test_a_file_name_shape_gives_the_authors_year_and_title(item, authors, year, title) -> None:
    (e,) = parse_list(f"- {item}\n").entries
    assert (e.title, e.authors, e.year, e.ids.arxiv) == (title, authors, year, "1901.00001")


def test_a_table_without_titles_but_with_ids_is_read_quietly() -> None:
    text = ("| Model | Description | Year | Paper |\n|---|---|---|---|\n"
            "| **Thing** | What it does, in a sentence or two. | 2019 | [arXiv:1901.00001](https://arxiv.org/abs/1901.00001) |\n")
    p = parse_list(text)
    (e,) = p.entries
    assert (e.title, e.nickname, e.year, e.ids.arxiv, p.warnings) == ("", "Thing", 2019, "1901.00001", ())


@pytest.mark.parametrize("authors_line", ["*Ann Author, Bob Writer, Cara Smith*", "Ann Author, Bob Writer, Cara Smith."])
def test_the_authors_paragraph_below_a_bold_title(authors_line: str) -> None:
    text = f"1. **A Study of Things.** ACL 2019.\n\n   {authors_line} [[pdf](https://arxiv.org/abs/1901.00001)]\n"
    (e,) = parse_list(text).entries
    assert (e.title, e.authors, e.venue, e.year, e.ids.arxiv, e.end_line) == (
        "A Study of Things", ("Ann Author", "Bob Writer", "Cara Smith"), "ACL", 2019, "1901.00001", 3)


def test_lists_written_as_paragraphs() -> None:
    text = ("## Memory\n"
            "[Memory Things](https://arxiv.org/pdf/1901.00001v10.pdf) Author et. al 2014, and\n"
            "[End-To-End Things](https://arxiv.org/pdf/1901.00002v4.pdf) Writer et. al 2015.\n"
            "Things are implemented in [Lib](https://github.com/a/b).\n\n"
            "This paragraph mentions [a study](https://arxiv.org/abs/1901.00003) in passing: prose, no entry.\n"
            "[Awesome](https://awesome.re) is a list, and [Some Project Page](https://example.org/p) is a page.\n")
    p = parse_list(text)
    assert [(e.line, e.title, e.ids.arxiv, e.year) for e in p.entries] == [
        (2, "Memory Things", "1901.00001", None), (3, "End-To-End Things", "1901.00002", 2015)]
    assert p.entries[1].ids.github == "a/b" and p.entries[1].end_line == 4
