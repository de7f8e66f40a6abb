"""Dropout: randomly silence units while training, so the network cannot rely on any single one."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the rest by 1/(1 − p)
    (inverted dropout: the expected output equals the input). In eval mode (``model.eval()``) it passes
    the input through unchanged. Seeded by ``tl.manual_seed``.

    >>> import tinygrad_lite as tl
    >>> drop = tl.nn.Dropout(0.5)
    >>> drop.eval()(tl.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        F.check_probability(p, "Dropout")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
