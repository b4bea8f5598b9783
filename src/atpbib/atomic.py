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
    previous file survives as a backup (see `write_keeping`). On any error the target is untouched and the
    temp file removed; an error names `path`, never the temp file.
    """
    if backup:
        write_keeping(path, data)
        return Path(path)
    return _write(Path(path), data.encode("utf-8") if isinstance(data, str) else bytes(data))


def write_keeping(path: str | os.PathLike[str], data: str | bytes) -> Path | None:
    """Replace `path` atomically so that what it held survives: the backup `write_keeping` made (or None).

    The old content is copied first, itself atomically (a copy killed halfway leaves no backup, never an
    empty one, and the library is replaced only after its copy is on disk), to the first of PATH.bak,
    PATH.bak.1, PATH.bak.2, … that is free or already holds those bytes: another tool's PATH.bak is never
    overwritten, and never taken for ours. No backup is needed when the file is what atpbib itself last
    wrote there (its digest, kept in an extended attribute, matches) or already holds `data`."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    kept = None
    try:
        old = target.read_bytes()
    except FileNotFoundError:
        old = None
    if old is not None and old != payload and not _ours(target, old):
        kept = _backup(target, old)
    _write(target, payload)
    return kept


BACKUP_LIMIT = 1000  # PATH.bak … PATH.bak.999: past that, a folder full of backups is an error, not a loop


def _backup(target: Path, old: bytes) -> Path:
    for n in range(BACKUP_LIMIT):
        bak = target.with_name(target.name + (".bak" if n == 0 else f".bak.{n}"))
        try:
            if bak.read_bytes() == old:
                return bak  # already kept
            continue  # someone's backup: never ours to replace
        except FileNotFoundError:
            pass
        except OSError:
            continue  # unreadable (a folder named so, no permission): not ours either
        _write(bak, old, tag=False, mode_from=target)
        return bak
    raise OSError(17, f"no free backup name (PATH.bak … PATH.bak.{BACKUP_LIMIT - 1} all taken)", str(target))


_TAG = "user.atpbib.sha256"  # the digest of what atpbib wrote: its own output needs no backup


def _ours(target: Path, content: bytes) -> bool:
    import hashlib

    try:
        return os.getxattr(target, _TAG) == hashlib.sha256(content).hexdigest().encode()
    except (OSError, AttributeError):  # no xattrs here (or not POSIX): treat it as the user's
        return False


def _tag(name: str, payload: bytes) -> None:
    import hashlib

    try:
        os.setxattr(name, _TAG, hashlib.sha256(payload).hexdigest().encode())
    except (OSError, AttributeError):  # a filesystem without user xattrs: every replace keeps a backup
        pass


def _write(target: Path, payload: bytes, *, tag: bool = True, mode_from: Path | None = None) -> Path:
    directory = target.parent if str(target.parent) else Path(".")
    _remove_stale_temps(directory, target.name)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:  # name the file the user asked for, not our temp file
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        model = mode_from if mode_from is not None else target
        if model.exists():
            try:
                shutil.copymode(model, tmp)
            except OSError:  # pragma: no cover - permissions we cannot copy are not worth failing for
                pass
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if tag:
            _tag(tmp_name, payload)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename == tmp_name:
            raise OSError(exc.errno, exc.strerror, str(target)) from None
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


__all__ = ["atomic_write", "write_keeping"]
