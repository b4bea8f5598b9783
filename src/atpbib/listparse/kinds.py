"""What an item is (paper, survey, book, talk, blog, repository, website), from its section, its links'
hosts and labels — never from one word of its title ("BERT Post-Training for Review Reading Comprehension"
is a paper; a post on medium.com is a blog whatever its title says)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..ids import LIST_PAPER_SCHEMES as PAPER_SCHEMES
from ..ids import identify
from .item import RawLink, is_repository_url

PAPERISH_LABELS = ("paper", "pdf", "arxiv", "book", "doi", "abs", "openreview", "anthology", "acl")

# Hosts (a suffix of the host name) and what they publish. Paper hosts need no entry: the id table knows them.
_PAPER_HOSTS = ("aclweb.org", "aclanthology.org", "arxiv.org", "openreview.net", "mlr.press", "nips.cc", "neurips.cc",
                "thecvf.com", "acm.org", "ieee.org", "springer.com", "sciencedirect.com", "aaai.org", "ijcai.org",
                "jmlr.org", "nature.com", "science.org", "semanticscholar.org", "biorxiv.org", "ssrn.com", "doi.org",
                "isca-speech.org", "mitpressjournals.org", "direct.mit.edu", "tacl.org", "sciencemag.org", "wiley.com")
_BLOG_HOSTS = ("medium.com", "towardsdatascience.com", "zhuanlan.zhihu.com", "zhihu.com", "mp.weixin.qq.com", "csdn.net",
               "jianshu.com", "cnblogs.com", "juejin.cn", "segmentfault.com", "blogspot.com", "wordpress.com",
               "substack.com", "hackernoon.com", "kdnuggets.com", "analyticsvidhya.com", "machinelearningmastery.com",
               "towardsai.net", "dev.to", "hashnode.dev", "thegradient.pub", "jiqizhixin.com", "leiphone.com",
               "infoq.cn", "sohu.com", "36kr.com", "ghost.io", "lilianweng.github.io", "ruder.io")
_TALK_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "bilibili.com", "slideshare.net", "speakerdeck.com",
               "videolectures.net", "slideslive.com", "ted.com")
_REPOSITORY_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "gitee.com", "pypi.org", "huggingface.co",
                     "colab.research.google.com", "tfhub.dev", "pytorch.org/hub", "npmjs.com")
_WEBSITE_HOSTS = ("gluebenchmark.com", "paperswithcode.com", "coursera.org", "edx.org", "udacity.com", "fast.ai",
                  "kaggle.com", "twitter.com", "x.com", "reddit.com", "readthedocs.io", "wikipedia.org",
                  "stackoverflow.com", "quora.com", "nlpprogress.com")


def _host_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
    except ValueError:
        return "", ""
    return (parts.hostname or "").lower(), parts.path.lower()


def _on(host: str, path: str, table: tuple[str, ...]) -> bool:
    where = host + path
    return any(host == h or host.endswith("." + h) or ("/" in h and where.startswith(h)) for h in table)


def is_paper_link(link: RawLink) -> bool:
    """The link points at a paper: an id the table knows, a paper host, a PDF, or a label that says so."""
    if link.label is not None and any(w in link.label for w in PAPERISH_LABELS):
        return True  # the label says so: no need to take the URL apart
    url = link.url.strip()
    if any(s in identify(url) for s in PAPER_SCHEMES):
        return True
    host, path = _host_path(url)
    return _on(host, path, _PAPER_HOSTS) or path.endswith(".pdf")


def kind_of_url(url: str) -> str | None:
    """What a page on this host is, when the host says it: 'repository', 'blog', 'talk', 'website'; else None."""
    host, path = _host_path(url)
    if not host:
        return None
    if host == "huggingface.co":
        if path.startswith(("/blog", "/docs", "/course", "/learn")):
            return "blog" if path.startswith("/blog") else "website"
        if path.startswith("/papers/"):
            return None
    if "leaderboard" in host + path or re.search(r"/(class|classes|courses?|teaching|lectures?|tutorials?|docs?)/", path) \
            or re.fullmatch(r"/~[^/]+/?(?:index\.html?)?", path):
        return "website"  # a course, a tutorial or documentation page, someone's home page
    if _on(host, path, _REPOSITORY_HOSTS):
        return "repository" if (host != "github.com" or is_repository_url(url)) else None
    if _on(host, path, _BLOG_HOSTS) or any("blog" in part for part in host.split(".")[:-1]) \
            or re.search(r"/(blogs?|posts?)/|^/(?:19|20)\d{2}/\d{1,2}/(?:\d{1,2}/)?[^/]+", path):  # "/2015/05/21/slug"
        return "blog"
    if _on(host, path, _TALK_HOSTS):
        return "talk"
    if _on(host, path, _WEBSITE_HOSTS) or host.startswith("docs.") or path in ("", "/"):
        return "website"  # … and a site's home page is never a paper
    return None


_SURVEY_TITLE = re.compile(
    r"(?:^|[:.—–-]\s*)(?:an?\s+)?(?:\w+\s+){0,2}(?:survey|review|overview)\s*$"  # "…: A Survey", "…: A Critical Review"
    r"|(?:^|[:.—–]\s*)(?:an?\s+)?(?:\w+\s+){0,2}(?:survey|review|overview)\s+(?:of|on)\b"  # "…: A Review of …"
    r"|\b(?:literature|systematic)\s+review\b|\bsurvey\s+(?:of|on)\b",
    re.IGNORECASE,
)


# Sections that say what their items are ("Packages/Libraries", "Implementations", "Tutorials and Courses")
_REPOSITORY_SECTION = re.compile(r"repositor|librar(?:y|ies)|packages?\b|implementations?\b|toolkits?\b|\bsoftware\b|\bframeworks\b")
_WEBSITE_SECTION = re.compile(r"\bcourses?\b|\bleaderboards?\b")


def kind_of(section: tuple[str, ...], title: str, links: list[RawLink]) -> str:
    """The section says it first ("English Blog", "Repositories", "Talks", "Survey & Review"); then the
    links: a label (book, slides) or, when no link points at a paper, the host of the title's link."""
    heads = [h.lower() for h in section]
    if any("blog" in h for h in heads):
        return "blog"
    if any(_REPOSITORY_SECTION.search(h) for h in heads):
        return "repository"
    if any(_WEBSITE_SECTION.search(h) for h in heads):
        return "website"
    real = [lk for lk in links if not lk.url.strip().startswith(("#", "./#", "/#"))]
    main = next((lk for lk in real if lk.label is None), real[0] if real else None)
    main_label, main_url = (main.label, main.url) if main else (None, "")
    if main_label == "book":
        return "book"
    if (
        main_label in ("slides", "slide", "talk", "video")
        or re.search(r"(?<![a-z])(talk|slides?)(?![a-z])", main_url.lower().split("?")[0])
        or any(re.search(r"\b(talks?|slides|lectures?|videos?)\b", h) for h in heads)
    ):
        return "talk"
    if any(("survey" in h or "review" in h) for h in heads):
        return "survey"
    if main is not None and not any(is_paper_link(lk) for lk in real):
        # the title's own link says what the item is; labelled links only when they all agree
        hosts = {kind_of_url(lk.url) for lk in ([main] if main.label is None else real)}
        if len(hosts) == 1 and None not in hosts:
            return hosts.pop()  # type: ignore[return-value]
    if _SURVEY_TITLE.search(title.strip().rstrip(".")):
        return "survey"
    return "paper"


def title_link_label(kind: str, url: str) -> str:
    """The label of the link the title itself carries: what it points at."""
    if kind in ("blog", "website"):
        return "post" if kind == "blog" else "website"
    if kind == "repository":
        return "code"
    if kind == "book":
        return "book"
    if kind == "talk":
        return "slides"
    if is_repository_url(url):
        return "code"
    return "paper"
