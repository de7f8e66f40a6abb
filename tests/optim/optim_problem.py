"""The test problem shared by the optimizer tests: a quadratic over two parameters with a known gradient.

    L(w, U) = ½ wᵀAw − bᵀw + Σ c ⊙ U²        ∇_w L = Aw − b,   ∇_U L = 2 c ⊙ U

A is symmetric positive definite with very different curvatures (1 … 20), so adaptive optimizers and
plain SGD take visibly different paths. Reference loops use ``numpy_gradients``; the optimizers under
test get their gradients from ``backward()``.
"""

from __future__ import annotations

import numpy as np

import tinygrad_lite as tl

A = np.array([[20.0, 2.0, 0.0], [2.0, 5.0, 1.0], [0.0, 1.0, 1.0]])
B = np.array([1.0, -2.0, 0.5])
C = np.array([[0.5, 3.0], [1.0, 8.0]])
W0 = np.array([1.0, -1.5, 2.5])
U0 = np.array([[1.0, -2.0], [0.5, 1.5]])


def start() -> list[np.ndarray]:
    """The starting point as fresh float64 NumPy arrays [w, U]."""
    return [W0.copy(), U0.copy()]


def parameters(device: str, dtype=tl.float64) -> list[tl.Tensor]:
    """The starting point as leaf tensors that require grad, on ``device``."""
    return [tl.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in start()]


def loss(w: tl.Tensor, U: tl.Tensor) -> tl.Tensor:
    A_t = tl.tensor(A, dtype=w.dtype, device=w.device)
    b_t = tl.tensor(B, dtype=w.dtype, device=w.device)
    c_t = tl.tensor(C, dtype=U.dtype, device=U.device)
    return 0.5 * (w * (A_t @ w)).sum() - (b_t * w).sum() + (c_t * U * U).sum()


def numpy_gradients(w: np.ndarray, U: np.ndarray) -> list[np.ndarray]:
    return [A @ w - B, 2 * C * U]


def host(array) -> np.ndarray:
    """A NumPy copy of an optimizer's state array (which lives on the parameter's device)."""
    return tl.backend.to_host(array)


def compute_gradients(opt: tl.optim.Optimizer, params: list[tl.Tensor]) -> None:
    """zero_grad, then backward of the loss at the current parameters."""
    opt.zero_grad()
    loss(*params).backward()
