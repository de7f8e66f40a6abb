"""Activation functions as layers, so they can sit inside a Sequential.

The nonlinearity is what makes a deep network more than one linear map: without it, Linear∘Linear is
again a Linear. Softmax and LogSoftmax turn the last layer's logits into (log-)probabilities.
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module


class ReLU(Module):
    """y = max(x, 0) elementwise.

    >>> import tinygrad_lite as tl
    >>> tl.nn.ReLU()(tl.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class Sigmoid(Module):
    """y = σ(x) = 1 / (1 + e⁻ˣ) elementwise, in (0, 1); stable for any finite x."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """y = tanh x elementwise, in (−1, 1)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Softmax(Module):
    """y′ᵢ = e^(yᵢ) / Σⱼ e^(yⱼ) along ``axis`` (F40: 3, 1, −3 → 0.88, 0.12, 0.00).

    >>> import tinygrad_lite as tl
    >>> tl.nn.Softmax()(tl.tensor([3.0, 1.0, -3.0])).numpy().round(2)
    array([0.88, 0.12, 0.  ], dtype=float32)
    """

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """y = log softmax(x) along ``axis``, computed stably (no log of 0)."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
