"""Shared test set-up: the device under test comes from TL_TEST_DEVICE ("cpu" by default, or "cuda")."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # so test modules in sub-folders can import helpers.py

from helpers import DEVICE  # noqa: E402

import tinygrad_lite as tl  # noqa: E402

if DEVICE == "cuda" and not tl.cuda.is_available():
    raise pytest.UsageError("TL_TEST_DEVICE=cuda but CuPy or a CUDA GPU is not available")


@pytest.fixture
def device() -> str:
    """The device every test runs on: "cpu", or "cuda" with TL_TEST_DEVICE=cuda."""
    return DEVICE


@pytest.fixture(autouse=True)
def _fresh_state():
    """Each test starts from the same seed and the default dtype, whatever the test before it did."""
    tl.manual_seed(0)
    tl.set_default_dtype(tl.float32)
    yield
    tl.set_default_dtype(tl.float32)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
