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
