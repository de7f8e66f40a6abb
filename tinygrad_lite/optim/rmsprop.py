"""RMSProp: σ follows the *recent* size of the gradients, so the step can grow again (F29, F30)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import backend
from ..tensor import Tensor
from .adagrad import FORMS
from .optimizer import Optimizer


class RMSProp(Optimizer):
    """RMSProp: divide each step by a moving root-mean-square σ of the gradients (Hinton's lecture notes).

    ``form="pytorch"`` (the default) is ``torch.optim.RMSprop``, with its arguments and defaults::

        g ← −g                                   (when maximize: climb the objective instead)
        g ← g + weight_decay · θ                 (when weight_decay > 0)
        v ← α · v + (1 − α) · g²                 (v = 0 before the first step)
        ḡ ← α · ḡ + (1 − α) · g                  (centered only: ḡ = 0 before the first step)
        σ = √v                                   (centered: σ = √(v − ḡ²), the moving standard deviation)
        b ← momentum · b + g / (σ + ε)           (momentum > 0 only: b = 0 before the first step)
        θ ← θ − η · b                            (momentum = 0: θ ← θ − η · g / (σ + ε))

    ``form="lecture"`` is the slide's formula (F29), which starts from the first gradient itself::

        σᵢ⁰ = |gᵢ⁰|
        σᵢᵗ = √( α · (σᵢᵗ⁻¹)² + (1 − α) · (gᵢᵗ)² )
        θᵢᵗ⁺¹ ← θᵢᵗ − η / (σᵢᵗ + ε) · gᵢᵗ

    The recursions are the same (v = σ²); only the start differs. PyTorch's v starts at 0, so its first
    σ is √(1 − α)·|g⁰| and its first step is 1/√(1 − α) times larger (10× for α = 0.99); the effect
    fades as αᵗ → 0. Small α makes σ follow the latest gradient; α → 1 makes it react slowly. The
    slide has neither centering nor momentum, so the lecture's form takes ``centered=False`` and
    ``momentum=0`` only (``weight_decay`` and ``maximize`` change g and work with both forms).

    State (``opt.state[p]``): ``"square_avg"`` (v), ``"grad_avg"`` (ḡ, when centered),
    ``"momentum_buffer"`` (b, when momentum > 0), ``"sigma"`` (σ of the last step), ``"step"``, ``"lr"``;
    ``opt.effective_lr(p)`` is η/(σ + ε).

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([3.0], requires_grad=True)
    >>> opt = tl.optim.RMSProp([w], lr=0.1, alpha=0.9, form="lecture")
    >>> (w ** 2).sum().backward()
    >>> opt.step()                            # σ⁰ = |g⁰|, so the first step is η
    >>> w
    tensor([2.9], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 0.01, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 *, maximize: bool = False, form: str = "pytorch"):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize, form=form))

    def _check_group(self, group: dict[str, Any]) -> None:
        self._check_range(group, "alpha", 0.0, 1.0, high_inclusive=True)
        self._check_range(group, "eps", 0.0)
        self._check_range(group, "weight_decay", 0.0)
        self._check_range(group, "momentum", 0.0)
        self._check_bool(group, "centered")
        self._check_bool(group, "maximize")
        if group["form"] not in FORMS:
            raise ValueError(f"RMSProp: invalid form {group['form']!r}; expected one of {FORMS}")
        if group["form"] == "lecture" and (group["centered"] or group["momentum"]):
            raise ValueError(f"RMSProp: form='lecture' (the slide's formula) has no centering and no momentum, got "
                             f"centered={group['centered']!r}, momentum={group['momentum']!r}; use form='pytorch'")

    def _state_arrays(self, group: dict[str, Any]) -> dict[str, float | None]:
        lecture = group["form"] == "lecture"
        arrays: dict[str, float | None] = {"square_avg": None if lecture else 0.0, "sigma": None}  # v⁰ = 0
        if group["centered"]:
            arrays["grad_avg"] = 0.0  # ḡ⁰ = 0
        if group["momentum"]:
            arrays["momentum_buffer"] = 0.0  # b⁰ = 0
        return arrays

    def _scratch_arrays(self, group: dict[str, Any]) -> int:
        return 2 if group["maximize"] or group["weight_decay"] else 1

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any], new: frozenset[str],
                scratch: list) -> None:
        xp = backend.get_array_module(p.data)
        alpha, lr, mu = group["alpha"], group["lr"], group["momentum"]
        g = self._gradient(p, g, group, out=scratch[-1])  # −g with maximize, + weight_decay · θ
        square_avg, sigma, step = state["square_avg"], state["sigma"], scratch[0]
        if "square_avg" in new and group["form"] == "lecture":
            xp.multiply(g, g, out=square_avg)  # the lecture's start: (σ⁰)² = (g⁰)²
        else:
            square_avg *= alpha
            square_avg += xp.multiply(xp.multiply(g, g, out=step), 1 - alpha, out=step)  # v ← αv + (1 − α)g²
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += xp.multiply(g, 1 - alpha, out=step)  # ḡ ← αḡ + (1 − α)g
            xp.sqrt(xp.subtract(square_avg, xp.multiply(grad_avg, grad_avg, out=sigma), out=sigma), out=sigma)
        else:
            xp.sqrt(square_avg, out=sigma)
        step = xp.divide(g, xp.add(sigma, group["eps"], out=step), out=step)  # g / (σ + ε)
        if mu:
            buffer = state["momentum_buffer"]
            buffer *= mu
            buffer += step  # b ← momentum · b + g / (σ + ε)
            step = buffer
        p.data -= xp.multiply(step, lr, out=scratch[0])  # θ ← θ − η · b
        state["step"], state["lr"] = state.get("step", 0) + 1, lr

    def _scale(self, state: dict[str, Any], group: dict[str, Any]):
        return state["sigma"] + group["eps"]
