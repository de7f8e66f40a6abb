"""The demos runner and command line: files, the closing table, exit status, argument handling."""

import json
import math

import numpy as np
import pytest

from demos import plotting
from demos.__main__ import main
from demos.registry import FIGURES, Context, Figure, Result, figure, load_all
from demos.runner import to_json


def test_cli_runs_selected_figures_and_ends_with_a_table(tmp_path, capsys):
    assert main(["f05", "F07", "--quick", "--seed", "3", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["f05_hessian_at_origin.json", "f05_hessian_at_origin.png",
                     "f07_more_dimensions_more_ways_out.json", "f07_more_dimensions_more_ways_out.png"]
    assert json.loads((tmp_path / "f05_hessian_at_origin.json").read_text(encoding="utf-8"))["seed"] == 3
    out = capsys.readouterr().out
    header, rule, *rows = out.splitlines()[:4]
    assert header.split()[:2] == ["figure", "claim"] and set(rule) <= {"-", " "}
    assert rows[0].startswith("F05") and rows[0].split()[-3] == "yes"
    assert "2 of 2 claims hold" in out


def test_cli_rejects_unknown_figures(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["F77", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "unknown figure F77" in capsys.readouterr().err


def _failing(ctx: Context) -> Result:
    return Result(plotting.new_figure(), "0 instead of 1", {"the number is 1": False})


def _raising(ctx: Context) -> Result:
    raise RuntimeError("broken on purpose")


def test_failed_claims_and_errors_give_exit_status_1(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(FIGURES, "F98", Figure("F98", "fails", "a failing figure", "the number is 1", _failing))
    monkeypatch.setitem(FIGURES, "F99", Figure("F99", "raises", "a broken figure", "it runs", _raising))
    assert main(["F98", "F99", "--quick", "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "broken on purpose" in captured.err
    lines = {line.split()[0]: line for line in captured.out.splitlines() if line.startswith("F9")}
    assert " NO " in lines["F98"] and " ERROR " in lines["F99"]
    assert json.loads((tmp_path / "f98_fails.json").read_text(encoding="utf-8"))["holds"] is False
    assert not (tmp_path / "f99_raises.png").exists()


def test_figure_decorator_checks_id_slug_and_duplicates():
    load_all()
    with pytest.raises(ValueError, match="id"):
        figure("5", "slug", title="t", claim="c")
    with pytest.raises(ValueError, match="slug"):
        figure("F97", "Bad Slug", title="t", claim="c")
    with pytest.raises(ValueError, match="twice"):
        figure("F05", "again", title="t", claim="c")(_failing)


def test_json_holds_plain_numbers():
    value = {"a": np.arange(3), "b": np.float32(0.1), "c": [math.nan, np.bool_(True)], "d": (1.23456789e-9,)}
    assert to_json(value) == {"a": [0, 1, 2], "b": 0.1, "c": [None, True], "d": [1.23457e-09]}
