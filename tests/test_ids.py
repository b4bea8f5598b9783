"""ids.py: every scheme and URL variant, plus URLs that must NOT yield an identifier."""
from __future__ import annotations

import pytest

from atpbib.ids import identify, ids_from_links, normalise
from atpbib.model import Ids, Link

# (url, expected identify() result) — every variant named in the issue.
POSITIVE = [
    # arXiv: abs / pdf, with or without .pdf, with version suffix, old-style ids
    ("https://arxiv.org/abs/1409.0473", {"arxiv": "1409.0473"}),
    ("http://arxiv.org/abs/1409.0473v3", {"arxiv": "1409.0473"}),
    ("https://arxiv.org/pdf/1902.09113.pdf", {"arxiv": "1902.09113"}),
    ("https://arxiv.org/pdf/1902.09113", {"arxiv": "1902.09113"}),
    ("https://arxiv.org/pdf/1902.09113v2", {"arxiv": "1902.09113"}),
    ("https://arxiv.org/pdf/1902.09113v2.pdf", {"arxiv": "1902.09113"}),
    ("https://www.arxiv.org/abs/2001.04063/", {"arxiv": "2001.04063"}),
    ("https://export.arxiv.org/abs/1709.00123", {"arxiv": "1709.00123"}),
    ("https://arxiv.org/abs/cs/0112017", {"arxiv": "cs/0112017"}),
    ("https://arxiv.org/abs/cs/0112017v1", {"arxiv": "cs/0112017"}),
    ("https://arxiv.org/abs/math.CA/0611800v2", {"arxiv": "math/0611800"}),
    ("https://arxiv.org/pdf/math.CA/0611800v2.pdf", {"arxiv": "math/0611800"}),
    ("https://arxiv.org/abs/hep-th/9901001", {"arxiv": "hep-th/9901001"}),
    ("arXiv:2001.04063v5", {"arxiv": "2001.04063"}),
    # ACL Anthology: old and new ids, both hosts, www or not, http/https, .pdf/.bib/trailing slash, nested path
    ("https://www.aclweb.org/anthology/P19-1295/", {"acl": "P19-1295"}),
    ("https://www.aclweb.org/anthology/P19-1295", {"acl": "P19-1295"}),
    ("http://aclweb.org/anthology/N18-1202", {"acl": "N18-1202"}),
    ("https://www.aclweb.org/anthology/P19-1459.pdf", {"acl": "P19-1459"}),
    ("https://www.aclweb.org/anthology/P19-1459.bib", {"acl": "P19-1459"}),
    ("http://www.aclweb.org/anthology/P/P17/P17-1069.pdf", {"acl": "P17-1069"}),
    ("http://aclweb.org/anthology/P/P17/P17-1069", {"acl": "P17-1069"}),
    ("https://www.aclweb.org/anthology/2020.acl-main.1.pdf", {"acl": "2020.acl-main.1"}),
    ("https://aclanthology.org/P19-1295/", {"acl": "P19-1295"}),
    ("https://aclanthology.org/P19-1295.pdf", {"acl": "P19-1295"}),
    ("http://www.aclanthology.org/P19-1295", {"acl": "P19-1295"}),
    ("https://aclanthology.org/2020.acl-main.1", {"acl": "2020.acl-main.1"}),
    ("https://aclanthology.org/2020.acl-main.1/", {"acl": "2020.acl-main.1"}),
    ("https://aclanthology.org/2020.acl-main.1.pdf", {"acl": "2020.acl-main.1"}),
    ("https://aclanthology.org/2020.acl-main.1.bib", {"acl": "2020.acl-main.1"}),
    ("https://aclanthology.org/2021.findings-acl.12v2.pdf", {"acl": "2021.findings-acl.12"}),
    # ACL DOI
    ("https://doi.org/10.18653/v1/P19-1295", {"acl": "P19-1295", "doi": "10.18653/v1/p19-1295"}),
    ("https://doi.org/10.18653/v1/2020.acl-main.1", {"acl": "2020.acl-main.1", "doi": "10.18653/v1/2020.acl-main.1"}),
    ("10.18653/v1/N19-1423", {"acl": "N19-1423", "doi": "10.18653/v1/n19-1423"}),
    # OpenReview
    ("https://openreview.net/forum?id=HyzdRiR9Y7", {"openreview": "HyzdRiR9Y7"}),
    ("https://openreview.net/pdf?id=B1x8anVFPr", {"openreview": "B1x8anVFPr"}),
    ("https://openreview.net/forum?id=SJlPOCEKvH&noteId=abcdefg", {"openreview": "SJlPOCEKvH"}),
    ("http://www.openreview.net/pdf?id=r1xMH1BtvB", {"openreview": "r1xMH1BtvB"}),
    # PMLR
    ("http://proceedings.mlr.press/v97/song19d.html", {"pmlr": "v97/song19d"}),
    ("http://proceedings.mlr.press/v97/song19d/song19d.pdf", {"pmlr": "v97/song19d"}),
    ("https://proceedings.mlr.press/v97/song19d.pdf", {"pmlr": "v97/song19d"}),
    ("http://proceedings.mlr.press/v37/xuc15.html", {"pmlr": "v37/xuc15"}),
    # NeurIPS
    ("http://papers.nips.cc/paper/7181-attention-is-all-you-need", {"neurips": "7181-attention-is-all-you-need"}),
    ("https://papers.nips.cc/paper/7181-attention-is-all-you-need.pdf", {"neurips": "7181-attention-is-all-you-need"}),
    (
        "https://papers.nips.cc/paper_files/paper/2017/hash/0123456789abcdef0123456789abcdef-Abstract.html",
        {"neurips": "2017/0123456789abcdef0123456789abcdef"},
    ),
    (
        "https://proceedings.neurips.cc/paper/2017/hash/0123456789abcdef0123456789abcdef-Abstract.html",
        {"neurips": "2017/0123456789abcdef0123456789abcdef"},
    ),
    # DOI: resolver links and bare strings, lower-cased
    ("https://doi.org/10.1234/example.5678", {"doi": "10.1234/example.5678"}),
    ("http://dx.doi.org/10.5555/AbC-123", {"doi": "10.5555/abc-123"}),
    ("10.5555/AbC-123", {"doi": "10.5555/abc-123"}),
    ("doi:10.1234/example.5678", {"doi": "10.1234/example.5678"}),
    # arXiv DOI gives the arXiv id too
    ("https://doi.org/10.48550/arXiv.2001.04063", {"doi": "10.48550/arxiv.2001.04063", "arxiv": "2001.04063"}),
    ("10.48550/arXiv.1909.10351", {"doi": "10.48550/arxiv.1909.10351", "arxiv": "1909.10351"}),
    # GitHub repositories, ignoring /tree/… /blob/… and .git
    ("https://github.com/google-research/bert", {"github": "google-research/bert"}),
    ("https://github.com/google/trax/tree/master/trax/models/reformer", {"github": "google/trax"}),
    ("https://github.com/THUNLP-MT/THUMT/blob/d4cb62c/thumt/layers/attention.py", {"github": "THUNLP-MT/THUMT"}),
    ("https://github.com/huggingface/transformers.git", {"github": "huggingface/transformers"}),
    ("http://www.github.com/jessevig/bertviz/", {"github": "jessevig/bertviz"}),
]

NEGATIVE = [
    "https://github.com/thunlp",  # a user / organisation page
    "https://github.com/thunlp/",
    "https://github.com/google-research/",  # the broken half of the B2T2 link
    "https://github.com/orgs/google/repositories",
    "https://github.com/topics/bert",
    "https://arxiv.org/list/cs.CL/recent",  # arXiv listing pages
    "https://arxiv.org/list/cs.CL/pastweek?show=100",
    "https://arxiv.org/a/devlin_j_1",
    "https://arxiv.org/",
    "https://www.aclweb.org/portal/content/acl-2019-best-paper-awards",  # non-ACL-Anthology aclweb pages
    "https://www.aclweb.org/adminwiki/index.php?title=ACL_Anthology",
    "https://www.aclweb.org/anthology/",
    "https://aclanthology.org/volumes/2020.acl-main/",
    "https://aclanthology.org/events/acl-2020/",
    "https://openreview.net/group?id=ICLR.cc/2020/Conference",
    "https://openreview.net/forum",
    "http://proceedings.mlr.press/v97/",
    "https://papers.nips.cc/",
    "https://papers.nips.cc/book/advances-in-neural-information-processing-systems-30-2017",
    "https://doi.org/",
    "https://zhuanlan.zhihu.com/p/37601161",
    "https://jalammar.github.io/illustrated-transformer/",
    "exbert.net",
    "",
    "not a url at all",
    "ftp://arxiv.org/abs/1409.0473",
    "http://[::1",  # malformed
]


@pytest.mark.parametrize(("url", "expected"), POSITIVE, ids=[u for u, _ in POSITIVE])
def test_identify_positive(url: str, expected: dict[str, str]) -> None:
    assert identify(url) == expected


@pytest.mark.parametrize("url", NEGATIVE)
def test_identify_negative(url: str) -> None:
    assert identify(url) == {}


@pytest.mark.parametrize(
    ("scheme", "raw", "expected"),
    [
        ("arxiv", "1909.10351v2", "1909.10351"),
        ("arxiv", "math.CA/0611800v2", "math/0611800"),
        ("arxiv", "arXiv:cs/0112017", "cs/0112017"),
        ("arxiv", "19.10351", None),
        ("acl", "p19-1295", "P19-1295"),
        ("acl", "2020.ACL-main.1", "2020.acl-main.1"),
        ("acl", "P19-129", None),
        ("doi", "https://doi.org/10.1145/ABC", "10.1145/abc"),
        ("doi", "11.1145/abc", None),
        ("github", "owner", None),
        ("pmlr", "v97/song19d", "v97/song19d"),
        ("neurips", "2017/nothex", None),
        ("nosuchscheme", "x", None),
    ],
)
def test_normalisers(scheme: str, raw: str, expected: str | None) -> None:
    assert normalise(scheme, raw) == expected


def test_ids_from_links_paper_link_wins_and_github_only_from_code() -> None:
    links = [
        Link("post", "https://arxiv.org/abs/2003.04887"),  # not the paper link: consulted last
        Link("paper", "https://arxiv.org/abs/1909.10351v1"),
        Link("paper & code", "https://github.com/DataTerminatorX/Keyword-BERT"),
        Link("code 2", "https://github.com/google/trax/tree/master/trax"),
    ]
    ids = ids_from_links(links)
    assert ids.arxiv == "1909.10351"
    assert ids.github == "DataTerminatorX/Keyword-BERT"  # first github link among code links


def test_ids_from_links_github_ignored_for_paper_label_unless_repository() -> None:
    links = [Link("paper", "https://github.com/jessevig/bertviz")]
    assert ids_from_links(links) == Ids()
    assert ids_from_links(links, kind="repository") == Ids(github="jessevig/bertviz")


def test_ids_from_links_collects_every_scheme() -> None:
    links = [
        Link("paper", "https://www.aclweb.org/anthology/N19-1423"),
        Link("arxiv", "https://arxiv.org/pdf/1907.11692.pdf"),
        Link("pdf", "http://proceedings.mlr.press/v97/song19d/song19d.pdf"),
        Link("openreview", "https://openreview.net/forum?id=r1xMH1BtvB"),
        Link("nips", "http://papers.nips.cc/paper/7181-attention-is-all-you-need"),
        Link("doi", "https://doi.org/10.1234/example.5678"),
        Link("code", "https://github.com/google-research/bert"),
    ]
    assert ids_from_links(links).known() == {
        "acl": "N19-1423",
        "arxiv": "1907.11692",
        "pmlr": "v97/song19d",
        "openreview": "r1xMH1BtvB",
        "neurips": "7181-attention-is-all-you-need",
        "doi": "10.1234/example.5678",
        "github": "google-research/bert",
    }


@pytest.mark.parametrize("url", [
    "https://www.aclweb.org/anthology/papers/P/P19/P19-1226/",
    "https://anthology.aclweb.org/P19-1226",
    "http://anthology.aclweb.org/P/P19/P19-1226.pdf",
    "https://aclanthology.info/papers/P19-1226/p19-1226",
])
def test_older_anthology_layouts_and_hosts_name_the_paper(url):
    assert identify(url)["acl"] == "P19-1226"


def test_table_of_contents_links_are_never_entries():
    from atpbib.listparse import parse_list

    text = "# L\n- [Intro](./#intro)\n- [Models](#models)\n- [Top](/#top)\n- A Paper (ACL 2019) [[paper]](https://aclanthology.org/P19-1226/)\n"
    assert [e.title for e in parse_list(text, "x.md").entries] == ["A Paper"]
