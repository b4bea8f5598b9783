"""Write a file so that readers see the old content or the new, never half of either.

A .bib library is a user's own data: a crash, a full disk or a Ctrl-C while writing must leave it as it was.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def atomic_write(path: str | os.PathLike[str], data: str | bytes, backup: bool = False) -> Path:
    """Replace `path` with `data` atomically (temp file in the same directory, fsync, os.replace).

    Strings are written as UTF-8 exactly as given (no newline translation). With `backup=True` the
    previous file, if any, is kept as PATH.bak. On any error the target is untouched and the temp file removed.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    directory = target.parent if str(target.parent) else Path(".")
    _remove_stale_temps(directory, target.name)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            try:
                shutil.copymode(target, tmp)
            except OSError:  # pragma: no cover - permissions we cannot copy are not worth failing for
                pass
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if backup and target.exists():
            bak = target.with_name(target.name + ".bak")
            # a copy, not a rename: the target must exist at every moment
            shutil.copy2(target, bak)
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)
    return target


STALE_TEMP_SECONDS = 60.0


def _remove_stale_temps(directory: Path, name: str) -> None:
    """Temp files of an earlier writer that was killed before its rename: never data, safe to drop."""
    import time

    try:
        leftovers = list(directory.glob(f".{name}.*.tmp"))
    except OSError:
        return
    for old in leftovers:
        try:
            if time.time() - old.stat().st_mtime > STALE_TEMP_SECONDS:
                old.unlink()
        except OSError:
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        log.debug("fsync of %s failed", directory)
    finally:
        os.close(fd)


__all__ = ["atomic_write"]
