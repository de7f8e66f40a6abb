"""Numerical gradient checks: compare what backward computes with central finite differences.

    ∂f/∂xᵢ ≈ (f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε        (error O(ε²))

Everything runs in float64 so the comparison measures the gradient, not rounding. A non-scalar output
is reduced to the scalar Σ f(x)·w with fixed random weights w, which checks every entry of the
Jacobian at once (a wrong entry would have to be orthogonal to w to hide).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from . import backend, dtypes
from .autograd import grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` / :func:`gradgradcheck` with the worst mismatch."""


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _to_float64(value):
    """A fresh float64 leaf for every float tensor (keeping requires_grad); anything else unchanged."""
    if isinstance(value, Tensor) and value.dtype.kind == "f":
        return Tensor._make(value.data.astype(np.float64), value.requires_grad)
    return value


def _weighted_sum(outputs: tuple, weights: list) -> Tensor | None:
    """Σ_k Σ output_k · w_k: one scalar whose gradient tests every output entry."""
    total = None
    for out, w in zip(outputs, weights, strict=True):
        term = (out.astype(dtypes.float64) * w).sum()
        total = term if total is None else total + term
    return total


def _random_weights(outputs: tuple, seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [Tensor._make(backend.to_device(rng.standard_normal(out.shape), out.device), False) for out in outputs]


def gradcheck(fn: Callable, inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              seed: int = 0) -> bool:
    """Check ``fn``'s gradients with respect to the inputs that require grad against finite differences.

    ``fn(*inputs)`` returns a Tensor or a tuple of Tensors. Returns True, or raises
    :class:`GradcheckError` naming the input and element with the worst mismatch.

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([0.5, 2.0], dtype=tl.float64, requires_grad=True)
    >>> tl.gradcheck(lambda x: (x * x.sin()).sum(), [x])
    True
    """
    inputs = tuple(_to_float64(x) for x in _as_tuple(inputs))
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; create the tensors with requires_grad=True")
    weights = _random_weights(_as_tuple(fn(*inputs)), seed)

    def scalar(*xs) -> Tensor | None:
        return _weighted_sum(_as_tuple(fn(*xs)), weights)

    value = scalar(*inputs)
    if value is not None and value.requires_grad:
        analytical = grad(value, [inputs[i] for i in checked], allow_unused=True)
    else:
        analytical = (None,) * len(checked)

    worst = (0.0, "")
    for i, g in zip(checked, analytical, strict=True):
        x = inputs[i]
        numerical = _finite_differences(scalar, inputs, i, eps)
        computed = np.zeros(x.shape) if g is None else backend.to_host(g.data).astype(np.float64)
        excess = np.abs(computed - numerical) - (atol + rtol * np.abs(numerical))
        if excess.size and excess.max() > worst[0]:
            at = np.unravel_index(int(np.argmax(excess)), excess.shape)
            worst = (float(excess.max()),
                     f"input {i} (shape {x.shape}) at index {tuple(int(k) for k in at)}: backward gives "
                     f"{computed[at]:.8g}, finite differences give {numerical[at]:.8g}")
    if worst[0] > 0:
        raise GradcheckError(f"gradcheck: gradients disagree (atol={atol}, rtol={rtol}); worst: {worst[1]}")
    return True


def _finite_differences(scalar: Callable, inputs: tuple, which: int, eps: float) -> np.ndarray:
    """Central differences of ``scalar`` with respect to every element of ``inputs[which]``."""
    x = inputs[which]
    base = x.data
    result = np.zeros(x.shape)
    for flat in range(x.numel()):
        at = np.unravel_index(flat, x.shape)
        values = []
        for step in (eps, -eps):
            shifted = base.copy()
            shifted[at] += step
            args = list(inputs)
            args[which] = Tensor._make(shifted, True)
            out = scalar(*args)
            values.append(0.0 if out is None else float(out.item()))
        result[at] = (values[0] - values[1]) / (2 * eps)
    return result


def gradgradcheck(fn: Callable, inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0) -> bool:
    """Check second derivatives: :func:`gradcheck` applied to the gradient of ``fn`` itself, which is
    built with ``create_graph=True`` (double backward).

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([0.5, 2.0], dtype=tl.float64, requires_grad=True)
    >>> tl.gradgradcheck(lambda x: (x ** 3).sum(), [x])
    True
    """
    inputs = tuple(_to_float64(x) for x in _as_tuple(inputs))
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    weights = _random_weights(_as_tuple(fn(*inputs)), seed + 1)

    def first_derivative(*xs):
        value = _weighted_sum(_as_tuple(fn(*xs)), weights)
        wrt = [xs[i] for i in checked]
        if value is None or not value.requires_grad:
            grads = (None,) * len(wrt)
        else:
            grads = grad(value, wrt, create_graph=True, allow_unused=True)
        return tuple(Tensor._make(backend.get_array_module(x.data).zeros(x.shape), False) if g is None else g
                     for x, g in zip(wrt, grads, strict=True))

    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)
