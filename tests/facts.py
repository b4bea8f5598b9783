"""What the looked-up facts (tests/fixtures/papers/*.json) say a researcher should cite, and a scorer that
compares `atpbib resolve --json` works with it field by field.

The expectation is derived from the facts, never written per paper: a published version (an ACL Anthology
record, an accepted OpenReview note, a DBLP venue record) wins over the preprint; the ids are every id the
facts give for the cited version and its preprint; look-alikes must never be accepted.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from fakeservices import load_papers


def _norm(text: str | None) -> str:
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def _family(name) -> str:
    if isinstance(name, (list, tuple)):
        return _norm(name[0])
    name = re.sub(r"\s+\d{4}$", "", str(name))  # dblp homonym numbers
    return _norm(name.split()[-1]) if name.split() else ""


@dataclass
class Expected:
    slug: str
    line: int
    published: bool
    title: str | None
    year: int | None
    families: list[str]
    ids: dict[str, str] = field(default_factory=dict)
    lookalike_titles: list[str] = field(default_factory=list)
    lookalikes: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, author families)


def _published_dblp(paper: dict) -> dict | None:
    for rec in paper.get("dblp") or []:
        if rec and (rec.get("venue") or "") != "CoRR" and not (rec.get("type") or "").startswith("Informal"):
            return rec
    return None


def expected(paper: dict, listed: dict[str, str] | None = None) -> Expected | None:
    ax, acl, orv = paper.get("arxiv"), paper.get("acl"), paper.get("openreview")
    dblp_pub = _published_dblp(paper)
    ids: dict[str, str] = {}
    listed = listed or {}
    if ax and ax.get("id") and (listed.get("arxiv") or not (listed.get("acl") or listed.get("openreview"))):
        # a preprint id is expected where the list links it, or where the published version is found by a
        # search (which returns the CoRR record beside it); an Anthology/OpenReview link alone names no preprint
        ids["arxiv"] = ax["id"]
    # an OpenReview or Anthology id is expected where some record on the way names it: the list's link,
    # or a DBLP venue record's links (ICLR papers); a TACL article's Anthology id or a NeurIPS paper's
    # OpenReview forum is named by none of the four services' records
    dblp_links = " ".join(" ".join([r.get("ee") or ""] + list(r.get("ee_all") or [])) for r in paper.get("dblp") or [])
    if orv and orv.get("id") and orv.get("accepted") and (listed.get("openreview") or orv["id"] in dblp_links):
        ids["openreview"] = orv["id"]
    if acl and acl.get("id") and (listed.get("acl") or acl["id"].lower() in dblp_links.lower()
                                  or not (acl.get("doi") or "").lower().startswith("10.1162/")):
        ids["acl"] = acl["id"]
    if acl and acl.get("id"):
        chosen, families = acl, [_family(a) for a in acl.get("authors") or []]
        year, published = acl.get("year"), True
    elif orv and orv.get("accepted") and orv.get("title"):
        chosen, families, year, published = orv, [_family(a) for a in orv.get("authors") or []], orv.get("year"), True
    elif dblp_pub:
        chosen, families, year, published = dblp_pub, [_family(a) for a in dblp_pub.get("authors") or []], dblp_pub.get("year"), True
        if dblp_pub.get("doi") and not dblp_pub["doi"].lower().startswith("10.48550/"):
            ids["doi"] = dblp_pub["doi"].lower()
    elif (paper.get("crossref") or {}).get("title") and (paper["crossref"].get("type") in ("book", "journal-article")):
        cr = paper["crossref"]
        chosen = {"title": cr["title"] + (f": {cr['subtitle']}" if cr.get("subtitle") else "")}
        families, year, published = [_family(a) for a in cr.get("authors") or []], cr.get("year"), True
        ids["doi"] = cr["doi"].lower()
    elif ax and ax.get("title"):
        chosen, families, year, published = ax, [_family(a) for a in ax.get("authors") or []], None, False
    else:
        looks = [(r["title"], [_family(a) for a in r.get("authors") or []]) for r in paper.get("lookalikes") or [] if r.get("title")]
        own = paper.get("s2") or {}  # a report only Semantic Scholar knows: its authors are the facts to cite
        return Expected(paper["slug"], paper["list_line"], False, own.get("title"), own.get("year"),
                        [_family(a) for a in own.get("authors") or []], ids, [t for t, _ in looks], looks)
    if acl and acl.get("doi"):
        ids["doi"] = acl["doi"].lower()
    title = (chosen.get("title") or "").rstrip(".")
    looks = [(r["title"], [_family(a) for a in r.get("authors") or []]) for r in paper.get("lookalikes") or [] if r.get("title")]
    return Expected(paper["slug"], paper["list_line"], published, title, year, families, ids,
                    [t for t, _ in looks], looks)


def expectations() -> dict[int, Expected]:
    """Line of the bundled list → what its facts say, for every resolvable entry that has facts."""
    from atpbib.api import load

    entries = {e.line: e for e in load(None).entries if e.kind in ("paper", "survey", "book")}
    out = {}
    for paper in load_papers():
        entry = entries.get(paper.get("list_line"))
        if entry is None:
            continue
        exp = expected(paper, entry.ids.known())
        if exp is not None:
            out[entry.line] = exp
    return out


FIELDS = ("version", "title", "authors", "year", "ids", "no look-alike")


def score_work(exp: Expected, work: dict) -> dict[str, bool]:
    """Field → right? for one work of `resolve --json` (a dict) against its facts."""
    wtype = work.get("type") or "misc"
    # a report is not a venue version: OpenAI's are cited as the reports they are
    published = wtype not in ("misc", "techreport") and work.get("venue") != "arXiv" and (work.get("sources") or ["list"]) != ["list"]
    families = [_norm(a.get("family", "")) for a in work.get("authors") or []]
    accepted = {_norm(m.get("candidate", "")) for m in work.get("matches") or [] if m.get("accepted")}
    # a look-alike is taken when the work is it: its title accepted and its people cited
    took = any(_norm(t) in accepted and (not exp.title or _norm(t) != _norm(exp.title))
               and ((fams and families == fams) or (exp.families and families != exp.families))
               for t, fams in exp.lookalikes)
    ids = work.get("ids") or {}
    return {
        "version": published == exp.published,
        "title": exp.title is None or _norm(work.get("title")) == _norm(exp.title),
        "authors": not exp.families or families == exp.families,
        "year": exp.year is None or work.get("year") == exp.year,
        "ids": all((ids.get(k) or "").lower() == v.lower() for k, v in exp.ids.items()),
        "no look-alike": not took,
    }


def score(works: list[dict]) -> tuple[dict[str, int], int, list[tuple[int, str, dict, object]]]:
    exp = expectations()
    by_line = {}
    for w in works:
        for e in w.get("entries") or []:
            by_line[e["line"]] = w
    right = {f: 0 for f in FIELDS}
    full = 0
    misses = []
    for line, e in sorted(exp.items()):
        work = by_line.get(line)
        if work is None:
            misses.append((line, "missing", {}, e))
            continue
        s = score_work(e, work)
        for f, ok in s.items():
            right[f] += ok
        full += all(s.values())
        if not all(s.values()):
            misses.append((line, ",".join(f for f, ok in s.items() if not ok), work, e))
    return right, full, misses
