"""Softplus, log(1 + eˣ): the smooth ReLU, and the heart of binary cross-entropy on logits.

    softplus(x) = log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|))      (no overflow for any finite x)
    d softplus / dx = σ(x)

It is one op with its own backward on purpose. Written as the composite ``relu(x) + log1p(exp(-abs(x)))``
its gradient would be assembled from the one-sided derivatives of relu and abs, which both say 0 at
x = 0, giving 0 instead of σ(0) = ½ there. A zero-initialised output layer sits exactly at x = 0, so
the wrong value would show up in the very first training step.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .elementwise import sigmoid
from .operands import floating


class Softplus(Function):
    """y = log(1 + eˣ);  dy/dx = σ(x), exact everywhere, also at x = 0."""

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, grad_output):
        (x,) = self.inputs
        return grad_output * sigmoid(x)


def softplus(x: Tensor) -> Tensor:
    """log(1 + eˣ), stable for any finite x, with derivative σ(x)."""
    return Softplus.apply(floating(x))
