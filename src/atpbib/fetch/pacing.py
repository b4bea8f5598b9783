"""Politeness across processes: each host's next free request slot, shared by every atpbib of the user.

arXiv asks for one request every three seconds from a *user*, not from a process: three resolves run back
to back, or two exports started together (`make -j2`), must keep the interval between them too. Each
paced host has a tiny file in a per-user folder (`$ATPBIB_PACE_DIR`, default `~/.cache/atpbib/pace`)
holding the wall-clock time of its latest request start. A process takes the file's lock
(fcntl.flock), waits until max(now, latest + interval), writes the time it starts and releases the lock,
so any number of processes queue behind each other and none waits longer than needed. The lock is the
kernel's: a crashed process holds none. Where file locks are unavailable, pacing is per process.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import math
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


def pace_dir() -> Path | None:
    raw = os.environ.get("ATPBIB_PACE_DIR")
    if raw is not None:
        return Path(raw) if raw.strip() else None  # ATPBIB_PACE_DIR= (empty): per-process pacing only
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "atpbib" / "pace"


@dataclass(frozen=True)
class Turn:
    """A start recorded in the shared state, and what it replaced: enough to give the turn back."""

    path: Path
    previous: str  # the file's content before our start ("" when there was none)
    mine: str  # what we wrote


def _slot_path(folder: Path, host_key: str) -> Path:
    return folder / f"{hashlib.sha1(host_key.encode('utf-8')).hexdigest()[:16]}.slot"


def _open_slot(path: Path) -> int:
    """The slot file, never through a symlink (a planted link must not truncate its target) and only a
    regular file; a symlink in our own folder is damaged state, replaced by a fresh file."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        log.debug("pacing slot %s is a symlink: replaced", path)
        os.unlink(path)
        fd = os.open(path, flags, 0o600)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, f"not a regular file: {path}")
    return fd


def take_turn(host_key: str, interval: float, earliest_wall: float = 0.0) -> Turn | None:
    """Wait for this host's next request slot for the whole user account and record the start; None when
    no shared state can be used (the caller paces within its own process then).

    The file stays locked while waiting, like the in-process slot: the next process reads the start that
    really happened, so a late wake-up never lets two requests start closer than the interval.
    A recorded start further ahead than one interval cannot come from a real request (a clock set back,
    a damaged file): it is reset, never slept on."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return None
    folder = pace_dir()
    if folder is None or interval <= 0:
        return None
    path = _slot_path(folder, host_key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = _open_slot(path)
    except OSError as exc:
        log.debug("no shared pacing state (%s): pacing within this process", exc)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        previous = os.pread(fd, 64, 0).decode("ascii", "ignore").strip()
        latest = _start_of(previous)
        now = time.time()
        if latest > now + interval:
            log.debug("pacing slot of %s is %.0f s ahead: reset", host_key, latest - now)
            latest = float("-inf")
        start = max(now, latest + interval, earliest_wall)
        if start > now:
            time.sleep(start - now)
        mine = f"{time.time():.6f}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, mine.encode("ascii"), 0)
        return Turn(path, previous if latest != float("-inf") else "", mine)
    except OSError as exc:
        log.debug("shared pacing state unusable (%s): pacing within this process", exc)
        return None
    finally:
        os.close(fd)  # closing releases the lock


def give_back(turn: Turn) -> bool:
    """Undo a start that reached no server (refused, no such name), unless another process has taken a turn
    since: the next request, here or in another atpbib, need not wait for a request that never happened."""
    try:
        import fcntl

        fd = _open_slot(turn.path)
    except (ImportError, OSError):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.pread(fd, 64, 0).decode("ascii", "ignore").strip() != turn.mine:
            return False
        os.ftruncate(fd, 0)
        if turn.previous:
            os.pwrite(fd, turn.previous.encode("ascii"), 0)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _start_of(raw: str) -> float:
    try:
        value = float(raw) if raw else float("-inf")
    except ValueError:
        return float("-inf")  # a damaged file: start afresh
    return value if math.isfinite(value) else float("-inf")
