"""Who wrote it: the names in a list item, as the list writes them ("A. Author, B. Author and C. Author",
"Bronstein, Michael M and Bruna, Joan", "Vaswani et al."), told apart from title words in Title Case."""
from __future__ import annotations

import re

from ..names import PARTICLES
from .text import SEPARATORS, clean

# Capitalised words that open titles, never names (a title in Title Case must not read as an author).
_TITLE_WORDS = frozenset("""The Of For With Via From Is Are All Your We Does What How Why Not Towards Toward Using
Beyond Into Over Under Learning Neural Network Networks Language Languages Model Models Deep Attention Transformer
Transformers Pre-training Pre-Training Pretraining Training Representation Representations Understanding Generation
Analysis Survey Review Data Text Large Efficient Self-Attention Self-Supervised Knowledge Reading Comprehension
Question Answering Machine Translation Sequence Encoder Decoder Embeddings Word Words Sentence Graph Vision Visual
Image Images Multi-Task Unsupervised Supervised Semi-Supervised Fine-Tuning Fine-tuning Tuning Task Tasks Adaptive
Pretrained Contextual Contextualized Bidirectional Universal Generative Discriminative Dense Sparse Robust
Benchmark Dataset Corpus Approach Framework Method Methods Study Toward Need Really Good Better Simple New""".split()) | \
    frozenset(  # the closed class of English function words, less those that are also names ('He', 'You', 'Or', 'In')
        """About Above Across After Against Along Amid Among Around At Before Behind Below Beneath Beside Besides Between
        By Despite During Except Inside Near Off Onto Outside Past Since Than Through Throughout Unlike Until Upon Within
        Without Nor If When Where While Whether Because Although Though This That These Those It Its Our Their Does Be
        Been Every Each Which Who Whom Whose""".split())
_LAST_INITIAL = re.compile(r"\b[^\W\d_]\.$")
_INITIAL = re.compile(r"^(?:[A-Z]\.)(?:-?[A-Z]\.)*$")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’\-.]*(?:[-'’][^\W\d_]+)*\.?$")
_AUTHORS_SAID = re.compile(r"^(?:authors?\s*[:：]|(?:written\s+)?by\s)\s*", re.IGNORECASE)
ET_AL = re.compile(r",?\s*(?:et\.?\s*al\.?\*?|and\s+others|etc\.?|\.\.\.|…)\s*[*†‡]*\s*$", re.IGNORECASE)
# Authors that are organisations: 'OpenAI', 'Google Research', 'The BigScience Workshop', 'Meta AI'.
_ORG_WORDS = frozenset("""ai research lab labs team group institute university inc inc. corp corporation company workshop
consortium collaboration project openai deepmind anthropic google meta facebook microsoft baidu alibaba huawei tencent
nvidia salesforce eleutherai bigscience huggingface ai2 amazon apple ibm intel""".split())
_ESCAPED_ACCENT = re.compile(r"\{([`'^\"~=.])\s*\{?([A-Za-z])\}?\}")
_CAMEL_JOIN = re.compile(r"^(?P<a>[A-Z][a-z]+(?:-[A-Z][a-z]+)+)(?P<b>[A-Z][a-z]+)$")  # 'Jane-LingWang'
_LATEX_ACCENT = re.compile(r"\{?\\[`'^\"~=.uvHckbdr]\s*\{?[A-Za-z]\}?\}?|\{?\\(?:ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)\b\}?")


def is_name_word(word: str) -> bool:
    """A capitalised word that is not an acronym (BERT, GPT) or a word titles are made of."""
    return (bool(_NAME_WORD.match(word)) and word[0].isupper() and word not in _TITLE_WORDS
            and not (len(word) >= 3 and "." not in word and (word.isupper() or re.search(r"[A-Z]{2}", word)
                                                            and re.search(r"[a-z]", word))))  # 'XLNet', 'NeurIPS'


def delatex(text: str) -> str:
    """'Aky{\\"{u}}rek' → 'Akyürek': LaTeX accents as the letters they print, in names written from BibTeX."""
    if "{" in text:  # Markdown took the backslash of '{\\"{u}}' as an escape: '{"{u}}' is left
        text = _ESCAPED_ACCENT.sub(lambda m: "{\\" + m.group(1) + m.group(2) + "}", text)
    if "\\" not in text:
        return text
    from ..names import latex_to_text

    return _LATEX_ACCENT.sub(lambda m: latex_to_text(m.group()), text).replace("{", "").replace("}", "") \
        if _LATEX_ACCENT.search(text) else text


def is_organisation(part: str) -> bool:
    words = part.split()
    return 1 <= len(words) <= 5 and words[0][:1].isupper() and any(w.lower().strip(".,") in _ORG_WORDS for w in words)


def _is_name(part: str) -> bool:
    words = part.split()
    if not 2 <= len(words) <= 5:
        return False
    for k, word in enumerate(words):
        if _INITIAL.match(word) or (word in PARTICLES and 0 < k < len(words) - 1):
            continue
        if k > 0 and (re.fullmatch(r"(?:d|l|dell|dall)['’][A-Z][^\W\d_]+", word)
                      or (re.fullmatch(r"[a-z]\.", word) and k < len(words) - 1)):
            continue  # "Cyprien de Masson d'Autume", 'C. d. M. d'Autume' (a particle's initial)
        if not is_name_word(word):
            return False
    return not _INITIAL.match(words[-1])  # 'Devlin J.' is written family first; 'J. Devlin' ends with the family


def names_in(text: str, *, single: bool = False) -> tuple[str, ...] | None:
    """'A. Author, B. Author and C. Author' → the names; None when the text is not a list of people.
    `single`: one name alone counts (it was set apart, in italics)."""
    t = clean(text).strip(" ;:")
    if not _LAST_INITIAL.search(t):  # a last initial keeps its full stop: 'Smith, Noah A.', '& Kaiser, Ł.'
        t = t.strip(" .;:")
    t, said = _AUTHORS_SAID.subn("", t)  # "Authors: …", "by …": the list says these are people
    single = single or bool(said)
    t = re.sub(r"(?<=[^\W\d])\d+(?=,|$|\s)", "", re.sub(r"[*†‡§¶]+", "", t))  # footnote and affiliation marks
    t, et_al = ET_AL.subn("", t)
    if not t or len(t) > 2000:
        return None
    bibtex = [p.strip() for p in re.split(r"\s+and\s+", t)]
    if len(bibtex) > 1 and all(p.count(",") == 1 for p in bibtex):  # "Bronstein, Michael M and Bruna, Joan"
        t = ", ".join(" ".join(reversed([x.strip() for x in p.split(",")])) for p in bibtex)
    parts = [p.strip() for p in re.split(r",|;|\s+&\s+|\s+and\s+", t)]
    parts = _family_first_pairs([_unjoin(re.sub(r"^(?:and|&)\s+", "", p)) for p in parts if p])
    lone_family = et_al and len(parts) == 1 and (  # "Vaswani et al.", "Deep Ganguli et al."
        is_name_word(parts[0]) or (len(parts[0].split()) <= 3 and all(_NAME_WORD.match(x) and x[0].isupper()
                                                                       for x in parts[0].split())))
    if not parts or not (lone_family or all(_is_name(p) or is_organisation(p) for p in parts)):
        return None
    single = single or bool(et_al)
    if len(parts) == 1 and not single:
        return None
    return tuple(parts)


def _unjoin(part: str) -> str:
    """'Jane-LingWang' → 'Jane-Ling Wang': a list that lost the space between given and family name."""
    words = part.split()
    if len(words) == 1 and (m := _CAMEL_JOIN.match(words[0])):
        return f"{m.group('a')} {m.group('b')}"
    return part


def _family_first_pairs(parts: list[str]) -> list[str]:
    """'Raffel, C., Shazeer, N.' (APA), 'Sato, Motoki, Jun Suzuki', 'Author, Ann, and Bob Writer' (Chicago):
    a lone family name followed by its given name or initials is one person, written given name first."""
    out: list[str] = []
    i = 0
    guessed = 0  # pairs of two lone words: a family-first name only beside names written whole
    while i < len(parts):
        p = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        fam = p.split()
        if nxt is not None and fam and all(x.lower() in PARTICLES for x in fam[:-1]) and len(fam) <= 3 \
                and is_name_word(fam[-1]) and not p.endswith("."):
            if _INITIAL.match(nxt.replace(" ", "")) or re.fullmatch(r"[A-Z](?:\.?\s?-?[A-Z])*\.?", nxt):
                out.append(f"{nxt if nxt.endswith('.') else nxt + '.'} {p}")
                i += 2
                continue
            if len(nxt.split()) == 1 and is_name_word(nxt):
                out.append(f"{nxt} {p}")
                guessed += 1
                i += 2
                continue
            given = nxt.split()
            if i == 0 and len(fam) == 1 and len(given) == 2 and is_name_word(given[0]) and i + 2 < len(parts) \
                    and (is_name_word(given[1]) or _INITIAL.match(given[1])) and len(parts[i + 2].split()) >= 2:
                out.append(f"{nxt} {p}")  # Chicago: 'Htut, Phu Mon, Jason Phang', 'Peters, Matthew E., Mark Neumann'
                i += 2
                continue
        out.append(p)
        i += 1
    return out if guessed == 0 or len(out) > guessed else parts


def split_title_authors(text: str) -> tuple[str, tuple[str, ...]]:
    """'Title, A. Author, B. Author' → ('Title', names): the authors are the longest run of names at the end."""
    parts = [p.strip() for p in clean(text).split(",")]
    k = len(parts)
    while k > 1 and (names_in(parts[k - 1], single=True) or ET_AL.fullmatch(" " + parts[k - 1])):
        if k < len(parts) and re.match(r"^(?:and|&)\s", parts[k - 1]):
            break  # '…, Data Orders, and Early Stopping, Jesse Dodge et al.': 'and' comes before a list's last name
        k -= 1  # part by part from the end: linear however long the text
    names = names_in(", ".join(parts[k:]), single=True) if k < len(parts) else None
    if not names and len(text) <= 3000:  # names that are several parts each: 'Htut, Phu Mon and Phang, Jason', APA
        for j in range(1, len(parts)):
            head, tail = ", ".join(parts[:j]), ", ".join(parts[j:])
            if len(tail) < 8 or not re.search(r"[,&]|\sand\s", tail):
                break
            if head.strip() and (found := names_in(tail)) and len(found) >= 2:
                return head.strip(SEPARATORS + "."), found
    if names:
        return ", ".join(parts[:k]).strip(SEPARATORS + "."), names
    return clean(text).strip(SEPARATORS), ()



def families(text: str) -> tuple[str, ...]:
    """'Faruqui and Dyer', 'Peters et al.' → the family names a file name keeps."""
    words = [w.strip() for w in re.split(r"\s+and\s+|,|&", ET_AL.sub("", text)) if w.strip()]
    return tuple(words) if words and all(is_name_word(w) or _is_name(w) for w in words) else ()
