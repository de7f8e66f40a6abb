"""Plotting shared by the benchmarks: the --plot option, grouped bars, plain log-axis labels, the machine
caption and figure saving.

matplotlib is optional and imported only when a plot is drawn, after the timing is over; without it the
scripts print their tables and one line saying the plot was skipped.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform

import numpy as np

FIGURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "figures")


def default_path(name: str) -> str:
    """Where a benchmark's figure goes by default: ``docs/figures/bench_<name>.png`` in this repository."""
    return os.path.join(FIGURES, f"bench_{name}.png")


def add_plot_option(parser: argparse.ArgumentParser, default: str | None, help_default: str | None = None) -> None:
    """Add ``--plot PATH`` (``--plot ""`` for no plot); ``help_default`` describes a default set after parsing."""
    parser.add_argument("--plot", metavar="PATH", default=default,
                        help=f'where to write the figure (default: {help_default or default}); --plot "" for none')


def pyplot():
    """``matplotlib.pyplot`` drawing to files only, or None (after saying so) when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: plot skipped (pip install matplotlib)")
        return None
    matplotlib.use("Agg")  # no window: the figure only goes to a file, also on machines without a display
    import matplotlib.pyplot as plt

    return plt


def caption() -> str:
    """The machine facts that a reader needs to compare a figure with their own numbers."""
    try:
        torch_version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        torch_version = "not installed"
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"NumPy {np.__version__}, PyTorch {torch_version}")


def grouped_bars(ax, groups: list[str], series: dict[str, list[float | None]], label_format: str | None = "{:.2f}",
                 colors: dict[str, str] | None = None) -> None:
    """One cluster of bars per group, one bar per series (None: no bar), labelled with its value unless
    ``label_format`` is None; ``colors`` maps series to colours, to keep them the same across panels."""
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        x = [g + (i - (len(series) - 1) / 2) * width for g, v in enumerate(values) if v is not None]
        heights = [v for v in values if v is not None]
        bars = ax.bar(x, heights, width, label=name, color=(colors or {}).get(name))
        if label_format is not None:
            # a white box, so that a reference line drawn across the bars does not run through the number
            ax.bar_label(bars, labels=[label_format.format(v) for v in heights], fontsize=7, padding=1,
                         bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    ax.set_xticks(range(len(groups)), groups)


def plain_log_labels(axis, ticks: list[float] | None = None) -> None:
    """Label a log-scale ``axis`` with plain numbers (2, 0.5) rather than powers of ten; ``ticks``: only those.

    Call it once the data are drawn: the ticks depend on the range shown."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

    if ticks is not None:
        axis.set_ticks(ticks)
    else:
        low, high = axis.get_view_interval()
        if high < 10 * low:  # less than a decade: powers of ten alone would leave one label or none
            axis.set_major_locator(MaxNLocator(nbins=6))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def save(fig, path: str) -> None:
    """Caption ``fig`` with the machine facts, lay it out, write it to ``path`` and close it."""
    import matplotlib.pyplot as plt  # only reached with a figure, so matplotlib is there

    fig.text(0.01, 0.01, caption(), fontsize=7, color="dimgray")
    fig.tight_layout(rect=(0, 0.04, 1, 1))  # keep the bottom strip free for the caption
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"plot written to {path}")
