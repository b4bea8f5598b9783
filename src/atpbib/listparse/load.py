"""Reading a list: the bundled ATPapers.md, a file, or an http(s) URL — refusing what is not a Markdown list
with a message that names it."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from .parsed import ListError, ParsedList
from .text import short

BUNDLED_NAME = "ATPapers.md"


class _Fetcher(Protocol):
    def get(self, url: str) -> Any: ...


_NOT_TEXT_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/octet-stream",
                   "application/zip", "application/gzip", "application/x-", "application/vnd.", "application/msword")


# Awesome lists are kilobytes; the pure-Python Markdown parser reads about 0.5 MB/s. Refuse what is not a list.
MAX_LIST_BYTES = 5_000_000


def _check_text(data: bytes, name: str) -> str:
    if len(data) > MAX_LIST_BYTES:
        raise ListError(f"{name} is too large for a Markdown list ({len(data) / 1e6:.1f} MB; the limit is {MAX_LIST_BYTES / 1e6:.0f} MB)")
    if b"\x00" in data:
        raise ListError(f"{name} is not a text/Markdown file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListError(f"{name} is not a UTF-8 text/Markdown file (undecodable byte at offset {exc.start})") from None


def _fetch(url: str, fetcher: _Fetcher | None) -> str:
    """The list's text, read through the fetch layer (its deadline, retry budget and caps: a body is counted
    while it is read, after decompression, so a gzip bomb is refused at the cap and never held in memory)."""
    try:
        if fetcher is not None:
            resp = fetcher.get(url)
        else:
            from ..fetch import download

            resp = download(url, max_bytes=MAX_LIST_BYTES)
    except Exception as exc:  # FetchError, OSError, anything a custom fetcher raises
        if getattr(exc, "kind", None) == "too-large":
            raise ListError(f"{url} is too large for a Markdown list (the limit is {MAX_LIST_BYTES / 1e6:.0f} MB)") from None
        if getattr(exc, "kind", None) == "http" and getattr(exc, "status", None):
            raise ListError(f"cannot fetch {url}: HTTP {exc.status}") from None  # type: ignore[attr-defined]
        raise ListError(f"cannot fetch {url}: {type(exc).__name__}: {short(str(exc), 120)}") from None
    status = getattr(resp, "status_code", getattr(resp, "status", None))
    if isinstance(status, int) and status >= 400:
        raise ListError(f"cannot fetch {url}: HTTP {status}")
    headers = getattr(resp, "headers", None) or {}
    ctype = ""
    for k, v in dict(headers).items():
        if str(k).lower() == "content-type":
            ctype = str(v).split(";")[0].strip().lower()
    data = getattr(resp, "content", b"") or b""
    if isinstance(data, str):
        data = data.encode("utf-8")
    head = data[:512].lstrip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html")):
        got = ctype if ctype in ("text/html", "application/xhtml+xml") else "text/html"  # sniffed from the body
        raise ListError(f"{url} is not a Markdown list (got {got}); for a GitHub page use its raw file URL")
    if ctype and ctype.startswith(_NOT_TEXT_TYPES):
        raise ListError(f"{url} is not a Markdown list (got {ctype})")
    return _check_text(data, url)


def _remembered_parse(text: str, source_name: str) -> ParsedList:
    from ..inputs.listmemo import parse

    return parse(text, source_name)


def load_list(path_or_url: str | None = None, fetcher: _Fetcher | None = None, remember: bool = False) -> ParsedList:
    """Read and parse a list: None → the bundled ATPapers.md; a path; or an http(s) URL.
    `remember`: reuse an earlier parse of the same text (inputs/listmemo.py)."""
    from .document import parse_list

    parse = _remembered_parse if remember else parse_list
    if path_or_url is None:
        data = resources.files("atpbib").joinpath("data", BUNDLED_NAME).read_bytes()
        return parse(_check_text(data, BUNDLED_NAME), f"{BUNDLED_NAME} (bundled)")
    if re.match(r"^https?://", path_or_url, re.IGNORECASE):
        return parse(_fetch(path_or_url, fetcher), path_or_url)
    path = Path(path_or_url)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ListError(f"{path_or_url}: no such file") from None
    except IsADirectoryError:
        raise ListError(f"{path_or_url} is a directory, not a Markdown list") from None
    except OSError as exc:
        raise ListError(f"cannot read {path_or_url}: {exc.strerror or exc}") from None
    return parse(_check_text(data, path_or_url), path_or_url)
