"""Comparisons: elementwise ==, !=, <, <=, >, >= giving boolean tensors. They are not differentiable
(a step function has derivative 0 almost everywhere), so they never enter the graph."""

from __future__ import annotations

import operator

from .. import backend
from ..tensor import Tensor
from .operands import binary_operands


def _compare(a, b, op, name: str) -> Tensor:
    a, b = binary_operands(a, b, name)
    if a.device != b.device:
        raise RuntimeError(f"{name}: inputs are on different devices ({a.device}, {b.device})")
    try:
        result = op(a.data, b.data)
    except ValueError as error:
        raise ValueError(f"{name}: inputs {a.shape} and {b.shape}: {error}") from None
    return Tensor._make(backend.get_array_module(a.data).asarray(result), False)


def equal(a, b) -> Tensor:
    """a == b elementwise (a bool tensor)."""
    return _compare(a, b, operator.eq, "equal")


def not_equal(a, b) -> Tensor:
    """a != b elementwise (a bool tensor)."""
    return _compare(a, b, operator.ne, "not_equal")


def less(a, b) -> Tensor:
    """a < b elementwise (a bool tensor)."""
    return _compare(a, b, operator.lt, "less")


def less_equal(a, b) -> Tensor:
    """a <= b elementwise (a bool tensor)."""
    return _compare(a, b, operator.le, "less_equal")


def greater(a, b) -> Tensor:
    """a > b elementwise (a bool tensor)."""
    return _compare(a, b, operator.gt, "greater")


def greater_equal(a, b) -> Tensor:
    """a >= b elementwise (a bool tensor)."""
    return _compare(a, b, operator.ge, "greater_equal")


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True when |a − b| ≤ atol + rtol · |b| for every element (broadcasting), as PyTorch's ``allclose``.

    >>> import tinygrad_lite as tl
    >>> tl.allclose(tl.tensor([1.0, 2.0]), tl.tensor([1.0, 2.0 + 1e-6]))
    True
    """
    a, b = binary_operands(a, b, "allclose")
    if a.device != b.device:
        raise RuntimeError(f"allclose: inputs are on different devices ({a.device}, {b.device})")
    try:
        return bool(backend.get_array_module(a.data).allclose(a.data, b.data, rtol=rtol, atol=atol,
                                                              equal_nan=equal_nan))
    except ValueError as error:
        raise ValueError(f"allclose: inputs {a.shape} and {b.shape}: {error}") from None
