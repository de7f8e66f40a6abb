"""Derivatives as functions: ``hessian``, ``hvp`` and ``jacobian``, all built on ``tl.grad(create_graph=True)``.

The lecture expands the loss around θ′ to second order (F02):

    L(θ) ≈ L(θ′) + (θ − θ′)ᵀ g + ½ (θ − θ′)ᵀ H (θ − θ′),    g = ∇L(θ′),  H_ij = ∂²L / ∂θ_i ∂θ_j

g is one backward pass. H is the Jacobian of g: differentiate the gradient again. Because every op's
backward is written in differentiable Tensor ops, ``grad(L, θ, create_graph=True)`` returns g as a graph,
and ``grad(g, θ, grad_outputs=v)`` is then the Hessian-vector product H·v (reverse-over-reverse), at the
price of about two more backward passes and without ever forming H. :func:`make_hvp` builds the graph of
g once and reuses it for every product (as HIPS/autograd's ``make_hvp``); :func:`hessian` computes all n
columns at once by replaying that second backward pass on the n unit vectors stacked together
(:mod:`tinygrad_lite.batched_vjp`).

``x`` is either one Tensor (results shaped ``x.shape + x.shape``) or a list/tuple of Tensors such as a
model's parameters (results over their flattened concatenation, in order: an ``(n, n)`` Hessian).
``f`` is always called as ``f(x)`` with ``x`` exactly as passed, so a closure over a model may ignore its
argument. :func:`flatten` and :func:`unflatten` turn a parameter list into one vector and back.

Second derivatives of piecewise-linear ops (relu, abs, max/maximum, clip) are 0 wherever they exist:
such an op contributes nothing to H except through the ops around it, and its kinks (where the Hessian
is not defined) are simply ignored. For curvature studies prefer smooth activations (tanh, sigmoid);
see docs/notes/second-derivatives.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from . import backend
from .autograd import enable_grad, grad
from .batched_vjp import BatchedVJP
from .ops import concatenate, reshape
from .tensor import Tensor

Inputs = Tensor | Sequence[Tensor]


# --- parameter lists as one vector --------------------------------------------------------------


def flatten(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors' elements as one 1-D vector, in order (differentiable).

    >>> import tinygrad_lite as tl
    >>> flatten([tl.tensor([[1.0, 2.0]]), tl.tensor([3.0])])
    tensor([1., 2., 3.])
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("flatten: expected at least one tensor")
    return concatenate([reshape(t, (t.numel(),)) for t in tensors])


def unflatten(vector, like: Sequence[Tensor]) -> list[Tensor]:
    """Cut a 1-D vector back into tensors shaped like ``like`` (the inverse of :func:`flatten`).

    >>> import tinygrad_lite as tl
    >>> unflatten(tl.tensor([1.0, 2.0, 3.0]), [tl.zeros(1, 2), tl.zeros(1)])
    [tensor([[1., 2.]]), tensor([3.])]
    """
    like = list(like)
    vector = vector if isinstance(vector, Tensor) else Tensor(vector, device=like[0].device if like else None)
    total = sum(t.numel() for t in like)
    if vector.ndim != 1 or vector.numel() != total:
        shapes = ", ".join(str(t.shape) for t in like)
        raise ValueError(f"unflatten: expected a vector of shape ({total},) for tensors of shapes {shapes}, "
                         f"got shape {vector.shape}")
    parts, start = [], 0
    for t in like:
        parts.append(reshape(vector[start:start + t.numel()], t.shape))
        start += t.numel()
    return parts


# --- shared checks ------------------------------------------------------------------------------


def _as_inputs(x: Inputs, who: str) -> tuple[list[Tensor], bool]:
    """``x`` as a list of tensors, and whether it was a list (flat results) rather than one tensor."""
    is_list = isinstance(x, (list, tuple))
    items: list[object] = list(x) if isinstance(x, (list, tuple)) else [x]
    if not items:
        raise ValueError(f"{who}: x is an empty list; pass a Tensor or a list of Tensors")
    inputs: list[Tensor] = []
    for i, t in enumerate(items):
        name = f"x[{i}]" if is_list else "x"
        if not isinstance(t, Tensor):
            raise TypeError(f"{who}: {name} is a {type(t).__name__}, expected a Tensor")
        if t.dtype.kind != "f":
            raise TypeError(f"{who}: {name} has dtype {t.dtype}; derivatives need a floating-point tensor "
                            "(use .double())")
        if inputs and t.device != inputs[0].device:
            raise RuntimeError(f"{who}: x[0] is on {inputs[0].device} but {name} is on {t.device}")
        inputs.append(t)
    return inputs, is_list


@contextlib.contextmanager
def _requiring_grad(inputs: list[Tensor]) -> Iterator[None]:
    """Let leaves that do not require grad take part for the duration of the call, then restore them."""
    switched = [t for t in inputs if not t.requires_grad]
    for t in switched:
        t.requires_grad_(True)
    try:
        with enable_grad():  # also inside tl.no_grad(): f must record its graph here
            yield
    finally:
        for t in switched:
            t.requires_grad_(False)


def _scalar_output(f: Callable, x: Inputs, who: str) -> Tensor:
    value = f(x)
    if not isinstance(value, Tensor):
        raise TypeError(f"{who}: f(x) returned a {type(value).__name__}; expected a scalar Tensor")
    if value.numel() != 1:
        raise ValueError(f"{who}: f(x) must return a scalar (the loss), got a tensor of shape {value.shape}; "
                         "reduce it with .sum() or .mean(), or use tl.jacobian")
    return value


def _input_shape(inputs: list[Tensor], is_list: bool) -> tuple[int, ...]:
    """The shape one side of a derivative has: x.shape for one tensor, (n,) for a list."""
    return (sum(t.numel() for t in inputs),) if is_list else inputs[0].shape


# --- Hessian-vector products --------------------------------------------------------------------


class HessianVectorProduct:
    """v -> H·v at a fixed x, from one forward pass and one gradient graph built in the constructor.

    Calling it runs one backward pass through the graph of g = ∇f(x) (H·v = ∂(gᵀv)/∂x, with v held
    constant); nothing is recomputed from f. ``matmat(V)`` applies H to many vectors at once.

    Attributes: ``value`` (f(x) as a float), ``gradient`` (g, a detached Tensor shaped like x, flat for a
    list), ``n`` (number of parameters), ``shape`` (the shape of v).

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([0.0, 0.0], dtype=tl.float64)
    >>> hvp_at_w = make_hvp(lambda w: (1 - w[0] * w[1]) ** 2, w)
    >>> hvp_at_w(tl.tensor([1.0, 1.0], dtype=tl.float64))        # H = [[0, -2], [-2, 0]]
    tensor([-2., -2.], dtype=float64)
    """

    def __init__(self, f: Callable, x: Inputs, who: str = "make_hvp"):
        self.who = who
        self.inputs, self.is_list = _as_inputs(x, who)
        self.shape = _input_shape(self.inputs, self.is_list)
        self.n = sum(t.numel() for t in self.inputs)
        self.device = self.inputs[0].device
        self.dtype = np.result_type(*[t.dtype for t in self.inputs])
        with _requiring_grad(self.inputs):
            loss = _scalar_output(f, x, who)
            if loss.requires_grad:
                grads = grad(loss, self.inputs, create_graph=True, allow_unused=True)
            else:
                grads = (None,) * len(self.inputs)  # f does not depend on x at all: g = 0, H = 0
        self.value = float(loss.item())
        xp = backend.array_module(self.device)
        # an input f does not use has zero gradient; a constant tensor stands in for it
        self.grads = [Tensor._make(xp.zeros(t.shape, dtype=t.dtype), False) if g is None else g
                      for t, g in zip(self.inputs, grads)]
        flat = xp.concatenate([g.data.reshape(-1) for g in self.grads]).astype(self.dtype, copy=False)
        self.gradient = Tensor._make(flat if self.is_list else flat.reshape(self.shape), False)
        self._replay: BatchedVJP | None = None

    def _check(self, v):
        """v as a list of arrays, one per input; whether it came as a list (to answer in kind)."""
        if isinstance(v, (list, tuple)) and self.is_list and len(v) == len(self.inputs) and all(
                isinstance(p, Tensor) for p in v):
            for p, t in zip(v, self.inputs):
                if p.shape != t.shape:
                    raise ValueError(f"{self.who}: v has a part of shape {p.shape} where x has shape {t.shape}")
            return [p.data for p in v], True
        v = v if isinstance(v, Tensor) else Tensor(v, dtype=self.dtype, device=self.device)
        if v.shape != self.shape:
            expected = f"the flat shape ({self.n},)" if self.is_list else f"x's shape {self.shape}"
            raise ValueError(f"{self.who}: v has shape {v.shape} but must have {expected}")
        if v.device != self.device:
            raise RuntimeError(f"{self.who}: v is on {v.device} but x is on {self.device}")
        flat, parts, start = v.data.reshape(-1), [], 0
        for t in self.inputs:
            parts.append(flat[start:start + t.numel()].reshape(t.shape))
            start += t.numel()
        return parts, False

    def __call__(self, v):
        """H·v as a detached Tensor shaped like v (a list of Tensors when v is one)."""
        parts, as_list = self._check(v)
        live = [i for i, g in enumerate(self.grads) if g.requires_grad]
        xp = backend.array_module(self.device)
        products = [None] * len(self.inputs)
        if live:
            with _requiring_grad(self.inputs):
                products = list(grad([self.grads[i] for i in live], self.inputs,
                                     grad_outputs=[Tensor._make(parts[i].astype(self.grads[i].dtype), False)
                                                   for i in live], allow_unused=True))
        products = [Tensor._make(xp.zeros(t.shape, dtype=t.dtype), False) if p is None else p
                    for t, p in zip(self.inputs, products)]
        if as_list:
            return products
        flat = xp.concatenate([p.data.reshape(-1) for p in products]).astype(self.dtype, copy=False)
        return Tensor._make(flat.reshape(self.shape), False)

    def _second_backward(self) -> BatchedVJP:
        """The recorded map v -> vᵀH (built on first use: it costs one backward pass to record)."""
        if self._replay is None:
            with _requiring_grad(self.inputs):
                self._replay = BatchedVJP(self.grads, self.inputs)
        return self._replay

    def matmat(self, V):
        """H @ V for an array V of shape (n, k) (columns are vectors over the flattened x): one replay of
        the recorded second backward pass for all k columns. Returns an (n, k) array on x's device."""
        V = backend.array_module(self.device).asarray(V)
        if V.ndim != 2 or V.shape[0] != self.n:
            raise ValueError(f"{self.who}: matmat expects an array of shape ({self.n}, k), got {V.shape}")
        replay = self._second_backward()
        with _requiring_grad(self.inputs):
            # H is symmetric, so the rows vᵀH that a backward pass gives are the columns H·v
            return replay(V.T).T

    def matrix(self):
        """The full (n, n) Hessian as an array on x's device, symmetrised (see :func:`hessian`)."""
        replay = self._second_backward()
        with _requiring_grad(self.inputs):
            H = replay.matrix()
        # Exact H is symmetric (∂²L/∂θi∂θj = ∂²L/∂θj∂θi), but row i and column i come out of different
        # sequences of floating-point operations, so they differ by rounding. Averaging the two halves
        # makes H exactly symmetric (what eigh assumes; it would silently read one triangle only)
        # without losing accuracy.
        return (H + H.T) / 2


def make_hvp(f: Callable, x: Inputs) -> HessianVectorProduct:
    """Build the gradient graph of ``f`` at ``x`` once; return the function v -> H·v that reuses it.

    Use it when many products are needed at one point (Lanczos, power iteration, conjugate gradient).

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 2.0], dtype=tl.float64)
    >>> hvp_at_x = make_hvp(lambda x: (x ** 3).sum(), x)          # H = diag(6x)
    >>> hvp_at_x(tl.tensor([1.0, 1.0], dtype=tl.float64))
    tensor([ 6., 12.], dtype=float64)
    """
    return HessianVectorProduct(f, x)


def hvp(f: Callable, x: Inputs, v) -> Tensor:
    """H·v, the Hessian of the scalar ``f`` at ``x`` times ``v``, without forming H.

    ``v`` has x's shape (for a list x: the flat shape ``(n,)``, or a list of tensors shaped like x).
    Cost: one forward pass and about three backward passes, whatever the size of x.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([0.0, 0.0], dtype=tl.float64)
    >>> tl.hvp(lambda w: (1 - w[0] * w[1]) ** 2, w, tl.tensor([1.0, 1.0], dtype=tl.float64))
    tensor([-2., -2.], dtype=float64)
    """
    return HessianVectorProduct(f, x, who="hvp")(v)


def hessian(f: Callable, x: Inputs) -> Tensor:
    """The Hessian H_ij = ∂²f / ∂x_i ∂x_j of the scalar ``f`` at ``x``: the Jacobian of the gradient.

    One Tensor ``x`` gives shape ``x.shape + x.shape``; a list of tensors gives ``(n, n)`` over their
    flattened concatenation, in order. The result is exactly symmetric (rounding differences between
    H_ij and H_ji are averaged away) and does not require grad.

    All n columns come from one replay of the second backward pass on the n unit vectors stacked
    together, so the cost is close to a few gradients rather than n of them.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([0.0, 0.0], dtype=tl.float64)
    >>> tl.hessian(lambda w: (1 - w[0] * w[1]) ** 2, w)          # the lecture's saddle at the origin
    tensor([[ 0., -2.],
            [-2.,  0.]], dtype=float64)
    """
    operator = HessianVectorProduct(f, x, who="hessian")
    return Tensor._make(operator.matrix().reshape(operator.shape + operator.shape), False)


def jacobian(f: Callable, x: Inputs) -> Tensor:
    """The Jacobian J[i..., j...] = ∂f(x)[i...] / ∂x[j...] of any Tensor-valued ``f`` at ``x``.

    Shape ``f(x).shape + x.shape``, or ``f(x).shape + (n,)`` for a list ``x``. Every row is one
    vector-Jacobian product; they are computed together by one batched replay of the backward pass.

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 2.0], dtype=tl.float64)
    >>> tl.jacobian(lambda x: x ** 2, x)
    tensor([[2., 0.],
            [0., 4.]], dtype=float64)
    """
    inputs, is_list = _as_inputs(x, "jacobian")
    with _requiring_grad(inputs):
        out = f(x)
        if not isinstance(out, Tensor):
            raise TypeError(f"jacobian: f(x) returned a {type(out).__name__}; expected a Tensor")
        J = BatchedVJP([out], inputs).matrix()
    return Tensor._make(J.reshape(out.shape + _input_shape(inputs, is_list)), False)
