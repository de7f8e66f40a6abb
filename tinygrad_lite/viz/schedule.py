"""Learning-rate schedules, plotted: decay (F33) and warm-up (F34) are easiest to read as a curve ηᵗ."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np

from .plotting import new_axes


class Scheduler(Protocol):
    """What a learning-rate scheduler offers, as in PyTorch (and ``tl.optim.lr_scheduler``)."""

    def step(self) -> None: ...

    def get_last_lr(self) -> list[float]: ...


Schedule = Callable[[int], float] | Scheduler


def schedule_values(scheduler_or_function: Schedule, steps: int | Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """The learning rate at each step, as NumPy arrays ``(t, lr)``.

    ``steps`` is a number of steps (``t = 1 … steps``: the t-th optimizer step, as the schedulers count)
    or the step numbers themselves (``range(0, 100)``). ``scheduler_or_function`` is either

    - a function ``t -> lr``, called at each step number; or
    - a scheduler following PyTorch's conventions (``get_last_lr()``: the rates of the next optimizer
      step, one per parameter group; ``step()``: advance one step). It is stepped once per step, so it
      and its optimizer are left at the end of the schedule: pass a fresh one. With several parameter
      groups ``lr`` has one column per group.

    >>> t, lr = schedule_values(lambda t: 0.1 * min(1.0, t / 4), 6)          # a 4-step linear warm-up
    >>> t, lr
    (array([1, 2, 3, 4, 5, 6]), array([0.025, 0.05 , 0.075, 0.1  , 0.1  , 0.1  ]))
    """
    t = np.arange(1, steps + 1) if isinstance(steps, (int, np.integer)) else np.asarray(list(steps))
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"schedule_values: steps must be a positive number of steps or a list of step numbers, "
                         f"got {steps!r}")
    if hasattr(scheduler_or_function, "get_last_lr") and hasattr(scheduler_or_function, "step"):
        scheduler = scheduler_or_function
        rates = []
        for _ in t:
            rates.append([float(lr) for lr in scheduler.get_last_lr()])  # the rate this step uses ...
            scheduler.step()                                            # ... then move to the next
        lr = np.array(rates)
        return t, lr[:, 0] if lr.shape[1] == 1 else lr
    if callable(scheduler_or_function):
        return t, np.array([float(scheduler_or_function(step.item())) for step in t])  # Python ints: t ** -1 works
    raise TypeError("schedule_values: expected a function step -> lr or a scheduler with step() and get_last_lr(), "
                    f"got a {type(scheduler_or_function).__name__}")


def plot_schedule(scheduler_or_function: Schedule, steps: int | Iterable[int], ax=None, **kwargs):
    """Plot the learning rate against the step (see :func:`schedule_values`); returns the Axes.

    Keyword arguments go to ``ax.plot`` (``label=``, ``color=`` ...); use ``ax.set_yscale("log")`` for
    schedules that span decades.

    >>> d, w = 512, 4000                                   # the Transformer's schedule (F34)
    >>> ax = plot_schedule(lambda t: d ** -0.5 * min(t ** -0.5, t * w ** -1.5), 20000)   # doctest: +SKIP
    """
    t, lr = schedule_values(scheduler_or_function, steps)
    ax = new_axes("plot_schedule", ax)
    ax.plot(t, lr, **kwargs)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    return ax
