"""Activation functions as layers, so they can sit inside a Sequential.

The nonlinearity is what makes a deep network more than one linear map: without it, Linear∘Linear is
again a Linear. Softmax and LogSoftmax turn the last layer's logits into (log-)probabilities.
"""

from __future__ import annotations

from ..ops.axes import dim_or_axis
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
    """y′ᵢ = e^(yᵢ) / Σⱼ e^(yⱼ) along ``dim`` (F40: 3, 1, −3 → 0.88, 0.12, 0.00), as PyTorch's
    ``nn.Softmax(dim)``; without a dim the last one (``axis=`` is accepted as an alias).

    >>> import tinygrad_lite as tl
    >>> tl.nn.Softmax(dim=-1)(tl.tensor([3.0, 1.0, -3.0])).numpy().round(2)
    array([0.88, 0.12, 0.  ], dtype=float32)
    """

    def __init__(self, dim: int | None = None, *, axis: int | None = None):
        super().__init__()
        self.dim = dim_or_axis(dim, axis, "Softmax", -1)

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """y = log softmax(x) along ``dim`` (the last one when not given), computed stably (no log of 0)."""

    def __init__(self, dim: int | None = None, *, axis: int | None = None):
        super().__init__()
        self.dim = dim_or_axis(dim, axis, "LogSoftmax", -1)

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LeakyReLU(Module):
    """y = x for x > 0, else ``negative_slope`` · x (see :func:`functional.leaky_relu`).

    >>> import tinygrad_lite as tl
    >>> tl.nn.LeakyReLU(0.2)(tl.tensor([-1.0, 2.0]))
    tensor([-0.2,  2. ])
    """

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(Module):
    """y = x · Φ(x), exact with erf (``approximate="none"``) or with PyTorch's tanh formula
    (``approximate="tanh"``); see :func:`functional.gelu`."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """y = x · σ(x) elementwise (also called swish)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)
