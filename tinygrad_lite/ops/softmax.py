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
from .axes import dim_or_axis, normalize_axis
from .elementwise import exp
from .operands import floating


class LogSoftmax(Function):
    """y = x − logsumexp(x) along ``axis``;  dL/dx = g − softmax(x) · Σ g  (sums along ``axis``),
    with softmax(x) = e^y."""

    saves_output = True
    reads_inputs = False

    def forward(self, x, axis):
        self.axis = axis
        return log_softmax_forward(x, axis)

    def backward(self, grad_output):
        return LogSoftmaxGrad.apply(grad_output, self.output(), axis=self.axis)


def log_softmax_forward(x, axis: int):
    """(x − m) − log Σ e^(x − m) along ``axis``, m the largest x, on arrays (LogSoftmax's forward, also
    the first half of the fused cross-entropy's)."""
    xp = backend.get_array_module(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_backward(g, y, axis: int):
    """g − e^y · Σ g along ``axis``, on arrays (LogSoftmaxGrad's forward, also used by its batching rule)."""
    return g - backend.get_array_module(g).exp(y) * g.sum(axis=axis, keepdims=True)


class LogSoftmaxGrad(Function):
    """z = g − e^y · Σ g: log-softmax's backward as one op, for g = dL/dy and y = log softmax(x)
    (PyTorch's ``_log_softmax_backward_data``).

    Composed from exp, sum, multiply and subtract it would be four ops in every backward pass of a
    classifier. As one op it is still differentiable, so Hessians of a cross-entropy loss work. With
    s = e^y, its Jacobian in g is I − s 1ᵀ (in each row along ``axis``), so
    dL/dg = u − Σ u·s  and  dL/dy = −u · s · Σ g  for u = dL/dz."""

    def forward(self, g, y, axis):
        self.axis = axis
        return log_softmax_backward(g, y, axis)

    def backward(self, grad_output):
        g, y = self.inputs
        softmax = exp(y)
        grad_g = grad_y = None
        if self.needs_input_grad[0]:
            grad_g = grad_output - (grad_output * softmax).sum(axis=self.axis, keepdims=True)
        if self.needs_input_grad[1]:
            grad_y = -grad_output * softmax * g.sum(axis=self.axis, keepdims=True)
        return grad_g, grad_y


def log_softmax(x: Tensor, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """log(softmax(x)) along ``dim`` (the last dim when not given), stable for any finite logits."""
    x = floating(x)
    dim = dim_or_axis(dim, axis, "log_softmax", -1)
    return LogSoftmax.apply(x, axis=normalize_axis(dim, x.ndim, "log_softmax", x.shape))


def softmax(x: Tensor, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """e^(xᵢ) / Σⱼ e^(xⱼ) along ``dim`` (the last dim when not given): positive, summing to 1, stable for any
    finite logits.

    PyTorch guesses a dim when none is given (and warns); here it is always the last one, which is the
    class dim of logits shaped (N, C) or (N, T, C).

    >>> import tinygrad_lite as tl
    >>> tl.tensor([[0.0, 0.0], [0.0, 0.0]]).softmax(dim=0)
    tensor([[0.5, 0.5],
            [0.5, 0.5]])
    """
    return exp(log_softmax(x, dim_or_axis(dim, axis, "softmax", -1)))
