"""Constant padding: surround an array with a border of one value (zeros for convolutions).

The padded output holds the input unchanged in its middle, so the gradient of the input is the middle
of the output's gradient: a slice. Slicing's own backward puts the slice back into a zero border,
which is padding again, so second derivatives need nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import backend
from ..autograd import Function
from ..tensor import Tensor


class Pad(Function):
    """y = x with ``widths[k] = (before, after)`` values added on each side of axis k;
    dL/dx = dL/dy with the border cut off."""

    reads_inputs = False

    def forward(self, x, widths, value):
        self.widths = widths
        return backend.get_array_module(x).pad(x, widths, mode="constant", constant_values=value)

    def backward(self, grad_output):
        middle = tuple(slice(before, n - after)
                       for (before, after), n in zip(self.widths, grad_output.shape, strict=True))
        return grad_output[middle]


def pad(x: Tensor, widths: Sequence[tuple[int, int]], value: float = 0.0) -> Tensor:
    """``x`` padded with ``value``: ``widths`` holds one ``(before, after)`` pair per axis, as NumPy's
    ``pad_width``.

    >>> import tinygrad_lite as tl
    >>> from tinygrad_lite.ops.pad import pad
    >>> pad(tl.tensor([1.0, 2.0]), [(1, 2)])
    tensor([0., 1., 2., 0., 0.])
    """
    pairs = tuple(tuple(pair) for pair in widths)
    if len(pairs) != x.ndim or any(len(pair) != 2 for pair in pairs):
        raise ValueError(f"pad: widths {pairs} must hold one (before, after) pair for each of the "
                         f"{x.ndim} axes of shape {x.shape}")
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for pair in pairs for n in pair):
        raise ValueError(f"pad: widths {pairs} must be non-negative integers")
    return Pad.apply(x, widths=pairs, value=value)
