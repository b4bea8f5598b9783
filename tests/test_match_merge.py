"""Matching evidence, version choice and discrepancies (synthetic records: no real paper facts here)."""
from __future__ import annotations

from atpbib import venues
from atpbib.match import author_overlap, normalize_title, title_score, verify
from atpbib.identity import group_queries
from atpbib.inputs.markdown import discrepancies, queries
from atpbib.merge import choose_version, merge, same_work
from atpbib.model import Entry, Ids, Match, Person, Record, Work

ANN = Person("Example", "Ann")
BOB = Person("Sample", "Bob")
CY = Person("Placeholder", "Cy")


def rec(source, title="Learning Widgets with Gadgets", published=False, **kw):
    return Record(source=source, source_key=kw.pop("key", source + "-1"), title=title, published=published, **kw)


def entry(title="Learning Widgets with Gadgets", line=10, **kw):
    return Entry(section=("Papers",), line=line, title=title, **kw)


def test_normalize_title_ignores_case_punctuation_latex_accents():
    assert normalize_title("{BERT}: Pre-training -- of Déep Models.") == "bert pre training of deep models"
    assert normalize_title(r"\textbf{X} and Y") == "x and y"


def test_title_score_tolerates_truncated_titles():
    full = "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer"
    assert title_score(full[:-1], full) > 95
    assert title_score("Widgets", "Completely Different Gadgets Paper") < 60


def test_author_overlap_by_family_name():
    assert author_overlap([ANN, BOB], [Person("Example", "A."), Person("Sample", "B.")]) == 1.0
    assert author_overlap([ANN, BOB], [CY]) == 0.0
    assert author_overlap([], [ANN]) is None


def test_verify_rejects_lookalike_and_accepts_same_paper():
    hit_same = rec("dblp", "Learning Widgets with Gadgets.", published=True, authors=(ANN, BOB), year=2020)
    hit_other = rec("dblp", "Learning Gadgets with Widgets at Scale", published=True, authors=(CY,), year=2020)
    ok = verify("Learning Widgets with Gadgets", hit_same, authors=(ANN, BOB), year=2019)
    bad = verify("Learning Widgets with Gadgets", hit_other, authors=(ANN, BOB), year=2019)
    assert ok.accepted and ok.author_overlap == 1.0 and ok.year_delta == 1
    assert not bad.accepted and "title" in bad.reason


def test_verify_rejects_same_title_by_other_authors():
    hit = rec("dblp", "Learning Widgets with Gadgets", authors=(CY,), year=2020)
    m = verify("Learning Widgets with Gadgets", hit, authors=(ANN, BOB), year=2020)
    assert not m.accepted and "different authors" in m.reason


def test_verify_rejects_far_years():
    hit = rec("dblp", "Learning Widgets with Gadgets", authors=(ANN,), year=2001)
    assert not verify("Learning Widgets with Gadgets", hit, authors=(ANN,), year=2019).accepted


def test_choose_version_prefers_published_main_venue_then_authority():
    pre = rec("arxiv", venue="arXiv")
    workshop = rec("dblp", published=True, venue="FooWorkshop 2019", container_title="Proceedings of the Foo Workshop", key="w")
    main = rec("dblp", published=True, venue="ICML 2020", key="m")
    acl = rec("acl", published=True, venue="ACL 2020")
    assert choose_version([pre]) is pre
    assert choose_version([pre, workshop]) is workshop
    assert choose_version([pre, workshop, main]) is main
    assert choose_version([pre, main, acl]) is acl


def test_merge_takes_venue_fields_from_chosen_version_and_abstract_from_arxiv():
    pre = rec("arxiv", venue="arXiv", year=2019, authors=(ANN, BOB), abstract="We study widgets.",
              ids=Ids(arxiv="1901.00001"), url="https://arxiv.org/abs/1901.00001", pages=None)
    pub = rec("dblp", published=True, type="inproceedings", venue="ICML 2020", year=2020, pages="1--9",
              container_title="Proceedings of ICML", authors=(ANN, BOB), ids=Ids(dblp="conf/icml/X20"),
              match=Match("dblp", "q", "Learning Widgets with Gadgets", 100.0, 1.0, 1, True, "ok"))
    work = merge(queries([entry(venue="CoRR", year=2019, venue_raw="CoRR 2019")]), [pre, pub])
    assert work.status == "resolved"
    assert (work.venue, work.year, work.type, work.pages) == ("ICML 2020", 2020, "inproceedings", "1--9")
    assert work.abstract == "We study widgets."
    assert work.ids.arxiv == "1901.00001" and work.ids.dblp == "conf/icml/X20"
    prov = dict(work.provenance)
    assert prov["venue"] == "dblp" and prov["abstract"] == "arxiv"
    assert {d.field for d in discrepancies(work)} == {"venue", "year"}  # the list side compares


def test_merge_ignores_rejected_hits_but_keeps_their_evidence():
    pre = rec("arxiv", venue="arXiv", year=2019, authors=(ANN,))
    wrong = rec("dblp", "Some Other Paper", published=True, venue="AAAI 2020",
                match=Match("dblp", "q", "Some Other Paper", 40.0, 0.0, 1, False, "title differs"))
    work = merge(queries([entry()]), [pre, wrong])
    assert work.venue == "arXiv" and work.sources == ("arxiv",)
    assert len(work.matches) == 1 and not work.matches[0].accepted


def test_merge_without_records_is_partial_with_ids_and_unresolved_without():
    with_id = merge(queries([entry(ids=Ids(arxiv="1901.00001"))]), [], ["arXiv: arXiv unreachable"])
    without = merge(queries([entry()]), [])
    assert with_id.status == "partial" and with_id.problems == ("arXiv: arXiv unreachable",)
    assert without.status == "unresolved"


def test_discrepancies_accepts_equivalent_venue_names():
    w = Work(title="T", origins=(entry(title="T", venue="NIPS", year=2017, venue_raw="NIPS 2017"),), venue="NIPS 2017", year=2017)
    assert discrepancies(w) == ()
    w2 = Work(title="T", origins=(entry(title="T", venue="ICLR", year=None, venue_raw="ICLR 202"),), venue="ICLR 2020", year=2020)
    assert [(d.field, d.listed, d.resolved) for d in discrepancies(w2)] == [("year", "ICLR 202", "2020")]


def test_short_venue_forms():
    assert venues.short_venue("Findings of the Association for Computational Linguistics: EMNLP 2020", 2020) == "Findings of EMNLP 2020"
    assert venues.short_venue("EMNLP/IJCNLP (1)", 2019) == "EMNLP 2019"
    assert venues.short_venue("NeurIPS", 2019) == "NeurIPS 2019"
    assert venues.short_venue("NIPS", 2017) == "NIPS 2017"
    assert venues.short_venue("CoRR", 2019) == "arXiv"
    assert venues.short_venue("International Conference on Learning Representations", 2020) == "ICLR 2020"
    assert venues.same_venue("RepL4NLP@ACL", "RepL4NLP 2019")
    assert venues.same_venue("CoRR", "arXiv")
    assert not venues.same_venue("ICLR", "Findings of EMNLP 2020")


def test_grouping_merges_same_ids_and_titles_but_not_shared_code_links():
    a = entry(line=1, ids=Ids(arxiv="1901.00001", github="org/repo"))
    b = entry(title="Another Paper Entirely", line=2, ids=Ids(github="org/repo"))
    c = entry(title="learning widgets with gadgets!", line=3)
    groups = group_queries(queries([a, b, c]))
    assert [[q.line for q in g.queries] for g in groups] == [[1, 3], [2]]


def test_same_work_by_identifier():
    w1 = Work(title="X", origins=(entry(),), ids=Ids(doi="10.1/ABC"))
    w2 = Work(title="Y", origins=(entry(line=2),), ids=Ids(doi="10.1/abc"))
    assert same_work(w1, w2)


# -- look-alikes and retitled versions (ISSUE 10) ------------------------------------------------------------

def _hit(title, authors=(), year=None, published=True, type_="inproceedings", source="dblp"):
    return Record(source=source, source_key=title, title=title, authors=tuple(authors), year=year,
                  published=published, type=type_)


def test_an_exact_title_by_other_people_years_after_the_lists_year_is_not_the_work():
    later = _hit("Attention over Heads: A Multi-Hop Attention for Neural Machine Translation", (Person("Other", "O."),), 2021)
    m = verify("Attention over Heads: A Multi-Hop Attention for Neural Machine Translation", later, year=2019, listed_year=2019)
    assert not m.accepted and "2 years after the list's 2019" in m.reason
    same_year = verify(later.title, _hit(later.title, year=2020), year=2019, listed_year=2019)
    assert same_year.accepted  # within a year of the hint


def test_a_corr_hint_names_the_preprints_year_so_a_later_publication_is_fine():
    pub = _hit("Some Paper Title About Widgets", year=2021)
    assert verify(pub.title, pub, year=2019, listed_year=2019, preprint_hint=True).accepted
    pre = _hit("Some Paper Title About Widgets", year=2022, published=False, type_="misc", source="arxiv")
    assert not verify(pre.title, pre, year=2019, listed_year=2019, preprint_hint=True).accepted


def test_a_pdf_outside_arxiv_needs_the_exact_title_from_an_arxiv_hit():
    near = _hit("Language Models are Unsupervised Multitask Learner", year=2019, published=False, type_="misc", source="arxiv")
    m = verify("Language Models are Unsupervised Multitask Learners", near, year=2019, listed_year=2019, off_arxiv=True)
    assert not m.accepted and "outside arXiv" in m.reason


def test_a_retitled_version_is_accepted_on_the_same_authors_in_order_only():
    authors = (Person("Chen", "Yen-Chun"), Person("Li", "Linjie"), Person("Yu", "Licheng"))
    hit = _hit("UNITER: UNiversal Image-TExt Representation Learning", authors, 2020)
    ok = verify("UNITER: Learning UNiversal Image-TExt Representations", hit, authors=authors, year=2019)
    assert ok.accepted and "retitled" in ok.reason and ok.token_score == 100.0
    shuffled = verify("UNITER: Learning UNiversal Image-TExt Representations", hit, authors=authors[::-1], year=2019)
    assert not shuffled.accepted
    dropped_prefix = _hit("Transformers: State-of-the-Art Natural Language Processing", authors, 2020)
    assert verify("HuggingFace's Transformers: State-of-the-art Natural Language Processing", dropped_prefix,
                  authors=authors, year=2019).accepted


def test_a_main_title_matches_its_subtitled_book_but_not_a_paper():
    book = _hit("Embeddings in Natural Language Processing: Theory and Advances in Vector Representations of Meaning",
                year=2020, type_="book")
    assert verify("Embeddings in Natural Language Processing", book, year=2020, listed_year=2020, kind="book").accepted
    paper = _hit("Embeddings in Natural Language Processing: A Tutorial", year=2020)
    assert not verify("Embeddings in Natural Language Processing", paper, year=2020, kind="book").accepted


def test_token_score_survives_one_changed_word_where_the_character_ratio_does_not():
    from atpbib.match import title_score, token_score

    a = "Synthesizer: Rethinking Self-Attention in Transformer Models"
    b = "Synthesizer: Rethinking Self-Attention for Transformer Models"
    assert token_score(a, b) == 100.0 and title_score(a, b) < 100
    assert token_score("Poly-encoders: Transformer Architectures and Pre-training Strategies for Fast and Accurate Multi-sentence Scoring",
                       "Poly-encoders: Architectures and Pre-training Strategies for Fast and Accurate Multi-sentence Scoring") > 75
