"""Contour and 3-D plots of a loss surface with matplotlib, which is imported only when a plot is drawn.

matplotlib is an optional dependency (``pip install "tinygrad_lite[demos]"``): the rest of tinygrad_lite,
and the numbers of :func:`loss_surface`, work without it. Every helper draws into ``ax`` when given, or
into a new figure, and returns the Axes so the caller can add titles, markers or paths.
"""

from __future__ import annotations

import numpy as np

# red for a high loss, blue for a low one, as on the lecture's slides (F43)
DEFAULT_CMAP = "RdYlBu_r"
# log-spaced contour levels cover this many decades below the largest loss: enough to see the valley floor
LOG_DECADES = 4


def pyplot(who: str):
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(f'{who}: plotting needs matplotlib; install it with pip install "tinygrad_lite[demos]" '
                          "(or pip install matplotlib)") from None
    return plt


def new_axes(who: str, ax=None, projection: str | None = None):
    """``ax`` if given, else the Axes of a new figure (3-D with ``projection="3d"``)."""
    if ax is not None:
        return ax
    plt = pyplot(who)
    return plt.figure().add_subplot(projection=projection)


def plot_contour(A, B, Z, ax=None, levels: int | np.ndarray = 30, filled: bool = True, log: bool = False,
                 colorbar: bool = True, cmap: str = DEFAULT_CMAP, **kwargs):
    """Contour plot of a loss surface ``(A, B, Z)`` (from :func:`loss_surface`); returns the Axes.

    ``levels`` is a number of levels or their values; ``filled=False`` draws lines only. ``log=True``
    spaces the levels geometrically over the top four decades of Z, for losses spanning orders of
    magnitude (anything lower, zeros included, gets the lowest colour). Other keyword arguments go to
    ``ax.contourf`` / ``ax.contour``.

    With matplotlib installed (the F04 surface, its saddle point marked):

    >>> import tinygrad_lite as tl
    >>> A, B, Z = tl.viz.loss_surface(lambda w: (1 - w[0] * w[1]) ** 2, [0.0, 0.0], span=2.0)
    >>> ax = tl.viz.plot_contour(A, B, Z, log=True)             # doctest: +SKIP
    >>> ax.plot(0, 0, "k*")                                      # doctest: +SKIP
    """
    A, B, Z = _check_grid(A, B, Z, "plot_contour")
    ax = new_axes("plot_contour", ax)
    colorbar_ticks = None
    if log:
        from matplotlib.colors import LogNorm
        from matplotlib.ticker import LogLocator

        positive = Z[np.isfinite(Z) & (Z > 0)]
        if positive.size == 0:
            raise ValueError("plot_contour: log=True needs some positive values of Z")
        if np.ndim(levels) == 0:  # a number of levels
            lowest = max(positive.min(), positive.max() * 10.0 ** -LOG_DECADES)
            levels = np.geomspace(lowest, positive.max(), int(levels))
        levels = np.asarray(levels)
        kwargs.setdefault("norm", LogNorm(vmin=levels[0], vmax=levels[-1]))
        kwargs.setdefault("extend", "min")  # everything lower (zeros included) in the lowest colour
        Z = np.maximum(Z, levels[0] / 10)  # LogNorm cannot place 0
        colorbar_ticks = LogLocator()
    draw = ax.contourf if filled else ax.contour
    contours = draw(A, B, Z, levels=levels, cmap=cmap, **kwargs)
    if colorbar:
        ax.figure.colorbar(contours, ax=ax, label="loss", ticks=colorbar_ticks)
    return ax


def plot_surface(A, B, Z, ax=None, cmap: str = DEFAULT_CMAP, **kwargs):
    """3-D surface plot of ``(A, B, Z)``; returns the (3-D) Axes.

    ``ax`` must be a 3-D Axes (``fig.add_subplot(projection="3d")``) when given. Other keyword
    arguments go to ``ax.plot_surface``.
    """
    A, B, Z = _check_grid(A, B, Z, "plot_surface")
    ax = new_axes("plot_surface", ax, projection="3d")
    if getattr(ax, "name", None) != "3d":
        raise ValueError("plot_surface: ax must be a 3-D Axes; make one with fig.add_subplot(projection='3d')")
    kwargs.setdefault("linewidth", 0)
    kwargs.setdefault("antialiased", True)
    ax.plot_surface(A, B, Z, cmap=cmap, **kwargs)
    ax.set_zlabel("loss")
    return ax


def _check_grid(A, B, Z, who: str):
    A, B, Z = (np.asarray(v, dtype=np.float64) for v in (A, B, Z))
    if not (A.shape == B.shape == Z.shape) or Z.ndim != 2:
        raise ValueError(f"{who}: A, B and Z must be 2-D arrays of one shape (as loss_surface returns), "
                         f"got {A.shape}, {B.shape} and {Z.shape}")
    return A, B, Z
