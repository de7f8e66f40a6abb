"""Gradient descent, with momentum in PyTorch's form (SGD) and in the lecture's form (Momentum).

The two forms of momentum walk the same path while the learning rate is constant and part ways as soon
as a scheduler changes it, which is why both are here (F21, F22).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's ``torch.optim.SGD`` rule with its arguments and defaults (F20)::

        g ← −g                                   (when maximize: climb the objective instead)
        g ← g + weight_decay · θ                 (when weight_decay > 0)
        v ← momentum · v + (1 − dampening) · g   (v = g on the first step; skipped when momentum = 0)
        θ ← θ − η · v                            (nesterov: θ ← θ − η · (g + momentum · v))

    ``dampening`` scales each new gradient's share of the buffer (it must be 0 with ``nesterov=True``,
    as in PyTorch); the first step stores g itself, undamped, as PyTorch does.

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

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        self._check_range(group, "momentum", 0.0)
        self._check_range(group, "dampening", 0.0, 1.0, high_inclusive=True)
        self._check_range(group, "weight_decay", 0.0)
        self._check_bool(group, "nesterov")
        self._check_bool(group, "maximize")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")

    def _state_arrays(self, group: dict[str, Any]) -> dict[str, float | None]:
        return {"momentum_buffer": None} if group["momentum"] else {}

    def _scratch_arrays(self, group: dict[str, Any]) -> int:
        return 2 if group["maximize"] or group["weight_decay"] else 1

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any], new: frozenset[str],
                scratch: list) -> None:
        xp = backend.get_array_module(p.data)
        lr, mu = group["lr"], group["momentum"]
        step = scratch[0]
        if group["maximize"] or group["weight_decay"]:
            g = self._gradient(p, g, group, out=scratch[-1])  # −g with maximize, + weight_decay · θ
        if mu:
            v = state["momentum_buffer"]
            if "momentum_buffer" in new:
                xp.copyto(v, g)  # v¹ = g
            else:
                v *= mu
                if group["dampening"]:
                    v += xp.multiply(g, 1 - group["dampening"], out=step)
                else:
                    v += g
            if group["nesterov"]:
                g = xp.add(g, xp.multiply(v, mu, out=step), out=step)  # g + momentum · v
            else:
                g = v
        p.data -= xp.multiply(g, lr, out=step)  # θ ← θ − η · v
        state["step"], state["lr"] = state.get("step", 0) + 1, lr


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

    def _state_arrays(self, group: dict[str, Any]) -> dict[str, float | None]:
        return {"m": None}

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any], new: frozenset[str],
                scratch: list) -> None:
        xp = backend.get_array_module(p.data)
        lr, lam, m = group["lr"], group["momentum"], state["m"]
        if "m" in new:
            xp.multiply(g, -lr, out=m)  # m¹ = λ·0 − η g⁰
        else:
            m *= lam
            m -= xp.multiply(g, lr, out=scratch[0])  # mᵗ⁺¹ = λ mᵗ − η gᵗ
        p.data += m  # θᵗ⁺¹ = θᵗ + mᵗ⁺¹
        state["step"], state["lr"] = state.get("step", 0) + 1, lr
