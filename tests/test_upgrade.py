"""`atpbib upgrade` (ISSUE 13) against the local fake services: Scholar-, DBLP-, Zotero- and ACL-style
files; published versions applied on verified evidence only; everything else byte for byte."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest

import bibstyles
from facts import expected

SCHOLAR_PREAMBLE = """% My thesis bibliography (exported from Google Scholar)
@string{myconf = "Proceedings of My Conference"}
@preamble{"\\newcommand{\\noopsort}[1]{}"}
@comment{jabref-meta: databaseType:bibtex;}

"""


def run(args, env, cwd=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "atpbib", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def env_for(fake, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_") or k == "ATPBIB_PACE_DIR"}
    env.update(fake.env())
    env.update(ATPBIB_CACHE_DIR=str(cache), ATPBIB_INTERVAL_ARXIV="0", ATPBIB_INTERVAL_DBLP="0", ATPBIB_INTERVAL_S2="0", ATPBIB_INTERVAL_CROSSREF="0", ATPBIB_LOCK="off")
    return env


def entries_of(text: str) -> dict[str, dict[str, str]]:
    lib = bibtexparser.parse_string(text)
    return {e.key: {"_type": e.entry_type.lower(), **{f.key.lower(): str(f.value) for f in e.fields}} for e in lib.entries}


def norm(t: str) -> str:
    from atpbib.match import normalize_title
    from atpbib.names import latex_to_text

    return normalize_title(latex_to_text(t or ""))


@pytest.fixture(scope="module")
def scholar(fake, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scholar")
    src = tmp / "scholar.bib"
    src.write_text(SCHOLAR_PREAMBLE + bibstyles.scholar_file(), encoding="utf-8")
    before = src.read_bytes()
    proc = run(["upgrade", str(src), "-o", str(tmp / "upgraded.bib"), "--report", str(tmp / "report.json"), "--quiet"],
               env_for(fake, tmp / "cache"))
    assert proc.returncode == 0, proc.stderr
    assert src.read_bytes() == before  # the input is never modified without --in-place
    return tmp, proc


def test_scholar_file_every_published_version_applied_none_wrong_keys_kept(scholar):
    tmp, _ = scholar
    old = entries_of((tmp / "scholar.bib").read_text(encoding="utf-8"))
    new = entries_of((tmp / "upgraded.bib").read_text(encoding="utf-8"))
    assert list(new) == list(old)  # every key kept, in order
    report = {e["key"]: e for e in json.loads((tmp / "report.json").read_text(encoding="utf-8"))["entries"]}
    wrong, missed, upgraded = [], [], 0
    for p in bibstyles.arxiv_papers():
        key = next(k for k, v in old.items() if f"arXiv:{p['arxiv']['id']}" in v.get("journal", ""))
        exp = expected(p, {"arxiv": p["arxiv"]["id"]})
        got = new[key]
        if report[key]["status"] == "upgraded":
            upgraded += 1
            if not exp.published or norm(got["title"]) != norm(exp.title) or int(got["year"]) != exp.year:
                wrong.append((key, got["title"], got.get("year"), exp.title, exp.year))
            for scheme, value in exp.ids.items():
                if scheme == "doi":
                    assert got.get("doi", "").lower() == value, (key, got.get("doi"), value)
        elif exp.published:
            missed.append((key, report[key]["status"], report[key]["reason"]))
    assert wrong == []
    assert missed == [], "\n".join(map(str, missed))
    assert upgraded >= 70


def test_scholar_upgrade_keeps_every_other_byte(scholar):
    tmp, _ = scholar
    src = (tmp / "scholar.bib").read_text(encoding="utf-8")
    out = (tmp / "upgraded.bib").read_text(encoding="utf-8")
    assert out.startswith(SCHOLAR_PREAMBLE)  # comments, @string, @preamble byte for byte
    report = json.loads((tmp / "report.json").read_text(encoding="utf-8"))["entries"]
    for e in report:
        if e["status"] != "upgraded":
            raw = next(b.raw for b in bibtexparser.parse_string(src).entries if b.key == e["key"])
            assert raw in out, e["key"]


def test_an_upgraded_entry_is_the_published_version_with_case_from_the_source(scholar):
    tmp, _ = scholar
    new = entries_of((tmp / "upgraded.bib").read_text(encoding="utf-8"))
    tiny = new["jiao2019tinybert"]
    assert tiny["_type"] == "inproceedings"
    assert tiny["booktitle"] == "Findings of the Association for Computational Linguistics: EMNLP 2020"
    assert tiny["title"] == "{TinyBERT}: Distilling {BERT} for Natural Language Understanding"  # not Scholar's "Tinybert"
    assert tiny["pages"] == "4163--4174" and tiny["doi"] == "10.18653/v1/2020.findings-emnlp.372"
    assert "journal" not in tiny
    # the preprint's identifiers as `atpbib export` writes them for a published version (ISSUE 21)
    assert tiny["eprint"] == "1909.10351" and tiny["archiveprefix"] == "arXiv"
    # a retitled published version (arXiv "…Representations", ECCV "…Representation Learning")
    uniter = next(v for k, v in new.items() if k.startswith("chen2019uniter"))
    assert norm(uniter["title"]) == "uniter universal image text representation learning" and uniter["year"] == "2020"


def test_a_preprint_with_no_published_version_stays_byte_for_byte(scholar):
    tmp, _ = scholar
    report = {e["key"]: e for e in json.loads((tmp / "report.json").read_text(encoding="utf-8"))["entries"]}
    distil = next(e for k, e in report.items() if k.startswith("sanh2019distilbert"))
    assert distil["status"] == "kept" and "stays a preprint" in distil["reason"]


def _upgrade_text(fake, tmp_path, text, *args):
    src = tmp_path / "in.bib"
    src.write_text(text, encoding="utf-8")
    proc = run(["upgrade", str(src), "-o", str(tmp_path / "out.bib"), "--report", str(tmp_path / "r.json"), "--quiet",
                *args], env_for(fake, tmp_path / "cache"))
    assert proc.returncode == 0, proc.stderr
    report = {e["key"]: e for e in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["entries"]}
    return (tmp_path / "out.bib").read_text(encoding="utf-8"), report


def _paper(arxiv_id):
    return next(p for p in bibstyles.arxiv_papers() if p["arxiv"]["id"] == arxiv_id)


def test_dblp_corr_and_zotero_entries_are_upgraded_keeping_user_fields(fake, tmp_path):
    text = bibstyles.dblp_corr_entry(_paper("1909.10351")) + "\n" + bibstyles.zotero_entry(_paper("1909.11942"))
    out, report = _upgrade_text(fake, tmp_path, text)
    new = entries_of(out)
    corr = new["DBLP:journals/corr/abs-1909-10351"]
    assert report["DBLP:journals/corr/abs-1909-10351"]["status"] == "upgraded"
    assert corr["_type"] == "inproceedings" and "biburl" not in corr and "timestamp" not in corr  # the CoRR record's
    zot_key = next(k for k in new if k.startswith("lan"))
    zot = new[zot_key]
    assert report[zot_key]["status"] == "upgraded" and zot["year"] == "2020" and "ICLR" in zot["booktitle"] + zot.get("venue", "")
    assert zot["file"].startswith("arXiv Fulltext PDF:") and zot["keywords"].startswith("Computer Science")
    assert zot["urldate"] == "2024-05-01"  # the user's own fields stay
    assert "note" not in zot  # Zotero's 'arXiv:ID [cs]' note is the preprint's, stale on ICLR 2020 (ISSUE 23)
    assert zot.get("doi") != "10.48550/arXiv.1909.11942"  # the preprint's DOI does not follow the published version


def test_keep_and_drop_fields(fake, tmp_path):
    text = bibstyles.zotero_entry(_paper("1909.11942"))
    out, _ = _upgrade_text(fake, tmp_path, text, "--keep-fields", "url,note", "--drop-fields", "file,urldate,eprint")
    (zot,) = entries_of(out).values()
    assert "file" not in zot and "urldate" not in zot and "eprint" not in zot
    assert zot["url"] == "http://arxiv.org/abs/1909.11942" and zot["note"] == "arXiv:1909.11942 [cs]"


ACL_ENTRY = """@inproceedings{devlin-etal-2019-bert,
    title = "{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    author = "Devlin, Jacob  and
      Chang, Ming-Wei  and
      Lee, Kenton  and
      Toutanova, Kristina",
    booktitle = "Proceedings of the 2019 Conference of the North {A}merican Chapter of the Association for Computational Linguistics: Human Language Technologies, Volume 1 (Long and Short Papers)",
    month = jun,
    year = "2019",
    address = "Minneapolis, Minnesota",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/N19-1423",
    doi = "10.18653/v1/N19-1423",
    pages = "4171--4186",
}
"""


def test_an_acl_anthology_entry_is_already_published_and_kept_byte_for_byte(fake, tmp_path):
    out, report = _upgrade_text(fake, tmp_path, ACL_ENTRY)
    assert out == ACL_ENTRY and report["devlin-etal-2019-bert"]["status"] == "kept"


def test_title_authors_year_find_the_published_version_and_a_lookalike_is_never_applied(fake, tmp_path):
    text = """@article{reimers2019sentence,
  title={Sentence-bert: Sentence embeddings using siamese bert-networks},
  author={Reimers, Nils and Gurevych, Iryna},
  year={2019}
}

@article{doe2023attention,
  title={Attention is all you need},
  author={Doe, Jane and Roe, Richard},
  year={2023}
}
"""
    out, report = _upgrade_text(fake, tmp_path, text)
    new = entries_of(out)
    assert report["reimers2019sentence"]["status"] == "upgraded"
    assert new["reimers2019sentence"]["_type"] == "inproceedings" and "EMNLP" in new["reimers2019sentence"]["booktitle"] + "EMNLP"
    # the same title by other people, years later: the famous paper is a candidate, never applied
    assert report["doe2023attention"]["status"] in ("uncertain", "unknown")
    assert "different authors" in " ".join(report["doe2023attention"]["evidence"]) or report["doe2023attention"]["status"] == "unknown"
    assert new["doe2023attention"]["author"] == "Doe, Jane and Roe, Richard"
    assert "doe2023attention,\n  title={Attention is all you need}," in out


def test_macros_comments_and_unparseable_blocks_survive_and_are_reported(fake, tmp_path):
    text = SCHOLAR_PREAMBLE + bibstyles.scholar_entry(_paper("1909.10351")) + """
@inproceedings{mine2020,
  title = {My Own Paper},
  author = {Me, Myself},
  booktitle = myconf,
  year = 2020
}

@article{jiao2019tinybert,
  title={a duplicate key},
  year={2019}
}
"""
    out, report = _upgrade_text(fake, tmp_path, text)
    assert out.startswith(SCHOLAR_PREAMBLE)
    assert "booktitle = myconf," in out  # an entry using a macro, kept as written
    assert "title={a duplicate key}" in out
    assert report["jiao2019tinybert"]["status"] == "upgraded" and report["mine2020"]["status"] == "kept"
    findings = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
    assert any("duplicate key 'jiao2019tinybert'" in f["message"] for f in findings)


def test_dry_run_and_diff_change_nothing_and_in_place_keeps_a_backup(fake, tmp_path):
    src = tmp_path / "refs.bib"
    original = bibstyles.scholar_entry(_paper("1909.10351"))
    src.write_text(original, encoding="utf-8")
    env = env_for(fake, tmp_path / "cache")
    dry = run(["upgrade", str(src), "--dry-run", "--quiet"], env)
    assert dry.returncode == 0 and dry.stdout.startswith("---") and "+@inproceedings{jiao2019tinybert," in dry.stdout
    assert src.read_text(encoding="utf-8") == original and not (tmp_path / "refs.bib.bak").exists()
    inplace = run(["upgrade", str(src), "--in-place", "--quiet"], env)
    assert inplace.returncode == 0, inplace.stderr
    assert (tmp_path / "refs.bib.bak").read_text(encoding="utf-8") == original
    assert "@inproceedings{jiao2019tinybert," in src.read_text(encoding="utf-8")


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_bytes(b"\x00\x01binary\x00"), "binary data"),
    (lambda p: p.write_text("just some text\nwith no entries\n", encoding="utf-8"), "no BibTeX entries"),
    (lambda p: p.write_bytes(b"@misc{k, title={caf\xe9}}"), "not UTF-8"),
    (lambda p: p.write_bytes(b"%" + b" " * 21_000_000), "MB is more than"),
])
def test_bad_input_is_one_line_and_exit_2(fake, tmp_path, make, message):
    src = tmp_path / "in.bib"
    make(src)
    before = src.read_bytes()
    proc = run(["upgrade", str(src), "-o", str(tmp_path / "out.bib")], env_for(fake, tmp_path / "cache"))
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and src.read_bytes() == before
    assert not (tmp_path / "out.bib").exists()


def test_an_unwritable_output_fails_before_any_request(fake, tmp_path):
    src = tmp_path / "in.bib"
    src.write_text(bibstyles.scholar_entry(_paper("1909.10351")), encoding="utf-8")
    fake.clear()
    proc = run(["upgrade", str(src), "-o", str(tmp_path / "no" / "such" / "x.bib")], env_for(fake, tmp_path / "cache"))
    assert proc.returncode == 2 and str(tmp_path / "no" / "such") in proc.stderr
    assert sum(len(fake.requests(s)) for s in fake.services) == 0
