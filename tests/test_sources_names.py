"""Author-name splitting shared by the sources."""
from __future__ import annotations

import pytest

from atpbib.model import Person
from atpbib.names import latex_to_text, person_from_display, split_bibtex_names, strip_dblp_number


@pytest.mark.parametrize(
    "name,family,given",
    [
        ("Jacob Devlin", "Devlin", "Jacob"),
        ("Ming-Wei Chang", "Chang", "Ming-Wei"),
        ("Peter H. N. de With", "de With", "Peter H. N."),
        ("Joost van der Putten", "van der Putten", "Joost"),
        ("Adrian Del Maestro", "Del Maestro", "Adrian"),
        ("Teven Le Scao", "Le Scao", "Teven"),
        ("Di Wu", "Wu", "Di"),  # a given name that looks like a particle stays given
        ("Martin Luther King Jr.", "King Jr.", "Martin Luther"),
        ("John Smith, Jr.", "Smith Jr.", "John"),
        ("Qun Liu 0001", "Liu", "Qun"),
        ("Plato", "Plato", ""),
        ("  Aidan   N.  Gomez ", "Gomez", "Aidan N."),
        ("Łukasz Kaiser", "Kaiser", "Łukasz"),
    ],
)
def test_given_family(name, family, given):
    assert person_from_display(name) == Person(family, given)


def test_bibtex_names_both_orders_braces_and_latex():
    value = 'Le Scao, Teven  and\n      Rush, Alexander and {Barnes and Noble} and M{\\"u}ller, Thomas and Smith, Jr., John and Scott Wen{-}tau Yih and others'
    assert split_bibtex_names(value) == (
        Person("Le Scao", "Teven"),
        Person("Rush", "Alexander"),
        Person("Barnes and Noble"),
        Person("Müller", "Thomas"),
        Person("Smith Jr.", "John"),
        Person("Yih", "Scott Wen-tau"),
    )
    assert split_bibtex_names("") == ()


def test_latex_to_text_keeps_percent_and_prices():
    assert latex_to_text("{BERT} gains 4.6% absolute") == "BERT gains 4.6% absolute"
    assert latex_to_text("{X} costs $35,000") == "X costs $35,000"
    assert latex_to_text(r"$k$-{NN} and 50\%") == "k-NN and 50%"
    assert latex_to_text("plain   text\n here") == "plain text here"


def test_strip_dblp_number():
    assert strip_dblp_number("Fang Wang 0001") == "Fang Wang"
    assert strip_dblp_number("Agent 007") == "Agent 007"


def test_source_registry_imports_lazily():
    import importlib

    sources = importlib.import_module("atpbib.sources")
    assert set(sources.SOURCES) == {"arxiv", "acl", "openreview", "dblp", "semanticscholar", "crossref"}
    assert sources.SOURCES["dblp"].__name__ == "atpbib.sources.dblp"
    assert sources.openreview is sources.SOURCES["openreview"]
    err = sources.SourceError("arxiv", "two\nlines")
    assert err.source == "arxiv" and str(err) == "two lines"
