"""One rule per concept: one ASCII fold (keys and title/name comparison), one "same title" rule (the audit
and the list's discrepancies)."""
from __future__ import annotations

from atpbib import check, keys, match
from atpbib.inputs import markdown
from atpbib.model import Entry, Person, Work
from atpbib.textutil import ascii_fold


def test_one_ascii_fold_transliterates_letters_nfkd_cannot_decompose():
    assert keys.ascii_fold is ascii_fold and match.ascii_fold is ascii_fold
    assert ascii_fold("Søgaard Ørsted Straße Łukasz Þór ı") == "Sogaard Orsted Strasse Lukasz THor i"
    assert keys.family_slug("Søgaard") == "sogaard"
    assert match.normalize_title("Søgaard") == match.normalize_title("Sogaard")


def test_a_verified_hit_counts_sogaard_and_søgaard_as_one_author():
    assert match.author_overlap([Person(given="Anders", family="Søgaard")],
                                [Person(given="Anders", family="Sogaard")]) == 1.0


def _entry(title: str) -> Entry:
    return Entry(title=title, line=7, section=("S",))


def test_the_audit_and_the_discrepancies_share_one_same_title_rule():
    listed, resolved = "ProphetNet: Predicting Future N-gram for Sequence-to-Sequence Pre-training", \
        "ProphetNet: Predicting Future N-gram for Sequence-to-SequencePre-training"
    assert check.same_title is match.same_title
    work = Work(title=resolved, origins=(_entry(listed),), sources=("acl",))
    assert not [d for d in markdown.discrepancies(work) if d.field == "title"]
    other = Work(title="ProphetNet: Predicting Future N-gram", origins=(_entry(listed),), sources=("acl",))
    assert [d.field for d in markdown.discrepancies(other)] == ["title"]
