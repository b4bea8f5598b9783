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

import hashlib
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)


def pace_dir() -> Path | None:
    raw = os.environ.get("ATPBIB_PACE_DIR")
    if raw is not None:
        return Path(raw) if raw.strip() else None  # ATPBIB_PACE_DIR= (empty): per-process pacing only
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "atpbib" / "pace"


def take_turn(host_key: str, interval: float, earliest_wall: float = 0.0) -> bool:
    """Wait for this host's next request slot for the whole user account and record the start; False when
    no shared state can be used (the caller paces within its own process then).

    The file stays locked while waiting, like the in-process slot: the next process reads the start that
    really happened, so a late wake-up never lets two requests start closer than the interval."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return False
    folder = pace_dir()
    if folder is None or interval <= 0:
        return False
    name = hashlib.sha1(host_key.encode("utf-8")).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / f"{name}.slot", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        log.debug("no shared pacing state (%s): pacing within this process", exc)
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        raw = os.pread(fd, 64, 0).decode("ascii", "ignore").strip()
        try:
            latest = float(raw) if raw else float("-inf")
        except ValueError:
            latest = float("-inf")  # a damaged file: start afresh
        now = time.time()
        if latest > now + 3600:
            latest = float("-inf")  # a clock that jumped back: never wait an hour for it
        start = max(now, latest + interval, earliest_wall)
        if start > now:
            time.sleep(start - now)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{time.time():.6f}".encode("ascii"), 0)
        return True
    except OSError as exc:
        log.debug("shared pacing state unusable (%s): pacing within this process", exc)
        return False
    finally:
        os.close(fd)  # closing releases the lock
