"""Negative log-likelihood of class labels: the second half of cross-entropy, after log-softmax.

    L = −(1/N) Σₙ log pₙ[tₙ]      (row n's log-probability of its label tₙ, averaged over the batch)

Only one entry per row enters the loss, so dL/d(log p) is a constant matrix: −1/N at (n, tₙ), 0 elsewhere.
One op with that backward replaces indexing, negation and a mean (three graph nodes, and a scatter-add
in the backward of the indexing).

With class weights, or labels to ignore (PyTorch's ``weight`` and ``ignore_index``), row n counts wₙ times:

    L = −Σₙ wₙ log pₙ[tₙ] / Σₙ wₙ      (wₙ = weight[tₙ], and 0 for an ignored row)

so "mean" is the weighted average over the rows that count, as in PyTorch.
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
        return nll_forward(log_probs, target, reduction)

    def backward(self, grad_output):
        (log_probs,) = self.inputs
        return nll_backward(grad_output, log_probs, self.target, self.reduction)


def nll_forward(log_probs, target, reduction: str):
    """−log_probs[n, target[n]], then their mean, sum or each, on arrays (NLLLoss's forward, also the second
    half of the fused cross-entropy's)."""
    rows = backend.get_array_module(log_probs).arange(len(target))
    losses = -log_probs[rows, target]
    if reduction == "none":
        return losses
    total = losses.sum()
    return total / len(target) if reduction == "mean" else total


def nll_backward(grad_output: Tensor, log_probs: Tensor, target, reduction: str) -> Tensor:
    """dL/d log p: the constant picks matrix (−1/N or −1 at (n, tₙ), 0 elsewhere) times the output's gradient,
    in Tensor ops so that it is differentiable again."""
    xp = backend.get_array_module(log_probs.data)
    n = len(target)
    picks = xp.zeros(log_probs.shape, dtype=log_probs.dtype)
    picks[xp.arange(n), target] = -1.0 / n if reduction == "mean" else -1.0
    if reduction == "none":  # one loss per row: row n's gradient scales row n
        grad_output = reshape(grad_output, (n, 1))
    return grad_output * Tensor._make(picks, False)


class WeightedNLLLoss(Function):
    """L = −Σₙ wₙ log pₙ[tₙ] / W ("mean", W = Σₙ wₙ), −Σₙ wₙ log pₙ[tₙ] ("sum"), or −wₙ log pₙ[tₙ] per row
    ("none"); dL/d log pₙ[c] = −wₙ / W (or −wₙ) where c = tₙ, else 0. Rows with wₙ = 0 lose exactly 0
    (an ignored row's label is any valid class, and log p there may be −inf)."""

    def forward(self, log_probs, target, weights, reduction):
        self.target, self.weights, self.reduction = target, weights, reduction
        xp = backend.get_array_module(log_probs)
        picked = log_probs[xp.arange(len(target)), target]
        counted = weights != 0  # only these: an ignored row may hold −inf, and 0 · inf is nan
        losses = xp.zeros_like(picked)
        losses[counted] = -weights[counted] * picked[counted]
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        self.total = weights.sum()  # 0 when every row is ignored: 0 / 0 = nan, as in PyTorch
        return losses.sum() / self.total

    def backward(self, grad_output):
        (log_probs,) = self.inputs
        xp = backend.get_array_module(log_probs.data)
        n = len(self.target)
        picks = xp.zeros(log_probs.shape, dtype=log_probs.dtype)
        picks[xp.arange(n), self.target] = -self.weights / self.total if self.reduction == "mean" else -self.weights
        if self.reduction == "none":
            grad_output = reshape(grad_output, (n, 1))
        return grad_output * Tensor._make(picks, False)


def weighted_nll_loss(log_probs: Tensor, target, weights, reduction: str = "mean") -> Tensor:
    """The weighted mean (or sum, or each) of −log_probs[n, target[n]] for log-probabilities of shape (N, C),
    labels ``target`` (an array of N valid classes) and row weights ``weights`` (an array of N numbers of
    the log-probabilities' dtype, 0 for a row to ignore)."""
    return WeightedNLLLoss.apply(log_probs, target=target, weights=weights, reduction=reduction)


def nll_loss(log_probs: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """The mean (or sum, or each) of −log_probs[n, target[n]] for log-probabilities of shape (N, C)
    and integer labels of shape (N,), each in [0, C). The caller checks the labels."""
    return NLLLoss.apply(log_probs, target=target.data, reduction=reduction)
