"""Flatten: turn images (N, C, H, W) into rows (N, C·H·W) so a Linear layer can read them."""

from __future__ import annotations

from ..tensor import Tensor
from .module import Module


class Flatten(Module):
    """Merge axes ``start_axis`` … ``end_axis`` into one; by default all but the batch axis.

    >>> import tinygrad_lite as tl
    >>> tl.nn.Flatten()(tl.zeros(2, 3, 4, 4)).shape
    (2, 48)
    """

    def __init__(self, start_axis: int = 1, end_axis: int = -1):
        super().__init__()
        self.start_axis, self.end_axis = start_axis, end_axis

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_axis, self.end_axis)

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"
