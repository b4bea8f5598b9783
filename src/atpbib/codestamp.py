"""A stamp of the package's source files: what atpbib remembers on disk (parsed lists, parsed answers) is only
used by the code that made it, so a new version never reads back what an older parser decided."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def stamp(folders: tuple[str, ...], files: tuple[str, ...]) -> str:
    """Size and modification time of every module in `folders` and of `files` (paths inside the package)."""
    names = sorted(f"{folder}/{p.name}" for folder in folders for p in (PACKAGE / folder).glob("*.py"))
    parts = []
    for name in (*names, *files):
        try:
            st = (PACKAGE / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(name)
    return ";".join(parts)
