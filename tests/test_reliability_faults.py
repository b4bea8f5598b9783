"""Service faults during `atpbib export`: 429 (both Retry-After forms), 503 bursts, resets, slow answers,
truncated XML/JSON, HTML error pages with status 200, a service down for the whole run.

Every scenario checks what was written: the works the other services resolve are exported exactly as in
the fault-free run, the affected works are `partial` with the reason in `--report r.json`, and nothing bad
was cached (a second run after the fault resolves everything and asks only for what was missing).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

# fake, baseline and fresh_fake are pytest fixtures, used by name
from test_reliability_helpers import (  # noqa: F401
    QUICK_GIVE_UP,
    SECTION,
    SERVICE_LABEL,
    Baseline,
    assert_no_traceback,
    baseline,
    cli_env,
    fake,
    fresh_fake,
    logs,
    parse_bib,
    partial_lines,
    read_report,
    run_cli,
    write_hook,
)




def _export(env: dict, out: Path, report: Path, *extra: str):
    return run_cli(["export", "--section", SECTION, "-o", out, "--report", report, "--quiet", *extra], env)


def _assert_same_as_baseline(text: str, baseline: Baseline) -> None:
    entries = parse_bib(text)
    assert [e.essentials() for e in entries] == [e.essentials() for e in baseline.entries]
    assert [e.fields for e in entries] == [e.fields for e in baseline.entries]


# ------------------------------------------------------------------------------------------------------
# Transient faults: the default retry policy absorbs them; the result is the fault-free one


TRANSIENT = [
    ("dblp", ["429"]),
    ("dblp", ["429-date"]),
    ("arxiv", ["503", "503"]),
    ("acl", ["reset"]),
    ("arxiv", ["truncated"]),  # XML cut in half
    ("dblp", ["truncated"]),  # JSON cut in half
    ("openreview", ["html200"]),
    ("arxiv", ["html200"]),
]


@pytest.mark.parametrize("service,faults", TRANSIENT, ids=[f"{s}-{'+'.join(f)}" for s, f in TRANSIENT])
def test_transient_fault_is_retried_and_nothing_bad_is_cached(fake, baseline, tmp_path, service, faults):
    fake.fail(service, faults)
    env = cli_env(fake.env(), tmp_path / "cache")
    out, rep = tmp_path / "out.bib", tmp_path / "r.json"
    run = _export(env, out, rep)
    assert_no_traceback(run)
    assert run.returncode == 0, run.describe()
    assert fake.pending_faults(service) == [], "the scripted faults were not all consumed"

    report = read_report(rep)
    assert report["by_status"] == {"resolved": len(baseline.works)}, report
    assert report["partial"] == [] and report["failed_sources"] == {}
    _assert_same_as_baseline(out.read_text(encoding="utf-8"), baseline)

    # the failed request was asked again (same path), and nothing else was asked twice more than that
    seen = logs(fake)[service]
    faulted = seen[: len(faults)]
    assert all(p == faulted[0] for p in faulted)
    assert seen.count(faulted[0]) == len(faults) + 1, seen
    if faults[0].startswith("429"):
        # Retry-After: 1 (seconds, or an HTTP date ~2 s ahead) was honoured before the retry
        assert run.elapsed >= 1.0

    # second run: everything comes from the cache (the retried answer was stored, the fault was not)
    fake.clear()
    out2, rep2 = tmp_path / "out2.bib", tmp_path / "r2.json"
    run2 = _export(env, out2, rep2)
    assert run2.returncode == 0, run2.describe()
    assert all(not v for v in logs(fake).values()), logs(fake)
    assert out2.read_bytes() == out.read_bytes()


# ------------------------------------------------------------------------------------------------------
# Persistent faults: the failure is final; affected works are partial, the rest is exact


# (service, fault kind, reason pattern expected in each affected work's problems, Retry-After of the fake)
PERSISTENT = [
    ("dblp", "429", r"429", 120),  # "come back in 2 minutes": beyond the wait budget, given up at once
    ("dblp", "429-date", r"429", 120),
    ("arxiv", "503", r"503", 1),
    ("acl", "reset", r"unreachable|reset", 1),
    ("arxiv", "truncated", r"truncat|cut off|invalid|malformed", 1),
    ("dblp", "truncated", r"truncat|cut off|invalid|malformed", 1),
    ("openreview", "html200", r"HTML|invalid", 1),
    ("acl", "html200", r"HTML|invalid", 1),
]


def _successful(before: dict[str, list[str]], service: str, consumed: int) -> set[tuple[str, str]]:
    """Requests of run 1 that got a real answer: the faulted service's first `consumed` got a fault."""
    ok = set()
    for svc, paths in before.items():
        for i, p in enumerate(paths):
            if svc == service and i < consumed:
                continue
            ok.add((svc, p))
    return ok


def _check_fault_run(fake, baseline: Baseline, service: str, reason: str, out: Path, rep: Path) -> dict[int, list[str]]:
    """The run under a persistent fault of `service`: exact for unaffected works, partial + reason for the others."""
    label = SERVICE_LABEL[service]
    report = read_report(rep)
    entries = parse_bib(out.read_text(encoding="utf-8"))
    assert len(entries) == len(baseline.works), "every work is exported, partial ones included"
    assert len({e.key for e in entries}) == len(entries)

    affected = baseline.lines_touching(service)
    assert affected, f"the Compression plan never asks {service}: the scenario tests nothing"
    partial = partial_lines(report)
    assert set(partial) == affected, (sorted(partial), sorted(affected))
    for line, problems in partial.items():
        assert any(p.startswith(label) and re.search(reason, p, re.I) for p in problems), (line, problems)
    assert label in report["failed_sources"], report["failed_sources"]
    assert report["by_status"].get("resolved", 0) == len(baseline.works) - len(affected)

    # the works no fault touched: exactly the fault-free entry (key, type, venue, year, every field)
    for i, line in enumerate(baseline.lines):
        if line not in affected:
            assert entries[i].fields == baseline.entries[i].fields, line
            assert entries[i].essentials() == baseline.entries[i].essentials(), line
    return partial


def _rerun_and_check_only_missing_fetched(fake, baseline, env, tmp_path, service, before, consumed):
    out2, rep2 = tmp_path / "second.bib", tmp_path / "second.json"
    run2 = _export(env, out2, rep2)
    assert_no_traceback(run2)
    assert run2.returncode == 0, run2.describe()
    report2 = read_report(rep2)
    assert report2["by_status"] == {"resolved": len(baseline.works)}, report2["partial"]
    _assert_same_as_baseline(out2.read_text(encoding="utf-8"), baseline)
    after = {(svc, p) for svc, paths in logs(fake).items() for p in paths}
    successful = _successful(before, service, consumed)
    assert after, "the second run asked nothing: the failed answers must have been cached"
    assert not (after & successful), sorted(after & successful)
    assert any(svc == service for svc, _ in after)


@pytest.mark.parametrize("service,kind,reason,retry_after", PERSISTENT,
                         ids=[f"{s}-{k}" for s, k, _, _ in PERSISTENT])
def test_persistent_fault_gives_partial_works_and_a_clean_second_run(fake, baseline, tmp_path, service, kind, reason, retry_after):
    hook = write_hook(tmp_path / "hook")
    env = cli_env(fake.env(), tmp_path / "cache", hook_dir=hook, fetcher=QUICK_GIVE_UP)
    fake.retry_after = retry_after
    scripted = 80
    fake.fail(service, [kind] * scripted)
    out, rep = tmp_path / "first.bib", tmp_path / "first.json"
    started = time.monotonic()
    run = _export(env, out, rep)
    assert_no_traceback(run)
    assert run.returncode == 0, run.describe()
    consumed = scripted - len(fake.pending_faults(service))
    assert consumed >= 1 and fake.pending_faults(service), "every request to the service must have been faulted"
    if retry_after > 60:
        assert time.monotonic() - started < 30, "a far Retry-After must not be waited for"
    _check_fault_run(fake, baseline, service, reason, out, rep)

    before = logs(fake)
    assert consumed <= 2 * len(set(before[service])), "the test hook (2 attempts per request) was not in effect"
    fake.clear()
    _rerun_and_check_only_missing_fetched(fake, baseline, env, tmp_path, service, before, consumed)


@pytest.mark.parametrize("service", ["dblp", "arxiv"])
def test_service_down_for_the_whole_run(fake, baseline, tmp_path, service):
    """Connection refused for the whole run, with the default retry policy: the breaker keeps it short."""
    env = cli_env(fake.env(), tmp_path / "cache")
    fake.down(service)
    out, rep = tmp_path / "first.bib", tmp_path / "first.json"
    run = _export(env, out, rep)
    assert_no_traceback(run)
    assert run.returncode == 0, run.describe()
    assert run.elapsed < 60, run.describe()
    partial = _check_fault_run(fake, baseline, service, r"unreachable", out, rep)
    assert f"{SERVICE_LABEL[service]} unreachable" in read_report(rep)["failed_sources"][SERVICE_LABEL[service]]
    assert f"source failed: {SERVICE_LABEL[service]}" in run.stderr
    assert partial

    before = logs(fake)
    assert before[service] == []
    fake.up(service)
    fake.clear()
    _rerun_and_check_only_missing_fetched(fake, baseline, env, tmp_path, service, before, 0)


# ------------------------------------------------------------------------------------------------------
# Answers slower than the read timeout (the CLI has no option for it: through the Python API)


def test_answers_slower_than_the_read_timeout(fake, baseline, tmp_path, monkeypatch):
    from atpbib import api
    from atpbib.export import export_works
    from atpbib.export.report import build_report
    from atpbib.fetch import Fetcher
    from atpbib.resolve import resolve_entries

    for k, v in fake.env().items():
        monkeypatch.setenv(k, v)
    cache = tmp_path / "cache"
    parsed = api.load(None)
    chosen = [e for e in api.select(parsed, [SECTION]) if e.kind in ("paper", "survey", "book")]
    kinds = ("paper", "survey", "book")

    def run(fetcher):
        with fetcher:
            result = resolve_entries(chosen, fetcher)
            works = api.with_keys(result.works, parsed, kinds, fetcher, None)
        report = build_report(works, events=result.events, failed_sources=result.failed_sources)
        nicknames = tuple(e.nickname for e in parsed.entries if e.nickname)  # as the CLI does
        return works, export_works(works, "bibtex", lexicon_extra=nicknames), report

    affected = baseline.lines_touching("acl")
    fake.fail("acl", ["slow"] * 40, slow_seconds=1.5)
    started = time.monotonic()
    works, text, report = run(Fetcher(cache, intervals={}, read_timeout=0.4, max_attempts=2, backoff_base=0.05))
    assert time.monotonic() - started < 30
    consumed = 40 - len(fake.pending_faults("acl"))
    by_line = {w.first_entry.line: w for w in works}
    assert {l for l, w in by_line.items() if w.status == "partial"} == affected
    for line in affected:
        assert any(p.startswith("ACL Anthology") and "timed out" in p for p in by_line[line].problems), by_line[line].problems
    assert report["failed_sources"].get("ACL Anthology")
    entries = parse_bib(text)
    for i, line in enumerate(baseline.lines):
        if line not in affected:
            assert entries[i].fields == baseline.entries[i].fields

    before = logs(fake)
    fake.clear()
    works2, text2, report2 = run(Fetcher(cache, intervals={}))
    assert report2["by_status"] == {"resolved": len(baseline.works)}
    _assert_same_as_baseline(text2, baseline)
    after = {(svc, p) for svc, paths in logs(fake).items() for p in paths}
    assert after and not (after & _successful(before, "acl", consumed))


# ------------------------------------------------------------------------------------------------------
# A source answer of the wrong shape is that source's failure for that paper (ISSUE 22 items 5 and 14)


def _notes_with_object_ids(route):
    """OpenReview answering its usual notes, but with `id` and `forum` JSON objects instead of strings."""
    import json

    from fakeservices import Answer

    def wrong_shape(path, query):
        answer = route(path, query)
        if answer.status != 200 or not answer.content_type.startswith("application/json"):
            return answer
        data = json.loads(answer.body)
        for note in data.get("notes") or []:
            note["id"], note["forum"] = {"value": note.get("id")}, {"value": note.get("forum")}
        return Answer(200, json.dumps(data).encode("utf-8"), answer.content_type, answer.headers)

    return wrong_shape


def test_an_openreview_note_with_an_object_id_fails_openreview_only_and_keeps_every_other_answer(fake, baseline, tmp_path):
    routes = {name: fake.services[name].route for name in ("openreview", "openreview2")}
    try:
        for name, route in routes.items():
            fake.services[name].route = _notes_with_object_ids(route)
        out, rep = tmp_path / "out.bib", tmp_path / "r.json"
        run = _export(cli_env(fake.env(), tmp_path / "cache"), out, rep)
    finally:
        for name, route in routes.items():
            fake.services[name].route = route
    assert_no_traceback(run)
    assert run.returncode == 0, run.describe()
    report = read_report(rep)
    assert set(report["failed_sources"]) == {"OpenReview"}
    assert "unusable answer" in report["failed_sources"]["OpenReview"]
    partial = partial_lines(report)
    hit = [line for line in partial if line in baseline.lines_touching("openreview")]
    assert hit and set(partial) <= baseline.lines_touching("openreview"), partial
    entries = parse_bib(out.read_text(encoding="utf-8"))
    for entry, line in zip(entries, baseline.lines):
        if line not in partial:  # the works OpenReview's answer did not concern: exactly the fault-free ones
            assert entry.fields == baseline.entry_for_line(line).fields
        else:  # what DBLP, the ACL Anthology and arXiv said is kept: never a bare @misc with a garbage URL
            assert "{'value'" not in entry.raw and "%7B" not in entry.raw
            assert entry.f.get("author") and (entry.f.get("eprint") or entry.f.get("doi") or entry.f.get("booktitle"))


def test_a_parser_bug_is_that_sources_unusable_answer_and_the_other_sources_records_stay():
    from atpbib.model import Entry, Ids, Person, Record
    from atpbib.resolve import resolve_entries
    from atpbib.sources import acl, arxiv

    entry = Entry(section=("S",), line=1, title="A Listed Paper", ids=Ids(arxiv="2001.00001", acl="2020.fake-1"))
    preprint = Record(source="arxiv", source_key="2001.00001", title="A Listed Paper", authors=(Person("Doe", "Jane"),),
                      year=2020, venue="arXiv", ids=Ids(arxiv="2001.00001"))

    def broken_parser(*args, **kwargs):
        return (5).split()  # what a parser meeting a number where it expected text does

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(arxiv, "fetch_by_ids", lambda fetcher, ids, *a, **k: {i: preprint for i in ids if i == "2001.00001"})
        mp.setattr(acl, "fetch_bib", broken_parser)
        result = resolve_entries([entry], None)
    (work,) = result.works
    assert work.status == "partial" and "arxiv" in work.sources and work.authors == (Person("Doe", "Jane"),)
    assert [str(p) for p in work.problems] == ["ACL Anthology: unusable answer (AttributeError: 'int' object has no attribute 'split')"]
    assert result.failed_sources["ACL Anthology"] == str(work.problems[0])
