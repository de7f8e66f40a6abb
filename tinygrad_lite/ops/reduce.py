"""Reductions: sum, mean, amax, amin, max, min, var, std, logsumexp (and the non-differentiable argmax/any/all).

They take PyTorch's ``dim`` (None, an int or a tuple) and ``keepdim``; NumPy's ``axis`` and ``keepdims``
are accepted as aliases. A reduction's backward spreads the output gradient back over the reduced axes:
evenly for ``sum``, to the largest element for ``amax``.

``max(x, dim)`` is PyTorch's: the values *and* the indices of the largest elements along ``dim``, and its
gradient goes to the returned index. ``amax`` (and ``max(x)`` of all elements) splits the gradient equally
between tied elements instead, as PyTorch's ``amax`` does.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .axes import kept_shape, normalize_axes, pytorch_or_numpy
from .broadcast import broadcast_to
from .elementwise import exp, maximum, minimum, sqrt
from .operands import floating
from .results import ValuesIndices
from .shape import getitem, reshape, squeeze


class Sum(Function):
    """y = Σ x over ``axes``;  dy/dx = 1, so the gradient is broadcast back over the reduced axes."""

    reads_inputs = False

    def forward(self, x, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims)

    def backward(self, grad_output):
        (x,) = self.inputs
        if not self.keepdims:
            grad_output = reshape(grad_output, kept_shape(x.shape, self.axes))
        return broadcast_to(grad_output, x.shape)

    def backward_arrays(self, grad_output):
        shape = self.inputs[0].data.shape
        if not self.keepdims:
            grad_output = grad_output.reshape(kept_shape(shape, self.axes))
        return backend.get_array_module(grad_output).broadcast_to(grad_output, shape)


class Extreme(Function):
    """y = max (or min) of x over ``axes``. The gradient goes to the elements equal to y,
    split equally between ties (so a constant input gets 1/n each, as for a mean)."""

    reads_inputs = False

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


def sum(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    """Σ x over ``dim`` (None: all elements)."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "sum")
    return Sum.apply(x, axes=_axes(x, dim, "sum"), keepdims=keepdim)


def mean(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """The average of x over ``dim`` (None: all elements)."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "mean")
    axes = _axes(x, dim, "mean")
    count = math.prod(x.shape[a] for a in axes)
    return Sum.apply(floating(x), axes=axes, keepdims=keepdim) / count


def _non_empty_axes(x: Tensor, axis, op: str) -> tuple[int, ...]:
    """The axes of a max/min, which have no identity element: reducing an empty axis is an error."""
    axes = _axes(x, axis, op)
    if 0 in [x.shape[a] for a in axes]:  # (this module defines its own any)
        raise ValueError(f"{op}: inputs {x.shape} {x.dtype}: zero-size array along the reduced axes "
                         f"{axes}; a max or min of nothing is undefined")
    return axes


def amax(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """The largest element over ``dim`` (an int, a tuple, or None for all); ties share the gradient equally."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "amax")
    return Extreme.apply(x, axes=_non_empty_axes(x, dim, "amax"), keepdims=keepdim, largest=True)


def amin(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """The smallest element over ``dim`` (an int, a tuple, or None for all); ties share the gradient equally."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "amin")
    return Extreme.apply(x, axes=_non_empty_axes(x, dim, "amin"), keepdims=keepdim, largest=False)


def _extreme_along(x: Tensor, dim, keepdim: bool, largest: bool, op: str) -> ValuesIndices:
    """PyTorch's ``max(x, dim)``/``min(x, dim)``: the values at the arg-max (arg-min) and those indices.

    The values are ``x`` indexed at the indices, so the gradient goes to the returned index alone (and
    the second derivative comes from indexing's own)."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}; use amax/amin to reduce several dims")
    (axis,) = _non_empty_axes(x, dim, op)
    xp = backend.get_array_module(x.data)
    found = x.data.argmax(axis=axis) if largest else x.data.argmin(axis=axis)
    found = xp.expand_dims(xp.asarray(found), axis)
    index = tuple(found if i == axis else xp.arange(n).reshape([-1 if j == i else 1 for j in range(x.ndim)])
                  for i, n in enumerate(x.shape))  # one open grid per other axis: x[i, found[i, 0, k], k]
    values = getitem(x, index)
    indices = Tensor._make(found.astype(xp.int64, copy=False), False)
    if not keepdim:
        values, indices = squeeze(values, axis), squeeze(indices, axis)
    return ValuesIndices(values, indices)


def max(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):  # noqa: A001
    """PyTorch's ``max``: without ``dim`` the largest element (ties share the gradient equally); with
    ``dim`` a named tuple ``(values, indices)`` along that dim, the gradient going to each index; with a
    Tensor in place of ``dim`` the elementwise :func:`maximum`."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "max")
    if dim is None:
        return amax(x)
    return _extreme_along(x, dim, keepdim, True, "max")


def min(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):  # noqa: A001
    """PyTorch's ``min``: the smallest element, ``(values, indices)`` along ``dim``, or :func:`minimum`."""
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "min")
    if dim is None:
        return amin(x)
    return _extreme_along(x, dim, keepdim, False, "min")


def _correction(correction, unbiased, ddof, numpy_spelling: bool, op: str) -> float:
    """The divisor n − correction of a variance, one rule for both spellings (docs/pytorch.md):
    ``correction=`` or ``unbiased=`` as PyTorch, ``ddof=`` as NumPy; with none of them the default of the
    spelling used, PyTorch's 1 (Bessel's correction) unless the call spells NumPy's ``axis=``/``keepdims=``."""
    given = [name for name, value in (("correction", correction), ("unbiased", unbiased), ("ddof", ddof))
             if value is not None]
    if len(given) > 1:
        raise TypeError(f"{op}: got {' and '.join(given)}; pass one of them")
    if unbiased is not None:
        return 1 if unbiased else 0
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 0 if numpy_spelling else 1


def var(x: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
        axis=None, keepdims=None, ddof=None) -> Tensor:
    """Variance Σ (x − x̄)² / (n − correction) over ``dim``.

    PyTorch's default ``correction=1`` (the unbiased sample variance); NumPy's spelling (``axis=``,
    ``keepdims=``, ``ddof=``) keeps NumPy's default ``ddof=0`` (the population variance)."""
    numpy_spelling = axis is not None or keepdims is not None
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "var")
    divisor_offset = _correction(correction, unbiased, ddof, numpy_spelling, "var")
    axes = _axes(x, dim, "var")
    x = floating(x)
    count = math.prod(x.shape[a] for a in axes)
    if count - divisor_offset <= 0:
        raise ValueError(f"var: {count} elements along dim {dim} leave no degrees of freedom with "
                         f"correction={divisor_offset}")
    deviation = x - mean(x, axes, keepdim=True)
    return sum(deviation * deviation, axes, keepdim) / (count - divisor_offset)


def std(x: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
        axis=None, keepdims=None, ddof=None) -> Tensor:
    """Standard deviation √var (same arguments and defaults as :func:`var`)."""
    return sqrt(var(x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims, ddof=ddof))


def logsumexp(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """log Σ eˣ over ``dim``, without overflow; its gradient is the softmax."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "logsumexp")
    return LogSumExp.apply(floating(x), axes=_axes(x, dim, "logsumexp"), keepdims=keepdim)


def _index_reduction(x: Tensor, dim, keepdim: bool, largest: bool, op: str) -> Tensor:
    if dim is None:
        found = x.data.argmax() if largest else x.data.argmin()
        return _non_differentiable(x, found.reshape((1,) * x.ndim) if keepdim else found)
    (axis,) = _non_empty_axes(x, dim, op)
    found = x.data.argmax(axis=axis) if largest else x.data.argmin(axis=axis)
    xp = backend.get_array_module(x.data)
    return _non_differentiable(x, xp.expand_dims(xp.asarray(found), axis) if keepdim else found)


def argmax(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """Index of the largest element along ``dim`` (of the flattened tensor when ``dim`` is None); int64."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "argmax")
    return _index_reduction(x, dim, keepdim, True, "argmax")


def argmin(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """Index of the smallest element along ``dim`` (of the flattened tensor when ``dim`` is None); int64."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "argmin")
    return _index_reduction(x, dim, keepdim, False, "argmin")


def any(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    """True where any element over ``dim`` is non-zero."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "any")
    return _non_differentiable(x, x.data.any(axis=_axes(x, dim, "any"), keepdims=keepdim))


def all(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    """True where every element over ``dim`` is non-zero."""
    dim, keepdim = pytorch_or_numpy(dim, keepdim, axis, keepdims, "all")
    return _non_differentiable(x, x.data.all(axis=_axes(x, dim, "all"), keepdims=keepdim))
