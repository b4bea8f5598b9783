"""Our arXiv feed parser agrees with the `arxiv` package's own parser (arxiv.py, the reference client).

We parse feeds ourselves (sources/arxiv.py says why: the package's parser recovers silently from
truncation, hides arXiv's error entries and accepts DTDs), so the package serves as an independent oracle
here: on every well-formed feed both must read the same ids, titles, authors and metadata.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from atpbib.sources.arxiv import parse_feed, split_version
from fakeservices import Catalogue, load_papers, render_arxiv_entry, render_arxiv_feed

arxiv_feed = pytest.importorskip("arxiv._feed")

RESPONSES = Path(__file__).resolve().parent / "fixtures" / "responses" / "arxiv"
FEEDS = ["id_list_2016_format.xml", "id_list_two_one_missing_2026.xml", "search_ti_multi_2026.xml", "empty_2026.xml"]


def rendered_feed() -> bytes:
    """Every looked-up arXiv paper that has both dates (the reference parser skips entries without them)."""
    facts = [ax for ax in Catalogue.build(load_papers()).arxiv.values() if ax.get("published") and ax.get("updated")]
    feed = render_arxiv_feed([render_arxiv_entry(ax) for ax in facts], id_list=",".join(ax["id"] for ax in facts))
    return feed if isinstance(feed, bytes) else feed.encode("utf-8")


def feeds() -> list[tuple[str, bytes]]:
    return [(name, (RESPONSES / name).read_bytes()) for name in FEEDS] + [("rendered from the facts", rendered_feed())]


@pytest.mark.parametrize("name,content", feeds(), ids=[n for n, _ in feeds()])
def test_our_parser_reads_what_the_reference_parser_reads(name, content):
    ours = parse_feed(content)
    reference = arxiv_feed.parse(content)
    assert not reference.malformed
    # the reference parser drops entries without <published>/<updated>; ours keeps them (a missing date is
    # no reason to lose a paper), so ours reads at least what it reads, in the same order
    by_id = {r.source_key: r for r in ours}
    assert [split_version(ref.get_short_id())[0] for ref in reference.results] == [
        r.source_key for r in ours if r.source_key in {split_version(x.get_short_id())[0] for x in reference.results}]
    assert reference.results or name == "empty_2026.xml"  # the comparison is never vacuous
    for ref in reference.results:
        base, version = split_version(ref.get_short_id())
        mine = by_id[base]
        assert mine.arxiv_version == version
        assert mine.title == " ".join(ref.title.split())
        assert [a.display() for a in mine.authors] == [" ".join(a.name.split()) for a in ref.authors]
        assert mine.year == ref.published.year and mine.month == ref.published.month
        assert mine.primary_class == (ref.primary_category or None)
        assert mine.doi == (ref.doi.lower() if ref.doi else None)
        assert mine.journal_ref == (" ".join(ref.journal_ref.split()) if ref.journal_ref else None)
        assert mine.comment == (" ".join(ref.comment.split()) if ref.comment else None)
        assert mine.abstract == (" ".join(ref.summary.split()) or None)
