"""Draw the computational graph that produced a tensor, as Graphviz DOT text.

Backprop walks this graph from the loss back to the leaves; seeing it makes the chain rule concrete.
Because the backward pass of tinygrad_lite is itself written in Tensor ops, ``create_graph=True``
records a *second* graph (the graph of the gradient), and differentiating that one again gives the
Hessian. ``graph([L, g])`` draws both at once: the ops the backward pass added get a second colour.

Drawing conventions:

- ops are boxes, labelled with their Function's name and its plain settings (``PowConstant
  exponent=2``, ``Sum axes=(1,)``); an arrow into an op from an input is numbered by its position
  when the op has several inputs (``Sub``: 0 − 1);
- tensors are ellipses with their shape and dtype: leaves that require grad (parameters, inputs we
  differentiate with respect to) are filled yellow, constant leaves (no grad) are grey and dashed and
  show their value when they hold a single number, results are white, and the outputs asked for are
  drawn with a bold outline.

The walk uses an explicit stack, not recursion, so a chain of 100,000 ops is no problem for the text
(rendering such a picture is another matter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..tensor import Tensor

# a Tensor, or a list of Tensors and groups of Tensors (see graph)
Outputs = Tensor | Sequence[Tensor | Sequence[Tensor]]

# One fill colour per group of outputs: the forward graph, the gradient's graph, the Hessian's graph ...
OP_COLOURS = (("blue", "#cfe2f3"), ("orange", "#f9cb9c"), ("green", "#b6d7a8"), ("purple", "#d9d2e9"),
              ("teal", "#a2c4c9"), ("pink", "#ead1dc"))
LEAF_COLOUR = "#fff2b3"
CONSTANT_COLOUR = "#eeeeee"


def graph(outputs: Outputs, names: Mapping | None = None, show_values: bool = False) -> str:
    """Graphviz DOT text of the graph that produced ``outputs``.

    ``outputs`` is a Tensor, or a list whose items are Tensors or groups (lists/tuples) of Tensors.
    Each item is one *group*: the ops first reached from it are filled with the group's colour, in
    order, so ``graph([L, (dL_dw1, dL_dw2)])`` shows in orange exactly the ops that
    ``create_graph=True`` recorded while computing the gradient. ``names`` labels tensors, given as
    ``{tensor: "w1"}`` or as ``{"w1": tensor}`` (so ``dict(model.named_parameters())`` works).
    ``show_values=True`` writes the value of every one-number tensor next to its name.

    Paste the text into any Graphviz viewer, or render it with :func:`draw_graph`.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor(3.0, requires_grad=True)
    >>> y = w * w
    >>> dot = graph(y, names={w: "w", y: "y"})
    >>> dot.count("shape=box")        # one op: Mul
    1
    >>> dot.count("->")               # w -> Mul (twice, as input 0 and 1), Mul -> y
    3
    """
    groups = _as_groups(outputs)
    labels = _names_by_id(names)
    builder = _DotBuilder(labels, show_values)
    for group in groups:  # all first: a later group's output may lie inside an earlier group's graph
        for t in group:
            builder.mark_output(t)
    for group_index, group in enumerate(groups):
        builder.walk(group, group_index)
    return builder.text(_legend(groups, labels))


def draw_graph(outputs: Outputs, path: str | Path, names: Mapping | None = None, show_values: bool = False) -> Path:
    """Render :func:`graph` of ``outputs`` to an image file; the format comes from the suffix.

    ``.svg``, ``.png`` and ``.pdf`` are the usual choices. Needs the ``graphviz`` Python package and the
    Graphviz ``dot`` program. ``names`` and ``show_values`` are as in :func:`graph`. Returns the path written.

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor(3.0, requires_grad=True)
    >>> draw_graph(w * w, "square.svg")                  # doctest: +SKIP
    PosixPath('square.svg')
    """
    path = Path(path)
    file_format = path.suffix.lstrip(".").lower()
    if not file_format:
        raise ValueError(f"draw_graph: cannot tell the image format of {str(path)!r}; "
                         "give the file a suffix such as .svg or .png")
    dot = graph(outputs, names, show_values)
    try:
        import graphviz
    except ImportError:
        raise ImportError("draw_graph: the graphviz Python package is not installed; run "
                          "`pip install graphviz` and install the Graphviz `dot` program "
                          "(apt install graphviz, brew install graphviz, or https://graphviz.org/download/)"
                          ) from None
    try:
        image = graphviz.Source(dot).pipe(format=file_format)
    except graphviz.ExecutableNotFound:
        raise RuntimeError("draw_graph: the Graphviz `dot` program was not found on PATH; install Graphviz "
                           "(apt install graphviz, brew install graphviz, or https://graphviz.org/download/) "
                           "as well as `pip install graphviz`") from None
    except ValueError as error:  # graphviz rejects an unknown format before running dot
        raise ValueError(f"draw_graph: cannot render {str(path)!r}: {error}") from None
    path.write_bytes(image)
    return path


# --- building the text --------------------------------------------------------------------------


def _node_key(t: Tensor) -> int:
    """What makes two Tensor objects one node of the drawing. A computed tensor is the one output of
    the op that made it, so it is known by that op: a backward that reads its op's output holds it as
    a Tensor of its own (``Function.output()`` rebuilds it), and both must be drawn as one value."""
    return id(t.grad_fn) if t.grad_fn is not None else id(t)


class _DotBuilder:
    """Collects nodes and edges while walking the graph; each tensor and op is emitted once."""

    def __init__(self, labels: dict[int, str], show_values: bool):
        self.labels = labels
        self.show_values = show_values
        self.nodes: list[str] = []
        self.edges: list[tuple[Tensor, str, str | None]] = []  # (input tensor, op node, position label)
        self.result_edges: list[str] = []  # op -> the tensor it produced
        self.tensor_ids: dict[int, str] = {}  # _node_key(tensor) -> DOT node name
        self.op_ids: dict[int, str] = {}  # id(Function) -> DOT node name
        self.outputs: set[int] = set()
        self.alive: list = []  # holds every visited object, so no id() is reused during the walk

    def mark_output(self, t: Tensor) -> None:
        self.outputs.add(_node_key(t))

    def walk(self, roots: Sequence[Tensor], group_index: int) -> None:
        """Emit every tensor and op reachable from ``roots`` that is not emitted yet."""
        stack = list(reversed(roots))
        while stack:
            t = stack.pop()
            if _node_key(t) in self.tensor_ids:
                continue
            node = self._add_tensor(t)
            fn = t.grad_fn
            if fn is None:
                continue
            op = self._add_op(fn, group_index)  # a Function has one output, so it is new here
            several = len(fn.inputs) > 1
            for position, x in enumerate(fn.inputs):
                self.edges.append((x, op, str(position) if several else None))
            stack.extend(reversed(fn.inputs))
            self.result_edges.append(f"  {op} -> {node};")

    def text(self, legend: str) -> str:
        input_edges = [f"  {self.tensor_ids[_node_key(x)]} -> {op}" + (f" [label={_quote(label)}];" if label else ";")
                       for x, op, label in self.edges]
        header = ["digraph G {",
                  '  node [fontname="Helvetica", fontsize=11];',
                  '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
                  f'  graph [labelloc=b, fontname="Helvetica", fontsize=10, label={_quote(legend)}];']
        return "\n".join(header + self.nodes + input_edges + self.result_edges + ["}"]) + "\n"

    def _add_tensor(self, t: Tensor) -> str:
        node = f"t{len(self.tensor_ids)}"
        self.tensor_ids[_node_key(t)] = node
        self.alive.append(t)
        name = self.labels.get(_node_key(t))
        first: str | None  # the label's first line: the tensor's name, kind or value (None: shape only)
        if t.grad_fn is None and t.requires_grad:
            first = name or _leaf_kind(t)
            style = f'style=filled, fillcolor="{LEAF_COLOUR}"'
        elif t.grad_fn is None:
            first = name or _constant_text(t)
            style = f'style="filled,dashed", fillcolor="{CONSTANT_COLOUR}", color="#888888"'
        else:
            first = name
            style = 'style=filled, fillcolor="white"'
        if self.show_values and t.numel() == 1 and t.requires_grad:  # constants show their value anyway
            first = f"{first} = {_number(t)}" if first else f"= {_number(t)}"
        if _node_key(t) in self.outputs:
            style += ", penwidth=2.5"
        label = (first + "\n" if first else "") + f"{_shape_text(t.shape)} {t.dtype}"
        self.nodes.append(f"  {node} [shape=ellipse, {style}, label={_quote(label)}];")
        return node

    def _add_op(self, fn, group_index: int) -> str:
        node = f"op{len(self.op_ids)}"
        self.op_ids[id(fn)] = node
        self.alive.append(fn)
        colour = OP_COLOURS[group_index % len(OP_COLOURS)][1]
        self.nodes.append(f'  {node} [shape=box, style="filled,rounded", fillcolor="{colour}", '
                          f"label={_quote(_op_text(fn))}];")
        return node


# --- labels -------------------------------------------------------------------------------------


def _op_text(fn) -> str:
    """The op's name and its plain settings (numbers, strings, tuples of ints), one per line.

    Arrays the op saved for backward (masks, shares) are left out: they are data, not settings.
    """
    lines = [type(fn).__name__]
    for key, value in vars(fn).items():  # what the op saved on itself (inputs and the like are slots)
        # exact types: bool is an int, and a NumPy scalar saved for backward is a float subclass
        plain = type(value) in (int, float, str) or (
            type(value) is tuple and all(type(v) is int for v in value))
        if plain:
            lines.append(f"{key}={value!r}")
    return "\n".join(lines)


def _leaf_kind(t: Tensor) -> str:
    """'leaf' for a plain Tensor that requires grad; a subclass (nn.Parameter) is named by its class."""
    return "leaf" if type(t) is Tensor else type(t).__name__


def _constant_text(t: Tensor) -> str:
    """A constant holding one number shows it (the 1 of 1 − w1·w2, the seed gradient 1 of backward)."""
    if t.numel() == 1:
        return f"constant {_number(t)}"
    return "constant"


def _number(t: Tensor) -> str:
    return f"{t.item() + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _quote(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, line breaks as DOT's centred \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _legend(groups: list[list[Tensor]], labels: dict[int, str]) -> str:
    """A caption: which colour of op box belongs to which group of outputs."""
    parts = []
    for index, group in enumerate(groups):
        unnamed = [f"outputs[{index}]"] if len(group) == 1 else [f"outputs[{index}][{k}]" for k in range(len(group))]
        named = ", ".join(labels.get(_node_key(t), default) for t, default in zip(group, unnamed))
        parts.append(f"{OP_COLOURS[index % len(OP_COLOURS)][0]} ops: {named}")
    caption = "; ".join(parts) if len(groups) > 1 else ""
    key = "yellow: leaves that require grad; grey dashed: constants; bold: outputs"
    return caption + ("\n" if caption else "") + key


# --- arguments ----------------------------------------------------------------------------------


def _as_groups(outputs: Outputs) -> list[list[Tensor]]:
    """A Tensor -> one group; a list -> one group per item (an item may itself be a list of Tensors)."""
    if isinstance(outputs, Tensor):
        return [[outputs]]
    if not isinstance(outputs, (list, tuple)) or not outputs:
        raise TypeError(f"graph: expected a Tensor or a non-empty list of Tensors, got {_describe(outputs)}")
    groups = []
    for i, item in enumerate(outputs):
        group = [item] if isinstance(item, Tensor) else item
        if not isinstance(group, (list, tuple)) or not group or not all(isinstance(t, Tensor) for t in group):
            raise TypeError(f"graph: output {i} is {_describe(item)}; expected a Tensor or a list of Tensors")
        groups.append(list(group))
    return groups


def _names_by_id(names: Mapping | None) -> dict[int, str]:
    """Accept {tensor: name} or {name: tensor}; key the result by _node_key (a Tensor's == is elementwise)."""
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(f"graph: names must be a dict {{tensor: name}} or {{name: tensor}}, got {_describe(names)}")
    by_id = {}
    for key, value in names.items():
        if isinstance(key, Tensor) and isinstance(value, str):
            by_id[_node_key(key)] = value
        elif isinstance(key, str) and isinstance(value, Tensor):
            by_id[_node_key(value)] = key
        else:
            raise TypeError(f"graph: names must map tensors to strings (or strings to tensors), "
                            f"got {_describe(key)} -> {_describe(value)}")
    return by_id


def _describe(value) -> str:
    return f"a {type(value).__name__}"
