"""The scorer of benchmarks/lists.py --truth (issue 19's Measure): it must count what the labels say, on a tiny
list and labels written here — never on the public lists it is run on."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_lists", ROOT / "benchmarks" / "lists.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up by name
    spec.loader.exec_module(mod)
    return mod


def entry(line, title, kind="paper", authors=(), venue=None, year=None, arxiv=None):
    ids = dict.fromkeys(("arxiv", "acl", "openreview", "pmlr", "neurips", "doi", "github"))
    ids["arxiv"] = arxiv
    return {"line": line, "title": title, "kind": kind, "authors": list(authors), "venue": venue, "year": year,
            "ids": ids, "links": []}


TRUTH = {"items": [
    {"line": 1, "text": "- A. B, C. D. 2019. [Good Title](https://arxiv.org/abs/1901.00001). In *Proc. of ACL 2019*.",
     "paper": True, "title": "Good Title", "authors": ["A. B", "C. D"], "venue": "ACL", "year": 2019, "arxiv": "1901.00001"},
    {"line": 2, "text": "- [Second Paper](https://arxiv.org/abs/1902.00002v3) (NeurIPS 2019)",
     "paper": True, "title": "Second Paper", "authors": [], "venue": "NeurIPS", "year": 2019, "arxiv": "1902.00002v3"},
    {"line": 3, "text": "- Unlinked Paper, EMNLP 2020", "paper": True, "title": "Unlinked Paper", "authors": [],
     "venue": "EMNLP", "year": 2020, "arxiv": None},
    {"line": 4, "text": "- [some/repo](https://github.com/some/repo)", "paper": False, "note": "repository"},
    {"line": 5, "text": "- [A post](https://example.org/blog/post)", "paper": False, "note": "blog post"},
]}


def test_scores_every_field_against_the_labels(bench):
    es = [entry(1, "Good Title", authors=["A. B", "C. D"], venue="ACL", year=2019, arxiv="1901.00001"),
          entry(2, "Second Paper (NeurIPS 2019)", kind="repository", venue="NeurIPS", year=2018, arxiv="1902.00002"),
          # line 3 is not read at all
          entry(4, "some/repo", kind="repository"),
          entry(5, "A post", kind="paper")]
    s = bench.score_list(es, TRUTH, "tiny")
    assert (s.papers, s.read, s.kind_ok, s.titles) == (3, 2, 1, 1)
    assert (s.authors, s.authors_of) == (1, 1)          # only where the list writes authors
    assert (s.venues, s.venues_of) == (2, 3)            # the unread item's venue counts as missed
    assert (s.years, s.years_of) == (1, 3)
    assert (s.ids, s.ids_of) == (2, 2)                  # a version suffix is the same id
    assert (s.non_papers_taken, s.non_papers) == (1, 2)
    fields = sorted((m.line, m.field) for m in s.misses)
    assert fields == [(2, "kind"), (2, "title"), (2, "year"), (3, "not read"), (5, "non-paper taken as paper")]
    year_miss = next(m for m in s.misses if m.field == "year")
    assert (year_miss.expected, year_miss.read) == (2019, 2018)


def test_an_entry_on_another_line_is_not_the_item(bench):
    s = bench.score_list([entry(7, "Good Title")], {"items": TRUTH["items"][:1]}, "tiny")
    assert (s.papers, s.read, s.titles) == (1, 0, 0)
    assert [m.field for m in s.misses] == ["not read"]


def test_titles_compare_exactly_up_to_whitespace(bench):
    truth = {"items": [dict(TRUTH["items"][0], authors=[], venue=None, year=None, arxiv=None)]}
    assert bench.score_list([entry(1, "Good  Title ")], truth, "t").titles == 1
    assert bench.score_list([entry(1, "good title")], truth, "t").titles == 0
    assert bench.score_list([entry(1, "Good Title.")], truth, "t").titles == 0


@pytest.mark.parametrize("read, truth, same", [
    ("ACL", "ACL", True),
    ("NeurIPS", "NIPS", True),                      # one venue, two names: the project's venue table says so
    ("QoMEX", "Ninth International Conference on Quality of Multimedia Experience (QoMEX)", True),
    ("International Conference on Quality of Multimedia Experience",
     "Twelfth International Conference on Quality of Multimedia Experience (QoMEX)", True),
    ("arXiv", "Preprint", True),
    ("IEEE", "Tenth International Conference on Quality of Multimedia Experience (QoMEX)", False),
    ("EMNLP", "ACL", False),
    (None, "ACL", False),
    (None, None, True),
])
def test_venue_hints(bench, read, truth, same):
    assert bench.same_venue_hint(read, truth) is same


LIST = """# Tiny

- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)
  - a note without a link
  - a note with [a link](https://example.org/x)

| Paper | Code |
|---|---|
| [BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding](https://arxiv.org/abs/1810.04805) | - |

```
- [not an item](https://example.org/in-code)
```

### [Heading Paper](https://arxiv.org/abs/1907.11692)
"""


def test_item_lines_and_a_seeded_sample(bench, tmp_path):
    assert bench.item_lines(LIST) == [3, 5, 9, 15]
    path = tmp_path / "tiny.md"
    path.write_text(LIST, encoding="utf-8")
    first = bench.sample_lines(path, n=2, seed=19)
    assert first == bench.sample_lines(path, n=2, seed=19) and first == sorted(first)
    assert set(first) <= {3, 5, 9, 15} and len(first) == 2
    assert bench.sample_lines(path, n=12, seed=19) == [3, 5, 9, 15]


def test_truth_run_end_to_end(bench, tmp_path, capsys):
    (tmp_path / "tiny.md").write_text(LIST, encoding="utf-8")
    (tmp_path / "truth").mkdir()
    labels = {"items": [
        {"line": 3, "text": "", "paper": True, "title": "Attention Is All You Need", "authors": [], "venue": None,
         "year": None, "arxiv": "1706.03762"},
        {"line": 15, "text": "", "paper": True, "title": "A Label That Is Wrong On Purpose", "authors": [],
         "venue": None, "year": None, "arxiv": None},
    ]}
    (tmp_path / "truth" / "tiny.json").write_text(json.dumps(labels), encoding="utf-8")
    out = tmp_path / "table.md"
    assert bench.main(["--truth", str(tmp_path), "--show-misses", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = [r for r in out.read_text(encoding="utf-8").splitlines() if r.startswith("| tiny ")]
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[1] == "2/2 (100 %)" and cells[3] == "1/2 (50 %)" and cells[7] == "1/1 (100 %)"
    assert "tiny:15: title" in printed and "A Label That Is Wrong On Purpose" in printed


def test_a_missing_folder_is_one_line_and_exit_2(bench, tmp_path, capsys):
    assert bench.main(["--truth", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0]
