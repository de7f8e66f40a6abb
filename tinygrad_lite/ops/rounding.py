"""Rounding and sign: step functions, whose derivative is 0 wherever it exists.

PyTorch defines the gradient of ``floor``, ``ceil``, ``round``, ``trunc`` and ``sign`` as 0 everywhere
(the jumps have no derivative, and a gradient of 0 is the useful choice there): so does tinygrad_lite.
Integer tensors pass through ``floor``/``ceil``/``round``/``trunc`` unchanged, as in PyTorch.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function
from ..tensor import Tensor


class Step(Function):
    """y = step(x) for a step function (floor, ceil, round, trunc, sign);  dy/dx = 0."""

    reads_inputs = False

    def forward(self, x, function: str, decimals: int = 0):
        xp = backend.get_array_module(x)
        if function == "round":  # NumPy and PyTorch both round halves to even: round(2.5) = 2
            return xp.round(x, decimals)
        return getattr(xp, function)(x)

    def backward(self, grad_output):
        return grad_output * 0


def _step(x: Tensor, function: str, decimals: int = 0) -> Tensor:
    if x.dtype.kind in "iub" and function != "sign":
        return x
    return Step.apply(x, function=function, decimals=decimals)


def floor(x: Tensor) -> Tensor:
    """The largest integer ≤ x, elementwise (gradient 0)."""
    return _step(x, "floor")


def ceil(x: Tensor) -> Tensor:
    """The smallest integer ≥ x, elementwise (gradient 0)."""
    return _step(x, "ceil")


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001  (PyTorch's name)
    """x rounded to ``decimals`` places, halves to even as in PyTorch (gradient 0)."""
    return _step(x, "round", decimals)


def trunc(x: Tensor) -> Tensor:
    """x rounded toward zero (gradient 0)."""
    return _step(x, "trunc")


def sign(x: Tensor) -> Tensor:
    """−1, 0 or 1: the sign of each element (gradient 0)."""
    if x.dtype.kind == "b":
        return x
    return _step(x, "sign")
