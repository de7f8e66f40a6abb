"""The docs figure docs/figures/graph_double_backward.svg: the lecture's L = (1 − w1·w2)², its gradient
and its Hessian as one graph.

Regenerate it after changing the drawing code with
``TL_WRITE_DOCS_FIGURES=1 python -m pytest tests/viz/test_viz_docs_figure.py``.
"""

import html
import importlib.util
import os
import re
import shutil
from pathlib import Path

import pytest

import tinygrad_lite as tl

FIGURE = Path(__file__).resolve().parents[2] / "docs" / "figures" / "graph_double_backward.svg"
HAS_GRAPHVIZ = shutil.which("dot") is not None and importlib.util.find_spec("graphviz") is not None


def double_backward_graph():
    """At the saddle point θ′ = (0, 0) of F04–F05: L (blue ops), the graph create_graph=True records for
    ∂L/∂w (orange), and differentiating that graph again, the Hessian (green). Returns the arguments
    of tl.viz.graph."""
    w1 = tl.tensor(0.0, requires_grad=True)
    w2 = tl.tensor(0.0, requires_grad=True)
    L = (1 - w1 * w2) ** 2
    g1, g2 = tl.grad(L, [w1, w2], create_graph=True)
    h11, h12 = tl.grad(g1, [w1, w2], create_graph=True)
    h21, h22 = tl.grad(g2, [w1, w2], create_graph=True)
    names = {w1: "w1", w2: "w2", L: "L", g1: "∂L/∂w1", g2: "∂L/∂w2",
             h11: "∂²L/∂w1²", h12: "∂²L/∂w1∂w2", h21: "∂²L/∂w2∂w1", h22: "∂²L/∂w2²"}
    return [L, (g1, g2), (h11, h12, h21, h22)], names


def test_the_figure_shows_the_lecture_numbers():
    outputs, names = double_backward_graph()
    dot = tl.viz.graph(outputs, names=names, show_values=True)
    for text in ["L = 1", "∂L/∂w1 = 0", "∂L/∂w2 = 0", "∂²L/∂w1² = 0", "∂²L/∂w1∂w2 = -2", "∂²L/∂w2∂w1 = -2",
                 "∂²L/∂w2² = 0"]:  # H(0, 0) = [[0, −2], [−2, 0]]: a saddle point
        assert f'label="{text}\\n' in dot


@pytest.mark.skipif(not HAS_GRAPHVIZ, reason="needs the graphviz package and the dot program")
def test_render_the_figure(tmp_path):
    outputs, names = double_backward_graph()
    target = FIGURE if os.environ.get("TL_WRITE_DOCS_FIGURES") == "1" else tmp_path / FIGURE.name
    target.parent.mkdir(parents=True, exist_ok=True)
    tl.viz.draw_graph(outputs, target, names=names, show_values=True)
    assert "∂²L/∂w1∂w2 = -2" in html.unescape(target.read_text(encoding="utf-8"))  # SVG writes "-" as &#45;


def test_the_committed_figure_is_up_to_date():
    outputs, names = double_backward_graph()
    dot = tl.viz.graph(outputs, names=names, show_values=True)
    svg = FIGURE.read_text(encoding="utf-8")
    assert svg.count('class="node"') == len(re.findall(r"^  (?:t|op)\d+ \[", dot, flags=re.M))
    assert svg.count('class="edge"') == dot.count(" -> ")
