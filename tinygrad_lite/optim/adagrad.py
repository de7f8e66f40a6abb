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

    ``form="pytorch"`` (the default) is ``torch.optim.Adagrad`` (Duchi et al.), σ is the root of the *sum*::

        sum ← sum + g²
        σ   = √sum
        θ   ← θ − η · g / (σ + ε)

    ``form="lecture"`` is the slide's formula (F26), σ is the root *mean* square of the gradients so far::

        σᵢᵗ = √( 1/(t+1) · Σⱼ₌₀ᵗ (gᵢʲ)² )
        θᵢᵗ⁺¹ ← θᵢᵗ − η / (σᵢᵗ + ε) · gᵢᵗ

    The two differ by √(t+1): the lecture's form with a constant η equals PyTorch's with the rate
    η·√(t+1), and PyTorch's form is the lecture's with the decay ηᵗ = η/√(t+1) (F33). The lecture's first
    step moves every parameter by exactly η (g⁰/|g⁰|); its σ shrinks again after a run of small
    gradients, which is where the bursts of F32 come from. ε (not on the slide) only avoids 0/0 for a
    gradient that is exactly 0.

    State (``opt.state[p]``): ``"sum"`` (Σ g²), ``"sigma"`` (σ of the last step), ``"step"``, ``"lr"``;
    ``opt.effective_lr(p)`` is η/(σ + ε).

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0, 100.0], requires_grad=True)
    >>> opt = tl.optim.Adagrad([w], lr=0.1, form="lecture")
    >>> (w ** 2).sum().backward()
    >>> opt.step()                            # the first step is exactly η for every parameter
    >>> w
    tensor([ 0.9, 99.9], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 0.01, eps: float = 1e-10,
                 form: str = "pytorch"):
        super().__init__(params, dict(lr=lr, eps=eps, form=form))

    def _check_group(self, group: dict[str, Any]) -> None:
        self._check_range(group, "eps", 0.0)
        if group["form"] not in FORMS:
            raise ValueError(f"Adagrad: invalid form {group['form']!r}; expected one of {FORMS}")

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = backend.get_array_module(p.data)
        if "sum" not in state:
            state["sum"] = g * g  # a new array: g itself is never written
            state["step"] = 0
        else:
            state["sum"] += g * g
        state["step"] += 1
        mean_or_sum = state["sum"] / state["step"] if group["form"] == "lecture" else state["sum"]
        state["sigma"] = xp.sqrt(mean_or_sum)
        p.data -= group["lr"] * g / self._scale(state, group)
        state["lr"] = group["lr"]

    def _scale(self, state: dict[str, Any], group: dict[str, Any]):
        return state["sigma"] + group["eps"]
