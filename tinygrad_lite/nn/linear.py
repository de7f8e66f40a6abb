"""The fully connected layer: every output is a weighted sum of every input, plus a bias."""

from __future__ import annotations

from ..factories import zeros
from ..ops import linalg
from ..tensor import Tensor
from . import init
from .module import Module, Parameter


class Linear(Module):
    """y = x Wᵀ + b, with W of shape (out_features, in_features) and b of shape (out_features,), as in
    PyTorch. Both start uniform in ±1/√in_features (PyTorch's default initialisation).

    >>> import tinygrad_lite as tl
    >>> layer = tl.nn.Linear(2, 3)
    >>> layer
    Linear(in_features=2, out_features=3, bias=True)
    >>> layer(tl.zeros(4, 2)).shape
    (4, 3)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: str | None = None,
                 dtype=None):
        super().__init__()
        self.in_features = init.check_size("Linear", "in_features", in_features)
        self.out_features = init.check_size("Linear", "out_features", out_features)
        self.weight = Parameter(zeros(out_features, in_features, dtype=dtype, device=device))
        self.bias = Parameter(zeros(out_features, dtype=dtype, device=device)) if bias else None
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        shape = x.data.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(f"Linear: input of shape {x.shape} should have {self.in_features} features "
                             f"(in_features) in its last axis")
        return linalg.linear(x, self.weight, self.bias)  # F.linear without its checks: the shape is checked above

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
