"""One local stand-in for arXiv, the ACL Anthology, OpenReview (API 1 and 2) and DBLP.

Used by the end-to-end tests, the reliability suite and the benchmarks (also outside pytest):

    with FakeServices() as fake:
        os.environ.update(fake.env())
        ...
        fake.requests("arxiv")        # ["/api/query?id_list=…", …]

Each service runs its own HTTP server on 127.0.0.1 (own port: politeness is keyed by host:port).
Answers are RENDERED in each service's real format from the looked-up facts in
tests/fixtures/papers/*.json (schema: notes/FACTS_SCHEMA.md); a fact that is missing (null) is omitted
from the answer, never made up. The servers are plain `http.server` rather than werkzeug because the
fault scripts need the raw socket: "reset" sends a TCP RST, "truncated" sends fewer bytes than the
Content-Length it announced.

Controls per service: `latency`, `min_interval` (a client faster than the rule is refused: 503 for
arXiv, 429 + Retry-After elsewhere, and counted), `fail(service, kinds)` fault scripts consumed one per
request, `down()` / `up()`, and request logs.
"""
from __future__ import annotations

import base64
import email.utils
import hashlib
import html
import json
import math
import os
import re
import socket
import struct
import sys
import threading
import time
import unicodedata
import zlib
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

PAPERS_DIR = Path(__file__).resolve().parent / "fixtures" / "papers"
SERVICES = ("arxiv", "acl", "openreview", "openreview2", "dblp", "s2", "crossref")
ENV_VARS = {
    "arxiv": ("ATPBIB_ARXIV_API", "/api/query"),
    "acl": ("ATPBIB_ACL_URL", ""),
    "openreview": ("ATPBIB_OPENREVIEW_API", ""),
    "openreview2": ("ATPBIB_OPENREVIEW_API2", ""),
    "dblp": ("ATPBIB_DBLP_URL", ""),
    "s2": ("ATPBIB_S2_API", "/graph/v1"),
    "crossref": ("ATPBIB_CROSSREF_API", ""),
}
# "429-bare": a 429 without Retry-After, as Semantic Scholar sends it
FAULTS = ("429", "429-date", "429-bare", "503", "500", "reset", "slow", "truncated", "html200")
HTML_CHALLENGE = (
    b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head>"
    b"<body><p>Checking your browser before accessing the site.</p></body></html>"
)
NOT_FOUND_HTML = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>404</h1></body></html>"

_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Za-z\-]{2,})?/\d{7})(?:v\d+)?$")
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


# ----------------------------------------------------------------------------------------------------
# Facts


def load_papers(directory: Path | str | None = None) -> list[dict]:
    """Every tests/fixtures/papers/*.json (sorted by file name)."""
    folder = Path(directory) if directory is not None else PAPERS_DIR
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def norm_words(text: str | None) -> list[str]:
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", folded).split()


def _similarity(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return float(fuzz.token_set_ratio(" ".join(norm_words(a)), " ".join(norm_words(b))))


@dataclass
class Catalogue:
    """The facts, indexed the way each service looks things up."""

    arxiv: dict[str, dict] = field(default_factory=dict)  # id → arxiv facts
    acl: dict[str, dict] = field(default_factory=dict)  # anthology id → acl facts
    openreview: dict[int, dict[str, dict]] = field(default_factory=lambda: {1: {}, 2: {}})  # api → forum → facts
    dblp: dict[str, dict] = field(default_factory=dict)  # key → dblp record facts
    crossref: dict[str, dict] = field(default_factory=dict)  # lower-case DOI → crossref facts
    s2: list[dict] = field(default_factory=list)  # Graph API paper objects, rendered from the facts
    s2_by_id: dict[str, dict] = field(default_factory=dict)  # "ARXIV:…", "ACL:…", "DOI:…" → paper object

    @classmethod
    def build(cls, papers: list[dict]) -> "Catalogue":
        cat = cls()
        for p in papers:
            ax = p.get("arxiv")
            if ax and ax.get("id"):
                cat.arxiv.setdefault(ax["id"], ax)
            acl = p.get("acl")
            if acl and acl.get("id"):
                cat.acl.setdefault(acl["id"], acl)
            orv = p.get("openreview")
            if orv and orv.get("id"):
                api = 2 if orv.get("api") == 2 else 1
                cat.openreview[api].setdefault(orv["id"], orv)
            for i, rec in enumerate(list(p.get("dblp") or []) + list(p.get("lookalikes") or [])):
                if not rec or not rec.get("title"):
                    continue
                if not rec.get("key") or rec.get("key_verified") is False:
                    # the research found the record but could not confirm its dblp key: serve it under a key
                    # that says so, rather than a real-looking guess (tests never assert these keys)
                    rec = {**rec, "key": f"unverified/{p.get('slug', 'paper')}/{i}", "key_verified": False}
                cat.dblp.setdefault(rec["key"], rec)
            cr = p.get("crossref")
            if cr and cr.get("doi"):
                cat.crossref.setdefault(cr["doi"].lower(), cr)
            paper = render_s2_paper(p)
            if paper is not None:
                cat.s2.append(paper)
                ext = paper["externalIds"]
                for prefix, name in (("ARXIV", "ArXiv"), ("ACL", "ACL"), ("DOI", "DOI")):
                    if ext.get(name):
                        cat.s2_by_id.setdefault(f"{prefix}:{ext[name]}".lower(), paper)
        return cat


# ----------------------------------------------------------------------------------------------------
# Rendering helpers


def _x(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _latex_encoder():
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all")


def _bib_escape(text: str) -> str:
    text = re.sub(r"(?<!\\)([&%#])", r"\\\1", text)
    return _latex_encoder().unicode_to_latex(text) if any(ord(c) > 127 for c in text) else text


def _protect_case(title: str) -> str:
    """Brace words whose capitals must survive a BibTeX style ('{BERT}'), as both generators do."""
    if "{" in title:
        return title  # already protected by whoever wrote the facts

    def brace(m: re.Match) -> str:
        word = m.group(0)
        return "{" + word + "}" if any(c.isupper() for c in word[1:]) else word

    return re.sub(r"[^\s:;,.?!()\"]+", brace, title)


def _month_macro(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return _MONTHS[value - 1] if 1 <= value <= 12 else None
    text = str(value).strip().lower()
    if text.isdigit():
        return _month_macro(int(text))
    return text[:3] if text[:3] in _MONTHS else None


def _arxiv_feed_id(query: str) -> str:
    return base64.b64encode(hashlib.sha1(query.encode()).digest()).decode().rstrip("=")


# -- arXiv -------------------------------------------------------------------------------------------


def render_arxiv_entry(ax: dict, version: int | None = None) -> str:
    """One <entry> in the 2026 layout (order as in the recorded feeds)."""
    ident = ax["id"]
    v = version if version is not None else ax.get("latest_version")
    vid = f"{ident}v{v}" if v else ident
    published = ax.get("published")
    # <updated> is the date of the version served: known for v1 (= published) and for the latest version
    updated = published if v == 1 else (ax.get("updated") if v is None or v == ax.get("latest_version") else None)
    lines = ["  <entry>", f"    <id>http://arxiv.org/abs/{_x(vid)}</id>"]
    if ax.get("title"):
        lines.append(f"    <title>{_x(ax['title'])}</title>")
    if updated:
        lines.append(f"    <updated>{_x(updated)}T00:00:00Z</updated>")
    lines.append(f'    <link href="https://arxiv.org/abs/{_x(vid)}" rel="alternate" type="text/html"/>')
    lines.append(f'    <link href="https://arxiv.org/pdf/{_x(vid)}" rel="related" type="application/pdf" title="pdf"/>')
    if ax.get("summary"):
        lines.append(f"    <summary>{_x(ax['summary'])}</summary>")
    for cat in ax.get("categories") or ([ax["primary_category"]] if ax.get("primary_category") else []):
        lines.append(f'    <category term="{_x(cat)}" scheme="http://arxiv.org/schemas/atom"/>')
    if published:
        lines.append(f"    <published>{_x(published)}T00:00:00Z</published>")
    if ax.get("comment"):
        lines.append(f"    <arxiv:comment>{_x(ax['comment'])}</arxiv:comment>")
    if ax.get("primary_category"):
        lines.append(f'    <arxiv:primary_category term="{_x(ax["primary_category"])}"/>')
    if ax.get("journal_ref"):
        lines.append(f"    <arxiv:journal_ref>{_x(ax['journal_ref'])}</arxiv:journal_ref>")
    for name in ax.get("authors") or []:
        lines += ["    <author>", f"      <name>{_x(name)}</name>", "    </author>"]
    if ax.get("doi"):
        lines.append(f"    <arxiv:doi>{_x(ax['doi'])}</arxiv:doi>")
        lines.append(f'    <link rel="related" href="https://doi.org/{_x(ax["doi"])}" title="doi"/>')
    lines.append("  </entry>")
    return "\n".join(lines)


def render_arxiv_feed(entries: list[str], *, search_query: str = "", id_list: str = "", start: int = 0,
                      max_results: int = 10, total: int | None = None) -> bytes:
    query = f"search_query={search_query}&id_list={id_list}&start={start}&max_results={max_results}"
    link = f"https://arxiv.org/api/query?search_query={search_query}&start={start}&max_results={max_results}&id_list={id_list}"
    head = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
        f"  <id>https://arxiv.org/api/{_arxiv_feed_id(query)}</id>",
        f"  <title>arXiv Query: {_x(query)}</title>",
        f"  <updated>{_now_iso()}</updated>",
        f'  <link href="{_x(link)}" type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{len(entries) if total is None else total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    return ("\n".join(head + entries + ["</feed>"]) + "\n").encode("utf-8")


def render_arxiv_error(reason: str, message: str) -> bytes:
    now = _now_iso()
    anchor = re.sub(r"\W+", "_", reason)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
        f"  <updated>{now}</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>https://arxiv.org/api/errors#{_x(anchor)}</id>\n    <title>Error</title>\n"
        f"    <updated>{now}</updated>\n"
        f'    <link href="https://arxiv.org/api/errors#{_x(anchor)}" rel="alternate" type="text/html"/>\n'
        f"    <summary>{_x(message)}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n</feed>\n"
    ).encode("utf-8")


# -- ACL Anthology -----------------------------------------------------------------------------------


def render_acl_bib(acl: dict) -> bytes:
    """The current Anthology .bib layout: double-quoted values, '  and\\n      ' between names."""

    def names(pairs: list) -> str:
        out = []
        for pair in pairs:
            if isinstance(pair, str):
                out.append(_bib_escape(pair))
            else:
                family, given = (list(pair) + [""])[:2]
                out.append(_bib_escape(f"{family}, {given}" if given else family))
        return "  and\n      ".join(out)

    fields: list[tuple[str, str]] = []
    if acl.get("title"):
        fields.append(("title", f'"{_bib_escape(_protect_case(acl["title"]))}"'))
    if acl.get("authors"):
        fields.append(("author", f'"{names(acl["authors"])}"'))
    if acl.get("editors"):
        fields.append(("editor", f'"{names(acl["editors"])}"'))
    journal = acl.get("journal")
    if journal:
        fields.append(("journal", f'"{_bib_escape(journal)}"'))
        for k in ("volume", "number"):
            if acl.get(k):
                fields.append((k, f'"{acl[k]}"'))
    elif acl.get("booktitle"):
        fields.append(("booktitle", f'"{_bib_escape(_protect_case(acl["booktitle"]))}"'))
    month = _month_macro(acl.get("month"))
    if month:
        fields.append(("month", month))
    if acl.get("year"):
        fields.append(("year", f'"{acl["year"]}"'))
    for k in ("address", "publisher"):
        if acl.get(k):
            fields.append((k, f'"{_bib_escape(acl[k])}"'))
    fields.append(("url", f'"https://aclanthology.org/{acl["id"]}/"'))
    if acl.get("doi"):
        fields.append(("doi", f'"{acl["doi"]}"'))
    if acl.get("pages"):
        fields.append(("pages", f'"{str(acl["pages"]).replace("–", "--")}"'))
    if acl.get("abstract"):
        fields.append(("abstract", f'"{_bib_escape(acl["abstract"])}"'))
    key = acl.get("bibkey") or acl["id"]
    etype = "article" if journal else "inproceedings"
    body = ",\n".join(f"    {k} = {v}" for k, v in fields)
    return f"@{etype}{{{key},\n{body}\n}}\n".encode("utf-8")


# -- OpenReview --------------------------------------------------------------------------------------


def _or_bibtex(orv: dict) -> str | None:
    """`content._bibtex` as OpenReview writes it: @inproceedings with the ICLR booktitle when accepted, else @misc."""
    title, year = orv.get("title"), orv.get("year")
    if not title:
        return None
    authors = orv.get("authors") or []
    first_family = re.sub(r"\W", "", authors[0].split()[-1]) if authors else ""
    first_word = re.sub(r"\W", "", title.split()[0]) if title.split() else ""
    key = f"{first_family.lower()}{year or ''}{first_word.lower()}"
    lines = [f"title={{{title}}}"]
    if authors:
        lines.append(f"author={{{' and '.join(authors)}}}")
    is_iclr = "iclr" in f"{orv.get('venue') or ''} {orv.get('venueid') or ''}".lower() or orv.get("api", 1) == 1
    if orv.get("accepted") and is_iclr:
        lines.append("booktitle={International Conference on Learning Representations}")
        etype = "inproceedings"
    else:
        etype = "misc"
    if year:
        lines.append(f"year={{{year}}}")
    lines.append(f"url={{https://openreview.net/forum?id={orv['id']}}}")
    return f"@{etype}{{{key},\n" + ",\n".join(lines) + "\n}"


def render_openreview_v1(orv: dict) -> dict:
    content: dict[str, Any] = {}
    if orv.get("title"):
        content["title"] = orv["title"]
    if orv.get("authors"):
        content["authors"] = list(orv["authors"])
    if orv.get("venue"):
        content["venue"] = orv["venue"]
    if orv.get("venueid"):
        content["venueid"] = orv["venueid"]
    bib = _or_bibtex(orv)
    if bib:
        content["_bibtex"] = bib
    note: dict[str, Any] = {"id": orv["id"], "forum": orv["id"], "replyto": None}
    venue_text = f"{orv.get('venue') or ''} {orv.get('venueid') or ''}"
    if "ICLR" in venue_text or (not venue_text.strip() and orv.get("year")):
        note["invitation"] = f"ICLR.cc/{orv.get('year')}/Conference/-/Blind_Submission"
    note.update({"content": content, "readers": ["everyone"], "nonreaders": []})
    return note


def render_openreview_v2(orv: dict) -> dict:
    content: dict[str, Any] = {}
    for k in ("title", "authors", "venue", "venueid"):
        if orv.get(k):
            content[k] = {"value": list(orv[k]) if isinstance(orv[k], list) else orv[k]}
    bib = _or_bibtex(orv)
    if bib:
        content["_bibtex"] = {"value": bib}
    note: dict[str, Any] = {"id": orv["id"], "forum": orv["id"], "replyto": None}
    venueid = orv.get("venueid") or ""
    domain = "/".join(venueid.split("/")[:3]) if venueid.count("/") >= 2 else None
    if domain:
        note["domain"] = domain
        note["invitations"] = [f"{domain}/-/Submission"]
    note.update({"content": content, "readers": ["everyone"], "nonreaders": []})
    return note


# -- DBLP --------------------------------------------------------------------------------------------


def render_dblp_info(rec: dict) -> dict:
    info: dict[str, Any] = {}
    authors = rec.get("authors") or []
    if authors:
        objs = [{"text": a} for a in authors]
        info["authors"] = {"author": objs[0] if len(objs) == 1 else objs}
    for k in ("title", "venue", "volume", "number", "pages"):
        if rec.get(k):
            info[k] = rec[k]
    if rec.get("year"):
        info["year"] = str(rec["year"])
    if rec.get("type"):
        info["type"] = rec["type"]
    info["key"] = rec["key"]
    if rec.get("doi"):
        info["doi"] = rec["doi"]
    ees = list(rec.get("ee_all") or ([rec["ee"]] if rec.get("ee") else []))
    if ees:
        info["ee"] = ees[0] if len(ees) == 1 else ees  # dblp: one link is a string, several a list
    info["url"] = f"https://dblp.org/rec/{rec['key']}"
    return info


def _stable_id(key: str) -> int:
    return zlib.crc32(key.encode()) % 10_000_000


def render_dblp_search(query: str, ranked: list[tuple[float, dict]], first: int, hits: int) -> bytes:
    page = ranked[first : first + hits]
    hits_obj: dict[str, Any] = {"@total": str(len(ranked)), "@computed": str(len(ranked)), "@sent": str(len(page)), "@first": str(first)}
    if page:
        hits_obj["hit"] = [
            {"@score": str(int(round(score / 10))), "@id": str(_stable_id(rec["key"])),
             "info": render_dblp_info(rec), "url": f"URL#{_stable_id(rec['key'])}"}
            for score, rec in page
        ]
    result = {
        "result": {
            "query": " ".join(w + "*" for w in query.split()),
            "status": {"@code": "200", "text": "OK"},
            "time": {"@unit": "msecs", "text": "1.00"},
            "completions": {"@total": "0", "@computed": "0", "@sent": "0"},
            "hits": hits_obj,
        }
    }
    return json.dumps(result).encode("utf-8")


def _dblp_wrap(name: str, value: str) -> str:
    """dblp's aligned layout: `  field        = {value}` wrapped near 80 columns, continued under the value."""
    prefix = f"  {name:<12} = {{"
    lines, cur = [], prefix
    for word in value.split(" "):
        if cur == prefix:
            cur += word
        elif len(cur) + 1 + len(word) > 80:
            lines.append(cur)
            cur = " " * 18 + word
        else:
            cur += " " + word
    lines.append(cur)
    return "\n".join(lines) + "}"


def render_dblp_bib(rec: dict) -> bytes:
    etype = {"Conference and Workshop Papers": "inproceedings", "Journal Articles": "article",
             "Books and Theses": "book", "Parts in Books or Collections": "incollection"}.get(rec.get("type") or "", "misc")
    if rec.get("journal") or (rec.get("venue") == "CoRR"):
        etype = "article"
    fields: list[tuple[str, str]] = []
    strip_no = lambda n: re.sub(r"\s+\d{4}$", "", n)  # noqa: E731 - dblp's BibTeX drops homonym numbers
    if rec.get("authors"):
        fields.append(("author", " and\n".join(_bib_escape(strip_no(a)) for a in rec["authors"])))
    if rec.get("editors"):
        fields.append(("editor", " and\n".join(_bib_escape(strip_no(a)) for a in rec["editors"])))
    if rec.get("title"):
        fields.append(("title", _bib_escape(_protect_case(rec["title"].rstrip(".")))))
    if etype == "article":
        journal = rec.get("journal") or rec.get("venue")
        if journal:
            fields.append(("journal", _bib_escape(journal)))
    elif rec.get("booktitle"):
        fields.append(("booktitle", _bib_escape(_protect_case(rec["booktitle"]))))
    if etype == "book" and rec.get("series"):
        fields.append(("series", _bib_escape(rec["series"])))
    for k in ("volume", "number"):
        if rec.get(k):
            fields.append((k, str(rec[k])))
    if rec.get("pages"):
        fields.append(("pages", re.sub(r"-+", "--", str(rec["pages"]))))
    if rec.get("publisher"):
        fields.append(("publisher", _bib_escape(rec["publisher"])))
    if rec.get("year"):
        fields.append(("year", str(rec["year"])))
    ees = list(rec.get("ee_all") or ([rec["ee"]] if rec.get("ee") else []))
    if ees:
        fields.append(("url", ees[0]))
    if rec.get("doi"):
        fields.append(("doi", rec["doi"].lower()))
    if rec.get("isbn"):
        fields.append(("isbn", str(rec["isbn"])))
    volume = str(rec.get("volume") or "")
    if rec.get("venue") == "CoRR" and volume.startswith("abs/"):
        fields += [("eprinttype", "arXiv"), ("eprint", volume[4:])]
    fields += [("biburl", f"https://dblp.org/rec/{rec['key']}.bib"),
               ("bibsource", "dblp computer science bibliography, https://dblp.org")]
    rendered = []
    for name, value in fields:
        if name in ("author", "editor"):
            parts = value.split(" and\n")
            rendered.append(f"  {name:<12} = {{" + (" and\n" + " " * 18).join(parts) + "}")
        else:
            rendered.append(_dblp_wrap(name, value))
    return (f"@{etype}{{DBLP:{rec['key']},\n" + ",\n".join(rendered) + "\n}\n").encode("utf-8")


# -- Semantic Scholar --------------------------------------------------------------------------------


def _plain_name(name: str) -> str:
    return re.sub(r"\s+\d{4}$", "", name)


def render_s2_paper(p: dict) -> dict | None:
    """A Graph API paper object for a paper of the facts, with S2's documented habits (ISSUE 15, API-FACTS §6):
    `year` the earliest year of any version, `venue` a long free-text name, its DBLP id the CoRR record's
    when there is one. An explicit "s2" block of the facts (what S2 was seen to hold) is used as it is. A
    paper that no service knows (no record in the facts) is unknown to it too."""
    own = p.get("s2")
    ax, acl = p.get("arxiv") or {}, p.get("acl") or {}
    dblp = [r for r in p.get("dblp") or [] if r and r.get("title")]
    cr = p.get("crossref") or {}
    if own is None and not (ax.get("id") or acl.get("id") or dblp or cr.get("doi")):
        return None
    if own is not None:
        title, names, year, venue, ext = own.get("title"), own.get("authors") or [], own.get("year"), own.get("venue") or "", dict(own.get("externalIds") or {})
    else:
        pub = next((r for r in dblp if r.get("venue") != "CoRR"), None)
        corr = next((r for r in dblp if r.get("venue") == "CoRR"), None)
        title = ax.get("title") or acl.get("title") or (pub or corr or {}).get("title", "").rstrip(".") or cr.get("title")
        if ax.get("authors"):
            names = list(ax["authors"])
        elif acl.get("authors"):
            names = [f"{g} {f}".strip() for f, g in ((list(a) + [""])[:2] for a in acl["authors"])]
        else:
            names = [_plain_name(a) for a in (pub or corr or {}).get("authors") or []]
        years = [y for y in [(ax.get("published") or "")[:4], acl.get("year"), cr.get("year"),
                             *[r.get("year") for r in dblp]] if y]
        year = min(int(y) for y in years) if years else None
        venue = acl.get("booktitle") or acl.get("journal") or (pub or {}).get("booktitle") or cr.get("container_title") or (
            "arXiv.org" if ax.get("id") else "")
        doi = acl.get("doi") or (pub or {}).get("doi") or cr.get("doi")
        ext = {k: v for k, v in (("ArXiv", ax.get("id")), ("ACL", acl.get("id")), ("DOI", doi)) if v}
        key = (corr or {}).get("key") if (corr or {}).get("key_verified") else (pub or {}).get("key") if (pub or {}).get("key_verified") else None
        if key:
            ext["DBLP"] = key
    paper_id = hashlib.sha1((title or "").encode("utf-8")).hexdigest()
    return {"paperId": paper_id, "externalIds": ext, "title": title, "venue": venue, "year": year,
            "publicationTypes": ["JournalArticle"] if acl.get("journal") else ["Conference"] if acl else None,
            "authors": [{"authorId": str(_stable_id(n)), "name": n} for n in names]}


def _s2_fields(paper: dict, fields: str) -> dict:
    wanted = [f for f in fields.split(",") if f] or ["title"]
    return {"paperId": paper["paperId"], **{f: paper.get(f) for f in wanted if f in paper}}


# -- Crossref ----------------------------------------------------------------------------------------


def render_crossref_work(cr: dict) -> dict:
    """A Crossref `message` (message-type work) in the recorded layout, from crossref facts."""
    msg: dict[str, Any] = {"DOI": cr["doi"], "type": cr.get("type") or "journal-article", "source": "Crossref",
                           "prefix": cr["doi"].split("/")[0], "title": [cr["title"]] if cr.get("title") else []}
    if cr.get("subtitle"):
        msg["subtitle"] = [cr["subtitle"]]
    if cr.get("authors"):
        msg["author"] = [{"given": g, "family": f, "sequence": "first" if i == 0 else "additional", "affiliation": []}
                         for i, (f, g) in enumerate((list(a) + [""])[:2] for a in cr["authors"])]
    if cr.get("container_title"):
        msg["container-title"] = [cr["container_title"]]
    for key, name in (("publisher", "publisher"), ("volume", "volume"), ("issue", "issue"), ("page", "page")):
        if cr.get(key):
            msg[name] = str(cr[key])
    if cr.get("year"):
        parts = [cr["year"]] + ([cr["month"]] if isinstance(cr.get("month"), int) else [])
        msg["published"] = {"date-parts": [parts]}
        msg["issued"] = {"date-parts": [parts]}
    if cr.get("issn"):
        msg["ISSN"] = list(cr["issn"])
    if cr.get("isbn"):
        msg["ISBN"] = list(cr["isbn"])
    return msg


def _crossref_envelope(message: Any, message_type: str = "work") -> bytes:
    return json.dumps({"status": "ok", "message-type": message_type, "message-version": "1.0.0",
                       "message": message}).encode("utf-8")


# ----------------------------------------------------------------------------------------------------
# Servers


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeServices/1.0"
    protocol_version = "HTTP/1.0"  # one request per connection: a downed server refuses the next one

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.body = b""
        self.server.owner.handle(self)  # type: ignore[attr-defined]

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        self.server.owner.handle(self)  # type: ignore[attr-defined]

    def send_answer(self, ans: Answer, *, truncate: bool = False) -> None:
        self.send_response(ans.status)
        self.send_header("Content-Type", ans.content_type)
        self.send_header("Content-Length", str(len(ans.body)))
        for k, v in ans.headers.items():
            self.send_header(k, v)
        self.end_headers()
        body = ans.body[: max(1, len(ans.body) // 2)] if truncate else ans.body
        self.wfile.write(body)
        self.wfile.flush()

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0) without answering."""
        try:
            self.wfile.flush()
        except OSError:
            pass
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (timeouts, resets) is expected here


class Service:
    """One fake service: its server, rules, fault script and request log."""

    def __init__(self, name: str, route: Callable[[str, dict[str, list[str]]], Answer], owner: "FakeServices"):
        self.name = name
        self.route = route
        self.owner = owner
        self.latency = 0.0
        self.min_interval = 0.0
        self.slow_seconds = owner.slow_seconds
        self.faults: deque[str] = deque()
        self.log: list[str] = []
        self.refused = 0
        self.last_arrival: float | None = None
        self.lock = threading.Lock()
        self.port = 0
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.owner = self  # type: ignore[attr-defined]
        self.port = server.server_address[1]
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                       name=f"fake-{self.name}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self.thread is not None:
            self.thread.join(timeout=5)
            self.thread = None

    @property
    def running(self) -> bool:
        return self.server is not None

    def handle(self, req: _Handler) -> None:
        now = time.monotonic()
        parts = urlsplit(req.path)
        with self.lock:
            self.log.append(req.path)
            too_fast = (
                self.min_interval > 0
                and self.last_arrival is not None
                and now - self.last_arrival < self.min_interval - self.owner.tolerance
            )
            self.last_arrival = now
            if too_fast:
                self.refused += 1
            fault = None if too_fast or not self.faults else self.faults.popleft()
            latency, slow = self.latency, self.slow_seconds
        if too_fast:
            if self.name == "arxiv":
                req.send_answer(Answer(503, b"Rate exceeded.", "text/plain"))
            else:
                wait = str(max(1, math.ceil(self.min_interval)))
                req.send_answer(Answer(429, b"", "text/plain", {"Retry-After": wait}))
            return
        if fault == "reset":
            req.reset()
            return
        if fault == "slow":
            time.sleep(slow)
        elif fault == "429-bare":
            req.send_answer(Answer(429, b'{"message": "Too Many Requests"}', "application/json"))
            return
        elif fault in ("429", "429-date"):
            wait = self.owner.retry_after
            value = str(wait) if fault == "429" else email.utils.formatdate(time.time() + wait + 1, usegmt=True)
            req.send_answer(Answer(429, b"", "text/plain", {"Retry-After": value}))
            return
        elif fault == "503":
            req.send_answer(Answer(503, b"Service Unavailable", "text/plain"))
            return
        elif fault == "500":
            req.send_answer(Answer(500, b"Internal Server Error", "text/plain"))
            return
        elif fault == "html200":
            req.send_answer(Answer(200, HTML_CHALLENGE, "text/html; charset=UTF-8"))
            return
        if latency:
            time.sleep(latency)
        try:
            query = parse_qs(parts.query, keep_blank_values=True)
            if getattr(req, "body", b""):
                query["__body__"] = [req.body.decode("utf-8", "replace")]
            answer = self.route(parts.path, query)
        except Exception as exc:  # a bug in the fake must show up as a 500, not a hang
            answer = Answer(500, f"fake service error: {exc!r}".encode(), "text/plain")
        try:
            req.send_answer(answer, truncate=(fault == "truncated"))
        except OSError:
            pass  # the client gave up (after "slow")
        if fault == "truncated":
            req.reset()



@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables (e.g. FakeServices.env()) for the duration of a block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class FakeServices:
    """arXiv, ACL Anthology, OpenReview v1 + v2 and DBLP on loopback ports, rendered from the facts."""

    def __init__(self, papers: list[dict] | None = None, *, papers_dir: Path | str | None = None,
                 tolerance: float = 0.05, retry_after: int = 1, slow_seconds: float = 5.0,
                 latency: dict[str, float] | None = None, min_interval: dict[str, float] | None = None):
        self.papers = list(papers) if papers is not None else load_papers(papers_dir)
        self.catalogue = Catalogue.build(self.papers)
        self.tolerance = tolerance
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        routes = {
            "arxiv": self._arxiv,
            "acl": self._acl,
            "openreview": lambda path, q: self._openreview(1, path, q),
            "openreview2": lambda path, q: self._openreview(2, path, q),
            "dblp": self._dblp,
            "s2": self._s2,
            "crossref": self._crossref,
        }
        self.services = {name: Service(name, routes[name], self) for name in SERVICES}
        for name, seconds in (latency or {}).items():
            self.services[name].latency = seconds
        for name, seconds in (min_interval or {}).items():
            self.services[name].min_interval = seconds

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> "FakeServices":
        for s in self.services.values():
            if not s.running:
                s.start()
        return self

    def stop(self) -> None:
        for s in self.services.values():
            s.stop()

    def __enter__(self) -> "FakeServices":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration --------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {var: self.services[name].base + suffix for name, (var, suffix) in ENV_VARS.items()}

    def base_url(self, service: str) -> str:
        var, suffix = ENV_VARS[service]
        return self.services[service].base + suffix

    def set_latency(self, service: str, seconds: float) -> None:
        self.services[service].latency = float(seconds)

    def set_min_interval(self, service: str, seconds: float) -> None:
        self.services[service].min_interval = float(seconds)

    def fail(self, service: str, kinds: list[str], *, slow_seconds: float | None = None) -> None:
        """Append faults, consumed one per request in order ("429", "429-date", "503", "500", "reset",
        "slow", "truncated", "html200"). A request refused by the min_interval rule consumes none."""
        unknown = [k for k in kinds if k not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; known: {FAULTS}")
        s = self.services[service]
        with s.lock:
            s.faults.extend(kinds)
            if slow_seconds is not None:
                s.slow_seconds = float(slow_seconds)

    def down(self, service: str) -> None:
        """Stop answering: the port is closed, so connections are refused."""
        self.services[service].stop()

    def up(self, service: str) -> None:
        """Serve again on the same port."""
        s = self.services[service]
        if not s.running:
            s.start()

    # -- observation ----------------------------------------------------------------------------------

    def requests(self, service: str) -> list[str]:
        s = self.services[service]
        with s.lock:
            return list(s.log)

    def refused(self, service: str) -> int:
        return self.services[service].refused

    def pending_faults(self, service: str) -> list[str]:
        s = self.services[service]
        with s.lock:
            return list(s.faults)

    def clear(self, service: str | None = None) -> None:
        """Forget request logs, refusals and pending faults (of one service or all)."""
        for s in [self.services[service]] if service else self.services.values():
            with s.lock:
                s.log.clear()
                s.faults.clear()
                s.refused = 0
                s.last_arrival = None

    # -- arXiv ----------------------------------------------------------------------------------------

    def _arxiv(self, path: str, q: dict[str, list[str]]) -> Answer:
        ctype = "application/atom+xml; charset=UTF-8"
        if path.rstrip("/") != "/api/query":
            return Answer(404, NOT_FOUND_HTML, "text/html")
        sq = (q.get("search_query") or [""])[0]
        id_list = (q.get("id_list") or [""])[0]
        try:
            start = int((q.get("start") or ["0"])[0])
            max_results = int((q.get("max_results") or ["10"])[0])
        except ValueError:
            return Answer(400, render_arxiv_error("start_or_max_results", "start and max_results must be integers"), ctype)
        if max_results > 30000:
            return Answer(400, render_arxiv_error("max_results", "max_results must be <= 30000"), ctype)
        ids = [i.strip() for i in id_list.split(",") if i.strip()]
        for ident in ids:
            if not _ARXIV_ID.match(ident):
                return Answer(400, render_arxiv_error(f"incorrect_id_format_for_{ident}", f"incorrect id format for {ident}"), ctype)
        cat = self.catalogue.arxiv
        chosen: list[tuple[dict, int | None]] = []
        if ids:
            for ident in ids:
                m = re.match(r"^(.*?)(?:v(\d+))?$", ident)
                base, ver = m.group(1), int(m.group(2)) if m.group(2) else None
                ax = cat.get(base)
                if ax is None:
                    continue
                latest = ax.get("latest_version")
                if ver is not None and latest is not None and ver > latest:
                    continue  # that version does not exist
                chosen.append((ax, ver))
            if sq:
                keep = {ax["id"] for ax, _ in self._arxiv_search(sq)}
                chosen = [(ax, v) for ax, v in chosen if ax["id"] in keep]
        elif sq:
            chosen = [(ax, None) for ax, _ in self._arxiv_search(sq)]
        page = chosen[start : start + max_results]
        entries = [render_arxiv_entry(ax, v) for ax, v in page]
        body = render_arxiv_feed(entries, search_query=sq, id_list=id_list, start=start,
                                 max_results=max_results, total=len(chosen))
        return Answer(200, body, ctype)

    def _arxiv_search(self, sq: str) -> list[tuple[dict, float]]:
        """Entries whose title has every word of the ti: terms, best title match first."""
        terms = re.findall(r'ti:(?:"([^"]*)"|(\S+))', sq)
        wanted = [w for phrase, word in terms for w in norm_words(phrase or word)]
        if not wanted:
            return []
        query = " ".join(wanted)
        hits = []
        for ax in self.catalogue.arxiv.values():
            words = set(norm_words(ax.get("title")))
            if words and all(w in words for w in wanted):
                hits.append((ax, _similarity(query, ax.get("title") or "")))
        hits.sort(key=lambda h: -h[1])
        return hits

    # -- ACL Anthology --------------------------------------------------------------------------------

    def _acl(self, path: str, q: dict[str, list[str]]) -> Answer:
        m = re.match(r"^/([^/]+)\.bib$", path)
        acl = self.catalogue.acl.get(m.group(1)) if m else None
        if acl is None:
            return Answer(404, NOT_FOUND_HTML, "text/html; charset=UTF-8")
        return Answer(200, render_acl_bib(acl), "application/x-bibtex; charset=UTF-8")

    # -- OpenReview -----------------------------------------------------------------------------------

    def _openreview(self, api: int, path: str, q: dict[str, list[str]]) -> Answer:
        ctype = "application/json; charset=utf-8"
        if path.rstrip("/") != "/notes":
            body = {"name": "NotFoundError", "message": f"The path {path} could not be found", "status": 404}
            return Answer(404, json.dumps(body).encode(), ctype)
        wanted = (q.get("id") or q.get("forum") or [""])[0]
        orv = self.catalogue.openreview[api].get(wanted)
        render = render_openreview_v1 if api == 1 else render_openreview_v2
        notes = [render(orv)] if orv else []
        return Answer(200, json.dumps({"notes": notes, "count": len(notes)}).encode("utf-8"), ctype)

    # -- DBLP -----------------------------------------------------------------------------------------

    def _dblp(self, path: str, q: dict[str, list[str]]) -> Answer:
        if path.rstrip("/") == "/search/publ/api":
            if (q.get("format") or ["xml"])[0] != "json":
                return Answer(400, b"this fake serves format=json only", "text/plain")
            query = (q.get("q") or [""])[0]
            try:
                hits = min(1000, int((q.get("h") or ["30"])[0]))
                first = int((q.get("f") or ["0"])[0])
            except ValueError:
                return Answer(400, b"bad h/f", "text/plain")
            ranked = self._dblp_rank(query)
            return Answer(200, render_dblp_search(query, ranked, first, hits), "application/json")
        m = re.match(r"^/rec/(.+)\.bib$", path)
        if m:
            rec = self.catalogue.dblp.get(m.group(1))
            if rec is None:
                return Answer(404, NOT_FOUND_HTML, "text/html; charset=UTF-8")
            return Answer(200, render_dblp_bib(rec), "application/x-bibtex; charset=utf-8")
        return Answer(404, NOT_FOUND_HTML, "text/html; charset=UTF-8")

    # -- Semantic Scholar -----------------------------------------------------------------------------

    def _s2(self, path: str, q: dict[str, list[str]]) -> Answer:
        fields = (q.get("fields") or ["title"])[0]
        if path == "/graph/v1/paper/batch":
            try:
                ids = json.loads((q.get("__body__") or ["{}"])[0]).get("ids") or []
            except ValueError:
                return Answer(400, b'{"error":"Unacceptable JSON"}', "application/json")
            if len(ids) > 500:
                return Answer(400, b'{"error":"Too many ids. Maximum 500"}', "application/json")
            out = [(_s2_fields(p, fields) if (p := self.catalogue.s2_by_id.get(str(i).lower())) else None) for i in ids]
            return Answer(200, json.dumps(out).encode("utf-8"), "application/json")
        if path == "/graph/v1/paper/search/match":
            query = (q.get("query") or [""])[0]
            best = max(((_similarity(query, p.get("title") or ""), p) for p in self.catalogue.s2), default=(0.0, None),
                       key=lambda sp: sp[0])
            if best[1] is None or best[0] < 90:
                return Answer(404, b'{"error":"Title match not found"}', "application/json")
            return Answer(200, json.dumps({"data": [{**_s2_fields(best[1], fields), "matchScore": round(best[0] * 2.5, 2)}]}).encode(),
                          "application/json")
        return Answer(404, b'{"error":"Not found"}', "application/json")

    # -- Crossref -------------------------------------------------------------------------------------

    def _crossref(self, path: str, q: dict[str, list[str]]) -> Answer:
        m = re.match(r"^/works/(10\..+)$", path)
        if m:
            cr = self.catalogue.crossref.get(m.group(1).lower())
            if cr is None:
                return Answer(404, b"Resource not found.", "text/plain")
            return Answer(200, _crossref_envelope(render_crossref_work(cr)), "application/json")
        if path.rstrip("/") == "/works":
            query = (q.get("query.bibliographic") or [""])[0]
            rows = int((q.get("rows") or ["20"])[0])
            ranked = sorted(((_similarity(query, f"{c.get('title') or ''} {c.get('subtitle') or ''}"), c)
                             for c in self.catalogue.crossref.values()), key=lambda sc: -sc[0])
            # like Crossref, always a top hit, however far from the query it is
            items = [render_crossref_work(c) for _, c in ranked[:rows]]
            return Answer(200, _crossref_envelope({"total-results": len(ranked), "items": items}, "work-list"),
                          "application/json")
        return Answer(404, b"Resource not found.", "text/plain")

    def _dblp_rank(self, query: str) -> list[tuple[float, dict]]:
        """dblp's semantics: every query word must be the prefix of a word of the record (title, authors,
        venue, year), so one changed title word gives no hit; hits ranked by title similarity."""
        words = norm_words(query)
        if not words:
            return []
        scored = []
        for rec in self.catalogue.dblp.values():
            text = " ".join([rec.get("title") or "", *(rec.get("authors") or []), rec.get("venue") or "", str(rec.get("year") or "")])
            record_words = norm_words(text)
            if all(any(rw.startswith(qw) for rw in record_words) for qw in words):
                scored.append((_similarity(query, rec.get("title") or ""), rec))
        scored.sort(key=lambda s: (-s[0], s[1]["key"]))
        return scored


def quick_fetcher(**overrides: Any):
    """A real atpbib Fetcher for tests against the fakes: no disk cache, no pacing, one attempt."""
    from atpbib.fetch import Fetcher

    options: dict[str, Any] = {"cache_dir": None, "intervals": {}, "max_attempts": 1, "backoff_base": 0.0,
                               "connect_timeout": 2.0, "read_timeout": 5.0}
    options.update(overrides)
    return Fetcher(**options)


def main(argv: list[str] | None = None) -> int:
    """Run the fake services in the foreground and print the environment that points atpbib at them."""
    with FakeServices() as fake:
        for k, v in fake.env().items():
            print(f"export {k}={v}")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

