"""Gradient descent, with momentum in PyTorch's form (SGD) and in the lecture's form (Momentum).

The two forms of momentum walk the same path while the learning rate is constant and part ways as soon
as a scheduler changes it, which is why both are here (F21, F22).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's ``torch.optim.SGD`` rule (F20)::

        g ← g + weight_decay · θ                 (when weight_decay > 0)
        v ← momentum · v + g                     (v = g on the first step; skipped when momentum = 0)
        θ ← θ − η · v                            (nesterov: θ ← θ − η · (g + momentum · v))

    How it differs from the lecture: the lecture's momentum (see :class:`Momentum`) keeps the *movement*
    m ← λm − ηg, so every past gradient stays scaled by the rate it was taken with. Here the buffer v
    sums raw gradients and the *current* η scales all of them. With a constant η the two are the same
    path (m = −η·v); under a learning-rate schedule they differ.

    State (``opt.state[p]``): ``"momentum_buffer"`` (v, when momentum > 0), ``"step"`` (updates made),
    ``"lr"`` (the rate of the last update).

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = tl.optim.SGD([w], lr=0.1)
    >>> (w ** 2).sum().backward()            # g = 2w = [2, -4]
    >>> opt.step()                           # θ ← θ − 0.1 g
    >>> w
    tensor([ 0.8, -1.6], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay))

    def _check_group(self, group: dict[str, Any]) -> None:
        self._check_range(group, "momentum", 0.0)
        self._check_range(group, "weight_decay", 0.0)
        if group["nesterov"] and group["momentum"] <= 0:
            raise ValueError(f"SGD: nesterov=True needs momentum > 0, got momentum={group['momentum']!r}")

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, mu, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if weight_decay:
            g = g + weight_decay * p.data  # a new array: the gradient itself is never written
        if mu:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.copy()  # copied: g may be shared, or a read-only view
            else:
                v = state["momentum_buffer"]
                v *= mu
                v += g
            v = state["momentum_buffer"]
            g = g + mu * v if group["nesterov"] else v
        p.data -= lr * g
        state["step"] = state.get("step", 0) + 1
        state["lr"] = lr


class Momentum(Optimizer):
    """Gradient descent with momentum exactly as on the lecture's slide (F21, F22)::

        m⁰ = 0
        mᵗ⁺¹ ← λ · mᵗ − η · gᵗ                    (the movement: last movement minus the gradient)
        θᵗ⁺¹ ← θᵗ + mᵗ⁺¹

    so m is a weighted sum of all past gradients, mᵗ = −η Σᵢ λ^(t−1−i) gⁱ (with a constant η).
    ``momentum`` is the lecture's λ.

    How it differs from PyTorch: ``SGD(momentum=λ)`` keeps v ← λv + g and steps θ ← θ − η·v. With a
    constant η both give the same θᵗ (m = −η·v). When η changes over time the lecture's form keeps each
    past gradient at the rate it was taken with, while PyTorch rescales the whole sum by today's η.

    State (``opt.state[p]``): ``"m"`` (the movement of the last step), ``"step"``, ``"lr"``.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0], requires_grad=True)
    >>> opt = tl.optim.Momentum([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w ** 2).sum().backward()
    ...     opt.step()
    >>> opt.state[w]["m"]                     # m² = 0.9·(−0.2) − 0.1·1.6
    array([-0.34], dtype=float32)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float, momentum: float = 0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _check_group(self, group: dict[str, Any]) -> None:
        self._check_range(group, "momentum", 0.0)

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, lam = group["lr"], group["momentum"]
        if "m" not in state:
            state["m"] = -lr * g  # m¹ = λ·0 − η g⁰ (a new array, so g is never written)
        else:
            m = state["m"]
            m *= lam
            m -= lr * g
        p.data += state["m"]
        state["step"] = state.get("step", 0) + 1
        state["lr"] = lr
