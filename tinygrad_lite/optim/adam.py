"""Adam = RMSProp + Momentum (F31), and AdamW, Adam with weight decay kept out of the adaptive step."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, Algorithm 1), the lecture's algorithm box (F31), same as ``torch.optim.Adam``::

        g  ← −g                                  (when maximize: climb the objective instead)
        g  ← g + weight_decay · θ                (when weight_decay > 0: L2 penalty in the gradient)
        m  ← β1 · m + (1 − β1) · g               (momentum part: a moving average of g)
        v  ← β2 · v + (1 − β2) · g²              (RMSProp part: a moving average of g²)
        v_max ← max(v_max, v)                    (amsgrad only: σ never shrinks; Reddi et al.)
        m̂  = m / (1 − β1ᵗ),   v̂ = v / (1 − β2ᵗ)   (bias corrections: m and v start at 0; v_max for v with amsgrad)
        θ  ← θ − η · m̂ / (√v̂ + ε)

    The lecture's box and PyTorch agree, so there is no second form. Compared with the lecture's
    RMSProp (σ⁰ = |g⁰|), Adam starts v at 0 and undoes that start with the bias correction, so its
    first step is η·g/(|g| + ε) ≈ η·sign(g), as in the lecture's RMSProp. The lecture's summary
    θ ← θ − (ηᵗ/σᵗ)·mᵗ (F36) is this rule with mᵗ = m̂ and σᵗ = √v̂.

    State (``opt.state[p]``): ``"m"``, ``"v"`` (PyTorch calls them ``exp_avg`` and ``exp_avg_sq``),
    ``"v_max"`` (with amsgrad; PyTorch's ``max_exp_avg_sq``), ``"m_hat"``, ``"v_hat"`` (of the last step),
    ``"step"`` (t), ``"lr"``; ``opt.effective_lr(p)`` is η/(√v̂ + ε).

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0, -100.0], requires_grad=True, dtype=tl.float64)
    >>> opt = tl.optim.Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()                            # the first step is ≈ η·sign(g) for every parameter
    >>> w
    tensor([  0.9, -99.9], dtype=float64, requires_grad=True)
    """

    decoupled_weight_decay = False  # AdamW sets this

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        betas = group["betas"]
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"{self._name}: betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            # beta < 0 or not beta < 1 (rather than 0 <= beta < 1): the numbers.Real stubs declare only < and <=;
            # NaN is rejected either way
            if not isinstance(beta, numbers.Real) or isinstance(beta, bool) or beta < 0.0 or not beta < 1.0:
                raise ValueError(f"{self._name}: invalid beta{i + 1} {beta!r} in betas={tuple(betas)!r}; "
                                 "expected 0 <= beta < 1")
        group["betas"] = tuple(betas)
        self._check_range(group, "eps", 0.0)
        self._check_range(group, "weight_decay", 0.0)
        self._check_bool(group, "amsgrad")
        self._check_bool(group, "maximize")

    def _state_arrays(self, group: dict[str, Any]) -> dict[str, float | None]:
        arrays: dict[str, float | None] = {"m": 0.0, "v": 0.0, "m_hat": None, "v_hat": None}  # m⁰ = v⁰ = 0
        if group["amsgrad"]:
            arrays["v_max"] = None  # v_max⁰ = 0, or the v of the last step when amsgrad is switched on later
        return arrays

    def _scratch_arrays(self, group: dict[str, Any]) -> int:
        return 3 if group["maximize"] or (group["weight_decay"] and not self.decoupled_weight_decay) else 2

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any], new: frozenset[str],
                scratch: list) -> None:
        xp = backend.get_array_module(p.data)
        lr, weight_decay, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        # Adam: the L2 penalty's gradient λθ joins g; AdamW decays θ itself, below
        g = self._gradient(p, g, group, out=scratch[-1], weight_decay=0.0 if self.decoupled_weight_decay else None)
        m, v, m_hat, v_hat = state["m"], state["v"], state["m_hat"], state["v_hat"]
        step, denominator = scratch[0], scratch[1]
        t = state.get("step", 0) + 1
        if group["amsgrad"]:
            v_max = state["v_max"]
            if "v_max" in new:
                xp.copyto(v_max, v)  # v before this step: 0 on the first one
        m *= beta1
        m += xp.multiply(g, 1 - beta1, out=step)  # m ← β1 m + (1 − β1) g
        v *= beta2
        v += xp.multiply(xp.multiply(g, g, out=step), 1 - beta2, out=step)  # v ← β2 v + (1 − β2) g²
        second = v
        if group["amsgrad"]:
            second = xp.maximum(v_max, v, out=v_max)  # v_max ← max(v_max, v)
        xp.divide(m, 1 - beta1 ** t, out=m_hat)  # m̂ = m / (1 − β1ᵗ)
        xp.divide(second, 1 - beta2 ** t, out=v_hat)  # v̂ = v / (1 − β2ᵗ)
        xp.add(xp.sqrt(v_hat, out=denominator), eps, out=denominator)
        xp.divide(xp.multiply(m_hat, lr, out=step), denominator, out=step)  # η · m̂ / (√v̂ + ε)
        if weight_decay and self.decoupled_weight_decay:
            p.data *= 1 - lr * weight_decay  # AdamW: θ ← θ − η·λ·θ, outside the adaptive step
        p.data -= step
        state["step"], state["lr"] = t, lr

    def _scale(self, state: dict[str, Any], group: dict[str, Any]):
        return backend.get_array_module(state["v_hat"]).sqrt(state["v_hat"]) + group["eps"]


class AdamW(Adam):
    """Adam with *decoupled* weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``::

        θ ← θ − η · weight_decay · θ             (shrink the weights directly ...)
        θ ← θ − η · m̂ / (√v̂ + ε)                 (... then the Adam step on the plain gradient)

    How it differs from ``Adam(weight_decay=λ)``: Adam adds λθ to the gradient, so the decay is divided
    by √v̂ like everything else and weights with large gradients are barely decayed; AdamW decays every
    weight at the same rate η·λ. The default ``weight_decay`` is 0.01, as in PyTorch.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0], requires_grad=True)
    >>> opt = tl.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = tl.zeros(1)                   # no gradient: only the decay acts
    >>> opt.step()
    >>> w                                      # 1 · (1 − 0.1 · 0.5)
    tensor([0.95], requires_grad=True)
    """

    decoupled_weight_decay = True

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.01,
                 amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize)
