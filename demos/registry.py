"""The figure registry: every demo is a function registered under its lecture id with ``@figure``.

A figure function takes a :class:`Context` (quick or full size, the seed, a progress bar) and returns a
:class:`Result` (the matplotlib figure, the numbers behind it and whether each part of the claim holds).
The runner (``runner.py``) writes the files and the summary table; the figure function only computes
and draws.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

# The modules that hold figures, one per part of the lecture (part 5, batch normalization, in two: how it
# works and what it buys), then the LeNet-5 demo beyond it; load_all() imports them in this order.
PARTS = ("critical_points", "batch", "momentum", "adaptive_lr", "classification", "batchnorm", "batchnorm_benefit",
         "lenet")

_ID = re.compile(r"F\d\d")
_SLUG = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")


@dataclass(frozen=True)
class Context:
    """What a figure function may ask of the run.

    quick: small sizes (for the tests and a fast look); the claim must still hold.
    seed:  the run's seed; the runner calls ``tl.manual_seed(seed)`` before every figure, so a figure's
           numbers do not depend on which figures ran before it.
    """

    quick: bool = False
    seed: int = 0

    def pick(self, full, quick):
        """The full-size value, or the quick one under ``--quick``: ``runs = ctx.pick(full=40, quick=8)``."""
        return quick if self.quick else full

    def rng(self) -> np.random.Generator:
        """A fresh NumPy generator for the figure's data (NumPy generates data; tinygrad_lite computes)."""
        return np.random.default_rng(self.seed)

    def progress(self, iterable: Iterable, desc: str, total: int | None = None):
        """Wrap a long loop in a progress bar (shown only on a terminal)."""
        return tqdm(iterable, desc=desc, total=total, leave=False, disable=None)


@dataclass
class Result:
    """What a figure function returns.

    fig:      the matplotlib figure; the runner saves it as ``fNN_<slug>.png``.
    summary:  the measured value in one short line, for the table at the end of the run.
    checks:   each part of the claim, in words, mapped to whether it holds; the claim holds when all do.
    measured: the quantities behind the claim (numbers, short lists), written to the JSON file.
    plotted:  the arrays that were drawn, written to the JSON file so the plot can be redrawn elsewhere.
    """

    fig: object
    summary: str
    checks: dict[str, bool]
    measured: dict = field(default_factory=dict)
    plotted: dict = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        return all(bool(ok) for ok in self.checks.values())


@dataclass(frozen=True)
class Figure:
    """One registered figure: its lecture id, file slug, title, claim and the function that makes it."""

    id: str
    slug: str
    title: str
    claim: str
    make: Callable[[Context], Result]

    @property
    def stem(self) -> str:
        """The file name without extension: ``f05_hessian_at_origin``."""
        return f"{self.id.lower()}_{self.slug}"


FIGURES: dict[str, Figure] = {}


def figure(id: str, slug: str, *, title: str, claim: str):
    """Register the decorated function as figure ``id`` (e.g. "F05"), written to ``f05_<slug>.png/.json``.

    ``claim`` is what the lecture says the figure shows, in one sentence; the function's ``checks``
    test it on the numbers it computed.
    """
    if not _ID.fullmatch(id):
        raise ValueError(f"figure: id {id!r} must look like 'F05'")
    if not _SLUG.fullmatch(slug):
        raise ValueError(f"figure: slug {slug!r} must be lower_case_words")

    def register(make: Callable[[Context], Result]) -> Callable[[Context], Result]:
        if id in FIGURES:
            raise ValueError(f"figure: {id} is registered twice ({FIGURES[id].make.__module__} and {make.__module__})")
        FIGURES[id] = Figure(id, slug, title, claim, make)
        return make

    return register


def load_all() -> dict[str, Figure]:
    """Import every part module (which registers its figures) and return all figures, sorted by id."""
    for part in PARTS:
        importlib.import_module(f"demos.{part}")
    return dict(sorted(FIGURES.items()))
