"""BibTeX/BibLaTeX writer: entry types, text safety, case protection, names, merge into a library."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_export_data import HOSTILE_TITLES, bert_work, cjk_works, golden_works, hostile_works  # noqa: E402

from atpbib.export import export_works, format_for_path  # noqa: E402
from atpbib.export.bibtex import bib_name, library_keys, merge_into, plan_merge  # noqa: E402
from atpbib.export.latex import braces_balanced, escape_text, latex_title  # noqa: E402
from atpbib.keys import assign_keys  # noqa: E402
from atpbib.model import Entry, Ids, Person, Work  # noqa: E402


def work(title="A Title", authors=(("Doe", "Jane"),), year=2020, key="", **kw):
    section = kw.pop("section", ("Sec",))
    return Work(title=title, origins=(Entry(section=section, line=1, title=title),),
                authors=tuple(Person(*a) for a in authors), year=year, key=key, **kw)


def parse(text: str):
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    return lib


# -- decoding our own escapes back to text (pylatexenc + the text commands we emit) --------------------------

def _decoder():
    from pylatexenc import latex2text

    db = latex2text.get_default_latex_context_db()
    extra = [latex2text.MacroTextSpec(name, text) for name, text in (
        ("textbraceleft", "{"), ("textbraceright", "}"), ("textbackslash", "\\"),
        ("textasciitilde", "~"), ("textasciicircum", "^"))]
    db.add_context_category("atpbib", prepend=True, macros=extra)
    return latex2text.LatexNodes2Text(latex_context=db, math_mode="verbatim")


DECODE = _decoder()


def decode(value: str) -> str:
    return DECODE.latex_to_text(value)


# -- entry types -------------------------------------------------------------------------------------------

def test_types_by_what_the_work_is():
    ws = assign_keys([
        work(type="inproceedings", container_title="Proc. X"),
        work(title="B", type="article", container_title="J. X"),
        work(title="C", type="article", container_title="CoRR", ids=Ids(arxiv="1909.10351"), volume="abs/1909.10351"),
        work(title="D", type="misc", ids=Ids(arxiv="1909.10351")),
        work(title="E", kind="book", type="book", publisher="P"),
        work(title="F", kind="blog", authors=(), url="https://x.org/post"),
        work(title="G", kind="repository", authors=(), ids=Ids(github="a/b")),
        work(title="H", kind="talk", url="https://x.org/talk"),
        work(title="I", kind="website", authors=(), url="https://gluebenchmark.com/leaderboard"),
    ])
    heads = re.findall(r"^@(\w+)\{", export_works(ws, "bibtex"), re.M)
    assert heads == ["inproceedings", "article", "misc", "misc", "book", "misc", "misc", "misc", "misc"]
    heads = re.findall(r"^@(\w+)\{", export_works(ws, "biblatex"), re.M)
    assert heads == ["inproceedings", "article", "online", "online", "book", "online", "software", "misc", "online"]
    assert "url = {https://gluebenchmark.com/leaderboard}" in export_works(ws[-1:], "bibtex")


def test_corr_article_becomes_arxiv_misc_not_a_journal():
    w = assign_keys([work(type="article", container_title="CoRR", ids=Ids(arxiv="1909.10351"), primary_class="cs.CL")])[0]
    bib = export_works([w], "bibtex")
    assert "howpublished = {arXiv preprint arXiv:1909.10351}" in bib
    assert "journal" not in bib and "CoRR" not in bib
    assert "url = {https://arxiv.org/abs/1909.10351}" in bib


def test_published_paper_also_carries_its_other_ids():
    w = assign_keys([work(type="inproceedings", container_title="Proc", ids=Ids(arxiv="1810.04805", acl="N19-1423"),
                          doi="10.18653/v1/n19-1423", primary_class="cs.CL")])[0]
    bib = export_works([w], "bibtex")
    assert "eprint = {1810.04805}" in bib and "doi = {10.18653/v1/n19-1423}" in bib
    assert "url = {https://aclanthology.org/N19-1423}" in bib
    assert "howpublished" not in bib


def test_incomplete_inproceedings_is_written_as_misc():
    w = assign_keys([work(authors=(), type="inproceedings", container_title="Proc")])[0]
    assert export_works([w], "bibtex").startswith("@misc{")


def test_one_entry_per_work_in_the_order_given_and_sections_as_keywords():
    e1 = Entry(section=("Pretrained Language Model", "Compression"), line=5, title="T")
    e2 = Entry(section=("Transformer", "Papers"), line=9, title="T")
    multi = Work(title="TinyBERT", origins=(e1, e2), authors=(Person("Jiao", "Xiaoqi"),), year=2020)
    ws = assign_keys([work(title="Zeta"), multi, work(title="Alpha")])
    text = export_works(ws, "bibtex")
    lib = parse(text)
    assert [e.key for e in lib.entries] == [w.key for w in ws]
    assert lib.entries[1]["keywords"] == "Pretrained Language Model/Compression, Transformer/Papers"


def test_works_without_keys_get_keys():
    text = export_works([work(title="Zeta"), work(title="Zeta")], "bibtex")
    assert [e.key for e in parse(text).entries] == ["doe2020zeta", "doe2020zetaa"]


def test_format_for_path():
    assert format_for_path("out.bib") == "bibtex"
    assert format_for_path(Path("x/out.JSON")) == "csl-json"
    assert format_for_path("out.txt") == "bibtex"


# -- text safety -------------------------------------------------------------------------------------------

def test_non_ascii_letters_are_latex_escaped_in_bibtex_and_kept_in_biblatex():
    assert escape_text("Gábor") == "G{\\'a}bor"
    assert bib_name(Person("Müller", "Gábor")) == 'M{\\"u}ller, G{\\\'a}bor'
    assert bib_name(Person("Müller", "Gábor"), keep_unicode=True) == "Müller, Gábor"
    w = assign_keys([work(title="Über Straße", authors=(("Wübben", "Dirk"),))])[0]
    assert export_works([w], "bibtex").isascii()
    assert "Über Straße" in export_works([w], "biblatex")


def test_cjk_is_kept_as_utf8():
    text = export_works(cjk_works(), "bibtex")
    assert "深度学习中的注意力模型（2017版）" in text and "预训练语言模型综述" in text
    assert len(parse(text).entries) == 2


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_hostile_metadata_is_inert(fmt):
    ws = hostile_works()
    text = export_works(ws, fmt)
    lib = parse(text)
    assert len(lib.entries) == len(ws)
    assert braces_balanced(text)
    # no command of the input survives as a command
    for cmd in ("\\input", "\\end{", "\\textbf", "\\\\"):
        assert cmd not in text
    for entry in lib.entries:
        for f in entry.fields:
            assert braces_balanced(f.value)
            # the only commands are the text commands we emit
            for name in re.findall(r"\\([A-Za-z]+)", f.value):
                assert name in {"textbackslash", "textbraceleft", "textbraceright", "textasciitilde",
                                "textasciicircum", "L", "ss", "o"}, name
    titles = [e["title"] for e in lib.entries]
    for original in HOSTILE_TITLES:
        assert original in [decode(t) for t in titles]


def test_hostile_field_cannot_open_a_new_field():
    w = assign_keys([work(title="}, author = {x", container_title="}, publisher = {pwned", type="inproceedings")])[0]
    entry = parse(export_works([w], "bibtex")).entries[0]
    assert set(entry.fields_dict) >= {"title", "booktitle"}
    assert "publisher" not in entry.fields_dict
    assert entry["author"] == "Doe, Jane"


def test_long_title_survives_whole():
    ws = hostile_works(long_len=5000)
    long = next(w for w in ws if len(w.title) > 4000)
    lib = parse(export_works([long], "bibtex"))
    assert decode(lib.entries[0]["title"]) == long.title


def test_names():
    assert bib_name(Person("van der Berg, Jr.", "Jan")) == "van der Berg, Jr., Jan"
    assert bib_name(Person("Sinovation")) == "{Sinovation}"
    assert bib_name(Person("OpenAI", "")) == "{OpenAI}"
    assert bib_name(Person("Smith and Sons", "Anna")) == "{Smith and Sons}, Anna"
    assert bib_name(Person("", "")) is None
    w = assign_keys([work(authors=())])[0]
    assert "author" not in parse(export_works([w], "bibtex")).entries[0].fields_dict


def test_urls_and_dois_are_not_broken():
    w = assign_keys([work(url="https://mp.weixin.qq.com/s?__biz=MzI==&mid=2&sn=2b#wechat_redirect",
                          doi="10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0")])[0]
    bib = parse(export_works([w], "bibtex")).entries[0]
    assert bib["url"] == "https://mp.weixin.qq.com/s?__biz=MzI==&mid=2&sn=2b\\#wechat_redirect"
    assert bib["doi"] == "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"
    biblatex = parse(export_works([w], "biblatex")).entries[0]
    assert biblatex["url"] == "https://mp.weixin.qq.com/s?__biz=MzI==&mid=2&sn=2b#wechat_redirect"
    odd = assign_keys([work(url="https://x.org/a b/{c}\\d")])[0]
    assert parse(export_words := export_works([odd], "biblatex")).entries[0]["url"] == "https://x.org/a%20b/%7Bc%7D%5Cd"
    assert braces_balanced(export_words)


# -- case protection ---------------------------------------------------------------------------------------

def test_case_protection_of_acronyms_and_mixed_case():
    assert latex_title("TinyBERT: Distilling BERT") == "{TinyBERT}: Distilling {BERT}"
    assert latex_title("Language Models are Unsupervised Multitask Learners GPT-2") .endswith("{GPT}-2")
    assert latex_title("XLNet and RoBERTa beat ELMo") == "{XLNet} and {RoBERTa} beat {ELMo}"
    assert latex_title("Exploring the Limits of T5") == "Exploring the Limits of {T5}"
    assert latex_title("Attention is All you Need") == "Attention is All you Need"


def test_list_nicknames_extend_the_lexicon():
    title = "Reformer: The Efficient Transformer"
    assert latex_title(title) == "{Reformer}: The Efficient Transformer"
    assert latex_title(title, extra=["Transformer"]) == "{Reformer}: The Efficient {Transformer}"
    assert latex_title("ERNIE and THU", extra=["ERNIE (THU)"]) == "{ERNIE} and {THU}"


# -- fuzz ----------------------------------------------------------------------------------------------------

names = st.builds(Person, family=st.text(max_size=20), given=st.text(max_size=20))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=4),
       authors=st.lists(names, max_size=4), flavour=st.sampled_from(["bibtex", "biblatex"]))
def test_fuzz_any_unicode_gives_a_parseable_balanced_file(titles, authors, flavour):
    ws = [Work(title=t, origins=(Entry(section=(t[:10] or "s",), line=1, title=t),), authors=tuple(authors),
               container_title=t[::-1] or None, url=("https://x.org/" + t) if t else None)
          for t in titles]
    text = export_works(assign_keys(ws), flavour)
    assert braces_balanced(text)
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks
    assert len(lib.entries) == len(ws)
    for e in lib.entries:
        assert braces_balanced(e["title"]) if "title" in e.fields_dict else True


# -- merging into an existing library ------------------------------------------------------------------------

EXISTING = (
    "% my library -- hand formatted, must stay as it is\r\n"
    "@string{acl = \"Association for Computational Linguistics\"}\r\n\r\n"
    "@InProceedings{Devlin:BERT,\r\n"
    "   title={{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding},\r\n"
    "   author = \"Devlin, Jacob and others\",\r\n"
    "   publisher = acl,\r\n"
    "   doi = {10.18653/v1/N19-1423}}\r\n\r\n"
    "@article{tinybert,\r\n  title = {TinyBERT},\r\n  eprint = {1909.10351}, archivePrefix = {arXiv}\r\n}\r\n"
    "@misc{acl-entry, title = {Something}, url = {https://www.aclweb.org/anthology/P19-1295/}}\n"
    "@misc{arxiv-url, title = {Else}, url = {https://arxiv.org/pdf/1910.10683v3.pdf}}\n"
    "@misc{byTitle, title = {Attention is All you Need}}\n"
    "@misc{jiao2020tinybert, title = {Unrelated}}"  # no final newline
)


def test_merge_keeps_existing_library_byte_for_byte_and_skips_duplicates():
    bert = bert_work()  # DOI 10.18653/v1/n19-1423: already there as Devlin:BERT
    new = [
        bert,
        work(title="TinyBERT again", authors=(("Jiao", "Xiaoqi"),), ids=Ids(arxiv="1909.10351")),  # eprint
        work(title="Leveraging", ids=Ids(acl="P19-1295")),  # ACL url
        work(title="T5", ids=Ids(arxiv="1910.10683")),  # arXiv url
        work(title="Attention Is All You Need.", authors=(("Vaswani", "Ashish"),), year=2017),  # title ≥ 95
        work(title="TinyBERT: Distilling BERT for Natural Language Understanding", authors=(("Jiao", "Xiaoqi"),)),
        work(title="A Brand New Paper", authors=(("Doe", "Jane"),)),
    ]
    new = assign_keys(new, existing=library_keys(EXISTING))
    merged = merge_into(EXISTING, new)
    assert merged.startswith(EXISTING)
    added = merged[len(EXISTING):]
    lib = parse(added)
    titles = [e["title"] for e in lib.entries]
    assert titles == ["{TinyBERT}: Distilling {BERT} for Natural Language Understanding", "A Brand New Paper"]
    keys = [e.key for e in lib.entries]
    assert keys[0] != "jiao2020tinybert" and keys[0].lower() not in {k.lower() for k in library_keys(EXISTING)}
    to_add, dups = plan_merge(EXISTING, new)
    assert dups["Attention Is All You Need."] == "byTitle"
    assert dups[bert.title] == "Devlin:BERT"


def test_merge_with_nothing_new_returns_the_library_unchanged():
    assert merge_into(EXISTING, [bert_work()]) == EXISTING


def test_merge_into_empty_library_is_a_plain_export():
    ws = golden_works()[:2]
    assert merge_into("", ws) == export_works(ws, "bibtex")


def test_merge_avoids_existing_keys_even_if_not_told():
    w = work(title="Zeta", key="doe2020zeta")
    merged = merge_into("@misc{doe2020zeta, title = {Other}}\n", [w])
    assert [e.key for e in parse(merged).entries] == ["doe2020zeta", "doe2020zetaa"]


def test_library_keys_sees_every_entry():
    assert library_keys(EXISTING) == ["Devlin:BERT", "tinybert", "acl-entry", "arxiv-url", "byTitle", "jiao2020tinybert"]


def test_merging_an_export_into_itself_adds_nothing():
    ws = golden_works() + hostile_works()
    for fmt in ("bibtex", "biblatex"):
        text = export_works(ws, fmt)
        assert merge_into(text, ws, fmt=fmt) == text
