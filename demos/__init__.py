"""Every figure of Hung-yi Lee's lecture "what to do when a network won't train", computed by tinygrad_lite.

Run from the repository root::

    python -m demos                  # every figure, full size, into docs/figures/
    python -m demos F05 F08          # some figures
    python -m demos --quick          # small sizes (what the tests run), in seconds
    python -m demos --seed 1 --out /tmp/figs

Each figure writes ``fNN_<slug>.png`` and ``fNN_<slug>.json`` (the claim, whether it holds, the measured
quantities and the plotted numbers). The run ends with a table: figure, claim, measured value, holds.
The exit status is 0 when every claim holds and 1 when a claim fails or a figure raises (the other
figures still run), so a broken reproduction cannot pass unnoticed in CI.

All computation goes through tinygrad_lite (Tensors, ``tl.grad``, ``tl.hessian``, ``tl.curvature``,
``tl.nn``, ``tl.optim``, ``tl.data``); NumPy only generates data and matplotlib only draws.

Modules: one per part of the lecture (``critical_points`` F01–F08, ``batch`` F09–F18, ``momentum``
F19–F22, ``adaptive_lr`` F23–F36, ``classification`` F37–F43, ``batchnorm`` F44–F47 and ``batchnorm_benefit``
F48–F49 (part 5: how batch normalization works, and what it buys); beyond the lecture, ``lenet`` F50: a
convolutional network trained end to end), plus ``registry`` (the ``@figure``
decorator, ``Context``, ``Result``), ``runner`` (files and table) and ``plotting`` (the shared style).

Adding a figure
---------------
1. In the part's module, write a function that takes a ``Context`` and returns a ``Result``, and register
   it with its lecture id, a file slug, a title and the lecture's claim::

       from .registry import Context, Result, figure
       from . import plotting

       @figure("F20", "vanilla_gradient_descent", title="(Vanilla) gradient descent",
               claim="each step moves against the gradient: θ¹ = θ⁰ − η g⁰")
       def vanilla_gradient_descent(ctx: Context) -> Result:
           steps = ctx.pick(full=50, quick=10)        # quick sizes keep the tests fast
           ...                                        # compute with tinygrad_lite
           fig = plotting.new_figure()
           ax = fig.subplots()
           ...                                        # draw: title, axis labels with units, legend
           return Result(fig, summary="moved 1.23 in 50 steps",
                         checks={"loss decreases every step": bool(...)},
                         measured={"loss": losses}, plotted={"theta": path})

   ``checks`` states the claim as numbers (each entry one part of it); the runner seeds
   ``tl.manual_seed(ctx.seed)`` before calling, times it, saves the PNG and JSON and adds it to the table.
   Draw from ``ctx.rng()`` for data, and loop with ``ctx.progress(...)`` where a run takes seconds.
   Where the lecture's claim does not reproduce, the figure shows what was measured and its claim says
   so; never force a check to pass.
2. A new part module also goes into ``PARTS`` in ``registry.py``.
3. In ``tests/demos/test_<part>.py``, run it with ``run_figure`` in quick mode into ``tmp_path`` and
   assert the claim from ``result.measured``. Keep ``python -m demos --quick`` for all figures under a
   minute on a two-core machine.
"""

from .registry import Context, Result, figure

__all__ = ["Context", "Result", "figure"]
