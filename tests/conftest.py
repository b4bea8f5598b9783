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

# The network guard (tests/netguard/): a connection to any non-loopback address, here or in a CLI run a
# test starts, is refused and fails the test that made it. Subprocesses get it through PYTHONPATH.
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

_GUARD_DIR = Path(__file__).resolve().parent / "netguard"
sys.path.insert(0, str(_GUARD_DIR))
import netguard  # noqa: E402

_GUARD_LOG = Path(tempfile.mkdtemp(prefix="atpbib-netguard-")) / "refused.log"
_GUARD_LOG.touch()
os.environ[netguard.LOG_VAR] = str(_GUARD_LOG)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(_GUARD_DIR), os.environ.get("PYTHONPATH")) if p)
netguard.install()


@pytest.fixture(autouse=True)
def _no_real_host():
    """Fail the test if it (or a process it started) tried to reach a real host."""
    before = _GUARD_LOG.stat().st_size
    yield
    with open(_GUARD_LOG, encoding="utf-8") as fh:
        fh.seek(before)
        attempts = fh.read().split("\n")
    attempts = [a for a in attempts if a]
    if attempts:
        pytest.fail("network guard: the test tried to reach a real host: " + "; ".join(attempts[:5]), pytrace=False)


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
