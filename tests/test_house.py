"""The house (ISSUE 11): a source registered from outside the package is used by the resolver with no
other change; a toy input's queries go through resolve and export; a Work survives JSON; one identity rule."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

import toy_source
from atpbib import sources
from atpbib.export import export_works
from atpbib.identity import lasting_key, same_as_listed, same_work
from atpbib.keys import assign_keys
from atpbib.model import Ids, Link, Query, Work, work_from_dict, work_to_dict
from atpbib.resolve import resolve_queries
from fakeservices import environment, quick_fetcher


@dataclass(frozen=True)
class ToyOrigin:
    """What any input hands the exporters: a position, the title as written, tags and a note."""

    line: int
    title: str
    tags: tuple[str, ...] = ("toy input",)
    note: str | None = None


@pytest.fixture()
def toy():
    toy_source.CALLS.clear()
    sources.register(toy_source.SOURCE)
    try:
        yield toy_source
    finally:
        sources.unregister("toy")


def test_a_registered_toy_source_is_looked_up_by_its_scheme(toy, fake):
    q = Query(title="Toy Papers Resolve Themselves", ids=Ids(pmlr="v97/toy19a"), origin=ToyOrigin(1, "Toy papers"))
    with quick_fetcher() as fetcher:
        (work,) = resolve_queries([q], fetcher).works
    assert ("lookup", "v97/toy19a") in toy.CALLS
    assert work.status == "resolved" and work.sources == ("toy",)
    assert (work.venue, work.pages, work.authors[0].family) == ("ICML 2019", "1--9", "Doe")
    assert work.origins == (q.origin,)


def test_a_registered_toy_source_searches_and_reports_by_its_label(toy, fake):
    found = Query(title="Toy Papers Resolve Themselves", year=2019, origin=ToyOrigin(1, "t"))
    missing = Query(title="A Paper Nobody Knows At All", ids=Ids(pmlr="v1/none00"), origin=ToyOrigin(2, "t"))
    with environment(fake.env()), quick_fetcher() as fetcher:  # the other sources: the fakes, never real hosts
        works = resolve_queries([found, missing], fetcher).works
    assert ("search", "Toy Papers Resolve Themselves") in toy.CALLS
    assert works[0].sources == ("toy",) and works[0].matches and works[0].matches[0].accepted
    problem = next(p for p in works[1].problems if p.source == "toy")
    assert str(problem) == "Toy Index: no toy record for v1/none00" and problem.kind == "missing"


def test_without_registration_the_toy_scheme_is_nobodys(fake):
    q = Query(title="Toy Papers Resolve Themselves Elsewhere", ids=Ids(pmlr="v97/toy19a"), origin=ToyOrigin(1, "t"))
    with environment(fake.env()), quick_fetcher() as fetcher:
        (work,) = resolve_queries([q], fetcher).works
    assert "toy" not in work.sources


def test_a_toy_inputs_queries_go_through_resolve_and_export(fake):
    """An input that is not the Markdown list: two queries by arXiv id and title, with authors."""
    from atpbib.model import Person

    queries = [
        Query(title="TinyBERT: Distilling BERT for Natural Language Understanding", ids=Ids(arxiv="1909.10351"),
              origin=ToyOrigin(1, "tinybert", note="from the toy input")),
        Query(title="Language Models Are Nobody's Toys", authors=(Person("Nobody", "Ann"),), year=2031,
              links=(Link("paper", "https://example.org/toy.pdf"),), origin=ToyOrigin(2, "toys")),
    ]
    with environment(fake.env()), quick_fetcher(intervals={}) as fetcher:
        works = assign_keys(resolve_queries(queries, fetcher).works)
    tiny = works[0]
    assert tiny.venue == "Findings of EMNLP 2020" and tiny.ids.acl == "2020.findings-emnlp.372"
    bib = export_works(works, "bibtex")
    assert "@inproceedings{jiao2020tinybert," in bib and "keywords = {toy input}" in bib
    csl = json.loads(export_works(works, "csl-json"))
    assert [i["id"] for i in csl] == [w.key for w in works]
    assert works[1].status != "resolved" and works[1].authors[0].family == "Nobody"  # the input's own authors


def test_a_work_round_trips_through_json_without_loss(fake):
    from atpbib.api import load, select
    from atpbib.resolve import resolve_entries

    parsed = load(None)
    with environment(fake.env()), quick_fetcher(intervals={}) as fetcher:
        works = resolve_entries([e for e in select(parsed, ["Compression"]) if e.kind == "paper"], fetcher).works
    for w in works:
        text = json.dumps(work_to_dict(w), sort_keys=True)
        back = work_from_dict(json.loads(text), origins=w.origins)
        assert back == w
        assert [(p, p.kind, p.source) for p in back.problems] == [(p, p.kind, p.source) for p in w.problems]


def test_one_identity_rule():
    a = Work(title="X", origins=(), ids=Ids(arxiv="1909.10351"))
    b = Work(title="Entirely different title", origins=(), ids=Ids(arxiv="1909.10351", acl="2020.findings-emnlp.372"))
    c = Work(title="X", origins=(), ids=Ids(arxiv="1909.99999"))
    assert same_work(a, b) and not same_work(a, c)  # a shared id wins; two ids of one scheme are two works
    assert same_as_listed(Ids(), "Attention Is All You Need", Ids(), "attention is all you need")
    assert not same_as_listed(Ids(doi="10.1/a"), "Same Title", Ids(doi="10.1/b"), "Same Title")
    assert lasting_key(Ids(arxiv="1909.10351", acl="P19-1285"), "t") == "acl:p19-1285"
    assert lasting_key(Ids(), "Memory Transformer Networks") == "title:memory transformer networks"


def test_ids_have_one_table():
    from atpbib import ids
    from atpbib.sources import dblp

    assert ids.landing("openreview", "r1xMH1BtvB") == "https://openreview.net/forum?id=r1xMH1BtvB"
    assert "github" not in ids.PAPER_SCHEMES and "arxiv" in ids.PAPER_SCHEMES
    for raw in ("1909.10351v2", "math.CA/0611800"):
        assert dblp.record_ids("k", "CoRR", f"abs/{raw}", [], None).arxiv == ids.norm_arxiv(raw)


def test_the_identity_index_finds_what_a_full_scan_finds():
    """ISSUE 20: one index (ids first, then a title prefilter by length) under the one rule — the same
    answers as comparing against every record, for exact, truncated, typo'd, shared-id and clashing-id probes."""
    import random

    from atpbib.identity import IdentityIndex

    rng = random.Random(20)
    words = "sparse dense widget gadget learning model attention network robust neural graph token".split()
    items = []
    for i in range(400):
        title = " ".join(rng.choice(words) for _ in range(rng.randint(3, 9))) + f" {i % 50}"
        ids = Ids(arxiv=f"2001.{i:05d}") if i % 3 == 0 else Ids(doi=f"10.1/{i}") if i % 3 == 1 else Ids()
        items.append((ids, title))
    index = IdentityIndex()
    for pos, (ids, title) in enumerate(items):
        index.add(pos, ids, title)
    probes = []
    for ids, title in rng.sample(items, 120):
        probes += [(Ids(), title), (Ids(), title[:-1]), (Ids(), title.replace("e", "a", 1)), (ids, "something else"),
                   (Ids(arxiv="2999.00001"), title), (Ids(), title + " and more words than before")]
    for ids, title in probes:
        scan = next((i for i, (oi, ot) in enumerate(items) if same_as_listed(ids, title, oi, ot)), None)
        found = next((i for i in index.candidates(ids, title) if same_as_listed(ids, title, *items[i])), None)
        assert found == scan, (ids, title)


def test_a_lock_is_searched_through_its_index_not_record_by_record():
    from atpbib import lock as locking
    from atpbib.model import Entry

    records = [locking.Record(key=f"title:a long paper title about widgets number {i}", title=f"A Long Paper Title About Widgets Number {i}", ids=Ids(doi=f"10.1/{i}"),
                              line=i, section="", locked="2026-01-01", sources={}, work={}) for i in range(300)]
    lk = locking.Lock(path=None, list_name="x", written="2026-01-01", records=records)
    entry = Entry(section=(), line=1, title="A Long Paper Title About Widgets Number 17")
    assert lk.find(entry) is records[17]
    typo = Entry(section=(), line=2, title="A Long Paper Title About Widgets Numbr 17")
    scan = next(r for r in records if same_as_listed(typo.ids, typo.title, r.ids, r.title))
    assert lk.find(typo) is scan and scan.title.startswith("A Long Paper Title About Widgets Number 1")
    assert lk.find(Entry(section=(), line=3, title="Other", ids=Ids(doi="10.1/42"))) is records[42]
    assert lk.orphans([entry]) == [r for r in records if r is not records[17]]
