"""Politeness across processes: each host's next free request slot, shared by every atpbib of the user.

arXiv asks for one request every three seconds from a *user*, not from a process: three resolves run back
to back, or two exports started together (`make -j2`), must keep the interval between them too. Each
paced host has a tiny file in a per-user folder (`$ATPBIB_PACE_DIR`, default `~/.cache/atpbib/pace`)
holding the wall-clock time of its latest reserved request start. A process takes the file's lock
(fcntl.flock), reserves the next slot — max(now, latest + interval) — writes it, releases the lock and
sleeps until its slot, so any number of processes queue behind each other and none waits longer than
needed. The lock is the kernel's: a crashed process holds none, and a slot it reserved but never used
delays the next one by one interval at most. Where file locks are unavailable, pacing is per process.
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


def reserve(host_key: str, interval: float, not_before_wall: float = 0.0) -> float | None:
    """Reserve this host's next request slot for the whole user account; the wall-clock start time, or
    None when no shared state can be used (the caller paces within its own process then)."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return None
    folder = pace_dir()
    if folder is None or interval <= 0:
        return None
    name = hashlib.sha1(host_key.encode("utf-8")).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / f"{name}.slot", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        log.debug("no shared pacing state (%s): pacing within this process", exc)
        return None
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
        start = max(now, latest + interval, not_before_wall)
        data = f"{start:.6f}".encode("ascii")
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        return start
    except OSError as exc:
        log.debug("shared pacing state unusable (%s): pacing within this process", exc)
        return None
    finally:
        os.close(fd)  # closing releases the lock
