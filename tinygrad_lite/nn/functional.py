"""Layers and losses as plain functions (``import tinygrad_lite.nn.functional as F``), named as in PyTorch.

The lecture's classification pipeline (F39–F42): the network outputs logits y, softmax turns them into
probabilities y′ (positive, summing to 1), and cross-entropy e = −Σᵢ ŷᵢ ln y′ᵢ compares y′ with the
one-hot target ŷ. Minimising cross-entropy is maximising the likelihood of the labels. As in PyTorch,
``cross_entropy`` takes the *logits* and applies log-softmax itself: that is what keeps it exact and
finite for any logits, where ``log(softmax(y))`` would give log(0) = −inf for a logit 1000 below the rest.

With two classes a single logit z and the sigmoid σ(z) do the same job (F41): softmax([z, 0])₀ = σ(z),
and ``binary_cross_entropy_with_logits`` is the two-class cross-entropy.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import backend
from ..ops import erf, linalg, nll, relu, sigmoid, tanh, where
from ..ops.shape import reshape, unsqueeze
from ..ops.softmax import log_softmax, softmax
from ..ops.softplus import softplus
from ..tensor import Tensor
from .conv import conv2d, max_pool2d
from .embedding import embedding
from .normalization import batch_norm, layer_norm
from .pooling import adaptive_avg_pool2d, avg_pool2d

__all__ = ["relu", "sigmoid", "tanh", "softplus", "softmax", "log_softmax", "leaky_relu", "gelu", "silu", "linear",
           "dropout", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "layer_norm",
           "embedding", "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "mse_loss", "one_hot"]

_REDUCTIONS = nll.REDUCTIONS


# --- activations --------------------------------------------------------------------------------

_SQRT_HALF = math.sqrt(0.5)
_SQRT_TWO_OVER_PI = math.sqrt(2.0 / math.pi)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """y = x for x > 0, else negative_slope · x: a ReLU whose negative side still passes a small gradient
    (at x = 0 the derivative is negative_slope, as in PyTorch).

    >>> import tinygrad_lite as tl
    >>> tl.nn.functional.leaky_relu(tl.tensor([-2.0, 3.0]), 0.1)
    tensor([-0.2,  3. ])
    """
    return where(x > 0, x, x * negative_slope)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU, y = x · Φ(x) with Φ the standard normal distribution function:
    ``approximate="none"``: 0.5 · x · (1 + erf(x / √2)) (exact);
    ``approximate="tanh"``: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))), as in PyTorch.

    >>> import tinygrad_lite as tl
    >>> tl.nn.functional.gelu(tl.tensor([-1.0, 0.0, 1.0], dtype=tl.float64))
    tensor([-0.15865525,  0.        ,  0.84134475], dtype=float64)
    """
    if approximate == "none":
        return 0.5 * x * (1 + erf(x * _SQRT_HALF))
    if approximate == "tanh":
        return 0.5 * x * (1 + tanh(_SQRT_TWO_OVER_PI * (x + 0.044715 * x * x * x)))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x: Tensor) -> Tensor:
    """SiLU (swish), y = x · σ(x).

    >>> import tinygrad_lite as tl
    >>> tl.nn.functional.silu(tl.tensor([0.0, 1.0])).numpy().round(4)
    array([0.    , 0.7311], dtype=float32)
    """
    return x * sigmoid(x)


# --- layers -------------------------------------------------------------------------------------


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch.

    >>> import tinygrad_lite as tl
    >>> F = tl.nn.functional
    >>> F.linear(tl.tensor([[1.0, 2.0]]), tl.tensor([[1.0, 1.0], [0.0, 1.0]]), tl.tensor([0.5, 0.0]))
    tensor([[3.5, 2. ]])
    """
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must have shape (out_features, in_features), got {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features, but the "
                         f"weight of shape {weight.shape} expects {weight.shape[1]}")
    return linalg.linear(x, weight, bias)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability ``p`` and scale the survivors by 1/(1 − p),
    so the expected value is unchanged and nothing needs rescaling at test time (``training=False``
    returns ``x`` itself). The mask comes from the generator ``tl.manual_seed`` seeds."""
    check_probability(p, "dropout")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = backend.host_rng().random(x.shape) >= p
    scale = backend.to_device((keep / (1.0 - p)).astype(x.dtype), x.device)
    return x * Tensor._make(scale, False)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class labels as one-hot rows (the lecture's F38): a label c becomes a vector of ``num_classes`` zeros
    with a 1 at c, so the result has shape ``tensor.shape + (num_classes,)`` and dtype int64, as PyTorch's.
    ``num_classes=-1`` takes one more than the largest label.

    >>> import tinygrad_lite as tl
    >>> import tinygrad_lite.nn.functional as F
    >>> F.one_hot(tl.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    if not isinstance(tensor, Tensor) or tensor.dtype.kind not in "iu":
        described = f"a {tensor.dtype} tensor" if isinstance(tensor, Tensor) else f"a {type(tensor).__name__}"
        raise TypeError(f"one_hot: expected an integer tensor of class labels, got {described}")
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be a non-negative integer or -1, got {num_classes!r}")
    xp = backend.get_array_module(tensor.data)
    labels = tensor.data
    if labels.size and int(labels.min()) < 0:
        raise ValueError(f"one_hot: labels must be non-negative, got {int(labels.min())} (shape {tensor.shape})")
    if num_classes == -1:
        if not labels.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass num_classes=")
        num_classes = int(labels.max()) + 1
    elif labels.size and int(labels.max()) >= num_classes:
        raise ValueError(f"one_hot: label {int(labels.max())} is out of range for num_classes={num_classes} "
                         f"(shape {tensor.shape})")
    encoded = (labels[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return Tensor._make(encoded, False)


def check_probability(p, who: str) -> None:
    """Raise unless ``p`` is a number in [0, 1] (a string or NaN would slip past a plain comparison)."""
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"{who}: p must be a probability in [0, 1], got {p!r}")


# --- helpers for the losses ---------------------------------------------------------------------


def _target_tensor(target, like: Tensor, who: str) -> Tensor:
    """The target as a Tensor on the prediction's device (lists and arrays are accepted)."""
    if not isinstance(target, Tensor):
        target = Tensor(target, device=like.device)
    if target.device != like.device:
        raise RuntimeError(f"{who}: the prediction is on {like.device} but the target is on {target.device}")
    return target


def _same_shape(prediction: Tensor, target: Tensor, who: str, names=("input", "target")) -> None:
    if prediction.shape != target.shape:
        raise ValueError(f"{who}: {names[0]} of shape {prediction.shape} and {names[1]} of shape {target.shape} "
                         "differ; they must match exactly (no broadcasting: reshape one of them)")


def _check_not_empty(count: int, reduction: str, who: str, prediction: Tensor) -> None:
    """The mean of nothing is 0/0 = nan: refuse it instead of training on a nan loss."""
    if reduction == "mean" and count == 0:
        raise ValueError(f"{who}: cannot average over an empty batch (input of shape {prediction.shape}); "
                         'check the data loader, or use reduction="sum"')


def _reduce(losses: Tensor, reduction: str, who: str, prediction: Tensor) -> Tensor:
    _check_not_empty(losses.numel(), reduction, who, prediction)
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _check_reduction(reduction: str, who: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _as_float_target(target: Tensor, like: Tensor) -> Tensor:
    return target if target.dtype == like.dtype else target.astype(like.dtype)


# --- losses -------------------------------------------------------------------------------------


def cross_entropy(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Cross-entropy between softmax(logits) and the target: e = −Σᵢ ŷᵢ ln softmax(y)ᵢ (F42).

    ``logits``: shape (N, C), or (C,) for one example. ``target``: integer class labels of shape (N,)
    (or 0-d), each in [0, C); or a probability / one-hot matrix of the logits' shape.
    ``reduction``: "mean" over the examples (default), "sum", or "none" for one loss per example.
    Its gradient with respect to the logits is softmax(y) − ŷ (divided by N for "mean").

    >>> import tinygrad_lite as tl
    >>> logits = tl.tensor([[3.0, 1.0, -3.0]], requires_grad=True)
    >>> loss = tl.nn.functional.cross_entropy(logits, tl.tensor([0]))
    >>> round(loss.item(), 4)                       # −ln 0.8789
    0.1291
    >>> loss.backward(); logits.grad.numpy().round(4)   # softmax − one-hot
    array([[-0.1211,  0.1189,  0.0022]], dtype=float32)
    """
    who = "cross_entropy"
    _check_reduction(reduction, who)
    if logits.ndim not in (1, 2):
        raise ValueError(f"{who}: logits must have shape (N, C) or (C,), got {logits.shape}")
    target = _target_tensor(target, logits, who)
    if target.dtype.kind in "iu":
        _check_labels(logits, target, who, "logits")
        return _nll(log_softmax(logits, axis=-1), target, reduction, who)
    if target.dtype.kind == "f":
        _same_shape(logits, target, who, ("logits", "probability target"))
        losses = -(_as_float_target(target, logits) * log_softmax(logits, axis=-1)).sum(axis=-1)
        return _reduce(losses, reduction, who, logits)
    raise TypeError(f"{who}: target must hold integer class labels or float probabilities, got {target.dtype}")


def nll_loss(log_probs: Tensor, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer class labels: −log_probs[n, target[n]], averaged over the batch.

    ``log_probs``: log-probabilities of shape (N, C), or (C,) for one example, such as
    ``log_softmax(logits)``; ``target``: labels of shape (N,) (or 0-d), each in [0, C).
    ``cross_entropy(logits, target)`` is ``nll_loss(log_softmax(logits), target)``, as in PyTorch.

    >>> import tinygrad_lite as tl
    >>> log_probs = tl.tensor([[-0.1, -2.5], [-1.5, -0.3]])
    >>> round(tl.nn.functional.nll_loss(log_probs, tl.tensor([0, 1])).item(), 4)   # (0.1 + 0.3) / 2
    0.2
    """
    who = "nll_loss"
    _check_reduction(reduction, who)
    if log_probs.ndim not in (1, 2):
        raise ValueError(f"{who}: log-probabilities must have shape (N, C) or (C,), got {log_probs.shape}")
    target = _target_tensor(target, log_probs, who)
    if target.dtype.kind not in "iu":
        raise TypeError(f"{who}: target must hold integer class labels, got {target.dtype}")
    _check_labels(log_probs, target, who, "log-probabilities")
    return _nll(log_probs, target, reduction, who)


def _check_labels(scores: Tensor, target: Tensor, who: str, name: str) -> None:
    """Integer labels must match the batch of ``scores`` (N, C) and lie in [0, C)."""
    if target.shape != scores.shape[:-1]:
        raise ValueError(f"{who}: {name} of shape {scores.shape} need class labels of shape "
                         f"{scores.shape[:-1]}, got target of shape {target.shape} (batch sizes differ)")
    classes = scores.shape[-1]
    outside = (target.data < 0) | (target.data >= classes)
    if outside.any():  # one look at the values (on a GPU, one wait for the device)
        bad = target.data[outside].ravel()[0]
        raise IndexError(f"{who}: label {int(bad)} is outside [0, {classes}) for {name} of shape {scores.shape}")


def _nll(log_probs: Tensor, target: Tensor, reduction: str, who: str) -> Tensor:
    """The NLLLoss op on checked labels; one example of shape (C,) is a batch of one."""
    if log_probs.ndim == 1:
        loss = nll.nll_loss(unsqueeze(log_probs, 0), reshape(target, (1,)), reduction)
        return reshape(loss, ()) if reduction == "none" else loss
    _check_not_empty(target.numel(), reduction, who, log_probs)
    return nll.nll_loss(log_probs, target, reduction)


def _clamped_log(p: Tensor) -> Tensor:
    """ln p, but never below −100 (PyTorch's clamp), so p = 0 costs 100 instead of inf.

    The inner ``where`` hands log a 1 wherever p is at the floor, so neither log(0) nor its derivative
    1/0 is ever computed (a masked inf would still turn into 0 · inf = nan). The floor is also kept
    above the dtype's smallest normal number, so 1/p stays finite in float32.
    """
    floor = max(math.exp(-100.0), float(np.finfo(p.dtype).tiny))
    usable = p > floor
    return where(usable, where(usable, p, 1.0).log(), -100.0)


def binary_cross_entropy(probs: Tensor, target, reduction: str = "mean") -> Tensor:
    """e = −[t ln p + (1 − t) ln(1 − p)] for probabilities p (e.g. the output of a sigmoid).

    Each log is clamped at −100, as in PyTorch, so p of exactly 0 or 1 gives a large finite loss. Prefer
    :func:`binary_cross_entropy_with_logits` on the logits: it stays exact where p rounds to 0 or 1.

    >>> import tinygrad_lite as tl
    >>> round(tl.nn.functional.binary_cross_entropy(tl.tensor([0.8]), tl.tensor([1.0])).item(), 4)  # −ln 0.8
    0.2231
    """
    who = "binary_cross_entropy"
    _check_reduction(reduction, who)
    target = _target_tensor(target, probs, who)
    _same_shape(probs, target, who)
    if probs.numel():
        low, high = float(probs.data.min()), float(probs.data.max())  # min and max are nan if any value is
        if math.isnan(low):
            raise ValueError(f"{who}: input of shape {probs.shape} must hold probabilities in [0, 1], got nan "
                             "(run the forward pass under tl.detect_anomaly() to find the op that made it)")
        if low < 0.0 or high > 1.0:
            raise ValueError(f"{who}: input of shape {probs.shape} must hold probabilities in [0, 1], got values "
                             f"in [{low:.4g}, {high:.4g}] (pass logits to binary_cross_entropy_with_logits instead)")
    target = _as_float_target(target, probs)
    losses = -(target * _clamped_log(probs) + (1 - target) * _clamped_log(1 - probs))
    return _reduce(losses, reduction, who, probs)


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of σ(z) for logits z, computed from z directly:

        e = −[t ln σ(z) + (1 − t) ln(1 − σ(z))] = t · softplus(−z) + (1 − t) · softplus(z)

    since −ln σ(z) = softplus(−z) = log(1 + e^(−z)) (a log-sum-exp of 0 and −z). Finite for any finite
    z, also where σ(z) rounds to 0 or 1, and its gradient σ(z) − t is exact, also at z = 0 (½ − t).

    >>> import tinygrad_lite as tl
    >>> z = tl.tensor([0.0, 1e4], requires_grad=True)
    >>> loss = tl.nn.functional.binary_cross_entropy_with_logits(z, tl.tensor([1.0, 0.0]), reduction="sum")
    >>> loss
    tensor(10000.693, grad_fn=<Sum>)
    >>> loss.backward(); z.grad                     # σ(z) − t
    tensor([-0.5,  1. ])
    """
    who = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, who)
    target = _target_tensor(target, logits, who)
    _same_shape(logits, target, who, ("logits", "target"))
    target = _as_float_target(target, logits)
    losses = target * softplus(-logits) + (1 - target) * softplus(logits)
    return _reduce(losses, reduction, who, logits)


def mse_loss(prediction: Tensor, target, reduction: str = "mean") -> Tensor:
    """Mean squared error e = mean((y − ŷ)²). The shapes must match exactly: a (N, 1) prediction against
    a (N,) target would silently broadcast to an (N, N) loss, a classic bug, so it raises instead.

    >>> import tinygrad_lite as tl
    >>> tl.nn.functional.mse_loss(tl.tensor([1.0, 2.0]), tl.tensor([1.0, 4.0]))
    tensor(2.)
    """
    who = "mse_loss"
    _check_reduction(reduction, who)
    target = _target_tensor(target, prediction, who)
    _same_shape(prediction, target, who, ("prediction", "target"))
    difference = prediction - _as_float_target(target, prediction)
    return _reduce(difference * difference, reduction, who, prediction)
