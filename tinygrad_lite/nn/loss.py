"""Loss functions as modules (``criterion = nn.CrossEntropyLoss(); loss = criterion(logits, y)``).

Each one remembers its options (``reduction``, and the loss's own ones such as ``weight`` or ``beta``),
checks them when it is made, and calls the function of the same name in ``functional``. A class
``weight`` is a buffer, as in PyTorch: ``to(device)`` moves it and ``state_dict()`` saves it.
"""

from __future__ import annotations

import numbers

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction: str = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _ClassWeightedLoss(_Loss):
    """A loss over class labels with PyTorch's ``weight`` (a buffer) and ``ignore_index``."""

    weight: Tensor | None
    ignore_index: int
    label_smoothing: float

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction)
        name = type(self).__name__
        if weight is not None and not (isinstance(weight, Tensor) and weight.ndim == 1):
            described = f"shape {weight.shape}" if isinstance(weight, Tensor) else repr(weight)
            raise TypeError(f"{name}: weight must be a 1-D tensor of one weight per class, got {described}")
        if not isinstance(ignore_index, numbers.Integral) or isinstance(ignore_index, bool):
            raise TypeError(f"{name}: ignore_index must be an integer class label, got {ignore_index!r}")
        if (not isinstance(label_smoothing, numbers.Real) or isinstance(label_smoothing, bool)
                or not 0.0 <= float(label_smoothing) <= 1.0):
            raise ValueError(f"{name}: label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
        self.register_buffer("weight", weight)
        self.ignore_index = int(ignore_index)
        self.label_smoothing = float(label_smoothing)

    def extra_repr(self) -> str:
        options = [f"reduction={self.reduction!r}"]
        if self.weight is not None:
            options.append(f"weight of shape {self.weight.shape}")
        if self.ignore_index != -100:
            options.append(f"ignore_index={self.ignore_index}")
        if self.label_smoothing:
            options.append(f"label_smoothing={self.label_smoothing}")
        return ", ".join(options)


class CrossEntropyLoss(_ClassWeightedLoss):
    """Cross-entropy of softmax(logits) against class labels or probabilities; takes logits, as in
    PyTorch, with its ``weight``, ``ignore_index`` and ``label_smoothing`` (see :func:`functional.cross_entropy`).

    >>> import tinygrad_lite as tl
    >>> loss = tl.nn.CrossEntropyLoss()(tl.zeros(4, 2), tl.tensor([0, 1, 1, 0]))
    >>> round(loss.item(), 4)                       # ln 2: a network that knows nothing
    0.6931
    """

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002  (PyTorch's name)
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_ClassWeightedLoss):
    """Negative log-likelihood of class labels, for log-probabilities such as ``LogSoftmax``'s output, with
    PyTorch's ``weight`` and ``ignore_index`` (see :func:`functional.nll_loss`).

    >>> import tinygrad_lite as tl
    >>> criterion = tl.nn.NLLLoss(weight=tl.tensor([1.0, 3.0]))
    >>> round(criterion(tl.tensor([[-0.1, -2.5], [-1.5, -0.3]]), tl.tensor([0, 1])).item(), 4)
    0.25
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(weight, ignore_index, reduction)

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002  (PyTorch's name)
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (see :func:`functional.binary_cross_entropy`)."""

    def forward(self, probs: Tensor, target) -> Tensor:
        return F.binary_cross_entropy(probs, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of σ(logits), stable for any logits
    (see :func:`functional.binary_cross_entropy_with_logits`)."""

    def forward(self, logits: Tensor, target) -> Tensor:
        return F.binary_cross_entropy_with_logits(logits, target, self.reduction)


class MSELoss(_Loss):
    """Mean squared error; prediction and target must have the same shape (see :func:`functional.mse_loss`)."""

    def forward(self, prediction: Tensor, target) -> Tensor:
        return F.mse_loss(prediction, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error |y − ŷ|; input and target must have the same shape (see :func:`functional.l1_loss`).

    >>> import tinygrad_lite as tl
    >>> tl.nn.L1Loss()(tl.tensor([1.0, 2.0]), tl.tensor([1.5, 4.0]))
    tensor(1.25)
    """

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002  (PyTorch's name)
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above: 0.5 d²/β for |d| < β, else |d| − 0.5 β
    (see :func:`functional.smooth_l1_loss`).

    >>> import tinygrad_lite as tl
    >>> tl.nn.SmoothL1Loss(beta=1.0)(tl.tensor([0.5, 3.0]), tl.tensor([0.0, 0.0]))
    tensor(1.3125)
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        F.check_nonnegative(beta, "beta", type(self).__name__)
        self.beta: float = float(beta)

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002  (PyTorch's name)
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, beta={self.beta}"


class HuberLoss(_Loss):
    """Huber's loss: 0.5 d² for |d| ≤ δ, else δ (|d| − 0.5 δ) (see :func:`functional.huber_loss`).

    >>> import tinygrad_lite as tl
    >>> tl.nn.HuberLoss(delta=2.0)(tl.tensor([1.0, 5.0]), tl.tensor([0.0, 0.0]))
    tensor(4.25)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        F.check_positive(delta, "delta", type(self).__name__)
        self.delta: float = float(delta)

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002  (PyTorch's name)
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, delta={self.delta}"
