"""select.py: --section by name or path, case-insensitive, subtrees, ambiguity and unknown-name errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from atpbib.listparse import ParsedList, load_list, parse_list
from atpbib.select import SectionError, resolve_sections, select_entries

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"


@pytest.fixture(scope="module")
def bundled() -> ParsedList:
    return load_list(None)


def test_empty_selection_is_everything(bundled: ParsedList) -> None:
    assert select_entries(bundled, []) == bundled.entries
    assert select_entries(bundled, None) == bundled.entries


def test_by_heading_name_case_insensitive(bundled: ParsedList) -> None:
    for name in ("Compression", "compression", "  COMPRESSION "):
        assert resolve_sections(bundled, [name]) == [("Pretrained Language Model", "Compression")]
    picked = select_entries(bundled, ["compression"])
    assert len(picked) == 16
    assert {e.section for e in picked} == {("Pretrained Language Model", "Compression")}
    assert [e.line for e in picked] == list(range(112, 128))


def test_by_path_suffix_or_full(bundled: ParsedList) -> None:
    assert resolve_sections(bundled, ["Transformer/Papers"]) == [("Transformer", "Papers")]
    assert resolve_sections(bundled, ["transformer / papers"]) == [("Transformer", "Papers")]
    assert resolve_sections(bundled, ["Pretrained Language Model/Chinese Blog"]) == [
        ("Pretrained Language Model", "Chinese Blog")
    ]
    assert [e.line for e in select_entries(bundled, ["Transformer/Papers"])] == list(range(34, 46))


def test_heading_selects_its_subtree(bundled: ParsedList) -> None:
    picked = select_entries(bundled, ["Transformer"])
    assert len(picked) == 12 + 3 + 5 + 3
    assert {e.section[0] for e in picked} == {"Transformer"}
    assert len(select_entries(bundled, ["attention"])) == 10 + 1 + 1 + 2 + 1


def test_ambiguous_name_lists_matching_paths(bundled: ParsedList) -> None:
    with pytest.raises(SectionError) as info:
        resolve_sections(bundled, ["Papers"])
    msg = str(info.value)
    assert "ambiguous" in msg and "Attention/Papers" in msg and "Transformer/Papers" in msg and "\n" not in msg
    with pytest.raises(SectionError) as info:
        select_entries(bundled, ["chinese blog"])
    msg = str(info.value)
    for path in ("Attention/Chinese Blog", "Transformer/Chinese Blog", "Pretrained Language Model/Chinese Blog"):
        assert path in msg


def test_unknown_name_lists_nearest(bundled: ParsedList) -> None:
    with pytest.raises(SectionError) as info:
        resolve_sections(bundled, ["Compresion"])
    msg = str(info.value)
    assert "unknown section 'Compresion'" in msg and "Pretrained Language Model/Compression" in msg and "\n" not in msg
    with pytest.raises(SectionError) as info:
        resolve_sections(bundled, ["Transformer/Paper"])
    assert "Transformer/Papers" in str(info.value)
    with pytest.raises(SectionError) as info:
        resolve_sections(bundled, ["zzzzzz"])
    assert "Attention" in str(info.value) and "Pretrained Language Model" in str(info.value)
    with pytest.raises(SectionError):
        resolve_sections(bundled, ["  /  "])


def test_several_names_union_in_list_order(bundled: ParsedList) -> None:
    picked = select_entries(bundled, ["Compression", "Transformer", "transformer/papers", "Attention/Papers"])
    lines = [e.line for e in picked]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    assert len(picked) == 16 + 23 + 10
    assert resolve_sections(bundled, ["Compression", "compression", "Transformer"]) == [
        ("Pretrained Language Model", "Compression"),
        ("Transformer",),
    ]


def test_full_path_beats_suffix_match() -> None:
    text = (
        "# Doc\n## Models\n- a [[paper]](https://arxiv.org/abs/1909.10351)\n"
        "## Other\n### Models\n- b [[paper]](https://arxiv.org/abs/1909.11942)\n"
    )
    parsed = parse_list(text)
    assert resolve_sections(parsed, ["models"]) == [("Models",)]  # the exact full path wins
    assert [e.title for e in select_entries(parsed, ["Other/Models"])] == ["b"]


def test_deeper_paths_and_other_shapes() -> None:
    parsed = load_list(str(LISTS / "other_shapes.md"))
    assert [e.line for e in select_entries(parsed, ["Decoders"])] == [20, 22, 24, 29, 30]
    assert [e.line for e in select_entries(parsed, ["grouped"])] == [29, 30]
    assert [e.line for e in select_entries(parsed, ["Language Models/Decoders/Grouped"])] == [29, 30]
    assert select_entries(parsed, ["Contents"]) == ()  # a heading without entries selects nothing
