"""Convolution and max-pooling on images, by im2col: turn every receptive field into a column, then
a convolution is one matrix product and a max-pool is one max.

For an input of shape (N, C, H, W) and a kh × kw window moved with step ``stride``, ``im2col`` takes,
for every kernel offset (i, j), the strided slice ``x[:, :, i::stride, j::stride]`` (cut to the output
size) and stacks the kh·kw slices: the result (N, C, kh·kw, OH, OW) holds each window's values along
axis 2. Slicing, stacking and reshaping are differentiable ops, so convolution and pooling get first
*and* second derivatives from them without a hand-written backward.

    OH = (H + 2·padding − kh) // stride + 1         (likewise OW)
    conv:  y[n, o, p, q] = Σ_{c, i, j} W[o, c, i, j] · x_padded[n, c, stride·p + i, stride·q + j] + b[o]
"""

from __future__ import annotations

import numpy as np

from ..factories import zeros
from ..ops import stack
from ..ops.pad import pad
from ..tensor import Tensor
from . import init
from .module import Module, Parameter


def _pair(value, name: str, who: str) -> tuple[int, int]:
    """An int or an (int, int) pair as a pair of non-negative ints."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in pair):
        raise ValueError(f"{who}: {name} must be a non-negative int or a pair of them, got {value!r}")
    return pair


def _output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def im2col(x: Tensor, kernel_size: tuple[int, int], stride: tuple[int, int], who: str) -> Tensor:
    """The kh × kw windows of a (padded) (N, C, H, W) input: shape (N, C, kh·kw, OH, OW)."""
    (kh, kw), (sh, sw) = kernel_size, stride
    oh, ow = _output_size(x.shape[2], kh, sh, 0), _output_size(x.shape[3], kw, sw, 0)
    if oh < 1 or ow < 1:
        raise ValueError(f"{who}: a {kh}×{kw} window does not fit into the (padded) input of shape {x.shape}")
    slices = [x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] for i in range(kh) for j in range(kw)]
    return stack(slices, axis=2)


def _check_image(x: Tensor, who: str, channels: int | None = None) -> None:
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        expected = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise ValueError(f"{who}: expected an input of shape {expected}, got {x.shape}")


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
    """2-D convolution (cross-correlation, as in every deep-learning library) of (N, C, H, W) images
    with a (O, C, kh, kw) weight; returns (N, O, OH, OW).

    >>> import tinygrad_lite as tl
    >>> x = tl.ones(1, 1, 3, 3)
    >>> tl.nn.functional.conv2d(x, tl.ones(1, 1, 2, 2), padding=1)[0, 0].tolist()   # windows' sums
    [[1.0, 2.0, 2.0, 1.0], [2.0, 4.0, 4.0, 2.0], [2.0, 4.0, 4.0, 2.0], [1.0, 2.0, 2.0, 1.0]]
    """
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must have shape (out_channels, in_channels, kh, kw), got {weight.shape}")
    out_channels, in_channels, kh, kw = weight.shape
    _check_image(x, "conv2d", in_channels)
    stride, padding = _pair(stride, "stride", "conv2d"), _pair(padding, "padding", "conv2d")
    if 0 in stride:
        raise ValueError("conv2d: stride must be positive")
    if padding != (0, 0):
        x = pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    windows = im2col(x, (kh, kw), stride, "conv2d")
    n, _, _, oh, ow = windows.shape
    columns = windows.reshape(n, in_channels * kh * kw, oh * ow)  # one column per output position
    out = weight.reshape(out_channels, in_channels * kh * kw) @ columns  # (N, O, OH·OW)
    if bias is not None:
        out = out + bias.reshape(out_channels, 1)
    return out.reshape(n, out_channels, oh, ow)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """The largest value of every kh × kw window of (N, C, H, W) images (stride defaults to the window
    size, so windows do not overlap). The gradient goes to the winner of each window (ties share it).

    >>> import tinygrad_lite as tl
    >>> x = tl.arange(16.0).reshape(1, 1, 4, 4)
    >>> tl.nn.functional.max_pool2d(x, 2)[0, 0].tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """
    _check_image(x, "max_pool2d")
    kernel = _pair(kernel_size, "kernel_size", "max_pool2d")
    stride = kernel if stride is None else _pair(stride, "stride", "max_pool2d")
    padding = _pair(padding, "padding", "max_pool2d")
    if 0 in kernel or 0 in stride:
        raise ValueError("max_pool2d: kernel_size and stride must be positive")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"max_pool2d: padding {padding} must be at most half the kernel size {kernel}")
    if padding != (0, 0):
        lowest = float(np.finfo(x.dtype).min)  # the padding must never win a max
        x = pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])), value=lowest)
    return im2col(x, kernel, stride, "max_pool2d").amax(axis=2)


class Conv2d(Module):
    """A 2-D convolution layer: ``out_channels`` learned kh × kw filters over ``in_channels`` channels.

    Weight shape (out_channels, in_channels, kh, kw), initialised as in PyTorch (uniform ±1/√fan_in).

    >>> import tinygrad_lite as tl
    >>> conv = tl.nn.Conv2d(3, 8, kernel_size=3, padding=1)
    >>> conv(tl.zeros(2, 3, 16, 16)).shape
    (2, 8, 16, 16)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, bias: bool = True,
                 device: str | None = None, dtype=None):
        super().__init__()
        self.in_channels = init.check_size("Conv2d", "in_channels", in_channels)
        self.out_channels = init.check_size("Conv2d", "out_channels", out_channels)
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d")
        if 0 in self.kernel_size:
            raise ValueError(f"Conv2d: invalid kernel_size {self.kernel_size}; expected positive sizes")
        self.stride = _pair(stride, "stride", "Conv2d")
        self.padding = _pair(padding, "padding", "Conv2d")
        self.weight = Parameter(zeros(out_channels, in_channels, *self.kernel_size, dtype=dtype, device=device))
        self.bias = Parameter(zeros(out_channels, dtype=dtype, device=device)) if bias else None
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        _check_image(x, "Conv2d", self.in_channels)
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, bias={self.bias is not None}")


class MaxPool2d(Module):
    """Max-pooling layer: keeps the largest value of each window (see :func:`max_pool2d`)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size", "MaxPool2d")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", "MaxPool2d")
        self.padding = _pair(padding, "padding", "MaxPool2d")

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
