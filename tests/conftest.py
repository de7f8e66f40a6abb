"""Shared test set-up: the devices under test.

Tests that take the ``device`` fixture run once on "cpu" and once on "cuda": a real GPU when CuPy sees
one, else the CUDA simulator (``TL_CUDASIM=1``, a CPU stand-in for CuPy with CuPy's rules).
``TL_TEST_DEVICE=cpu`` or ``TL_TEST_DEVICE=cuda`` runs the suite on that device alone (tests that do not
take the fixture use it too, through ``helpers.DEVICE``); ``TL_CUDASIM=0`` forbids the simulator.
"""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # so test modules in sub-folders can import helpers.py



def _real_gpu() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no CuPy, or no CUDA device
        return False


if "TL_CUDASIM" not in os.environ and os.environ.get("TL_TEST_DEVICE", "") != "cpu" and not _real_gpu():
    os.environ["TL_CUDASIM"] = "1"  # before tinygrad_lite first asks for CuPy

import tinygrad_lite as tl  # noqa: E402

DEVICES = [os.environ["TL_TEST_DEVICE"]] if "TL_TEST_DEVICE" in os.environ else ["cpu", "cuda"]

if "cuda" in DEVICES and not tl.cuda.is_available():
    raise pytest.UsageError("cuda is under test but CuPy or a CUDA GPU is not available (set TL_TEST_DEVICE=cpu, "
                            "or leave TL_CUDASIM unset to use the CUDA simulator)")


def pytest_report_header(config) -> str:
    simulated = os.environ.get("TL_CUDASIM") == "1"
    cuda = "cuda (simulated: TL_CUDASIM=1)" if simulated else "cuda (CuPy on a GPU)"
    return "devices under test: " + ", ".join(cuda if d == "cuda" else d for d in DEVICES)


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    """The device a test runs on: each test that takes it runs on every device under test."""
    return request.param


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
