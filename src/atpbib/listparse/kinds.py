"""What an item is (paper, survey, book, talk, blog, repository, website), weighed from all the item says: what
each link points at (an id, its file's name, the list's label, its host), the section's name as a prior, the
description's words, a reference's shape. The weights are in one table, WEIGHTS; no sign is a verdict alone,
and one word of a title never decides ("BERT Post-Training for Review Reading Comprehension" is a paper; a post
on medium.com is a blog whatever its title says)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..ids import LIST_PAPER_SCHEMES as PAPER_SCHEMES
from ..ids import identify
from ..model import KINDS
from .item import RawLink, is_repository_url

PAPERISH_LABELS = ("paper", "pdf", "arxiv", "book", "doi", "abs", "openreview", "anthology", "acl")

# Hosts (a suffix of the host name) and what they publish. Paper hosts need no entry: the id table knows them.
_PAPER_HOSTS = ("aclweb.org", "aclanthology.org", "arxiv.org", "openreview.net", "mlr.press", "nips.cc", "neurips.cc",
                "thecvf.com", "acm.org", "ieee.org", "springer.com", "sciencedirect.com", "aaai.org", "ijcai.org",
                "jmlr.org", "nature.com", "science.org", "semanticscholar.org", "biorxiv.org", "ssrn.com", "doi.org",
                "isca-speech.org", "mitpressjournals.org", "direct.mit.edu", "tacl.org", "sciencemag.org", "wiley.com",
                "academic.oup.com", "tandfonline.com", "sagepub.com", "plos.org", "frontiersin.org", "mdpi.com",
                "cell.com", "pnas.org", "jstor.org", "pubmed.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov/pmc",
                "researchgate.net", "hal.science", "hal.archives-ouvertes.fr", "mlsys.org", "usenix.org", "vldb.org",
                "ecva.net", "lrec-conf.org", "ceur-ws.org", "iclr.cc", "icml.cc", "interspeech.org")
_BLOG_HOSTS = ("medium.com", "towardsdatascience.com", "zhuanlan.zhihu.com", "zhihu.com", "mp.weixin.qq.com", "csdn.net",
               "jianshu.com", "cnblogs.com", "juejin.cn", "segmentfault.com", "blogspot.com", "wordpress.com",
               "substack.com", "hackernoon.com", "kdnuggets.com", "analyticsvidhya.com", "machinelearningmastery.com",
               "towardsai.net", "dev.to", "hashnode.dev", "thegradient.pub", "jiqizhixin.com", "leiphone.com",
               "infoq.cn", "sohu.com", "36kr.com", "ghost.io", "lilianweng.github.io", "ruder.io", "notion.site",
               "notion.so", "distill.pub", "linkedin.com/pulse",
               # news sites: an article is a post, not a paper
               "techcrunch.com", "theverge.com", "venturebeat.com", "wired.com", "nytimes.com", "reuters.com",
               "bbc.com", "bbc.co.uk", "theguardian.com", "forbes.com", "bloomberg.com", "cnbc.com", "zdnet.com",
               "technologyreview.com", "arstechnica.com", "engadget.com", "businessinsider.com", "wsj.com", "ft.com",
               "cnn.com", "axios.com", "theregister.com", "spectrum.ieee.org", "syncedreview.com", "marktechpost.com",
               "qbitai.com", "thenextweb.com", "theinformation.com", "semafor.com")
_TALK_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "bilibili.com", "slideshare.net", "speakerdeck.com",
               "videolectures.net", "slideslive.com", "ted.com", "podcasts.apple.com", "open.spotify.com")
_REPOSITORY_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "gitee.com", "pypi.org", "huggingface.co",
                     "colab.research.google.com", "tfhub.dev", "pytorch.org/hub", "npmjs.com", "kaggle.com/code")
_BOOK_HOSTS = ("books.google.com", "oreilly.com", "manning.com",
               "packtpub.com", "nostarch.com", "pragprog.com", "routledge.com", "goodreads.com", "leanpub.com",
               "d2l.ai", "deeplearningbook.org", "press.princeton.edu", "mitpress.mit.edu", "cambridge.org/core/books",
               "link.springer.com/book", "morganclaypool.com", "worldscientific.com/worldscibooks")
_WEBSITE_HOSTS = ("gluebenchmark.com", "paperswithcode.com", "coursera.org", "edx.org", "udacity.com", "fast.ai",
                  "kaggle.com", "twitter.com", "x.com", "reddit.com", "readthedocs.io", "wikipedia.org",
                  "stackoverflow.com", "quora.com", "nlpprogress.com", "producthunt.com", "apps.apple.com",
                  "play.google.com", "chromewebstore.google.com", "chrome.google.com/webstore", "news.ycombinator.com",
                  "crunchbase.com")


def _host_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
    except ValueError:
        return "", ""
    return (parts.hostname or "").lower(), parts.path.lower()


def _on(host: str, path: str, table: tuple[str, ...]) -> bool:
    hosts, prefixes = _split_table(table)
    labels = host.split(".")
    if any(".".join(labels[i:]) in hosts for i in range(len(labels))):  # the host or a domain above it
        return True
    where = (host[4:] if host.startswith("www.") else host) + path
    return any(where.startswith(h) for h in prefixes)


@functools.lru_cache(maxsize=64)
def _split_table(table: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """A host table as a set of hosts (looked up, not scanned) and its 'host/path' prefixes."""
    return frozenset(h for h in table if "/" not in h), tuple(h for h in table if "/" in h)


def is_paper_link(link: RawLink) -> bool:
    """The link points at a paper: an id the table knows, a paper host, a PDF, or a label that says so."""
    if link.label is not None and any(w in link.label for w in PAPERISH_LABELS):
        return True  # the label says so: no need to take the URL apart
    url = link.url.strip()
    if any(s in identify(url) for s in PAPER_SCHEMES):
        return True
    host, path = _host_path(url)
    return _on(host, path, _PAPER_HOSTS) or path.endswith(".pdf")


# A site's (or a person's, or a group's) home page: '/', '/index.shtml', '/nlp/index.cgi', '/~someone/'
_HOME = re.compile(r"/?|(?:/[^/]+)*/index\.(?:s?html?|php|cgi|aspx?|jsp)|/~[^/]+/?(?:index\.\w{2,5})?")


def kind_of_url(url: str) -> str | None:
    """What a page on this host is, when the host or the path says it: 'repository', 'blog', 'talk', 'book',
    'website' (courses, leaderboards, datasets, documentation, product and company pages); else None."""
    host, path = _host_path(url)
    if not host:
        return None
    if host == "huggingface.co":
        if path.startswith(("/blog", "/docs", "/course", "/learn", "/datasets")):
            return "blog" if path.startswith("/blog") else "website"
        if path.startswith("/papers/"):
            return None
    if "leaderboard" in host + path or re.search(r"/(class|classes|courses?|teaching|lectures?|tutorials?|docs?|datasets?)/", path) \
            or re.fullmatch(r"/~[^/]+/?(?:index\.\w{2,5})?", path):
        return "website"  # a course, a tutorial, a dataset or documentation page, someone's home page
    if _on(host, path, _REPOSITORY_HOSTS):
        if host != "github.com" or is_repository_url(url):
            return "repository"
        return "website" if re.fullmatch(r"/[^/]+/?", path) else None  # a person's or an organisation's page
    if _on(host, path, _BLOG_HOSTS) or any("blog" in part for part in host.split(".")[:-1]) or host.startswith("news.") \
            or re.search(r"/(blogs?|posts?|news|newsroom|press|press-releases?)/|^/(?:19|20)\d{2}/\d{1,2}/(?:\d{1,2}/)?[^/]+", path):
        return "blog"  # "/2015/05/21/slug": a dated path; a news article is a post too
    if _on(host, path, _TALK_HOSTS):
        return "talk"
    if _on(host, path, _BOOK_HOSTS) or re.search(r"/dp/\d{9}[\dx]\b", path):  # amazon's /dp/ISBN-10
        return "book"
    if _on(host, path, _WEBSITE_HOSTS) or host.startswith("docs.") or _HOME.fullmatch(path) \
            or re.search(r"(?:^|/)search(?:/|$)", path) \
            or re.match(r"/(?:products?|pricing|solutions?|platform|enterprise|about(?:-us)?|company|careers|features)(?:/|$)", path):
        return "website"  # … a product or company page, a search, and a site's home page, are never a paper
    return None


# ---------------------------------------------------------------- the evidence, and its weights in one place

# What the item is comes from evidence, each piece with a weight; the kind with the most wins. Nothing here is
# a verdict on its own: a section's name is a prior a blog link outweighs, a code link beside a paper's id is
# an aside, and the description's words ("a blog post", "slides") count like a link's host does.
WEIGHTS = {
    # what one link points at: its most specific sign, plus AGREE for each other sign of the same kind
    "isbn": 6.0,  # an ISBN in the link (a book's DOI 10.1007/978-…, an Amazon /dp/ISBN): a book
    "id": 5.5,  # an id or DOI the id table knows: a paper (a chapter DOI too: a proceedings paper)
    "file": 5.0,  # the file or path names it: '…/Deeplo-talk-2019.pdf', 'book_draft.pdf', '/slides/'; or the venue
    "label": 4.0,  # the list's own word for it: [slides], [code], [book], [paper & code] (on github.com)
    "host": 3.0,  # the host (or the path) publishes one kind: medium.com, github.com, a news site, a course page
    "home": 1.5,  # a site's home page: a lab's, a company's, a book's or a project's — not a paper, little more
    "paper host": 2.5,  # a paper host (the ACL Anthology, Springer…) or a PDF
    "agree": 0.5,
    # how much one link says about the item
    "own": 1.0,  # the item's own link: its title's, or (an item whose title is no link) a [paper]/[slides]/[post]
    "aside": 0.6,  # any other link: code beside a paper, a paper beside a tool's page
    # the item as a whole
    "section": 2.0,  # the nearest heading that names a kind ("English Blog", "Repositories"): a prior
    "section's page": 3.0,  # … and what the item's own page is when that page says nothing (someone.github.io/x)
    "words": 2.5,  # the description says what it is: "a blog post", "slides from the talk", "a course"
    "authors": 1.5,  # a reference's shape: it names its authors …
    "venue": 1.5,  # … a venue …
    "year": 0.5,  # … or only a year
    "base": 0.5,  # what a paper list lists, when nothing else is known
}


@dataclass(frozen=True)
class Evidence:
    kind: str  # one of KINDS ('survey': says that a paper is a survey; it never outweighs the others alone)
    weight: float
    why: str


# Labels the list writes on a link, and what they say the link is.
_LABEL_KINDS = (
    ("paper", re.compile(r"\b(?:paper|pdf|arxiv|doi|abs|abstract|openreview|anthology|acl|full text|preprint)\b")),
    ("repository", re.compile(r"\b(?:code|github|gitlab|source|sources|implementation|pytorch|tensorflow|official|"
                              r"model|models|weights|checkpoints?|colab)\b")),
    ("talk", re.compile(r"\b(?:slides?|talk|video|poster|recording|keynote|presentation|podcast)\b")),
    ("blog", re.compile(r"\b(?:blog|post|article|news|press)\b")),
    ("book", re.compile(r"\b(?:book|e-?book)\b")),
    ("website", re.compile(r"\b(?:website|homepage|home page|dataset|data|leaderboard|course|product|docs|documentation)\b")),
)
# Labels that name the item itself in some form (not an aside such as its code): with no title link, such a
# link is the item's own.
_DOCUMENT_KINDS = ("paper", "talk", "blog", "book")

_FILE_WORDS = (("talk", re.compile(r"(?<![a-z])(?:talks?|slides?|keynote|poster)(?![a-z])")),
               ("book", re.compile(r"(?<![a-z])(?:e?books?)(?![a-z])")))
_ISBN = re.compile(r"isbn|(?<![\d.])97[89](?:-?\d){10}(?![\d_])")  # ISBN-13; a chapter DOI (…_12) is a paper
_ISBN_TEXT = re.compile(r"\bISBN(?:-1[03])?:?\s*[\dX-]{10,17}|(?<![\d.])97[89]-\d{1,5}-\d+-\d+-\d\b", re.IGNORECASE)

# Sections that say what their items are ("Packages/Libraries", "Chinese Blog", "Tutorial & Survey")
_SECTION_KINDS = (
    ("blog", re.compile(r"blog|\bposts?\b|\barticles?\b|\bnews\b|newsletters?")),
    ("repository", re.compile(r"repositor|librar(?:y|ies)|packages?\b|implementations?\b|toolkits?\b|\bsoftware\b|"
                              r"\bframeworks\b")),
    ("website", re.compile(r"\bcourses?\b|\bleaderboards?\b|\bdatasets?\b|\bproducts?\b|\bcompan(?:y|ies)\b|\btutorials?\b|"
                           r"\bcontributors?\b|\bmaintainers?\b|\bpeople\b|\bteam\b|\bmembers\b")),
    ("talk", re.compile(r"\b(?:talks?|slides|lectures?|videos?|presentations?|podcasts?|webinars?)\b")),
    ("survey", re.compile(r"survey|review|overview")),
    ("book", re.compile(r"\b(?:text)?books?\b")),
    ("paper", re.compile(r"\bpapers?\b|\bpublications?\b|\bpreprints?\b")),
)

# What a description says the item is, where it says it: at its start or a clause's, after at most an article
# and two words that are not prepositions ("an illustrated blog post", "TensorFlow code", not "a model for video").
_OPENING = (r"(?:^|[.;:(\[—–]\s*|\s-\s)(?:(?:an?|the|this|our|my)\s+)?"
            r"(?:(?!(?:for|of|on|in|to|with|from|and|or|by|about|that|which|using|via|at)\b)[\w'’-]+\s+){0,2}")
_DESCRIPTION_KINDS = tuple((kind, re.compile(_OPENING + rf"(?:{words})\b", re.IGNORECASE)) for kind, words in (
    ("blog", r"blog(?:\s*post)?|post|news(?:letter)?|press release|write-?up"),
    ("talk", r"slides?|slide deck|video|talk|keynote|lecture|webinar|podcast|presentation|recording|poster"),
    ("book", r"(?:text)?book|e-?book|isbn"),
    ("website", r"course|class|leaderboard|dataset|data set|corpus|website|homepage|product|company|demo"),
    ("repository", r"code|library|toolkit|package|implementation|repo(?:sitory)?|model card|checkpoints?"),
    ("survey", r"survey|review|overview"),
))

# A venue hint that names a kind of its own: a tutorial or a keynote is a talk, not a paper
_VENUE_KINDS = (("talk", re.compile(r"\b(?:tutorials?|keynotes?|invited talks?|talks?|lectures?)\b", re.IGNORECASE)),)

_SURVEY_TITLE = re.compile(
    r"(?:^|[:.—–-]\s*)(?:an?\s+)?(?:\w+\s+){0,2}(?:survey|review|overview)\s*$"  # "…: A Survey", "…: A Critical Review"
    r"|(?:^|[:.—–]\s*)(?:an?\s+)?(?:\w+\s+){0,2}(?:survey|review|overview)\s+(?:of|on)\b"  # "…: A Review of …"
    r"|\b(?:literature|systematic)\s+review\b|\bsurvey\s+(?:of|on)\b",
    re.IGNORECASE,
)


def link_reading(link: RawLink) -> tuple[str, float] | None:
    """What one link points at, and how sure that is: the strongest sign (an id, the file's name, the host, the
    list's label), plus a little for each other sign that agrees."""
    url = link.url.strip()
    host, path = _host_path(url)
    signs: list[tuple[str, float]] = []
    if _ISBN.search(url.lower()) and not re.search(r"/chapters?/", path):
        signs.append(("book", WEIGHTS["isbn"]))
    if any(s in identify(url) for s in PAPER_SCHEMES):
        signs.append(("paper", WEIGHTS["id"]))
    for kind, rx in _FILE_WORDS:
        if rx.search(path):
            signs.append((kind, WEIGHTS["file"]))
            break
    on_host = kind_of_url(url)
    if on_host is not None:
        home = on_host == "website" and _HOME.fullmatch(path) and not _on(host, path, _WEBSITE_HOSTS)
        signs.append((on_host, WEIGHTS["home" if home else "host"]))
    elif host and (_on(host, path, _PAPER_HOSTS) or path.endswith(".pdf")):
        signs.append(("paper", WEIGHTS["paper host"]))
    label = _label_kind(link.label)
    if label is not None:
        signs.append((label, WEIGHTS["label"]))
    if not signs:
        return None
    kind, weight = max(signs, key=lambda sw: sw[1])  # the first of the strongest
    return kind, weight + WEIGHTS["agree"] * (sum(1 for k, _ in signs if k == kind) - 1)


def _label_kind(label: str | None) -> str | None:
    """What the list's label says a link is; a long label is a link's own text (a title), not a label."""
    if not label or len(label.split()) > 4:
        return None
    return next((kind for kind, rx in _LABEL_KINDS if rx.search(label)), None)


def _section_kinds(section: tuple[str, ...]) -> set[str]:
    """The kinds the nearest heading that names any names ("Tutorial & Survey" under "Pretrained Language Model")."""
    for head in reversed(section):
        found = {kind for kind, rx in _SECTION_KINDS if rx.search(head.lower())}
        if found:
            return found
    return set()


def kind_evidence(section: tuple[str, ...], title: str, links: list[RawLink], description: str | None = None,
                  authors: tuple[str, ...] = (), venue: str | None = None, year: int | None = None) -> list[Evidence]:
    """Everything the item says about what it is, weighed (see WEIGHTS)."""
    out: list[Evidence] = []
    real = [lk for lk in links if not lk.url.strip().startswith(("#", "./#", "/#"))]
    titled = any(lk.label is None for lk in real)
    silent_own = False  # the item's own page says nothing of itself
    for lk in real:
        reading = link_reading(lk)
        own = lk.label is None or (not titled and _label_kind(lk.label) in _DOCUMENT_KINDS)
        if reading is None:
            silent_own = silent_own or own
            continue
        role = "own" if own else "aside"
        out.append(Evidence(reading[0], reading[1] * WEIGHTS[role], f"{role} link {lk.url}"))
    for kind in sorted(_section_kinds(section)):
        out.append(Evidence(kind, WEIGHTS["section"], f"section {'/'.join(section)}"))
        if silent_own:
            out.append(Evidence(kind, WEIGHTS["section's page"], f"own page, in section {'/'.join(section)}"))
    if _ISBN_TEXT.search(f"{title} {description or ''}"):  # (never a title's words: the reader left it there)
        out.append(Evidence("book", WEIGHTS["isbn"], "an ISBN"))
    for kind, rx in _DESCRIPTION_KINDS:
        if description and rx.search(description):  # ("a survey of …" says what a paper is, not that it is one)
            out.append(Evidence(kind, 0.0 if kind == "survey" else WEIGHTS["words"], f"description {description!r}"))
    if authors:
        out.append(Evidence("paper", WEIGHTS["authors"], "names its authors"))
    named = next((kind for kind, rx in _VENUE_KINDS if venue and rx.search(venue)), None)
    if named:  # 'ACL 2016 Tutorial': where it was given names what it is, as a file's name does
        out.append(Evidence(named, WEIGHTS["file"], f"venue {venue}"))
    elif venue:
        out.append(Evidence("paper", WEIGHTS["venue"], f"venue {venue}"))
    elif year:
        out.append(Evidence("paper", WEIGHTS["year"], f"year {year}"))
    out.append(Evidence("paper", WEIGHTS["base"], "a paper list"))
    if _SURVEY_TITLE.search(title.strip().rstrip(".")):
        out.append(Evidence("survey", 0.0, "a survey's title"))
    return out


def weigh(evidence: list[Evidence]) -> str:
    """The kind with the most weight. A survey is a paper that says it is one: the section's name, the title or
    the description; so the weight of a survey's evidence counts for papers, and a paper with any of it is a survey."""
    score: dict[str, float] = {}
    for ev in evidence:
        score[ev.kind] = score.get(ev.kind, 0.0) + ev.weight
    papers = score.pop("paper", 0.0) + score.get("survey", 0.0)
    surveyed = any(ev.kind == "survey" for ev in evidence)
    score.pop("survey", None)
    best = max(score, key=lambda k: (score[k], -KINDS.index(k)), default=None)
    if best is not None and score[best] > papers:
        return best
    return "survey" if surveyed else "paper"


def kind_of(section: tuple[str, ...], title: str, links: list[RawLink], description: str | None = None,
            authors: tuple[str, ...] = (), venue: str | None = None, year: int | None = None) -> str:
    """What the item is (paper, survey, book, talk, blog, repository, website), from all it says (see WEIGHTS)."""
    return weigh(kind_evidence(section, title, links, description, authors, venue, year))


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
