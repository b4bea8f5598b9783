"""The `atpbib` command line: sections, list, resolve, export, check, cache.

Heavy modules are imported inside the commands so `atpbib --help` and `atpbib sections` start fast.
Every user error ends as one line on stderr and exit code 2 (usage) or 1 (findings/failures), never a traceback.
"""

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List, Optional

import typer

from .model import RESOLVABLE_KINDS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Resolve a Markdown paper list (ATPapers by default) into a correct BibTeX / CSL-JSON library.",
)
cache_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Inspect or empty the disk cache.")
app.add_typer(cache_app, name="cache")


class UsageError(Exception):
    """Bad input from the user: one line, exit code 2."""


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


# -- shared options ----------------------------------------------------------------------------------
ListOpt = typer.Option(None, "--list", help="Markdown list: a path or an http(s) URL (default: the bundled ATPapers list).")
SectionOpt = typer.Option(None, "--section", "-s", help="Heading name (e.g. Compression) or path (Transformer/Papers); repeatable.")
OfflineOpt = typer.Option(False, "--offline", help="Never touch the network; answer from the cache only.")
RefreshOpt = typer.Option(False, "--refresh", help="Re-fetch everything, ignoring cached answers (stale ones are used if a fetch fails).")
CacheDirOpt = typer.Option(None, "--cache-dir", help="Cache directory (default ./cache or $ATPBIB_CACHE_DIR).")
MailtoOpt = typer.Option(None, "--mailto", help="Contact address sent in the User-Agent (default $ATPBIB_MAILTO).")
QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress bar.")
StrictOpt = typer.Option(False, "--strict", help="Treat list warnings (and, for export, unresolved papers) as errors.")
LockOpt = typer.Option(None, "--lock", help="Lock file to use (default: atpbib.lock beside the list; the bundled list has its own).")
NoLockOpt = typer.Option(False, "--no-lock", help="Ignore every lock, bundled or not (also ATPBIB_LOCK=off).")
LockedOpt = typer.Option(False, "--locked", help="CI mode: never touch the network; exit 1 naming each entry missing from the lock.")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn every error a user can cause into one line and an exit code."""
    from .config import ConfigError
    from .export import ExportError
    from .keys import KeyTemplateError
    from .listparse import ListError
    from .inputs.bibfile import BibError
    from .lock import LockError
    from .select import SectionError

    try:
        yield
    except (UsageError, ListError, SectionError, KeyTemplateError, ExportError, ConfigError, LockError, BibError) as exc:
        _err(f"atpbib: error: {exc}")
        raise typer.Exit(2)
    except UnicodeDecodeError as exc:
        _err(f"atpbib: error: not UTF-8 text ({exc.reason} at byte {exc.start})")
        raise typer.Exit(2)
    except OSError as exc:
        _err(f"atpbib: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        raise typer.Exit(2)


def _parse(list_path: Optional[str], strict: bool, fetcher: Any = None, remember: bool = False):
    from .api import load

    parsed = load(list_path, fetcher=fetcher, remember=remember)
    if not parsed.entries:
        first = parsed.warnings[0].message if parsed.warnings else "no list items with links"
        raise UsageError(f"{parsed.source_name}: no entries found, is it a Markdown paper list? ({first})")
    return parsed, strict


def _list_warnings(parsed: Any, entries: Any = None) -> list[tuple[int, str]]:
    """The parser's recovery notes (line, text) for the selected entries (all, if none given)."""
    lines = None if entries is None else {e.line for e in entries}
    entry_lines = {e.line for e in parsed.entries}
    return [(w.line, w.text) for w in parsed.warnings
            if lines is None or w.line in lines or w.line not in entry_lines]


def _warn(parsed: Any, strict: bool, entries: Any = None) -> None:
    """Print the parser's recovery notes (for the selected entries, if any); --strict makes them errors."""
    shown = _list_warnings(parsed, entries)
    for line, text in shown:
        _err(f"{parsed.source_name}:{line}: warning: {text}")
    if strict and shown:
        raise UsageError(f"{len(shown)} problem(s) in {parsed.source_name} (--strict)")


@contextmanager
def _fetcher(cache_dir: Optional[Path], offline: bool, refresh: bool, mailto: Optional[str], quiet: bool, total: int = 0):
    """A Fetcher with a progress bar on stderr when it is a terminal."""
    from .api import LazyFetcher, make_fetcher

    progress = None
    task = None
    if not quiet and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        task = progress.add_task("requests", total=None)

    def on_request(host: str, url: str, from_cache: bool) -> None:
        if progress is not None:
            progress.update(task, advance=1, description=f"{'cache' if from_cache else 'fetch'} {host}")

    fetcher = LazyFetcher(lambda: make_fetcher(cache_dir=cache_dir, offline=offline, refresh=refresh, mailto=mailto,
                                               on_request=on_request, lazy_cache=True),
                          cache_dir=cache_dir or _config().default_cache_dir(), refresh=refresh)
    from .inputs.listmemo import kept_in

    try:
        with kept_in(cache_dir):  # the remembered list parses live in the same --cache-dir
            if progress is not None:
                with progress:
                    yield fetcher
            else:
                yield fetcher
    finally:
        fetcher.close()


def _config() -> Any:
    from . import config

    return config


# -- commands -----------------------------------------------------------------------------------------
@app.command()
def sections(list_path: Optional[str] = ListOpt, strict: bool = StrictOpt) -> None:
    """Print the section tree with the number of entries of each kind."""
    with _user_errors():
        parsed, _ = _parse(list_path, strict)
        _warn(parsed, strict)
        from collections import Counter

        for heading in parsed.headings:
            inside = [e for e in parsed.entries if e.section[: len(heading.path)] == heading.path]
            counts = Counter(e.kind for e in inside)
            detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
            indent = "  " * (len(heading.path) - 1)
            typer.echo(f"{indent}{heading.path[-1]}  [{len(inside)}{': ' + detail if detail else ''}]")


@app.command("list")
def list_entries(
    section: Optional[List[str]] = SectionOpt,
    list_path: Optional[str] = ListOpt,
    as_json: bool = typer.Option(False, "--json", help="A JSON array, one object per entry (stable, documented shape)."),
    strict: bool = StrictOpt,
) -> None:
    """Print the entries of the list (or of the selected sections)."""
    with _user_errors():
        from .api import select
        from .listparse import entry_to_json

        parsed, _ = _parse(list_path, strict)
        entries = select(parsed, section or [])
        _warn(parsed, strict, entries)
        if as_json:
            typer.echo(json.dumps([entry_to_json(e) for e in entries], ensure_ascii=False, indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for col in ("line", "section", "kind", "title", "hint", "ids"):
            table.add_column(col)
        for e in entries:
            hint = " ".join(str(x) for x in (e.venue, e.year) if x)
            ids = " ".join(f"{k}:{v}" for k, v in e.ids.known().items())
            table.add_row(str(e.line), e.section_path, e.kind, e.title, hint, ids)
        Console(width=200).print(table)


def _work_json(w: Any) -> dict:
    from .model import WORK_ID_SCHEMES, to_jsonable

    return {
        "key": w.key,
        "title": w.title,
        "authors": [{"given": p.given, "family": p.family} for p in w.authors],
        "year": w.year,
        "venue": w.venue,
        "container_title": w.container_title,
        "type": w.type,
        "pages": w.pages,
        "doi": w.doi,
        "url": w.url,
        "ids": {k: getattr(w.ids, k) for k in WORK_ID_SCHEMES},
        "month": w.month, "volume": w.volume, "number": w.number, "publisher": w.publisher, "address": w.address,
        "editors": [{"given": p.given, "family": p.family} for p in w.editors], "kind": w.kind,
        "status": w.status,
        "sources": list(w.sources),
        "discrepancies": [to_jsonable(d) for d in w.discrepancies],
        "problems": list(w.problems),
        "provenance": dict(w.provenance),
        "matches": [to_jsonable(m) for m in w.matches],
        "entries": [{"section": e.section_path, "line": e.line, "title": e.title} for e in w.entries],
    }


def _load_lock(list_path: Optional[str], lock_path: Optional[Path], no_lock: bool) -> Any:
    """The lock every resolving command uses, or None (none there, or --no-lock / ATPBIB_LOCK=off)."""
    from . import lock as locking

    if locking.disabled(no_lock):
        return None
    path = locking.locate(list_path, lock_path)
    if path is None:
        return None
    if not path.exists():
        raise UsageError(f"--lock: {path} does not exist (`atpbib lock --lock {path}` writes it)")
    return locking.read(path)


def _run_resolve(section, list_path, offline, refresh, cache_dir, mailto, quiet, strict, kinds, key_format=None,
                 existing=frozenset(), warn=True, lock_path=None, no_lock=False, locked=False):
    from .api import resolve_selected, select

    lock = _load_lock(list_path, lock_path, no_lock)
    if locked and lock is None:
        raise UsageError("--locked: there is no lock to use (`atpbib lock` writes one; --no-lock and ATPBIB_LOCK=off ignore it)")
    with _fetcher(cache_dir, offline or locked, refresh, mailto, quiet) as fetcher:
        parsed, _ = _parse(list_path, strict, fetcher=fetcher, remember=True)
        selected = select(parsed, section or [])
        if warn:
            _warn(parsed, strict, [e for e in selected if e.kind in kinds])
        if locked:
            missing = [e for e in selected if e.kind in RESOLVABLE_KINDS and e.kind in kinds and lock.find(e) is None]
            for e in missing:
                _err(f"{parsed.source_name}:{e.line}: not in the lock: {e.title}")
            if missing:
                _err(f"atpbib: {len(missing)} entr{'y' if len(missing) == 1 else 'ies'} not in {lock.path} (--locked); "
                     "`atpbib lock` adds them")
                raise typer.Exit(1)
        result = resolve_selected(parsed, selected, fetcher, kinds=kinds, key_format=key_format, existing=existing,
                                  lock=lock)
        if lock is not None:
            _lock_notes(parsed, result, lock)
        return parsed, result


def _lock_notes(parsed: Any, result: Any, lock: Any) -> None:
    """One summary line for what the lock served; each entry it did not hold; orphans of another list version."""
    fresh = {e.line for e in result.not_locked}
    served = sum(1 for w in result.works if not any(e.line in fresh for e in w.entries))
    name = "the bundled lock" if _is_bundled(lock.path) else str(lock.path)
    _err(f"lock: {served} work(s) from {name} ({lock.date}), {len(result.not_locked)} not in the lock")
    for e in result.not_locked:
        _err(f"{parsed.source_name}:{e.line}: not in the lock (resolved now): {e.title}")
    orphans = lock.orphans([e for e in parsed.entries if e.kind in RESOLVABLE_KINDS])
    if orphans:
        shown = "; ".join(f"{r.title!r} (line {r.line})" for r in orphans[:3])
        _err(f"lock: {len(orphans)} locked work(s) match no entry of {parsed.source_name}: {shown}"
             f"{' …' if len(orphans) > 3 else ''} (`atpbib lock` removes them)")


def _bundled_list() -> Path:
    from .lock import BUNDLED_LOCK

    return BUNDLED_LOCK.with_name("ATPapers.md")


def _is_bundled(path: Any) -> bool:
    from .lock import BUNDLED_LOCK

    try:
        return Path(path).resolve() == BUNDLED_LOCK
    except OSError:
        return False


@app.command()
def resolve(
    section: Optional[List[str]] = SectionOpt,
    list_path: Optional[str] = ListOpt,
    offline: bool = OfflineOpt,
    refresh: bool = RefreshOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    mailto: Optional[str] = MailtoOpt,
    quiet: bool = QuietOpt,
    lock_path: Optional[Path] = LockOpt,
    no_lock: bool = NoLockOpt,
    locked: bool = LockedOpt,
    as_json: bool = typer.Option(False, "--json", help="A JSON array of works."),
) -> None:
    """Resolve the papers of the list against arXiv, ACL Anthology, OpenReview and DBLP."""
    with _user_errors():
        _, result = _run_resolve(section, list_path, offline, refresh, cache_dir, mailto, quiet, False, RESOLVABLE_KINDS,
                                 lock_path=lock_path, no_lock=no_lock, locked=locked)
        if as_json:
            typer.echo(json.dumps([_work_json(w) for w in result.works], ensure_ascii=False, indent=2))
        else:
            from rich.console import Console
            from rich.table import Table

            table = Table()
            for col in ("line", "key", "status", "venue", "title", "sources"):
                table.add_column(col)
            for w in result.works:
                table.add_row(str(w.first_entry.line), w.key, w.status, w.venue or "", w.title, ",".join(w.sources))
            Console(width=200).print(table)
        _summary_line(result)


def _summary_line(result: Any) -> None:
    from collections import Counter

    counts = Counter(w.status for w in result.works)
    _err("works: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) if counts else "works: none")
    for service, reason in sorted(result.failed_sources.items()):
        _err(f"source failed: {reason}")
    for event in result.events:
        _err(f"note: {event}")


INCLUDE_KINDS = {"papers": RESOLVABLE_KINDS, "blogs": ("blog",), "repos": ("repository",), "talks": ("talk",),
                 "sites": ("website",)}


@app.command()
def export(
    section: Optional[List[str]] = SectionOpt,
    list_path: Optional[str] = ListOpt,
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (default: stdout). .bib → bibtex, .json → csl-json."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="bibtex | biblatex | csl-json"),
    include: str = typer.Option("papers", "--include", help="Comma-separated: papers,blogs,repos,talks,sites."),
    offline: bool = OfflineOpt,
    refresh: bool = RefreshOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    mailto: Optional[str] = MailtoOpt,
    quiet: bool = QuietOpt,
    lock_path: Optional[Path] = LockOpt,
    no_lock: bool = NoLockOpt,
    locked: bool = LockedOpt,
    merge_path: Optional[Path] = typer.Option(None, "--merge", help="Add the works to this existing .bib (kept byte for byte; backup in .bak)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the summary to FILE (.md or .json)."),
    key_format: Optional[str] = typer.Option(None, "--key-format", help="Citation key template, e.g. '{family}{year}{word}'."),
    strict: bool = StrictOpt,
) -> None:
    """Write the selected works as BibTeX, BibLaTeX or CSL-JSON."""
    with _user_errors():
        from .export import export_works, format_for_path

        kinds: tuple[str, ...] = ()
        for part in (p.strip() for p in include.split(",") if p.strip()):
            if part not in INCLUDE_KINDS:
                raise UsageError(f"--include: unknown kind {part!r} (choose from {', '.join(INCLUDE_KINDS)})")
            kinds += INCLUDE_KINDS[part]
        if fmt is None:
            target = merge_path or output
            fmt = format_for_path(target) if target else "bibtex"
        if fmt not in ("bibtex", "biblatex", "csl-json"):
            raise UsageError(f"--format: unknown format {fmt!r} (bibtex, biblatex, csl-json)")
        if merge_path and fmt == "csl-json":
            raise UsageError("--merge works with a .bib library only")
        _check_outputs({"-o": output, "--report": report, "--merge": merge_path},  # before any request
                       {"--list": list_path or _bundled_list(), "--lock": lock_path, "--merge": merge_path},
                       may_share=(("-o", "--merge"),))
        existing_text = None
        existing_keys: frozenset[str] = frozenset()
        if merge_path:
            if not merge_path.exists():
                raise UsageError(f"--merge: {merge_path} does not exist")
            from .export.bibtex import library_keys

            try:
                existing_text = merge_path.read_bytes().decode("utf-8")  # keep CRLF: the library stays byte for byte
            except UnicodeDecodeError as exc:
                raise UsageError(f"--merge: {merge_path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
            existing_keys = frozenset(library_keys(existing_text))
        # the list's notes are the audit's business: counted in the summary (printed, and fatal, under --strict)
        parsed, result = _run_resolve(section, list_path, offline, refresh, cache_dir, mailto, quiet, strict, kinds,
                                      key_format=key_format, existing=existing_keys, warn=strict,
                                      lock_path=lock_path, no_lock=no_lock, locked=locked)
        nicknames = tuple(e.nickname for e in parsed.entries if e.nickname)
        from .atomic import atomic_write

        if merge_path:
            from .export.bibtex import merge_into

            text = merge_into(existing_text or "", result.works, fmt=fmt, lexicon_extra=nicknames)
            atomic_write(merge_path, text, backup=True)
            if output and output != merge_path:
                _write_keeping_original(output, text)
        else:
            text = export_works(result.works, fmt, lexicon_extra=nicknames)
            if output:
                _write_keeping_original(output, text)
            else:
                sys.stdout.write(text)
        from .export.report import build_report, render_report

        exported_entries = [e for w in result.works for e in w.entries]
        rep = build_report(result.works, events=result.events, failed_sources=result.failed_sources,
                           list_warnings=[] if strict else _list_warnings(parsed, exported_entries))
        import shlex

        check_command = " ".join(["atpbib check"] + [f"--section {shlex.quote(s)}" for s in section or []]
                                 + ([f"--list {shlex.quote(list_path)}"] if list_path else []))
        _err(render_report(rep, "text", check_command=check_command).rstrip())
        if report:
            atomic_write(report, render_report(rep, "json" if report.suffix.lower() == ".json" else "markdown"))
        unresolved = [w for w in result.works if w.status == "unresolved"]
        if strict and unresolved:
            _err(f"atpbib: {len(unresolved)} unresolved paper(s) (--strict)")
            raise typer.Exit(1)


def _write_keeping_original(path: Path, text: str) -> None:
    """Replace `path` atomically; what stood there survives as PATH.bak (or PATH.bak.N beside another
    tool's PATH.bak), unless it is atpbib's own earlier output (atomic.write_keeping)."""
    from .atomic import write_keeping

    kept = write_keeping(path, text)
    if kept is not None:
        _err(f"note: kept the previous {path.name} as {kept.name}")


@app.command()
def check(
    section: Optional[List[str]] = SectionOpt,
    list_path: Optional[str] = ListOpt,
    offline: bool = OfflineOpt,
    refresh: bool = RefreshOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    mailto: Optional[str] = MailtoOpt,
    quiet: bool = QuietOpt,
    lock_path: Optional[Path] = LockOpt,
    no_lock: bool = NoLockOpt,
    locked: bool = LockedOpt,
    fmt: str = typer.Option("text", "--format", "-f", help="text | markdown | json"),
    fix: bool = typer.Option(False, "--fix", help="Write a corrected copy of the list (needs -o)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where --fix writes the corrected list."),
    diff: bool = typer.Option(False, "--diff", help="With --fix: print a unified diff of the corrections."),
) -> None:
    """Audit the list against what the sources say (exit 0: agrees, 1: findings, 2: usage error)."""
    with _user_errors():
        if fmt not in ("text", "markdown", "json"):
            raise UsageError(f"--format: unknown format {fmt!r} (text, markdown, json)")
        if fix and not output:
            raise UsageError("--fix needs -o FIXED.md (the list itself is never overwritten)")
        if (diff or output) and not fix:
            raise UsageError("--diff and -o only make sense with --fix")
        _check_outputs({"-o": output}, {"--list": list_path or _bundled_list(), "--lock": lock_path})
        from . import check as checking

        parsed, result = _run_resolve(section, list_path, offline, refresh, cache_dir, mailto, quiet, False,
                                      RESOLVABLE_KINDS, warn=False,  # warnings are findings here
                                      lock_path=lock_path, no_lock=no_lock, locked=locked)
        findings = checking.audit(parsed, result)
        typer.echo(checking.render(findings, fmt))
        if fix:
            fixed = checking.fix_text(parsed.text, findings)
            _write_keeping_original(output, fixed)
            if diff:
                typer.echo(checking.unified_diff(parsed.text, fixed, parsed.source_name, str(output)))
        if findings.has_findings:
            raise typer.Exit(1)


@app.command("lock")
def lock_command(
    section: Optional[List[str]] = SectionOpt,
    list_path: Optional[str] = ListOpt,
    update: bool = typer.Option(False, "--update", help="Re-resolve the locked works too (all, or --section, or --older-than)."),
    older_than: Optional[float] = typer.Option(None, "--older-than", help="With --update: only works locked more than DAYS ago."),
    lock_path: Optional[Path] = typer.Option(None, "--lock", help="Lock file to write (default: atpbib.lock beside the list, or in the current folder)."),
    offline: bool = OfflineOpt,
    refresh: bool = RefreshOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    mailto: Optional[str] = MailtoOpt,
    quiet: bool = QuietOpt,
    strict: bool = StrictOpt,
) -> None:
    """Record the resolution of every paper of the list in a lock file that every command then uses."""
    with _user_errors():
        from . import lock as locking
        from .api import select
        from .resolve import resolve_entries

        if older_than is not None and not update:
            raise UsageError("--older-than only makes sense with --update")
        path = lock_path or locking.default_path(list_path)
        if path.is_dir():
            raise UsageError(f"--lock: {path} is a folder; name the lock file")
        _check_outputs({"--lock": path}, {"--list": list_path or _bundled_list()})
        with locking.held(path):  # a second `lock` of this file waits, then adds to what the first wrote
            old = locking.read(path) if path.exists() else None
            with _fetcher(cache_dir, offline, refresh, mailto, quiet) as fetcher:
                parsed, _ = _parse(list_path, strict, fetcher=fetcher)
                papers = [e for e in parsed.entries if e.kind in RESOLVABLE_KINDS]
                selected = [e for e in select(parsed, section or []) if e.kind in RESOLVABLE_KINDS]
                _warn(parsed, strict, selected)
                todo, kept_manual = locking.plan(old, selected, update=update, older_than_days=older_than)
                result = resolve_entries(todo, fetcher) if todo else None
            outcome = locking.updated(old, path, parsed.source_name, papers, result.works if result else (), kept_manual)
            locking.write(outcome.lock, path)
        for line in outcome.lines:
            typer.echo(line)
        typer.echo(outcome.summary())
        if outcome.failed:
            raise typer.Exit(1)


@app.command()
def upgrade(
    bib_in: Path = typer.Argument(..., metavar="IN.bib", help="The .bib file to bring to the published versions."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the upgraded file here (default: stdout)."),
    in_place: bool = typer.Option(False, "--in-place", help="Replace IN.bib atomically, keeping IN.bib.bak."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Change nothing; print the unified diff."),
    diff: bool = typer.Option(False, "--diff", help="Print the unified diff (with --dry-run, nothing is written)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the per-entry report to FILE (.md or .json)."),
    fmt: str = typer.Option("bibtex", "--format", "-f", help="bibtex | biblatex (how upgraded entries are written)."),
    keep_fields: str = typer.Option("", "--keep-fields", help="Comma-separated fields whose own value is kept, stale preprint fields too (e.g. url,note,version)."),
    drop_fields: str = typer.Option("", "--drop-fields", help="Comma-separated fields removed from upgraded entries (e.g. eprint)."),
    only_preprints: bool = typer.Option(False, "--only-preprints", help="Upgrade arXiv preprints only."),
    verify: bool = typer.Option(False, "--verify", help="Look up published entries that carry their own id too, and report those the sources place elsewhere."),
    fix_published: bool = typer.Option(False, "--fix-published", help="Rewrite published entries the sources place at another venue or year (implies --verify)."),
    state_path: Optional[Path] = typer.Option(None, "--state", help="Progress file of a long run (default: IN.bib.upgrade-state.json); a stopped run resumes from it."),
    offline: bool = OfflineOpt,
    refresh: bool = RefreshOpt,
    cache_dir: Optional[Path] = CacheDirOpt,
    mailto: Optional[str] = MailtoOpt,
    quiet: bool = QuietOpt,
    lock_path: Optional[Path] = typer.Option(None, "--lock", help="A lock to serve entries from (atpbib.lock format)."),
    no_lock: bool = NoLockOpt,
    locked: bool = typer.Option(False, "--locked", help="Never touch the network; exit 1 naming each entry not in --lock."),
) -> None:
    """Bring an existing .bib to the published versions, on verified evidence only."""
    with _user_errors():
        import os

        from . import upgrade as up
        from .inputs import bibfile

        if fmt not in ("bibtex", "biblatex"):
            raise UsageError(f"--format: unknown format {fmt!r} (bibtex, biblatex)")
        if in_place and output:
            raise UsageError("--in-place and -o exclude each other")
        if output and output.resolve() == bib_in.resolve() and not in_place:
            raise UsageError(f"-o {output} is the input: use --in-place (it keeps {bib_in.name}.bak)")
        _check_outputs({"-o": output, "--report": report, "--state": state_path}, {"IN.bib": bib_in, "--lock": lock_path})
        bib = bibfile.read(bib_in)
        lock = _load_lock(str(bib_in), lock_path, no_lock) if lock_path else None
        if locked and lock is None:
            raise UsageError("--locked needs --lock PATH")
        keep = [f.strip() for f in keep_fields.split(",") if f.strip()]
        drop = [f.strip() for f in drop_fields.split(",") if f.strip()]
        verify = verify or fix_published
        chunk = up.CHUNK
        if (os.environ.get("ATPBIB_UPGRADE_CHUNK") or "").isdigit():
            chunk = max(1, int(os.environ["ATPBIB_UPGRADE_CHUNK"]))  # smaller chunks: the tests of a stopped run
        state = up.State.load(None if dry_run else (state_path or bib_in.with_name(bib_in.name + ".upgrade-state.json")),
                              up.options_signature(format=fmt, keep=keep, drop=drop, only_preprints=only_preprints,
                                                   verify=verify, fix=fix_published, lock=str(lock_path or "")))
        resuming = bool(state.done)  # a stopped run's progress was found
        duplicate_lines = {line for line, msg in bib.findings if msg.startswith("duplicate key")}
        outcome_of: dict[int, Any] = {}
        pending: list[Any] = []  # (entry, its ids) to look up, file order
        resumed = 0
        for e in bib.entries:
            if e.line in duplicate_lines:
                continue  # a duplicate key: reported as a finding, kept as it is
            done = state.get(e)
            if done is not None:
                outcome_of[e.line] = done
                resumed += 1
                continue
            ids = bibfile.entry_ids(e)
            if up.needs_lookup(e, ids, verify=verify, only_preprints=only_preprints):
                pending.append((e, ids))
            else:
                outcome_of[e.line] = up.decide(e, None, only_preprints=only_preprints)
        if resumed:  # said even with --quiet: the run does not start from nothing
            _err(f"resuming: {resumed} entries from {state.path}")

        def decided(e: Any, w: Any) -> Any:
            o = up.decide(e, w, only_preprints=only_preprints, fix_published=fix_published)
            if o.status == "upgraded":
                o.new_text = up.entry_text(e, w, flavour=fmt, keep_fields=keep, drop_fields=drop, newline=bib.newline)
            return o

        if locked:
            missing = [e for e, ids in pending if lock.work_for(bibfile.query_of(e, ids)) is None]
            for e in missing:
                _err(f"{bib_in}:{e.line}: not in the lock: {e.key}")
            if missing:
                raise typer.Exit(1)
        from .resolve import resolve_queries

        failed: dict[str, str] = {}
        interrupted = False
        nothing_cached = (offline or locked) and not _cache_holds_answers(cache_dir)
        with _fetcher(cache_dir, offline or locked, refresh, mailto, quiet) as fetcher:
            try:
                for at in range(0, len(pending), chunk):
                    part = pending[at:at + chunk]
                    served, todo = [], []
                    for e, ids in part:
                        q = bibfile.query_of(e, ids)
                        w = lock.work_for(q) if lock is not None else None
                        if w is None:
                            todo.append(q)
                        else:
                            served.append(w.with_(origins=(q.origin,)))
                    skipped = {q.line for q in todo} if nothing_cached else set()
                    if skipped:
                        todo = []  # offline with an empty cache every request would fail: none is made
                    result = resolve_queries(todo, fetcher) if todo else None
                    if result is not None:
                        failed.update(result.failed_sources)
                    work_of = {o.line: w for w in served + (result.works if result else []) for o in w.origins}
                    for e, _ in part:
                        if e.line in skipped:
                            outcome_of[e.line] = up.not_looked_up(e, "offline, and the cache holds no answers")
                            continue
                        outcome_of[e.line] = o = decided(e, work_of.get(e.line))
                        state.add(e, o)
                    if len(pending) > chunk:
                        _save_state(state)  # a long run keeps its progress (kill -9 loses one chunk at most)
            except KeyboardInterrupt:
                interrupted = True
        outcomes = []
        for e in bib.entries:
            if e.line in duplicate_lines:
                continue
            outcomes.append(outcome_of.get(e.line) or up.not_reached(e))
        text = up.rewrite(bib, outcomes)
        before = up.original(bib)
        if diff or dry_run:
            import difflib

            typer.echo("".join(difflib.unified_diff(before.splitlines(True), text.splitlines(True),
                                                    str(bib_in), str(output or bib_in))), nl=False)
        if not dry_run:
            from .atomic import atomic_write

            if in_place:
                if text != before:
                    # a resumed run's input is the stopped run's output: the .bak it made holds the original
                    bak = bib_in.with_name(bib_in.name + ".bak")
                    atomic_write(bib_in, text, backup=not (resuming and bak.exists()))
            elif output:
                _write_keeping_original(output, text)
            elif not diff:
                sys.stdout.write(text)
        _err(up.render(outcomes, bib.findings, "text", str(bib_in)).rstrip())
        for service, reason in sorted(failed.items()):
            _err(f"source failed: {reason}")
        if report:
            from .atomic import atomic_write

            atomic_write(report, up.render(outcomes, bib.findings, "json" if report.suffix.lower() == ".json" else "markdown",
                                           str(bib_in)))
        if interrupted:
            _save_state(state)
            _err(f"atpbib: interrupted: {sum(o.status != 'pending' for o in outcomes)} of {len(outcomes)} entries done "
                 f"and written; the same command resumes from {state.path}")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)  # the lanes' queued requests are not waited for
        state.remove()


def _cache_holds_answers(cache_dir: Optional[Path]) -> bool:
    """Does the response cache hold any answer? (One cheap read; when in doubt, yes.)"""
    import sqlite3

    from . import config
    from .fetch import CACHE_FILE

    db = Path(cache_dir or config.default_cache_dir()) / CACHE_FILE
    if not db.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT 1 FROM responses LIMIT 1").fetchone() is not None
        finally:
            con.close()
    except sqlite3.Error:
        return True


def _save_state(state: Any) -> None:
    """Write a long run's progress; a folder that cannot take it costs the resumability, not the run."""
    try:
        state.save()
    except OSError as exc:
        if state.path is not None:
            _err(f"note: cannot write the progress file {state.path} ({exc.strerror or exc}); a stopped run will start over")
            state.path = None


def _local(path: Any) -> Optional[Path]:
    """A path argument as a file on disk (None for nothing or a URL)."""
    if path is None or str(path).startswith(("http://", "https://")):
        return None
    return Path(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _check_outputs(outputs: dict[str, Any], inputs: Optional[dict[str, Any]] = None,
                   may_share: tuple[tuple[str, str], ...] = ()) -> None:
    """The one check of what a command will write, before it reads or asks anything: every output can be
    written (its folder exists and takes a new file), no output names an input (the user's list or library
    would be replaced) and no two outputs name one file. `may_share`: pairs of options meant to be one file."""
    named = [(opt, p) for opt, value in outputs.items() if (p := _local(value)) is not None]
    for option, path in named:
        if path.is_dir():
            raise UsageError(f"{option} {path} is a folder; name the file to write")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.exists():
            raise UsageError(f"{option} {path}: the folder {parent} does not exist")
        if not parent.is_dir():
            raise UsageError(f"{option} {path}: {parent} is not a folder")
        _probe_folder(option, path, parent)
    for in_opt, value in (inputs or {}).items():
        source = _local(value)
        if source is None:
            continue
        for option, path in named:
            shared = (option, in_opt) in may_share or (in_opt, option) in may_share
            if option != in_opt and not shared and _same_file(path, source):
                raise UsageError(f"{option} {path} is the input {in_opt}: it would be overwritten; name another file")
    for i, (option, path) in enumerate(named):
        for other, other_path in named[i + 1:]:
            if (option, other) not in may_share and (other, option) not in may_share and _same_file(path, other_path):
                raise UsageError(f"{other} {other_path} is also the {option} file: name another file")


def _probe_folder(option: str, path: Path, parent: Path) -> None:
    """Can a new file be made beside `path` (the atomic write's temp file)? Tried, not guessed from modes."""
    import os
    import tempfile

    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write in the folder {parent} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


@cache_app.command("info")
def cache_info(cache_dir: Optional[Path] = CacheDirOpt) -> None:
    """Location, number of entries and size of the cache, per host."""
    with _user_errors():
        from . import config
        from .fetch import cache_info as info

        ci = info(cache_dir or config.default_cache_dir())
        typer.echo(f"location: {ci.location}")
        typer.echo(f"entries:  {ci.entries}")
        typer.echo(f"size:     {ci.size_bytes} bytes")
        for host, (n, size) in sorted(ci.per_host.items()):
            typer.echo(f"  {host}: {n} entries, {size} bytes")


@cache_app.command("clear")
def cache_clear(
    cache_dir: Optional[Path] = CacheDirOpt,
    host: Optional[str] = typer.Option(None, "--host", help="Only this host (e.g. export.arxiv.org)."),
) -> None:
    """Empty the cache (or one host's part of it)."""
    with _user_errors():
        from . import config
        from .fetch import cache_clear as clear

        removed = clear(cache_dir or config.default_cache_dir(), host=host)
        typer.echo(f"removed {removed} cached response(s)")


def main() -> None:
    """Console entry point: never lets a traceback reach the user."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _err("atpbib: interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line; ATPBIB_DEBUG=1 shows the traceback
        import os

        if os.environ.get("ATPBIB_DEBUG"):
            raise
        _err(f"atpbib: internal error: {type(exc).__name__}: {exc} (set ATPBIB_DEBUG=1 for details)")
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
