"""OpenReview source: API 1 / API 2 note shapes, the acceptance decision, and the v1 → v2 fallback via the fake."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from atpbib.sources import SourceError, openreview
from fakeservices import FakeServices, load_papers, quick_fetcher, render_openreview_v1, render_openreview_v2

RESP = Path(__file__).parent / "fixtures" / "responses"


def answer(name: str) -> dict:
    return json.loads((RESP / "openreview" / name).read_text(encoding="utf-8"))


def test_v1_accepted_by_bibtex():
    (r,) = openreview.parse_notes_v1(answer("v1_accepted_bibtex_H1eA7AEtvS.json"))
    assert r.source == "openreview" and r.source_key == "H1eA7AEtvS"
    assert r.published is True and r.type == "inproceedings"
    assert r.venue == "ICLR 2020" and r.year == 2020
    assert r.container_title == "International Conference on Learning Representations"
    assert r.url == "https://openreview.net/forum?id=H1eA7AEtvS" and r.ids.openreview == "H1eA7AEtvS"
    assert [a.family for a in r.authors] == ["Lan", "Chen", "Goodman", "Gimpel", "Sharma", "Soricut"]
    assert r.venue_status is None  # the note states no venue


def test_v1_misc_bibtex_is_not_accepted():
    (r,) = openreview.parse_notes_v1(answer("v1_rejected_misc_SJlPOCEKvH.json"))
    assert r.published is False and r.type == "misc" and r.venue is None
    assert r.year == 2020 and r.authors == ()


def test_v1_blind_submission_venue_is_not_accepted():
    (r,) = openreview.parse_notes_v1(answer("v1_blind_submission_SkYMnLxRW.json"))
    assert r.published is False
    assert r.venue_status == "ICLR 2018 Conference Blind Submission"
    assert r.year == 2018


def test_v2_accepted():
    (r,) = openreview.parse_notes_v2(answer("v2_accepted_tvDlQj0GZB.json"))
    assert r.published is True and r.venue == "ICLR 2026" and r.year == 2026
    assert r.venue_status == "ICLR 2026 Poster"
    assert r.container_title == "International Conference on Learning Representations"
    assert r.title == "Learning is Forgetting; LLM Training As Lossy Compression"
    assert r.authors[-1].family == "Goldfarb-Tarrant" and len(r.authors) == 8


def test_v2_submission_is_not_accepted():
    (r,) = openreview.parse_notes_v2(answer("v2_submission_tvDlQj0GZB.json"))
    assert r.published is False and r.venue is None
    assert r.venue_status == "ICLR 2026 Conference Submission"
    assert r.year == 2026


def test_empty_notes():
    assert openreview.parse_notes_v1(answer("v1_empty.json")) == []
    assert openreview.parse_notes_v2({"notes": [], "count": 0}) == []


def test_v1_parser_reads_bytes_and_rejects_non_notes():
    raw = (RESP / "openreview" / "v1_accepted_bibtex_H1eA7AEtvS.json").read_bytes()
    assert openreview.parse_notes_v1(raw)[0].source_key == "H1eA7AEtvS"
    with pytest.raises(SourceError):
        openreview.parse_notes_v1(b"<html>")
    with pytest.raises(SourceError):
        openreview.parse_notes_v2({"error": "x"})


ICLR_BIB = "@inproceedings{\nx2020y,\ntitle={T},\nbooktitle={International Conference on Learning Representations},\nyear={2020}\n}"


@pytest.mark.parametrize(
    "venue,venueid,bibtex,accepted",
    [
        ("ICLR 2023 notable top 5%", "ICLR.cc/2023/Conference", None, True),
        ("ICLR 2022 Oral", None, None, True),
        ("ICLR 2024 poster", "ICLR.cc/2024/Conference", None, True),
        (None, "ICLR.cc/2020/Conference", None, True),
        ("Submitted to ICLR 2020", None, None, False),
        ("ICLR 2020 Conference Withdrawn Submission", "ICLR.cc/2020/Conference/Withdrawn_Submission", None, False),
        (None, "ICLR.cc/2020/Conference/Rejected_Submission", None, False),
        (None, "ICLR.cc/2024/Conference/-/Submission", None, False),
        ("ICLR 2021 Conference Desk Rejected Submission", None, None, False),
        ("ICLR 2020 Conference Blind Submission", None, None, False),
        ("ICLR 2026 Conference Submission", None, None, False),
        ("ICLR 2024 poster", "ICLR.cc/2024/Conference/Withdrawn_Submission", None, False),  # both must agree
        (None, None, ICLR_BIB, True),
        (None, None, "@misc{\nanonymous2020x,\ntitle={T},\nyear={2020}\n}", False),
        (None, None, None, False),
    ],
)
def test_acceptance_decision(venue, venueid, bibtex, accepted):
    assert openreview.is_accepted(venue, venueid, bibtex) is accepted


# -- through the fake --------------------------------------------------------------------------------

V2_FACTS = json.loads((RESP / "facts" / "learning-is-forgetting.json").read_text(encoding="utf-8"))
V1_PAPERS = [p for p in load_papers() if p.get("openreview") and p["openreview"].get("api", 1) == 1]


@pytest.fixture(scope="module")
def fake():
    with FakeServices(load_papers() + [V2_FACTS]) as services:
        yield services


@pytest.fixture
def fetcher(fake, monkeypatch):
    for k, v in fake.env().items():
        monkeypatch.setenv(k, v)
    fake.clear()
    fake.up("openreview")
    fake.up("openreview2")
    with quick_fetcher(connect_timeout=1.0) as f:
        yield f


@pytest.mark.skipif(not V1_PAPERS, reason="no API 1 OpenReview facts in tests/fixtures/papers")
@pytest.mark.parametrize("paper", V1_PAPERS, ids=[p["openreview"]["id"] for p in V1_PAPERS])
def test_v1_note_found_on_first_api(fake, fetcher, paper):
    facts = paper["openreview"]
    r = openreview.fetch_note(fetcher, facts["id"])
    assert fake.requests("openreview") == [f"/notes?id={facts['id']}"]
    assert fake.requests("openreview2") == []
    assert r is not None and r.source_key == facts["id"]
    assert r.published is bool(facts.get("accepted"))
    if facts.get("title"):
        assert r.title == " ".join(facts["title"].split())
    assert r.year == facts.get("year")
    assert r.venue_status == (facts.get("venue") or facts.get("venueid"))


def test_falls_back_from_v1_to_v2(fake, fetcher):
    r = openreview.fetch_note(fetcher, "tvDlQj0GZB", prefer="v1")
    assert len(fake.requests("openreview")) == 1 and len(fake.requests("openreview2")) == 1
    assert r is not None and r.published is True and r.venue == "ICLR 2026"


def test_prefer_v2_asks_v2_first(fake, fetcher):
    r = openreview.fetch_note(fetcher, "tvDlQj0GZB", prefer="v2")
    assert fake.requests("openreview") == [] and len(fake.requests("openreview2")) == 1
    assert r is not None and r.source_key == "tvDlQj0GZB"


def test_unknown_forum_asks_both_and_is_none(fake, fetcher):
    assert openreview.fetch_note(fetcher, "XXXXXXXXXX") is None
    assert len(fake.requests("openreview")) == 1 and len(fake.requests("openreview2")) == 1


def test_one_api_down_the_other_still_answers(fake, fetcher):
    fake.down("openreview")
    r = openreview.fetch_note(fetcher, "tvDlQj0GZB", prefer="v1")
    assert r is not None and r.source_key == "tvDlQj0GZB"


def test_both_apis_down_raises_the_fetch_error(fake, fetcher):
    from atpbib.fetch import FetchError

    fake.down("openreview")
    fake.down("openreview2")
    with pytest.raises(FetchError) as info:
        openreview.fetch_note(fetcher, "tvDlQj0GZB")
    assert info.value.kind in ("unreachable", "circuit-open")


def test_rendered_notes_round_trip_through_the_parsers():
    v1 = {"notes": [render_openreview_v1(V2_FACTS["openreview"])], "count": 1}
    v2 = {"notes": [render_openreview_v2(V2_FACTS["openreview"])], "count": 1}
    (a,) = openreview.parse_notes_v1(v1)
    (b,) = openreview.parse_notes_v2(v2)
    assert a.title == b.title and a.authors == b.authors and a.published == b.published is True
    assert "domain" in v2["notes"][0] and v2["notes"][0]["content"]["venueid"]["value"] == "ICLR.cc/2026/Conference"
