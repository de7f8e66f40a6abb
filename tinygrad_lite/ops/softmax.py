"""Log-softmax as one fused op: the stable way to turn logits into log-probabilities.

    log softmax(x)ᵢ = xᵢ − log Σⱼ e^(xⱼ)  =  (xᵢ − m) − log Σⱼ e^(xⱼ − m),   m = maxⱼ xⱼ

Subtracting the largest logit m first keeps every exponent ≤ 0, so nothing overflows even for logits
of 1e5 (e^(1e5) is inf in any float). Composing ``x - logsumexp(x)`` from the two ops would be exact
too, but one op with its own backward is cheaper and keeps the graph (and ``tl.viz`` drawings) small.
``softmax`` is ``exp(log_softmax(x))``: exponentials of numbers ≤ 0, never an overflow.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .axes import normalize_axis
from .elementwise import exp
from .operands import floating


class LogSoftmax(Function):
    """y = x − logsumexp(x) along ``axis``;  dL/dx = g − softmax(x) · Σ g  (sums along ``axis``),
    with softmax(x) = e^y. The backward is made of Tensor ops, so it can be differentiated again."""

    saves_output = True

    def forward(self, x, axis):
        self.axis = axis
        xp = backend.get_array_module(x)
        shifted = x - x.max(axis=axis, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(self, grad_output):
        softmax = exp(self.output())
        return grad_output - softmax * grad_output.sum(axis=self.axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """log(softmax(x)) along ``axis``, stable for any finite logits."""
    x = floating(x)
    return LogSoftmax.apply(x, axis=normalize_axis(axis, x.ndim, "log_softmax", x.shape))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """e^(xᵢ) / Σⱼ e^(xⱼ) along ``axis``: positive, summing to 1, stable for any finite logits."""
    return exp(log_softmax(x, axis))
