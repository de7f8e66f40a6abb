"""Adagrad: each parameter's step is divided by the size σ of all its past gradients (F26, F27)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer

FORMS = ("pytorch", "lecture")


class Adagrad(Optimizer):
    """Adagrad: a parameter with large past gradients gets a small step, one with small ones a large step.

    ``form="pytorch"`` (the default) is ``torch.optim.Adagrad`` (Duchi et al.), with its arguments and
    defaults; σ is the root of the *sum*::

        g   ← −g                                 (when maximize: climb the objective instead)
        g   ← g + weight_decay · θ               (when weight_decay > 0)
        ηᵗ  = η / (1 + (t − 1) · lr_decay)       (t = 1 on the first step; lr_decay = 0 keeps η)
        sum ← sum + g²                           (sum = initial_accumulator_value before the first step)
        σ   = √sum
        θ   ← θ − ηᵗ · g / (σ + ε)

    ``form="lecture"`` is the slide's formula (F26), σ is the root *mean* square of the gradients so far::

        σᵢᵗ = √( 1/(t+1) · Σⱼ₌₀ᵗ (gᵢʲ)² )
        θᵢᵗ⁺¹ ← θᵢᵗ − η / (σᵢᵗ + ε) · gᵢᵗ

    The two differ by √(t+1): the lecture's form with a constant η equals PyTorch's with the rate
    η·√(t+1), and PyTorch's form is the lecture's with the decay ηᵗ = η/√(t+1) (F33). The lecture's first
    step moves every parameter by exactly η (g⁰/|g⁰|); its σ shrinks again after a run of small
    gradients, which is where the bursts of F32 come from. ε (not on the slide) only avoids 0/0 for a
    gradient that is exactly 0. A mean has no starting sum, so the lecture's form takes
    ``initial_accumulator_value=0`` only (``lr_decay``, ``weight_decay`` and ``maximize`` work with both).

    State (``opt.state[p]``): ``"sum"`` (Σ g²), ``"sigma"`` (σ of the last step), ``"step"``, ``"lr"`` (ηᵗ
    of the last step); ``opt.effective_lr(p)`` is ηᵗ/(σ + ε). PyTorch fills its ``sum`` when the optimizer
    is made; here it appears with the first step, from the same starting value.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0, 100.0], requires_grad=True)
    >>> opt = tl.optim.Adagrad([w], lr=0.1, form="lecture")
    >>> (w ** 2).sum().backward()
    >>> opt.step()                            # the first step is exactly η for every parameter
    >>> w
    tensor([ 0.9, 99.9], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 0.01, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 maximize: bool = False, form: str = "pytorch"):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize, form=form))

    def _check_group(self, group: dict[str, Any]) -> None:
        self._check_range(group, "lr_decay", 0.0)
        self._check_range(group, "weight_decay", 0.0)
        self._check_range(group, "initial_accumulator_value", 0.0)
        self._check_range(group, "eps", 0.0)
        self._check_bool(group, "maximize")
        if group["form"] not in FORMS:
            raise ValueError(f"Adagrad: invalid form {group['form']!r}; expected one of {FORMS}")
        if group["form"] == "lecture" and group["initial_accumulator_value"]:
            raise ValueError("Adagrad: form='lecture' (a root mean square) has no starting sum, got "
                             f"initial_accumulator_value={group['initial_accumulator_value']!r}; use form='pytorch'")

    def _state_arrays(self, group: dict[str, Any]) -> dict[str, float | None]:
        return {"sum": group["initial_accumulator_value"], "sigma": None}

    def _scratch_arrays(self, group: dict[str, Any]) -> int:
        return 3 if group["maximize"] or group["weight_decay"] else 2

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any], new: frozenset[str],
                scratch: list) -> None:
        xp = backend.get_array_module(p.data)
        g = self._gradient(p, g, group, out=scratch[-1])  # −g with maximize, + weight_decay · θ
        t = state.get("step", 0) + 1
        lr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        total, sigma, step, denominator = state["sum"], state["sigma"], scratch[0], scratch[1]
        total += xp.multiply(g, g, out=step)  # sum ← sum + g²
        if group["form"] == "lecture":
            xp.sqrt(xp.divide(total, t, out=sigma), out=sigma)  # σ = √(Σ g² / t)
        else:
            xp.sqrt(total, out=sigma)  # σ = √sum
        xp.add(sigma, group["eps"], out=denominator)
        p.data -= xp.divide(xp.multiply(g, lr, out=step), denominator, out=step)  # θ ← θ − ηᵗ · g / (σ + ε)
        state["step"], state["lr"] = t, lr

    def _scale(self, state: dict[str, Any], group: dict[str, Any]):
        return state["sigma"] + group["eps"]
