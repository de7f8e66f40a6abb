"""One look for every figure: style, colours with fixed meanings, loss contours, notes and saving.

Figures are made with ``matplotlib.figure.Figure`` directly (no pyplot), so nothing opens a window and
nothing has to be closed; they render with the Agg backend. Sizes are chosen to stay readable when the
PNG is shown at README width (about 800 px): 10 inches wide at 120 dpi, fonts of 11 points.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure

DPI = 120
WIDTH = 10.0  # inches; 1200 px at DPI

matplotlib.rcParams.update({
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "image.cmap": "viridis",
    # Okabe–Ito colours: distinguishable with colour-blindness and in greyscale print
    "axes.prop_cycle": matplotlib.cycler(color=["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                                                "#56B4E9", "#F0E442", "#000000"]),
})

# Colours with one meaning across all figures.
MINIMUM = "#009E73"   # green: local minima, the valley
SADDLE = "#D55E00"    # vermillion: saddle points, negative curvature
MAXIMUM = "#CC79A7"   # purple: local maxima
PATH = "#0072B2"      # blue: an optimiser's path
APPROX = "#E69F00"    # orange: approximations (Taylor), predictions
NEUTRAL = "#555555"   # grey: reference lines


def new_figure(height: float = 4.2, width: float = WIDTH) -> Figure:
    """An empty figure with constrained layout; add axes with ``fig.subplots(...)`` or ``fig.add_subplot``."""
    return Figure(figsize=(width, height), layout="constrained")


def loss_contour(ax, x, y, z, levels, xlabel: str = r"$w_1$", ylabel: str = r"$w_2$",
                 colorbar_label: str = "loss $L$"):
    """Filled contours of a loss over a grid, with uneven ``levels`` spread evenly over the colour map
    (so both the valley floor and the steep walls stay visible)."""
    levels = np.asarray(levels, dtype=float)
    norm = BoundaryNorm(levels, 256)
    filled = ax.contourf(x, y, z, levels=levels, norm=norm, cmap="viridis", extend="max")
    ax.contour(x, y, z, levels=levels, colors="white", linewidths=0.5, alpha=0.6)
    ax.figure.colorbar(filled, ax=ax, label=colorbar_label, ticks=levels, format="%g")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal")
    ax.grid(False)
    return filled


def mark(ax, point, kind: str, label: str | None = None, size: float = 110):
    """Mark a critical point: ``kind`` is "minimum", "saddle" or "maximum" (fixed colour and marker)."""
    color, marker = {"minimum": (MINIMUM, "o"), "saddle": (SADDLE, "X"), "maximum": (MAXIMUM, "^")}[kind]
    ax.scatter(*np.asarray(point).T, s=size, c=color, marker=marker, edgecolors="white", linewidths=1.2,
               zorder=5, label=label)


def outlined(text):
    """Give a text artist a dark outline so it reads on any background (light or dark contours)."""
    text.set_path_effects([patheffects.withStroke(linewidth=3, foreground="black", alpha=0.7)])
    return text


def note(ax, text: str, loc: str = "upper left"):
    """A short boxed remark inside the axes (``loc``: "upper left", "upper right", "lower left", ...)."""
    vertical, horizontal = loc.split()
    x = 0.03 if horizontal == "left" else 0.97
    y = 0.97 if vertical == "upper" else 0.03
    ax.text(x, y, text, transform=ax.transAxes, ha=horizontal, va="top" if vertical == "upper" else "bottom",
            fontsize=10, zorder=6, bbox=dict(boxstyle="round,pad=0.35", fc="white", ec="#bbbbbb", alpha=0.92))


def caption(fig: Figure, text: str):
    """A caption under the figure: what to look at, and the measured numbers behind the claim."""
    characters_per_line = int(fig.get_figwidth() * 12.5)  # 10-point text at DPI
    fig.supxlabel("\n".join(textwrap.wrap(text, characters_per_line)), fontsize=10, x=0.01, ha="left",
                  color="#333333")


def number(v, digits: int = 3) -> str:
    """A number as text with a real minus sign and no ``-0``: ``number(-2.0)`` is ``"−2"``."""
    v = float(v) + 0.0  # turns -0.0 into 0.0
    return f"{v:.{digits}g}".replace("-", "−")


def numbers(values, digits: int = 3) -> str:
    """Several numbers as text: ``numbers([-2, 2])`` is ``"−2, 2"``."""
    return ", ".join(number(v, digits) for v in np.ravel(values))


def matrix(m, digits: int = 3) -> str:
    """A small matrix as text, ``[[0, −2], [−2, 0]]``, with real minus signs and no ``-0``."""
    return "[" + ", ".join("[" + numbers(row, digits) + "]" for row in np.atleast_2d(m)) + "]"


def save(fig: Figure, path: Path):
    """Write the figure as a PNG at README-friendly resolution."""
    fig.savefig(Path(path), dpi=DPI)
