"""Lint and types: ``ruff check`` on the package, the lecture demos and the benchmarks (configured in
pyproject.toml) and ``mypy`` on the package modules whose annotations are already complete. Each check is
skipped where its tool is not installed (``pip install -e ".[test]"`` installs both)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The typed part of the public API, checked module by module (imports are followed silently, so an error
# in a module outside this list does not fail the check). Every module of the package is listed; a new
# module joins the list once mypy accepts it.
TYPED_MODULES = [
    "__init__.py", "tensor.py", "autograd.py", "backend.py", "dtypes.py", "factories.py", "gradcheck.py",
    "memory.py", "cuda.py", "functional.py", "curvature.py", "serialization.py", "batched_vjp.py",
    "ops/__init__.py", "ops/elementwise.py", "ops/reduce.py", "ops/linalg.py",
    "ops/broadcast.py", "ops/compare.py", "ops/convert.py", "ops/softmax.py", "ops/softplus.py",
    "ops/shape.py", "ops/pad.py", "ops/axes.py", "ops/operands.py",
    "nn/__init__.py", "nn/module.py", "nn/container.py", "nn/functional.py", "nn/linear.py", "nn/conv.py",
    "nn/loss.py", "nn/init.py", "nn/utils.py", "nn/activation.py", "nn/dropout.py", "nn/flatten.py",
    "nn/identity.py",
    "optim/__init__.py", "optim/optimizer.py", "optim/sgd.py", "optim/adam.py", "optim/adagrad.py",
    "optim/rmsprop.py", "optim/lr_scheduler.py",
    "data/__init__.py", "data/dataset.py", "data/datasets.py", "data/dataloader.py",
    "viz/__init__.py", "viz/computational_graph.py", "viz/schedule.py", "viz/surface.py", "viz/plotting.py",
    "viz/trajectory.py", "viz/directions.py", "viz/vectors.py",
]


def _tool(name: str) -> list[str]:
    """How to run ``name``: its executable, or ``python -m name``; skip the test when it is missing."""
    if shutil.which(name):
        return [name]
    try:
        __import__(name)
    except ImportError:
        pytest.skip(f"{name} is not installed (pip install {name})")
    return [sys.executable, "-m", name]


# What ruff checks: the package, and the code learners read next to it (mypy stays on the package).
LINTED_PATHS = ["tinygrad_lite", "demos", "benchmarks"]


@pytest.mark.parametrize("path", LINTED_PATHS)
def test_ruff_finds_nothing(path):
    result = subprocess.run([*_tool("ruff"), "check", path], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_is_marked_as_typed():
    assert os.path.exists(os.path.join(ROOT, "tinygrad_lite", "py.typed"))


def test_mypy_accepts_the_typed_public_modules():
    files = [os.path.join("tinygrad_lite", name) for name in TYPED_MODULES]
    result = subprocess.run([*_tool("mypy"), "--follow-imports=silent", "--no-error-summary", *files],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
