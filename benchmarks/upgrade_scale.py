#!/usr/bin/env python
"""`atpbib upgrade` on large files (ISSUE 23, ISSUE 22 item 7): requests per entry, time and memory by size.

    python benchmarks/upgrade_scale.py [--sizes 5000,10000,20000,50000] [--mixed 5000] [--lookup 250,500,1000]
                                       [--out benchmarks/UPGRADE.md]

Three figures, each written into its own section of benchmarks/UPGRADE.md:

1. requests: a MIXED-entry file of which 90 % are published versions carrying their own id (a DOI or an
   Anthology url) and 10 % preprints (the default list's arXiv papers in the shapes tools export, plus
   synthetic preprints no service knows), against the local fake services: requests per entry, per
   looked-up entry, and for the published part alone (which must be 0);
2. offline: generated files of each size, offline with an empty cache (as with the services out of reach):
   wall time, time per 1,000 entries (linear = constant), peak memory, output byte-identical;
3. lookup path: files of synthetic preprints no service knows (every entry costs the whole search ladder)
   against the fakes: time and requests per entry by size (linear = constant).

The synthetic files are made here, in a temporary folder, and never committed. Timings depend on the
machine and its load: compare the per-1,000 figures of one run with each other, not across machines.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import bibstyles  # noqa: E402
from fakeservices import FakeServices  # noqa: E402

WORDS = ("neural language model attention transformer learning deep representation graph vision text pre "
         "training fine tuning semantic parsing translation retrieval generation dialogue").split()


def _title(rnd: random.Random, i: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(6)).capitalize() + f" number {i}"


def _authors(rnd: random.Random) -> str:
    return " and ".join(f"Writer{rnd.randint(1, 9999)}, {rnd.choice('ABCDEFGH')}." for _ in range(rnd.randint(1, 5)))


def published(rnd: random.Random, i: int, with_id: bool = True) -> str:
    """A published version: a DOI (or an Anthology url) when `with_id`, else a bare venue and year."""
    y = 2012 + i % 12
    if not with_id:
        return (f"@article{{j{i},\n  title = {{{_title(rnd, i)}}},\n  author = {{{_authors(rnd)}}},\n"
                f"  journal = {{Journal of Synthetic Studies}},\n  volume = {{{i % 40}}},\n  year = {{{y}}}\n}}\n")
    if i % 3:
        return (f"@inproceedings{{p{i},\n  title = {{{_title(rnd, i)}}},\n  author = {{{_authors(rnd)}}},\n"
                f"  booktitle = {{Proceedings of the Synthetic Conference {i % 50}}},\n  pages = {{{i % 900}--{i % 900 + 9}}},\n"
                f"  year = {{{y}}},\n  doi = {{10.5555/synthetic.{i}}}\n}}\n")
    return (f"@inproceedings{{acl{i},\n    title = \"{_title(rnd, i)}\",\n    author = \"{_authors(rnd)}\",\n"
            f"    booktitle = \"Proceedings of the Synthetic Workshop\",\n    year = \"{y}\",\n"
            f"    url = \"https://aclanthology.org/{y}.synth-{i % 7}.{i}\",\n}}\n")


def preprint(rnd: random.Random, i: int) -> str:
    """A synthetic preprint in one of the shapes tools export (no service knows it)."""
    y = 2015 + i % 9
    aid = f"{y % 100:02d}{i % 12 + 1:02d}.{i % 100000:05d}"
    t, a = _title(rnd, i), _authors(rnd)
    shape = i % 7
    if shape == 0:  # Google Scholar
        return f"@article{{s{i},\n  title={{{t.lower()}}},\n  author={{{a}}},\n  journal={{arXiv preprint arXiv:{aid}}},\n  year={{{y}}}\n}}\n"
    if shape == 1:  # DBLP CoRR
        return (f"@article{{DBLP:journals/corr/abs-{aid.replace('.', '-')},\n  author = {{{a}}},\n  title = {{{t}}},\n"
                f"  journal = {{CoRR}},\n  volume = {{abs/{aid}}},\n  year = {{{y}}},\n  eprinttype = {{arXiv}},\n  eprint = {{{aid}}}\n}}\n")
    if shape == 2:  # bibtool
        return f"@Article{{\t  b{i},\n  title\t\t= {{{t}}},\n  author\t= {{{a}}},\n  journal\t= {{Ar{{X}}iv:{aid}}},\n  year\t\t= {y}\n}}\n"
    if shape == 3:  # Semantic Scholar
        return f"@article{{S{i},\n  title={{{t}}},\n  author={{{a}}},\n  journal={{ArXiv}},\n  year={{{y}}},\n  volume={{abs/{aid}}}\n}}\n"
    if shape == 4:  # Zotero
        return (f"@misc{{z{i},\n\ttitle = {{{t}}},\n\turl = {{http://arxiv.org/abs/{aid}}},\n\tpublisher = {{arXiv}},\n"
                f"\tauthor = {{{a}}},\n\tyear = {{{y}}},\n\tnote = {{arXiv:{aid} [cs]}}\n}}\n")
    if shape == 5:  # arXiv's own export
        return (f"@misc{{x{i},\n      title={{{t}}}, \n      author={{{a}}},\n      year={{{y}}},\n      eprint={{{aid}}},\n"
                f"      archivePrefix={{arXiv}},\n      primaryClass={{cs.CL}},\n}}\n")
    return (f"@article{{c{i},\n  title = {{{t}}},\n  author = {{{a}}},\n  journal = {{Computing Research Repository}},\n"
            f"  volume = {{arXiv:{aid}}},\n  year = {{{y}}}\n}}\n")


HEAD = ("% a synthetic library\n@string{syn = \"Synthetic Press\"}\n@comment{jabref-meta: databaseType:bibtex;}\n"
        "@preamble{\"\\newcommand{\\noopsort}[1]{}\"}\n\n")


def offline_file(n: int, seed: int = 7) -> str:
    """n entries: 60 % published with an id, 10 % published without one, 30 % preprints of every shape."""
    rnd = random.Random(seed)
    out = [HEAD]
    for i in range(n):
        r = i % 10
        out.append(published(rnd, i) if r < 6 else published(rnd, i, with_id=False) if r == 6 else preprint(rnd, i))
        if i % 997 == 0:
            out.append("@misc{broken" + str(i) + ", title = {an unclosed brace}\n\n")  # kept byte for byte
    return "\n".join(out)


def _env(fake: FakeServices | None, work: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATPBIB_")}
    env.update(ATPBIB_CACHE_DIR=str(cache), ATPBIB_LOCK="off", ATPBIB_PACE_DIR=str(work / "pace"),
               **{f"ATPBIB_INTERVAL_{s}": "0" for s in ("ARXIV", "DBLP", "S2", "CROSSREF")})
    if fake is not None:
        env.update(fake.env())
    return env


def _run(args: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, peak resident MB, exit code) of one `atpbib` run."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "atpbib", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - start, usage.ru_maxrss // 1024, proc.returncode


def write_section(path: Path, name: str, md: list[str]) -> None:
    """Replace (or add) one script's section of UPGRADE.md, leaving the others' as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# `atpbib upgrade` benchmarks\n"
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = "\n".join([begin, *md, end])
    if begin in text and end in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def requests_figure(work: Path, n: int) -> list[str]:
    rnd = random.Random(3)
    papers = bibstyles.arxiv_papers()
    shapes = (bibstyles.scholar_entry, bibstyles.dblp_corr_entry, bibstyles.zotero_entry)
    n_pre = n // 10
    pre = [shapes[i % len(shapes)](p) for i, p in enumerate(papers[:n_pre])]
    pre += [preprint(rnd, 900_000 + i) for i in range(n_pre - len(pre))]
    pub = [published(rnd, i) for i in range(n - n_pre)]
    mixed = pub[:]
    for k, entry in enumerate(pre):  # spread the preprints through the file
        mixed.insert(k * 10 + 5, entry)
    (work / "published.bib").write_text(HEAD + "\n".join(pub), encoding="utf-8")
    (work / "mixed.bib").write_text(HEAD + "\n".join(mixed), encoding="utf-8")
    rows = []
    with FakeServices() as fake:
        for name, total, looked in (("published.bib", len(pub), 0), ("mixed.bib", len(mixed), len(pre))):
            fake.clear()
            seconds, mb, rc = _run(["upgrade", str(work / name), "-o", str(work / f"out-{name}"), "--quiet"],
                                   _env(fake, work, work / f"cache-{name}"))
            per = {s: len(fake.requests(s)) for s in fake.services}
            count = sum(per.values())
            rows.append((name, total, looked, count, per, seconds, rc))
    md = ["## Requests per entry (90 % published versions with their ids)", "",
          f"Written by `python benchmarks/upgrade_scale.py --mixed {n}`, against the local fake services (no pacing), "
          f"empty cache. The preprints: the default list's {min(n_pre, len(papers))} arXiv papers (Scholar, DBLP CoRR and "
          f"Zotero shapes) and {max(0, n_pre - len(papers))} synthetic preprints no service knows (each costs the "
          "whole search ladder).", "",
          "| file | entries | looked up | requests | per entry | per looked-up entry | by service | seconds | exit |",
          "|---|---|---|---|---|---|---|---|---|"]
    for name, total, looked, count, per, seconds, rc in rows:
        by = ", ".join(f"{s} {c}" for s, c in per.items() if c) or "none"
        md.append(f"| {name} | {total} | {looked} | {count} | {count / total:.3f} | "
                  f"{(count / looked) if looked else 0:.2f} | {by} | {seconds:.1f} | {rc} |")
    return md + [""]


def offline_figure(work: Path, sizes: list[int]) -> list[str]:
    md = ["## Offline on large files (empty cache)", "",
          f"Written by `python benchmarks/upgrade_scale.py --sizes {','.join(map(str, sizes))}`: generated files (60 % "
          "published with an id, 10 % published without, 30 % preprints of the seven shapes, @string/@comment/"
          "@preamble and an unparseable block every 997 entries), `atpbib upgrade FILE --offline -o OUT` with an "
          "empty cache. Linear means a constant time per 1,000 entries.", "",
          "| entries | MB | seconds | s per 1,000 | peak memory (MB) | byte-identical | exit |", "|---|---|---|---|---|---|---|"]
    for n in sizes:
        src = work / f"off-{n}.bib"
        src.write_text(offline_file(n), encoding="utf-8")
        out = work / f"off-{n}.out.bib"
        seconds, mb, rc = _run(["upgrade", str(src), "--offline", "-o", str(out), "--quiet"],
                               _env(None, work, work / f"cache-off-{n}"))
        same = out.exists() and out.read_bytes() == src.read_bytes()
        md.append(f"| {n} | {src.stat().st_size / 1e6:.1f} | {seconds:.1f} | {1000 * seconds / n:.2f} | {mb} | "
                  f"{'yes' if same else 'NO'} | {rc} |")
    return md + [""]


def lookup_figure(work: Path, sizes: list[int]) -> list[str]:
    md = ["## The look-up path by size (every entry a preprint)", "",
          f"Written by `python benchmarks/upgrade_scale.py --lookup {','.join(map(str, sizes))}`: files of synthetic "
          "preprints (the seven shapes) that no service knows, so every entry is looked up by its arXiv id and then "
          "searched by title on every search rung, against the fake services (no pacing), empty cache. Linear means a "
          "constant time and number of requests per entry.", "",
          "| entries | seconds | ms per entry | requests | requests per entry | peak memory (MB) |", "|---|---|---|---|---|---|"]
    rnd = random.Random(11)
    with FakeServices() as fake:
        for n in sizes:
            src = work / f"pre-{n}.bib"
            src.write_text(HEAD + "\n".join(preprint(rnd, 500_000 + i) for i in range(n)), encoding="utf-8")
            fake.clear()
            seconds, mb, _ = _run(["upgrade", str(src), "-o", str(work / f"pre-{n}.out.bib"), "--quiet"],
                                  _env(fake, work, work / f"cache-pre-{n}"))
            count = sum(len(fake.requests(s)) for s in fake.services)
            md.append(f"| {n} | {seconds:.1f} | {1000 * seconds / n:.0f} | {count} | {count / n:.2f} | {mb} |")
    return md + [""]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,10000,20000,50000")
    ap.add_argument("--mixed", type=int, default=5000)
    ap.add_argument("--lookup", default="250,500,1000")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "UPGRADE.md")
    ap.add_argument("--only", choices=("requests", "offline", "lookup"), action="append")
    args = ap.parse_args()
    only = set(args.only or ("requests", "offline", "lookup"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "requests" in only and args.mixed:
            md = requests_figure(work, args.mixed)
            write_section(args.out, "requests", md)
            print("\n".join(md))
        if "offline" in only and args.sizes:
            md = offline_figure(work, [int(s) for s in args.sizes.split(",")])
            write_section(args.out, "offline", md)
            print("\n".join(md))
        if "lookup" in only and args.lookup:
            md = lookup_figure(work, [int(s) for s in args.lookup.split(",")])
            write_section(args.out, "lookup", md)
            print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
