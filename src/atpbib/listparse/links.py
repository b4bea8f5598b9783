"""An item's links, made usable: a scheme added where the list left it out, anchors and duplicates dropped,
every repair reported quoting the link as the list writes it."""
from __future__ import annotations

import re

from ..model import Link, ListWarning
from .item import RawLink
from .kinds import title_link_label
from .text import w

ANCHOR_PREFIXES = ("#", "./#", "/#")  # in-page anchors (a table of contents), not resources

_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE)
# "paper.pdf", "README.md": relative files, not domains (even where the extension is also a TLD)
_FILE_LIKE = re.compile(r"^[^/?#]*\.(?:pdf|md|markdown|html?|txt|png|jpe?g|gif|svg|bib|tex|zip|gz|py|ipynb|json|ya?ml|csv)(?:[?#].*)?$", re.IGNORECASE)


def is_anchor(url: str) -> bool:
    return url.strip().startswith(ANCHOR_PREFIXES)


def real_links(links: list[RawLink]) -> list[RawLink]:
    return [rl for rl in links if not is_anchor(rl.url)]


def finish_links(raw: list[RawLink], kind: str, line: int, warnings: list[ListWarning]) -> tuple[Link, ...]:
    out: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for rl in raw:
        label = rl.label if rl.label is not None else title_link_label(kind, rl.url)
        url = rl.url.strip()
        if is_anchor(url):
            continue
        written = rl.written or f"[{rl.text}]({rl.url})"
        if url.startswith("//"):
            warnings.append(w(line, f"link {written} has no scheme; resolved to https:{url}", "bad-link"))
            url = "https:" + url
        elif not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE):
            if _BARE_DOMAIN.match(url) and not _FILE_LIKE.match(url):
                warnings.append(w(line, f"link {written} has no scheme; resolved to https://{url}", "bad-link"))
                url = "https://" + url
            elif url:
                warnings.append(w(line, f"relative link {written} kept as written (no base URL)", "bad-link"))
            else:
                warnings.append(w(line, f"link {written} has an empty URL; dropped", "bad-link"))
                continue
        key = (label, url)
        if key in seen:
            warnings.append(w(line, f"duplicate link {written} dropped", "bad-link"))
            continue
        seen.add(key)
        out.append(Link(label=label, url=url))
    return tuple(out)
