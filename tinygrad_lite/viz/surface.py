"""Loss surfaces: a scalar function of the parameters evaluated on a 2-D grid.

The error surface of the lecture is L(θ) drawn over two coordinates. With two parameters those are the
parameters themselves (F04: L = (1 − w1·w2)² over w1, w2); with more, the surface is a 2-D slice
θ = θ′ + α·d1 + β·d2 through the point θ′ along two directions, for example Hessian eigenvectors (the
escape direction of a saddle) or filter-normalised random directions.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import backend
from ..autograd import no_grad
from ..tensor import Tensor
from .vectors import as_tensor_list, flat_vector, load_vector


def loss_surface(f: Callable, center, directions=None, span: float | tuple[float, float] = 1.0, steps: int = 51,
                 batched: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate ``f`` on a ``steps × steps`` grid around ``center``; returns NumPy arrays ``(A, B, Z)``.

    ``A`` and ``B`` are the offsets along the two directions, ``np.meshgrid`` style (``A`` varies along
    rows, ``B`` down columns, as ``plt.contour(A, B, Z)`` expects), over ``[-span, span]²``, or
    ``[-span_a, span_a] × [-span_b, span_b]`` for ``span=(span_a, span_b)``; and
    ``Z[i, j] = f(center + A[i, j]·d1 + B[i, j]·d2)``, computed under ``no_grad``.

    ``center`` is a Tensor, a list of Tensors (a model's parameters: the point is their flattened
    concatenation) or an array. ``directions`` is a pair ``(d1, d2)`` of vectors of the same size
    (arrays or Tensors, or lists of them shaped like ``center``), or ``None`` when ``center`` has exactly
    two numbers: then ``d1, d2`` are its two coordinates, so ``center + A`` and ``center + B`` are the
    parameter values themselves.

    How ``f`` is called:

    - default: once per grid point, as ``f(center)`` with ``center`` as passed. Tensors in ``center``
      are given the grid point's values for the call (and their own values back at the end), so ``f``
      may also be a closure over a model that ignores its argument; an array ``center`` is replaced by
      a float64 NumPy array of the grid point, shaped like it. ``f`` returns a one-number Tensor, array
      or float.
    - ``batched=True``: once, with all ``m = steps²`` points as an ``(m, n)`` batch (a Tensor on the
      center's device and dtype, or a float64 array for an array ``center``); ``f`` returns ``m``
      losses. One call instead of ``m`` Python-level calls, at the cost of memory for the batch.

    >>> import tinygrad_lite as tl
    >>> L = lambda w: (1 - w[0] * w[1]) ** 2                              # the lecture's F04
    >>> A, B, Z = loss_surface(L, tl.tensor([0.0, 0.0]), span=2.0, steps=5)
    >>> A[0], B[:, 0]
    (array([-2., -1.,  0.,  1.,  2.]), array([-2., -1.,  0.,  1.,  2.]))
    >>> float(Z[2, 2]), float(Z[3, 3]), float(Z[1, 3])                  # L(0, 0), L(1, 1), L(1, −1)
    (1.0, 0.0, 4.0)
    >>> batch = lambda W: (1 - W[:, 0] * W[:, 1]) ** 2                   # all points at once
    >>> bool((loss_surface(batch, [0.0, 0.0], span=2.0, steps=5, batched=True)[2] == Z).all())
    True
    """
    who = "loss_surface"
    if not callable(f):
        raise TypeError(f"{who}: f must be a function of the parameters, got a {type(f).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"{who}: steps must be an integer >= 2, got {steps!r}")
    tensors = as_tensor_list(center)
    if tensors is not None and any(t.dtype.kind != "f" for t in tensors):
        dtypes = ", ".join(str(t.dtype) for t in tensors)
        raise TypeError(f"{who}: center must hold floating-point tensors, got {dtypes}")
    theta = flat_vector(center, who, "center")
    d1, d2 = _directions(directions, theta.size, who)
    span_a, span_b = _spans(span, who)
    A, B = np.meshgrid(np.linspace(-span_a, span_a, steps), np.linspace(-span_b, span_b, steps))

    with no_grad():
        if batched:
            Z = _evaluate_batch(f, tensors, theta + A.reshape(-1, 1) * d1 + B.reshape(-1, 1) * d2, who)
        else:
            Z = _evaluate_each(f, center, tensors, theta, d1, d2, A.ravel(), B.ravel(), who)
    return A, B, Z.reshape(A.shape)


def _evaluate_each(f, center, tensors, theta, d1, d2, alphas, betas, who) -> np.ndarray:
    """One call of ``f`` per grid point; the points are formed one at a time (a batch of every point
    of a large model would not fit in memory)."""
    Z = np.empty(alphas.size)
    if tensors is None:
        # shaped like center, except a list of arrays, which has no one shape: then the flat vector
        shape = theta.shape if isinstance(center, (list, tuple)) and backend.is_backend_array(center[0]) \
            else np.shape(center)
        for k, (a, b) in enumerate(zip(alphas, betas)):
            Z[k] = _as_number(f((theta + a * d1 + b * d2).reshape(shape)), who)
        return Z
    originals = [t.data for t in tensors]
    try:
        for k, (a, b) in enumerate(zip(alphas, betas)):
            load_vector(tensors, theta + a * d1 + b * d2)
            Z[k] = _as_number(f(center), who)
    finally:
        for t, data in zip(tensors, originals):
            t.data = data
    return Z


def _evaluate_batch(f, tensors, points: np.ndarray, who: str) -> np.ndarray:
    """One call of ``f`` on the ``(m, n)`` batch of every grid point."""
    batch = points if tensors is None else Tensor(points, dtype=tensors[0].dtype, device=tensors[0].device)
    values = f(batch)
    if isinstance(values, Tensor):
        values = backend.to_host(values.data)
    elif backend.is_backend_array(values):
        values = backend.to_host(values)
    values = np.asarray(values, dtype=np.float64)
    m = len(points)
    if values.size != m:
        raise ValueError(f"{who}: with batched=True, f must return one loss per row of its (m, n) input; "
                         f"got shape {values.shape} for m = {m}")
    return values.ravel()


def _as_number(value, who: str) -> float:
    """The one number ``f`` returned, as a float."""
    if isinstance(value, Tensor) or backend.is_backend_array(value):
        if math.prod(value.shape) != 1:
            raise ValueError(f"{who}: f must return a single number, got shape {value.shape} "
                             "(reduce it, e.g. with .mean(), or pass batched=True for one loss per row)")
        return float(value.item())
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: f must return a number or a one-number Tensor, got {value!r}") from None


def _directions(directions, n: int, who: str) -> tuple[np.ndarray, np.ndarray]:
    """The two direction vectors as flat float64 arrays of size ``n``."""
    if directions is None:
        if n != 2:
            raise ValueError(f"{who}: directions=None needs a center of exactly 2 numbers, got {n}; pass two "
                             "directions, e.g. filter_normalized_directions(params) or Hessian eigenvectors")
        return np.array([1.0, 0.0]), np.array([0.0, 1.0])
    if isinstance(directions, Tensor) or len(directions) != 2:
        raise ValueError(f"{who}: directions must be a pair (d1, d2), got {_count(directions)}")
    pair = []
    for k, d in enumerate(directions):
        vector = flat_vector(d, who, f"direction {k + 1}")
        if vector.size != n:
            raise ValueError(f"{who}: direction {k + 1} has {vector.size} numbers but center has {n}")
        pair.append(vector)
    return pair[0], pair[1]


def _spans(span, who: str) -> tuple[float, float]:
    pair = (span, span) if np.ndim(span) == 0 else tuple(span)
    if len(pair) != 2 or not all(np.ndim(s) == 0 and s > 0 for s in pair):
        raise ValueError(f"{who}: span must be a positive number or a pair of them, got {span!r}")
    return float(pair[0]), float(pair[1])


def _count(directions) -> str:
    if isinstance(directions, Tensor):
        return f"one Tensor of shape {directions.shape}"
    return f"{len(directions)} of them"
