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


def sum_to_array(array, shape: tuple[int, ...]):
    """Sum ``array`` over the leading axes it has beyond ``shape`` and over axes where ``shape`` has 1."""
    if array.shape == shape:
        return array
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
        return sum_to_array(x, shape)

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


def expand(x: Tensor, *sizes) -> Tensor:
    """PyTorch's ``expand``: ``x`` broadcast to ``sizes``, where -1 keeps the size of that dim; only dims of
    length 1 can grow, and extra sizes add new leading dims. A read-only view: the gradient is summed back
    over the expanded dims (``sum_to``).

    >>> import tinygrad_lite as tl
    >>> tl.tensor([[1], [2]]).expand(-1, 3)
    tensor([[1, 1, 1],
            [2, 2, 2]])
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes):
        raise TypeError(f"expand: sizes {tuple(sizes)} must be integers (-1 keeps a dim)")
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: got {len(sizes)} sizes for a tensor of shape {x.shape}; the number of sizes "
                         f"must be at least the number of dims ({x.ndim})")
    shape = []
    for i, n in enumerate(sizes):
        if i < lead:
            if n < 0:
                raise ValueError(f"expand: size {n} for the new leading dim {i} of {tuple(sizes)}; a new dim "
                                 "needs a non-negative size (-1 only keeps an existing dim)")
            shape.append(n)
            continue
        old = x.shape[i - lead]
        if n == -1 or n == old:
            shape.append(old)
        elif old == 1 and n >= 0:
            shape.append(n)
        else:
            raise ValueError(f"expand: the expanded size {n} must match the existing size {old} at dim {i - lead} "
                             f"of a tensor of shape {x.shape} (only dims of size 1 can be expanded)")
    return broadcast_to(x, tuple(shape))
