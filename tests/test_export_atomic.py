"""atomic_write: the target holds the old content or the new, never a torn file; failures leave no debris."""
from __future__ import annotations

import errno
import os

import pytest

from atpbib import atomic
from atpbib.atomic import atomic_write


def _debris(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_new_file_and_replaces_exact_bytes(tmp_path):
    target = tmp_path / "lib.bib"
    atomic_write(target, "a\r\nb – ü\n")
    assert target.read_bytes() == "a\r\nb – ü\n".encode("utf-8")  # no newline translation
    atomic_write(target, b"\x00bytes")
    assert target.read_bytes() == b"\x00bytes"
    assert _debris(tmp_path) == []


def test_backup_keeps_previous_file(tmp_path):
    target = tmp_path / "lib.bib"
    target.write_bytes(b"old library\n")
    atomic_write(target, "new library\n", backup=True)
    assert target.read_text() == "new library\n"
    assert (tmp_path / "lib.bib.bak").read_bytes() == b"old library\n"


def test_no_backup_for_a_new_file(tmp_path):
    atomic_write(tmp_path / "x.bib", "x", backup=True)
    assert not (tmp_path / "x.bib.bak").exists()


def test_replace_failure_leaves_target_untouched(tmp_path, monkeypatch):
    target = tmp_path / "lib.bib"
    target.write_bytes(b"precious\n")

    def boom(src, dst):
        raise OSError(errno.EIO, "simulated failure")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, "new", backup=False)
    assert target.read_bytes() == b"precious\n"
    assert _debris(tmp_path) == []


def test_full_disk_leaves_target_untouched(tmp_path, monkeypatch):
    target = tmp_path / "lib.bib"
    target.write_bytes(b"precious\n")
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError) as info:
        atomic_write(target, "x" * 100_000)
    assert info.value.errno == errno.ENOSPC
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert target.read_bytes() == b"precious\n"
    assert _debris(tmp_path) == []


def test_interrupt_while_writing_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "lib.bib"
    target.write_bytes(b"precious\n")
    monkeypatch.setattr(atomic.os, "replace", lambda s, d: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new", backup=True)
    assert target.read_bytes() == b"precious\n"
    assert _debris(tmp_path) == []


def test_missing_directory_raises_without_creating_anything(tmp_path):
    with pytest.raises(OSError):
        atomic_write(tmp_path / "nope" / "lib.bib", "x")
    assert not (tmp_path / "nope").exists()


def test_keeps_permissions_of_the_replaced_file(tmp_path):
    target = tmp_path / "lib.bib"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write(target, "new")
    assert (target.stat().st_mode & 0o777) == 0o640


# -- no output path may name an input (ISSUE 22 item 9), through the real CLI ---------------------------

LIST = ("# Papers\n\n## Compression\n\n"
        "- TinyBERT: Distilling BERT for Natural Language Understanding. [[arxiv]](https://arxiv.org/abs/1909.10351)\n")
LIBRARY = "@article{mine2001,\n  title = {Kept As Is},\n  year = {2001}\n}\n"


def _cli(args, cwd):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_")}
    env.update(ATPBIB_CACHE_DIR=str(cwd / "cache"), ATPBIB_LOCK="off")
    return subprocess.run([sys.executable, "-m", "atpbib", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args,message", [
    (["export", "--list", "my.md", "--report", "my.md"], "--report my.md is the input --list"),
    (["export", "--list", "my.md", "-o", "my.md"], "-o my.md is the input --list"),
    (["export", "--list", "my.md", "--merge", "my.md"], "--merge my.md is the input --list"),
    (["export", "--list", "my.md", "--merge", "refs.bib", "--report", "refs.bib"], "--report refs.bib is the input --merge"),
    (["export", "--list", "my.md", "-o", "out.bib", "--report", "./out.bib"], "--report out.bib is also the -o file: name another file"),
    (["check", "--list", "my.md", "--fix", "-o", "my.md"], "-o my.md is the input --list"),
    (["upgrade", "refs.bib", "-o", "out.bib", "--report", "refs.bib"], "--report refs.bib is the input IN.bib"),
    (["upgrade", "refs.bib", "--in-place", "--report", "refs.bib"], "--report refs.bib is the input IN.bib"),
    (["lock", "--list", "my.md", "--lock", "my.md"], "--lock my.md is the input --list"),
])
def test_an_output_naming_an_input_is_one_line_exit_2_and_nothing_is_written(tmp_path, args, message):
    (tmp_path / "my.md").write_text(LIST, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(LIBRARY, encoding="utf-8")
    proc = _cli([*args, "--offline"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("atpbib: error:")]
    assert len(errors) == 1 and message in errors[0] and "Traceback" not in proc.stderr, proc.stderr
    assert (tmp_path / "my.md").read_text(encoding="utf-8") == LIST
    assert (tmp_path / "refs.bib").read_text(encoding="utf-8") == LIBRARY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my.md", "refs.bib"], "nothing else was written"
