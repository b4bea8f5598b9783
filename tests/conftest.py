"""Shared fixtures: the local four-service server and a fetcher pointed at it."""
from __future__ import annotations

import os

import pytest

# The suite exercises the services themselves: every lock, the bundled one included, is off unless a test
# (tests/test_lock.py) turns it back on. This is the documented off switch, ATPBIB_LOCK=off.
os.environ["ATPBIB_LOCK"] = "off"
# The user-wide pacing state (fetch/pacing.py): never the user's; each test gets its own (see below).
import tempfile  # noqa: E402

os.environ["ATPBIB_PACE_DIR"] = tempfile.mkdtemp(prefix="atpbib-pace-")


@pytest.fixture(autouse=True)
def _own_pacing_state(tmp_path_factory, monkeypatch):
    """A fresh shared pacing folder per test: a slot one test reserved never delays the next one."""
    monkeypatch.setenv("ATPBIB_PACE_DIR", str(tmp_path_factory.mktemp("pace")))

from fakeservices import FakeServices, quick_fetcher


@pytest.fixture(scope="module")
def fake():
    """The local stand-in for arXiv, ACL Anthology, OpenReview v1/v2 and DBLP (one per test module)."""
    with FakeServices() as services:
        yield services


@pytest.fixture
def fetcher(fake, monkeypatch):
    """A real Fetcher (no cache, no pacing, one attempt) aimed at `fake`, whose request logs start empty."""
    for k, v in fake.env().items():
        monkeypatch.setenv(k, v)
    fake.clear()
    with quick_fetcher() as f:
        yield f
