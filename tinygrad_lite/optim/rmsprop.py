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

    ``form="pytorch"`` (the default) is ``torch.optim.RMSprop`` (without momentum or centering)::

        v ← α · v + (1 − α) · g²                 (v = 0 before the first step)
        θ ← θ − η · g / (√v + ε)

    ``form="lecture"`` is the slide's formula (F29), which starts from the first gradient itself::

        σᵢ⁰ = |gᵢ⁰|
        σᵢᵗ = √( α · (σᵢᵗ⁻¹)² + (1 − α) · (gᵢᵗ)² )
        θᵢᵗ⁺¹ ← θᵢᵗ − η / (σᵢᵗ + ε) · gᵢᵗ

    The recursions are the same (v = σ²); only the start differs. PyTorch's v starts at 0, so its first
    σ is √(1 − α)·|g⁰| and its first step is 1/√(1 − α) times larger (10× for α = 0.99); the effect
    fades as αᵗ → 0. Small α makes σ follow the latest gradient; α → 1 makes it react slowly.

    State (``opt.state[p]``): ``"square_avg"`` (v = σ²), ``"sigma"`` (σ of the last step), ``"step"``,
    ``"lr"``; ``opt.effective_lr(p)`` is η/(σ + ε).

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([3.0], requires_grad=True)
    >>> opt = tl.optim.RMSProp([w], lr=0.1, alpha=0.9, form="lecture")
    >>> (w ** 2).sum().backward()
    >>> opt.step()                            # σ⁰ = |g⁰|, so the first step is η
    >>> w
    tensor([2.9], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 0.01, alpha: float = 0.99,
                 eps: float = 1e-8, form: str = "pytorch"):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, form=form))

    def _check_group(self, group: dict[str, Any]) -> None:
        self._check_range(group, "alpha", 0.0, 1.0, high_inclusive=True)
        self._check_range(group, "eps", 0.0)
        if group["form"] not in FORMS:
            raise ValueError(f"RMSProp: invalid form {group['form']!r}; expected one of {FORMS}")

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = backend.get_array_module(p.data)
        alpha = group["alpha"]
        if "square_avg" not in state:
            # lecture: (σ⁰)² = (g⁰)²;  PyTorch: v¹ = α·0 + (1 − α)·(g⁰)²  (new arrays: g is not written)
            state["square_avg"] = g * g if group["form"] == "lecture" else (1 - alpha) * (g * g)
            state["step"] = 0
        else:
            v = state["square_avg"]
            v *= alpha
            v += (1 - alpha) * (g * g)
        state["step"] += 1
        state["sigma"] = xp.sqrt(state["square_avg"])
        p.data -= group["lr"] * g / self._scale(state, group)
        state["lr"] = group["lr"]

    def _scale(self, state: dict[str, Any], group: dict[str, Any]):
        return state["sigma"] + group["eps"]
