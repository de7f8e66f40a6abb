"""Broadcasting and its adjoint: ``broadcast_to`` copies along new axes, ``sum_to`` adds them back up.

A binary op broadcasts its inputs like NumPy (``(3, 1) + (4,) -> (3, 4)``). In backward, every element
of the output sent gradient to one element of each input, so the input's gradient is the output's
gradient *summed* over the broadcast axes: ``sum_to(grad, input.shape)``. The two ops are each
other's backward, so second derivatives through broadcasting come for free.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function
from ..tensor import Tensor


def _sum_to_array(array, shape: tuple[int, ...]):
    """Sum ``array`` over the leading axes it has beyond ``shape`` and over axes where ``shape`` has 1."""
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and array.shape[lead + i] != 1)
    if axes:
        array = array.sum(axis=axes, keepdims=True)
    return array.reshape(shape) if lead or array.shape != shape else array


class BroadcastTo(Function):
    """y = x repeated along broadcast axes; dL/dx = sum_to(dL/dy, x.shape)."""

    reads_inputs = False
    makes_view = True

    def forward(self, x, shape):
        return backend.get_array_module(x).broadcast_to(x, shape)

    def backward(self, grad_output):
        (x,) = self.inputs
        return sum_to(grad_output, x.shape)


class SumTo(Function):
    """y = x summed down to ``shape`` (the adjoint of broadcasting); dL/dx = broadcast_to(dL/dy, x.shape)."""

    reads_inputs = False

    def forward(self, x, shape):
        return _sum_to_array(x, shape)

    def backward(self, grad_output):
        (x,) = self.inputs
        return broadcast_to(grad_output, x.shape)


def broadcast_to(x: Tensor, shape) -> Tensor:
    """``x`` broadcast to ``shape`` (a read-only view, as NumPy's ``broadcast_to``)."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    return BroadcastTo.apply(x, shape=shape)


def sum_to(x: Tensor, shape) -> Tensor:
    """``x`` summed down to ``shape``: the gradient of a broadcast input. No op when shapes match."""
    shape = tuple(shape)
    if x.data.shape == shape:
        return x
    return SumTo.apply(x, shape=shape)
