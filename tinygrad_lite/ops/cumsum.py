"""Cumulative sums along a dim: yₖ = x₀ + x₁ + … + xₖ.

Each xᵢ appears in every yₖ with k ≥ i, so its gradient is the sum of dL/dyₖ over k ≥ i: a cumulative
sum run from the other end, which is a flip, a cumulative sum and a flip back. Both are ops, so the
second derivative comes for free.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from .axes import normalize_axis
from .convert import cast
from .shape import flip


class CumSum(Function):
    """yₖ = Σ_{i ≤ k} xᵢ along ``axis``;  dL/dxᵢ = Σ_{k ≥ i} dL/dyₖ = flip(cumsum(flip(dL/dy)))."""

    reads_inputs = False

    def forward(self, x, axis):
        self.axis = axis
        return backend.get_array_module(x).cumsum(x, axis=axis)

    def backward(self, grad_output):
        return flip(CumSum.apply(flip(grad_output, self.axis), axis=self.axis), self.axis)


def cumsum(x: Tensor, dim: int) -> Tensor:
    """The running sum of ``x`` along ``dim``, as PyTorch's ``cumsum`` (integer and bool tensors sum in int64).

    >>> import tinygrad_lite as tl
    >>> tl.tensor([1, 2, 3, 4]).cumsum(0)
    tensor([ 1,  3,  6, 10])
    """
    if x.ndim == 0:
        return cast(x, dtypes.int64) if x.dtype.kind in "biu" else x
    axis = normalize_axis(dim, x.ndim, "cumsum", x.shape)
    if x.dtype.kind in "biu":
        x = cast(x, dtypes.int64)
    return CumSum.apply(x, axis=axis)
