"""The command line as a user meets it: real subprocesses, exit codes, one-line errors, output shapes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest

from fakeservices import FakeServices

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "ATPBIB_INTERVAL_ARXIV": "0", "ATPBIB_INTERVAL_DBLP": "0", "ATPBIB_INTERVAL_S2": "0", "ATPBIB_INTERVAL_CROSSREF": "0", **(env or {})}
    return subprocess.run([sys.executable, "-m", "atpbib", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout)


def fake_env(fake: FakeServices, tmp_path: Path) -> dict:
    return {**fake.env(), "ATPBIB_CACHE_DIR": str(tmp_path / "cache")}


def test_sections_prints_the_tree_with_counts_per_kind():
    r = run("sections")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert "  Compression  [16: 16 paper]" in lines
    assert "Transformer  [23: 8 blog, 12 paper, 3 repository]" in lines
    assert "  Tutorial & Survey  [5: 1 book, 3 survey, 1 talk]" in lines
    # recovery notes go to stderr with file and line
    assert "ATPapers.md (bundled):126: warning: year '202'" in r.stderr


def test_list_json_has_the_documented_shape():
    r = run("list", "--section", "Compression", "--json")
    assert r.returncode == 0
    entries = json.loads(r.stdout)
    assert len(entries) == 16
    assert set(entries[0]) == {"section", "line", "title", "authors", "venue", "year", "nickname", "kind", "links", "ids", "warnings"}
    assert set(entries[0]["ids"]) == {"arxiv", "acl", "openreview", "pmlr", "neurips", "doi", "github"}
    tiny = next(e for e in entries if e["nickname"] == "TinyBERT")
    assert (tiny["section"], tiny["venue"], tiny["year"], tiny["ids"]["arxiv"]) == (
        "Pretrained Language Model/Compression", "ICLR", 2019, "1909.10351")
    typo = next(e for e in entries if e["line"] == 126)
    assert typo["year"] is None and typo["warnings"]


def test_several_sections_combine_in_list_order():
    r = run("list", "--section", "compression", "--section", "Transformer/Papers", "--json")
    lines = [e["line"] for e in json.loads(r.stdout)]
    assert len(lines) == 28 and lines == sorted(lines)


@pytest.mark.parametrize("args, message", [
    (("list", "--section", "Papers"), "ambiguous"),
    (("list", "--section", "Compresion"), "nearest headings"),
    (("list", "--list", "/no/such/list.md"), "no such file"),
    (("export", "--format", "docx", "--offline"), "unknown format"),
    (("export", "--include", "videos", "--offline"), "unknown kind"),
    (("check", "--fix", "--offline"), "needs -o"),
])
def test_usage_errors_are_one_line_exit_2_without_traceback(args, message, tmp_path):
    r = run(*args, env={"ATPBIB_CACHE_DIR": str(tmp_path)})
    assert r.returncode == 2
    errors = [l for l in r.stderr.splitlines() if l.startswith("atpbib: error:")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in r.stderr


def test_strict_turns_list_warnings_into_an_error():
    assert run("list", "--section", "Compression", "--json").returncode == 0
    r = run("list", "--section", "Compression", "--strict")
    assert r.returncode == 2 and "--strict" in r.stderr


def test_a_list_given_by_url_is_fetched(fake, tmp_path):
    from pytest_httpserver import HTTPServer

    text = (ROOT / "tests" / "fixtures" / "lists" / "other_shapes.md").read_text(encoding="utf-8")
    with HTTPServer(host="127.0.0.1") as server:
        server.expect_request("/list.md").respond_with_data(text, content_type="text/markdown; charset=utf-8")
        server.expect_request("/page").respond_with_data("<!doctype html><html></html>", content_type="text/html")
        ok = run("list", "--list", server.url_for("/list.md"), "--json", env={"ATPBIB_CACHE_DIR": str(tmp_path)})
        bad = run("list", "--list", server.url_for("/page"), env={"ATPBIB_CACHE_DIR": str(tmp_path)})
    assert ok.returncode == 0 and len(json.loads(ok.stdout)) > 0
    assert bad.returncode == 2 and "not a Markdown list" in bad.stderr


def test_export_writes_bibtex_by_extension_and_the_summary_to_stderr(fake, tmp_path):
    out = tmp_path / "compression.bib"
    r = run("export", "--section", "Compression", "-o", str(out), "--quiet", env=fake_env(fake, tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    lib = bibtexparser.parse_string(out.read_text(encoding="utf-8"))
    keys = [e.key for e in lib.entries]
    assert len(keys) == 16 and "jiao2020tinybert" in keys
    tiny = next(e for e in lib.entries if e.key == "jiao2020tinybert")
    assert tiny.entry_type == "inproceedings" and tiny["pages"] == "4163--4174"
    assert "exported 16 work(s)" in r.stderr


def test_export_json_is_csl_and_stdout_without_o(fake, tmp_path):
    env = fake_env(fake, tmp_path)
    out = tmp_path / "c.json"
    assert run("export", "--section", "Compression", "-o", str(out), env=env).returncode == 0
    items = json.loads(out.read_text(encoding="utf-8"))
    assert {i["id"] for i in items} >= {"jiao2020tinybert", "lan2020albert"}
    r = run("export", "--section", "Compression", "--offline", env=env)  # everything cached by now
    assert r.returncode == 0 and r.stdout.lstrip().startswith("@")


def test_keys_do_not_depend_on_the_selection(fake, tmp_path):
    env = fake_env(fake, tmp_path)
    whole = tmp_path / "all.json"
    part = tmp_path / "part.json"
    assert run("export", "-o", str(whole), env=env, timeout=300).returncode == 0
    assert run("export", "--section", "Compression", "-o", str(part), "--offline", env=env).returncode == 0
    all_keys = {i["URL"]: i["id"] for i in json.loads(whole.read_text()) if i.get("URL")}
    for item in json.loads(part.read_text()):
        assert all_keys[item["URL"]] == item["id"]


def test_export_never_touches_a_users_library_on_merge_errors(fake, tmp_path):
    lib = tmp_path / "refs.bib"
    original = b"@article{mine2001,\r\n  title = {Kept As Is},\r\n  year = {2001}\r\n}\r\n"
    lib.write_bytes(original)
    r = run("export", "--section", "Compression", "--merge", str(lib), "--key-format", "{nope}", env=fake_env(fake, tmp_path))
    assert r.returncode == 2 and lib.read_bytes() == original
    r = run("export", "--section", "Compression", "--merge", str(lib), env=fake_env(fake, tmp_path))
    assert r.returncode == 0, r.stderr
    merged = lib.read_bytes()
    assert merged.startswith(original) and b"jiao2020tinybert" in merged
    assert (tmp_path / "refs.bib.bak").read_bytes() == original


def test_cache_info_and_clear(fake, tmp_path):
    env = fake_env(fake, tmp_path)
    assert run("resolve", "--section", "Compression", "--json", env=env).returncode == 0
    info = run("cache", "info", env=env)
    entries = int(next(l for l in info.stdout.splitlines() if l.startswith("entries:")).split()[1])
    assert entries > 0 and "127.0.0.1:" in info.stdout
    cleared = run("cache", "clear", env=env)
    assert f"removed {entries}" in cleared.stdout
    assert "entries:  0" in run("cache", "info", env=env).stdout


def test_offline_resolution_from_an_empty_cache_fails_per_entry_without_requests(fake, tmp_path):
    fake.clear()
    r = run("resolve", "--section", "Compression", "--offline", "--json", env=fake_env(fake, tmp_path))
    assert r.returncode == 0
    works = json.loads(r.stdout)
    assert all(w["status"] == "partial" and w["problems"] for w in works)
    assert sum(len(fake.requests(s)) for s in ("arxiv", "acl", "openreview", "openreview2", "dblp")) == 0
    assert "offline" in r.stderr


def test_cache_lifetime_is_configurable(fake, tmp_path):
    def second_run_requests(env: dict) -> int:
        assert run("resolve", "--section", "Compression", "--json", env=env).returncode == 0
        fake.clear()
        assert run("resolve", "--section", "Compression", "--json", env=env).returncode == 0
        return sum(len(fake.requests(s)) for s in ("arxiv", "acl", "openreview", "openreview2", "dblp"))

    default = fake_env(fake, tmp_path)
    expire_at_once = {**default, "ATPBIB_CACHE_DAYS": "0", "ATPBIB_CACHE_DIR": str(tmp_path / "short")}
    assert second_run_requests(default) == 0  # fresh for 30 days
    assert second_run_requests(expire_at_once) > 0  # expired as soon as stored: asked again


def test_export_over_an_existing_file_keeps_the_original(fake, tmp_path):
    env = fake_env(fake, tmp_path)
    out = tmp_path / "refs.bib"
    original = b"@article{mine,\n  title = {My Own},\n  year = {2001}\n}\n"
    out.write_bytes(original)
    for _ in range(2):  # a second export must not replace the backup of the user's file
        r = run("export", "--section", "Compression", "-o", str(out), env=env)
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "refs.bib.bak").read_bytes() == original
    assert b"jiao2020tinybert" in out.read_bytes()
