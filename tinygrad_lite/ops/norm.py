"""Vector norms, as PyTorch's ``norm``: the length of a tensor (of all its elements, or along ``dim``).

    p = 2 ("fro"):  ‖x‖₂ = √(Σ x²)        p = 1:  ‖x‖₁ = Σ |x|        p = ±inf:  max |x|  /  min |x|

The 2-norm is one op of its own: composed as √(Σ x²), its gradient x / ‖x‖ would be 0/0 = nan at x = 0.
PyTorch takes the subgradient 0 there, and so does :class:`Norm2`. The 1- and inf-norms are composed of
``abs`` (derivative 0 at 0) and ``sum``/``amax`` (ties share the gradient equally, as PyTorch's).
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .axes import kept_shape, normalize_axes
from .elementwise import abs, where
from .operands import floating
from .reduce import amax, amin, sum
from .shape import reshape


class Norm2(Function):
    """y = √(Σ x²) over ``axes``;  dy/dx = x / y, taken as 0 where y = 0 (only x = 0 gives y = 0)."""

    saves_output = True

    def forward(self, x, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims
        return backend.get_array_module(x).sqrt((x * x).sum(axis=axes, keepdims=keepdims))

    def backward(self, grad_output):
        (x,) = self.inputs
        y = self.output()
        if not self.keepdims:
            grad_output = reshape(grad_output, kept_shape(x.shape, self.axes))
            y = reshape(y, kept_shape(x.shape, self.axes))
        return grad_output * x / where(y == 0, 1, y)


def norm(x: Tensor, p="fro", dim=None, keepdim: bool = False) -> Tensor:
    """The vector ``p``-norm of ``x`` over ``dim`` (None: all elements, whatever the shape), as PyTorch's
    ``norm``: ``p`` = "fro" or 2 (√Σx², its gradient 0 at x = 0), 1 (Σ|x|), ``inf`` (max|x|) or ``-inf``
    (min|x|). ``dim`` may be an int or a tuple of dims.

    >>> import tinygrad_lite as tl
    >>> tl.tensor([3.0, -4.0]).norm()
    tensor(5.)
    >>> tl.tensor([[3.0, -4.0], [1.0, 0.0]]).norm(p=1, dim=1)
    tensor([7., 1.])
    """
    x = floating(x)
    if isinstance(p, str) and p != "fro":
        raise ValueError(f"norm: p={p!r} is not supported; use 'fro', 2, 1, inf or -inf (matrix norms such as "
                         "'nuc' are not implemented)")
    axes = normalize_axes(dim, x.ndim, "norm", x.shape)
    if p == "fro" or p == 2:
        return Norm2.apply(x, axes=axes, keepdims=keepdim)
    if p == 1:
        return sum(abs(x), axes, keepdim)
    if p == math.inf:
        return amax(abs(x), axes, keepdim)
    if p == -math.inf:
        return amin(abs(x), axes, keepdim)
    raise ValueError(f"norm: p={p!r} is not supported; use 'fro', 2, 1, inf or -inf")
