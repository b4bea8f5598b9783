"""URL / text → identifiers: one table of patterns, one normaliser per scheme.

Every later stage (sources, merge, keys) keys papers by these identifiers, so the same paper linked
in different URL shapes (abs vs pdf, old vs new ACL host, DOI vs landing page…) must give one value.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from atpbib.model import ENTRY_ID_SCHEMES, Ids, Link

__all__ = ["PAPER_SCHEMES", "SCHEMES", "Scheme", "is_arxiv_id", "identify", "landing", "ids_from_links", "ids_from_urls", "normalise", "PATTERNS", "is_code_label", "github_repo",
           "landing_url"]


# ---------------------------------------------------------------- normalisers (one per scheme)

_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z-]*)(?:\.[a-z]{2})?/(\d{7})(?:v\d+)?$", re.IGNORECASE)


def norm_arxiv(raw: str) -> str | None:
    """'1909.10351v2' → '1909.10351'; 'math.CA/0611800v2' → 'math/0611800' (subject class dropped, as arXiv does)."""
    s = unquote(raw).strip()
    s = re.sub(r"^arxiv:", "", s, flags=re.IGNORECASE)
    s = re.sub(r"\.pdf$", "", s, flags=re.IGNORECASE).strip("/")
    m = _ARXIV_NEW.match(s)
    if m:
        return m.group(1)
    m = _ARXIV_OLD.match(s)
    if m:
        return f"{m.group(1).lower()}/{m.group(2)}"
    return None


def is_arxiv_id(raw: str) -> bool:
    """A bare arXiv id as the API takes it ('1909.10351', '1909.10351v2', 'math.CA/0611800'), no prefix."""
    s = (raw or "").strip()
    return bool(_ARXIV_NEW.match(s) or _ARXIV_OLD.match(s))


_ACL_OLD = re.compile(r"^([A-Za-z])(\d{2})-(\d{4})(?:v\d+)?$")
_ACL_NEW = re.compile(r"^(\d{4})\.([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\.(\d+)(?:v\d+)?$")


def norm_acl(raw: str) -> str | None:
    """'p19-1295' → 'P19-1295'; '2020.ACL-main.1v2' → '2020.acl-main.1' (anthology ids are case-fixed)."""
    s = unquote(raw).strip().strip("/")
    s = re.sub(r"\.(pdf|bib|xml)$", "", s, flags=re.IGNORECASE)
    m = _ACL_OLD.match(s)
    if m:
        return f"{m.group(1).upper()}{m.group(2)}-{m.group(3)}"
    m = _ACL_NEW.match(s)
    if m:
        return f"{m.group(1)}.{m.group(2).lower()}.{m.group(3)}"
    return None


_OPENREVIEW_ID = re.compile(r"^[A-Za-z0-9_-]{5,}$")


def norm_openreview(raw: str) -> str | None:
    s = raw.strip()
    return s if _OPENREVIEW_ID.match(s) else None


def norm_pmlr(raw: str) -> str | None:
    """'v97/song19d' (volume/paper), whatever file the link pointed at."""
    m = re.match(r"^v(\d+)/([A-Za-z0-9_]+)$", raw.strip())
    return f"v{m.group(1)}/{m.group(2)}" if m else None


def norm_neurips(raw: str) -> str | None:
    s = raw.strip().strip("/")
    if re.match(r"^\d+-[a-z0-9-]+$", s, re.IGNORECASE):
        return s.lower()
    m = re.match(r"^(\d{4})/([0-9a-f]{32})$", s, re.IGNORECASE)
    if m:
        return f"{m.group(1)}/{m.group(2).lower()}"
    return None


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def norm_doi(raw: str) -> str | None:
    """Lower-cased DOI without resolver prefix (DOIs are case-insensitive)."""
    s = unquote(raw).strip()
    s = re.sub(r"^(?:doi:|https?://(?:dx\.|www\.)?doi\.org/)", "", s, flags=re.IGNORECASE)
    s = s.rstrip(".,;")
    return s.lower() if _DOI.match(s) else None


# First path segments of github.com that are site pages, not users/organisations.
_GITHUB_RESERVED = frozenset(
    "about apps blog collections contact customer-stories enterprise events explore features gist issues join login "
    "marketplace new notifications orgs organizations pricing pulls readme search security settings site sponsors "
    "topics trending users".split()
)


def norm_github(raw: str) -> str | None:
    parts = [p for p in raw.strip().split("/") if p]
    if len(parts) < 2:
        return None
    owner, repo = parts[0], re.sub(r"\.git$", "", parts[1])
    if owner.lower() in _GITHUB_RESERVED or not re.match(r"^[A-Za-z0-9-]+$", owner):
        return None
    if not re.match(r"^[A-Za-z0-9._-]+$", repo) or repo in (".", ".."):
        return None
    return f"{owner}/{repo}"


def normalise(scheme: str, raw: str) -> str | None:
    """Normalise an identifier of `scheme`; None when `raw` is not a valid one."""
    info = SCHEMES.get(scheme)
    return info.normalise(raw) if info else None


# ---------------------------------------------------------------- the scheme table

@dataclass(frozen=True)
class Scheme:
    """What the project knows of an identifier scheme: its normaliser, its landing page, whether it names
    a paper (GitHub names a paper's code)."""

    name: str
    normalise: Callable[[str], str | None]
    landing: str | None  # URL template with {id}
    names_paper: bool = True


SCHEMES: dict[str, Scheme] = {s.name: s for s in (
    Scheme("arxiv", norm_arxiv, "https://arxiv.org/abs/{id}"),
    Scheme("acl", norm_acl, "https://aclanthology.org/{id}"),
    Scheme("openreview", norm_openreview, "https://openreview.net/forum?id={id}"),
    Scheme("pmlr", norm_pmlr, "https://proceedings.mlr.press/{id}.html"),
    Scheme("neurips", norm_neurips, None),
    Scheme("doi", norm_doi, "https://doi.org/{id}"),
    Scheme("dblp", lambda raw: raw.strip() or None, "https://dblp.org/rec/{id}"),
    Scheme("github", norm_github, "https://github.com/{id}", names_paper=False),
)}
PAPER_SCHEMES = tuple(name for name, s in SCHEMES.items() if s.names_paper)  # every scheme that names a paper
LIST_PAPER_SCHEMES = tuple(s for s in PAPER_SCHEMES if s in ENTRY_ID_SCHEMES)  # … that a list link can carry
LANDING_ORDER = ("acl", "arxiv", "openreview", "pmlr", "github")  # a work's own page, best first


# ---------------------------------------------------------------- the pattern table

@dataclass(frozen=True)
class Pattern:
    scheme: str
    hosts: tuple[str, ...]  # lower-case host names (no "www." — it is stripped before matching)
    path: re.Pattern[str]  # matched against the URL path (full match); group "id" is the raw id
    query_key: str | None = None  # take the raw id from this query parameter instead of the path
    assemble: Callable[[re.Match[str]], str] | None = None  # build raw id from several groups


def _p(rx: str) -> re.Pattern[str]:
    return re.compile(rx, re.IGNORECASE)


_ACL_ID = r"(?:[A-Za-z]\d{2}-\d{4}|\d{4}\.[A-Za-z0-9-]+\.\d+)(?:v\d+)?"
_ARXIV_BARE_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?"
_ARXIV_ID = rf"(?:arxiv:)?{_ARXIV_BARE_ID}"

PATTERNS: tuple[Pattern, ...] = (
    # arXiv: /abs/ID, /pdf/ID, /pdf/ID.pdf, /pdf/IDv2, /format/ID, /ps/ID
    Pattern("arxiv", ("arxiv.org", "export.arxiv.org"), _p(rf"/(?:abs|pdf|format|ps)/(?P<id>{_ARXIV_ID})(?:\.pdf)?/?")),
    # ACL Anthology: old host /anthology/ID[.pdf|.bib][/], nested /anthology/P/P17/P17-1069.pdf, new host /ID…
    # (also the 2019 layout /anthology/papers/P/P19/P19-1226/ and the old mirror anthology.aclweb.org)
    Pattern("acl", ("aclweb.org",), _p(rf"/anthology(?:-new)?/(?:papers/)?(?:[A-Za-z]/[A-Za-z]\d{{2}}/)?(?P<id>{_ACL_ID})(?:\.pdf|\.bib|\.xml)?/?")),
    Pattern("acl", ("anthology.aclweb.org",), _p(rf"/(?:[A-Za-z]/[A-Za-z]\d{{2}}/)?(?P<id>{_ACL_ID})(?:\.pdf|\.bib|\.xml)?/?")),
    Pattern("acl", ("aclanthology.org", "aclanthology.info"),
            _p(rf"/(?:papers/)?(?P<id>{_ACL_ID})(?:/[A-Za-z0-9.\-]*)?(?:\.pdf|\.bib|\.xml)?/?")),
    # DOI 10.18653/v1/<ACL id>: the ACL Anthology's DOI prefix
    Pattern("acl", ("doi.org", "dx.doi.org"), _p(rf"/10\.18653/v1/(?P<id>{_ACL_ID})/?")),
    # OpenReview: forum?id=, pdf?id=, attachment?id=
    Pattern("openreview", ("openreview.net",), _p(r"/(?:forum|pdf|attachment)/?"), query_key="id"),
    # PMLR: /v97/song19d.html, /v97/song19d.pdf, /v97/song19d/song19d.pdf, …-supp.pdf; older jmlr.org mirror
    Pattern(
        "pmlr",
        ("proceedings.mlr.press",),
        _p(r"/(?P<vol>v\d+)/(?P<key>[a-z0-9_]+?)(?:(?:/[a-z0-9_]+?)?(?:-supp)?\.(?:html|pdf)|/)?"),
        assemble=lambda m: f"{m.group('vol')}/{m.group('key')}",
    ),
    Pattern(
        "pmlr",
        ("jmlr.org",),
        _p(r"/proceedings/papers/(?P<vol>v\d+)/(?P<key>[a-z0-9_]+?)(?:(?:-supp)?\.(?:html|pdf))?"),
        assemble=lambda m: f"{m.group('vol')}/{m.group('key')}",
    ),
    # NeurIPS: old slug /paper/7181-attention-is-all-you-need[.pdf]; new /paper[_files/paper]/2017/hash/<hash>-Abstract.html
    Pattern("neurips", ("papers.nips.cc", "papers.neurips.cc", "proceedings.neurips.cc"), _p(r"/paper/(?P<id>\d+-[a-z0-9-]+?)(?:\.pdf|/)?")),
    Pattern(
        "neurips",
        ("papers.nips.cc", "papers.neurips.cc", "proceedings.neurips.cc"),
        _p(r"/(?:paper_files/)?paper/(?P<year>\d{4})/(?:hash|file)/(?P<hash>[0-9a-f]{32})-(?:Abstract|Paper|Supplemental)[a-z-]*\.(?:html|pdf|zip)"),
        assemble=lambda m: f"{m.group('year')}/{m.group('hash')}",
    ),
    # DOI resolvers, and publisher landing pages that carry the DOI in the path
    Pattern("doi", ("doi.org", "dx.doi.org"), _p(r"/(?:doi:)?(?P<id>10\.\d{4,9}/.+?)/?")),
    Pattern("doi", ("dl.acm.org",), _p(r"/doi/(?:abs/|pdf/|full/|fullHtml/)?(?P<id>10\.\d{4,9}/.+?)/?")),
    Pattern("doi", ("link.springer.com",), _p(r"/(?:article|chapter)/(?P<id>10\.\d{4,9}/.+?)/?")),
    # GitHub repository: owner/repo, ignoring /tree/…, /blob/…, .git
    Pattern("github", ("github.com",), _p(r"/(?P<id>[A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?(?:/.*)?")),
)

_BARE_DOI = re.compile(r"^(?:doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_BARE_ARXIV = re.compile(rf"^arxiv:\s*({_ARXIV_BARE_ID})$", re.IGNORECASE)


def _derived(scheme: str, value: str) -> dict[str, str]:
    """Identifiers implied by another one (the arXiv DOI names an arXiv id; the ACL DOI an anthology id)."""
    out: dict[str, str] = {}
    if scheme == "doi":
        m = re.match(r"^10\.48550/arxiv\.(.+)$", value)
        if m and (a := norm_arxiv(m.group(1))):
            out["arxiv"] = a
        m = re.match(r"^10\.18653/v1/(.+)$", value)
        if m and (a := norm_acl(m.group(1))):
            out["acl"] = a
    return out


def identify(url: str) -> dict[str, str]:
    """Every identifier a URL (or a bare DOI / 'arXiv:ID' string) names, scheme → normalised value."""
    if not isinstance(url, str):
        return {}
    return dict(_identify(url))


@functools.lru_cache(maxsize=8192)
def _identify(url: str) -> tuple[tuple[str, str], ...]:
    """identify(), remembered: a list asks about each of its links several times (kinds, ids, labels)."""
    return tuple(_identify_uncached(url).items())


def _identify_uncached(url: str) -> dict[str, str]:
    text = url.strip()
    if not text:
        return {}
    out: dict[str, str] = {}
    m = _BARE_DOI.match(text)
    if m:
        if doi := norm_doi(m.group(1)):
            out["doi"] = doi
            out.update({k: v for k, v in _derived("doi", doi).items() if k not in out})
        return out
    m = _BARE_ARXIV.match(text)
    if m:
        if a := norm_arxiv(m.group(1)):
            out["arxiv"] = a
        return out
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        text = "https://" + text if re.match(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/|$)", text, re.IGNORECASE) else text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return {}
    if parts.scheme.lower() not in ("http", "https"):
        return {}
    host = host[4:] if host.startswith("www.") else host
    path = parts.path or "/"
    for pat in PATTERNS:
        if host not in pat.hosts or pat.scheme in out:
            continue
        m = pat.path.fullmatch(path)
        if not m:
            continue
        if pat.query_key:
            values = parse_qs(parts.query).get(pat.query_key)
            raw = values[0] if values else None
        elif pat.assemble:
            raw = pat.assemble(m)
        else:
            raw = m.group("id")
        value = normalise(pat.scheme, raw) if raw else None
        if value:
            out[pat.scheme] = value
            for k, v in _derived(pat.scheme, value).items():
                out.setdefault(k, v)
    return out


# ---------------------------------------------------------------- links → Ids

_CODE_WORDS = ("code", "github", "repo", "implementation")
_PAPER_WORDS = ("paper", "pdf", "arxiv", "book")


def is_code_label(label: str) -> bool:
    """A link whose label says it points at code ('code', 'pt code', 'paper & code', 'official PyTorch code'…)."""
    low = label.lower()
    return any(w in low for w in _CODE_WORDS)


def github_repo(url: str) -> str | None:
    return identify(url).get("github")


def ids_from_links(links: Iterable[Link], kind: str | None = None) -> Ids:
    """Identifiers of one list entry.

    Paper-ish links are consulted first so a stray arXiv link under [[post]] cannot shadow the paper's own.
    A GitHub repo is only taken from code links (or any link of a repository entry): a paper links to
    its code, and a GitHub link labelled 'paper' is not the paper's code repository.
    """
    links = list(links)
    ordered = sorted(links, key=lambda lk: 0 if any(w in lk.label.lower() for w in _PAPER_WORDS) else 1)
    found: dict[str, str] = {}
    for link in ordered:
        for scheme, value in identify(link.url).items():
            if scheme == "github":
                continue
            found.setdefault(scheme, value)
    for link in links:
        if kind == "repository" or is_code_label(link.label):
            repo = identify(link.url).get("github")
            if repo:
                found["github"] = repo
                break
    return Ids(**{k: v for k, v in found.items() if k in ENTRY_ID_SCHEMES})


def ids_from_urls(urls: Iterable[str | None], doi: str | None = None) -> Ids:
    """Every paper identifier that a record's links (DBLP `ee`, a .bib `url`) and DOI name.

    The first URL naming a scheme wins; a repository link is not the paper's id, so GitHub is left out."""
    found: dict[str, str] = {}
    for raw in ([doi] if doi else []) + [u for u in urls if u]:
        for scheme, value in identify(raw).items():
            if scheme != "github":
                found.setdefault(scheme, value)
    return Ids(**{k: v for k, v in found.items() if k in ENTRY_ID_SCHEMES})


def landing_url(ids: Ids) -> str | None:
    """The canonical landing page of a work's best identifier (the one place such URLs are built)."""
    for scheme in LANDING_ORDER:
        value = getattr(ids, scheme)
        if value:
            return landing(scheme, value)
    return None


def landing(scheme: str, value: str) -> str | None:
    info = SCHEMES.get(scheme)
    return info.landing.format(id=value) if info and info.landing else None
