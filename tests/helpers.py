"""The op-test harness shared by every test of a differentiable op (in the spirit of Chainer's
FunctionTestCase): a case declares its inputs and a NumPy reference, and :func:`check_case` checks the
forward value, the first derivatives and the second derivatives in float64 on the device under test,
re-drawing inputs that land near a kink (a point where the op is not differentiable)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

import tinygrad_lite as tl

DEVICE = os.environ.get("TL_TEST_DEVICE", "cpu")  # the device under test, for code outside fixtures


@dataclass
class OpCase:
    """One row of an op table.

    name:      shown in the test id.
    fn:        takes Tensors (one per shape in ``shapes``) and returns a Tensor (or tuple of Tensors).
    reference: takes the same inputs as float64 NumPy arrays and returns the expected value(s);
               None when the value is checked elsewhere.
    shapes:    the shape of each float input.
    domain:    (low, high) of the uniform inputs, or one such pair per input.
    kink:      called with the NumPy inputs; True means "too close to a non-differentiable point", redraw.
    second_order: False for ops whose second derivative is not defined by the test's inputs.
    atol, rtol: tolerances of the gradient checks.
    """

    name: str
    fn: Callable
    reference: Callable | None
    shapes: Sequence[tuple]
    domain: tuple | Sequence[tuple] = (-2.0, 2.0)
    kink: Callable | None = None
    second_order: bool = True
    atol: float = 1e-5
    rtol: float = 1e-3
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def draw_inputs(case: OpCase, rng: np.random.Generator, tries: int = 100) -> list[np.ndarray]:
    """Uniform float64 inputs in the case's domain, redrawn while they sit near a kink."""
    domains = case.domain if isinstance(case.domain[0], (tuple, list)) else [case.domain] * len(case.shapes)
    for _ in range(tries):
        arrays = [rng.uniform(low, high, size=shape) for shape, (low, high) in zip(case.shapes, domains)]
        if case.kink is None or not case.kink(*arrays):
            return arrays
    raise RuntimeError(f"{case.name}: could not draw inputs away from the kink in {tries} tries")


def check_case(case: OpCase, device: str, seed: int = 0) -> None:
    """Forward against the reference, then gradcheck and gradgradcheck, all in float64 on ``device``."""
    rng = np.random.default_rng(seed)
    arrays = draw_inputs(case, rng)
    tensors = [tl.tensor(a, dtype=tl.float64, device=device, requires_grad=True) for a in arrays]
    out = case.fn(*tensors)
    if case.reference is not None:
        expected = case.reference(*arrays)
        outs = out if isinstance(out, tuple) else (out,)
        expecteds = expected if isinstance(expected, tuple) else (expected,)
        for got, want in zip(outs, expecteds):
            assert got.device == device
            np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-10, atol=1e-12, err_msg=case.name)
    assert tl.gradcheck(case.fn, tensors, atol=case.atol, rtol=case.rtol)
    if case.second_order:
        assert tl.gradgradcheck(case.fn, tensors, atol=case.atol, rtol=case.rtol)


def near(points: Sequence[float], margin: float = 1e-3) -> Callable:
    """A kink predicate: some element of any input lies within ``margin`` of one of ``points``."""
    def kink(*arrays):
        return any(np.any(np.abs(a - p) < margin) for a in arrays for p in points)
    return kink


def near_tie(margin: float = 1e-3) -> Callable:
    """A kink predicate for two-input ops such as maximum: the inputs are almost equal somewhere."""
    def kink(a, b, *rest):
        return bool(np.any(np.abs(np.subtract(a, b)) < margin))
    return kink
