"""`atpbib upgrade` on the runs users really make (ISSUE 23, 22, 21): published entries that need no look-up,
wrong published entries reported (or fixed on request), a stopped run that keeps its progress and resumes,
a byte-order mark and CRLF line ends kept. Paper facts: tests/fixtures/papers/cmp-albert.json (ICLR 2020,
OpenReview H1eA7AEtvS) and mdl-bert.json (NAACL 2019), with the pages they came from."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import bibtexparser

import bibstyles
from facts import expected
from test_upgrade import ACL_ENTRY, entries_of, env_for, run


def _paper(arxiv_id: str) -> dict:
    return next(p for p in bibstyles.arxiv_papers() if p["arxiv"]["id"] == arxiv_id)


def _names(ax: dict) -> str:
    return " and ".join(ax["authors"])


def albert_as_iclr_2019(url: bool = False) -> str:
    ax = _paper("1909.11942")["arxiv"]
    link = f"  url = {{https://openreview.net/forum?id={_paper('1909.11942')['openreview']['id']}}},\n" if url else ""
    return (f"@inproceedings{{lan2019albert,\n  title = {{{ax['title']}}},\n  author = {{{_names(ax)}}},\n"
            f"  booktitle = {{International Conference on Learning Representations}},\n{link}  year = {{2019}}\n}}\n")


def bert_as_acl() -> str:
    ax = _paper("1810.04805")["arxiv"]
    return (f"@inproceedings{{devlin2019bert,\n  title = {{{ax['title']}}},\n  author = {{{_names(ax)}}},\n"
            f"  booktitle = {{ACL}},\n  year = {{2019}}\n}}\n")


def _go(fake, tmp_path, text: str, *args: str, name: str = "in.bib"):
    src = tmp_path / name
    src.write_bytes(text.encode("utf-8"))
    fake.clear()
    proc = run(["upgrade", str(src), "-o", str(tmp_path / "out.bib"), "--report", str(tmp_path / "r.json"), "--quiet", *args],
               env_for(fake, tmp_path / "cache"))
    assert proc.returncode == 0, proc.stderr
    report = {e["key"]: e for e in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["entries"]}
    requests = sum(len(fake.requests(s)) for s in fake.services)
    return (tmp_path / "out.bib").read_bytes(), report, requests


def test_published_entries_with_their_own_id_cost_no_request(fake, tmp_path):
    text = ACL_ENTRY + "\n" + albert_as_iclr_2019(url=True)
    out, report, requests = _go(fake, tmp_path, text)
    assert out == text.encode("utf-8") and requests == 0
    assert {e["status"] for e in report.values()} == {"kept"}


def test_verify_looks_them_up_and_reports_a_wrong_year(fake, tmp_path):
    text = ACL_ENTRY + "\n" + albert_as_iclr_2019(url=True)
    out, report, requests = _go(fake, tmp_path, text, "--verify")
    assert requests > 0 and out == text.encode("utf-8")
    assert report["devlin-etal-2019-bert"]["status"] == "kept"  # NAACL 2019, as the sources say
    exp = expected(_paper("1909.11942"), {"arxiv": "1909.11942"})
    albert = report["lan2019albert"]
    assert albert["status"] == "mismatch" and f"year 2019 (sources: {exp.year})" in albert["reason"]


def test_wrong_published_entries_without_an_id_are_reported_and_fixed_on_request(fake, tmp_path):
    text = albert_as_iclr_2019() + "\n" + bert_as_acl()
    out, report, _ = _go(fake, tmp_path, text)
    assert out == text.encode("utf-8")  # reported, never rewritten unasked
    assert report["lan2019albert"]["status"] == "mismatch" and "year 2019" in report["lan2019albert"]["reason"]
    assert report["devlin2019bert"]["status"] == "mismatch" and "venue 'ACL'" in report["devlin2019bert"]["reason"]
    fixed, report, _ = _go(fake, tmp_path, text, "--fix-published")
    new = entries_of(fixed.decode("utf-8"))
    for key, arxiv_id in (("lan2019albert", "1909.11942"), ("devlin2019bert", "1810.04805")):
        exp = expected(_paper(arxiv_id), {"arxiv": arxiv_id})
        assert report[key]["status"] == "upgraded" and int(new[key]["year"]) == exp.year
    assert "North" in new["devlin2019bert"]["booktitle"] and new["devlin2019bert"]["doi"].lower() == "10.18653/v1/n19-1423"


def test_a_byte_order_mark_and_crlf_line_ends_are_kept(fake, tmp_path):
    p = _paper("1909.10351")
    scholar = bibstyles.scholar_entry(p).replace("\n}", ",\n  keywords={distillation,\n    compression}\n}")  # a value over two lines
    text = "\ufeff" + ("% mine\n" + scholar + "\n" + ACL_ENTRY).replace("\n", "\r\n")
    out, report, _ = _go(fake, tmp_path, text)
    assert report["jiao2019tinybert"]["status"] == "upgraded"
    assert out.startswith(b"\xef\xbb\xbf% mine\r\n@inproceedings{jiao2019tinybert,\r\n")
    assert b"\n" not in out.replace(b"\r\n", b"") and b"\r\r" not in out  # every line of the upgraded entry ends CRLF too
    assert b"keywords = {distillation,\r\n    compression}" in out
    assert ACL_ENTRY.replace("\n", "\r\n").encode("utf-8") in out
    # offline with nothing cached: byte-identical, BOM included
    src = tmp_path / "in.bib"
    proc = run(["upgrade", str(src), "--offline", "-o", str(tmp_path / "off.bib"), "--quiet"], env_for(fake, tmp_path / "empty"))
    assert proc.returncode == 0 and (tmp_path / "off.bib").read_bytes() == src.read_bytes()


def _stopped_run(fake, tmp_path, text: str, *args: str) -> tuple[dict, str, dict]:
    """Start an upgrade with slow services, Ctrl-C it once it saved its first chunk: (env, stderr, state)."""
    src = tmp_path / "refs.bib"
    src.write_text(text, encoding="utf-8")
    env = {**env_for(fake, tmp_path / "cache"), "ATPBIB_UPGRADE_CHUNK": "3"}
    state = tmp_path / "refs.bib.upgrade-state.json"
    fake.clear()
    for service in fake.services:
        fake.set_latency(service, 0.4)  # every chunk takes a while: the signal lands mid-run, even under load
    try:
        proc = subprocess.Popen([sys.executable, "-m", "atpbib", "upgrade", str(src), *args, "--quiet"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        deadline = started + 120
        while not state.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert state.exists(), "no progress file after the first chunk"
        seen = time.monotonic() - started
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        err += f"\n[state seen after {seen:.1f} s, run ended after {time.monotonic() - started:.1f} s]"
    finally:
        for service in fake.services:
            fake.set_latency(service, 0.0)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    return env, err, json.loads(state.read_text(encoding="utf-8"))["entries"]


def test_a_stopped_run_writes_what_it_has_and_the_next_run_resumes(fake, tmp_path):
    papers = bibstyles.arxiv_papers()[:45]
    text = "\n".join(bibstyles.scholar_entry(p) for p in papers)
    src, out = tmp_path / "refs.bib", tmp_path / "out.bib"
    env, err, done = _stopped_run(fake, tmp_path, text, "-o", str(out))
    assert 3 <= len(done) < len(papers)
    partial = out.read_text(encoding="utf-8")
    upgraded_keys = {v["key"] for v in done.values() if v["status"] == "upgraded"}
    for block in bibtexparser.parse_string(text).entries:  # what was not done is as it was
        if block.key not in upgraded_keys:
            assert block.raw in partial, block.key
    assert any(f"@inproceedings{{{k}," in partial for k in upgraded_keys)
    fake.clear()
    again = run(["upgrade", str(src), "-o", str(out), "--quiet"], env)
    assert again.returncode == 0 and f"resuming: {len(done)} entries" in again.stderr
    assert not (tmp_path / "refs.bib.upgrade-state.json").exists()  # a finished run leaves no progress file
    # the resumed result is the one an uninterrupted run gives
    fresh = run(["upgrade", str(src), "-o", str(tmp_path / "fresh.bib"), "--quiet", "--state", str(tmp_path / "s.json")], env)
    assert fresh.returncode == 0 and (tmp_path / "fresh.bib").read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_a_stopped_in_place_run_resumes_and_the_backup_is_the_original(fake, tmp_path):
    text = "\n".join(bibstyles.scholar_entry(p) for p in bibstyles.arxiv_papers()[:45])
    src = tmp_path / "refs.bib"
    env, _, _ = _stopped_run(fake, tmp_path, text, "--in-place")
    assert src.read_text(encoding="utf-8") != text  # what was done is written
    again = run(["upgrade", str(src), "--in-place", "--quiet"], env)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "refs.bib.bak").read_text(encoding="utf-8") == text
    fresh = run(["upgrade", str(tmp_path / "refs.bib.bak"), "-o", str(tmp_path / "fresh.bib"), "--quiet"], env)
    assert fresh.returncode == 0 and (tmp_path / "fresh.bib").read_text(encoding="utf-8") == src.read_text(encoding="utf-8")


def test_no_output_may_name_the_input(fake, tmp_path):
    src = tmp_path / "refs.bib"
    src.write_text(ACL_ENTRY, encoding="utf-8")
    env = env_for(fake, tmp_path / "cache")
    for args in (["--report", str(src)], ["--state", str(src)], ["-o", str(tmp_path / "o.bib"), "--report", str(tmp_path / "o.bib")]):
        proc = run(["upgrade", str(src), *args], env)
        assert proc.returncode == 2 and "name another file" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert src.read_text(encoding="utf-8") == ACL_ENTRY


def test_the_progress_file_serves_only_the_same_entries_under_the_same_options(tmp_path):
    from atpbib import upgrade as up
    from atpbib.inputs import bibfile

    (e,) = bibfile.parse(bert_as_acl()).entries
    path = tmp_path / "s.json"
    state = up.State.load(path, up.options_signature(format="bibtex"))
    state.add(e, up.Outcome(e.key, e.line, "kept", "already a published version"))
    state.save()
    assert up.State.load(path, up.options_signature(format="bibtex")).get(e).reason == "already a published version"
    assert up.State.load(path, up.options_signature(format="biblatex")).get(e) is None  # other options: start over
    (edited,) = bibfile.parse(bert_as_acl().replace("{ACL}", "{NAACL}")).entries
    assert up.State.load(path, up.options_signature(format="bibtex")).get(edited) is None  # edited since: decided again
    path.write_text("{not json", encoding="utf-8")
    assert up.State.load(path, up.options_signature(format="bibtex")).done == {}  # damaged: costs only its progress
