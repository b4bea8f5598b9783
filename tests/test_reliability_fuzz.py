"""Fuzz the whole back half of the pipeline: arbitrary metadata from the sources → resolve → merge → export.

The list parser and the BibTeX writer have their own property tests; this one feeds arbitrary Record
field values (unicode, braces, backslashes, BibTeX/LaTeX syntax) through resolve_entries (sources
stubbed, no network), merge, citation keys and every exporter, and reads the result back.
"""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atpbib.model import Entry, Ids, Person, Record
from test_reliability_helpers import braces_balanced, parse_bib

NASTY = [
    r"\input{/etc/passwd}", r"\write18{rm -rf ~}", r"\def\x{y}", r"\catcode`\{=12", r"\csname x\endcsname",
    "}, author = {x", "{", "}", "\\", "\\\\", "%", "#", "&", "~", "^", "$", "_", "@misc{evil,", '"', ",", " and ",
    "\n", "\r\n", "\t", "\x00", "\x1b[31m", "\u200b", "\u202e", "{\\'e}", "Ünïcødé", "中文字", "🙂", "ﬁ", "–", "\ufeff",
]
text = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)), max_size=6).map("".join),
)
maybe = st.one_of(st.none(), text)
# A source always has *some* title (an empty one is the known merge bug, tested on its own below).
title = text.filter(lambda t: t != "")
people = st.lists(st.builds(Person, family=text, given=text), max_size=4).map(tuple)


@st.composite
def paper(draw, i: int):
    """What arXiv and the ACL Anthology 'say' about paper i: every free-text field arbitrary."""
    arxiv_id, acl_id = f"2001.{i:05d}", f"2020.fuzz-{i}"
    common = dict(authors=draw(people), year=draw(st.one_of(st.none(), st.integers(1000, 2999))),
                  month=draw(st.one_of(st.none(), st.integers(1, 12))))
    arxiv = Record(source="arxiv", source_key=arxiv_id, title=draw(title), venue="arXiv", abstract=draw(maybe),
                   primary_class=draw(maybe), url=draw(maybe), ids=Ids(arxiv=arxiv_id), comment=draw(maybe),
                   journal_ref=draw(maybe), **common)
    acl = Record(source="acl", source_key=acl_id, title=draw(title), authors=draw(people), year=common["year"],
                 type=draw(st.sampled_from(["inproceedings", "article", "misc", "book", "phdthesis"])),
                 published=True, venue=draw(maybe), container_title=draw(maybe), pages=draw(maybe),
                 volume=draw(maybe), number=draw(maybe), publisher=draw(maybe), address=draw(maybe),
                 editors=draw(people), url=draw(maybe), abstract=draw(maybe), ids=Ids(acl=acl_id))
    return arxiv, acl


@st.composite
def papers(draw):
    return [draw(paper(i)) for i in range(draw(st.integers(1, 3)))]


LIVE_TEX = re.compile(r"\\(input|include|write|immediate|def|edef|catcode|csname)(?![a-zA-Z])")
EXISTING = "% my library\n@misc{existing2001,\n  title = {Zzyzx Qwerty Existing Entry},\n  year = {2001}\n}\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers())
def test_arbitrary_metadata_survives_resolve_merge_export(records):
    from atpbib.export import export_works
    from atpbib.export.bibtex import merge_into
    from atpbib.keys import assign_keys
    from atpbib.resolve import resolve_entries
    from atpbib.sources import acl, arxiv

    entries = [Entry(section=("Fuzz",), line=i + 1, title=f"Listed paper number {i}",
                     ids=Ids(arxiv=f"2001.{i:05d}", acl=f"2020.fuzz-{i}")) for i in range(len(records))]
    by_arxiv = {r[0].source_key: r[0] for r in records}
    by_acl = {r[1].source_key: r[1] for r in records}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(arxiv, "fetch_by_ids", lambda fetcher, ids, *a, **k: {i: by_arxiv[i] for i in ids if i in by_arxiv})
        mp.setattr(acl, "fetch_bib", lambda fetcher, acl_id, *a, **k: by_acl.get(acl_id))
        result = resolve_entries(entries, None)
    works = assign_keys(result.works)
    assert works and len(works) <= len(records)
    assert {e.line for w in works for e in w.entries} == {e.line for e in entries}, "no list entry may be lost"
    assert all(w.key for w in works) and len({w.key for w in works}) == len(works)

    for fmt in ("bibtex", "biblatex"):
        text = export_works(works, fmt)
        back = parse_bib(text)
        assert len(back) == len(works), (fmt, text)
        assert [e.key for e in back] == [w.key for w in works]
        for e in back:
            assert braces_balanced(e.raw), (fmt, e.raw)
        assert not LIVE_TEX.search(text), (fmt, LIVE_TEX.search(text).group(0))
        assert "\x00" not in text and "\x1b" not in text

        merged = merge_into(EXISTING, works, fmt=fmt)
        assert merged.startswith(EXISTING)
        assert [e.key for e in parse_bib(merged)] == ["existing2001"] + [w.key for w in works]
        assert braces_balanced(merged[len(EXISTING):])

    items = json.loads(export_works(works, "csl-json"))
    assert len(items) == len(works) and [i["id"] for i in items] == [w.key for w in works]


def test_a_record_without_title_does_not_abort_the_merge():
    from atpbib.inputs.markdown import query_of
    from atpbib.merge import merge

    entry = Entry(section=("Fuzz",), line=1, title="Listed title", ids=Ids(openreview="SJlPOCEKvH"))
    note = Record(source="openreview", source_key="SJlPOCEKvH", title="", ids=Ids(openreview="SJlPOCEKvH"))
    work = merge([query_of(entry)], [note])
    assert work.title == "Listed title"


# -- hostile list text: the reader's work grows linearly (ISSUE 22 item 6) ----------------------------------
# The timing lives in benchmarks/hostile_files.py; here the markdown-it work is counted (every step of its
# inline scanner is one `skipToken`), so the test is about growth, not about the machine's speed.

def _scanner_steps(text: str) -> int:
    from atpbib.listparse import document

    md = document._markdown()
    steps = 0
    original = md.inline.skipToken

    def counted(state):
        nonlocal steps
        steps += 1
        return original(state)

    md.inline.skipToken = counted
    md.parse(text, {})
    return steps


HOSTILE_RUNS = {
    "[": lambda n: "- " + "[" * n + "\n",
    "![": lambda n: "- " + "![" * n + "\n",
    "[x…]": lambda n: "- " + "[x" * n + "]\n",
    "[[…]]": lambda n: "- " + "[" * n + "]" * n + "\n",
}


@pytest.mark.parametrize("name", HOSTILE_RUNS)
def test_runs_of_brackets_cost_the_scanner_a_bounded_amount_per_extra_character(name):
    make = HOSTILE_RUNS[name]
    small, large = make(4000), make(8000)
    extra = _scanner_steps(large) - _scanner_steps(small)
    # before: about 100 scanner steps for every added character (each `[` searched the rest of the line)
    assert extra <= 2 * (len(large) - len(small)), (name, extra)


def test_links_still_read_next_to_a_run_of_brackets():
    from atpbib.listparse import parse_list

    text = "- " + "[" * 5000 + " [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
    entries = parse_list(text, "x.md").entries
    assert [e.ids.arxiv for e in entries] == ["1706.03762"]
