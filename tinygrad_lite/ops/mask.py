"""Masking: keep some elements and replace the others, chosen by a boolean mask (``masked_fill``) or by
their place relative to a diagonal (``tril``, ``triu``: a causal mask, a triangular matrix).

All three are ``where(mask, ·, ·)``: the gradient flows to the elements that were kept (and, in
``masked_fill``, to a tensor ``value`` from every position it filled).
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..tensor import Tensor
from .convert import cast
from .elementwise import where
from .operands import as_tensor


def masked_fill(x: Tensor, mask: Tensor, value) -> Tensor:
    """``x`` with ``value`` (a number or a 0-d tensor) where the boolean ``mask`` is True, as PyTorch's
    ``masked_fill``; ``mask`` broadcasts to ``x``'s shape and the result keeps ``x``'s dtype.

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 2.0, 3.0])
    >>> x.masked_fill(x > 1.5, 0.0)
    tensor([1., 0., 0.])
    """
    if not isinstance(mask, Tensor) or mask.dtype.kind != "b":
        described = f"a tensor of dtype {mask.dtype}" if isinstance(mask, Tensor) else f"a {type(mask).__name__}"
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {described}")
    if mask.device != x.device:
        raise RuntimeError(f"masked_fill: the mask is on {mask.device} but the tensor is on {x.device}")
    try:
        broadcast = np.broadcast_shapes(mask.shape, x.shape)
    except ValueError:
        broadcast = None
    if broadcast != x.shape:
        raise ValueError(f"masked_fill: mask of shape {mask.shape} does not broadcast to the tensor's shape {x.shape}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got a tensor of shape {value.shape}")
    fill = cast(as_tensor(value, x, "masked_fill"), x.dtype)
    return where(mask, fill, x)


def _triangle(x: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:
    if x.ndim < 2:
        raise ValueError(f"{op}: input must have at least 2 dims (a matrix or a batch of them), got shape {x.shape}")
    if not isinstance(diagonal, int) or isinstance(diagonal, bool):
        raise TypeError(f"{op}: diagonal must be an int, got {type(diagonal).__name__}")
    xp = backend.get_array_module(x.data)
    rows, columns = x.shape[-2:]
    below = xp.tri(rows, columns, k=diagonal if lower else diagonal - 1, dtype=bool)  # column − row ≤ k
    keep = below if lower else ~below
    return where(Tensor._make(keep, False), x, 0)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims: elements with column − row ≤ ``diagonal`` kept, the rest 0.

    >>> import tinygrad_lite as tl
    >>> tl.ones(3, 3).tril()
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    return _triangle(x, diagonal, True, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims: elements with column − row ≥ ``diagonal`` kept, the rest 0.

    >>> import tinygrad_lite as tl
    >>> tl.ones(2, 3).triu(1)
    tensor([[0., 1., 1.],
            [0., 0., 1.]])
    """
    return _triangle(x, diagonal, False, "triu")
