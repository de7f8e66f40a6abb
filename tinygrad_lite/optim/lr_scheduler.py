"""Learning-rate schedules: ηᵗ that changes with the step t (F33 decay, F34 warm-up).

A scheduler owns the ``lr`` of an optimizer's parameter groups. The loop is PyTorch's::

    for x, y in loader:
        opt.zero_grad()
        loss(x, y).backward()
        opt.step()          # uses opt.lr
        scheduler.step()    # sets opt.lr for the next opt.step()

so ``opt.lr`` always holds the rate the *next* ``opt.step()`` uses, from the moment the scheduler is
constructed: constructing it sets the rate of the first step. ``last_epoch`` counts the
``scheduler.step()`` calls so far (PyTorch's name, although it usually counts batches, not epochs).

Step conventions (``k = last_epoch``; optimizer step number ``t = k + 1``):

- ``LambdaLR``, ``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR`` are PyTorch's: the rate is a function
  of k, and k = 0 (the first step) gives the base rate.
- ``LinearWarmup`` and ``TransformerLR`` are written in t, as in DESIGN and in the Transformer paper:
  the first step has t = 1.
- ``OneCycleLR`` is PyTorch's too (k = 0 … total_steps), and cycles the momentum as well.
- ``ReduceLROnPlateau`` is the exception: it follows a metric, not the step count. Call
  ``scheduler.step(val_loss)`` once per epoch; it divides the rate when the metric stops improving.

The base rate of each group is the optimizer's ``lr`` when the first scheduler was attached (kept in the
group as ``"initial_lr"``, as PyTorch does; ``OneCycleLR`` sets it to max_lr / div_factor). Every schedule
of the step count is also a plain function of the step (``step_lr``, ``exponential_lr``,
``cosine_annealing_lr``, ``linear_warmup_lr``, ``transformer_lr``; ``LambdaLR``'s is the ``lr_lambda`` you
give it) that accepts NumPy arrays, for plotting without an optimizer (``OneCycleLR``'s methods
``lr_at(k)`` and ``momentum_at(k)`` change nothing either):

>>> import numpy as np
>>> from tinygrad_lite.optim.lr_scheduler import transformer_lr
>>> lr = transformer_lr(np.arange(1, 20001), d_model=512, warmup_steps=4000)
>>> int(np.argmax(lr)) + 1, round(float(lr.max()), 7)      # the peak is at t = warmup_steps (F34)
(4000, 0.0006988)
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .optimizer import Optimizer

# --- the schedules as functions of the step -----------------------------------------------------


def _number_or_array(value):
    """A Python float for a scalar step, the NumPy array for an array of steps."""
    return float(value) if np.ndim(value) == 0 else value


def step_lr(epoch, base_lr: float, step_size: int, gamma: float = 0.1):
    """η_k = base_lr · γ^⌊k / step_size⌋: multiply by γ every ``step_size`` steps (k = 0, 1, ...).

    >>> [step_lr(k, 1.0, step_size=2, gamma=0.5) for k in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    return _number_or_array(base_lr * gamma ** np.floor_divide(epoch, step_size))


def exponential_lr(epoch, base_lr: float, gamma: float):
    """η_k = base_lr · γ^k (k = 0, 1, ...).

    >>> [exponential_lr(k, 1.0, gamma=0.5) for k in range(3)]
    [1.0, 0.5, 0.25]
    """
    return _number_or_array(base_lr * gamma ** np.asarray(epoch, dtype=float))


def cosine_annealing_lr(epoch, base_lr: float, T_max: int, eta_min: float = 0.0):
    """η_k = η_min + (base_lr − η_min) · (1 + cos(π k / T_max)) / 2: half a cosine from base_lr to η_min.

    >>> [round(cosine_annealing_lr(k, 1.0, T_max=4), 4) for k in range(5)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """
    return _number_or_array(eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * np.asarray(epoch) / T_max)) / 2)


def linear_warmup_lr(t, base_lr: float, warmup_steps: int, after: Callable | None = None):
    """The rate of optimizer step t (t = 1, 2, ...): base_lr · t / warmup_steps while t ≤ warmup_steps,
    then base_lr, or ``after(t − warmup_steps − 1)``: the schedule ``after`` from its own step 0.

    >>> [linear_warmup_lr(t, 1.0, warmup_steps=4) for t in range(1, 7)]
    [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    >>> [linear_warmup_lr(t, 1.0, 2, after=lambda k: exponential_lr(k, 1.0, 0.5)) for t in range(1, 6)]
    [0.5, 1.0, 1.0, 0.5, 0.25]
    """
    t = np.asarray(t)
    ramp = base_lr * t / warmup_steps
    rest = base_lr if after is None else after(np.maximum(t - warmup_steps - 1, 0))
    return _number_or_array(np.where(t <= warmup_steps, ramp, rest))


def transformer_lr(t, d_model: int, warmup_steps: int, base_lr: float = 1.0):
    """The Transformer's rate for optimizer step t (t = 1, 2, ...; Vaswani et al., eq. 3; F34)::

        η_t = base_lr · d_model^−0.5 · min(t^−0.5, t · warmup_steps^−1.5)

    It rises linearly for ``warmup_steps`` steps, then decays as 1/√t; base_lr = 1 is the paper's.

    >>> transformer_lr(16000, 512, 4000) / transformer_lr(4000, 512, 4000)
    0.5
    """
    t = np.asarray(t, dtype=float)
    return _number_or_array(base_lr * d_model ** -0.5 * np.minimum(t ** -0.5, t * warmup_steps ** -1.5))


# --- schedulers attached to an optimizer --------------------------------------------------------


def _check_int(who: str, name: str, value, low: int) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise ValueError(f"{who}: invalid {name} {value!r}; expected an integer >= {low}")


def _check_number(who: str, name: str, value, low: float, strict: bool = False) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < low or (strict and value == low):
        raise ValueError(f"{who}: invalid {name} {value!r}; expected a number {'>' if strict else '>='} {low}")


class LRScheduler:
    """Base class: sets ``lr_at(last_epoch)`` into the optimizer's groups on construction and on ``step()``.

    A subclass implements ``lr_at(epoch)``, the list of rates (one per group) after ``epoch`` calls of
    ``step()``, from ``self.base_lrs``.
    """

    _last_lr: list[float]  # the rates _apply() set last

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an optimizer from tl.optim, "
                            f"got a {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def lr_at(self, epoch: int) -> list[float]:
        """The rates of every group after ``epoch`` calls of ``step()``."""
        raise NotImplementedError(f"{type(self).__name__}.lr_at")

    def step(self) -> None:
        """Advance one step and set the optimizer's rate for its next ``step()``."""
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self) -> list[float]:
        """The rates (one per parameter group) this scheduler last set: those of the next ``opt.step()``."""
        return list(self._last_lr)

    def _apply(self) -> None:
        lrs = [float(lr) for lr in self.lr_at(self.last_epoch)]
        for k, lr in enumerate(lrs):
            if not math.isfinite(lr) or lr < 0:
                raise ValueError(f"{type(self).__name__}: the schedule gave the invalid learning rate {lr!r} "
                                 f"for group {k} at step {self.last_epoch}; expected a finite number >= 0")
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = lrs

    _not_saved = ("optimizer", "lr_lambdas", "after")  # the optimizer and functions are the code's, not state

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer and functions such as ``lr_lambda`` (PyTorch's layout): the
        counter ``last_epoch``, ``base_lrs``, the last rates and the schedule's own settings.

        >>> import tinygrad_lite as tl
        >>> opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=1.0)
        >>> tl.optim.lr_scheduler.StepLR(opt, step_size=2).state_dict()
        {'step_size': 2, 'gamma': 0.1, 'base_lrs': [1.0], 'last_epoch': 0, '_last_lr': [1.0]}
        """
        return {key: copy.deepcopy(value) for key, value in vars(self).items() if key not in self._not_saved}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``state_dict()`` and set the optimizer's rate to the restored step's."""
        who = f"{type(self).__name__}.load_state_dict"
        own = self.state_dict()
        if not isinstance(state_dict, dict) or not {"last_epoch", "base_lrs"} <= set(state_dict) <= set(own):
            keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"{who}: expected a dict with 'last_epoch', 'base_lrs' and some of {sorted(own)}, "
                             f"got {keys}")
        base_lrs, last_epoch = state_dict["base_lrs"], state_dict["last_epoch"]
        _check_int(who, "last_epoch", last_epoch, 0)
        if not isinstance(base_lrs, (list, tuple)) or len(base_lrs) != len(self.base_lrs):
            raise ValueError(f"{who}: the snapshot has {len(base_lrs) if isinstance(base_lrs, (list, tuple)) else 0} "
                             f"parameter groups, the optimizer has {len(self.base_lrs)}")
        for lr in base_lrs:
            _check_number(who, "base_lrs entry", lr, 0.0)
        for key, value in state_dict.items():
            if key != "after":  # LinearWarmup loads its scheduler after itself
                setattr(self, key, list(value) if key in ("base_lrs", "_last_lr") else copy.deepcopy(value))
        self._apply()


class LambdaLR(LRScheduler):
    """η_k = base_lr · lr_lambda(k), with k = 0 for the first step (PyTorch's ``LambdaLR``).

    ``lr_lambda`` is one function, or a list with one function per parameter group.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0], requires_grad=True)
    >>> opt = tl.optim.SGD([w], lr=0.1)
    >>> scheduler = tl.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 ** k)
    >>> lrs = []
    >>> for _ in range(3):
    ...     lrs.append(opt.lr)                 # the rate this step uses
    ...     opt.step()
    ...     scheduler.step()
    >>> lrs
    [0.1, 0.05, 0.025]
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]] | tuple[Callable[[int], float], ...]):
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if len(lambdas) != groups:
            raise ValueError(f"LambdaLR: got {len(lambdas)} lr_lambda functions for {groups} parameter groups")
        if not all(callable(f) for f in lambdas):
            raise TypeError("LambdaLR: lr_lambda must be a function of the step (or a list of them)")
        self.lr_lambdas = lambdas
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> list[float]:
        return [base * f(epoch) for base, f in zip(self.base_lrs, self.lr_lambdas)]


class StepLR(LRScheduler):
    """η_k = base_lr · γ^⌊k / step_size⌋ (PyTorch's ``StepLR``): divide the rate every ``step_size`` steps.

    >>> import tinygrad_lite as tl
    >>> opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> scheduler = tl.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    >>> [scheduler.lr_at(k)[0] for k in range(5)]
    [1.0, 1.0, 0.1, 0.1, 0.010000000000000002]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        _check_int("StepLR", "step_size", step_size, 1)
        _check_number("StepLR", "gamma", gamma, 0.0)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> list[float]:
        return [step_lr(epoch, base, self.step_size, self.gamma) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """η_k = base_lr · γ^k (PyTorch's ``ExponentialLR``): multiply the rate by γ after every step.

    >>> import tinygrad_lite as tl
    >>> opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> scheduler = tl.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> scheduler.step(); scheduler.step()
    >>> opt.lr
    0.25
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        _check_number("ExponentialLR", "gamma", gamma, 0.0)
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> list[float]:
        return [exponential_lr(epoch, base, self.gamma) for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """η_k = η_min + (base_lr − η_min) · (1 + cos(π k / T_max)) / 2 (PyTorch's ``CosineAnnealingLR``).

    The rate falls from base_lr at k = 0 to η_min at k = T_max along half a cosine (and would rise again
    after, as in PyTorch). This is PyTorch's closed form; PyTorch computes the same numbers recursively.

    >>> import tinygrad_lite as tl
    >>> opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> scheduler = tl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2)
    >>> scheduler.step()
    >>> round(opt.lr, 12)
    0.5
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        _check_int("CosineAnnealingLR", "T_max", T_max, 1)
        _check_number("CosineAnnealingLR", "eta_min", eta_min, 0.0)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> list[float]:
        return [cosine_annealing_lr(epoch, base, self.T_max, self.eta_min) for base in self.base_lrs]


class LinearWarmup(LRScheduler):
    """Warm-up (F34): the t-th optimizer step (t = 1 … warmup_steps) uses base_lr · t / warmup_steps; from
    step warmup_steps + 1 on the rate is base_lr, or the scheduler ``after`` takes over from its own step 0.

    Start small while the optimizer's statistics (σ, m̂, v̂) are still inaccurate, then hand over to the
    real schedule. ``after`` must be built on the same optimizer *before* the warm-up.

    >>> import tinygrad_lite as tl
    >>> opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> decay = tl.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> warmup = tl.optim.lr_scheduler.LinearWarmup(opt, warmup_steps=4, after=decay)
    >>> lrs = []
    >>> for _ in range(7):
    ...     lrs.append(opt.lr)
    ...     opt.step()
    ...     warmup.step()                       # steps ``after`` once the warm-up is over
    >>> lrs                                     # steps 5, 6, 7 use the decay's steps 0, 1, 2
    [0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, after: LRScheduler | None = None):
        _check_int("LinearWarmup", "warmup_steps", warmup_steps, 1)
        if after is not None:
            if not isinstance(after, LRScheduler) or isinstance(after, ReduceLROnPlateau):
                raise TypeError(f"LinearWarmup: after must be a scheduler of the step count, got a "
                                f"{type(after).__name__}")
            if after.optimizer is not optimizer:
                raise ValueError("LinearWarmup: the scheduler after must be built on the same optimizer")
            if after.last_epoch != 0:
                raise ValueError(f"LinearWarmup: the scheduler after has already been stepped "
                                 f"({after.last_epoch} times); it takes over from its own step 0")
        self.warmup_steps, self.after = warmup_steps, after
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> list[float]:
        t = epoch + 1  # the optimizer step these rates are for
        if t <= self.warmup_steps:
            return [base * t / self.warmup_steps for base in self.base_lrs]
        if self.after is None:
            return list(self.base_lrs)
        return self.after.lr_at(t - self.warmup_steps - 1)

    def step(self) -> None:
        if self.after is not None and self.last_epoch >= self.warmup_steps:
            self.after.step()  # keep after's own counter: its step k is our step warmup_steps + k
        super().step()

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        if self.after is not None:
            state["after"] = self.after.state_dict()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if self.after is not None:
            self.after.load_state_dict(state_dict["after"])
        super().load_state_dict(state_dict)


class TransformerLR(LRScheduler):
    """The Transformer's warm-up schedule (Vaswani et al., eq. 3; F34), for optimizer step t = 1, 2, ...::

        η_t = base_lr · d_model^−0.5 · min(t^−0.5, t · warmup_steps^−1.5)

    A linear rise for ``warmup_steps`` steps, then decay as 1/√t. base_lr is the optimizer's lr, so
    ``lr=1.0`` gives the paper's rates (which used Adam with betas=(0.9, 0.98), eps=1e-9).

    >>> import tinygrad_lite as tl
    >>> opt = tl.optim.Adam([tl.tensor([1.0], requires_grad=True)], lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    >>> scheduler = tl.optim.lr_scheduler.TransformerLR(opt, d_model=512, warmup_steps=4000)
    >>> opt.lr == 512 ** -0.5 * 1 * 4000 ** -1.5     # t = 1, the first step
    True
    """

    def __init__(self, optimizer: Optimizer, d_model: int, warmup_steps: int):
        _check_int("TransformerLR", "d_model", d_model, 1)
        _check_int("TransformerLR", "warmup_steps", warmup_steps, 1)
        self.d_model, self.warmup_steps = d_model, warmup_steps
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> list[float]:
        return [transformer_lr(epoch + 1, self.d_model, self.warmup_steps, base) for base in self.base_lrs]


def _per_group(who: str, name: str, value, groups: int, low: float = 0.0) -> list[float]:
    """One number per parameter group: ``value`` itself, or the entries of a list/tuple of ``groups`` numbers."""
    values = list(value) if isinstance(value, (list, tuple)) else [value] * groups
    if len(values) != groups:
        raise ValueError(f"{who}: expected {groups} values of {name} (one per parameter group), got {len(values)}")
    for v in values:
        _check_number(who, name, v, low)
    return [float(v) for v in values]


class ReduceLROnPlateau(LRScheduler):
    """Divide the rate when a metric stops improving (PyTorch's ``ReduceLROnPlateau``): call
    ``scheduler.step(val_loss)`` once per epoch.

    A metric *improves* when it beats the best so far by more than ``threshold``: for ``mode="min"``
    (a loss) it must fall below best · (1 − threshold) (``threshold_mode="rel"``) or best − threshold
    (``"abs"``); for ``mode="max"`` (an accuracy) rise above best · (1 + threshold) or best + threshold.
    After more than ``patience`` epochs in a row without improvement every group's rate becomes
    max(lr · factor, min_lr) (a change smaller than ``eps`` is skipped), and the next ``cooldown`` epochs
    count no bad epochs. ``min_lr`` is one number or one per group.

    The rate does not follow from the step count, so ``lr_at(k)`` is the rate set now; ``state_dict()``
    holds ``best``, ``num_bad_epochs`` and ``cooldown_counter`` with the settings.

    >>> import tinygrad_lite as tl
    >>> opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> scheduler = tl.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for val_loss in [3.0, 2.0, 2.0, 2.0, 2.0, 2.0]:      # stuck at 2 from the third epoch on
    ...     scheduler.step(val_loss)
    >>> opt.lr                                    # halved after the 2nd and the 4th bad epoch in a row
    0.25
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | list[float] | tuple[float, ...] = 0, eps: float = 1e-8):
        who = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who}: expected an optimizer from tl.optim, got a {type(optimizer).__name__}")
        _check_modes(who, mode, threshold_mode)
        _check_number(who, "factor", factor, 0.0)
        if factor >= 1.0:
            raise ValueError(f"{who}: invalid factor {factor!r}; expected a number < 1 (the rate is multiplied by it)")
        _check_int(who, "patience", patience, 0)
        _check_int(who, "cooldown", cooldown, 0)
        _check_number(who, "threshold", threshold, 0.0)
        _check_number(who, "eps", eps, 0.0)
        groups = len(optimizer.param_groups)
        self.min_lrs = _per_group(who, "min_lr", min_lr, groups)
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else float(min_lr)
        self.mode, self.factor, self.patience, self.threshold = mode, factor, patience, threshold
        self.threshold_mode, self.cooldown, self.eps = threshold_mode, cooldown, eps
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = [float(group["lr"]) for group in optimizer.param_groups]
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> list[float]:
        return list(self._last_lr)

    @property
    def in_cooldown(self) -> bool:
        """True while the epochs after a reduction are not counted."""
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether the metric ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return a > (best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold)

    def step(self, metrics) -> None:  # type: ignore[override]  # PyTorch's: the metric is required
        """Count one epoch with the metric ``metrics`` (a number or a one-element tensor, such as the
        validation loss) and reduce the rates if it has not improved for more than ``patience`` epochs."""
        try:
            current = float(metrics)
        except (TypeError, ValueError) as error:
            raise TypeError(f"ReduceLROnPlateau.step: metrics must be a number, such as the validation loss, "
                            f"got {metrics!r} ({error})") from None
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau.step: the optimizer has {len(groups)} parameter groups but "
                                   f"min_lr has {len(self.min_lrs)} values; set scheduler.min_lrs to match")
            self.min_lrs = [self.default_min_lr] * len(groups)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        lrs = [float(group["lr"]) for group in groups]  # the groups' own: a rate set by hand is kept
        if self.num_bad_epochs > self.patience:
            for k, (old, low) in enumerate(zip(lrs, self.min_lrs)):
                new = max(old * self.factor, low)
                if old - new > self.eps:
                    lrs[k] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = lrs
        self._apply()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if isinstance(state_dict, dict):
            _check_modes("ReduceLROnPlateau.load_state_dict", state_dict.get("mode", self.mode),
                         state_dict.get("threshold_mode", self.threshold_mode))
        super().load_state_dict(state_dict)


def _check_modes(who: str, mode, threshold_mode) -> None:
    if mode not in ("min", "max"):
        raise ValueError(f"{who}: mode must be 'min' (a loss) or 'max' (an accuracy), got {mode!r}")
    if threshold_mode not in ("rel", "abs"):
        raise ValueError(f"{who}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2018; PyTorch's ``OneCycleLR``): the rate rises from
    max_lr / div_factor to ``max_lr`` over the first ``pct_start`` of the run (a warm-up, F34), then
    anneals to max_lr / (div_factor · final_div_factor); momentum moves the opposite way, from
    ``max_momentum`` down to ``base_momentum`` and back. Call ``step()`` after every batch.

    Steps k = 0 … total_steps are allowed (k = 0 is the first optimizer step); one more ``step()`` raises.
    The rates of k = 0 … total_steps − 1 are PyTorch's; at k = total_steps, after the last step, the rate
    stays at the minimum, where PyTorch goes on past the end of the curve (below 0 with ``"linear"``).
    ``total_steps`` is given, or ``epochs · steps_per_epoch``. Phase 1 ends at step pct_start · total − 1,
    phase 2 at total − 1; inside a phase the value goes from its start to its end along half a cosine
    (``anneal_strategy="cos"``: end + (start − end)(1 + cos(π p))/2 at the fraction p of the phase) or a
    line (``"linear"``). ``three_phase=True`` is fast.ai's variant: up, back down to the initial rate by
    step 2 · pct_start · total − 2, then on to the minimum.

    With ``cycle_momentum`` the optimizer's momentum is cycled as well: SGD's (and Momentum's, RMSProp's)
    ``momentum``, Adam's and AdamW's β1 (``betas[0]``). ``max_lr``, ``base_momentum`` and
    ``max_momentum`` are one number or one per group. Each group's ``"initial_lr"`` becomes
    max_lr / div_factor, as in PyTorch.

    >>> import tinygrad_lite as tl
    >>> opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9)
    >>> scheduler = tl.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    >>> [round(lr, 4) for k in range(11) for lr in scheduler.lr_at(k)]   # up for 2 steps, then down
    [0.04, 0.52, 1.0, 0.8571, 0.7143, 0.5714, 0.4286, 0.2857, 0.1429, 0.0, 0.0]
    >>> round(opt.param_groups[0]["momentum"], 4)                    # max_momentum at the start
    0.95
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float] | tuple[float, ...],
                 total_steps: int | None = None, epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] | tuple[float, ...] = 0.85,
                 max_momentum: float | list[float] | tuple[float, ...] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False):
        who = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who}: expected an optimizer from tl.optim, got a {type(optimizer).__name__}")
        if total_steps is not None:
            _check_int(who, "total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            _check_int(who, "epochs", epochs, 1)
            _check_int(who, "steps_per_epoch", steps_per_epoch, 1)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{who}: give total_steps, or epochs and steps_per_epoch")
        _check_number(who, "pct_start", pct_start, 0.0)
        if pct_start > 1:
            raise ValueError(f"{who}: invalid pct_start {pct_start!r}; expected a fraction in [0, 1]")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{who}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        _check_number(who, "div_factor", div_factor, 0.0, strict=True)
        _check_number(who, "final_div_factor", final_div_factor, 0.0, strict=True)
        if not isinstance(cycle_momentum, bool) or not isinstance(three_phase, bool):
            raise ValueError(f"{who}: cycle_momentum and three_phase must be True or False, got "
                             f"{cycle_momentum!r} and {three_phase!r}")
        groups = len(optimizer.param_groups)
        self.max_lrs = _per_group(who, "max_lr", max_lr, groups)
        self.use_beta1 = "betas" in optimizer.defaults
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and not self.use_beta1:
                raise ValueError(f"{who}: cycle_momentum=True needs an optimizer with momentum or betas (SGD, "
                                 f"Adam, ...); {type(optimizer).__name__} has neither: pass cycle_momentum=False")
        self.max_momentums = _per_group(who, "max_momentum", max_momentum, groups) if cycle_momentum else []
        self.base_momentums = _per_group(who, "base_momentum", base_momentum, groups) if cycle_momentum else []
        self.total_steps, self.anneal_strategy, self.cycle_momentum = total_steps, anneal_strategy, cycle_momentum
        self.pct_start, self.three_phase = float(pct_start), three_phase
        for group, peak in zip(optimizer.param_groups, self.max_lrs):
            group["initial_lr"] = peak / div_factor
        self.min_lrs = [peak / div_factor / final_div_factor for peak in self.max_lrs]
        super().__init__(optimizer)

    def _phases(self) -> list[tuple[float, list[float], list[float], list[float], list[float]]]:
        """(end step, start and end rates, start and end momenta) of each phase, as in PyTorch."""
        total, pct = self.total_steps, self.pct_start
        base, peak, low = self.base_lrs, self.max_lrs, self.min_lrs
        high_m, low_m = self.max_momentums, self.base_momentums
        if self.three_phase:
            return [(pct * total - 1, base, peak, high_m, low_m),
                    (2 * pct * total - 2, peak, base, low_m, high_m),
                    (total - 1, base, low, high_m, high_m)]
        return [(pct * total - 1, base, peak, high_m, low_m), (total - 1, peak, low, low_m, high_m)]

    def _position(self, epoch: int) -> tuple[tuple, float]:
        """The phase that step ``epoch`` is in and how far through it (0 at its start, 1 at its end)."""
        start = 0.0
        phases = self._phases()
        for i, phase in enumerate(phases):
            end = phase[0]
            if epoch <= end or i == len(phases) - 1:
                # a phase of no length (PyTorch divides by zero there) is already at its end; so is the
                # state after the last step, k = total_steps, which PyTorch extrapolates past the end
                # (to a negative rate with linear annealing)
                return phase, 1.0 if epoch >= end else (epoch - start) / (end - start)
            start = end
        raise AssertionError("unreachable: the last phase takes every step")

    def _anneal(self, start: float, end: float, fraction: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    def _check_step(self, epoch: int) -> None:
        if epoch > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {epoch} times, but the schedule has total_steps="
                             f"{self.total_steps}; make the scheduler with more steps")

    def lr_at(self, epoch: int) -> list[float]:
        self._check_step(epoch)
        (_, starts, ends, _, _), fraction = self._position(epoch)
        return [self._anneal(a, b, fraction) for a, b in zip(starts, ends)]

    def momentum_at(self, epoch: int) -> list[float]:
        """The momentum (or β1) of every group after ``epoch`` calls of ``step()``."""
        if not self.cycle_momentum:
            raise ValueError("OneCycleLR.momentum_at: this scheduler was made with cycle_momentum=False")
        self._check_step(epoch)
        (_, _, _, starts, ends), fraction = self._position(epoch)
        return [self._anneal(a, b, fraction) for a, b in zip(starts, ends)]

    def step(self) -> None:
        """Advance one step; the step after ``total_steps`` raises (and changes nothing)."""
        self._check_step(self.last_epoch + 1)
        super().step()

    def _apply(self) -> None:
        super()._apply()
        if self.cycle_momentum:
            for group, momentum in zip(self.optimizer.param_groups, self.momentum_at(self.last_epoch)):
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
