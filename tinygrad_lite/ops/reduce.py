"""Reductions: sum, mean, max, min, var, std, logsumexp (and the non-differentiable argmax/any/all).

They take NumPy's ``axis`` (None, an int or a tuple) and ``keepdims``. A reduction's backward spreads
the output gradient back over the reduced axes: evenly for ``sum``, to the arg-max for ``max``.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .axes import kept_shape, normalize_axes
from .broadcast import broadcast_to
from .elementwise import exp, sqrt
from .operands import floating
from .shape import reshape


class Sum(Function):
    """y = Σ x over ``axes``;  dy/dx = 1, so the gradient is broadcast back over the reduced axes."""

    def forward(self, x, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims)

    def backward(self, grad_output):
        (x,) = self.inputs
        if not self.keepdims:
            grad_output = reshape(grad_output, kept_shape(x.shape, self.axes))
        return broadcast_to(grad_output, x.shape)


class Extreme(Function):
    """y = max (or min) of x over ``axes``. The gradient goes to the elements equal to y,
    split equally between ties (so a constant input gets 1/n each, as for a mean)."""

    def forward(self, x, axes, keepdims, largest):
        self.axes, self.keepdims = axes, keepdims
        y = x.max(axis=axes, keepdims=True) if largest else x.min(axis=axes, keepdims=True)
        winners = x == y
        self.share = winners / winners.sum(axis=axes, keepdims=True)
        return y if keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    def backward(self, grad_output):
        (x,) = self.inputs
        if not self.keepdims:
            grad_output = reshape(grad_output, kept_shape(x.shape, self.axes))
        share = backend.get_array_module(x.data).asarray(self.share, dtype=x.dtype)
        return broadcast_to(grad_output, x.shape) * Tensor._make(share, False)


class LogSumExp(Function):
    """y = log Σ eˣ over ``axes``, computed as m + log Σ e^(x − m) with m = max x so nothing overflows;
    dy/dx = e^(x − y) = softmax(x)."""

    saves_output = True

    def forward(self, x, axes, keepdims):
        xp = backend.get_array_module(x)
        self.axes, self.keepdims = axes, keepdims
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all −inf (or an inf) along an axis: shift by 0 instead
        y = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        return y if keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    def backward(self, grad_output):
        (x,) = self.inputs
        y = self.output()
        if not self.keepdims:
            grad_output = reshape(grad_output, kept_shape(x.shape, self.axes))
            y = reshape(y, kept_shape(x.shape, self.axes))
        return grad_output * exp(x - y)


def _non_differentiable(x: Tensor, result) -> Tensor:
    """An index or boolean result as a Tensor outside the graph (NumPy may hand back a scalar)."""
    return Tensor._make(backend.get_array_module(x.data).asarray(result), False)


def _axes(x: Tensor, axis, op: str) -> tuple[int, ...]:
    return normalize_axes(axis, x.ndim, op, x.shape)


def sum(x: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Σ x over ``axis`` (None: all elements)."""
    return Sum.apply(x, axes=_axes(x, axis, "sum"), keepdims=keepdims)


def mean(x: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """The average of x over ``axis`` (None: all elements)."""
    axes = _axes(x, axis, "mean")
    count = math.prod(x.shape[a] for a in axes)
    return Sum.apply(floating(x), axes=axes, keepdims=keepdims) / count


def _non_empty_axes(x: Tensor, axis, op: str) -> tuple[int, ...]:
    """The axes of a max/min, which have no identity element: reducing an empty axis is an error."""
    axes = _axes(x, axis, op)
    if 0 in [x.shape[a] for a in axes]:  # (this module defines its own any)
        raise ValueError(f"{op}: inputs {x.shape} {x.dtype}: zero-size array along the reduced axes "
                         f"{axes}; a max or min of nothing is undefined")
    return axes


def max(x: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """The largest element over ``axis``; ties share the gradient equally."""
    return Extreme.apply(x, axes=_non_empty_axes(x, axis, "max"), keepdims=keepdims, largest=True)


def min(x: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """The smallest element over ``axis``; ties share the gradient equally."""
    return Extreme.apply(x, axes=_non_empty_axes(x, axis, "min"), keepdims=keepdims, largest=False)


def var(x: Tensor, axis=None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance Σ (x − x̄)² / (n − ddof) over ``axis``; ``ddof=0`` (NumPy's default) is the population variance."""
    axes = _axes(x, axis, "var")
    x = floating(x)
    count = math.prod(x.shape[a] for a in axes)
    if count - ddof <= 0:
        raise ValueError(f"var: {count} elements along axis {axis} leave no degrees of freedom with ddof={ddof}")
    deviation = x - mean(x, axes, keepdims=True)
    return sum(deviation * deviation, axes, keepdims) / (count - ddof)


def std(x: Tensor, axis=None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Standard deviation √var (same arguments as :func:`var`)."""
    return sqrt(var(x, axis, keepdims, ddof))


def logsumexp(x: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """log Σ eˣ over ``axis``, without overflow; its gradient is the softmax."""
    return LogSumExp.apply(floating(x), axes=_axes(x, axis, "logsumexp"), keepdims=keepdims)


def argmax(x: Tensor, axis=None) -> Tensor:
    """Index of the largest element (flattened when ``axis`` is None); an int64 tensor."""
    return _non_differentiable(x, x.data.argmax(axis=axis))


def argmin(x: Tensor, axis=None) -> Tensor:
    """Index of the smallest element (flattened when ``axis`` is None); an int64 tensor."""
    return _non_differentiable(x, x.data.argmin(axis=axis))


def any(x: Tensor, axis=None) -> Tensor:  # noqa: A001
    """True where any element over ``axis`` is non-zero."""
    return _non_differentiable(x, x.data.any(axis=axis))


def all(x: Tensor, axis=None) -> Tensor:  # noqa: A001
    """True where every element over ``axis`` is non-zero."""
    return _non_differentiable(x, x.data.all(axis=axis))
