"""The request plan's pure functions (atpbib.plan): which requests a group still needs, and why — tested on
declared toy sources and records, without threads, a fetcher or any service."""
from __future__ import annotations

from dataclasses import replace

from atpbib import plan
from atpbib.model import Ids, Match, Person, Query, Record
from atpbib.plan import Evidence, Phase, Request
from atpbib.sources import SearchWhen, Source


def _none(*args):
    return None


def _rungs(title, authors):
    return [("title", title), ("words", " ".join(title.split()[:2])), ("author+words", "Doe " + title.split()[0])]


# Declarations shaped like the real ones, under neutral names: the plan must know none of them by name.
VENUE = Source(name="venue", label="Venue", rank=0, scheme="acl", lookup=_none, ids_name_venue=True)
FORUM = Source(name="forum", label="Forum", rank=1, scheme="openreview", lookup=_none, follows=False)
def _listing(venue):
    """A toy listing query: a venue name with a year lists those proceedings ("Widgets 2020")."""
    import re

    year = re.search(r"\b20\d\d\b", venue)
    return f"Widgets {year.group(0)}" if year and "widgets" in venue.lower() else None


INDEX = Source(name="index", label="Index", rank=2, scheme="dblp", lookup=_none, search=_none, search_steps=_rungs,
               enriches_hits=True, wants=lambda key: not key.startswith("journals/corr/"), listing_of=_listing, lists=_none,
               hit_complete=lambda r: r.type == "article" and bool(r.volume and r.pages))
PRINT = Source(name="print", label="Preprints", rank=4, scheme="arxiv", lookup_many=_none, search=_none,
               preprint_authority=True, abstract_authority=True, follows=False)
LEADS = Source(name="leads", label="Leads", rank=8, secondary=True, batch_schemes=("arxiv", "acl", "doi"),
               lookup_many=_none, search=_none, search_when=SearchWhen.UNIDENTIFIED)
REGISTRY = Source(name="registry", label="Registry", rank=3, scheme="doi", lookup=_none, follows_except=("venue",))
SOURCES = [PRINT, LEADS, VENUE, FORUM, INDEX, REGISTRY]

ALICE = (Person("Doe", "Alice"), Person("Roe", "Bob"))


def ev(title="Sparse Widgets for Everyone", **ids) -> Evidence:
    return Evidence(Query(title, ids=Ids(**ids)), Ids(**ids), "paper")


def rec(source, key, *, published=False, title="Sparse Widgets for Everyone", venue_status=None, match=None, **ids):
    return Record(source=source, source_key=key, title=title, authors=ALICE, year=2020, published=published,
                  type="inproceedings" if published else "misc", venue_status=venue_status, match=match, ids=Ids(**ids))


def start(e: Evidence) -> list[Request]:
    wanted = e.claim(plan.lookups(e, SOURCES))
    e.venue_named = plan.names_venue(wanted, SOURCES)
    return wanted


def test_own_ids_are_looked_up_by_their_schemes_source_and_batched_where_the_source_batches():
    e = ev(arxiv="2001.00001", doi="10.1000/x1")
    wanted = start(e)
    assert {(r.source, r.kind, r.value) for r in wanted} == {
        ("print", "batch", "2001.00001"), ("leads", "batch", "arxiv:2001.00001"), ("leads", "batch", "doi:10.1000/x1"),
        ("registry", "lookup", "10.1000/x1")}
    assert all(r.why for r in wanted)
    assert e.phase is Phase.LOOKUP and not e.venue_named
    assert plan.searches(e, SOURCES) == []  # the look-ups first


def test_a_source_says_which_ids_of_its_scheme_it_knows():
    e = ev(dblp="journals/corr/abs-2001-00001")
    assert start(e) == []


def test_an_id_that_names_the_venue_version_needs_no_search_even_when_its_record_is_missing():
    e = ev(acl="2020.acl-main.1")
    (req,) = [r for r in start(e) if r.source == "venue"]
    assert e.venue_named
    plan.answered(e, req, None, SOURCES)
    for r in list(e.under_way):
        plan.answered(e, r, None, SOURCES)
    assert plan.searches(e, SOURCES) == [] and e.phase is Phase.DONE


def test_a_record_naming_an_id_of_a_scheme_is_followed_by_that_schemes_source_unless_it_opts_out():
    e = ev(arxiv="2001.00001")
    start(e)
    hit = rec("print", "2001.00001", arxiv="2001.00001", acl="2020.acl-main.7", openreview="F0rum", doi="10.1000/x1")
    batch = next(r for r in e.under_way if r.source == "print")
    more = plan.answered(e, batch, hit, SOURCES)
    # the Anthology-like source follows; the forum source opted out; the DOI registry waits for the venue's answer
    assert [(r.source, r.value) for r in more] == [("venue", "2020.acl-main.7")]
    assert [(r.source, r.value) for r in e.deferred] == [("registry", "10.1000/x1")]
    assert e.phase is Phase.FOLLOW
    assert "print record names acl:2020.acl-main.7" in more[0].why


def test_a_source_can_opt_out_of_one_sources_records():
    e = ev()
    named = rec("venue", "2020.acl-main.7", doi="10.1000/x1")
    assert plan.follow_ups(e, named, SOURCES) == []  # the registry does not follow the venue's own DOI
    other = rec("index", "conf/x/Doe20", doi="10.1000/x1")
    assert [r.source for r in plan.follow_ups(e, other, SOURCES)] == ["registry"]


def test_an_id_already_asked_or_named_by_the_group_itself_is_not_followed_again():
    e = ev(acl="2020.acl-main.7")
    start(e)
    again = rec("print", "2001.00001", acl="2020.acl-main.7", dblp="conf/x/Doe20")
    assert [(r.source, r.value) for r in plan.follow_ups(e, again, SOURCES)] == [("index", "conf/x/Doe20")]
    e.asked.add(("dblp", "conf/x/doe20"))
    assert plan.follow_ups(e, again, SOURCES) == []


def test_a_follow_up_waits_for_a_more_authoritative_answer_and_then_completes_the_same_version():
    e = ev(arxiv="2001.00001")
    start(e)
    lead = rec("leads", "s2-1", acl="2020.acl-main.7", dblp="conf/acl/Doe20")
    batch = next(r for r in e.under_way if r.source == "leads")
    more = plan.answered(e, batch, lead, SOURCES)
    assert [r.source for r in more] == ["venue"]  # the index waits: the venue's answer comes first
    assert [r.source for r in e.deferred] == ["index"] and e.phase is Phase.FOLLOW
    venue = rec("venue", "2020.acl-main.7", published=True, acl="2020.acl-main.7")
    released = plan.answered(e, more[0], venue, SOURCES)
    # the index's record of the same version still completes it (a volume the venue's record lacks)
    assert [(r.source, r.value) for r in released] == [("index", "conf/acl/Doe20")] and e.deferred == []


def test_a_deferred_follow_up_is_sent_when_the_better_answer_does_not_settle():
    e = ev(arxiv="2001.00001")
    start(e)
    lead = rec("leads", "s2-1", acl="2020.acl-main.7", dblp="conf/acl/Doe20")
    more = plan.answered(e, next(r for r in e.under_way if r.source == "leads"), lead, SOURCES)
    released = plan.answered(e, more[0], None, SOURCES)  # the venue does not know it
    assert [(r.source, r.value) for r in released] == [("index", "conf/acl/Doe20")]


def _searching(e: Evidence, *records: Record) -> list[Request]:
    for r in list(e.under_way):
        plan.answered(e, r, next((x for x in records if x.source == r.source), None), SOURCES)
    return plan.searches(e, SOURCES)


def test_the_search_waits_for_the_look_ups_and_starts_at_the_first_rung_of_each_source_that_can_search():
    e = ev(arxiv="2001.00001")
    start(e)
    first = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"))
    assert [(r.source, r.rung, r.rung_name) for r in first] == [("index", 0, "title")]  # the leads source: unidentified only
    assert e.phase is Phase.SEARCH
    assert plan.searches(e, SOURCES) == []  # once


def test_a_long_tail_source_searches_only_what_no_source_identifies():
    e = ev()
    assert sorted(r.source for r in _searching(e)) == ["index", "leads", "print"]


def test_no_search_for_a_work_already_published():
    e = ev(doi="10.1000/x1")
    start(e)
    assert _searching(e, rec("registry", "10.1000/x1", published=True, doi="10.1000/x1")) == []
    assert e.phase is Phase.DONE


def test_an_unverified_rung_climbs_to_the_next_and_a_verified_hit_is_re_read_by_its_key():
    e = ev(arxiv="2001.00001")
    start(e)
    (title_rung,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"))
    (words,) = plan.searched(e, title_rung, [rec("index", "conf/y/Other", published=True, title="Dense Gadgets")], SOURCES)
    assert (words.rung, words.rung_name, words.value) == (1, "words", "Sparse Widgets")
    hit = rec("index", "conf/x/Doe20", published=True)
    (enrich,) = plan.searched(e, words, [hit], SOURCES)
    assert (enrich.kind, enrich.value) == ("enrich", "conf/x/Doe20") and enrich.match.accepted
    assert e.phase is Phase.DONE
    full = rec("index", "conf/x/Doe20", published=True, doi="10.1000/x1")
    plan.enriched(e, "conf/x/Doe20", "index", full)
    kept = [r for r in e.records if r.source == "index" and r.match is not None and r.match.accepted]
    assert len(kept) == 1 and kept[0].ids.doi == "10.1000/x1"


def test_a_verified_hit_naming_a_more_authoritative_record_follows_it_instead_of_re_reading():
    e = ev(arxiv="2001.00001")
    start(e)
    (title_rung,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"))
    hit = rec("index", "conf/acl/Doe20", published=True, acl="2020.acl-main.7")
    (follow,) = plan.searched(e, title_rung, [hit], SOURCES)
    assert (follow.source, follow.kind, follow.value) == ("venue", "lookup", "2020.acl-main.7")
    assert isinstance(follow.match, Match) and follow.match.accepted  # the venue's record keeps the verification


def test_a_lead_that_knows_only_a_preprint_stops_the_ladder_after_the_exact_title():
    e = ev(arxiv="2001.00001")
    start(e)
    only_preprint = rec("leads", "s2-1", venue_status="arXiv.org", arxiv="2001.00001")
    (title_rung,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"), only_preprint)
    assert plan.searched(e, title_rung, [], SOURCES) == []
    assert plan.lead_says_preprint_only(e, SOURCES)


def test_a_lead_naming_a_venue_keeps_the_ladder():
    e = ev(arxiv="2001.00001")
    start(e)
    venue = rec("leads", "s2-1", venue_status="International Conference on Widgets", arxiv="2001.00001")
    (title_rung,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"), venue)
    (words,) = plan.searched(e, title_rung, [], SOURCES)
    assert words.rung_name == "words"
    assert not plan.lead_says_preprint_only(e, SOURCES)


def test_hits_are_verified_against_the_preprint_authoritys_record_and_the_best_rejected_kept():
    e = ev("widgets", arxiv="2001.00001")  # the list's title is short; the preprint's is the reference
    start(e)
    (title_rung,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"),
                               rec("leads", "s2-1", title="Widgets (secondary copy)", arxiv="2001.00001"))
    assert plan.reference(e, SOURCES)[0] == "Sparse Widgets for Everyone"
    hits = [rec("index", f"conf/z/{i}", published=True, title=t) for i, t in
            enumerate(["Gadgets One", "Gadgets Two", "Gadgets Three"])]
    plan.searched(e, title_rung, hits, SOURCES)
    rejected = [r for r in e.records if r.match is not None and not r.match.accepted]
    assert len(rejected) == plan.MAX_REJECTED_KEPT


def test_a_failed_search_stops_that_sources_ladder():
    e = ev(arxiv="2001.00001")
    start(e)
    (title_rung,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"))
    plan.failed(e, title_rung)
    assert e.searching == 0 and e.phase is Phase.DONE


# -- ISSUE 20, part 2: fewer index requests -------------------------------------------------------------

WIDGETS_2020 = "Proceedings of the 8th Conference on Widgets, Widgets 2020, Online"


def test_a_lead_naming_proceedings_with_their_year_starts_the_ladder_with_one_listing_of_them():
    e = ev(arxiv="2001.00001")
    start(e)
    lead = rec("leads", "s2-1", venue_status=WIDGETS_2020, arxiv="2001.00001")
    (listing,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"), lead)
    assert (listing.kind, listing.value, listing.rung_name, listing.listing) == ("search", "Widgets 2020", "venue", True)
    # the listing's other papers are not kept as rejected evidence; it is not there: the title rungs follow
    others = [rec("index", f"conf/w/{i}", published=True, title=t) for i, t in enumerate(["Dense Gadgets", "Round Things"])]
    (title_rung,) = plan.searched(e, listing, others, SOURCES)
    assert [r for r in e.records if r.match is not None] == []
    assert (title_rung.rung_name, title_rung.value, title_rung.listing) == ("title", "Sparse Widgets for Everyone", False)


def test_a_listing_that_holds_the_paper_settles_it_like_a_title_search():
    e = ev(arxiv="2001.00001")
    start(e)
    lead = rec("leads", "s2-1", venue_status=WIDGETS_2020, arxiv="2001.00001")
    (listing,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"), lead)
    hits = [rec("index", "conf/w/1", published=True, title="Dense Gadgets"), rec("index", "conf/w/Doe20", published=True)]
    (enrich,) = plan.searched(e, listing, hits, SOURCES)
    assert (enrich.kind, enrich.value) == ("enrich", "conf/w/Doe20") and e.phase is Phase.DONE


def test_no_listing_for_a_lead_that_names_no_year_or_only_a_preprint_server():
    for venue in ("International Conference on Widgets", "arXiv.org"):
        e = ev(arxiv="2001.00001")
        start(e)
        lead = rec("leads", "s2-1", venue_status=venue, arxiv="2001.00001")
        (first,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"), lead)
        assert (first.rung_name, first.listing) == ("title", False)


def test_a_next_rung_waits_for_the_groups_other_searches_and_is_dropped_once_one_verified_a_published_version():
    e = ev("Sparse Widgets for Everyone")  # no id: every source searches
    first = {r.source: r for r in _searching(e)}
    assert plan.searched(e, first["index"], [], SOURCES) == []  # its words rung is parked
    assert [r.rung_name for r in e.parked] == ["words"] and e.phase is Phase.SEARCH
    assert plan.searched(e, first["print"], [], SOURCES) == []
    book = rec("leads", "book-1", published=True)
    assert plan.searched(e, first["leads"], [book], SOURCES) == []  # a published version: the parked rung goes
    assert e.parked == [] and e.phase is Phase.DONE


def test_a_parked_rung_goes_on_when_the_other_searches_find_nothing_and_after_a_failed_search():
    e = ev("Sparse Widgets for Everyone")
    first = {r.source: r for r in _searching(e)}
    plan.searched(e, first["index"], [], SOURCES)
    plan.searched(e, first["print"], [], SOURCES)
    (words,) = plan.failed(e, first["leads"], SOURCES)
    assert (words.source, words.rung_name) == ("index", "words")


def test_a_leads_verified_title_match_that_knows_only_a_preprint_stops_the_parked_ladder():
    e = ev("Sparse Widgets for Everyone")
    first = {r.source: r for r in _searching(e)}
    plan.searched(e, first["index"], [], SOURCES)
    plan.searched(e, first["print"], [], SOURCES)
    assert plan.searched(e, first["leads"], [rec("leads", "s2-1", venue_status="arXiv.org")], SOURCES) == []
    assert e.parked == [] and e.phase is Phase.DONE


def _lead_answer(e: Evidence, lead: Record, listed=frozenset()) -> list[Request]:
    batch = next(r for r in e.under_way if r.source == "leads")
    return plan.answered(e, batch, lead, SOURCES, listed)


def test_a_leads_key_is_left_to_a_listing_that_another_group_needs_too():
    leads = [rec("leads", f"s2-{i}", venue_status=WIDGETS_2020, dblp=f"conf/w/Doe{i}") for i in range(2)]
    listed = plan.shared_listings(leads + [rec("leads", "s2-9", venue_status="Widgets 2019 Workshop 2019")], SOURCES)
    assert listed == frozenset({("index", "Widgets 2020")})
    e = ev(arxiv="2001.00001")
    start(e)
    assert _lead_answer(e, leads[0], listed) == []  # no key fetch: the shared listing will answer it
    (listing,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"))
    assert listing.listing and listing.value == "Widgets 2020"
    alone = ev(arxiv="2001.00001")
    start(alone)
    assert [(r.source, r.value) for r in _lead_answer(alone, leads[0])] == [("index", "conf/w/Doe0")]  # not shared


def test_a_leads_key_is_still_fetched_for_a_group_that_will_not_search():
    leads = [rec("leads", f"s2-{i}", venue_status=WIDGETS_2020, dblp=f"conf/w/Doe{i}") for i in range(2)]
    listed = plan.shared_listings(leads, SOURCES)
    e = ev(arxiv="2001.00001", doi="10.1000/x1")  # a registry look-up under way may settle the version
    start(e)
    assert [(r.source, r.value) for r in _lead_answer(e, leads[0], listed)] == [("index", "conf/w/Doe0")]


def test_a_leads_ids_are_not_followed_once_the_venues_own_complete_paper_record_is_in():
    e = ev(arxiv="2001.00001", acl="2020.acl-main.7")
    start(e)
    more = _lead_answer(e, rec("leads", "s2-1", dblp="conf/acl/Doe20"))
    assert more == [] and [r.source for r in e.deferred] == ["index"]  # waits for the venue's answer
    venue = replace(rec("venue", "2020.acl-main.7", published=True, acl="2020.acl-main.7"),
                    container_title="Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics",
                    pages="1--9")
    assert plan.answered(e, next(r for r in e.under_way if r.source == "venue"), venue, SOURCES) == []
    assert e.deferred == []


def test_a_journal_article_filed_as_a_venue_paper_still_gets_the_index_record():
    e = ev(arxiv="2001.00001", acl="2020.tacl-1.5")
    start(e)
    _lead_answer(e, rec("leads", "s2-1", dblp="journals/tacl/Doe20"))
    venue = replace(rec("venue", "2020.tacl-1.5", published=True, acl="2020.tacl-1.5"),
                    container_title="Transactions of the Association for Computational Linguistics", pages="64--77")
    released = plan.answered(e, next(r for r in e.under_way if r.source == "venue"), venue, SOURCES)
    assert [(r.source, r.value) for r in released] == [("index", "journals/tacl/Doe20")]  # its volume


def test_a_journal_article_hit_that_carries_volume_and_pages_is_not_re_read():
    e = ev(arxiv="2001.00001")
    start(e)
    (title_rung,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"))
    article = replace(rec("index", "journals/w/Doe20", published=True), type="article", volume="21", pages="1-67")
    assert plan.searched(e, title_rung, [article], SOURCES) == []
    assert plan.has_published(e.records) and e.phase is Phase.DONE


def test_a_failed_listing_leaves_the_title_rungs_to_go_on():
    e = ev(arxiv="2001.00001")
    start(e)
    lead = rec("leads", "s2-1", venue_status=WIDGETS_2020, arxiv="2001.00001")
    (listing,) = _searching(e, rec("print", "2001.00001", arxiv="2001.00001"), lead)
    (title_rung,) = plan.failed(e, listing, SOURCES)
    assert (title_rung.rung_name, title_rung.listing) == ("title", False) and e.phase is Phase.SEARCH
    assert plan.failed(e, title_rung, SOURCES) == [] and e.phase is Phase.DONE  # a failed title search stops


def test_a_listings_hits_are_verified_only_when_they_share_a_word_with_the_title():
    hits = [rec("index", "conf/w/1", title="Dense Gadgets"), rec("index", "conf/w/2", title="Widget Sparsity at Scale"),
            rec("index", "conf/w/3", title="Sparse Widgets for Everyone")]
    kept = [h.source_key for h in plan.sharing_a_word("Sparse Widgets for Everyone", hits)]
    assert kept == ["conf/w/2", "conf/w/3"]  # "Widget" and "Widgets" are one word to the title rule
