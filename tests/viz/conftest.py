"""Plot tests draw with matplotlib's Agg backend (no display needed) and look at the image written."""

import numpy as np
import pytest


@pytest.fixture
def plt():
    """matplotlib.pyplot on the Agg backend (the test is skipped without matplotlib); closes every figure."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


@pytest.fixture
def assert_drawn(plt):
    """Save an Axes' figure as PNG, read it back and check that something was drawn inside the Axes.

    An empty Axes has a white inside (only its frame and tick labels are drawn outside it), so the
    check is the fraction of non-white pixels inside the Axes' box: a single line covers about 1%, a
    filled contour nearly all. A 3-D Axes has grey panes even when empty (~9%), so 3-D plots ask for more.
    """
    def check(ax, path, at_least: float = 0.005):
        ax.figure.savefig(path)  # at the figure's own dpi, so the Axes' pixel box below matches the image
        image = plt.imread(path)[..., :3]
        box = ax.get_window_extent()
        height = image.shape[0]
        inside = image[int(height - box.y1) + 3:int(height - box.y0) - 3, int(box.x0) + 3:int(box.x1) - 3]
        assert inside.size > 0, "the Axes lies outside the image"
        drawn = (np.abs(inside - 1.0).max(axis=-1) > 0.1).mean()
        assert drawn >= at_least, f"only {drawn:.2%} of the Axes is drawn on"
    return check
