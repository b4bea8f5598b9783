"""Write .bib files in the exact shapes real tools export, from the looked-up facts (tests/fixtures/papers).

- Google Scholar: `@article{jiao2019tinybert, title={Tinybert: Distilling bert for natural language
  understanding}, author={Jiao, Xiaoqi and …}, journal={arXiv preprint arXiv:1909.10351}, year={2019}}`
  (title lower-cased but its first letter, no braces protecting capitals, the arXiv id in `journal`);
- DBLP's CoRR record: `@article{DBLP:journals/corr/abs-1909-10351, author = {…}, title = {…}, journal =
  {CoRR}, volume = {abs/1909.10351}, year = {2019}, url = {http://arxiv.org/abs/1909.10351},
  eprinttype = {arXiv}, eprint = {1909.10351}, timestamp, biburl, bibsource}`;
- Zotero / Better BibTeX: `@misc{jiaoTinyBERTDistillingBERT2020, title = {{TinyBERT}: …}, shorttitle,
  url = {http://arxiv.org/abs/…}, doi = {10.48550/arXiv.…}, urldate, publisher = {arXiv}, author, month,
  year, note = {arXiv:… [cs]}, keywords, file}`.
"""
from __future__ import annotations

import re
import unicodedata

from fakeservices import load_papers


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _family_given(name: str) -> tuple[str, str]:
    parts = name.split()
    return parts[-1], " ".join(parts[:-1])


def _names(authors: list[str]) -> str:
    return " and ".join(f"{f}, {g}" if g else f for f, g in map(_family_given, authors))


def scholar_key(ax: dict) -> str:
    family = re.sub(r"[^a-z]", "", _ascii(_family_given(ax["authors"][0])[0]).lower())
    word = next((w for w in re.findall(r"[a-z0-9]+", ax["title"].lower()) if w not in ("a", "an", "the", "on", "of")), "x")
    return f"{family}{ax['year']}{word}"


def scholar_title(title: str) -> str:
    return title[:1] + title[1:].lower()


def arxiv_papers() -> list[dict]:
    """The default list's papers that have an arXiv record with authors and a year, one per arXiv id."""
    out, seen = [], set()
    for p in load_papers():
        ax = p.get("arxiv") or {}
        if not (ax.get("id") and ax.get("authors") and ax.get("title")) or ax["id"] in seen or not p.get("list_line"):
            continue
        year = (ax.get("published") or "")[:4] or _corr_year(p)
        if not year:
            continue
        seen.add(ax["id"])
        out.append({**p, "arxiv": {**ax, "year": int(year)}})
    return out


def _corr_year(p: dict) -> str:
    for r in p.get("dblp") or []:
        if r.get("venue") == "CoRR" and r.get("year"):
            return str(r["year"])
    m = re.match(r"(\d{2})(\d{2})\.", p["arxiv"]["id"])
    return f"20{m.group(1)}" if m else ""


def scholar_entry(p: dict) -> str:
    ax = p["arxiv"]
    return (f"@article{{{scholar_key(ax)},\n  title={{{scholar_title(ax['title'])}}},\n  author={{{_names(ax['authors'])}}},\n"
            f"  journal={{arXiv preprint arXiv:{ax['id']}}},\n  year={{{ax['year']}}}\n}}\n")


def dblp_corr_entry(p: dict) -> str:
    ax = p["arxiv"]
    key = "abs-" + ax["id"].replace(".", "-")
    authors = " and\n                  ".join(ax["authors"])
    return (f"@article{{DBLP:journals/corr/{key},\n  author       = {{{authors}}},\n  title        = {{{ax['title']}}},\n"
            f"  journal      = {{CoRR}},\n  volume       = {{abs/{ax['id']}}},\n  year         = {{{ax['year']}}},\n"
            f"  url          = {{http://arxiv.org/abs/{ax['id']}}},\n  eprinttype   = {{arXiv}},\n  eprint       = {{{ax['id']}}},\n"
            f"  timestamp    = {{Mon, 01 Jan 2024 00:00:00 +0100}},\n  biburl       = {{https://dblp.org/rec/journals/corr/{key}.bib}},\n"
            f"  bibsource    = {{dblp computer science bibliography, https://dblp.org}}\n}}\n")


def zotero_entry(p: dict) -> str:
    ax = p["arxiv"]
    family = re.sub(r"[^A-Za-z]", "", _ascii(_family_given(ax["authors"][0])[0])).lower()
    words = "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", ax["title"])[:3])
    return (f"@misc{{{family}{words}{ax['year']},\n\ttitle = {{{ax['title']}}},\n\turl = {{http://arxiv.org/abs/{ax['id']}}},\n"
            f"\tdoi = {{10.48550/arXiv.{ax['id']}}},\n\turldate = {{2024-05-01}},\n\tpublisher = {{arXiv}},\n"
            f"\tauthor = {{{_names(ax['authors'])}}},\n\tyear = {{{ax['year']}}},\n\tnote = {{arXiv:{ax['id']} [cs]}},\n"
            f"\tkeywords = {{Computer Science - Computation and Language}},\n"
            f"\tfile = {{arXiv Fulltext PDF:/home/me/Zotero/storage/ABCD1234/{ax['id']}.pdf:application/pdf}}\n}}\n")


def scholar_file() -> str:
    """Every arXiv paper of the default list as Scholar exports it; a repeated key gets a letter, as a user
    who collects Scholar entries has to do (Scholar itself hands out the same key twice)."""
    seen: dict[str, int] = {}
    out = []
    for p in arxiv_papers():
        text = scholar_entry(p)
        key = scholar_key(p["arxiv"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            text = text.replace(f"{{{key},", f"{{{key}{'abcdefgh'[seen[key] - 2]},", 1)
        out.append(text)
    return "\n".join(out)
