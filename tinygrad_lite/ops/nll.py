"""Negative log-likelihood of class labels: the second half of cross-entropy, after log-softmax.

    L = −(1/N) Σₙ log pₙ[tₙ]      (row n's log-probability of its label tₙ, averaged over the batch)

Only one entry per row enters the loss, so dL/d(log p) is a constant matrix: −1/N at (n, tₙ), 0 elsewhere.
One op with that backward replaces indexing, negation and a mean (three graph nodes, and a scatter-add
in the backward of the indexing).
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .shape import reshape

REDUCTIONS = ("mean", "sum", "none")


class NLLLoss(Function):
    """L = −Σₙ wₙ log pₙ[tₙ] with wₙ = 1/N ("mean"), 1 ("sum"), or one loss per row ("none");
    dL/d log pₙ[c] = −wₙ where c = tₙ, else 0."""

    def forward(self, log_probs, target, reduction):
        self.target, self.reduction = target, reduction
        rows = backend.get_array_module(log_probs).arange(len(target))
        losses = -log_probs[rows, target]
        if reduction == "none":
            return losses
        total = losses.sum()
        return total / len(target) if reduction == "mean" else total

    def backward(self, grad_output):
        (log_probs,) = self.inputs
        xp = backend.get_array_module(log_probs.data)
        n = len(self.target)
        picks = xp.zeros(log_probs.shape, dtype=log_probs.dtype)
        picks[xp.arange(n), self.target] = -1.0 / n if self.reduction == "mean" else -1.0
        if self.reduction == "none":  # one loss per row: row n's gradient scales row n
            grad_output = reshape(grad_output, (n, 1))
        return grad_output * Tensor._make(picks, False)


def nll_loss(log_probs: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """The mean (or sum, or each) of −log_probs[n, target[n]] for log-probabilities of shape (N, C)
    and integer labels of shape (N,), each in [0, C). The caller checks the labels."""
    return NLLLoss.apply(log_probs, target=target.data, reduction=reduction)
