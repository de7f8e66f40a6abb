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
from ..ops.cross_entropy import cross_entropy as fused_cross_entropy
from ..ops.operands import floating
from ..ops.shape import permute, reshape, unsqueeze
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
           "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "one_hot"]

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
    # arrays of one type are on one device: the full comparison only when the types differ
    if type(target.data) is not type(like.data) and target.device != like.device:
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


def cross_entropy(input: Tensor, target, weight: Tensor | None = None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between softmax(logits) and the target: e = −Σᵢ ŷᵢ ln softmax(y)ᵢ (F42), PyTorch's
    ``F.cross_entropy`` with its arguments and numbers.

    ``input``: logits of shape (N, C), (C,) for one example, or (N, C, d1, ...) for a class score at every
    position (the classes are dim 1, as in PyTorch). ``target``: integer class labels of shape (N,), 0-d, or
    (N, d1, ...), each in [0, C) or equal to ``ignore_index``; or class probabilities of the logits' shape.
    ``reduction``: "mean" over the examples (default), "sum", or "none" for one loss per example.
    Its gradient with respect to the logits is softmax(y) − ŷ (divided by N for "mean").

    The options, as in PyTorch:

    - ``weight`` (C,): class c's losses count ``weight[c]`` times; with labels, "mean" divides by the sum of
      the weights of the counted labels, Σₙ weight[tₙ], not by N. A constant: no gradient flows to it.
    - ``ignore_index``: labels equal to it (also outside [0, C)) lose 0 and are left out of the mean, e.g.
      the padding of sequences. Not for probability targets.
    - ``label_smoothing`` ε in [0, 1]: the target is (1 − ε)·ŷ + ε/C, i.e. the loss is
      (1 − ε)·e + (ε/C)·Σ_c −w_c ln softmax(y)_c for labels (so a weight applies to the uniform part too).

    >>> import tinygrad_lite as tl
    >>> logits = tl.tensor([[3.0, 1.0, -3.0]], requires_grad=True)
    >>> loss = tl.nn.functional.cross_entropy(logits, tl.tensor([0]))
    >>> round(loss.item(), 4)                       # −ln 0.8789
    0.1291
    >>> loss.backward(); logits.grad.numpy().round(4)   # softmax − one-hot
    array([[-0.1211,  0.1189,  0.0022]], dtype=float32)
    >>> F = tl.nn.functional
    >>> F.cross_entropy(tl.zeros(3, 2), tl.tensor([0, -100, 1]), reduction="none")   # the ignored row loses 0
    tensor([0.6931472, 0.       , 0.6931472])
    """
    who = "cross_entropy"
    _check_reduction(reduction, who)
    if type(ignore_index) is not int or type(label_smoothing) is not float or not 0.0 <= label_smoothing <= 1.0:
        _check_label_options(who, ignore_index, label_smoothing)  # the defaults need no further look
    ndim = input.ndim
    if ndim == 0:
        _refuse_0d_scores(input, who, "logits")
    target = _target_tensor(target, input, who)
    if target.dtype.kind in "iu":
        ignored = _check_labels(input, target, ignore_index, who, "logits")
        if ignored is None and weight is None and label_smoothing == 0.0 and ndim <= 2:
            return _cross_entropy_op(input, target, reduction, who)  # the common case: one op
        class_weights = _class_weights(weight, input, who, "logits")
        log_probs = log_softmax(_classes_last(input), axis=-1)
        loss, denominator = _labels_nll(log_probs, target, ignored, class_weights, reduction, who, input)
        if label_smoothing:
            uniform = -(log_probs if class_weights is None else log_probs * class_weights).sum(axis=-1)
            if ignored is not None:
                uniform = where(Tensor._make(~ignored.reshape(-1), False), uniform, 0.0)
            if reduction == "mean":
                uniform = uniform.sum() / denominator
            elif reduction == "sum":
                uniform = uniform.sum()
            loss = (1.0 - label_smoothing) * loss + (label_smoothing / log_probs.shape[-1]) * uniform
        return _batch_shaped(loss, target, reduction)
    if target.dtype.kind == "f":
        _same_shape(input, target, who, ("logits", "probability target"))
        if ignore_index >= 0:
            raise ValueError(f"{who}: ignore_index={ignore_index} is not supported for probability targets "
                             f"(target of shape {target.shape}); give the ignored rows zero probability instead")
        class_weights = _class_weights(weight, input, who, "logits")
        if input.ndim <= 2 and class_weights is None and label_smoothing == 0.0:
            losses = -(_as_float_target(target, input) * log_softmax(input, axis=-1)).sum(axis=-1)
            return _reduce(losses, reduction, who, input)
        probs = _as_float_target(_classes_last(target), input)
        if label_smoothing:
            probs = probs * (1.0 - label_smoothing) + label_smoothing / probs.shape[-1]
        products = probs * log_softmax(_classes_last(input), axis=-1)
        losses = -(products if class_weights is None else products * class_weights).sum(axis=-1)
        losses = losses if input.ndim == 2 else reshape(losses, _batch_shape(input))
        return _reduce(losses, reduction, who, input)
    raise TypeError(f"{who}: target must hold integer class labels or float probabilities, got {target.dtype}")


def nll_loss(input: Tensor, target, weight: Tensor | None = None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer class labels: −input[n, target[n]], averaged over the batch
    (PyTorch's ``F.nll_loss``).

    ``input``: log-probabilities of shape (N, C), (C,) for one example, or (N, C, d1, ...), such as
    ``log_softmax(logits, dim=1)``; ``target``: labels of shape (N,), 0-d or (N, d1, ...), each in [0, C)
    or equal to ``ignore_index``. With ``weight`` (C,), row n's loss is −weight[tₙ] · input[n, tₙ] and "mean"
    divides by Σₙ weight[tₙ]; rows labelled ``ignore_index`` lose 0 and are left out of the mean (all of
    them ignored: 0 / 0 = nan, as in PyTorch).
    ``cross_entropy(logits, target)`` is ``nll_loss(log_softmax(logits), target)``, as in PyTorch.

    >>> import tinygrad_lite as tl
    >>> log_probs = tl.tensor([[-0.1, -2.5], [-1.5, -0.3]])
    >>> round(tl.nn.functional.nll_loss(log_probs, tl.tensor([0, 1])).item(), 4)   # (0.1 + 0.3) / 2
    0.2
    >>> weighted = tl.nn.functional.nll_loss(log_probs, tl.tensor([0, 1]), weight=tl.tensor([1.0, 3.0]))
    >>> round(weighted.item(), 4)                   # (1 · 0.1 + 3 · 0.3) / (1 + 3)
    0.25
    """
    who = "nll_loss"
    _check_reduction(reduction, who)
    _check_label_options(who, ignore_index, 0.0)
    if input.ndim == 0:
        _refuse_0d_scores(input, who, "log-probabilities")
    target = _target_tensor(target, input, who)
    if target.dtype.kind not in "iu":
        raise TypeError(f"{who}: target must hold integer class labels, got {target.dtype}")
    ignored = _check_labels(input, target, ignore_index, who, "log-probabilities")
    if ignored is None and weight is None and input.ndim <= 2:
        return _nll(input, target, reduction, who)
    class_weights = _class_weights(weight, input, who, "log-probabilities")
    loss, _ = _labels_nll(_classes_last(input), target, ignored, class_weights, reduction, who, input)
    return _batch_shaped(loss, target, reduction)


def _check_label_options(who: str, ignore_index, label_smoothing) -> None:
    if not isinstance(ignore_index, (int, np.integer)) or isinstance(ignore_index, bool):
        raise TypeError(f"{who}: ignore_index must be an integer class label, got {ignore_index!r}")
    if (not isinstance(label_smoothing, numbers.Real) or isinstance(label_smoothing, bool)
            or not 0.0 <= float(label_smoothing) <= 1.0):
        raise ValueError(f"{who}: label_smoothing must be a number in [0, 1], got {label_smoothing!r}")


def _refuse_0d_scores(scores: Tensor, who: str, name: str) -> None:
    raise ValueError(f"{who}: {name} must have shape (N, C), (C,) or (N, C, d1, ...), got {scores.shape}")


def _class_weights(weight, scores: Tensor, who: str, name: str) -> Tensor | None:
    """``weight`` as a constant (C,) tensor of the scores' dtype, or None; C is dim 1 (dim 0 for (C,))."""
    if weight is None:
        return None
    if not isinstance(weight, Tensor):
        if isinstance(weight, str):
            raise TypeError(f"{who}: weight must be a tensor of one weight per class, got {weight!r} (pass the "
                            "reduction by name: reduction=...)")
        weight = Tensor(weight, device=scores.device)
    classes = scores.shape[1] if scores.ndim > 1 else scores.shape[0]
    if weight.shape != (classes,):
        raise ValueError(f"{who}: weight must hold one weight per class, shape ({classes},) for {name} of shape "
                         f"{scores.shape}, got weight of shape {weight.shape}")
    if weight.dtype.kind not in "iuf":
        raise TypeError(f"{who}: weight must hold numbers, got {weight.dtype}")
    if weight.device != scores.device:
        raise RuntimeError(f"{who}: the {name} are on {scores.device} but the weight is on {weight.device}")
    return Tensor._make(weight.data.astype(scores.dtype, copy=False), False)


def _check_labels(scores: Tensor, target: Tensor, ignore_index: int, who: str, name: str):
    """Integer labels must match the batch of ``scores`` and lie in [0, C) or equal ``ignore_index``.

    Returns the boolean array of ignored labels, or None when none is ignored (the common case, which costs
    one look at the values)."""
    shape = scores.shape
    expected, classes = (shape[:-1], shape[-1]) if len(shape) <= 2 else (shape[:1] + shape[2:], shape[1])
    labels = target.data
    if labels.shape != expected:
        raise ValueError(f"{who}: {name} of shape {shape} need class labels of shape "
                         f"{expected}, got target of shape {target.shape} (batch sizes differ)")
    outside = (labels < 0) | (labels >= classes)
    if outside.any():  # one look at the values (on a GPU, one wait for the device)
        bad = outside & (labels != ignore_index)
        if bad.any():
            raise IndexError(f"{who}: label {int(labels[bad].ravel()[0])} is outside [0, {classes}) for {name} of "
                             f"shape {scores.shape} (and is not ignore_index={ignore_index})")
        return outside
    if 0 <= ignore_index < classes:
        ignored = labels == ignore_index
        if ignored.any():
            return ignored
    return None


def _batch_shape(scores: Tensor) -> tuple[int, ...]:
    """The shape of one label per example: (N,) for (N, C), (N, d1, ...) for (N, C, d1, ...), () for (C,)."""
    return scores.shape[:1] + scores.shape[2:] if scores.ndim > 1 else ()


def _classes_last(scores: Tensor) -> Tensor:
    """(N, C, d1, ...) scores as rows (N · d1 ⋯, C) with the classes last; (C,) as one row; (N, C) as it is."""
    if scores.ndim == 2:
        return scores
    if scores.ndim == 1:
        return unsqueeze(scores, 0)
    return reshape(permute(scores, 0, *range(2, scores.ndim), 1), (-1, scores.shape[1]))


def _labels_nll(log_probs: Tensor, target: Tensor, ignored, class_weights: Tensor | None, reduction: str, who: str,
                scores: Tensor) -> tuple[Tensor, Tensor | int]:
    """The weighted NLL of rows ``log_probs`` (M, C) and their labels, and the denominator of its mean
    (Σ of the row weights, or M when every row counts once)."""
    labels = target.data.reshape(-1)
    _check_not_empty(labels.size, reduction, who, scores)
    if ignored is None and class_weights is None:
        return nll.nll_loss(log_probs, Tensor._make(labels, False), reduction), len(labels)
    xp = backend.get_array_module(labels)
    if ignored is not None:
        ignored = ignored.reshape(-1)
        labels = xp.where(ignored, 0, labels)  # any valid class: the row's weight is 0
    if class_weights is None:
        rows = xp.ones(labels.shape, dtype=log_probs.dtype)
    else:
        rows = class_weights.data[labels]
    if ignored is not None:
        rows[ignored] = 0
    loss = nll.weighted_nll_loss(log_probs, labels, rows, reduction)
    return loss, Tensor._make(xp.asarray(rows.sum()), False)


def _batch_shaped(loss: Tensor, target: Tensor, reduction: str) -> Tensor:
    """The losses of "none" in the shape of the labels (rows back to (N, d1, ...), one example to 0-d)."""
    if reduction == "none" and loss.shape != target.shape:
        return reshape(loss, target.shape)
    return loss


def _cross_entropy_op(logits: Tensor, target: Tensor, reduction: str, who: str) -> Tensor:
    """The fused CrossEntropy op on checked labels; one example of shape (C,) is a batch of one."""
    logits = floating(logits)
    if logits.ndim == 1:
        loss = fused_cross_entropy(unsqueeze(logits, 0), reshape(target, (1,)), reduction)
        return reshape(loss, ()) if reduction == "none" else loss
    _check_not_empty(target.numel(), reduction, who, logits)
    return fused_cross_entropy(logits, target, reduction)


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


def check_nonnegative(value, name: str, who: str) -> None:
    """Raise unless ``value`` is a finite number >= 0 (a string or NaN would slip past a plain comparison)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0.0 <= float(value) < math.inf:
        raise ValueError(f"{who}: {name} must be a finite number >= 0, got {value!r}")


def check_positive(value, name: str, who: str) -> None:
    """Raise unless ``value`` is a finite number > 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0.0 < float(value) < math.inf:
        raise ValueError(f"{who}: {name} must be a finite number > 0, got {value!r}")


def _difference(input: Tensor, target, reduction: str, who: str) -> Tensor:  # noqa: A002
    """input − target, for losses of a prediction against a target of exactly its shape."""
    _check_reduction(reduction, who)
    target = _target_tensor(target, input, who)
    _same_shape(input, target, who)
    return input - _as_float_target(target, input)


def l1_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:  # noqa: A002  (PyTorch's name)
    """Mean absolute error e = mean(|y − ŷ|); its derivative is sign(y − ŷ) (0 where y = ŷ, as in PyTorch).
    The shapes must match exactly (see :func:`mse_loss`).

    >>> import tinygrad_lite as tl
    >>> tl.nn.functional.l1_loss(tl.tensor([1.0, 2.0]), tl.tensor([1.5, 4.0]))
    tensor(1.25)
    """
    who = "l1_loss"
    difference = _difference(input, target, reduction, who)
    return _reduce(difference.abs(), reduction, who, input)


def smooth_l1_loss(input: Tensor, target, reduction: str = "mean", beta: float = 1.0) -> Tensor:  # noqa: A002
    """PyTorch's smooth L1 loss of d = y − ŷ: 0.5 d² / β where |d| < β, |d| − 0.5 β elsewhere.

    Quadratic near 0 (a gradient d/β that shrinks with the error), linear far away (a gradient of ±1, so an
    outlier pulls no harder than any other large error); the two pieces meet with equal value and slope
    at |d| = β. ``beta=0`` is :func:`l1_loss`. ``huber_loss(delta=β)`` is β times this loss.

    >>> import tinygrad_lite as tl
    >>> F = tl.nn.functional
    >>> F.smooth_l1_loss(tl.tensor([0.5, 3.0]), tl.tensor([0.0, 0.0]), reduction="none")   # 0.5·0.25, 3 − 0.5
    tensor([0.125, 2.5  ])
    """
    who = "smooth_l1_loss"
    check_nonnegative(beta, "beta", who)
    difference = _difference(input, target, reduction, who)
    size = difference.abs()
    if beta == 0:  # the quadratic piece is empty (and 1/β would be inf)
        return _reduce(size, reduction, who, input)
    losses = where(size < beta, (0.5 / beta) * difference * difference, size - 0.5 * beta)
    return _reduce(losses, reduction, who, input)


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:  # noqa: A002
    """Huber's loss of d = y − ŷ: 0.5 d² where |d| ≤ δ, δ (|d| − 0.5 δ) elsewhere (PyTorch's ``huber_loss``).

    Squared error near 0 and an absolute error of slope δ far away; equal to δ · ``smooth_l1_loss(beta=δ)``.
    ``delta`` must be > 0.

    >>> import tinygrad_lite as tl
    >>> F = tl.nn.functional
    >>> F.huber_loss(tl.tensor([1.0, 5.0]), tl.tensor([0.0, 0.0]), reduction="none", delta=2.0)   # 0.5, 2·(5 − 1)
    tensor([0.5, 8. ])
    """
    who = "huber_loss"
    check_positive(delta, "delta", who)
    difference = _difference(input, target, reduction, who)
    size = difference.abs()
    losses = where(size <= delta, 0.5 * difference * difference, delta * (size - 0.5 * delta))
    return _reduce(losses, reduction, who, input)
