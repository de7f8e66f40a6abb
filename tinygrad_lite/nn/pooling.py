"""Average pooling on images: each output is the mean of a window of the input.

``avg_pool2d`` slides a fixed kh × kw window (by im2col, as convolution and max-pooling do: see
``conv.py``). ``adaptive_avg_pool2d`` instead fixes the *output* size and chooses the windows, so any
input size gives the same output size (the usual last step before a classifier). Output row i averages
the input rows

    start = ⌊i · H / OH⌋  …  end = ⌈(i + 1) · H / OH⌉ (exclusive)

(likewise for the columns), PyTorch's rule: together the windows cover the input, and neighbours
overlap where H is not a multiple of OH. A window's mean is the mean over its rows of the means over its
columns, so the rows and the columns are pooled one after the other. Both are made of slicing,
reshaping, sums and means, so first and second derivatives come from those ops.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from ..ops import concatenate
from ..ops.pad import pad
from ..tensor import Tensor
from .conv import _check_image, _output_size, _pair, im2col
from .module import Module


def _pool_arguments(kernel_size, stride, padding, who: str):
    kernel = _pair(kernel_size, "kernel_size", who)
    stride = kernel if stride is None else _pair(stride, "stride", who)
    padding = _pair(padding, "padding", who)
    if 0 in kernel or 0 in stride:
        raise ValueError(f"{who}: kernel_size and stride must be positive")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{who}: padding {padding} must be at most half the kernel size {kernel}")
    return kernel, stride, padding


def _real_counts(size: int, kernel: int, stride: int, padding: int) -> np.ndarray:
    """How many of the input's own (not padded) positions each window along one axis covers."""
    starts = np.arange(_output_size(size, kernel, stride, padding)) * stride - padding
    return np.minimum(starts + kernel, size) - np.maximum(starts, 0)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, *, count_include_pad: bool = True) -> Tensor:
    """The mean of every kh × kw window of (N, C, H, W) images (stride defaults to the window size).
    ``padding`` adds zeros on each side; with ``count_include_pad=True`` (PyTorch's default) they count
    in the mean (every window divides by kh·kw), with ``False`` only the input's own values do.

    >>> import tinygrad_lite as tl
    >>> x = tl.arange(16.0).reshape(1, 1, 4, 4)
    >>> tl.nn.functional.avg_pool2d(x, 2)[0, 0].tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    who = "avg_pool2d"
    _check_image(input, who)
    kernel, stride, padding = _pool_arguments(kernel_size, stride, padding, who)
    x = input
    if padding != (0, 0):
        x = pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    windows = im2col(x, kernel, stride, who)  # (N, C, kh·kw, OH, OW)
    if count_include_pad or padding == (0, 0):
        return windows.mean(axis=2)
    rows = _real_counts(input.shape[2], kernel[0], stride[0], padding[0])
    columns = _real_counts(input.shape[3], kernel[1], stride[1], padding[1])
    counts = backend.to_device(np.outer(rows, columns).astype(windows.dtype), windows.device)
    return windows.sum(axis=2) / Tensor._make(counts, False)


def _output_pair(output_size, input_size: tuple[int, int], who: str) -> tuple[int, int]:
    """An int, or a pair of ints where None keeps that axis's input size."""
    pair = (output_size, output_size) if not isinstance(output_size, (tuple, list)) else tuple(output_size)
    if len(pair) != 2 or any(n is not None and (not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1)
                             for n in pair):
        raise ValueError(f"{who}: output_size must be a positive int or a pair of them (None keeps the input's "
                         f"size), got {output_size!r}")
    height, width = (size if n is None else int(n) for n, size in zip(pair, input_size))
    return height, width


def _adaptive_mean(x: Tensor, axis: int, out: int) -> Tensor:
    """Average ``x`` along ``axis`` into ``out`` windows by PyTorch's start/end rule."""
    size = x.shape[axis]
    if out == size:
        return x
    if size % out == 0:  # equal windows side by side: one reshape and one mean
        return x.reshape(x.shape[:axis] + (out, size // out) + x.shape[axis + 1:]).mean(axis=axis + 1)
    before = (slice(None),) * axis
    pieces = [x[before + (slice(i * size // out, -(-(i + 1) * size // out)),)].mean(axis=axis, keepdims=True)
              for i in range(out)]
    return concatenate(pieces, axis=axis)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average-pool (N, C, H, W) images to (N, C, OH, OW) for any H, W, with PyTorch's windows (see the
    module's docstring). ``output_size`` is an int, or a pair where None keeps that axis's size.

    >>> import tinygrad_lite as tl
    >>> x = tl.arange(5.0).reshape(1, 1, 1, 5)
    >>> tl.nn.functional.adaptive_avg_pool2d(x, (1, 3))[0, 0].tolist()   # windows [0, 2), [1, 4), [3, 5)
    [[0.5, 2.0, 3.5]]
    """
    who = "adaptive_avg_pool2d"
    _check_image(input, who)
    out_h, out_w = _output_pair(output_size, (input.shape[2], input.shape[3]), who)
    return _adaptive_mean(_adaptive_mean(input, 2, out_h), 3, out_w)


class AvgPool2d(Module):
    """Average-pooling layer: the mean of each window (see :func:`avg_pool2d`), as PyTorch's
    ``AvgPool2d`` (``ceil_mode`` and ``divisor_override`` are not offered).

    >>> import tinygrad_lite as tl
    >>> tl.nn.AvgPool2d(2)(tl.ones(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, *, count_include_pad: bool = True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = _pool_arguments(kernel_size, stride, padding, "AvgPool2d")
        self.count_include_pad = count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, count_include_pad=self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average-pool to a fixed output size, whatever the input size (see :func:`adaptive_avg_pool2d`);
    ``AdaptiveAvgPool2d(1)`` is global average pooling.

    >>> import tinygrad_lite as tl
    >>> tl.nn.AdaptiveAvgPool2d((2, 3))(tl.ones(4, 8, 7, 9)).shape
    (4, 8, 2, 3)
    """

    def __init__(self, output_size):
        super().__init__()
        _output_pair(output_size, (1, 1), "AdaptiveAvgPool2d")  # checked now rather than at the first call
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
