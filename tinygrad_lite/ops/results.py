"""The named pairs that some ops return, as PyTorch's ``torch.return_types``."""

from __future__ import annotations

from typing import NamedTuple

from ..tensor import Tensor


class ValuesIndices(NamedTuple):
    """``(values, indices)`` of ``max(dim)``, ``min(dim)``, ``sort`` and ``topk``: unpack it, or read the fields.

    >>> import tinygrad_lite as tl
    >>> values, indices = tl.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    >>> values, indices
    (tensor([5., 7.]), tensor([1, 0]))
    """

    values: Tensor
    indices: Tensor
