"""tl.viz.graph: the DOT text of small graphs, checked node by node and edge by edge."""

import importlib.util
import re
import shutil
import sys

import pytest

import tinygrad_lite as tl
from tinygrad_lite.viz.computational_graph import OP_COLOURS

HAS_GRAPHVIZ = shutil.which("dot") is not None and importlib.util.find_spec("graphviz") is not None


def parse(dot: str):
    """The DOT text as {node: attributes text} for ops and tensors, and a list of (tail, head, label) edges."""
    nodes = dict(re.findall(r"^  ((?:t|op)\d+) \[(.*)\];$", dot, flags=re.M))
    edges = [(a, b, label or None) for a, b, label in re.findall(r'^  (\w+) -> (\w+)(?: \[label="(\w+)"\])?;$',
                                                                 dot, flags=re.M)]
    return nodes, edges


def label(attributes: str) -> str:
    return re.search(r'label="((?:[^"\\]|\\.)*)"', attributes).group(1).replace("\\n", "\n")


def ops(nodes):
    return {n: a for n, a in nodes.items() if "shape=box" in a}


def tensors(nodes):
    return {n: a for n, a in nodes.items() if "shape=ellipse" in a}


def lecture_loss(device):
    """The lecture's F04 loss L = (1 − w1·w2)² at the origin, with its gradient and Hessian as graphs."""
    w1 = tl.tensor(0.0, requires_grad=True, device=device)
    w2 = tl.tensor(0.0, requires_grad=True, device=device)
    L = (1 - w1 * w2) ** 2
    g1, g2 = tl.grad(L, [w1, w2], create_graph=True)
    h11, h12 = tl.grad(g1, [w1, w2], create_graph=True)
    return w1, w2, L, g1, g2, h11, h12


def square(device):
    w = tl.tensor(3.0, requires_grad=True, device=device)
    return w * w


def lecture(device):
    return lecture_loss(device)[2]


def linear_layer(device):
    x = tl.ones(4, 3, device=device)
    W = tl.ones(2, 3, requires_grad=True, device=device)
    b = tl.zeros(2, requires_grad=True, device=device)
    return (x @ W.T + b).relu().sum()


# (builder, number of ops, number of tensors, op names)
CASES = [
    (square, 1, 2, ["Mul"]),
    (lecture, 3, 6, ["Mul", "Sub", "PowConstant"]),  # tensors: w1, w2, 1, w1·w2, 1 − w1·w2, L
    (linear_layer, 5, 8, ["Transpose", "MatMul", "Add", "ReLU", "Sum"]),  # x, W, b, Wᵀ, xWᵀ, +b, relu, sum
]


@pytest.mark.parametrize("build, n_ops, n_tensors, names", CASES, ids=[c[0].__name__ for c in CASES])
def test_counts_nodes_edges_and_op_names(build, n_ops, n_tensors, names, device):
    nodes, edges = parse(tl.viz.graph(build(device)))
    assert len(ops(nodes)) == n_ops
    assert len(tensors(nodes)) == n_tensors
    assert sorted(label(a).split("\n")[0] for a in ops(nodes).values()) == sorted(names)
    # every op has one arrow per input and one to its result; every arrow joins two known nodes
    assert len(edges) == sum(len(_inputs_of(n, edges)) + 1 for n in ops(nodes))
    assert all(a in nodes and b in nodes for a, b, _ in edges)


def _inputs_of(op, edges):
    return [a for a, b, _ in edges if b == op]


def test_labels_mark_leaves_constants_and_outputs(device):
    w1, w2, L, *_ = lecture_loss(device)
    nodes, edges = parse(tl.viz.graph(L, names={w1: "w1", "w2": w2, L: "L"}))
    by_label = {label(a).split("\n")[0]: a for a in tensors(nodes).values()}
    assert "fillcolor=\"#fff2b3\"" in by_label["w1"] and "fillcolor=\"#fff2b3\"" in by_label["w2"]
    assert "dashed" in by_label["constant 1"]  # the 1 of 1 − w1·w2: a leaf without grad, with its value
    assert "penwidth" in by_label["L"] and "penwidth" not in by_label["w1"]
    assert all("() float32" in label(a) for a in tensors(nodes).values())
    pow_op = next(n for n, a in ops(nodes).items() if "PowConstant" in a)
    assert "exponent=2" in label(ops(nodes)[pow_op])
    sub_op = next(n for n, a in ops(nodes).items() if "Sub" in a)
    constant = next(n for n, a in nodes.items() if "constant 1" in a)
    assert (constant, sub_op, "0") in edges  # 1 − (w1·w2): the constant is input 0


def test_shape_dtype_and_parameter_subclass(device):
    class Parameter(tl.Tensor):
        """Stands in for tl.nn.Parameter: a Tensor subclass, named by its class."""

    W = Parameter(tl.ones(2, 3, dtype=tl.float64, device=device).data, requires_grad=True)
    y = (W * 2).sum(axis=1)
    nodes, _ = parse(tl.viz.graph(y))
    texts = [label(a) for a in tensors(nodes).values()]
    assert "Parameter\n(2, 3) float64" in texts
    assert "(2,) float64" in texts
    assert any("Sum\naxes=(1,)" == label(a) for a in ops(nodes).values())


def test_show_values(device):
    w1, w2, L, g1, g2, h11, h12 = lecture_loss(device)
    nodes, _ = parse(tl.viz.graph([L, (g1, g2), (h11, h12)], names={L: "L", h12: "H12"}, show_values=True))
    texts = [label(a).split("\n")[0] for a in tensors(nodes).values()]
    assert "L = 1" in texts and "H12 = -2" in texts  # L(0, 0) = 1 and ∂²L/∂w1∂w2 = −2 (F05)


def test_create_graph_graph_contains_the_backward_ops(device):
    w1, w2, L, g1, g2, h11, h12 = lecture_loss(device)
    forward = ops(parse(tl.viz.graph(L))[0])
    gradient = ops(parse(tl.viz.graph(g1))[0])
    # dL/dw1 = −2(1 − w1·w2)·w2 reuses the forward's Mul and Sub, and adds the backward's Mul and Neg ops
    names = sorted(label(a).split("\n")[0] for a in gradient.values())
    assert names == ["Mul", "Mul", "Mul", "Mul", "Neg", "Sub"]
    assert "PowConstant" not in names  # the square itself is not needed for its derivative
    # drawn together, the ops recorded by the backward pass get the second colour
    together = ops(parse(tl.viz.graph([L, (g1, g2)]))[0])
    colours = [re.search(r'fillcolor="([^"]+)"', a).group(1) for a in together.values()]
    assert colours.count(OP_COLOURS[0][1]) == len(forward) == 3
    assert colours.count(OP_COLOURS[1][1]) == 5  # Mul·2, Mul·1, Neg, two final Muls
    # differentiating again (the Hessian) adds a third layer, with the Add that sums two paths
    hessian = ops(parse(tl.viz.graph([L, (g1, g2), (h11, h12)]))[0])
    assert len(hessian) > len(together)
    assert any(label(a) == "Add" for a in hessian.values())


def test_an_output_the_backward_reads_is_drawn_once(device):
    """tanh's backward reads its output y through its own Tensor object (Function.output()); the graph of
    the gradient must still show one Tanh and one y, with y's name, feeding both the forward and TanhGrad."""
    x = tl.tensor([0.5, -0.3], requires_grad=True, device=device)
    y = x.tanh()
    (g,) = tl.grad((y * y).sum(), x, create_graph=True)
    nodes, edges = parse(tl.viz.graph([y, g], names={x: "x", y: "y"}))
    names = [label(a).split("\n")[0] for a in ops(nodes).values()]
    assert names.count("Tanh") == 1 and "TanhGrad" in names
    y_nodes = [n for n, a in tensors(nodes).items() if label(a).startswith("y\n")]
    assert len(y_nodes) == 1 and "penwidth" in nodes[y_nodes[0]]
    tanh_grad = next(n for n, a in ops(nodes).items() if label(a) == "TanhGrad")
    assert (y_nodes[0], tanh_grad, "1") in edges


def test_output_inside_an_earlier_group_is_still_bold(device):
    w = tl.tensor(2.0, requires_grad=True, device=device)
    y = w * w
    z = y * 3
    nodes, _ = parse(tl.viz.graph([z, y], names={y: "y"}))
    y_node = next(a for a in tensors(nodes).values() if label(a).startswith("y\n"))
    assert "penwidth" in y_node


def test_deep_chain_has_no_recursion_limit(device):
    x = tl.tensor(1.0, requires_grad=True, device=device)
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y * 1.0
    nodes, edges = parse(tl.viz.graph(y))
    assert len(ops(nodes)) == 3 * sys.getrecursionlimit()


def test_bad_arguments_name_the_function():
    w = tl.tensor(1.0, requires_grad=True)
    with pytest.raises(TypeError, match="graph: expected a Tensor"):
        tl.viz.graph(3.0)
    with pytest.raises(TypeError, match="graph: output 1"):
        tl.viz.graph([w, 2.0])
    with pytest.raises(TypeError, match="graph: names"):
        tl.viz.graph(w, names={w: 1})
    with pytest.raises(ValueError, match="draw_graph: cannot tell the image format"):
        tl.viz.draw_graph(w, "graph_without_suffix")


def test_missing_graphviz_package_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    with pytest.raises(ImportError, match=r"pip install graphviz.*`dot`"):
        tl.viz.draw_graph(tl.tensor(1.0, requires_grad=True) * 2, tmp_path / "g.svg")


@pytest.mark.skipif(not HAS_GRAPHVIZ, reason="needs the graphviz package and the dot program")
def test_missing_dot_program_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="`dot` program was not found"):
        tl.viz.draw_graph(tl.tensor(1.0, requires_grad=True) * 2, tmp_path / "g.svg")


@pytest.mark.skipif(not HAS_GRAPHVIZ, reason="needs the graphviz package and the dot program")
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_draw_graph_renders_every_node(suffix, device, tmp_path):
    w1, w2, L, g1, g2, *_ = lecture_loss(device)
    path = tl.viz.draw_graph([L, (g1, g2)], tmp_path / f"graph{suffix}", names={w1: "w1", w2: "w2"})
    data = path.read_bytes()
    if suffix == ".svg":
        nodes, _ = parse(tl.viz.graph([L, (g1, g2)]))
        assert data.decode().count('class="node"') == len(nodes)
        assert "PowConstant" in data.decode() and "Neg" in data.decode()
    else:
        assert data.startswith(b"\x89PNG") and len(data) > 5000
