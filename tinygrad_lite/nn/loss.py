"""Loss functions as modules (``criterion = nn.CrossEntropyLoss(); loss = criterion(logits, y)``).

Each one only remembers ``reduction`` and calls the function of the same name in ``functional``.
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """Cross-entropy of softmax(logits) against class labels or probabilities; takes logits, as in
    PyTorch (see :func:`functional.cross_entropy`).

    >>> import tinygrad_lite as tl
    >>> loss = tl.nn.CrossEntropyLoss()(tl.zeros(4, 2), tl.tensor([0, 1, 1, 0]))
    >>> round(loss.item(), 4)                       # ln 2: a network that knows nothing
    0.6931
    """

    def forward(self, logits: Tensor, target) -> Tensor:
        return F.cross_entropy(logits, target, self.reduction)


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
