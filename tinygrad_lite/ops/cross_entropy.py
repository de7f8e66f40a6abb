"""Cross-entropy from logits and class labels as one fused op: log-softmax and the negative log-likelihood.

    e = −(1/N) Σₙ log softmax(yₙ)[tₙ]          de/dyₙ = (softmax(yₙ) − onehot(tₙ)) / N        (F42)

Composed from LogSoftmax and NLLLoss the loss is two ops, and their backward three more (the NLL's picks
matrix, a multiply, log-softmax's backward). A training step needs only the gradient, and the formula on
the right is one pass over the logits: that is ``backward_arrays``, which the engine runs when no graph is
recorded. When ``create_graph=True`` asks for a gradient that is differentiable again (double backward,
``tl.hessian``), ``backward`` is the composed ops' backward, recorded op by op, so second derivatives and
the batched Hessian replay are exactly those of ``nll_loss(log_softmax(y), t)``.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .nll import nll_backward, nll_forward
from .softmax import LogSoftmax, LogSoftmaxGrad, log_softmax_forward


class CrossEntropy(Function):
    """e = −Σₙ wₙ log softmax(yₙ)[tₙ] with wₙ = 1/N ("mean"), 1 ("sum"), or one loss per row ("none"), for
    logits y of shape (N, C); de/dyₙ = wₙ (softmax(yₙ) − onehot(tₙ))."""

    def forward(self, logits, target, reduction):
        self.target, self.reduction = target, reduction
        self.log_probs = log_softmax_forward(logits, axis=1)
        return nll_forward(self.log_probs, target, reduction)

    def backward(self, grad_output):
        # the composed ops' backward, recorded op by op when create_graph asks for a graph
        # (axis 1, not −1, as log_softmax normalises it: the batched Hessian replay shifts a positive axis)
        log_probs = LogSoftmax.apply(self.inputs[0], axis=1)
        grad_log_probs = nll_backward(grad_output, log_probs, self.target, self.reduction)
        return LogSoftmaxGrad.apply(grad_log_probs, log_probs, axis=1)

    def backward_arrays(self, grad_output):
        xp = backend.get_array_module(self.log_probs)
        n = len(self.target)
        grad = xp.exp(self.log_probs)  # softmax(y) ...
        grad[xp.arange(n), self.target] -= 1.0  # ... − onehot(t)
        if self.reduction == "none":  # one loss per row: row n's gradient scales row n
            grad_output = grad_output.reshape(n, 1)
        elif self.reduction == "mean":
            grad_output = grad_output / n
        grad *= grad_output
        return grad


def cross_entropy(logits: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """The mean (or sum, or each) of −log softmax(logits)[n, target[n]] for float logits of shape (N, C) and
    integer labels of shape (N,), each in [0, C). The caller checks the labels."""
    return CrossEntropy.apply(logits, target=target.data, reduction=reduction)
