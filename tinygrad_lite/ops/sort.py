"""Sorting along a dim: ``sort``, ``argsort`` and ``topk`` (the k largest or smallest), as PyTorch's.

The sorted values are ``x`` gathered at the sorting permutation, so their gradient goes back to where
each value came from (gather's scatter-add), and is differentiable again; the indices are int64 and
carry no gradient. Sorting is always stable here: equal values keep their order (in both directions),
so ties are resolved the same way on every run and every device.
"""

from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .axes import normalize_axis
from .gather import gather
from .results import ValuesIndices
from .shape import getitem


def _stable_order(data, axis: int, descending: bool, xp):
    """The permutation that sorts ``data`` along ``axis`` stably; descending keeps equal values in their
    original order too (sort the reversed array ascending, reverse the result, map indices back)."""
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    n = data.shape[axis]
    reversed_order = xp.argsort(xp.flip(data, axis=axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(reversed_order, axis=axis)


def _order(x: Tensor, dim: int, descending: bool, op: str) -> tuple[int, Tensor]:
    axis = normalize_axis(dim, x.ndim, op, x.shape)
    xp = backend.get_array_module(x.data)
    order = _stable_order(x.data, axis, descending, xp).astype(xp.int64, copy=False)
    return axis, Tensor._make(order, False)


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """``x`` sorted along ``dim``: the named tuple ``(values, indices)`` with ``values = x.gather(dim, indices)``.
    The sort is always stable (``stable=`` is accepted for PyTorch's signature); NaN sorts as the largest.

    >>> import tinygrad_lite as tl
    >>> tl.tensor([3.0, 1.0, 2.0]).sort(descending=True)
    ValuesIndices(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
    """
    if x.ndim == 0:
        return ValuesIndices(x, Tensor._make(backend.get_array_module(x.data).zeros((), dtype="int64"), False))
    axis, indices = _order(x, dim, descending, "sort")
    return ValuesIndices(gather(x, axis, indices), indices)


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The int64 indices that sort ``x`` along ``dim`` (stable; the ``indices`` of :func:`sort`).

    >>> import tinygrad_lite as tl
    >>> tl.tensor([3, 1, 2]).argsort()
    tensor([1, 2, 0])
    """
    if x.ndim == 0:
        return Tensor._make(backend.get_array_module(x.data).zeros((), dtype="int64"), False)
    return _order(x, dim, descending, "argsort")[1]


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:  # noqa: A002
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their int64 indices, in
    sorted order (also with ``sorted=False``). Among equal values the lower index comes first.

    >>> import tinygrad_lite as tl
    >>> tl.tensor([1.0, 5.0, 3.0, 4.0]).topk(2)
    ValuesIndices(values=tensor([5., 4.]), indices=tensor([1, 3]))
    """
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"topk: k must be an int, got {type(k).__name__}")
    size = x.shape[normalize_axis(dim, x.ndim, "topk", x.shape)] if x.ndim else 1
    if not 0 <= k <= size:
        raise ValueError(f"topk: k={k} is out of range for dim {dim} of size {size} (shape {x.shape})")
    if x.ndim == 0:
        return sort(x)
    axis, order = _order(x, dim, largest, "topk")
    indices = getitem(order, (slice(None),) * axis + (slice(0, k),))
    return ValuesIndices(gather(x, axis, indices), indices)
