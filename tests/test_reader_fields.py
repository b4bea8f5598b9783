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
