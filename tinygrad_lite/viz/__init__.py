"""Learner tools: see the computational graph, the loss surface and the path an optimizer takes.

- :func:`graph` / :func:`draw_graph`: the graph that produced a tensor (and the graph of its gradient
  that ``create_graph=True`` records), as Graphviz DOT text or an image.
- :func:`loss_surface`: a loss evaluated on a 2-D grid of parameters, or of a slice along two
  directions (:func:`filter_normalized_directions` gives random ones scaled like the network);
  :func:`plot_contour` / :func:`plot_surface` draw it.
- :class:`Trajectory`: parameters, loss, gradient norm and learning rate recorded step by step.
- :func:`plot_schedule` / :func:`schedule_values`: a learning-rate schedule as a curve.

matplotlib and Graphviz are optional: they are imported only when something is drawn.

>>> import tinygrad_lite as tl
>>> w = tl.tensor([0.0, 0.0], requires_grad=True)
>>> A, B, Z = tl.viz.loss_surface(lambda w: (1 - w[0] * w[1]) ** 2, w, span=2.0, steps=41)
>>> float(Z.max()), float(Z.min())                   # 25 at the corners w1 = −w2 = ±2, 0 on w1·w2 = 1
(25.0, 0.0)
"""

from .computational_graph import draw_graph, graph
from .directions import filter_normalized_directions
from .plotting import plot_contour, plot_surface
from .schedule import plot_schedule, schedule_values
from .surface import loss_surface
from .trajectory import Trajectory

__all__ = ["graph", "draw_graph", "loss_surface", "filter_normalized_directions", "plot_contour", "plot_surface",
           "Trajectory", "plot_schedule", "schedule_values"]
