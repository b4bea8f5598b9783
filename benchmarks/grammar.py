"""How the list reader does on the style grammar (tests/stylegrammar.py): N seeded-random items per split, each
parsed alone with `atpbib.listparse.parse_list`, and the share of items whose field reads back exactly.

    python benchmarks/grammar.py --n 600 --seed 0                      # dev and held-out, figures per split
    python benchmarks/grammar.py --n 600 --seed 0 --split dev --show-misses 3

--show-misses K groups the misses of each field by dimension value (style, separator, markup, venue form, author
form, order, label, nickname, title and name shapes, …): greedily, the value that explains most of the misses
left, weighted by how far its share of the misses exceeds its share of all items, then the next on what is left;
up to K example items per group, with what was expected and what was read. Same seed → same items.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import stylegrammar as grammar  # noqa: E402


def run(n: int, seed: int, split: str) -> tuple[list, float]:
    rng = random.Random(f"{seed}:{split}")
    start = time.perf_counter()
    rows = []
    for _ in range(n):
        item = grammar.render(rng, split)
        ok, got = grammar.read_back(item)
        rows.append((item, ok, got))
    return rows, time.perf_counter() - start


def _expected(item, field: str):
    return {"entry": 1, "title": item.title, "authors": item.authors, "venue": item.venue, "year": item.year,
            "ids": (item.arxiv, item.acl)}[field]


def _got(got: dict, field: str):
    if "entries" in got:
        return got
    return (got.get("arxiv"), got.get("acl")) if field == "ids" else got.get(field)


def show_misses(rows: list, k: int) -> None:
    everywhere = Counter(dv for item, _, _ in rows for dv in item.dims if dv[0] != "paper")
    total = len(rows)
    for field in grammar.FIELDS:
        missed = [(item, got) for item, ok, got in rows if not ok[field] and (field == "entry" or ok["entry"])]
        if not missed:
            continue
        print(f"\n  misses of {field}: {len(missed)}")
        # greedy cover: the dimension value that explains most of the misses left (weighted by how far above
        # its share of all items it stands), its examples, then the same on the misses it does not explain
        left = list(missed)
        for _ in range(8):
            counts = Counter(dv for item, _ in left for dv in item.dims if dv[0] != "paper")
            lift = {dv: (c / len(missed)) / (everywhere[dv] / total) for dv, c in counts.items()}
            cands = [dv for dv, c in counts.items() if c >= 2 and lift[dv] >= 1.5]
            if not cands:
                break
            dv = max(cands, key=lambda d: counts[d] * lift[d])
            hits = [m for m in left if dv in m[0].dims]
            rate = sum(1 for item, _ in missed if dv in item.dims) / everywhere[dv]
            print(f"    {dv[0]}={dv[1]!r}: explains {len(hits)} misses; {rate:.0%} of its {everywhere[dv]} items miss")
            for item, got in hits[:k]:
                print("      item:    " + item.text.rstrip("\n").replace("\n", "\n               "))
                print(f"      want:    {_expected(item, field)!r}")
                print(f"      read:    {_got(got, field)!r}")
            left = [m for m in left if dv not in m[0].dims]
        if left:
            print(f"    (not explained by one dimension value: {len(left)})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--split", choices=("dev", "heldout", "both"), default="both")
    ap.add_argument("--show-misses", type=int, default=0, metavar="K")
    args = ap.parse_args(argv)
    splits = ("dev", "heldout") if args.split == "both" else (args.split,)
    print(f"style grammar: {len(grammar.papers())} papers; combinations dev {len(grammar.combos('dev'))}, "
          f"held-out {len(grammar.combos('heldout'))}; n={args.n} seed={args.seed}")
    print(f"{'split':8} " + " ".join(f"{f:>8}" for f in grammar.FIELDS) + f" {'all':>8} {'time':>7}")
    results = {}
    for split in splits:
        rows, secs = run(args.n, args.seed, split)
        results[split] = rows
        rates = [sum(ok[f] for _, ok, _ in rows) / len(rows) for f in grammar.FIELDS]
        full = sum(all(ok.values()) for _, ok, _ in rows) / len(rows)
        print(f"{split:8} " + " ".join(f"{r:8.1%}" for r in rates) + f" {full:8.1%} {secs:6.1f}s")
    if args.show_misses:
        for split, rows in results.items():
            by_style: dict[str, list] = defaultdict(list)
            for row in rows:
                by_style[row[0].dim["style"]].append(row)
            print(f"\n== {split}: exact rate per style (all fields)")
            for style, srows in sorted(by_style.items()):
                print(f"  {style:9} {sum(all(ok.values()) for _, ok, _ in srows) / len(srows):6.1%} of {len(srows)}")
            print(f"\n== {split}: misses by dimension")
            show_misses(rows, args.show_misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
