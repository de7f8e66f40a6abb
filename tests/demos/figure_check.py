"""The check every figure test starts with: run one figure in quick mode and verify what it wrote."""

import json
from pathlib import Path

from demos.registry import Context, load_all
from demos.runner import run_figure

FIGURES = load_all()


def run(figure_id: str, out_dir: Path, clocked: tuple[str, ...] = ()) -> dict:
    """Run ``figure_id`` quick into ``out_dir``; check its PNG, its JSON and that its claim holds.
    Returns the measured numbers, for the test to assert the claim in detail.

    ``clocked``: the checks (by their first words) that compare wall-clock timings. The figure reports
    them, but on a machine shared with the rest of the test suite a timing can swing either way, so a
    test does not require them; it asserts what is robust about the timings itself."""
    figure = FIGURES[figure_id]
    result = run_figure(figure, Context(quick=True, seed=0), out_dir)
    png, document = out_dir / f"{figure.stem}.png", out_dir / f"{figure.stem}.json"
    assert png.stat().st_size > 10_000
    saved = json.loads(document.read_text(encoding="utf-8"))
    assert saved["id"] == figure_id and saved["claim"] == figure.claim and saved["quick"] is True
    required = {name: holds for name, holds in saved["checks"].items() if not name.startswith(clocked)}
    assert all(required.values()), required
    assert required.keys() <= result.checks.keys() and all(result.checks[name] for name in required)
    return result.measured
