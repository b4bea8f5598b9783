"""arXiv source: Atom parsing (2026 and 2016 layouts, errors, hostile XML) and batched fetching via the fake."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from atpbib.model import Person
from atpbib.sources import SourceError, arxiv
from fakeservices import load_papers

RESP = Path(__file__).parent / "fixtures" / "responses" / "arxiv"


def feed(name: str) -> bytes:
    return (RESP / name).read_bytes()


# -- parsing ----------------------------------------------------------------------------------------


def test_2026_feed_partial_batch():
    records = arxiv.parse_feed(feed("id_list_two_one_missing_2026.xml"))
    assert len(records) == 1
    r = records[0]
    assert r.source == "arxiv" and r.source_key == "1909.11942"
    assert r.title == "ALBERT: A Lite BERT for Self-supervised Learning of Language Representations"
    assert r.arxiv_version == 6
    assert (r.year, r.month) == (2019, 9)  # from <published> (v1), not <updated>
    assert r.type == "misc" and r.published is False and r.venue == "arXiv"
    assert r.url == "https://arxiv.org/abs/1909.11942"
    assert r.ids.arxiv == "1909.11942" and r.ids.doi is None and r.doi is None
    assert r.primary_class == "cs.CL"
    assert r.authors[0] == Person(family="Lan", given="Zhenzhong")
    assert len(r.authors) == 6
    assert r.abstract.startswith("Increasing model size")


def test_2016_feed_layout_and_wrapped_text():
    (r,) = arxiv.parse_feed(feed("id_list_2016_format.xml"))
    assert r.source_key == "1807.03819" and r.arxiv_version == 3
    assert r.title == "Universal Transformers"  # hard-wrapped title joined
    assert "\n" not in r.abstract and "  " not in r.abstract
    assert r.abstract.startswith("Recurrent neural networks (RNNs) sequentially process data")
    assert (r.year, r.month) == (2018, 7)
    assert r.primary_class == "cs.CL"
    assert r.authors[-1] == Person(family="Kaiser", given="Łukasz")


def test_multi_entry_search_page_keeps_order_and_tolerates_missing_fields():
    records = arxiv.parse_feed(feed("search_ti_multi_2026.xml"))
    assert [r.source_key for r in records] == ["1706.03762", "2001.04451"]
    reformer = records[1]
    assert reformer.primary_class is None  # neither primary_category nor category given
    assert reformer.arxiv_version == 2 and reformer.year == 2020
    assert [a.family for a in records[0].authors][-2:] == ["Kaiser", "Polosukhin"]


def test_empty_feed_is_no_records():
    assert arxiv.parse_feed(feed("empty_2026.xml")) == []


def test_error_feed_raises_source_error():
    with pytest.raises(SourceError) as info:
        arxiv.parse_feed(feed("error_400_bad_id.xml"))
    assert info.value.source == "arxiv"
    assert "incorrect id format for 1909.1O351" in str(info.value)
    assert "\n" not in str(info.value)


def test_entity_bomb_is_rejected_without_expansion():
    started = time.monotonic()
    with pytest.raises(SourceError, match="DTD|entit"):
        arxiv.parse_feed(feed("bomb.xml"))
    assert time.monotonic() - started < 2.0


def test_any_dtd_is_rejected():
    body = b'<?xml version="1.0"?><!DOCTYPE feed SYSTEM "http://example.org/x.dtd"><feed xmlns="http://www.w3.org/2005/Atom"/>'
    with pytest.raises(SourceError):
        arxiv.parse_feed(body)


@pytest.mark.parametrize("body", [b"", b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", b"<html><body>hi</body></html>"])
def test_malformed_or_foreign_documents(body):
    with pytest.raises(SourceError):
        arxiv.parse_feed(body)


def test_thousands_of_entries_parse_fast():
    text = feed("search_ti_multi_2026.xml").decode("utf-8")
    entry = re.search(r"  <entry>.*?</entry>\n", text, re.S).group(0)
    head, tail = text.split("  <entry>", 1)[0], "</feed>\n"
    entries = [entry.replace("1706.03762", f"1706.{i:05d}") for i in range(5000)]
    big = (head + "".join(entries) + tail).encode("utf-8")
    started = time.monotonic()
    records = arxiv.parse_feed(big)
    assert len(records) == 5000 and records[-1].source_key == "1706.04999"
    assert time.monotonic() - started < 10.0


def test_id_helpers():
    assert arxiv.split_version("1909.10351v5") == ("1909.10351", 5)
    assert arxiv.split_version("cs/0112017") == ("cs/0112017", None)
    for good in ("1909.10351", "0704.0001v2", "cs/0112017", "math.CA/0611800v2", "hep-th/9901001"):
        assert arxiv.is_valid_id(good), good
    for bad in ("abc", "1909.1O351", "", "1909.10351x", "12345.6789", "1909.10351,1706.03762", "cs/01120"):
        assert not arxiv.is_valid_id(bad), bad


def test_title_query_quotes_phrase_and_drops_syntax():
    q = arxiv.title_query('BERT: "Pre-training" (of) Deep [Bidirectional] Transformers AND/OR x')
    assert q.startswith('ti:"') and q.endswith('"')
    inner = q[4:-1]
    assert not re.search(r'[":()\[\]/-]', inner)
    assert inner.split() == ["BERT", "Pre", "training", "of", "Deep", "Bidirectional", "Transformers", "AND", "OR", "x"]
    assert arxiv.title_query(' :: "" ') == ""


# -- fetching through the fake server ---------------------------------------------------------------


def _known_arxiv(n: int) -> list[dict]:
    facts = [p["arxiv"] for p in load_papers() if p.get("arxiv") and p["arxiv"].get("id") and p["arxiv"].get("title")]
    if len(facts) < n:
        pytest.skip(f"needs {n} papers with arXiv facts in tests/fixtures/papers")
    return facts[:n]


def _query(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def test_fetch_by_ids_one_request_for_many_ids(fake, fetcher):
    facts = _known_arxiv(4)
    ids = [f["id"] for f in facts] + ["0808.05394", "not-an-id"]
    found = arxiv.fetch_by_ids(fetcher, ids)
    log = fake.requests("arxiv")
    assert len(log) == 1
    q = _query(log[0])
    assert q["id_list"][0].split(",") == [f["id"] for f in facts] + ["0808.05394"]  # the malformed id is never sent
    assert q["max_results"] == ["5"]
    assert set(found) == {f["id"] for f in facts}
    for f in facts:
        r = found[f["id"]]
        assert r.source_key == f["id"]
        assert r.title == " ".join(f["title"].split())
        assert [a.display() for a in r.authors] == [" ".join(a.split()) for a in f.get("authors") or []]
        if f.get("published"):
            assert r.year == int(f["published"][:4])


def test_fetch_by_ids_batches(fake, fetcher):
    facts = _known_arxiv(5)
    found = arxiv.fetch_by_ids(fetcher, [f["id"] for f in facts], batch_size=2)
    assert len(fake.requests("arxiv")) == 3
    assert set(found) == {f["id"] for f in facts}


def test_fetch_by_ids_versioned_and_duplicate_ids(fake, fetcher):
    f = _known_arxiv(1)[0]
    found = arxiv.fetch_by_ids(fetcher, [f["id"], f["id"], f"{f['id']}v1"])
    assert len(fake.requests("arxiv")) == 1
    assert found[f"{f['id']}v1"].arxiv_version == 1
    assert found[f["id"]].source_key == f["id"]


def test_fetch_by_ids_nothing_valid_makes_no_request(fake, fetcher):
    assert arxiv.fetch_by_ids(fetcher, ["abc", ""]) == {}
    assert fake.requests("arxiv") == []


def test_search_title_finds_by_words_and_quotes_the_phrase(fake, fetcher):
    f = _known_arxiv(1)[0]
    hits = arxiv.search_title(fetcher, f["title"] + ' "', max_results=3)
    assert f["id"] in [h.source_key for h in hits]
    q = _query(fake.requests("arxiv")[0])
    assert q["search_query"][0].startswith('ti:"') and q["max_results"] == ["3"]


def test_search_title_without_match_is_empty(fake, fetcher):
    assert arxiv.search_title(fetcher, "Zyxwvut Qqqq Nonexistent Paper") == []


def test_error_answer_from_fake_is_an_arxiv_error_feed(fake, fetcher):
    import requests

    resp = requests.get(fake.base_url("arxiv"), params={"id_list": "1909.1O351"}, timeout=5)
    assert resp.status_code == 400
    with pytest.raises(SourceError, match="incorrect id format"):
        arxiv.parse_feed(resp.content)


def test_fake_omits_unknown_facts():
    """An arXiv fact set without dates renders no <published>, and the record has no year (nothing invented)."""
    facts = next((p["arxiv"] for p in load_papers() if p.get("arxiv") and p["arxiv"].get("id") and not p["arxiv"].get("published")), None)
    if facts is None:
        pytest.skip("no arXiv facts without a date")
    from fakeservices import render_arxiv_entry, render_arxiv_feed

    body = render_arxiv_feed([render_arxiv_entry(facts)], id_list=facts["id"], max_results=1)
    assert b"<published>" not in body
    (r,) = arxiv.parse_feed(body)
    assert r.year is None and r.source_key == facts["id"]
    assert json.dumps(facts)  # facts untouched
