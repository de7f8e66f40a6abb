"""Tutorial-style programs (tests/tutorials/programs.py) run on tinygrad_lite, checked for what each must show,
and — where PyTorch is installed — run word for word on PyTorch from the same initial weights, with the
losses, accuracies and statistics compared after a few steps."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tl

from . import programs

IMAGES, LABELS = programs.synthetic_images(128, 12, 4, seed=0)
PROGRAMS = [programs.quickstart, programs.logistic_regression, programs.small_cnn, programs.batchnorm_mlp]


def _ours(program, start=None):
    tl.manual_seed(0)
    return program(tl, start, IMAGES, LABELS)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_the_program_runs_and_learns(program):
    result = _ours(program)
    losses = result["losses"]
    assert all(np.isfinite(losses))
    early, late = np.mean(losses[:2]), np.mean(losses[-2:])
    assert late < early, (program.__name__, losses)  # training lowers the loss
    if "accuracies" in result:
        assert result["accuracies"][-1] > 0.5  # 4 classes: chance is 0.25
    if "accuracy" in result:
        assert result["accuracy"] > 0.5


def test_batchnorm_mlp_tracks_running_statistics():
    result = _ours(programs.batchnorm_mlp)
    assert result["batches_tracked"] == 8
    assert not np.allclose(result["running_mean"], 0) and not np.allclose(result["running_var"], 1)



@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_pytorch_runs_the_same_program_to_the_same_numbers(program):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = program(torch, None, IMAGES, LABELS)
    ours = _ours(program, theirs["initial"])
    for key, value in ours["initial"].items():  # the same starting point
        np.testing.assert_array_equal(value, theirs["initial"][key], err_msg=key)
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=2e-4, atol=1e-5)
    for key in ("accuracies", "accuracy", "bias", "eval_logits", "running_mean", "running_var", "batches_tracked"):
        if key in theirs:
            np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-4, atol=1e-5, err_msg=key)
