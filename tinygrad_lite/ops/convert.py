"""Ops that change what an array is, not its values: dtype casts and moves between devices."""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor


class Cast(Function):
    """y = x as another dtype. Gradients flow back cast to the input's dtype (only between float dtypes)."""

    reads_inputs = False

    def forward(self, x, dtype):
        return x.astype(dtype)

    def backward(self, grad_output):
        (x,) = self.inputs
        return cast(grad_output, x.dtype)


class ToDevice(Function):
    """y = x copied to another device; the gradient is copied back."""

    reads_inputs = False

    def forward(self, x, device):
        return backend.to_device(x, device)

    def backward(self, grad_output):
        (x,) = self.inputs
        return to_device(grad_output, x.device)


def cast(x: Tensor, dtype) -> Tensor:
    """``x`` as ``dtype``; returns ``x`` itself when it already has that dtype."""
    dtype = dtypes.as_dtype(dtype, "astype")
    if x.dtype == dtype:
        return x
    return Cast.apply(x, dtype=dtype)


def to_device(x: Tensor, device: str) -> Tensor:
    """``x`` on ``device``, differentiably."""
    return ToDevice.apply(x, device=device)


class Clone(Function):
    """y = a copy of x (new memory, same values);  dL/dx = dL/dy."""

    reads_inputs = False

    def forward(self, x):
        return x.copy()

    def backward(self, grad_output):
        return grad_output


def clone(x: Tensor) -> Tensor:
    """A copy of ``x`` with its own memory, still in the graph (PyTorch's ``clone``; ``detach`` leaves it).

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> x.clone()
    tensor([1., 2.], grad_fn=<Clone>)
    """
    return Clone.apply(x)
