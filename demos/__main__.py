"""``python -m demos [F05 F08 ...] [--quick] [--seed N] [--out DIR]``: see the package docstring."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .registry import Context, load_all
from .runner import run_all, table


def main(argv: list[str] | None = None) -> int:
    figures = load_all()
    parser = argparse.ArgumentParser(
        prog="python -m demos",
        description="Reproduce the lecture's figures with tinygrad_lite: writes fNN_<slug>.png and "
                    "fNN_<slug>.json per figure and ends with a table of the claims. "
                    "Exit status: 0 when every claim holds, 1 when one fails or a figure raises.")
    parser.add_argument("ids", nargs="*", metavar="FIGURE",
                        help=f"figure ids to run (default: all {len(figures)}: {', '.join(figures)})")
    parser.add_argument("--quick", action="store_true", help="small sizes, for tests and a fast look")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random source (default 0)")
    parser.add_argument("--out", type=Path, default=Path("docs/figures"),
                        help="output folder (default docs/figures)")
    args = parser.parse_args(argv)

    ids = [i.upper() for i in args.ids] or list(figures)
    unknown = [i for i in ids if i not in figures]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; known: {', '.join(figures)}")

    records = run_all([figures[i] for i in ids], Context(quick=args.quick, seed=args.seed), args.out)
    for record in records:
        if record.error is not None:
            print(f"\n{record.figure.id} raised:\n{record.error}", file=sys.stderr)
    print(table(records))
    held = sum(r.holds for r in records)
    print(f"\n{held} of {len(records)} claims hold; figures in {args.out}/")
    return 0 if held == len(records) else 1


if __name__ == "__main__":
    sys.exit(main())
