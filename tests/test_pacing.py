"""Politeness that holds across processes (ISSUE 14): one pacing state per user, file-locked."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atpbib.fetch import pacing

SECTION = "Application"


def test_reservations_from_many_processes_keep_the_interval(tmp_path, monkeypatch):
    monkeypatch.setenv("ATPBIB_PACE_DIR", str(tmp_path))
    code = ("import time; from atpbib.fetch import pacing\n"
            "for _ in range(5):\n    print(pacing.take_turn('example.org:443', 0.2).mine)")  # the start it recorded
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "ATPBIB_PACE_DIR": str(tmp_path)}) for _ in range(3)]
    starts = sorted(float(x) for p in procs for x in p.communicate(timeout=60)[0].split())
    assert len(starts) == 15
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.2 - 1e-6
    assert max(gaps) < 0.2 + 0.05  # nobody waits longer than needed: the slots follow each other


def test_a_crashed_process_leaves_no_lock_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("ATPBIB_PACE_DIR", str(tmp_path))
    assert pacing.take_turn("example.org:443", 0.1)
    slot = next(tmp_path.iterdir())
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); "
        "print('locked', flush=True); time.sleep(60)"), str(slot)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    t0 = time.monotonic()
    assert pacing.take_turn("example.org:443", 0.1)
    assert time.monotonic() - t0 < 1.0


def test_a_damaged_state_file_is_started_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("ATPBIB_PACE_DIR", str(tmp_path))
    pacing.take_turn("h:1", 0.1)
    next(tmp_path.iterdir()).write_text("not a number", encoding="ascii")
    t0 = time.monotonic()
    assert pacing.take_turn("h:1", 0.1) and time.monotonic() - t0 < 0.5


def _export_env(fake, tmp_path: Path, i: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_")}
    env.update(fake.env())
    env.update(ATPBIB_CACHE_DIR=str(tmp_path / f"cache{i}"), ATPBIB_PACE_DIR=str(tmp_path / "pace"), ATPBIB_LOCK="off",
               ATPBIB_INTERVAL_ARXIV="0.3", ATPBIB_INTERVAL_DBLP="0.3", ATPBIB_INTERVAL_S2="0.3",
               ATPBIB_INTERVAL_CROSSREF="0.3")
    return env


@pytest.mark.parametrize("n", [2, 3])
def test_parallel_exports_are_refused_nothing_and_write_the_same_file(fake, tmp_path, n):
    for service in ("arxiv", "dblp", "s2", "crossref"):
        fake.set_min_interval(service, 0.3)
    fake.clear()
    try:
        procs = [subprocess.Popen([sys.executable, "-m", "atpbib", "export", "--section", SECTION, "--quiet",
                                   "-o", str(tmp_path / f"out{i}.bib")], env=_export_env(fake, tmp_path, i),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n)]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
    finally:
        for service in ("arxiv", "dblp", "s2", "crossref"):
            fake.set_min_interval(service, 0.0)
    assert sum(fake.refused(s) for s in fake.services) == 0
    texts = {(tmp_path / f"out{i}.bib").read_text(encoding="utf-8") for i in range(n)}
    assert len(texts) == 1 and "@" in texts.pop()


# -- damaged state (issue 22 item 13) -------------------------------------------------------------------


def _slot(folder: Path, host_key: str) -> Path:
    import hashlib

    return folder / f"{hashlib.sha1(host_key.encode('utf-8')).hexdigest()[:16]}.slot"


def _take_turn_in_child(folder: Path, host_key: str, interval: float, timeout: float = 20.0) -> float:
    """Seconds a fresh process waits for its turn (a child, so that a wrong sleep cannot hang the suite)."""
    code = ("import sys, time; from atpbib.fetch import pacing; t = time.monotonic(); "
            "pacing.take_turn(sys.argv[1], float(sys.argv[2])); print(time.monotonic() - t)")
    out = subprocess.run([sys.executable, "-c", code, host_key, str(interval)], capture_output=True, text=True,
                         timeout=timeout, env={**os.environ, "ATPBIB_PACE_DIR": str(folder)})
    assert out.returncode == 0, out.stderr
    return float(out.stdout)


@pytest.mark.parametrize("ahead", [3_500.0, 60.0, 5.0])
def test_a_slot_further_ahead_than_the_interval_is_reset_not_slept_on(tmp_path, ahead):
    folder = tmp_path / "pace"
    folder.mkdir()
    _slot(folder, "export.arxiv.org:443").write_text(f"{time.time() + ahead:.6f}", encoding="ascii")
    assert _take_turn_in_child(folder, "export.arxiv.org:443", 3.0 if ahead > 3.0 else 1.0) < 1.0
    assert abs(float(_slot(folder, "export.arxiv.org:443").read_text()) - time.time()) < 5  # the real start now


def test_a_slot_within_the_interval_is_still_waited_for(tmp_path, monkeypatch):
    monkeypatch.setenv("ATPBIB_PACE_DIR", str(tmp_path))
    _slot(tmp_path, "dblp.org:443").write_text(f"{time.time() + 0.5:.6f}", encoding="ascii")  # ahead, but < 1 s
    t0 = time.monotonic()
    assert pacing.take_turn("dblp.org:443", 1.0)
    assert 1.2 <= time.monotonic() - t0 < 2.5


def test_a_symlinked_slot_never_truncates_its_target(tmp_path):
    folder = tmp_path / "pace"
    folder.mkdir()
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    _slot(folder, "dblp.org:443").symlink_to(target)
    assert _take_turn_in_child(folder, "dblp.org:443", 0.1) < 1.0
    assert target.read_text(encoding="utf-8") == "keep me\n"
    slot = _slot(folder, "dblp.org:443")
    assert not slot.is_symlink() and float(slot.read_text()) > 0  # replaced by a real slot: pacing still shared


def test_a_turn_given_back_restores_the_previous_start(tmp_path, monkeypatch):
    monkeypatch.setenv("ATPBIB_PACE_DIR", str(tmp_path))
    first = pacing.take_turn("h:2", 0.05)
    second = pacing.take_turn("h:2", 0.05)
    assert pacing.give_back(second)
    assert _slot(tmp_path, "h:2").read_text() == first.mine
    third = pacing.take_turn("h:2", 0.05)
    assert not pacing.give_back(second)  # another turn was taken since: not ours to undo
    assert _slot(tmp_path, "h:2").read_text() == third.mine
