#!/usr/bin/env python
"""How well lists written by others read (issues 14 and 19): `atpbib list --json` on Markdown lists.

    python benchmarks/lists.py [FILE_OR_FOLDER …]
    python benchmarks/lists.py --truth DIR [--show-misses] [--out FILE]
    python benchmarks/lists.py --sample FILE [--seed N] [--n K]

Without `--truth` (or, by default, on the bundled list and the style fixtures) it counts, per list, the signs
of a misread entry: entries and their kinds; how many of the arXiv ids the file's text links end up on an
entry; entries with an identifier, with authors, with a year; and the junk a user would see (titles longer
than 150 characters, titles with markup or a URL, entries with neither title nor identifier). Nothing there
knows the right answer; it shows where to look.

With `--truth DIR` it scores the reader against hand labels: every DIR/*.md is a list, and its labels are
DIR/truth/<name>.json (or DIR/../truth/<name>.json, so a held-out folder can share the labels' folder). A
label file holds a seeded sample of the list's item lines (`--sample` draws it), each labelled by reading the
line: is it a paper, its exact title, its authors as written (`et al.` left out), its venue and year hints as
written, its arXiv id if written. Per list: paper items that became an entry / paper items, entries of a
paper kind, titles exact, authors right (where the list writes them), venue hints, years, arXiv ids,
non-papers taken as papers, and the reader's time; then totals. `--show-misses` prints every disagreement
with the line as written, `--out FILE` writes the table as Markdown.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT = [ROOT / "src" / "atpbib" / "data" / "ATPapers.md",
           *sorted(p for p in (ROOT / "tests" / "fixtures" / "lists" / "styles").glob("*.md") if p.name != "SOURCES.md")]
JUNK = re.compile(r"[\[\]*]|https?://|^\d+\)")
ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.IGNORECASE)
PAPER_KINDS = ("paper", "survey")


def run_list(path: Path) -> tuple[list[dict], float]:
    """The entries `atpbib list --json` reads from `path`, and the wall time it took."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "atpbib", "list", "--list", str(path), "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    return (json.loads(proc.stdout) if proc.returncode == 0 else []), elapsed


def entries(path: Path) -> list[dict]:
    return run_list(path)[0]


def report(path: Path) -> str:
    es = entries(path)
    kinds = Counter(e["kind"] for e in es)
    with_id = sum(1 for e in es if any(v for k, v in e["ids"].items() if k != "github"))
    with_authors = sum(1 for e in es if e["authors"])
    with_year = sum(1 for e in es if e["year"])
    long_titles = sum(1 for e in es if len(e["title"]) > 150)
    marked = sum(1 for e in es if JUNK.search(e["title"]))
    blind = sum(1 for e in es if not e["title"] and not any(v for k, v in e["ids"].items() if k != "github"))
    kind_text = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
    in_text = set(ARXIV.findall(path.read_text(encoding="utf-8", errors="replace")))
    on_entries = {e["ids"]["arxiv"] for e in es if e["ids"].get("arxiv")} | {
        m for e in es for lk in e["links"] for m in ARXIV.findall(lk["url"])}
    return (f"| {path.name} | {len(es)} ({kind_text}) | {len(in_text & on_entries)}/{len(in_text)} | {with_id} | "
            f"{with_authors} | {with_year} | {long_titles} | {marked} | {blind} |")


# --- sampling the lines to label ----------------------------------------------------------------------------

_BULLET = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d+[.)])\s+\S")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\]\((?:https?:)?//|<a\s+href=|https?://", re.IGNORECASE)


def item_lines(text: str) -> list[int]:
    """1-based numbers of the lines that hold an item a reader should judge: top-level list items, table body
    rows, headings that are links, paragraph lines that open with bold or a link, and nested list items that
    carry a link (a note with a link is where non-papers get taken for papers). Fenced code is skipped."""
    out: list[int] = []
    lines = text.splitlines()
    fenced = False
    for no, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or not line.strip():
            continue
        stripped = line.strip()
        if stripped.startswith("|"):
            prev = lines[no - 2] if no >= 2 else ""
            if _TABLE_RULE.match(stripped) or (no < len(lines) and _TABLE_RULE.match(lines[no].strip())):
                continue  # the rule and the header above it
            if prev.strip().startswith("|") or _TABLE_RULE.match(prev.strip()):
                out.append(no)
            continue
        m = _BULLET.match(line)
        if m:
            if len(m.group("indent").expandtabs(4)) < 2 or _LINK.search(line):
                out.append(no)
            continue
        if re.match(r"^#{1,6}\s*\[", stripped) or re.match(r"^(?:\*\*|\[[^\]]+\]\()", stripped):
            out.append(no)
    return out


def sample_lines(path: Path, n: int = 12, seed: int = 19) -> list[int]:
    """A seeded pick of `n` item lines of the list (all of them if it has fewer), in file order."""
    lines = item_lines(path.read_text(encoding="utf-8"))
    rng = random.Random(f"{seed}:{path.stem}")
    return sorted(rng.sample(lines, min(n, len(lines))))


# --- scoring against labels -----------------------------------------------------------------------------------

def _space(s: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s or "")).strip()


def _fold(s: str | None) -> str:
    return re.sub(r"[\W_]+", "", _space(s).lower())


def _arxiv_base(s: str | None) -> str | None:
    return re.sub(r"v\d+$", "", s.strip()) if s else None


_ORDINAL = re.compile(r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                      r"eleventh|twelfth|thirteenth|fourteenth|fifteenth)\s+", re.IGNORECASE)


def same_venue_hint(read: str | None, truth: str | None) -> bool:
    """Is the venue the reader took the one the list writes? Equal when folded, or the same known venue
    (atpbib.venues.canonical, the project's one venue table), both preprint servers ('arXiv', 'Preprint'), or
    the written name without its ordinal ('Ninth …') or without / reduced to its trailing acronym ('… (QoMEX)')."""
    if not read or not truth:
        return not read and not truth
    from atpbib.venues import canonical, is_preprint_venue
    if is_preprint_venue(read) and is_preprint_venue(truth):
        return True
    paren = re.search(r"\(([^()]+)\)\s*$", truth)
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", truth)
    plain = _ORDINAL.sub("", bare)
    if _fold(read) in {_fold(v) for v in (truth, bare, plain, paren.group(1) if paren else "") if v}:
        return True
    a, b = canonical(read), canonical(truth)
    return a is not None and b is not None and a.short == b.short


@dataclass
class Miss:
    line: int
    field: str
    expected: object
    read: object
    text: str


@dataclass
class Score:
    name: str
    papers: int = 0
    read: int = 0
    kind_ok: int = 0
    titles: int = 0
    authors: int = 0
    authors_of: int = 0
    venues: int = 0
    venues_of: int = 0
    years: int = 0
    years_of: int = 0
    ids: int = 0
    ids_of: int = 0
    non_papers: int = 0
    non_papers_taken: int = 0
    seconds: float = 0.0
    misses: list[Miss] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for k in ("papers", "read", "kind_ok", "titles", "authors", "authors_of", "venues", "venues_of", "years",
                  "years_of", "ids", "ids_of", "non_papers", "non_papers_taken", "seconds"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


def _entry_at(es: list[dict], line: int, title: str | None) -> dict | None:
    """The entry the reader made of the item on `line` (the one whose title is closest if there are several)."""
    here = [e for e in es if e.get("line") == line]
    if not here:
        return None
    want = _fold(title)
    return max(here, key=lambda e: (_fold(e["title"]) == want, -abs(len(_fold(e["title"])) - len(want))))


def score_list(es: list[dict], truth: dict, name: str, seconds: float = 0.0) -> Score:
    """Compare the entries read from a list with its labelled items (pure: no files, no subprocess)."""
    s = Score(name=name, seconds=seconds)
    for item in truth["items"]:
        line, text = item["line"], item.get("text", "")
        e = _entry_at(es, line, item.get("title"))
        if not item["paper"]:
            s.non_papers += 1
            if e is not None and e["kind"] in PAPER_KINDS:
                s.non_papers_taken += 1
                s.misses.append(Miss(line, "non-paper taken as paper", "not a paper", f"{e['kind']}: {e['title']}", text))
            continue
        s.papers += 1
        if e is None:
            s.misses.append(Miss(line, "not read", item["title"], None, text))
        else:
            s.read += 1
            if e["kind"] in PAPER_KINDS:
                s.kind_ok += 1
            else:
                s.misses.append(Miss(line, "kind", "paper", e["kind"], text))
        title = e["title"] if e else None
        if e and _space(title) == _space(item["title"]):
            s.titles += 1
        elif e:
            s.misses.append(Miss(line, "title", item["title"], title, text))
        if item.get("authors"):
            s.authors_of += 1
            got = [_space(a) for a in (e["authors"] if e else [])]
            if got == [_space(a) for a in item["authors"]]:
                s.authors += 1
            elif e:
                s.misses.append(Miss(line, "authors", item["authors"], e["authors"], text))
        if item.get("venue"):
            s.venues_of += 1
            if e and same_venue_hint(e.get("venue"), item["venue"]):
                s.venues += 1
            elif e:
                s.misses.append(Miss(line, "venue", item["venue"], e.get("venue"), text))
        if item.get("year"):
            s.years_of += 1
            if e and e.get("year") == item["year"]:
                s.years += 1
            elif e:
                s.misses.append(Miss(line, "year", item["year"], e.get("year"), text))
        if item.get("arxiv"):
            s.ids_of += 1
            if e and _arxiv_base(e["ids"].get("arxiv")) == _arxiv_base(item["arxiv"]):
                s.ids += 1
            elif e:
                s.misses.append(Miss(line, "arxiv", item["arxiv"], e["ids"].get("arxiv"), text))
    return s


def _frac(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f} %)" if b else "–"


HEADER = ("| list | paper items read | paper kind | titles exact | authors right | venue hints | years | arXiv ids | "
          "non-papers as papers | time |\n|---|---|---|---|---|---|---|---|---|---|")


def row(s: Score, label: str | None = None) -> str:
    return (f"| {label or s.name} | {_frac(s.read, s.papers)} | {_frac(s.kind_ok, s.papers)} | {_frac(s.titles, s.papers)} | "
            f"{_frac(s.authors, s.authors_of)} | {_frac(s.venues, s.venues_of)} | {_frac(s.years, s.years_of)} | "
            f"{_frac(s.ids, s.ids_of)} | {_frac(s.non_papers_taken, s.non_papers)} | {s.seconds:.2f} s |")


def truth_file(folder: Path, name: str) -> Path | None:
    for cand in (folder / "truth" / f"{name}.json", folder.parent / "truth" / f"{name}.json"):
        if cand.exists():
            return cand
    return None


def score_folder(folder: Path) -> tuple[list[Score], Score]:
    scores: list[Score] = []
    for path in sorted(folder.glob("*.md")):
        tf = truth_file(folder, path.stem)
        if tf is None:
            continue
        truth = json.loads(tf.read_text(encoding="utf-8"))
        es, seconds = run_list(path)
        scores.append(score_list(es, truth, path.stem, seconds))
    total = Score(name="**total**")
    for s in scores:
        total.add(s)
    return scores, total


def truth_main(folder: Path, show_misses: bool, out: Path | None) -> int:
    if not folder.is_dir():
        print(f"{folder}: not a folder", file=sys.stderr)
        return 2
    scores, total = score_folder(folder)
    if not scores:
        print(f"{folder}: no list with labels (DIR/*.md with DIR/truth/<name>.json)", file=sys.stderr)
        return 2
    table = "\n".join([HEADER, *(row(s) for s in scores), row(total)])
    print(table)
    if show_misses:
        for s in scores:
            for m in s.misses:
                print(f"\n{s.name}:{m.line}: {m.field}\n  line:     {m.text}\n  expected: {m.expected!r}\n  read:     {m.read!r}")
    if out is not None:
        from atpbib.atomic import atomic_write
        atomic_write(out, table + "\n")
    return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--truth", type=Path, help="score the lists in DIR against DIR/truth/<name>.json")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--sample", type=Path, help="print a seeded sample of FILE's item lines to label")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--n", type=int, default=12)
    args = ap.parse_args(argv)
    if args.sample:
        lines = args.sample.read_text(encoding="utf-8").splitlines()
        for no in sample_lines(args.sample, args.n, args.seed):
            print(f"{no}\t{lines[no - 1]}")
        return 0
    if args.truth:
        return truth_main(args.truth, args.show_misses, args.out)
    paths: list[Path] = []
    for arg in args.paths or [str(p) for p in DEFAULT]:
        p = Path(arg)
        paths += sorted(p.glob("*.md")) if p.is_dir() else [p]
    print("| list | entries (kinds) | arXiv ids in the text on an entry | with an id | with authors | with a year | "
          "titles > 150 chars | titles with markup/URL | no title, no id |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        print(report(p))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
