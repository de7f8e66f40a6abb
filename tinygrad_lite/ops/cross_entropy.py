"""Cross-entropy from logits and class labels as one fused op: log-softmax and the negative log-likelihood.

    e = −(1/N) Σₙ log softmax(yₙ)[tₙ]          de/dyₙ = (softmax(yₙ) − onehot(tₙ)) / N        (F42)

Composed from LogSoftmax and NLLLoss the loss is two ops, and their backward three more (the NLL's picks
matrix, a multiply, log-softmax's backward). A training step needs only the gradient, and the formula on
the right is one pass over the logits. So the backward takes that shortcut whenever no graph is being
recorded. When ``create_graph=True`` asks for a gradient that is differentiable again (double backward,
``tl.hessian``), the backward is the composed ops' backward, recorded op by op, so second derivatives and
the batched Hessian replay are exactly those of ``nll_loss(log_softmax(y), t)``.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function, is_grad_enabled
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
        if is_grad_enabled():  # create_graph: the composed backward, so that it can be differentiated again
            # axis 1, not −1, as log_softmax normalises it: the batched Hessian replay shifts a positive axis
            log_probs = LogSoftmax.apply(self.inputs[0], axis=1)
            grad_log_probs = nll_backward(grad_output, log_probs, self.target, self.reduction)
            return LogSoftmaxGrad.apply(grad_log_probs, log_probs, axis=1)
        xp = backend.get_array_module(self.log_probs)
        n = len(self.target)
        grad = xp.exp(self.log_probs)  # softmax(y) ...
        grad[xp.arange(n), self.target] -= 1.0  # ... − onehot(t)
        scale = grad_output.data
        if self.reduction == "none":  # one loss per row: row n's gradient scales row n
            scale = scale.reshape(n, 1)
        elif self.reduction == "mean":
            scale = scale / n
        grad *= scale
        return Tensor._make(grad, False)


def cross_entropy(logits: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """The mean (or sum, or each) of −log softmax(logits)[n, target[n]] for float logits of shape (N, C) and
    integer labels of shape (N,), each in [0, C). The caller checks the labels."""
    return CrossEntropy.apply(logits, target=target.data, reduction=reduction)
