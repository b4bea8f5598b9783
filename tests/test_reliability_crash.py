"""Crashes and concurrency: kill -9 in the middle of a cold run, two processes on one cache, and `--merge`
failing while it writes (ENOSPC, a kill, a read-only directory): the user's library is never damaged."""
from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

# fake, baseline and fresh_fake are pytest fixtures, used by name
from test_reliability_helpers import (  # noqa: F401
    SECTION,
    assert_no_traceback,
    assert_one_line_usage_error,
    baseline,
    cached_count,
    cached_requests,
    cli_env,
    fake,
    fresh_fake,
    logs,
    one_error_line,
    parse_bib,
    read_report,
    reset_fake,
    run_cli,
    sqlite_integrity,
    temp_leftovers,
    write_hook,
)




# ------------------------------------------------------------------------------------------------------
# kill -9 in the middle of a cold run


def test_kill_9_mid_run_leaves_a_sound_cache_and_the_next_run_fetches_only_what_is_missing(fake, baseline, tmp_path):
    for name in fake.services:
        fake.set_latency(name, 0.2)
    cache = tmp_path / "cache"
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = cli_env(fake.env(), cache)
    proc = subprocess.Popen([sys.executable, "-m", "atpbib", "export", "--section", SECTION, "-o", out_dir / "lib.bib",
                             "--quiet"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        # kill once some answers have come back (~1 s into the run), while other requests are in flight
        while sum(len(v) for v in logs(fake).values()) < 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(0.3)
        assert proc.poll() is None, "the run finished before it could be killed: raise the latency"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    run1 = {(svc, p) for svc, paths in logs(fake).items() for p in paths}

    # the cache survived: SQLite says so, and `atpbib cache info` reads it
    assert sqlite_integrity(cache) == "ok"
    info = run_cli(["cache", "info", "--cache-dir", cache], env)
    assert_no_traceback(info)
    assert info.returncode == 0, info.describe()
    cached = cached_requests(cache, fake)
    assert cached, "nothing was cached before the kill: kill later"
    assert f"entries:  {cached_count(cache)}" in info.stdout, info.stdout
    # real answers of run 1 (arXiv also files each id of a batch answer under its single-id request)
    assert cached & run1
    # no half-written library, no temp file
    assert not (out_dir / "lib.bib").exists()
    assert temp_leftovers(out_dir) == []

    for name in fake.services:
        fake.set_latency(name, 0)
    fake.clear()
    out, rep = tmp_path / "second.bib", tmp_path / "second.json"
    run2 = run_cli(["export", "--section", SECTION, "-o", out, "--report", rep, "--quiet"], env)
    assert_no_traceback(run2)
    assert run2.returncode == 0, run2.describe()
    assert read_report(rep)["by_status"] == {"resolved": len(baseline.works)}
    assert [e.fields for e in parse_bib(out.read_text(encoding="utf-8"))] == [e.fields for e in baseline.entries]
    run2_requests = {(svc, p) for svc, paths in logs(fake).items() for p in paths}
    assert run2_requests, "the killed run cannot have fetched everything"
    assert not (run2_requests & cached), sorted(run2_requests & cached)
    assert sqlite_integrity(cache) == "ok"


# ------------------------------------------------------------------------------------------------------
# two processes, one cache directory


def test_two_processes_sharing_one_cache_both_finish_correctly(fake, baseline, tmp_path):
    for name in fake.services:
        fake.set_latency(name, 0.05)
    cache = tmp_path / "cache"
    env = cli_env(fake.env(), cache)
    runs: dict[int, object] = {}

    def go(i: int) -> None:
        runs[i] = run_cli(["export", "--section", SECTION, "-o", tmp_path / f"out{i}.bib", "--report",
                           tmp_path / f"r{i}.json", "--quiet"], env)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(2):
        run = runs[i]
        assert_no_traceback(run)
        assert run.returncode == 0, run.describe()
        assert read_report(tmp_path / f"r{i}.json")["by_status"] == {"resolved": len(baseline.works)}
        assert [e.fields for e in parse_bib((tmp_path / f"out{i}.bib").read_text(encoding="utf-8"))] == \
            [e.fields for e in baseline.entries]
    assert (tmp_path / "out0.bib").read_bytes() == (tmp_path / "out1.bib").read_bytes()
    assert sqlite_integrity(cache) == "ok"
    assert cached_requests(cache, fake), "the shared cache holds the answers"


# ------------------------------------------------------------------------------------------------------
# --merge under failure


LIBRARY = (
    "% my own library, edited by hand (CRLF line ends, LaTeX accents, a macro)\r\n"
    "@string{acl = \"Association for Computational Linguistics\"}\r\n"
    "\r\n"
    "@article{mine2001,\r\n"
    "  title   = {Caf\\'e {\\\"U}ber {BERT}},\r\n"
    "  author  = {M\u00fcller, J\u00f6rg and Doe, Jane},\r\n"
    "  journal = acl,\r\n"
    "  year    = 2001\r\n"
    "}\r\n"
).encode("utf-8")


@pytest.fixture(scope="module")
def warm_cache(fake, tmp_path_factory):
    """A cache that already holds every Compression answer, so the merge runs do not wait on the network."""
    reset_fake(fake)
    cache = tmp_path_factory.mktemp("warm") / "cache"
    run = run_cli(["resolve", "--section", SECTION, "--json", "--quiet"], cli_env(fake.env(), cache))
    assert run.returncode == 0, run.describe()
    return cache


def _library(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lib = directory / "library.bib"
    lib.write_bytes(LIBRARY)
    return lib


def _assert_untouched(lib: Path) -> None:
    assert lib.read_bytes() == LIBRARY
    bak = lib.with_name(lib.name + ".bak")
    assert not bak.exists() or bak.read_bytes() == LIBRARY
    assert temp_leftovers(lib.parent) == [], "temp files left behind"


def test_merge_happy_path_keeps_the_library_byte_for_byte(fake, baseline, warm_cache, tmp_path):
    """The control for the failure cases below: a merge that succeeds does write."""
    lib = _library(tmp_path / "lib")
    run = run_cli(["export", "--section", SECTION, "--merge", lib, "--quiet"], cli_env(fake.env(), warm_cache))
    assert run.returncode == 0, run.describe()
    data = lib.read_bytes()
    assert data.startswith(LIBRARY) and len(data) > len(LIBRARY)
    entries = parse_bib(data.decode("utf-8"))
    assert [e.key for e in entries] == ["mine2001"] + [e.key for e in baseline.entries]
    assert lib.with_name("library.bib.bak").read_bytes() == LIBRARY
    assert temp_leftovers(lib.parent) == []


@pytest.mark.parametrize("fault", ["fsync-enospc", "replace-enospc"])
def test_merge_disk_full_while_writing_leaves_the_library_untouched(fake, warm_cache, tmp_path, fault):
    lib = _library(tmp_path / "lib")
    env = cli_env(fake.env(), warm_cache, hook_dir=write_hook(tmp_path / "hook"), ATPBIB_TEST_WRITE_FAULT=fault)
    run = run_cli(["export", "--section", SECTION, "--merge", lib, "--quiet"], env)
    line = assert_one_line_usage_error(run)
    assert "No space left on device" in line
    _assert_untouched(lib)


def test_merge_killed_while_writing_leaves_the_library_untouched(fake, baseline, warm_cache, tmp_path):
    lib = _library(tmp_path / "lib")
    hook = write_hook(tmp_path / "hook")
    env = cli_env(fake.env(), warm_cache, hook_dir=hook, ATPBIB_TEST_WRITE_FAULT="replace-kill")
    run = run_cli(["export", "--section", SECTION, "--merge", lib, "--quiet"], env)
    assert run.returncode == -signal.SIGKILL, run.describe()
    assert lib.read_bytes() == LIBRARY
    bak = lib.with_name("library.bib.bak")
    assert not bak.exists() or bak.read_bytes() == LIBRARY
    # the run after the crash completes the merge on top of the intact library
    run2 = run_cli(["export", "--section", SECTION, "--merge", lib, "--quiet"], cli_env(fake.env(), warm_cache))
    assert run2.returncode == 0, run2.describe()
    assert lib.read_bytes().startswith(LIBRARY)
    assert [e.key for e in parse_bib(lib.read_text(encoding="utf-8"))] == ["mine2001"] + [e.key for e in baseline.entries]


def test_no_stale_temp_file_survives_a_crash_and_the_next_write(fake, warm_cache, tmp_path):
    lib = _library(tmp_path / "lib")
    env = cli_env(fake.env(), warm_cache, hook_dir=write_hook(tmp_path / "hook"), ATPBIB_TEST_WRITE_FAULT="replace-kill")
    assert run_cli(["export", "--section", SECTION, "--merge", lib, "--quiet"], env).returncode == -signal.SIGKILL
    leftovers = temp_leftovers(lib.parent)
    assert leftovers, "the kill came after the temp file was written"
    for name in leftovers:  # as if the crash happened a while ago
        os.utime(lib.parent / name, (time.time() - 3600, time.time() - 3600))
    run2 = run_cli(["export", "--section", SECTION, "--merge", lib, "--quiet"], cli_env(fake.env(), warm_cache))
    assert run2.returncode == 0, run2.describe()
    assert temp_leftovers(lib.parent) == []


class _OsWith:
    """The os module with some functions replaced (patched into atpbib.atomic only)."""

    def __init__(self, **replaced):
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(os, name)


def _enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("broken", ["fsync", "replace"])
def test_merge_disk_full_in_process(fake, warm_cache, tmp_path, monkeypatch, broken):
    """The same through atpbib.cli.app in-process (typer's CliRunner), os.fsync/os.replace raising ENOSPC."""
    import atpbib.atomic
    from typer.testing import CliRunner

    from atpbib.cli import app

    lib = _library(tmp_path / "lib")
    monkeypatch.setattr(atpbib.atomic, "os", _OsWith(**{broken: _enospc}))
    env = {k: v for k, v in cli_env(fake.env(), warm_cache).items() if k.startswith("ATPBIB_")}
    result = CliRunner().invoke(app, ["export", "--section", SECTION, "--merge", str(lib), "--quiet"], env=env)
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert "No space left" in one_error_line(result.stderr)
    assert "Traceback" not in result.stderr
    _assert_untouched(lib)


def _make_read_only(directory: Path):
    """chmod 0555, or (as root, who ignores modes) the immutable attribute; None if neither holds here."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return lambda: directory.chmod(0o755)
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(directory)], capture_output=True).returncode != 0:
        return None
    undo = lambda: subprocess.run([chattr, "-i", str(directory)], capture_output=True)  # noqa: E731
    probe = directory / ".probe"
    try:
        probe.write_text("x")
    except OSError:
        return undo
    probe.unlink()
    undo()
    return None


def test_merge_into_a_read_only_directory(fake, warm_cache, tmp_path):
    lib = _library(tmp_path / "ro")
    undo = _make_read_only(lib.parent)
    if undo is None:
        pytest.skip("cannot make a directory read-only here (root without chattr +i support)")
    try:
        run = run_cli(["export", "--section", SECTION, "--merge", lib, "--quiet"], cli_env(fake.env(), warm_cache))
        line = assert_one_line_usage_error(run)
        assert "ermission" in line or "not permitted" in line, line
        out_run = run_cli(["export", "--section", SECTION, "-o", lib.parent / "new.bib", "--quiet"],
                          cli_env(fake.env(), warm_cache))
        assert_one_line_usage_error(out_run)
    finally:
        undo()
    assert lib.read_bytes() == LIBRARY
    assert sorted(p.name for p in lib.parent.iterdir()) == ["library.bib"]


# ------------------------------------------------------------------------------------------------------
# The library a write replaces always survives (ISSUE 22 item 8)


def _backups(lib: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(lib.parent.glob(lib.name + ".bak*"))}


@pytest.mark.parametrize("left_there", [b"", b"% another tool's backup\n"],
                         ids=["an-empty-bak-a-killed-backup-left", "another-tools-bak"])
def test_export_over_a_library_keeps_it_whatever_bak_is_already_there(fake, warm_cache, tmp_path, left_there):
    lib = _library(tmp_path / "lib")
    lib.with_name("library.bib.bak").write_bytes(left_there)
    run = run_cli(["export", "--section", SECTION, "-o", lib, "--quiet"], cli_env(fake.env(), warm_cache))
    assert run.returncode == 0, run.describe()
    assert lib.read_bytes() != LIBRARY, "the export was written"
    kept = _backups(lib)
    assert kept["library.bib.bak"] == left_there, "another file's backup is never overwritten"
    assert LIBRARY in kept.values(), f"the library was lost: {sorted(kept)}"
    assert "note: kept the previous library.bib as library.bib.bak.1" in run.stderr


def test_a_backup_killed_halfway_leaves_no_backup_and_the_library_intact(fake, warm_cache, tmp_path):
    """The backup is itself written atomically: a kill while it is copied leaves the library and no empty .bak,
    so the next run backs the library up again."""
    lib = _library(tmp_path / "lib")
    env = cli_env(fake.env(), warm_cache, hook_dir=write_hook(tmp_path / "hook"), ATPBIB_TEST_WRITE_FAULT="replace-kill",
                  ATPBIB_TEST_WRITE_SUFFIX=".bak")
    run = run_cli(["export", "--section", SECTION, "-o", lib, "--quiet"], env)
    assert run.returncode == -signal.SIGKILL, run.describe()
    assert lib.read_bytes() == LIBRARY and _backups(lib) == {}
    run = run_cli(["export", "--section", SECTION, "-o", lib, "--quiet"], cli_env(fake.env(), warm_cache))
    assert run.returncode == 0, run.describe()
    assert _backups(lib) == {"library.bib.bak": LIBRARY}


def test_atpbibs_own_output_is_replaced_without_a_backup_pile(fake, warm_cache, tmp_path):
    out = tmp_path / "out" / "refs.bib"
    out.parent.mkdir()
    env = cli_env(fake.env(), warm_cache)
    for args in (["--section", SECTION], ["--section", SECTION, "--key-format", "{family}{year}"]):
        run = run_cli(["export", *args, "-o", out, "--quiet"], env)
        assert run.returncode == 0, run.describe()
    assert _backups(out) == {}, "what atpbib wrote itself needs no backup"
    out.write_bytes(out.read_bytes() + b"% my note\n")  # edited by hand: the user's now
    run = run_cli(["export", "--section", SECTION, "-o", out, "--quiet"], env)
    assert run.returncode == 0, run.describe()
    assert list(_backups(out)) == ["refs.bib.bak"] and _backups(out)["refs.bib.bak"].endswith(b"% my note\n")
