"""Contour, surface and schedule plots, drawn with Agg and checked to be real pictures."""

import sys

import numpy as np
import pytest

import tinygrad_lite as tl


def lecture_surface(steps=41):
    """F04's surface L = (1 − w1·w2)² over [−2, 2]², with the batched evaluation."""
    return tl.viz.loss_surface(lambda W: (1 - W[:, 0] * W[:, 1]) ** 2, [0.0, 0.0], span=2.0, steps=steps,
                               batched=True)


@pytest.mark.parametrize("options", [{}, {"filled": False}, {"log": True}, {"levels": [0.1, 0.5, 1, 2, 5]}],
                         ids=["filled", "lines", "log", "given-levels"])
def test_plot_contour(options, plt, assert_drawn, tmp_path):
    ax = tl.viz.plot_contour(*lecture_surface(), **options)
    assert ax.figure is not None
    assert_drawn(ax, tmp_path / "contour.png", at_least=0.01 if options.get("filled") is False else 0.5)


def test_plot_contour_into_given_axes(plt, assert_drawn, tmp_path):
    fig, (left, right) = plt.subplots(1, 2)
    assert tl.viz.plot_contour(*lecture_surface(), ax=right, colorbar=False) is right
    assert not left.collections and right.collections
    assert_drawn(right, tmp_path / "right.png")


def test_plot_surface(plt, assert_drawn, tmp_path):
    ax = tl.viz.plot_surface(*lecture_surface())
    assert ax.name == "3d"
    assert_drawn(ax, tmp_path / "surface.png", at_least=0.2)  # an empty 3-D Axes has ~9% (its panes)
    with pytest.raises(ValueError, match="3-D Axes"):
        tl.viz.plot_surface(*lecture_surface(), ax=plt.subplots()[1])


def test_plot_checks_the_grid(plt):
    A, B, Z = lecture_surface()
    with pytest.raises(ValueError, match="plot_contour: A, B and Z"):
        tl.viz.plot_contour(A, B, Z[:-1])
    with pytest.raises(ValueError, match="positive"):
        tl.viz.plot_contour(A, B, -Z, log=True)


def test_missing_matplotlib_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # makes the import fail
    with pytest.raises(ImportError, match=r'plot_contour: .*pip install "tinygrad_lite\[demos\]"'):
        tl.viz.plot_contour(*lecture_surface())


def transformer_lr(t, d_model=512, warmup=4000):
    """F34: lr = d^-0.5 · min(t^-0.5, t · w^-1.5) (Vaswani et al. 2017, eq. 3)."""
    return d_model ** -0.5 * min(t ** -0.5, t * warmup ** -1.5)


class HalvingScheduler:
    """A scheduler with PyTorch's conventions (step, get_last_lr) over two parameter groups."""

    def __init__(self, rates):
        self.rates = list(rates)

    def get_last_lr(self):
        return list(self.rates)

    def step(self):
        self.rates = [r / 2 for r in self.rates]


def test_schedule_values_of_a_function():
    t, lr = tl.viz.schedule_values(transformer_lr, 20000)
    assert t[0] == 1 and t[-1] == 20000 and lr.shape == (20000,)
    assert t[np.argmax(lr)] == 4000 and lr.max() == pytest.approx(6.99e-4, rel=1e-3)  # the peak of F34
    assert lr[16000 - 1] == pytest.approx(lr.max() / 2)  # ∝ t^-0.5 after the warm-up
    t, lr = tl.viz.schedule_values(lambda t: 0.1 * (t + 1), range(0, 3))
    np.testing.assert_allclose(lr, [0.1, 0.2, 0.3])


def test_schedule_values_of_a_scheduler():
    t, lr = tl.viz.schedule_values(HalvingScheduler([1.0, 0.5]), 3)
    np.testing.assert_array_equal(t, [1, 2, 3])
    np.testing.assert_allclose(lr, [[1.0, 0.5], [0.5, 0.25], [0.25, 0.125]])  # one column per group
    with pytest.raises(TypeError, match="schedule_values: expected a function"):
        tl.viz.schedule_values(3.0, 5)
    with pytest.raises(ValueError, match="schedule_values: steps"):
        tl.viz.schedule_values(transformer_lr, 0)


@pytest.mark.parametrize("schedule", [transformer_lr, HalvingScheduler([1.0])], ids=["function", "scheduler"])
def test_plot_schedule(schedule, plt, assert_drawn, tmp_path):
    ax = tl.viz.plot_schedule(schedule, 50, color="tab:red", linewidth=3)
    t, lr = ax.lines[0].get_data()
    assert len(t) == 50 and ax.get_ylabel() == "learning rate"
    assert_drawn(ax, tmp_path / "schedule.png")
