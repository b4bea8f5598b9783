"""Venue names: one short form per venue and year, whatever long or abbreviated name a source uses.

Sources disagree on how to name a venue (ACL: "Proceedings of the 2019 Conference on Empirical Methods…",
DBLP: "EMNLP/IJCNLP (1)", the list: "EMNLP"); comparing and displaying venues needs one canonical short form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PREPRINT_NAMES = {"corr", "arxiv", "arxiv preprint", "preprint", "biorxiv"}


@dataclass(frozen=True)
class Venue:
    short: str  # "EMNLP"
    patterns: tuple[str, ...]  # regexes over the lower-cased name
    full: str = ""  # a full name when a source gives none
    series: str = ""  # the book series its proceedings appear in (ECCV: Springer's LNCS)


# Order matters: more specific names first (Findings before EMNLP, workshops before their host conference).
VENUES: tuple[Venue, ...] = (
    Venue("Findings of EMNLP", (r"findings of the association for computational linguistics:? emnlp", r"^emnlp(?:/ijcnlp)? \(findings\)", r"findings of emnlp")),
    Venue("Findings of ACL", (r"findings of the association for computational linguistics:? acl", r"^acl(?:/ijcnlp)? \(findings\)", r"findings of acl")),
    Venue("RepL4NLP", (r"repl4nlp", r"representation learning for nlp")),
    Venue("BlackboxNLP", (r"blackboxnlp", r"analyzing and interpreting neural networks for nlp")),
    Venue("DeepLo", (r"deeplo", r"deep learning approaches for low-resource")),
    Venue("EMC2", (r"emc\^?2", r"energy efficient (training|machine learning) and cognitive computing")),
    Venue("TACL", (r"transactions of the association for computational linguistics", r"^trans\. assoc\. comput\. linguistics", r"^tacl\b")),
    Venue("EMNLP", (r"empirical methods in natural language processing", r"^emnlp\b", r"^emnlp/ijcnlp")),
    Venue("NAACL", (r"north american chapter of the association for computational linguistics", r"^naacl")),
    Venue("EACL", (r"european chapter of the association for computational linguistics", r"^eacl\b")),
    Venue("AACL", (r"asia-pacific chapter of the association for computational linguistics", r"^aacl\b")),
    Venue("CoNLL", (r"conference on computational natural language learning", r"^conll\b")),
    Venue("LREC", (r"language resources and evaluation conference", r"international conference on language resources and evaluation", r"^lrec\b")),
    Venue("COLING", (r"international conference on computational linguistics", r"^coling")),
    Venue("ACL", (r"annual meeting of the association for computational linguistics",
                  r"\d+(?:st|nd|rd|th) conference of the association for computational linguistics", r"^acl\b", r"^acl \(\d\)")),
    Venue("INLG", (r"international (?:conference|natural language generation conference) on natural language generation",
                   r"international natural language generation conference", r"^inlg\b")),
    Venue("CCL", (r"china national conference on chinese computational linguistics", r"^ccl\b")),
    Venue("ICLR", (r"international conference on learning representations", r"^iclr\b"), "International Conference on Learning Representations"),
    Venue("NeurIPS", (r"neural information processing systems", r"^neurips\b", r"^nips\b"), "Advances in Neural Information Processing Systems"),
    Venue("ICML", (r"international conference on machine learning", r"^icml\b"), "Proceedings of the International Conference on Machine Learning"),
    Venue("AAAI", (r"aaai conference on artificial intelligence", r"^aaai\b"), "Proceedings of the AAAI Conference on Artificial Intelligence"),
    Venue("IJCAI", (r"international joint conference on artificial intelligence", r"^ijcai\b"), "Proceedings of the International Joint Conference on Artificial Intelligence"),
    Venue("ICCV", (r"international conference on computer vision", r"^iccv\b"),
          "Proceedings of the IEEE/CVF International Conference on Computer Vision"),
    Venue("CVPR", (r"computer vision and pattern recognition", r"^cvpr\b"),
          "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition"),
    Venue("UAI", (r"uncertainty in artificial intelligence", r"^uai\b"), "Proceedings of the Conference on Uncertainty in Artificial Intelligence"),
    Venue("KDD", (r"knowledge discovery and data mining", r"^kdd\b")),
    Venue("SIGIR", (r"research and development in information retrieval", r"^sigir\b")),
    Venue("WWW", (r"the web conference", r"world wide web conference", r"^www\b")),
    Venue("ECCV", (r"european conference on computer vision", r"^computer vision\s*[-\u2013\u2014]\s*eccv \d{4}", r"^eccv\b"),
          "Proceedings of the European Conference on Computer Vision", "Lecture Notes in Computer Science"),
    Venue("CICLing", (r"cicling", r"intelligent text processing and computational linguistics")),
    Venue("TASLP", (r"ieee/acm transactions on audio,? speech,? and language processing", r"^ieee acm trans\. audio speech lang\. process")),
    Venue("JMLR", (r"journal of machine learning research", r"^j\. mach\. learn\. res\.", r"^jmlr\b")),
    # journals: the ISO abbreviation (as DBLP writes it) is the short form, the full name the container
    Venue("Sci. China Technol. Sci.", (r"^science china technological sciences$", r"^sci\. china technol\. sci\.$"),
          "Science China Technological Sciences"),
    Venue("Sci. China Inf. Sci.", (r"^science china information sciences$", r"^sci\. china inf\. sci\.$"),
          "Science China Information Sciences"),
    Venue("ACM Comput. Surv.", (r"^acm computing surveys$", r"^acm comput\. surv\.$"), "ACM Computing Surveys"),
    Venue("ACM Trans. Intell. Syst. Technol.", (r"^acm transactions on intelligent systems and technology$",
                                                r"^acm trans\. intell\. syst\. technol\.$"),
          "ACM Transactions on Intelligent Systems and Technology"),
    Venue("Artif. Intell. Rev.", (r"^artificial intelligence review$", r"^artif\. intell\. rev\.$"), "Artificial Intelligence Review"),
    Venue("Comput. Linguistics", (r"^computational linguistics$", r"^comput\. linguistics$"), "Computational Linguistics"),
    Venue("Comput. y Sist.", (r"^computaci[oó]n y sistemas$", r"^computaci[oó]n y sist\.$"), "Computación y Sistemas"),
    Venue("PLoS ONE", (r"^plos one$",), "PLoS ONE"),
    Venue("Science", (r"^science$",), "Science"),
    Venue("Nature", (r"^nature$",), "Nature"),
)
JOURNALS = frozenset(("TACL", "TASLP", "JMLR", "Sci. China Technol. Sci.", "Sci. China Inf. Sci.", "ACM Comput. Surv.",
                      "ACM Trans. Intell. Syst. Technol.", "Artif. Intell. Rev.", "Comput. Linguistics",
                      "Comput. y Sist.", "PLoS ONE", "Science", "Nature"))


def canonical(name: str | None) -> Venue | None:
    """The known venue a name refers to, or None."""
    if not name:
        return None
    low = re.sub(r"\s+", " ", name.strip().lower())
    for venue in VENUES:
        if any(re.search(p, low) for p in venue.patterns):
            return venue
    return None


def is_preprint_venue(name: str | None) -> bool:
    if not name:
        return False
    low = name.strip().lower()
    return low in PREPRINT_NAMES or low.startswith("corr") or low.startswith("arxiv")


def short_venue(name: str | None, year: int | None) -> str | None:
    """"EMNLP 2019", "Findings of EMNLP 2020", "NIPS 2017", "arXiv"; unknown names are kept as given."""
    if not name:
        return None
    if is_preprint_venue(name):
        return "arXiv"
    venue = canonical(name)
    if venue is None:
        base = re.sub(r"\s+", " ", name).strip()
        return f"{base} {year}" if year and str(year) not in base else base
    short = venue.short
    if short == "NeurIPS" and year is not None and year <= 2017:
        short = "NIPS"  # the conference was renamed in 2018; cite it by the name it had
    return f"{short} {year}" if year else short


def same_venue(listed: str | None, resolved: str | None) -> bool:
    """Does the list's venue hint name the same venue as a resolved short venue?"""
    if not listed or not resolved:
        return True  # nothing to disagree about
    if is_preprint_venue(listed) and resolved == "arXiv":
        return True
    # "RepL4NLP@ACL" → "RepL4NLP"; "NeurIPS Workshop" → compare the host conference loosely
    head = listed.split("@")[0]
    if "workshop" in listed.lower() and is_workshop(resolved):
        return True  # "(NeurIPS 2019 Workshop)" names the host, the sources name the workshop itself
    a, b = canonical(head), canonical(re.sub(r"\s*\d{4}$", "", resolved))
    if a is not None and b is not None:
        return a.short == b.short
    return re.sub(r"\W", "", head.lower()) in re.sub(r"\W", "", resolved.lower())


WORKSHOPS = ("RepL4NLP", "BlackboxNLP", "DeepLo", "EMC2")


def is_workshop(name: str | None) -> bool:
    venue = canonical(re.sub(r"\s*\d{4}$", "", name or ""))
    return (venue is not None and venue.short in WORKSHOPS) or "workshop" in (name or "").lower()


def journal_full_name(name: str | None) -> str | None:
    """A journal's full name from its ISO abbreviation ('Sci. China Technol. Sci.' → 'Science China
    Technological Sciences'); an unknown journal is kept verbatim."""
    venue = canonical(name)
    if venue is not None and venue.short in JOURNALS and venue.full:
        return venue.full
    return name


def full_name(short: str | None) -> str | None:
    """A container title for a venue when no source gave one (ICLR notes carry none)."""
    venue = canonical(re.sub(r"\s*\d{4}$", "", short or ""))
    return venue.full or None if venue else None


def series_of(name: str | None) -> str | None:
    """The book series a venue's proceedings appear in (ECCV → Lecture Notes in Computer Science)."""
    venue = canonical(re.sub(r"\s*\d{4}$", "", name or ""))
    return venue.series or None if venue else None


# DOIs that spell out the volume and issue they were published in: AAAI's proceedings on OJS
# (10.1609/aaai.v34i05.6409 is volume 34, issue 05). Only the DOI's own text is read, never guessed.
_VOLUME_DOIS = (re.compile(r"^10\.1609/aaai\.v(\d+)i(\d+)\.\d+$", re.IGNORECASE),)


def volume_issue_from_doi(doi: str | None) -> tuple[str, str] | None:
    """(volume, issue) when the DOI itself names them, else None."""
    for pattern in _VOLUME_DOIS:
        m = pattern.match((doi or "").strip())
        if m:
            return m.group(1), m.group(2)
    return None


# -- the entry type: one decision -------------------------------------------------------------------------

@dataclass(frozen=True)
class TypeDecision:
    """The entry type a work is cited as, and the rule that decided it (its evidence)."""
    type: str
    rule: str


KEPT_TYPES = frozenset(("book", "techreport", "phdthesis", "mastersthesis"))


def entry_type(source_type: str | None, venue: str | None, *, published: bool = True) -> TypeDecision:
    """What a careful researcher cites a work as, from its venue, whatever record type a source gave.

    A journal (TACL, JMLR, ACM TIST…) is an @article; a conference or workshop is @inproceedings, also when
    its publisher files the paper as a journal issue (AAAI's OJS: Crossref's journal-article) or a book
    chapter (ECCV in Springer's LNCS: Crossref's book-chapter, DBLP's @incollection elsewhere); a book, a
    report or a thesis stays what it is; a preprint, or a venue not in VENUES, keeps the source's type."""
    stype = (source_type or "misc").lower()
    if stype in KEPT_TYPES:
        return TypeDecision(stype, f"a {stype} is cited as one")
    if not published or is_preprint_venue(venue):
        return TypeDecision(stype, "a preprint: the source's type")
    known = canonical(re.sub(r"\s*\d{4}$", "", venue or ""))
    if known is None:
        return TypeDecision(stype, "an unknown venue: the source's type")
    if known.short in JOURNALS:
        return TypeDecision("article", f"{known.short} is a journal")
    return TypeDecision("inproceedings", f"{known.short} is a " + ("workshop" if known.short in WORKSHOPS else "conference"))


# Hosts (or path parts) that say which institution issued a PDF: a report's publisher when no service lists it.
INSTITUTION_HOSTS: tuple[tuple[str, str], ...] = (
    (r"(?:^|\.)openai\.com$|/openai-assets/", "OpenAI"),
    (r"(?:^|\.)stanford\.edu$", "Stanford University"),
    (r"(?:^|\.)deepmind\.com$", "DeepMind"),
    (r"(?:^|\.)research\.google$|(?:^|\.)research\.google\.com$", "Google Research"),
    (r"(?:^|\.)microsoft\.com$", "Microsoft Research"),
)
# GitHub organisations that are an institution: a report whose code the list links there was issued by it
INSTITUTION_ORGS = {"openai": "OpenAI"}


def institution_of_url(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    for pattern, name in INSTITUTION_HOSTS:
        if re.search(pattern, host) or re.search(pattern, parts.path):
            return name
    if host in ("github.com", "www.github.com"):
        return INSTITUTION_ORGS.get(parts.path.strip("/").split("/")[0].lower())
    return None
