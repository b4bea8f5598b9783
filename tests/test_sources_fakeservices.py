"""The fake four-service server itself: separate ports, rule enforcement, fault scripts, down/up, logs."""
from __future__ import annotations

import email.utils
import time

import pytest
import requests

from atpbib.config import host_key
from atpbib.sources import arxiv, dblp, openreview
from fakeservices import FakeServices, load_papers


@pytest.fixture(scope="module")
def fake():
    with FakeServices(slow_seconds=1.0) as services:
        yield services


@pytest.fixture(autouse=True)
def fresh(fake):
    for name in fake.services:
        fake.up(name)
        fake.set_min_interval(name, 0)
        fake.set_latency(name, 0)
    fake.clear()
    yield


def _known_arxiv_id() -> str:
    ids = [p["arxiv"]["id"] for p in load_papers() if p.get("arxiv") and p["arxiv"].get("id")]
    if not ids:
        pytest.skip("no arXiv facts")
    return ids[0]


def test_env_points_every_service_at_its_own_port(fake):
    env = fake.env()
    assert set(env) == {"ATPBIB_ARXIV_API", "ATPBIB_ACL_URL", "ATPBIB_OPENREVIEW_API", "ATPBIB_OPENREVIEW_API2", "ATPBIB_DBLP_URL",
                        "ATPBIB_S2_API", "ATPBIB_CROSSREF_API"}
    assert env["ATPBIB_ARXIV_API"].endswith("/api/query")
    assert len({host_key(u) for u in env.values()}) == 7


def test_request_log_keeps_path_and_query(fake):
    requests.get(fake.base_url("dblp") + "/search/publ/api", params={"q": "x y", "format": "json"}, timeout=5)
    assert fake.requests("dblp") == ["/search/publ/api?q=x+y&format=json"]
    assert fake.requests("arxiv") == []


def test_not_found_shapes(fake):
    r = requests.get(fake.base_url("arxiv"), params={"id_list": "0808.05394", "max_results": 1}, timeout=5)
    assert r.status_code == 200 and arxiv.parse_feed(r.content) == []
    assert requests.get(fake.base_url("acl") + "/Z99-9999.bib", timeout=5).status_code == 404
    for svc, parse in (("openreview", openreview.parse_notes_v1), ("openreview2", openreview.parse_notes_v2)):
        r = requests.get(fake.base_url(svc) + "/notes", params={"id": "XXXXXXXXXX"}, timeout=5)
        assert r.json() == {"notes": [], "count": 0} and parse(r.content) == []
    r = requests.get(fake.base_url("dblp") + "/search/publ/api", params={"q": "Zyxwvut Qqqq", "format": "json"}, timeout=5)
    assert "hit" not in r.json()["result"]["hits"] and dblp.parse_search(r.content) == []
    assert requests.get(fake.base_url("dblp") + "/rec/conf/x/Y99.bib", timeout=5).status_code == 404


def test_arxiv_rule_refuses_with_503(fake):
    fake.set_min_interval("arxiv", 0.5)
    url = fake.base_url("arxiv")
    first = requests.get(url, params={"id_list": _known_arxiv_id()}, timeout=5)
    second = requests.get(url, params={"id_list": _known_arxiv_id()}, timeout=5)
    assert first.status_code == 200 and second.status_code == 503
    assert fake.refused("arxiv") == 1
    time.sleep(0.55)
    assert requests.get(url, params={"id_list": _known_arxiv_id()}, timeout=5).status_code == 200
    assert fake.refused("arxiv") == 1


@pytest.mark.parametrize("service", ["dblp", "openreview"])
def test_other_rules_refuse_with_429_and_retry_after(fake, service):
    fake.set_min_interval(service, 1.0)
    path = "/search/publ/api?q=x&format=json" if service == "dblp" else "/notes?id=x"
    requests.get(fake.base_url(service) + path, timeout=5)
    r = requests.get(fake.base_url(service) + path, timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert fake.refused(service) == 1


def test_fault_script_is_consumed_in_order(fake):
    url = fake.base_url("acl") + "/Z99-9999.bib"
    fake.fail("acl", ["429", "429-date", "503", "500", "html200"])
    r = requests.get(url, timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == str(fake.retry_after)
    r = requests.get(url, timeout=5)
    assert r.status_code == 429 and email.utils.parsedate_to_datetime(r.headers["Retry-After"]) is not None
    assert requests.get(url, timeout=5).status_code == 503
    assert requests.get(url, timeout=5).status_code == 500
    r = requests.get(url, timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html") and b"<html" in r.content
    assert requests.get(url, timeout=5).status_code == 404  # script used up: the normal answer again
    assert fake.pending_faults("acl") == []


def test_reset_truncated_and_slow(fake):
    url = fake.base_url("arxiv")
    params = {"id_list": _known_arxiv_id()}
    fake.fail("arxiv", ["reset", "truncated", "slow"], slow_seconds=1.0)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, params=params, timeout=5)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(url, params=params, timeout=5).content
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, params=params, timeout=0.3)
    assert requests.get(url, params=params, timeout=5).status_code == 200
    assert len(fake.requests("arxiv")) == 4


def test_unknown_fault_kind(fake):
    with pytest.raises(ValueError):
        fake.fail("dblp", ["teapot"])


def test_down_refuses_connections_and_up_serves_again(fake):
    url = fake.base_url("openreview") + "/notes?id=x"
    fake.down("openreview")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=2)
    fake.up("openreview")
    assert requests.get(url, timeout=5).status_code == 200


def test_latency_is_applied(fake):
    fake.set_latency("acl", 0.3)
    started = time.monotonic()
    requests.get(fake.base_url("acl") + "/Z99-9999.bib", timeout=5)
    assert time.monotonic() - started >= 0.3


def test_usable_outside_pytest_fixtures():
    services = FakeServices(papers=[])
    services.start()
    try:
        r = requests.get(services.base_url("arxiv"), params={"search_query": 'ti:"anything"'}, timeout=5)
        assert r.status_code == 200 and arxiv.parse_feed(r.content) == []
    finally:
        services.stop()
