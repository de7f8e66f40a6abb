"""The error function: float64 accuracy against Python's math.erf, its limits and special values, float32,
and first and second derivatives through the op-test harness."""

import math

import numpy as np
import pytest
from helpers import OpCase, check_case

import tinygrad_lite as tl

_erf = np.vectorize(math.erf, otypes=[np.float64])


def test_float64_accuracy_against_math_erf(device):
    x = np.concatenate([np.linspace(-9.0, 9.0, 36_001), np.geomspace(1e-300, 1.0, 300),
                        -np.geomspace(1e-300, 1.0, 300), [0.5, 1.0 - 1e-12, 1.0, 1.0 + 1e-12, 8.0, 30.0, 1e300]])
    got = tl.erf(tl.tensor(x, device=device)).cpu().numpy()
    expected = _erf(x)
    relative = np.abs(got - expected) / np.abs(expected).clip(1e-300)
    assert relative.max() < 2e-15, f"worst relative error {relative.max():.3g} at x = {x[relative.argmax()]}"


def test_special_values(device):
    x = tl.tensor([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=tl.float64, device=device)
    got = tl.erf(x).cpu().numpy()
    np.testing.assert_array_equal(got[:4], [0.0, -0.0, 1.0, -1.0])
    assert math.copysign(1.0, got[1]) == -1.0 and math.isnan(got[4])


def test_odd_and_monotone(device):
    x = np.linspace(0.0, 6.0, 6001)
    y = tl.erf(tl.tensor(x, device=device)).cpu().numpy()
    np.testing.assert_array_equal(tl.erf(tl.tensor(-x, device=device)).cpu().numpy(), -y)
    assert np.all(np.diff(y) >= 0) and y.max() <= 1.0


def test_float32_and_integers(device):
    x = np.linspace(-4, 4, 801, dtype=np.float32)
    y = tl.erf(tl.tensor(x, device=device))
    assert y.dtype == tl.float32
    np.testing.assert_allclose(y.cpu().numpy(), _erf(x.astype(np.float64)), rtol=0, atol=3e-7)
    assert tl.erf(tl.tensor([0, 1], device=device)).dtype == tl.get_default_dtype()


def test_derivative_closed_form(device):
    x = tl.tensor([-2.0, -0.3, 0.0, 1.5], dtype=tl.float64, device=device, requires_grad=True)
    (g,) = tl.grad(tl.erf(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.cpu().numpy(), 2 / math.sqrt(math.pi) * np.exp(-x.cpu().numpy() ** 2), rtol=1e-15)
    (h,) = tl.grad(g.sum(), x)  # d²/dx² erf = −2x · 2/√π e^(−x²)
    np.testing.assert_allclose(h.cpu().numpy(), -2 * x.cpu().numpy() * g.cpu().numpy(), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("case", [
    OpCase("erf", lambda a: tl.erf(a), _erf, [(3, 4)], domain=(-3, 3)),
    OpCase("erf_tails", lambda a: tl.erf(a), _erf, [(5,)], domain=(0.9, 5)),
], ids=str)
def test_erf_case(case, device):
    check_case(case, device)
