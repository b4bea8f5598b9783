"""The one venue/year grammar of the list reader: what a venue hint and a year look like wherever a list writes
them — `(EMNLP 2019)`, `ACL2019`, `EMNLP'19`, `In Proceedings of ICLR 2015`, `Findings of ACL: ACL-IJCNLP 2021`,
`EMNLP 2020 Demo`, `NeurIPS 2022 Datasets and Benchmarks Track`, a bare `TACL`, `arXiv 2019`, `2019.7`, `2022.5`,
`May 2019`. Items, table cells and `check --fix` all ask this module; nothing else decides "is this a venue".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import clean

# Acronyms and short names of venues (and preprint servers) that lists write without a year. Lower-cased.
_VENUE_NAMES = frozenset("""
acl naacl eacl aacl emnlp coling conll lrec tacl cl inlg sigdial semeval iwslt wmt ijcnlp acl-ijcnlp emnlp-ijcnlp
naacl-hlt hlt-naacl repl4nlp blackboxnlp deeplo findings ccl nlpcc cicling interspeech icassp asru slt taslp
iclr icml neurips nips aaai ijcai uai aistats colt jmlr tmlr mlsys kdd sigkdd www wsdm cikm sigir recsys icdm sdm
ecir cvpr iccv eccv wacv bmvc accv tpami pami ijcv tip mm acm-mm icra iros corl rss
arxiv corr biorxiv medrxiv ssrn preprint openreview pmlr
nature science pnas plos cacm tkde tois tist tnnls neurocomputing
""".split())
# Words a venue's name is made of: "International Conference on Learning Representations", "J. of …".
_HEAD_WORDS = frozenset("""conference conf proceedings proc journal transactions trans workshop workshops symposium
findings annals letters magazine meeting congress colloquium""".split())
# Journals whose names are ordinary words ("Computational Linguistics, 1993").
_JOURNAL_PHRASES = ("computational linguistics", "machine learning", "artificial intelligence", "neural computation",
                    "neural networks", "cognitive science", "natural language engineering")
# Words of the fields journals are named after, full or in their ISO abbreviations ('J. Mach. Learn. Res.').
_JOURNAL_TOPICS = frozenset("""research res learning learn machine mach intelligence intell artif artificial linguistics
ling computational comput computing science sci processing process language lang information inf data systems syst
neural cognitive cogn statistics stat theory applied appl engineering eng""".split())
_PUBLISHERS = frozenset("ieee acm springer elsevier aaai usenix siam mit".split())
# Words that may stand before a venue's name: "the 2019 Conference…", "Joint Conference…", "57th Annual Meeting…".
_LEAD_WORDS = frozenset("the of on in at and & international annual joint first second third fourth fifth sixth seventh "
                        "eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth "
                        "eighteenth nineteenth twentieth north american european asian asia-pacific ieee acm".split()) \
    | _HEAD_WORDS
_TRACK_WORDS = r"(?:demo(?:s|nstrations?)?|system\s+demonstrations?|workshops?|findings|oral|spotlight|poster|short(?:\s+paper)?|" \
               r"long(?:\s+paper)?|main(?:\s+conference)?|industry(?:\s+track)?|student\s+research\s+workshop|tutorials?|" \
               r"datasets\s+and\s+benchmarks(?:\s+track)?|track|best\s+paper(?:\s+award)?|outstanding\s+paper)"
_DIGIT = re.compile(r"\d")
_TRACK_OFF = re.compile(r"(?:\s|^|\()" + _TRACK_WORDS + r"\)?(?=\s|$)", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:(?:published|accepted|appeared|presented|to\s+appear)\s+(?:in|at|by|to)\s+|in\s*:?\s+|at\s+)?"
                     r"(?:(?:the\s+)?(?:proc(?:eedings)?\s+of|proc\.(?:\s+of)?|proceedings)\s+(?:the\s+)?)?", re.IGNORECASE)
# How a spelled-out venue opens: 'In Proceedings of the 2019 Conference of …', 'Transactions of …'.
_SPELLED_OUT = re.compile(r"^(?:in\s*:?\s+)?(?:the\s+)?(?:proc(?:eedings|\.)|conference|journal|transactions|annual|"
                          r"international|joint|findings)\b", re.IGNORECASE)
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|" \
          r"nov(?:ember)?|dec(?:ember)?)\.?"
# A year as lists write it: 2019, 2019.7, 2022.05, 2019-05-12, 2019/05, May 2019; glued to a venue (ACL2019), 'EMNLP'19'.
_YEAR = re.compile(r"(?<![\w.])(?:" + _MONTHS + r"\s+)?(?P<year>(?:19|20)\d{2})(?:[./-](?:0?[1-9]|1[0-2])(?:[./-]\d{1,2})?)?(?![\w])",
                   re.IGNORECASE)
_GLUED_YEAR = re.compile(r"(?<=[A-Za-z])(?P<year>(?:19|20)\d{2})$")
_SHORT_YEAR = re.compile(r"(?<=\w)\s?['’](?P<yy>\d{2})$")
_YEAR_ONLY = re.compile(r"^[(\[]?\s*(?:" + _MONTHS + r"\s+)?(?P<year>(?:19|20)\d{2})(?:[./-](?:0?[1-9]|1[0-2])(?:[./-]\d{1,2})?)?\s*[)\]]?$",
                        re.IGNORECASE)
_PAGES = re.compile(r"(?:,?\s*(?:pp?\.|pages?)\s*\d+\s*(?:[-–—]+\s*\d+)?|,?\s*(?:vol\.|volume|no\.|issue)\s*\d+"
                    r"|,\s*\d{1,4}\s*(?:\(\d{1,4}\))?\s*:\s*\d+(?:\s*[-–—]+\s*\d+)?|,\s*\d{1,4}\s*\(\d{1,4}\)|,\s*\d{1,5}\s*[-–—]+\s*\d{1,5})(?=\W*$|,)", re.IGNORECASE)
_ARXIV_ID_TAIL = re.compile(r"(?<=\w)(?:\s+preprint)?(?:\s+arxiv)?\s*[:\s]\s*(?:abs/)?\d{4}\.\d{4,5}(?:v\d+)?$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_][\w&.\-/+']*", re.UNICODE)


@dataclass(frozen=True)
class Hint:
    venue: str | None  # as the list writes it, year and "In Proceedings of" taken off
    year: int | None
    raw: str  # the text the hint was read from
    problem: str | None = None  # a mistyped year ('ICLR 202')


def year_only(text: str) -> int | None:
    """'2019', '(2019)', '2019.7', '2022.5', 'May 2019', '2019-05-12' → 2019; anything else → None."""
    m = _YEAR_ONLY.match(clean(text).strip(" .,;:"))
    return int(m.group("year")) if m else None


def _split_year(s: str) -> tuple[str, int | None]:
    """The venue text without its year, and the year ('ACL2019', "EMNLP'19", 'NeurIPS 2019 (Oral)')."""
    found = list(_YEAR.finditer(s))
    if found:
        m = found[-1]
        return (s[: m.start()] + " " + s[m.end():]), int(m.group("year"))
    m = _GLUED_YEAR.search(s)
    if m:
        return s[: m.start()], int(m.group("year"))
    for word in s.split():  # 'ICLR2020 (oral)', 'ACL2019,'
        g = re.fullmatch(r"([A-Za-z][A-Za-z\-]*?)((?:19|20)\d{2})[,;.]?", word)
        if g:
            return s.replace(word, g.group(1), 1), int(g.group(2))
    m = _SHORT_YEAR.search(s)
    if m:
        yy = int(m.group("yy"))
        return s[: m.start()], (2000 + yy if yy <= 40 else 1900 + yy)
    return s, None


def _tidy(venue: str) -> str | None:
    v = clean(venue)
    v = re.sub(r"\s+([,;:])", r"\1", v)
    v = re.sub(r"\(\s*\)", "", v)
    if v.count("(") != v.count(")"):
        v = clean(v.replace("(", " ").replace(")", " "))
    v = v.strip(" ,;:-–—'’.[]")
    while v.startswith("(") and v.endswith(")") and v.count("(") == 1:
        v = v[1:-1].strip()
    if v.count("(") != v.count(")"):
        v = clean(v.replace("(", " ").replace(")", " ")).strip(" ,;:-–—'’.")
    return v or None


def _is_venue_name(v: str) -> bool:
    """Words a venue is named in: a known acronym, a venue word (Conference, Journal, Findings…), or a track."""
    words = _WORD.findall(v)
    if not words or len(words) > (40 if words[0].lower().strip(".,:;") in _LEAD_WORDS else 14):
        return False  # a venue spelled out ('Conference of the North American Chapter of …') is long
    low = [w.lower().strip(".,:;") for w in words]
    if " ".join(low) in _JOURNAL_PHRASES or (low[0] == "j" and len(low) >= 3 and "," not in v
                                             and (low[1] == "of" or any(w in _JOURNAL_TOPICS for w in low[1:]))):
        return True  # "J. of Machine Learning Research", "J. Machine Learning Research", "J. Artif. Intell. Res."
    for k, w in enumerate(low):
        if w in _VENUE_NAMES or w in _HEAD_WORDS or w in _PUBLISHERS or (w.endswith("s") and w[:-1] in _VENUE_NAMES):
            # "ACL 2019", "Findings of ACL: …", "the 57th Annual Meeting…": venue words from the start
            return all(x in _LEAD_WORDS or re.fullmatch(r"\d+(?:st|nd|rd|th)", x) for x in low[:k])
    return only_track(v)


def only_track(venue: str | None) -> bool:
    """'short', 'Oral', 'Demo': a track or a kind of talk, no venue of its own."""
    return bool(venue) and bool(re.fullmatch(_TRACK_WORDS, venue.strip(), re.IGNORECASE))


def _acronym_like(v: str) -> bool:
    """'WSDM', 'ICASSP', 'NeurIPS', 'SemEval', 'ML4H', 'Interspeech': a short name a year may follow."""
    words = v.split()
    if not 1 <= len(words) <= 3:
        return False
    first = words[0].strip(",.:;()")
    return bool(re.fullmatch(r"[A-Z][A-Za-z0-9&\-]{1,15}", first)) and sum(c.isupper() for c in first) >= 2 or \
        (len(words) == 1 and bool(re.fullmatch(r"[A-Z][a-z]{3,15}", first)) and first.lower() in _VENUE_NAMES)


def read_hint(text: str, *, aside: bool = False) -> Hint | None:
    """The venue/year hint `text` is, or None when it is something else (a title, names, a description).

    A year alone is a hint; a venue needs a year, or words venues are named in. `aside`: the text stands in
    parentheses, where whatever carries a year is the hint ('(CS224n Winter2019 Reports)')."""
    raw = clean(text)
    s = raw.strip(" .,;:")
    if s.startswith("(") and s.endswith(")") and s.count("(") == 1:
        s = s[1:-1].strip()
    if not s or len(s) > (400 if _SPELLED_OUT.match(s) else 160):
        return None
    digits = _DIGIT.search(s) is not None  # most spans have none: no year, pages or id to look for
    if digits:
        s = _PAGES.sub("", s).strip(" .,;:") or s  # 'Proc. EMNLP, 2019, pp. 1–10', 'Journal of X, 3(2), 1-10'
        year = year_only(s)
        if year is not None:
            return Hint(None, year, raw)
        s = _ARXIV_ID_TAIL.sub("", s) or s  # '*arXiv:1703.01619*', 'arXiv preprint arXiv:1906.04341'
    if s.lower() in ("arxiv", "corr", "arxiv preprint", "arxiv e-prints"):  # the server, whatever its wording
        return Hint(s if s.lower() == "corr" else "arXiv", None, raw)
    rest, year = _split_year(s) if digits else (s, None)
    rest = _PREFIX.sub("", rest.strip())
    venue = _tidy(rest)
    if venue is None:
        return Hint(None, year, raw) if year else None
    if year is None and re.search(r"(?<![\w.])(?:\d{1,3}|\d{5,})(?![\w.])", venue):
        return None  # 'ICLR 202': a mistyped year, which parse_venue reports
    if re.search(r"\bet\.?\s+al\b|\bpp?\.\s*\d", venue, re.IGNORECASE):
        return None  # '(Sun et al., EMNLP 2019)' is a citation, read by the names reader
    if _is_venue_name(venue):
        return Hint(venue, year, raw)
    if year is not None:
        track_free = _tidy(_TRACK_OFF.sub(" ", venue)) or venue
        if _acronym_like(track_free) or (aside and len(venue.split()) <= 12):
            return Hint(venue, year, raw)
    return None


def parse_venue(inner: str) -> tuple[str | None, int | None, str | None]:
    """What a hint written in parentheses says, mistyped years included:
    'EMNLP 2019' → ('EMNLP', 2019, None); 'ICLR 202' → ('ICLR', None, "year '202' is not a 4-digit year")."""
    s = clean(inner)
    hint = read_hint(s)
    if hint is not None and (hint.year is not None or not re.search(r"\d", s)):
        return hint.venue, hint.year, None
    problem: str | None = None
    year: int | None = None
    fours = list(re.finditer(r"(?<!\d)(\d{4})(?!\d)", s))
    if fours:
        m = fours[-1]
        y = int(m.group(1))
        if 1800 <= y <= 2100:
            year = y
        else:
            problem = f"year '{m.group(1)}' is not a plausible year"
        s = s[: m.start()] + " " + s[m.end():]
    else:
        m = re.search(r"(?<![\w.])(\d{1,3}|\d{5,})(?![\w.])", s)
        if m:
            problem = f"year '{m.group(1)}' is not a 4-digit year"
            s = s[: m.start()] + " " + s[m.end():]
    return _tidy(_PREFIX.sub("", clean(s))), year, problem


def looks_like_venue(inner: str) -> bool:
    """A parenthesis is a hint when it carries a (possibly mistyped) year or names a venue;
    "(BERT)" or "(short version)" at the end of a title belong to the title."""
    s = clean(inner)
    if len(s) > 120:
        return False
    if read_hint(s) is not None:
        return True
    return bool(re.search(r"\d{2,}", s)) and not re.fullmatch(r"[\d,.]+\s*\w*", s) and _acronym_like(
        re.sub(r"\d+", "", s).strip() or "x")


def bare_venue(text: str) -> tuple[str | None, int] | None:
    """('ACL', 2019) for a sentence that is only a venue and a year; None for anything else."""
    hint = read_hint(text)
    if hint is None or hint.year is None:
        return None
    if hint.venue and len(hint.venue.split()) > 10:
        return None
    return hint.venue, hint.year


def replace_year(raw: str, year: int) -> str:
    """The hint with its (mistyped) year replaced, where parse_venue found it (`check --fix`)."""
    fours = list(re.finditer(r"(?<!\d)\d{4}(?!\d)", raw))
    if fours:
        m = fours[-1]
        return raw[: m.start()] + str(year) + raw[m.end():]
    m = re.search(r"(?<![\w.])(\d{1,3}|\d{5,})(?![\w.])", raw)
    if m:
        return raw[: m.start()] + str(year) + raw[m.end():]
    return f"{raw} {year}".strip()
