"""Works built from real recorded data (read at test time, never copied) for the export tests.

- BERT (N19-1423): the ACL Anthology XML in ../shared/api-samples/acl-anthology/xml/N19.xml
- arXiv 1707.08567 (34 authors): the arXiv API response in ../shared/api-samples/arxiv/extracted/
- a book in a series: the DBLP .bib in ../shared/api-samples/dblp/
- a journal article: the Crossref work JSON in ../shared/api-samples/crossref/
- a blog post, a Chinese blog post and a repository: the bundled list (src/atpbib/data/ATPapers.md)
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pytest
from defusedxml import ElementTree as ET

from atpbib.model import Entry, Ids, Link, Person, Work

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "api-samples"
LIST = REPO / "src" / "atpbib" / "data" / "ATPapers.md"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]


def need(path: Path) -> Path:
    """The shared sample, or a skip (a failure in CI, where the samples must be present)."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"missing shared sample {path}")
        pytest.skip(f"shared sample {path} not available")
    return path


def split_name(full: str) -> Person:
    """'Peter H. N. de With' → family 'de With'; lower-case particles stay with the family name."""
    tokens = full.split()
    if len(tokens) == 1:
        return Person(family=tokens[0])
    i = len(tokens) - 1
    while i > 1 and tokens[i - 1][:1].islower():
        i -= 1
    return Person(family=" ".join(tokens[i:]), given=" ".join(tokens[:i]))


# -- the list ----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def list_items() -> list[dict]:
    """Every '- [title](url) - description' / '- Title (Venue Year) [[paper]](url)' item with its section."""
    heads: list[str] = []
    items = []
    for n, line in enumerate(LIST.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"^(#{2,6})\s+(.*)$", line)
        if m:
            level = len(m.group(1)) - 2
            heads = heads[:level] + [m.group(2).strip()]
            continue
        m = re.match(r"^- \[(?P<title>[^\]]+)\]\((?P<url>[^)]+)\)(?P<rest>.*)$", line.strip())
        if m:
            desc = re.search(r" - (.+)$", m.group("rest"))
            items.append({"line": n, "section": tuple(heads), "title": m.group("title"), "url": m.group("url"),
                          "desc": desc.group(1) if desc else None})
    return items


def list_item(title: str) -> dict:
    return next(i for i in list_items() if i["title"] == title)


def _list_work(title: str, kind: str) -> Work:
    item = list_item(title)
    url = item["url"]
    gh = re.match(r"https://github\.com/([^/]+/[^/]+)", url)
    entry = Entry(section=item["section"], line=item["line"], title=item["title"], kind=kind,
                  links=(Link("", url),), description=(item["desc"] or "").strip() or None,
                  ids=Ids(github=gh.group(1)) if gh else Ids())
    return Work(title=item["title"], origins=(entry,), kind=kind, url=url, ids=entry.ids,
                status="partial", sources=("list",))


def blog_work() -> Work:
    return _list_work("The Annotated Transformer", "blog")


def cjk_blog_work() -> Work:
    return _list_work("深度学习中的注意力模型（2017版）", "blog")


def repository_work() -> Work:
    return _list_work("Keras Attention Layer", "repository")


# -- ACL Anthology XML ---------------------------------------------------------------------------------

def _text(el) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def bert_work() -> Work:
    root = ET.parse(need(SAMPLES / "acl-anthology" / "xml" / "N19.xml")).getroot()
    volume = next(v for v in root.iter("volume") if v.get("id") == "1")
    meta = volume.find("meta")
    paper = next(p for p in volume.iter("paper") if p.get("id") == "423")

    def people(tag, parent):
        return tuple(Person(family=_text(a.find("last")), given=_text(a.find("first"))) for a in parent.findall(tag))

    title = _text(paper.find("title"))
    item = next(i for i in _paper_lines() if i["title"].startswith(title.split(":")[0] + ":"))
    acl_id = "N19-1423"
    entry = Entry(section=item["section"], line=item["line"], title=item["title"], venue="NAACL", year=2019,
                  nickname=item["nickname"], ids=Ids(acl=acl_id))
    return Work(
        title=title,
        origins=(entry,),
        kind="paper",
        type="inproceedings",
        authors=people("author", paper),
        editors=people("editor", meta),
        year=int(_text(meta.find("year"))),
        month=MONTHS.index(_text(meta.find("month")).lower()) + 1,
        venue="NAACL 2019",
        container_title=_text(meta.find("booktitle")),
        pages=_text(paper.find("pages")),
        publisher=_text(meta.find("publisher")),
        address=_text(meta.find("address")),
        doi=_text(paper.find("doi")).lower(),
        url=f"https://aclanthology.org/{_text(paper.find('url'))}",
        abstract=_text(paper.find("abstract")),
        ids=Ids(acl=acl_id, doi=_text(paper.find("doi")).lower()),
        status="resolved",
        sources=("acl",),
    )


@lru_cache(maxsize=1)
def _paper_lines() -> list[dict]:
    heads: list[str] = []
    out = []
    for n, line in enumerate(LIST.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"^(#{2,6})\s+(.*)$", line)
        if m:
            heads = heads[: len(m.group(1)) - 2] + [m.group(2).strip()]
            continue
        m = re.match(r"^- (?P<title>[^\[(]+?)\s*\(", line)
        if m:
            nick = re.search(r"\*\*\*(.+?)\*\*\*", line)
            out.append({"line": n, "section": tuple(heads), "title": m.group("title"),
                        "nickname": nick.group(1).strip() if nick else None})
    return out


def list_nicknames() -> tuple[str, ...]:
    return tuple(i["nickname"] for i in _paper_lines() if i["nickname"])


# -- arXiv Atom ------------------------------------------------------------------------------------------

def arxiv_preprint_work() -> Work:
    path = need(SAMPLES / "arxiv" / "extracted" / "arxivpy_id_1707.08567_s0_m100_6a1afebfc6a3.body.xml")
    ns = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
    entry = ET.parse(path).getroot().find("a:entry", ns)
    arxiv_id = re.sub(r"v\d+$", "", entry.find("a:id", ns).text.rsplit("/abs/", 1)[1])
    title = _text(entry.find("a:title", ns))
    published = entry.find("a:published", ns).text
    authors = tuple(split_name(_text(a.find("a:name", ns))) for a in entry.findall("a:author", ns))
    listed = Entry(section=("Information Theory", "Proceedings"), line=1, title=title, ids=Ids(arxiv=arxiv_id))
    return Work(
        title=title,
        origins=(listed,),
        kind="paper",
        type="misc",
        authors=authors,
        year=int(published[:4]),
        month=int(published[5:7]),
        venue="arXiv",
        abstract=_text(entry.find("a:summary", ns)),
        ids=Ids(arxiv=arxiv_id),
        primary_class=entry.find("arxiv:primary_category", ns).get("term"),
        url=f"https://arxiv.org/abs/{arxiv_id}",
        status="resolved",
        sources=("arxiv",),
    )


# -- DBLP .bib ---------------------------------------------------------------------------------------------

def book_work() -> Work:
    import bibtexparser

    lib = bibtexparser.parse_string(need(SAMPLES / "dblp" / "papis_dblp_rec_series_sci_2023-1062.bib").read_text("utf-8"))
    e = lib.entries[0]
    f = {k: re.sub(r"\s+", " ", str(v)) for k, v in e.fields_dict.items() for v in [e.fields_dict[k].value]}
    title = f["title"]
    listed = Entry(section=("Neural Networks", "Books"), line=1, title=title, kind="book")
    return Work(
        title=title,
        origins=(listed,),
        kind="book",
        type="book",
        authors=tuple(split_name(a.strip()) for a in f["author"].split(" and ")),
        year=int(f["year"]),
        container_title=f["series"],
        volume=f["volume"],
        publisher=f["publisher"],
        doi=f["doi"].lower(),
        url=f["url"],
        ids=Ids(doi=f["doi"].lower(), dblp=e.key.split(":", 1)[1]),
        status="resolved",
        sources=("dblp",),
    )


# -- Crossref work JSON --------------------------------------------------------------------------------------

def article_work() -> Work:
    msg = json.loads(need(SAMPLES / "crossref" / "papis_works_test_1_multiple_authors.json").read_text("utf-8"))["message"]
    parts = msg["published-print"]["date-parts"][0] if "published-print" in msg else msg["issued"]["date-parts"][0]
    title = msg["title"][0]
    listed = Entry(section=("Physics",), line=1, title=title)
    return Work(
        title=title,
        origins=(listed,),
        kind="paper",
        type="article",
        authors=tuple(Person(family=a["family"], given=a.get("given", "")) for a in msg["author"]),
        year=int(parts[0]),
        month=int(parts[1]) if len(parts) > 1 else None,
        container_title=msg["container-title"][0],
        volume=msg.get("volume"),
        number=msg.get("issue"),
        pages=msg.get("page"),
        publisher=msg.get("publisher"),
        doi=msg["DOI"].lower(),
        url=msg.get("URL"),
        ids=Ids(doi=msg["DOI"].lower()),
        status="resolved",
        sources=("crossref",),
    )


GOLDEN_CASES = {
    "inproceedings": bert_work,
    "article": article_work,
    "preprint": arxiv_preprint_work,
    "book": book_work,
    "blog": blog_work,
    "repository": repository_work,
}


def golden_works() -> list[Work]:
    from atpbib.keys import assign_keys

    return assign_keys([build() for build in GOLDEN_CASES.values()])


# -- hostile metadata ------------------------------------------------------------------------------------

HOSTILE_TITLES = (
    "\\input{/etc/passwd}",
    "}, author = {x",
    "100% of $cost & #1 in_place ~home ^up \\\\ {unbalanced",
    "@misc{evil, title = {pwned}}",
    "\\end{document}",
)


def hostile_works(long_len: int = 5000) -> list[Work]:
    """Works a service could send: LaTeX code, braces, long titles, odd names, no authors."""
    from atpbib.keys import assign_keys

    def w(title, authors=(), **kw):
        entry = Entry(section=("Hostile & Odd", "Names_%"), line=1, title=title)
        return Work(title=title, origins=(entry,), authors=tuple(authors), **kw)

    long_title = ("Attention " * (long_len // 10 + 1))[:long_len].strip()
    works = [w(t, [Person("Evil", "Eve")], year=2020, type="misc") for t in HOSTILE_TITLES]
    works += [
        w(long_title, [Person("Long", "Lou")], year=2019),
        w("A Paper Without Authors", [], year=2018),
        w("A Paper With Odd Names", [Person("van der Berg, Jr.", "Jan"), Person("Sinovation"), Person("OpenAI"),
                                        Person("Müller", "Gábor"), Person("Smith and Sons", "Anna"), Person("Ünal", "Özgür")],
          year=2021, type="inproceedings", container_title="Proceedings of Odd {Names} & Co", pages="1-10",
          publisher="Pub & Co", doi="10.1234/odd_doi%20#x", url="https://example.org/a b?x=1&y=%41#frag"),
        w("BERT: Pre-training with \\textbf{bold} and $math$", [Person("Evil", "Eve")], year=2022,
          ids=Ids(arxiv="1810.04805"), primary_class="cs.CL"),
    ]
    return assign_keys(works)


def cjk_works() -> list[Work]:
    from atpbib.keys import assign_keys

    item = cjk_blog_work()
    paper = Work(title="预训练语言模型综述", origins=(Entry(section=("中文",), line=1, title="预训练语言模型综述"),),
                 authors=(Person("邱", "锡鹏"),), year=2020)
    return assign_keys([item, paper])


def test_fixtures_come_from_the_samples():
    bert = bert_work()
    assert bert.title.startswith("BERT: Pre-training")
    assert [p.family for p in bert.authors] == ["Devlin", "Chang", "Lee", "Toutanova"]
    assert bert.entries[0].section == ("Pretrained Language Model", "Models")
    pre = arxiv_preprint_work()
    assert len(pre.authors) == 34 and pre.ids.arxiv == "1707.08567"
    assert book_work().publisher == "Springer"
    assert repository_work().entries[0].description == "Attention layer Keras implementation"
