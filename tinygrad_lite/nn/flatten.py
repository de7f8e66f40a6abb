"""Flatten: turn images (N, C, H, W) into rows (N, C·H·W) so a Linear layer can read them."""

from __future__ import annotations

from ..tensor import Tensor
from .module import Module


class Flatten(Module):
    """Merge dims ``start_dim`` … ``end_dim`` into one; by default all but the batch dim (PyTorch's
    ``nn.Flatten(start_dim=1, end_dim=-1)``; ``x.flatten()`` and ``tl.flatten`` start at dim 0 instead).

    >>> import tinygrad_lite as tl
    >>> tl.nn.Flatten()(tl.zeros(2, 3, 4, 4)).shape
    (2, 48)
    >>> tl.nn.Flatten(0, 1)(tl.zeros(2, 3, 4)).shape
    (6, 4)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
