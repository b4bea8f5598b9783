"""`atpbib check`: the list audited against the local four-service server (tests/fakeservices.py).

The server answers from the looked-up facts in tests/fixtures/papers/*.json; the expectations below
restate those facts (where each paper was published, its exact title), so a wrong comparison, a wrong
venue style or a --fix that touches other lines fails here.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from atpbib import check
from atpbib.api import load
from atpbib.api import resolve as resolve_api
from fakeservices import FakeServices, environment

ROOT = Path(__file__).resolve().parents[1]
PAPERS = ROOT / "tests" / "fixtures" / "papers"
CLEAN_LIST = ROOT / "tests" / "fixtures" / "lists" / "clean_list.md"
BUNDLED = ROOT / "src" / "atpbib" / "data" / "ATPapers.md"
FAST = {"ATPBIB_INTERVAL_ARXIV": "0", "ATPBIB_INTERVAL_DBLP": "0", "ATPBIB_INTERVAL_S2": "0", "ATPBIB_INTERVAL_CROSSREF": "0"}


def facts(slug: str) -> dict:
    return json.loads((PAPERS / f"{slug}.json").read_text(encoding="utf-8"))


def run_check(fake: FakeServices, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **fake.env(), **FAST, "ATPBIB_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "atpbib", "check", "--quiet", *args], env=env, cwd=cache.parent,
                          capture_output=True, text=True, timeout=120)


def json_report(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def audited(fake, tmp_path_factory):
    """check.audit over atpbib.resolve, in-process, one resolution per section (cached across tests)."""
    cache = tmp_path_factory.mktemp("audit-cache")
    done: dict[str, tuple] = {}

    def get(section: str):
        if section not in done:
            with environment({**fake.env(), **FAST, "ATPBIB_CACHE_DIR": str(cache)}):
                parsed = load(None)
                result = resolve_api(sections=[section], cache_dir=cache)
            done[section] = (parsed, result, check.audit(parsed, result))
        return done[section]

    return get


def by_line_kind(findings: check.Findings) -> dict[tuple[int, str], check.Finding]:
    return {(f.at, f.kind): f for f in findings.items}


# ---------------------------------------------------------------- Compression (bundled list)

# (line, kind) → (listed, resolved, what --fix writes); restates cmp-*.json
COMPRESSION = {
    (117, "venue"): ("CoRR 2019", "AAAI 2020", "(AAAI 2020)"),  # Q-BERT
    (117, "year"): ("2019", "2020", "(AAAI 2020)"),
    (119, "title"): ("Extreme Language Model Compression with Optimal Subwords and Shared Projections",
                     "Extremely Small BERT Models from Mixed-Vocabulary Training",
                     "Extremely Small BERT Models from Mixed-Vocabulary Training"),
    (119, "venue"): ("ICLR 2019", "EACL 2021", "(EACL 2021)"),
    (119, "year"): ("2019", "2021", "(EACL 2021)"),
    (121, "venue"): ("ICLR 2019", "Findings of EMNLP 2020", "(Findings of EMNLP 2020)"),  # TinyBERT
    (121, "year"): ("2019", "2020", "(Findings of EMNLP 2020)"),
    (124, "venue"): ("ICLR 2020", "RepL4NLP 2020", "(RepL4NLP 2020)"),  # Compressing BERT: rejected at ICLR
    (126, "year"): ("ICLR 202", "2020", "(ICLR 2020)"),  # the typo keeps the list's venue
    (127, "venue"): ("CoRR 2020", "IJCAI 2020", "(IJCAI 2020)"),  # AdaBERT
}


def test_compression_findings_are_exactly_the_disagreements(audited):
    _, _, findings = audited("Compression")
    got = {k: (f.listed, f.resolved, f.fix) for k, f in by_line_kind(findings).items() if k[1] != "markdown"}
    assert got == COMPRESSION
    assert all(f.fixable for f in findings.items if f.kind != "markdown")
    assert findings.checked == 16 and findings.has_findings
    # arXiv-only papers listed "(CoRR 2019)", DistilBERT (no hint, arXiv-only), Q8BERT "(NeurIPS 2019 Workshop)"
    # (EMC2 2019, a NeurIPS workshop) and correct venues are no finding
    quiet = {112, 113, 114, 115, 116, 118, 120, 122, 123, 125}
    assert not quiet & {f.entry.line for f in findings.items}


def test_compression_expectations_restate_the_facts(audited):
    """The expected venues/titles come from the looked-up facts, not from the resolver."""
    extreme = facts("cmp-extreme-lm-compression")
    assert COMPRESSION[(119, "title")][1] == extreme["acl"]["title"]
    assert extreme["acl"]["id"].startswith(f"{extreme['acl']['year']}.eacl")
    assert COMPRESSION[(119, "venue")][1] == f"EACL {extreme['acl']['year']}"
    tiny = facts("cmp-tinybert")
    assert tiny["acl"]["booktitle"].startswith("Findings") and f"EMNLP {tiny['acl']['year']}" in COMPRESSION[(121, "venue")][1]
    assert [d["venue"] for d in facts("cmp-q-bert")["dblp"]][0] == "AAAI"
    assert [d["venue"] for d in facts("cmp-adabert")["dblp"]][0] == "IJCAI"
    assert facts("cmp-compressing-bert-pruning")["acl"]["id"].startswith("2020.repl4nlp")


def test_parser_recovery_warnings_are_markdown_findings(audited):
    parsed, _, findings = audited("Compression")
    md = [f for f in findings.items if f.kind == "markdown"]
    assert [(f.at, f.fixable) for f in md] == [(126, False)]
    warning = next(w for w in parsed.warnings if w.line == 126)
    assert md[0].listed in warning.message and "202" in md[0].listed


# ---------------------------------------------------------------- Models (bundled list): only papers with facts

# slug → {kind: (listed, resolved, fix)} (None: the finding exists, its wording is not asserted); restates
# mdl-*.json. Only the papers researched when this was written are asserted; a missing facts file skips.
NEURIPS19 = ("CoRR 2019", "NeurIPS 2019", "(NeurIPS 2019)")
MODELS = {
    "mdl-t5": {"title": ("Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transforme",
                         "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer",
                         "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer"),
               "venue": ("CoRR 2019", "JMLR 2020", "(JMLR 2020)"), "year": ("2019", "2020", "(JMLR 2020)")},
    "mdl-bart": {"venue": ("CoRR 2019", "ACL 2020", "(ACL 2020)"), "year": ("2019", "2020", "(ACL 2020)")},
    "mdl-ernie-2": {"venue": ("CoRR 2019", "AAAI 2020", "(AAAI 2020)"), "year": ("2019", "2020", "(AAAI 2020)")},
    "mdl-spanbert": {"venue": ("CoRR 2019", "TACL 2020", "(TACL 2020)"), "year": ("2019", "2020", "(TACL 2020)")},
    "mdl-zen": {"venue": ("CoRR 2019", "Findings of EMNLP 2020", "(Findings of EMNLP 2020)"),
                "year": ("2019", "2020", "(Findings of EMNLP 2020)")},
    "mdl-codebert": {"venue": ("CoRR 2020", "Findings of EMNLP 2020", "(Findings of EMNLP 2020)")},
    "mdl-chinese-bert-wwm": {"venue": None, "year": ("2019", "2021", None)},  # a TASLP journal article
    "mdl-unilm": {"venue": NEURIPS19},
    "mdl-xlm": {"venue": NEURIPS19},
    "mdl-xlnet": {"venue": NEURIPS19},
    "mdl-grover": {"venue": NEURIPS19},
    # an outdated title (the early arXiv one); "(ICLR 2020)" is right
    "mdl-freelb": {"title": ("FreeLB: Enhanced Adversarial Training for Language Understanding",
                             "FreeLB: Enhanced Adversarial Training for Natural Language Understanding",
                             "FreeLB: Enhanced Adversarial Training for Natural Language Understanding")},
    # no hint at all, published at a real venue: a hint is inserted
    "mdl-udify": {"venue": ("", "EMNLP 2019", "(EMNLP 2019)")},
    # ... and the ACL Anthology's "Sequence-to-SequencePre-training" (a missing space) is no title finding
    "mdl-prophetnet": {"venue": ("", "Findings of EMNLP 2020", "(Findings of EMNLP 2020)")},
    # OpenAI's reports: only Semantic Scholar knows them (their authors); the list's "(CoRR 2018)" names a
    # preprint server that never had it, while the report's PDF is on OpenAI's site
    "mdl-gpt": {"venue": ("CoRR 2018", "OpenAI 2018", None)},
    "mdl-gpt-2": {"venue": ("CoRR 2019", "OpenAI 2019", None)},  # an OpenAI report, as GPT-1
    # the list is right
    **{slug: {} for slug in ("mdl-kbert", "mdl-electra", "mdl-bert", "mdl-elmo", "mdl-ulmfit", "mdl-ernie-thu",
                             "mdl-ernie-baidu", "mdl-mt-dnn", "mdl-multifit", "mdl-knowbert", "mdl-uer", "mdl-roberta",
                             "mdl-nezha", "mdl-megatron-lm", "mdl-structbert", "mdl-mass", "mdl-hubert", "mdl-jddc")},
}


@pytest.mark.parametrize("slug", sorted(MODELS))
def test_models_findings_for_researched_papers(audited, slug):
    if not (PAPERS / f"{slug}.json").exists():
        pytest.skip(f"no facts for {slug} yet")
    paper = facts(slug)
    _, result, findings = audited("Models")
    line = paper["list_line"]
    entry = next(e for w in result.works for e in w.entries if e.line == line)
    assert entry.title == paper["list_title"]
    got = {f.kind: (f.listed, f.resolved, f.fix) for f in findings.items if f.entry.line == line and f.kind != "markdown"}
    expected = MODELS[slug]
    assert set(got) == set(expected)
    for kind, value in expected.items():
        if value is not None:
            assert all(v is None or v == g for v, g in zip(value, got[kind])), (kind, got[kind])


def test_models_expectations_restate_the_facts():
    for slug, venue in (("mdl-t5", "J. Mach. Learn. Res."), ("mdl-ernie-2", "AAAI"), ("mdl-unilm", "NeurIPS"),
                        ("mdl-xlm", "NeurIPS"), ("mdl-xlnet", "NeurIPS"), ("mdl-spanbert", "Trans. Assoc. Comput. Linguistics")):
        if (PAPERS / f"{slug}.json").exists():
            assert facts(slug)["dblp"][0]["venue"] == venue
    if (PAPERS / "mdl-t5.json").exists():
        assert facts("mdl-t5")["arxiv"]["title"] == MODELS["mdl-t5"]["title"][1]
    if (PAPERS / "mdl-bart.json").exists():
        assert facts("mdl-bart")["acl"]["id"].startswith("2020.acl")
    if (PAPERS / "mdl-freelb.json").exists():
        assert facts("mdl-freelb")["openreview"]["title"] == MODELS["mdl-freelb"]["title"][1]
    if (PAPERS / "mdl-prophetnet.json").exists():
        p = facts("mdl-prophetnet")
        assert "SequencePre" in p["acl"]["title"] and p["acl"]["id"].startswith("2020.findings-emnlp")
    if (PAPERS / "mdl-udify.json").exists():
        assert facts("mdl-udify")["acl"]["id"] == "D19-1279"  # D19: EMNLP-IJCNLP 2019


def test_case_only_title_difference_is_not_a_finding(audited):
    if not (PAPERS / "mdl-ernie-2.json").exists():
        pytest.skip("no facts for ERNIE 2.0 yet")
    _, result, findings = audited("Models")
    work = next(w for w in result.works if w.first_entry.line == 76)
    assert work.title != work.first_entry.title  # "Pre-Training" (AAAI) vs the list's "Pre-training"
    assert work.title.lower() == work.first_entry.title.lower()
    assert not [f for f in findings.items if f.entry.line == 76 and f.kind == "title"]


# ---------------------------------------------------------------- the CLI: report, --fix, --diff, exit codes

def lines_of(text: str) -> list[str]:
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def test_fix_changes_only_the_lines_with_fixable_findings(fake, tmp_path):
    out = tmp_path / "FIXED.md"
    proc = run_check(fake, tmp_path / "cache", "--section", "Compression", "--section", "Models",
                     "--format", "json", "--fix", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    report = json_report(proc)
    fixable = {f["line"] for f in report["findings"] if f["fixable"]}
    original, fixed = lines_of(BUNDLED.read_text(encoding="utf-8")), lines_of(out.read_text(encoding="utf-8"))
    assert len(original) == len(fixed)
    changed = {i + 1 for i, (a, b) in enumerate(zip(original, fixed)) if a != b}
    assert changed == fixable
    assert out.read_bytes().count(b"\n") == BUNDLED.read_bytes().count(b"\n")
    for (line, kind), (_, _, fix) in COMPRESSION.items():
        assert fix in fixed[line - 1]
    # the formatting around the replaced hint is kept: links, code links, nickname
    assert fixed[120] == original[120].replace("(ICLR 2019)", "(Findings of EMNLP 2020)")
    assert fixed[125] == original[125].replace("(ICLR 202)", "(ICLR 2020)")
    assert fixed[118] == original[118].replace(COMPRESSION[(119, "title")][0], COMPRESSION[(119, "title")][2]).replace(
        "(ICLR 2019)", "(EACL 2021)")
    if (PAPERS / "mdl-t5.json").exists():
        assert fixed[83] == original[83].replace("Text-to-Text Transforme (CoRR 2019)", "Text-to-Text Transformer (JMLR 2020)")
    if (PAPERS / "mdl-xlnet.json").exists():  # the list's double space before the hint survives
        assert "Understanding  (NeurIPS 2019) [[paper]]" in fixed[78]
    if (PAPERS / "mdl-udify.json").exists():  # a hint inserted where the title ran into the link
        assert fixed[71] == original[71].replace("Universally[[paper]]", "Universally (EMNLP 2019) [[paper]]")
    if (PAPERS / "mdl-prophetnet.json").exists():  # the list's title (right) is kept, a hint inserted
        assert fixed[95] == original[95].replace("Pre-training [[paper]]", "Pre-training (Findings of EMNLP 2020) [[paper]]")


def test_diff_prints_a_unified_diff_of_the_corrections(fake, tmp_path):
    out = tmp_path / "FIXED.md"
    proc = run_check(fake, tmp_path / "cache", "--section", "Compression", "--fix", "-o", str(out), "--diff")
    assert proc.returncode == 1, proc.stderr
    diff = proc.stdout[proc.stdout.index("--- "):]
    assert diff.splitlines()[1] == f"+++ {out}"
    assert re.search(r"^@@ -\d+,\d+ \+\d+,\d+ @@", diff, re.M)
    removed = [l[1:] for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")]
    added = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    original = BUNDLED.read_text(encoding="utf-8").splitlines()
    assert removed == [original[n - 1] for n in (117, 119, 121, 124, 126, 127)]
    assert len(added) == len(removed) and all("(CoRR 20" not in a and "(ICLR 2019)" not in a for a in added)
    # without --diff, no diff
    plain = run_check(fake, tmp_path / "cache", "--section", "Compression", "--fix", "-o", str(tmp_path / "again.md"))
    assert "+++ " not in plain.stdout and (tmp_path / "again.md").read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_crlf_list_keeps_its_line_endings_and_untouched_bytes(fake, tmp_path):
    bundled = BUNDLED.read_text(encoding="utf-8").splitlines()
    body = ["# A CRLF list", ""] + bundled[110:127]  # "### Compression" and its 16 entries
    src = tmp_path / "crlf.md"
    src.write_bytes(("\r\n".join(body) + "\r\n").encode("utf-8"))
    out = tmp_path / "fixed.md"
    proc = run_check(fake, tmp_path / "cache", "--list", str(src), "--format", "json", "--fix", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    fixable = {f["line"] for f in json_report(proc)["findings"] if f["fixable"]}
    old, new = src.read_bytes().split(b"\r\n"), out.read_bytes().split(b"\r\n")
    assert len(old) == len(new) and b"\n" not in b"".join(new) and b"\r" not in b"".join(new)
    changed = {i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b}
    assert changed == fixable and len(changed) == 6
    assert b"(Findings of EMNLP 2020)" in new[2 + 121 - 111]


def test_clean_list_passes_with_exit_0(fake, tmp_path):
    proc = run_check(fake, tmp_path / "cache", "--list", str(CLEAN_LIST))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "agrees with the sources" in proc.stdout
    report = json_report(run_check(fake, tmp_path / "cache", "--list", str(CLEAN_LIST), "--format", "json"))
    assert report["findings"] == [] and report["counts"] == {}
    assert report["checked"] == len(report["entries"]) >= 10
    assert all(e["status"] == "resolved" for e in report["entries"])
    # --fix on a clean list writes it back unchanged
    out = tmp_path / "same.md"
    assert run_check(fake, tmp_path / "cache", "--list", str(CLEAN_LIST), "--fix", "-o", str(out)).returncode == 0
    assert out.read_bytes() == CLEAN_LIST.read_bytes()


def test_text_report_is_grouped_by_section_with_line_numbers(fake, tmp_path):
    proc = run_check(fake, tmp_path / "cache", "--section", "Compression", "--section", "Transformer/Papers")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    heads = [l for l in lines if l and not l.startswith(" ") and "entries checked" not in l]
    assert heads == ["Transformer/Papers", "Pretrained Language Model/Compression"]
    assert "  line 121: venue: list 'ICLR 2019', sources 'Findings of EMNLP 2020'" in proc.stdout
    # the CS224n report no source knows is reported with the reason, and counts for the exit code
    assert re.search(r"line 40: could not be checked: .+", proc.stdout)


def test_markdown_format_renders_sections_as_headings(fake, tmp_path):
    proc = run_check(fake, tmp_path / "cache", "--section", "Compression", "--format", "markdown")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("# atpbib check")
    assert "## Pretrained Language Model/Compression" in lines
    assert any(l.startswith("- line 124: venue:") for l in lines)


def test_json_format_has_the_documented_keys(fake, tmp_path):
    proc = run_check(fake, tmp_path / "cache", "--section", "Compression", "--format", "json")
    assert proc.returncode == 1
    report = json_report(proc)
    assert set(report) == {"list", "checked", "counts", "findings", "entries"}
    assert report["checked"] == len(report["entries"]) == 16
    assert sum(report["counts"].values()) == len(report["findings"])
    for f in report["findings"]:
        assert set(f) == {"section", "line", "kind", "listed", "resolved", "source", "fixable", "fix"}
        assert f["section"] == "Pretrained Language Model/Compression"
    tiny = next(e for e in report["entries"] if e["line"] == 121)
    assert set(tiny) == {"section", "line", "status", "title", "venue", "year", "links", "findings"}
    assert tiny["venue"] == {"list": "ICLR 2019", "sources": "Findings of EMNLP 2020"}
    assert tiny["year"] == {"list": 2019, "sources": 2020}
    assert tiny["links"]["sources"]["acl"] == facts("cmp-tinybert")["acl"]["id"]
    assert tiny["findings"] == ["venue", "year"]


@pytest.mark.parametrize("args, needle", [
    (["--section", "NoSuchSection"], "NoSuchSection"),
    (["--section", "Compression", "--fix"], "-o"),
    (["--section", "Compression", "--format", "yaml"], "yaml"),
    (["--list", "does-not-exist.md"], "does-not-exist.md"),
])
def test_usage_errors_exit_2_with_one_line(fake, tmp_path, args, needle):
    proc = run_check(fake, tmp_path / "cache", *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- wrong links, duplicates, hints, added links

ODD_LIST = """# Odd list

## Papers
- TinyBERT: Distilling BERT for Natural Language Understanding (CoRR 2019) [[paper]](https://arxiv.org/abs/1909.11942) - ***TinyBERT***
- Patient Knowledge Distillation for BERT Model Compression[[paper]](https://example.org/papers/pkd.pdf) - ***BERT-PKD***
- Q-BERT: Hessian Based Ultra Low Precision Quantization of BERT (AAAI 2020) [[paper]](https://arxiv.org/abs/1909.05840)
- DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter [[paper]](https://arxiv.org/pdf/1910.01108.pdf)

## More
- Q-BERT: Hessian Based Ultra Low Precision Quantization of BERT (AAAI 2020) [[paper]](https://arxiv.org/pdf/1909.05840.pdf)
- Reducing Transformer Depth on Demand with Structured Dropout (ICLR 2019) [[paper]](https://arxiv.org/abs/1909.11556)
- Reformer: The Efficient Transformer (ICLR 2020) [[paper]](https://openreview.net/forum?id=rkgNKkHtvB)
"""


def test_wrong_link_duplicate_hint_insertion_and_added_link(fake, tmp_path):
    src = tmp_path / "odd.md"
    src.write_text(ODD_LIST, encoding="utf-8")
    out = tmp_path / "fixed.md"
    proc = run_check(fake, tmp_path / "cache", "--list", str(src), "--format", "json", "--fix", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    got = {(f["line"], f["kind"]): f for f in json_report(proc)["findings"]}
    # line 4 links ALBERT (1909.11942) under TinyBERT's title: a wrong link, never "fixed", and not compared further
    wrong = got.pop((4, "wrong-link"))
    assert wrong["resolved"] == facts("cmp-albert")["arxiv"]["title"] and not wrong["fixable"]
    # line 5: a PDF link only and no hint: the published venue is inserted, the ACL Anthology page added
    pkd = facts("cmp-bert-pkd")
    assert got.pop((5, "venue"))["fix"] == "(EMNLP 2019)"
    assert got.pop((5, "add-link"))["fix"] == f"https://aclanthology.org/{pkd['acl']['id']}/"
    assert got.pop((5, "markdown"))["fixable"] is False  # no space before [[paper]]
    # line 10 lists Q-BERT again (the PDF of the same arXiv id)
    assert "line 6" in got.pop((10, "duplicate"))["resolved"]
    # line 11: right venue, wrong year
    assert got.pop((11, "year"))["fix"] == "(ICLR 2020)"
    # DistilBERT (arXiv-only, no hint) and Reformer are fine
    assert got == {}
    fixed = out.read_text(encoding="utf-8").splitlines()
    original = ODD_LIST.splitlines()
    assert fixed[3] == original[3]
    assert fixed[4] == ("- Patient Knowledge Distillation for BERT Model Compression (EMNLP 2019) "
                        f"[[paper]](https://example.org/papers/pkd.pdf)[[ACL Anthology]](https://aclanthology.org/{pkd['acl']['id']}/)"
                        " - ***BERT-PKD***")
    assert fixed[10] == original[10].replace("(ICLR 2019)", "(ICLR 2020)")
    assert [i for i, (a, b) in enumerate(zip(original, fixed)) if a != b] == [4, 10]


def test_unreachable_sources_make_entries_unchecked_not_wrong(fake, tmp_path):
    # offline with an empty cache: nothing can be checked, every entry says why, exit 1
    proc = run_check(fake, tmp_path / "cache", "--section", "Compression", "--offline", "--format", "json")
    assert proc.returncode == 1
    report = json_report(proc)
    unchecked = [f for f in report["findings"] if f["kind"] == "unchecked"]
    assert len(unchecked) == 16 and all("offline" in f["resolved"] and "http" not in f["resolved"] for f in unchecked)
    assert not [f for f in report["findings"] if f["kind"] in ("venue", "year")]
    # DBLP down: works that needed DBLP are incomplete; their "(ICLR 2020)" is not demoted to arXiv
    fake.down("dblp")
    try:
        proc = run_check(fake, tmp_path / "cache2", "--section", "Compression", "--format", "json")
    finally:
        fake.up("dblp")
    assert proc.returncode == 1
    findings = json_report(proc)["findings"]
    albert = [f for f in findings if f["line"] == 123]
    assert [f["kind"] for f in albert] == ["unchecked"] and "DBLP" in albert[0]["resolved"]
    assert not [f for f in findings if f["line"] in (116, 118)]  # ACL-backed works do not need DBLP


# ---------------------------------------------------------------- pure helpers

def test_same_title_ignores_case_punctuation_and_spacing_only():
    assert check.same_title("Attention is All you Need", "Attention Is All You Need.")
    assert check.same_title("Sequence-to-Sequence Pre-training", "Sequence-to-SequencePre-training")
    assert not check.same_title("…Unified Text-to-Text Transforme", "…Unified Text-to-Text Transformer")
    assert not check.same_title("FreeLB: Enhanced Adversarial Training for Language Understanding",
                                "FreeLB: Enhanced Adversarial Training for Natural Language Understanding")


def test_split_lines_numbers_lines_like_the_parser():
    text = "a\r\nb\rc\nd\u2028e\x0cf"
    assert check.split_lines(text) == ["a\r\n", "b\r", "c\n", "d\u2028e\x0cf"]
    assert "".join(check.split_lines(text)) == text
