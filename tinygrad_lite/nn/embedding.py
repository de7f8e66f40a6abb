"""Embedding: a learned vector for each of ``num_embeddings`` tokens, looked up by integer index.

Looking up row i of the weight is the same as multiplying a one-hot vector by it, but without building
the one-hot matrix: ``weight[indices]``. Its gradient adds each output's gradient into the row it came
from (rows picked twice receive both), which is the backward of indexing.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import no_grad
from ..factories import zeros
from ..ops import where
from ..tensor import Tensor
from . import init
from .module import Module, Parameter


def _padding_index(padding_idx, num_embeddings: int, who: str) -> int | None:
    """``padding_idx`` as a row in [0, num_embeddings) (negative values count from the end, as in PyTorch)."""
    if padding_idx is None:
        return None
    if not isinstance(padding_idx, (int, np.integer)) or isinstance(padding_idx, bool) or not (
            -num_embeddings <= padding_idx < num_embeddings):
        raise ValueError(f"{who}: padding_idx must be an int in [-{num_embeddings}, {num_embeddings}) "
                         f"(within num_embeddings), got {padding_idx!r}")
    return int(padding_idx) % num_embeddings


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer indices ``input`` (any
    shape); the result has shape ``input.shape + (embedding_dim,)``. Every index must lie in
    [0, num_embeddings). The gradient of row ``padding_idx`` is always zero (its value is used as it is).

    >>> import tinygrad_lite as tl
    >>> weight = tl.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> tl.nn.functional.embedding(tl.tensor([[2, 1], [1, 0]]), weight)
    tensor([[[3., 4.],
             [1., 2.]],
    <BLANKLINE>
            [[1., 2.],
             [0., 0.]]])
    """
    who = "embedding"
    if weight.ndim != 2:
        raise ValueError(f"{who}: weight must have shape (num_embeddings, embedding_dim), got {weight.shape}")
    indices = input if isinstance(input, Tensor) else Tensor(input, device=weight.device)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{who}: indices must be integers, got a tensor of dtype {indices.dtype} (use .long())")
    if indices.device != weight.device:
        raise RuntimeError(f"{who}: the indices are on {indices.device} but the weight is on {weight.device}")
    count = weight.shape[0]
    if indices.data.size:
        outside = (indices.data < 0) | (indices.data >= count)
        if outside.any():  # NumPy would wrap a negative index around; PyTorch refuses it, and so do we
            bad = int(indices.data[outside].ravel()[0])
            raise IndexError(f"{who}: index {bad} is out of range for {count} embeddings (weight of shape "
                             f"{weight.shape}); indices must lie in [0, {count})")
    padding_idx = _padding_index(padding_idx, count, who)
    rows = weight[indices]
    if padding_idx is None:
        return rows
    # the same values, but where the index is padding_idx they come from a detached copy: no gradient
    # flows back into that row, neither first nor second order
    is_padding = Tensor._make(backend.get_array_module(indices.data).asarray(indices.data == padding_idx)[..., None])
    return where(is_padding, rows.detach(), rows)


class Embedding(Module):
    """A lookup table of ``num_embeddings`` learned vectors of size ``embedding_dim`` (PyTorch's
    ``Embedding``): ``Embedding(n, d)(indices)`` has shape ``indices.shape + (d,)``. The weight starts
    N(0, 1). Row ``padding_idx`` (if given) starts at zero and never receives a gradient, so it stays
    what it is (a "no token" vector for padded positions).

    >>> import tinygrad_lite as tl
    >>> emb = tl.nn.Embedding(10, 3, padding_idx=0)
    >>> emb
    Embedding(10, 3, padding_idx=0)
    >>> emb(tl.tensor([[0, 2, 4], [9, 9, 1]])).shape
    (2, 3, 3)
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 device: str | None = None, dtype=None):
        super().__init__()
        self.num_embeddings = init.check_size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = init.check_size("Embedding", "embedding_dim", embedding_dim)
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        self.weight = Parameter(zeros(num_embeddings, embedding_dim, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weight from N(0, 1) again, with row ``padding_idx`` zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
