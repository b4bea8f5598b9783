"""Fields the tagger decides from what a span is, wherever it stands (issue 19): a parenthesised citation is the
authors and the venue; words English never uses as names keep a title whole. The titles and names here are
shapes, not facts: nothing is resolved."""
from __future__ import annotations

import pytest

from atpbib.listparse import parse_list
from atpbib.listparse.people import names_in


def one(item: str):
    (e,) = parse_list(f"# Papers\n\n{item}\n").entries
    return e


@pytest.mark.parametrize("aside,authors,venue,year", [
    ("(Niven and Kao, ACL 2019)", ("Niven", "Kao"), "ACL", 2019),
    ("(Wu and Hu, 2018)", ("Wu", "Hu"), None, 2018),
    ("(Sun et al., EMNLP 2019)", ("Sun",), "EMNLP", 2019),
    ("(ACL, 2019)", (), "ACL", 2019),  # a venue is never a family name
    ("(Findings of EMNLP, 2020)", (), "Findings of EMNLP", 2020),
])
def test_a_parenthesised_citation_is_authors_and_venue(aside, authors, venue, year) -> None:
    e = one(f"* [Probing Comprehension of Arguments](https://aclanthology.org/P19-1459/) {aside}")
    assert (e.title, e.authors, e.venue, e.year) == ("Probing Comprehension of Arguments", authors, venue, year)


@pytest.mark.parametrize("words", ["Search Without Expansions", "Attention Between Layers", "Models Through Time",
                                   "Reasoning Within Limits"])
def test_function_words_are_never_names(words: str) -> None:
    assert names_in(words, single=True) is None
    e = one(f"* **A\\* {words}: Learning Heuristics**. *Forest Agostinelli, Stephen McAleer*. ICLR 2021. "
            f"[[pdf](https://arxiv.org/abs/2102.04518)]")
    assert (e.title, e.authors) == (f"A* {words}: Learning Heuristics", ("Forest Agostinelli", "Stephen McAleer"))


@pytest.mark.parametrize("name", ["Kaiming He", "Yang You", "Or Honovich", "In So Kweon", "Can Xu", "Per Kristian"])
def test_names_that_are_also_english_words_stay_names(name: str) -> None:
    assert names_in(f"{name}, Jacob Devlin") == (name, "Jacob Devlin")


@pytest.mark.parametrize("tail,venue", [
    ("In *Proceedings of the 2019 Conference of the North American Chapter of the Association for Computational "
     "Linguistics: Human Language Technologies, Volume 1 (Long and Short Papers)*, pages 4171–4186.",
     "Conference of the North American Chapter of the Association for Computational Linguistics: Human Language "
     "Technologies"),
    ("Transactions of the Association for Computational Linguistics, 8:726–742.",
     "Transactions of the Association for Computational Linguistics"),
    ("Journal of Machine Learning Research, 21(140):1–67.", "Journal of Machine Learning Research"),
    ("In *Proc. NAACL-HLT*, pp. 4171–4186.", "NAACL-HLT"),
])
def test_a_spelled_out_venue_with_its_year_inside_volume_and_pages(tail: str, venue: str) -> None:
    e = one(f"* Jacob Devlin, Ming-Wei Chang, and Kenton Lee. 2019. [Some Paper Title](https://x.org/a). {tail}")
    assert (e.title, e.authors, e.venue, e.year) == ("Some Paper Title", ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee"),
                                                     venue, 2019)


def test_a_track_word_inside_the_link_label_is_the_title_s_and_the_hint_outside_counts() -> None:
    e = one("* [Some Paper Title (short)](https://x.org/a) (ACL 2019)")
    assert (e.title, e.venue, e.year) == ("Some Paper Title (short)", "ACL", 2019)


@pytest.mark.parametrize("item", [
    "- [2004.05150] Longformer: The Long-Document Transformer",
    "- [2004.05150](https://arxiv.org/abs/2004.05150) Longformer: The Long-Document Transformer",
    "- Longformer: The Long-Document Transformer. [arXiv 2020](https://arxiv.org/abs/2004.05150)",
])
def test_an_id_or_a_venue_as_the_link_is_not_the_title(item: str) -> None:
    e = one(item)
    assert (e.title, e.ids.arxiv) == ("Longformer: The Long-Document Transformer", "2004.05150")


def test_a_bracketed_number_that_is_no_arxiv_id_stays_text() -> None:
    assert one("- [2013.05150] Some Title Here [pdf](https://x.org/a.pdf)").ids.arxiv is None  # month 13


def test_a_quoted_paragraph_is_read_like_a_paragraph() -> None:
    text = ("# Papers\n\n> [Reformer: The Efficient Transformer](https://arxiv.org/abs/2001.04451) ICLR 2020\n\n"
            "> > [Big Bird: Transformers for Longer Sequences](https://arxiv.org/abs/2007.14062) NeurIPS 2020\n\n"
            "> **Note**: kept by volunteers; see [Attention Is All You Need](https://arxiv.org/abs/1706.03762).\n")
    got = [(e.title, e.venue, e.year, e.ids.arxiv) for e in parse_list(text).entries]
    assert got == [("Reformer: The Efficient Transformer", "ICLR", 2020, "2001.04451"),
                   ("Big Bird: Transformers for Longer Sequences", "NeurIPS", 2020, "2007.14062")]


def test_bullets_below_a_paper_give_its_authors_venue_and_date() -> None:
    text = ("# Papers\n\n- [Some Agent Benchmark for Desktop Tasks](https://arxiv.org/abs/2603.25864)\n"
            "    - Saelyne Yang, Jaesang Yu, Yi-Hao Peng\n    - 🏛️ Institutions: Unknown\n"
            "    - 📅 Date: March 26, 2026\n    - 📑 Publisher: CVPR 2026\n    - 📖 TLDR: A benchmark.\n"
            "- [Another Paper on Agents](https://arxiv.org/abs/2603.26266)\n    - Venue: arXiv\n    - Year: 2025\n")
    parsed = parse_list(text)
    got = [(e.title, e.authors, e.venue, e.year) for e in parsed.entries]
    assert got == [("Some Agent Benchmark for Desktop Tasks", ("Saelyne Yang", "Jaesang Yu", "Yi-Hao Peng"), "CVPR", 2026),
                   ("Another Paper on Agents", (), "arXiv", 2025)]
    assert not parsed.warnings  # the notes below a paper are its notes, not skipped items


@pytest.mark.parametrize("field,venue,year", [
    ("Venue: ICLR 2024", "ICLR", 2024), ("Published in: NeurIPS 2021", "NeurIPS", 2021),
    ("Date: 2019-05-12", None, 2019), ("Conference: ACL 2019", "ACL", 2019),
])
def test_a_named_field_is_read_by_what_it_names(field, venue, year) -> None:
    e = one(f"- [A Title of Some Paper](https://arxiv.org/abs/1810.04805). {field}")
    assert (e.venue, e.year) == (venue, year)


@pytest.mark.parametrize("tail,venue,year", [
    ("*arXiv:1703.01619*.", "arXiv", 2017), ("*arxiv:1709.07809*.", "arXiv", 2017),
    ("*arXiv preprint arXiv:1906.04341*.", "arXiv", 2017),
    ("_Twelfth International Conference on Quality of Multimedia Experience_. IEEE. 2020.",
     "Twelfth International Conference on Quality of Multimedia Experience", 2017),
])
def test_venue_forms_of_references(tail, venue, year) -> None:
    e = one(f"* Graham Neubig, Philipp Koehn. 2017. [A Tutorial on Sequence Models](https://arxiv.org/pdf/1703.01619.pdf). {tail}")
    assert (e.authors, e.venue, e.year) == (("Graham Neubig", "Philipp Koehn"), venue, year)


def test_a_double_space_after_a_comma_does_not_end_the_authors() -> None:
    e = one('* Thomas Zinner, Christian Sieber,  Werner Robitza and Alexander Raake. **"A Holistic Analysis."** 2020. '
            '[[url]](https://dl.acm.org/doi/abs/10.1145/3339825.3391858)')
    assert e.authors == ("Thomas Zinner", "Christian Sieber", "Werner Robitza", "Alexander Raake")


def test_a_journal_abbreviated_j_after_the_title() -> None:
    e = one("* David Blei, Andrew Y. Ng, and Michael I. Jordan: Latent Dirichlet Allocation, J. Machine Learning Research, "
            "2003. [pdf](https://x.org/lda.pdf)")
    assert (e.title, e.venue, e.year) == ("Latent Dirichlet Allocation", "J. Machine Learning Research", 2003)


@pytest.mark.parametrize("item,title,nick", [
    ("- follow-up: GPT-based Generation for Classical Chinese Poetry — arXiv 2019 — [arXiv:1907.00151](https://arxiv.org/abs/1907.00151)",
     "GPT-based Generation for Classical Chinese Poetry", None),
    ("- exBERT: exBERT: A Visual Analysis Tool; Benjamin Hoover, Hendrik Strobelt; ACL 2020 Demo; [[pdf](https://arxiv.org/abs/1910.05276)]",
     "exBERT: A Visual Analysis Tool", "exBERT"),
    ("- ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators. [[pdf](https://arxiv.org/abs/2003.10555)]",
     "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators", None),
])
def test_a_label_or_a_nickname_opening_an_unmarked_title(item: str, title: str, nick) -> None:
    e = one(item)
    assert (e.title, e.nickname) == (title, nick)


def test_a_link_labelled_by_a_venue_and_year_is_no_title_but_a_title_opening_with_one_is() -> None:
    e = one("- [ACL 2018 Highlights: Understanding Representations](http://ruder.io/acl-2018-highlights/)")
    assert e.title == "ACL 2018 Highlights: Understanding Representations"


def test_the_name_a_title_opens_with_set_before_it_is_the_nickname() -> None:
    e = one("1. **exBERT**: [[pdf](https://arxiv.org/abs/1910.05276)]. *exBERT: A Visual Analysis Tool*. "
            "Benjamin Hoover, Hendrik Strobelt. ACL 2020 Demo")
    assert (e.title, e.authors) == ("exBERT: A Visual Analysis Tool", ("Benjamin Hoover", "Hendrik Strobelt"))


@pytest.mark.parametrize("text,title,authors", [
    ("Fine-Tuning Language Models: Weight Initializations, Data Orders, and Early Stopping, Jesse Dodge et al.",
     "Fine-Tuning Language Models: Weight Initializations, Data Orders, and Early Stopping", ("Jesse Dodge",)),
    ("Do Attention Heads Track Syntax?, Htut, Phu Mon and Phang, Jason and Bowman, Samuel R.",
     "Do Attention Heads Track Syntax?", ("Phu Mon Htut", "Jason Phang", "Samuel R. Bowman")),
    ("RoBERTa: A Robustly Optimized Approach, Liu, Y., Ott, M., & Stoyanov, V.",
     "RoBERTa: A Robustly Optimized Approach", ("Y. Liu", "M. Ott", "V. Stoyanov")),
])
def test_names_after_the_title_in_any_citation_form(text, title, authors) -> None:
    from atpbib.listparse.people import split_title_authors
    assert split_title_authors(text) == (title, authors)


def test_people_are_no_journal() -> None:
    from atpbib.listparse.hints import read_hint
    assert read_hint("J. Howard and S. Ruder") is None
    assert read_hint("J. Mach. Learn. Res.").venue == "J. Mach. Learn. Res"


@pytest.mark.parametrize("item,title,authors,venue,year", [
    ("1. Zhilin Yang, Zihang Dai, and Quoc V. Le, NeurIPS2019, XLNet: Generalized Autoregressive Pretraining, "
     "[[pdf](https://arxiv.org/abs/1906.08237)]", "XLNet: Generalized Autoregressive Pretraining",
     ("Zhilin Yang", "Zihang Dai", "Quoc V. Le"), "NeurIPS", 2019),
    ("1. *Yifan Qiao, Chenyan Xiong, and Zhiyuan Liu*, arXiv 2019, Understanding the Behaviors of BERT in Ranking, "
     "[[pdf](https://arxiv.org/abs/1904.07531)]", "Understanding the Behaviors of BERT in Ranking",
     ("Yifan Qiao", "Chenyan Xiong", "Zhiyuan Liu"), "arXiv", 2019),
    ("1. Dan Kondratyuk and Milan Straka, 75 Languages, 1 Model: Parsing Universal Dependencies Universally, "
     "EMNLP-IJCNLP 2019, [[pdf](https://aclanthology.org/D19-1279/)]",
     "75 Languages, 1 Model: Parsing Universal Dependencies Universally", ("Dan Kondratyuk", "Milan Straka"),
     "EMNLP-IJCNLP", 2019),
    ("* Wang, W., Bi, B., & Si, L. ICLR'20. [StructBERT: Incorporating Language Structures](https://arxiv.org/abs/1908.04577)",
     "StructBERT: Incorporating Language Structures", ("W. Wang", "B. Bi", "L. Si"), "ICLR", 2020),
    ("* Ethayarajh, K. (2019). How Contextual are Word Representations? *EMNLP-IJCNLP*. [pdf](https://arxiv.org/pdf/1909.00512.pdf)",
     "How Contextual are Word Representations?", ("K. Ethayarajh",), "EMNLP-IJCNLP", 2019),
    ("* **How Contextual are Word Representations?**. K. Ethayarajh. (EMNLP-IJCNLP) 2019. https://arxiv.org/pdf/1909.00512.pdf",
     "How Contextual are Word Representations?", ("K. Ethayarajh",), "EMNLP-IJCNLP", 2019),
    ("* extension: <b>Star-Transformer</b> – 2019 – [pdf](https://arxiv.org/abs/1902.09113)", "Star-Transformer", (), None, 2019),
])
def test_fields_in_any_order_with_commas(item, title, authors, venue, year) -> None:
    e = one(item)
    assert (e.title, e.authors, e.venue, e.year) == (title, authors, venue, year)


def test_model_names_are_no_person_s_names() -> None:
    assert names_in("XLNet NeurIPS", single=True) is None
    assert names_in("Yann LeCun, Terrance DeVries, Stephen McAleer") == ("Yann LeCun", "Terrance DeVries", "Stephen McAleer")


def test_an_item_whose_title_the_reader_is_unsure_of_says_so_once() -> None:
    parsed = parse_list("# Papers\n\n- seq2seq using CGRU: [DL4MT](https://github.com/nyu-dl/dl4mt-tutorial)\n"
                        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) (NeurIPS 2017)\n")
    unsure, plain = parsed.entries
    (warning,) = [w for w in unsure.warnings if w.kind == "unsure"]
    assert warning.line == 3 and "DL4MT" in warning.text and "seq2seq using CGRU" in warning.text
    assert not [w for w in plain.warnings if w.kind == "unsure"]
