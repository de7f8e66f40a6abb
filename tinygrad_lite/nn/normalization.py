"""Normalisation layers: rescale each feature to mean 0 and variance 1, then let the network choose
the scale and shift it wants back.

Normalising the inputs of a layer makes the error surface rounder (one learning rate suits every
direction). Batch normalisation does it for the hidden activations z too, with the statistics of the
batch (per channel); layer normalisation with the statistics of each example (over its last axes):

    z̃ = (z − μ) / σ,   σ = √(var + eps)          (var: the biased variance, dividing by n)
    y = γ ⊙ z̃ + β                                 (γ = ``weight``, β = ``bias``, learned)

Both are compositions of differentiable ops (mean, var, sqrt, division), so the gradient flows through
μ and σ as well, and second derivatives come for free.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .. import backend, versions
from ..factories import ones, zeros
from ..ops import sqrt
from ..ops.shape import reshape
from ..tensor import Tensor
from . import init
from .module import Module, Parameter


def _check_channel_vector(t: Tensor | None, name: str, channels: int, x: Tensor, who: str) -> None:
    if t is not None and t.shape != (channels,):
        raise ValueError(f"{who}: {name} of shape {t.shape} does not match the {channels} channels (axis 1) of the "
                         f"input of shape {x.shape}")
    if t is not None and t.device != x.device:  # the running statistics are updated outside the graph's checks
        raise RuntimeError(f"{who}: {name} is on {t.device} but the input is on {x.device}")


def _values_per_channel(x: Tensor, who: str) -> int:
    """n, the number of values each channel's batch statistics average; one value has no variance."""
    count = math.prod(x.shape[:1] + x.shape[2:])
    if count <= 1:
        raise ValueError(f"{who}: expected more than 1 value per channel when training, got input of shape {x.shape}")
    return count


def _normalize(x: Tensor, mean: Tensor, var: Tensor, eps: float) -> Tensor:
    """z̃ = (z − μ) / √(var + eps)."""
    return (x - mean) / sqrt(var + eps)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalisation of an (N, C) or (N, C, *) input, per channel (axis 1).

    ``training=True`` normalises with the mean and the biased variance of the batch (over every axis but
    1) and, where ``running_mean`` / ``running_var`` are given, updates them in place (their ``.data``
    is replaced, outside the graph): running = (1 − momentum) · running + momentum · batch statistic,
    with the *unbiased* batch variance for ``running_var``, as in PyTorch. ``training=False`` normalises
    with ``running_mean`` and ``running_var``. ``weight`` (γ) and ``bias`` (β) are optional, of shape (C,).

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([[1.0], [3.0]])
    >>> mean, var = tl.zeros(1), tl.ones(1)
    >>> tl.nn.functional.batch_norm(x, mean, var, training=True).numpy().round(3)   # (x − 2) / √(1 + eps)
    array([[-1.],
           [ 1.]], dtype=float32)
    >>> mean, var                                  # 0.9 · 0 + 0.1 · 2 and 0.9 · 1 + 0.1 · 2 (unbiased)
    (tensor([0.2]), tensor([1.1]))
    """
    who = "batch_norm"
    if input.ndim < 2:
        raise ValueError(f"{who}: expected an input of shape (N, C) or (N, C, *), got {input.shape}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        _check_channel_vector(t, name, channels, input, who)
    if not isinstance(momentum, numbers.Real) or isinstance(momentum, bool):
        raise TypeError(f"{who}: momentum must be a number, got {momentum!r}")
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        count = _values_per_channel(input, who)
        mean = input.mean(axes, keepdims=True)
        var = input.var(axes, keepdim=True, correction=0)
        _update_running_stats(running_mean, running_var, mean, var, count, momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError(f"{who}: running_mean and running_var are needed when training=False (they are the "
                             "statistics to normalise with)")
        shape = (1, channels) + (1,) * (input.ndim - 2)
        mean, var = reshape(running_mean, shape), reshape(running_var, shape)
    out = _normalize(input, mean, var, eps)
    shape = (1, channels) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * reshape(weight, shape)
    if bias is not None:
        out = out + reshape(bias, shape)
    return out


def _update_running_stats(running_mean: Tensor | None, running_var: Tensor | None, mean: Tensor, var: Tensor,
                          count: int, momentum: float) -> None:
    """running ← (1 − momentum) · running + momentum · batch statistic, on the arrays (no graph is recorded).

    Each buffer gets a new array rather than being written into: a graph recorded in eval mode may still
    hold the old one."""
    if running_mean is not None:
        batch_mean = mean.data.reshape(-1)
        running_mean.data = ((1 - momentum) * running_mean.data + momentum * batch_mean).astype(running_mean.dtype)
        versions.mark_modified(running_mean, "batch_norm")
    if running_var is not None:
        unbiased = var.data.reshape(-1) * (count / (count - 1))
        running_var.data = ((1 - momentum) * running_var.data + momentum * unbiased).astype(running_var.dtype)
        versions.mark_modified(running_var, "batch_norm")


def _normalized_shape(normalized_shape, who: str) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    if not shape or any(not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1 for n in shape):
        raise ValueError(f"{who}: normalized_shape must be a positive int or a non-empty tuple of them, got "
                         f"{normalized_shape!r}")
    return tuple(int(n) for n in shape)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Layer normalisation: each example normalised over its last axes, ``normalized_shape`` (an int or a
    tuple that must equal the input's trailing shape), with the biased variance; then γ ⊙ z̃ + β with
    ``weight`` and ``bias`` of shape ``normalized_shape`` (optional).

    >>> import tinygrad_lite as tl
    >>> tl.nn.functional.layer_norm(tl.tensor([[1.0, 3.0], [0.0, 10.0]]), 2).numpy().round(3)
    array([[-1.,  1.],
           [-1.,  1.]], dtype=float32)
    """
    who = "layer_norm"
    shape = _normalized_shape(normalized_shape, who)
    if input.shape[input.ndim - len(shape):] != shape or input.ndim < len(shape):
        raise ValueError(f"{who}: normalized_shape {shape} must equal the last axes of the input, got input of "
                         f"shape {input.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ValueError(f"{who}: {name} of shape {t.shape} does not match normalized_shape {shape}")
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    out = _normalize(input, input.mean(axes, keepdim=True), input.var(axes, keepdim=True, correction=0), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share: they differ only in the input shapes they accept."""

    _dims: tuple[int, ...] = ()  # the input dimensions a subclass accepts, and how its error message shows them
    _input_shapes = ""
    # buffers, registered in __init__ (Tensors, or None without track_running_stats)
    running_mean: Any
    running_var: Any
    num_batches_tracked: Any

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: str | None = None, dtype=None, *, bias: bool = True):
        super().__init__()
        who = type(self).__name__
        self.num_features = init.check_size(who, "num_features", num_features)
        if momentum is not None and (not isinstance(momentum, numbers.Real) or isinstance(momentum, bool)):
            raise TypeError(f"{who}: momentum must be a number or None (a cumulative average), got {momentum!r}")
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(ones(num_features, dtype=dtype, device=device)) if affine else None
        self.bias = Parameter(zeros(num_features, dtype=dtype, device=device)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", Tensor(0, device=device))  # int64, as in PyTorch
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        """Forget the running statistics: mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            xp = backend.get_array_module(self.running_mean.data)
            self.running_mean.data = xp.zeros_like(self.running_mean.data)
            self.running_var.data = xp.ones_like(self.running_var.data)
            self.num_batches_tracked.data = xp.zeros_like(self.num_batches_tracked.data)

    def reset_parameters(self) -> None:
        """Forget the running statistics and start again from γ = 1, β = 0."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data = backend.get_array_module(self.weight.data).ones_like(self.weight.data)
        if self.bias is not None:
            self.bias.data = backend.get_array_module(self.bias.data).zeros_like(self.bias.data)

    def forward(self, x: Tensor) -> Tensor:
        who = type(self).__name__
        if x.ndim not in self._dims:
            raise ValueError(f"{who}: expected an input of shape {self._input_shapes}, got {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{who}: expected {self.num_features} channels (num_features) along axis 1, got an "
                             f"input of shape {x.shape}")
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            _values_per_channel(x, who)
        factor = 0.0 if self.momentum is None else self.momentum
        counting = self.training and self.track_running_stats
        if counting:
            batches = int(self.num_batches_tracked.item()) + 1
            if self.momentum is None:  # a cumulative moving average: the plain mean of every batch so far
                factor = 1.0 / batches
        out = batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch_stats, factor,
                         self.eps)
        if counting:  # counted only once the batch was accepted
            count = self.num_batches_tracked.data
            self.num_batches_tracked.data = backend.get_array_module(count).full_like(count, batches)
        return out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C (PyTorch's ``BatchNorm1d``).

    In training mode each channel is normalised with the mean μ and the biased variance of the batch
    (over every axis but the channel axis 1), z̃ = (z − μ) / σ with σ = √(var + eps), then scaled and
    shifted, y = γ ⊙ z̃ + β (γ = ``weight``, ones; β = ``bias``, zeros; learned unless ``affine=False``;
    ``bias=False`` leaves out β only).
    A batch of one example (one value per channel) has no variance to normalise with and is an error.

    The buffers ``running_mean`` (zeros) and ``running_var`` (ones) follow the batch statistics:

        running = (1 − momentum) · running + momentum · batch statistic      (PyTorch's convention)

    with the *unbiased* batch variance (dividing by n − 1) for ``running_var``; ``num_batches_tracked``
    counts the batches, and ``momentum=None`` makes the update a cumulative average (factor
    1/num_batches_tracked). The lecture writes the moving average as μ̄ ← p μ̄ + (1 − p) μ: the same
    with p = 1 − momentum (PyTorch's default 0.1 is p = 0.9). In eval mode (``model.eval()``) the running
    statistics are used instead of the batch's, so an output depends on its own input only. With
    ``track_running_stats=False`` there are no running statistics (the buffers are None) and the batch's
    are used in both modes.

    >>> import tinygrad_lite as tl
    >>> bn = tl.nn.BatchNorm1d(2)
    >>> bn(tl.tensor([[1.0, 10.0], [3.0, 30.0]])).numpy().round(3)
    array([[-1., -1.],
           [ 1.,  1.]], dtype=float32)
    >>> bn.running_mean, bn.num_batches_tracked
    (tensor([0.2, 2. ]), tensor(1))
    >>> list(bn.state_dict())
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    _dims = (2, 3)
    _input_shapes = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel C (over the batch and every pixel), as
    PyTorch's ``BatchNorm2d``; see :class:`BatchNorm1d` for the formulas and the running statistics.

    >>> import tinygrad_lite as tl
    >>> tl.nn.BatchNorm2d(3)(tl.randn(4, 3, 8, 8)).shape
    (4, 3, 8, 8)
    """

    _dims = (4,)
    _input_shapes = "(N, C, H, W)"


class LayerNorm(Module):
    """Layer normalisation (PyTorch's ``LayerNorm``): each example normalised over its last axes,
    ``normalized_shape``, with its own mean and biased variance, z̃ = (z − μ) / √(var + eps), then
    y = γ ⊙ z̃ + β with γ (``weight``, ones) and β (``bias``, zeros) of shape ``normalized_shape``.
    ``elementwise_affine=False`` leaves out both, ``bias=False`` only β. Unlike batch normalisation it
    does not depend on the other examples of the batch, so training and eval mode compute the same.

    >>> import tinygrad_lite as tl
    >>> ln = tl.nn.LayerNorm(4)
    >>> ln
    LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> ln(tl.tensor([[1.0, 2.0, 3.0, 4.0]])).numpy().round(3)
    array([[-1.342, -0.447,  0.447,  1.342]], dtype=float32)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: str | None = None, dtype=None):
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape, "LayerNorm")
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = Parameter(ones(self.normalized_shape, dtype=dtype, device=device)) if elementwise_affine else None
        self.bias = (Parameter(zeros(self.normalized_shape, dtype=dtype, device=device))
                     if elementwise_affine and bias else None)

    def reset_parameters(self) -> None:
        """Start again from γ = 1, β = 0."""
        if self.weight is not None:
            self.weight.data = backend.get_array_module(self.weight.data).ones_like(self.weight.data)
        if self.bias is not None:
            self.bias.data = backend.get_array_module(self.bias.data).zeros_like(self.bias.data)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
