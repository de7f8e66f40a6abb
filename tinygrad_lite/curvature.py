"""Reading the Hessian: is a critical point a local minimum, a local maximum or a saddle point?

At a critical point the gradient g is 0, so the lecture's Taylor expansion (F02-F03) leaves only

    L(θ) ≈ L(θ′) + ½ vᵀ H v,    v = θ − θ′

and the sign of vᵀHv for every direction v is set by the eigenvalues of H: all positive -> local
minimum, all negative -> local maximum, both signs -> saddle point. If u is an eigenvector with
eigenvalue λ < 0, then uᵀHu = λ‖u‖² < 0, so stepping θ = θ′ + u lowers the loss (F06): a saddle point is
not a dead end. This module makes each of those steps one call:

* :func:`classify` forms H exactly (for up to a few thousand parameters) and reads its eigenvalues;
* :func:`lanczos`, :func:`power_iteration` and :func:`hutchinson_trace` use Hessian-vector products
  only, so they work for models far too large for H itself;
* :func:`escape_direction` returns the u of the lecture's update.

What they return: numbers are Python floats and NumPy arrays on the host (``eigenvalues`` ascending,
``eigenvectors`` as columns over the flattened parameters, as ``numpy.linalg.eigh`` gives them), ready
to print or plot, whatever device x is on. The one result meant to be added to x, the escape
direction, is a Tensor shaped like x on x's device.

Random start vectors come from ``tl.manual_seed``'s generator, or from ``seed=`` when given.

Piecewise-linear ops (relu, abs, max, clip) have second derivative 0 almost everywhere, so a ReLU
network's Hessian misses the curvature of its kinks and often has many zero eigenvalues; use tanh or
sigmoid for curvature studies (docs/notes/second-derivatives.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import backend
from .functional import HessianVectorProduct, Inputs
from .tensor import Tensor

KINDS = ("local_min", "local_max", "saddle", "degenerate")


def _rng(seed: int | None) -> np.random.Generator:
    return backend.host_rng() if seed is None else np.random.default_rng(seed)


def _default_tol(eigenvalues: np.ndarray, dtype) -> float:
    """Eigenvalues this close to 0 count as 0: the rounding of the dtype, relative to H's scale."""
    scale = max(1.0, float(np.abs(eigenvalues).max(initial=0.0)))
    return float(np.sqrt(np.finfo(dtype).eps)) * scale


def _as_host_matrix(op: HessianVectorProduct, V: np.ndarray) -> np.ndarray:
    """H @ V in float64 on the host, for the (n, k) host array V."""
    HV = op.matmat(backend.to_device(V.astype(op.dtype), op.device))
    return backend.to_host(HV).astype(np.float64)


# --- classify -----------------------------------------------------------------------------------


@dataclass(repr=False)
class CriticalPoint:
    """What :func:`classify` found at x. ``kind`` is one of ``KINDS``:

    * ``"local_min"``: every eigenvalue > tol (vᵀHv > 0 in every direction);
    * ``"local_max"``: every eigenvalue < −tol;
    * ``"saddle"``: some eigenvalue > tol and some < −tol (a way down exists: see ``escape_direction``);
    * ``"degenerate"``: otherwise, i.e. some |λ| ≤ tol and no mixed signs; second derivatives cannot
      decide, higher-order terms do (e.g. x⁴ vs −x⁴ vs x³ at 0).

    ``minimum_ratio`` is the lecture's (F08) number of positive eigenvalues over the number of
    eigenvalues (λ > 0, as in the lecture; near-zero eigenvalues count by their computed sign).
    ``is_critical`` is False when ‖g‖ > ``grad_tol``: then x is not a critical point at all, the first-order
    term dominates, and ``kind`` only describes the curvature there; ``message`` says so.
    """

    kind: str
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    grad_norm: float
    minimum_ratio: float
    loss: float
    tol: float
    grad_tol: float
    num_positive: int
    num_negative: int
    num_zero: int
    hessian: np.ndarray | None = None

    @property
    def is_critical(self) -> bool:
        return self.grad_norm <= self.grad_tol

    @property
    def message(self) -> str:
        counts = f"{self.num_positive} positive, {self.num_negative} negative, {self.num_zero} ~zero eigenvalues"
        if self.is_critical:
            return f"critical point (|g| = {self.grad_norm:.3g} <= {self.grad_tol:.3g}): {self.kind}; {counts}"
        return (f"NOT a critical point: |g| = {self.grad_norm:.3g} > grad_tol = {self.grad_tol:.3g}, so the "
                f"gradient, not H, decides where the loss goes; the curvature here looks like a {self.kind} "
                f"({counts})")

    def __repr__(self) -> str:
        values = self.eigenvalues
        shown = np.array2string(values, precision=4) if values.size <= 8 else (
            f"[{values[0]:.4g} ... {values[-1]:.4g}] ({values.size} values)")
        return (f"CriticalPoint(kind={self.kind!r}, grad_norm={self.grad_norm:.3g}, eigenvalues={shown}, "
                f"minimum_ratio={self.minimum_ratio:.3f})\n  {self.message}")


def classify(f: Callable, x: Inputs, tol: float | None = None, grad_tol: float = 1e-5) -> CriticalPoint:
    """Form the Hessian of the scalar ``f`` at ``x`` and classify x by its eigenvalues (F03).

    ``tol``: eigenvalues with |λ| ≤ tol count as zero; by default √(machine epsilon of x's dtype) times
    max(1, max|λ|), about 1.5e-8 in float64 and 3.5e-4 in float32 for a Hessian of order 1.
    ``grad_tol``: above this gradient norm x is not a critical point; the result says so and a
    ``UserWarning`` is issued.

    The Hessian has n² entries and its eigen-decomposition costs O(n³): fine up to a few thousand
    parameters; beyond that use :func:`lanczos`.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([0.0, 0.0], dtype=tl.float64)
    >>> point = tl.curvature.classify(lambda w: (1 - w[0] * w[1]) ** 2, w)
    >>> point.kind, point.eigenvalues, point.minimum_ratio
    ('saddle', array([-2.,  2.]), 0.5)
    """
    op = HessianVectorProduct(f, x, who="classify")
    H = backend.to_host(op.matrix()).astype(np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    tol = _default_tol(eigenvalues, op.dtype) if tol is None else float(tol)
    positive, negative = int((eigenvalues > tol).sum()), int((eigenvalues < -tol).sum())
    if positive and negative:
        kind = "saddle"
    elif positive == eigenvalues.size:
        kind = "local_min"
    elif negative == eigenvalues.size:
        kind = "local_max"
    else:
        kind = "degenerate"
    grad_norm = float(np.linalg.norm(backend.to_host(op.gradient.data).astype(np.float64)))
    point = CriticalPoint(kind=kind, eigenvalues=eigenvalues, eigenvectors=eigenvectors, grad_norm=grad_norm,
                          minimum_ratio=float((eigenvalues > 0).mean()), loss=op.value, tol=tol,
                          grad_tol=float(grad_tol), num_positive=positive, num_negative=negative,
                          num_zero=eigenvalues.size - positive - negative, hessian=H)
    if not point.is_critical:
        warnings.warn(f"classify: {point.message}", UserWarning, stacklevel=2)
    return point


# --- Lanczos ------------------------------------------------------------------------------------


@dataclass
class LanczosResult:
    """Ritz values and vectors after ``steps`` Lanczos steps.

    ``eigenvalues`` ascending (the extremes at both ends converge first), ``eigenvectors`` the matching
    unit vectors as columns (shape (n, steps)), ``residuals[i]`` = ‖H v_i − λ_i v_i‖, which says how well
    each pair has converged (0 when the steps spanned an invariant subspace).
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    residuals: np.ndarray
    steps: int


def _lanczos(op: HessianVectorProduct, k: int, rng: np.random.Generator) -> LanczosResult:
    """k steps of Lanczos on H with full reorthogonalisation, from a random start vector.

    Lanczos builds an orthonormal basis q_1 … q_k of the Krylov space {q, Hq, H²q, …} in which H is the
    tridiagonal matrix T (α on the diagonal, β beside it): H q_j = β_{j−1} q_{j−1} + α_j q_j + β_j q_{j+1}.
    The eigenvalues of the small T (Ritz values) approximate the extreme eigenvalues of H. In floating
    point the q's lose orthogonality and ghost copies of eigenvalues appear, so every new vector is
    orthogonalised against all previous ones (twice, which is enough: Kahan-Parlett)."""
    n = op.n
    k = min(int(k), n)
    Q = np.zeros((k, n))
    alphas, betas = [], []
    q = rng.standard_normal(n)
    q /= np.linalg.norm(q)
    for j in range(k):
        Q[j] = q
        w = _as_host_matrix(op, q[:, None])[:, 0]
        alphas.append(float(q @ w))
        for _ in range(2):
            w -= Q[:j + 1].T @ (Q[:j + 1] @ w)
        beta = float(np.linalg.norm(w))
        betas.append(beta)
        scale = max(abs(a) for a in alphas) + max(betas)
        if j == k - 1 or beta <= 1e-10 * max(scale, np.finfo(float).tiny):
            break  # k steps done, or the Krylov space is exhausted (its Ritz values are then exact)
        q = w / beta
    steps = len(alphas)
    T = np.diag(alphas) + np.diag(betas[:steps - 1], 1) + np.diag(betas[:steps - 1], -1)
    values, S = np.linalg.eigh(T)
    vectors = Q[:steps].T @ S
    # the residual of Ritz pair i is β_last·|last entry of its vector in T's eigenbasis|
    residuals = np.abs(betas[steps - 1] * S[steps - 1]) if betas[steps - 1] > 1e-10 * scale else np.zeros(steps)
    return LanczosResult(values, vectors, residuals, steps)


def lanczos(f: Callable, x: Inputs, k: int = 20, seed: int | None = None) -> LanczosResult:
    """The extreme eigenvalues and eigenvectors of the Hessian of ``f`` at ``x`` from k HVPs alone.

    Each step costs one Hessian-vector product (the gradient graph is built once and reused) plus
    O(n·k) for reorthogonalisation, so it works where the n×n Hessian would not fit in memory. Both ends
    of the spectrum converge first: the most negative eigenvalue tells whether x is a saddle, the
    largest is the sharpness. ``k`` is capped at n; with k = n the Ritz values are all eigenvalues.

    >>> import tinygrad_lite as tl
    >>> A = tl.tensor([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]], dtype=tl.float64)
    >>> x = tl.zeros(3, dtype=tl.float64)
    >>> result = tl.curvature.lanczos(lambda x: 0.5 * (x @ A @ x), x, k=3, seed=0)
    >>> bool(np.allclose(result.eigenvalues, np.linalg.eigvalsh(A.numpy())))
    True
    """
    op = HessianVectorProduct(f, x, who="lanczos")
    if k < 1:
        raise ValueError(f"lanczos: k must be at least 1, got {k}")
    return _lanczos(op, k, _rng(seed))


# --- power iteration and trace ------------------------------------------------------------------


@dataclass
class PowerIterationResult:
    """The largest eigenvalue of H (the *sharpness* of the loss at x) and its unit eigenvector (flat)."""

    eigenvalue: float
    eigenvector: np.ndarray
    iterations: int
    converged: bool


def _dominant(op: HessianVectorProduct, shift: float, iters: int, tol: float, rng: np.random.Generator):
    """Power iteration on H − shift·I: v ← (H − shift·I)v / ‖·‖ converges to the eigenvector whose
    eigenvalue is largest in absolute value. Returns (eigenvalue of H, vector, iterations, converged)."""
    v = rng.standard_normal(op.n)
    v /= np.linalg.norm(v)
    value = 0.0
    for iteration in range(1, iters + 1):
        w = _as_host_matrix(op, v[:, None])[:, 0] - shift * v
        value = float(v @ w)  # the Rayleigh quotient vᵀ(H − shift·I)v
        residual = float(np.linalg.norm(w - value * v))
        norm = float(np.linalg.norm(w))
        if norm == 0.0:  # v is in the null space of H - shift·I
            return value + shift, v, iteration, True
        if residual <= tol * max(abs(value), np.finfo(float).tiny):
            return value + shift, v, iteration, True
        v = w / norm
    return value + shift, v, iters, False


def power_iteration(f: Callable, x: Inputs, iters: int = 200, tol: float = 1e-6,
                    seed: int | None = None) -> PowerIterationResult:
    """The largest eigenvalue λ_max of the Hessian of ``f`` at ``x`` by power iteration on HVPs.

    Power iteration finds the eigenvalue of largest magnitude. When that one is negative (a saddle or a
    maximum with a steep way down), it runs again on H − μI, whose largest-magnitude eigenvalue is
    λ_max − μ, so the answer is always the top (algebraically largest) eigenvalue. ``converged`` is
    True when ‖Hv − λv‖ ≤ tol·|λ|; it may take many iterations when the top two eigenvalues are close.

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 1.0], dtype=tl.float64)
    >>> top = tl.curvature.power_iteration(lambda x: 3 * x[0] ** 2 + 0.5 * x[1] ** 2, x, seed=0)
    >>> round(top.eigenvalue, 6), top.converged
    (6.0, True)
    """
    if not isinstance(iters, int) or isinstance(iters, bool) or iters < 1:
        raise ValueError(f"power_iteration: iters must be at least 1, got {iters!r}")
    op = HessianVectorProduct(f, x, who="power_iteration")
    rng = _rng(seed)
    value, vector, iterations, converged = _dominant(op, 0.0, iters, tol, rng)
    if value < 0:
        value, vector, more, converged = _dominant(op, value, iters, tol, rng)
        iterations += more
    return PowerIterationResult(value, vector, iterations, converged)


@dataclass
class TraceEstimate:
    """Hutchinson's estimate of tr(H) and its standard error; ``float(estimate)`` gives the value."""

    trace: float
    std_error: float
    samples: int

    def __float__(self) -> float:
        return self.trace


def hutchinson_trace(f: Callable, x: Inputs, samples: int = 64, seed: int | None = None) -> TraceEstimate:
    """Estimate tr(H) = E[vᵀHv] over random sign vectors v (each entry ±1), from HVPs only.

    For such v, E[v vᵀ] = I, so E[vᵀHv] = tr(H E[v vᵀ]) = tr(H). The average of ``samples`` draws has
    standard error ``std_error``. The trace is the sum of the eigenvalues, a cheap summary of how curved
    the loss is overall. All samples are multiplied by H in one batched pass.

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 1.0], dtype=tl.float64)
    >>> estimate = tl.curvature.hutchinson_trace(lambda x: 3 * x[0] ** 2 + 0.5 * x[1] ** 2, x, seed=0)
    >>> round(estimate.trace, 6)                                   # diagonal H: exact for sign vectors
    7.0
    """
    if samples < 1:
        raise ValueError(f"hutchinson_trace: samples must be at least 1, got {samples}")
    op = HessianVectorProduct(f, x, who="hutchinson_trace")
    V = _rng(seed).choice([-1.0, 1.0], size=(op.n, samples))
    quadratic_forms = (V * _as_host_matrix(op, V)).sum(axis=0)  # vᵀHv for every column v
    error = float(quadratic_forms.std(ddof=1) / np.sqrt(samples)) if samples > 1 else float("nan")
    return TraceEstimate(float(quadratic_forms.mean()), error, samples)


# --- escaping a saddle point --------------------------------------------------------------------


def escape_direction(f: Callable, x: Inputs, tol: float | None = None, k: int = 40, seed: int | None = None,
                     exact_limit: int = 2000) -> Tensor | None:
    """The unit eigenvector u of the most negative eigenvalue of H at x, or None when there is none.

    Along u, L(θ′ + αu) ≈ L(θ′) + α gᵀu + ½ α² λ_min, which decreases when λ_min < 0 (F06): the
    lecture's update θ = θ′ + u. u is shaped like x (a flat (n,) Tensor for a list x) on x's device.
    Its sign is chosen so that gᵀu ≤ 0 (downhill to first order too); at a critical point both signs
    go down and the largest entry is made positive. Eigenvalues within ``tol`` of 0 (default as in
    :func:`classify`) do not count: at a minimum, or a flat valley, it returns None.

    Up to ``exact_limit`` parameters H is formed and decomposed exactly; above, ``k`` Lanczos steps
    (HVPs only) find the most negative eigenvalue.

    >>> import tinygrad_lite as tl
    >>> f = lambda w: (1 - w[0] * w[1]) ** 2                      # the lecture's network y = w1·w2·x
    >>> w = tl.tensor([0.0, 0.0], dtype=tl.float64)
    >>> u = tl.curvature.escape_direction(f, w)
    >>> u                                                         # the lecture's u = [1, 1], normalised
    tensor([0.70710678, 0.70710678], dtype=float64)
    >>> round(float(f(w)), 6), round(float(f(w + u)), 6)          # the loss drops from 1 to 0.25
    (1.0, 0.25)
    """
    op = HessianVectorProduct(f, x, who="escape_direction")
    if op.n <= exact_limit:
        values, vectors = np.linalg.eigh(backend.to_host(op.matrix()).astype(np.float64))
    else:
        result = _lanczos(op, k, _rng(seed))
        values, vectors = result.eigenvalues, result.eigenvectors
    tol = _default_tol(values, op.dtype) if tol is None else float(tol)
    if values[0] >= -tol:
        return None
    u = vectors[:, 0] / np.linalg.norm(vectors[:, 0])
    slope = float(backend.to_host(op.gradient.data).reshape(-1).astype(np.float64) @ u)
    if abs(slope) > np.sqrt(np.finfo(op.dtype).eps):
        u = -u if slope > 0 else u
    elif u[np.argmax(np.abs(u))] < 0:
        u = -u
    return Tensor._make(backend.to_device(u.astype(op.dtype).reshape(op.shape), op.device), False)
