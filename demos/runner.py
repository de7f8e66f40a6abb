"""Run registered figures: seed, time, save ``fNN_<slug>.png`` and ``fNN_<slug>.json``, tabulate the claims."""

from __future__ import annotations

import json
import math
import re
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import threadpoolctl
from tqdm.auto import tqdm

import tinygrad_lite as tl

from . import plotting
from .registry import Context, Figure, Result


@dataclass
class Record:
    """The outcome of one figure: its result, or the error that stopped it."""

    figure: Figure
    result: Result | None
    seconds: float
    error: str | None = None

    @property
    def holds(self) -> bool:
        return self.result is not None and self.result.holds


def run_figure(figure: Figure, ctx: Context, out_dir: Path) -> Result:
    """Make one figure from a fresh seed and write its PNG and JSON into ``out_dir``.

    BLAS runs on one thread: the demos' matrices are small, and on a busy two-core machine a second
    BLAS thread makes them many times slower and their timings erratic."""
    tl.manual_seed(ctx.seed)
    start = time.perf_counter()
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        result = figure.make(ctx)
    seconds = time.perf_counter() - start
    out_dir.mkdir(parents=True, exist_ok=True)
    plotting.save(result.fig, out_dir / f"{figure.stem}.png")
    document = {
        "id": figure.id,
        "slug": figure.slug,
        "title": figure.title,
        "claim": figure.claim,
        "holds": result.holds,
        "checks": {name: bool(ok) for name, ok in result.checks.items()},
        "summary": result.summary,
        "measured": result.measured,
        "plotted": result.plotted,
        "quick": ctx.quick,
        "seed": ctx.seed,
        "seconds": round(seconds, 3),
    }
    text = json.dumps(to_json(document), ensure_ascii=False, indent=1)
    (out_dir / f"{figure.stem}.json").write_text(_NUMBER_LIST.sub(_one_line, text) + "\n", encoding="utf-8")
    return result


# A list of plain numbers (the innermost level of an array), which json.dumps spreads over many lines.
_NUMBER_LIST = re.compile(r"\[([-+.\deE,\s]|null)*\]")


def _one_line(match: re.Match) -> str:
    return "[" + ", ".join(item.strip() for item in match.group(0)[1:-1].split(",") if item.strip()) + "]"


def run_all(figures: list[Figure], ctx: Context, out_dir: Path) -> list[Record]:
    """Run every figure; one that raises is recorded as failed and the others still run."""
    records = []
    for figure in tqdm(figures, desc="figures", unit="fig", disable=None):
        start = time.perf_counter()
        try:
            result, error = run_figure(figure, ctx, out_dir), None
        except Exception:  # a broken figure must not hide the others' results
            result, error = None, traceback.format_exc()
        records.append(Record(figure, result, time.perf_counter() - start, error))
    return records


def to_json(value):
    """NumPy arrays and scalars as plain lists and numbers, floats to 6 significant digits, NaN/inf as null."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return float(f"{value:.6g}") if math.isfinite(value) else None
    return value


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(records: list[Record]) -> str:
    """The closing table: figure, claim, measured value, and whether the claim holds."""
    rows = [("figure", "claim", "measured", "holds", "time")]
    for r in records:
        if r.error is not None:
            measured, verdict = r.error.strip().splitlines()[-1], "ERROR"
        else:
            measured, verdict = r.result.summary, "yes" if r.holds else "NO"
        rows.append((r.figure.id, _shorten(r.figure.claim, 60), _shorten(measured, 70), verdict,
                     f"{r.seconds:.1f} s"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
