"""atpbib.lock (ISSUE 12): lock online, export offline byte for byte; --locked; --update and hand edits;
bad locks; the bundled lock of the bundled list."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from atpbib import lock as locking
from atpbib.api import load
from fakeservices import ENV_VARS

SECTION = "Compression"
PAPERS = ("paper", "survey", "book")


def run(args, env, cwd=None):
    return subprocess.run([sys.executable, "-m", "atpbib", *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def env_for(fake, cache: Path, *, lock_on: bool = True, services: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_") or k == "ATPBIB_PACE_DIR"}
    if services:
        env.update(fake.env())
    else:  # no network at all: nothing listens there
        env.update({k: "http://127.0.0.1:9" for k in fake.env()})
    env.update(ATPBIB_CACHE_DIR=str(cache), ATPBIB_INTERVAL_ARXIV="0", ATPBIB_INTERVAL_DBLP="0", ATPBIB_INTERVAL_S2="0", ATPBIB_INTERVAL_CROSSREF="0")
    if not lock_on:
        env["ATPBIB_LOCK"] = "off"
    return env


def requests_made(fake) -> int:
    return sum(len(fake.requests(s)) for s in fake.services)


@pytest.fixture(scope="module")
def locked_section(fake, tmp_path_factory):
    """The Compression section locked online against the fake services, and the online export."""
    tmp = tmp_path_factory.mktemp("lock")
    env = env_for(fake, tmp / "cache")
    online = run(["export", "--section", SECTION, "--no-lock", "-o", str(tmp / "online.bib"), "--quiet"], env)
    assert online.returncode == 0, online.stderr
    made = run(["lock", "--section", SECTION, "--lock", str(tmp / "atpbib.lock"), "--quiet"], env)
    assert made.returncode == 0, made.stdout + made.stderr
    return tmp


def test_lock_online_then_export_offline_from_an_empty_cache_is_byte_identical(fake, locked_section, tmp_path):
    fake.clear()
    env = env_for(fake, tmp_path / "empty-cache", services=False)
    proc = run(["export", "--section", SECTION, "--lock", str(locked_section / "atpbib.lock"), "-o",
                str(tmp_path / "offline.bib")], env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "offline.bib").read_bytes() == (locked_section / "online.bib").read_bytes()
    assert requests_made(fake) == 0 and "unreachable" not in proc.stderr
    assert "lock: 16 work(s) from" in proc.stderr and "0 not in the lock" in proc.stderr
    assert not (tmp_path / "empty-cache" / "http_cache.sqlite").exists()  # the HTTP cache was never opened


def test_the_lock_is_sorted_versioned_json_with_provenance_and_evidence(locked_section):
    data = json.loads((locked_section / "atpbib.lock").read_text(encoding="utf-8"))
    assert data["format"] == "atpbib-lock" and data["version"] == 1 and data["written"]
    keys = [w["key"] for w in data["works"]]
    assert keys == sorted(keys) and len(keys) == 16
    tiny = next(w for w in data["works"] if w["listed"]["line"] == 121)
    assert tiny["key"] == "arxiv:1909.10351"  # keyed by the entry's own id, not its line
    assert tiny["work"]["venue"] == "Findings of EMNLP 2020" and dict(tiny["work"]["provenance"])["pages"] == "acl"
    assert set(tiny["sources"]) >= {"acl", "arxiv"} and all(v == data["written"] for v in tiny["sources"].values())
    # the match evidence of works found by a search is kept (ALBERT: a DBLP title search)
    albert = next(w for w in data["works"] if w["listed"]["line"] == 123)
    assert any(m["accepted"] and m["source"] == "dblp" for m in albert["work"]["matches"])


def _list_with_new_entry(tmp_path: Path) -> Path:
    text = load(None).text
    anchor = "- AdaBERT: Task-Adaptive BERT Compression"
    new = "- Totally New Compression Paper That Nobody Locked (CoRR 2021) [[paper]](https://arxiv.org/abs/2101.00001)\n"
    at = text.index(anchor)
    path = tmp_path / "list.md"
    path.write_text(text[:at] + new + text[at:], encoding="utf-8")
    return path


def test_locked_mode_fails_on_a_new_entry_without_a_single_request(fake, locked_section, tmp_path):
    listed = _list_with_new_entry(tmp_path)
    fake.clear()
    env = env_for(fake, tmp_path / "cache")
    proc = run(["export", "--list", str(listed), "--section", SECTION, "--locked", "--lock",
                str(locked_section / "atpbib.lock"), "-o", str(tmp_path / "x.bib")], env)
    assert proc.returncode == 1
    assert f"{listed}:127: not in the lock: Totally New Compression Paper That Nobody Locked" in proc.stderr
    assert requests_made(fake) == 0 and not (tmp_path / "x.bib").exists()


def test_an_edit_elsewhere_keeps_every_locked_work_and_a_new_entry_is_resolved_and_reported(fake, locked_section, tmp_path):
    listed = _list_with_new_entry(tmp_path)  # every entry below the new one moved down a line
    env = env_for(fake, tmp_path / "cache")
    proc = run(["resolve", "--list", str(listed), "--section", SECTION, "--lock", str(locked_section / "atpbib.lock"),
                "--json", "--quiet"], env)
    assert proc.returncode == 0, proc.stderr
    works = json.loads(proc.stdout)
    assert len(works) == 17 and "lock: 16 work(s) from" in proc.stderr
    assert f"{listed}:127: not in the lock (resolved now)" in proc.stderr
    ada = next(w for w in works if w["title"].startswith("AdaBERT"))
    assert ada["entries"][0]["line"] == 128 and ada["venue"] == "IJCAI 2020"


def test_update_reports_changes_and_never_overwrites_a_hand_edited_work(fake, locked_section, tmp_path):
    path = tmp_path / "atpbib.lock"
    data = json.loads((locked_section / "atpbib.lock").read_text(encoding="utf-8"))
    stale = next(w for w in data["works"] if w["listed"]["line"] == 123)  # ALBERT
    stale["work"]["venue"], stale["work"]["type"] = "arXiv", "misc"
    hand = next(w for w in data["works"] if w["listed"]["line"] == 121)  # TinyBERT, corrected by hand
    hand["work"]["title"] = "TinyBERT: Distilling BERT for Natural Language Understanding (hand-edited)"
    hand["work"]["provenance"] = [p if p[0] != "title" else ["title", "manual"] for p in hand["work"]["provenance"]]
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    env = env_for(fake, tmp_path / "cache")
    proc = run(["lock", "--update", "--section", SECTION, "--lock", str(path), "--quiet"], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "line 123: changed: ALBERT" in proc.stdout and "venue: arXiv → ICLR 2020" in proc.stdout
    assert "line 121: kept (edited by hand)" in proc.stdout
    after = locking.read(path)
    assert next(r for r in after.records if r.line == 121).work["title"].endswith("(hand-edited)")
    assert next(r for r in after.records if r.line == 123).work["venue"] == "ICLR 2020"


@pytest.mark.parametrize("content,expected", [
    ('{"format": "atpbib-lock",\n "version": 1,\n "works": [\n', ":4: not valid JSON"),
    ('{"format": "atpbib-lock",\n "version": 99,\n "works": []}\n', ":2: lock format version 99 is not supported"),
    ('{"format": "atpbib-lock", "version": 1,\n "works": [\n  {"key": "arxiv:1",\n   "listed": {"title": "T"},\n'
     '   "work": {"authors": 7}}]}\n', ":3: record 1 is broken"),
    ('[1, 2, 3]\n', ":1: not an atpbib lock"),
    # hand-broken values of the right JSON but the wrong type (ISSUE 22 item 11)
    ('{"format": "atpbib-lock", "version": 1,\n "works": [\n  {"key": "arxiv:1",\n   "listed": {"title": "T"},\n'
     '   "work": {"title": "T", "authors": [{"family": 5}]}}]}\n', ":3: record 1 is broken (work.authors[0].family must be text, not 5)"),
    ('{"format": "atpbib-lock", "version": 1,\n "works": [\n  {"key": "arxiv:1", "manual": "no",\n   "listed": {"title": "T"},\n'
     '   "work": {"title": "T"}}]}\n', ":3: record 1 is broken (record.manual must be true or false, not \"no\")"),
    ('{"format": "atpbib-lock", "version": 1,\n "works": [\n  {"key": "arxiv:1",\n   "listed": {"title": "T", "line": "12"},\n'
     '   "work": {"title": "T", "year": "2020"}}]}\n', ":3: record 1 is broken (listed.line must be a whole number or null"),
    ('{"format": "atpbib-lock", "version": 1,\n "works": [\n  {"key": "arxiv:1",\n   "listed": {"title": "T"},\n'
     '   "work": {"title": "T", "abstract": ' + "[" * 100_000 + "]" * 100_000 + '}}]}\n', ":5: not a lock: values nested too deeply"),
])
def test_a_bad_lock_is_one_line_exit_2_and_is_never_overwritten(fake, tmp_path, content, expected):
    path = tmp_path / "atpbib.lock"
    path.write_text(content, encoding="utf-8")
    env = env_for(fake, tmp_path / "cache")
    for args in (["export", "--section", SECTION, "--lock", str(path), "-o", str(tmp_path / "x.bib")],
                 ["lock", "--section", SECTION, "--lock", str(path)]):
        proc = run(args, env)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("atpbib: error:")]
        assert f"{path}{expected}" in line
        assert path.read_text(encoding="utf-8") == content


def test_a_lock_for_another_version_of_the_list_reports_its_orphans(fake, locked_section, tmp_path):
    text = load(None).text.replace(
        "- Q8BERT: Quantized 8Bit BERT (NeurIPS 2019 Workshop) [[paper]](https://arxiv.org/abs/1910.06188) - ***Q8BERT***\n", "")
    listed = tmp_path / "list.md"
    listed.write_text(text, encoding="utf-8")
    proc = run(["export", "--list", str(listed), "--section", SECTION, "--lock", str(locked_section / "atpbib.lock"),
                "--locked", "-o", str(tmp_path / "x.bib")], env_for(fake, tmp_path / "cache"))
    assert proc.returncode == 0, proc.stderr
    assert "lock: 1 locked work(s) match no entry of" in proc.stderr and "Q8BERT" in proc.stderr


# -- the bundled lock ---------------------------------------------------------------------------------------------

def test_the_bundled_lock_and_the_bundled_list_do_not_drift_apart():
    lock = locking.read(locking.BUNDLED_LOCK)
    papers = [e for e in load(None).entries if e.kind in PAPERS]
    missing = [(e.line, e.title) for e in papers if lock.find(e) is None]
    assert missing == [], "run scripts/build_bundled_lock.py after editing the bundled list"
    assert lock.orphans(papers) == []
    assert len({r.key for r in lock.records}) == len(lock.records)
    # every locked work names the pages its facts came from (looked up, never remembered)
    assert all(r.pages for r in lock.records if r.work.get("sources") != ["list"])


def test_the_bundled_lock_serves_the_readme_command_offline_with_published_versions(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_") or k == "ATPBIB_PACE_DIR"}
    # every endpoint (ENV_VARS: all seven) at a loopback port where nothing listens
    env.update({var: "http://127.0.0.1:9" + suffix for var, suffix in ENV_VARS.values()})
    proc = run(["export", "--section", SECTION, "-o", "compression.bib"], env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    bib = (tmp_path / "compression.bib").read_text(encoding="utf-8")
    assert bib.count("\n@") + bib.startswith("@") == 16
    assert "Findings of the Association for Computational Linguistics: EMNLP 2020" in bib  # TinyBERT
    assert "Jiao, Xiaoqi and Yin, Yichun" in bib and "arXiv preprint arXiv:1909.10351" not in bib
    assert "unreachable" not in proc.stderr and "from the bundled lock" in proc.stderr
    # the off switch: the same command without the lock and without network gets list-only entries
    off = run(["export", "--section", SECTION, "--no-lock", "-o", "off.bib"], env, cwd=tmp_path)
    assert off.returncode == 0 and "Findings of the Association" not in (tmp_path / "off.bib").read_text(encoding="utf-8")
    env["ATPBIB_LOCK"] = "off"
    off2 = run(["export", "--section", SECTION, "-o", "off2.bib"], env, cwd=tmp_path)
    assert (tmp_path / "off2.bib").read_bytes() == (tmp_path / "off.bib").read_bytes() and off2.returncode == 0


def test_the_bundled_lock_carries_report_authors_from_public_pages_as_manual():
    lock = locking.read(locking.BUNDLED_LOCK)
    gpt2 = next(r for r in lock.records if r.title == "Language Models are Unsupervised Multitask Learners")
    assert gpt2.is_manual and gpt2.pages and [a["family"] for a in gpt2.work["authors"]][:3] == ["Radford", "Wu", "Child"]
    assert gpt2.work["type"] == "techreport" and gpt2.work["publisher"] == "OpenAI"


def test_a_remembered_list_parse_equals_a_fresh_one(tmp_path, monkeypatch):
    from atpbib.inputs import listmemo
    from atpbib.listparse import parse_list

    monkeypatch.setenv("ATPBIB_CACHE_DIR", str(tmp_path))
    text = load(None).text
    fresh = parse_list(text, "x.md")
    first = listmemo.parse(text, "x.md")
    again = listmemo.parse(text, "x.md")
    assert list((tmp_path / "lists").iterdir())
    assert first == fresh and again == fresh


def test_a_broken_record_deep_in_a_large_lock_names_its_own_line(tmp_path):
    """Line numbers come from one index of the text (ISSUE 22 item 12: finding them was quadratic)."""
    works = [{"key": f"arxiv:2001.{i:05d}", "listed": {"title": f"Paper {i}", "line": i + 1},
              "work": {"title": f"Paper {i}", "year": 2020}} for i in range(3000)]
    works[2500]["work"]["year"] = "2020"
    text = json.dumps({"format": "atpbib-lock", "version": 1, "works": works}, indent=1, sort_keys=True)
    path = tmp_path / "atpbib.lock"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(locking.LockError) as err:
        locking.read(path)
    line = text[: text.index('"arxiv:2001.02500"')].count("\n") + 1
    assert str(err.value).startswith(f"{path}:{line}: record 2501 is broken (work.year must be a whole number")


# -- ISSUE 22 item 14: concurrent runs, stable bytes, writable paths, the memo's folder --------------------

def test_two_lock_runs_on_one_file_at_once_keep_both_runs_works(fake, tmp_path):
    path = tmp_path / "atpbib.lock"
    env = env_for(fake, tmp_path / "cache")
    for name in fake.services:
        fake.set_latency(name, 0.3)
    try:
        sections = (SECTION, "Tutorial & Survey")
        procs = [subprocess.Popen([sys.executable, "-m", "atpbib", "lock", "--section", s, "--lock", str(path), "--quiet"],
                                  env={**env, "ATPBIB_CACHE_DIR": str(tmp_path / f"cache{i}")},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i, s in enumerate(sections)]
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        for name in fake.services:
            fake.set_latency(name, 0.0)
    assert [p.returncode for p in procs] == [0, 0], outs
    locked = {r.section.split("/")[-1] for r in locking.read(path).records}
    assert set(sections) <= locked, locked


def test_the_same_resolution_writes_the_same_lock_bytes_whatever_order_searches_ended_in(tmp_path):
    from dataclasses import replace

    from atpbib.model import Entry, Ids, Match, Work

    entry = Entry(section=("S",), line=3, title="A Paper", ids=Ids(arxiv="2001.00001"))
    matches = tuple(Match(source=s, query="A Paper", candidate="A Paper", title_score=100.0, author_overlap=None,
                          year_delta=0, accepted=True) for s in ("dblp", "crossref", "semanticscholar"))
    work = Work(title="A Paper", origins=(entry,), matches=matches, sources=("arxiv", "dblp"))
    dumped = {locking.dumps(locking.Lock(path=None, list_name="x.md", written="2026-12-01",
                                         records=[locking.record_for(entry, replace(work, matches=order), when="2026-12-01")]))
              for order in (matches, matches[::-1], matches[1:] + matches[:1])}
    assert len(dumped) == 1


@pytest.mark.parametrize("command", [["export", "--section", SECTION, "-o", "/proc/atpbib-out.bib"],
                                     ["lock", "--section", SECTION, "--lock", "/proc/atpbib.lock"]])
def test_an_unwritable_output_folder_is_one_line_naming_the_users_path_before_any_request(fake, tmp_path, command):
    fake.clear()
    proc = run([*command, "--no-lock"] if command[0] == "export" else command, env_for(fake, tmp_path / "cache"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("atpbib: error:")]
    assert command[-1] in line and ".tmp" not in line and "cannot write in the folder /proc" in line
    assert requests_made(fake) == 0


def test_the_remembered_list_parses_live_in_the_cache_dir_given(fake, tmp_path):
    env = {k: v for k, v in env_for(fake, tmp_path / "unused").items() if k != "ATPBIB_CACHE_DIR"}
    work = tmp_path / "work"
    work.mkdir()
    proc = run(["export", "--section", SECTION, "--offline", "--no-lock", "--cache-dir", str(tmp_path / "mine"),
                "-o", str(tmp_path / "x.bib")], env, cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "mine" / "lists").glob("*.json"))
    assert not (work / "cache").exists(), sorted(p.name for p in work.iterdir())
