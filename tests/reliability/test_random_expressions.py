"""Random expressions, cross-checked: values, gradients and Hessian-vector products.

Hypothesis writes small programs over the op set (elementwise, broadcasting binary ops, reductions,
shape ops, indexing, matmul, softmax ...) on 1–3 inputs of random mutually broadcastable shapes. Each
program is reduced to a scalar f = Σ out · W with fixed random weights W (a wrong Jacobian entry would
have to be orthogonal to W to hide), and then, in float64 on the device under test:

* the gradient ∇f from ``tl.grad`` is compared with central finite differences of f;
* the Hessian-vector product H·v from ``tl.hvp`` with central differences of ∇f along v;
* where PyTorch is installed, f, ∇f and H·v with the same program written in ``torch``.

Finite differences are only right away from a kink (|x| at 0, relu at 0, ties of max/maximum, the ends
of clip). Each piecewise op reports how far its inputs are from its kink, and an example that lands
within ``KINK_MARGIN`` of one is discarded (as Chainer's op tests redraw their inputs). PyTorch uses the
same conventions at the kinks (derivative 0 for |x| and relu at 0, ties share the gradient equally), so
the PyTorch comparison keeps those examples.

``CHECKED`` counts the expressions that passed each check; the last test reports the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from helpers import DEVICE
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F

try:
    import torch
except ImportError:  # PyTorch is optional: its cross-check is skipped
    torch = None

EXAMPLES = 800  # per test: every op meets many shapes and partners; the file stays under ~20 s on 2 cores
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
KINK_MARGIN = 1e-3  # a finite-difference step of 1e-6 cannot cross a kink this far away
EPS = 1e-6
CHECKED = {"finite differences": 0, "pytorch": 0}
OPS_CHECKED: Counter[str] = Counter()  # how often each op appeared in an expression that passed


# --- the op set, written once for tinygrad_lite and once for PyTorch -------------------------------


class TL:
    """The library under test, in the vocabulary the op table uses."""

    @staticmethod
    def sum(x, axis):
        return x.sum(axis=axis, keepdims=True)

    @staticmethod
    def mean(x, axis):
        return x.mean(axis=axis, keepdims=True)

    @staticmethod
    def amax(x, axis):
        return x.amax(axis=axis, keepdims=True)

    @staticmethod
    def logsumexp(x, axis):
        return x.logsumexp(axis=axis, keepdims=True)

    @staticmethod
    def var(x, axis):
        return x.var(axis=axis, keepdims=True)

    maximum = staticmethod(tl.maximum)
    minimum = staticmethod(tl.minimum)
    log_softmax = staticmethod(F.log_softmax)
    softplus = staticmethod(F.softplus)
    concatenate = staticmethod(tl.concatenate)

    @staticmethod
    def where(mask, a, b):
        return tl.where(tl.tensor(mask, device=a.device), a, b)

    @staticmethod
    def reverse_axes(x):
        return x.transpose()

    @staticmethod
    def swap_last(x):
        return x.swapaxes(-1, -2)

    @staticmethod
    def take(x, index):
        return x[..., index]


class Torch:
    """The same vocabulary in PyTorch (dim/keepdim, amax, permute ...)."""

    @staticmethod
    def sum(x, axis):
        return x.sum(dim=axis, keepdim=True)

    @staticmethod
    def mean(x, axis):
        return x.mean(dim=axis, keepdim=True)

    @staticmethod
    def amax(x, axis):
        return torch.amax(x, dim=axis, keepdim=True)

    @staticmethod
    def logsumexp(x, axis):
        return torch.logsumexp(x, dim=axis, keepdim=True)

    @staticmethod
    def var(x, axis):
        return torch.var(x, dim=axis, keepdim=True, correction=0)

    @staticmethod
    def maximum(a, b):
        return torch.maximum(a, b)

    @staticmethod
    def minimum(a, b):
        return torch.minimum(a, b)

    @staticmethod
    def log_softmax(x, axis):
        return torch.log_softmax(x, dim=axis)

    @staticmethod
    def softplus(x):
        return torch.nn.functional.softplus(x)

    @staticmethod
    def concatenate(xs, axis):
        return torch.cat(xs, dim=axis)

    @staticmethod
    def where(mask, a, b):
        return torch.where(torch.as_tensor(mask), a, b)

    @staticmethod
    def reverse_axes(x):
        return x.permute(tuple(reversed(range(x.ndim))))

    @staticmethod
    def swap_last(x):
        return x.transpose(-1, -2)

    @staticmethod
    def take(x, index):
        return x[..., torch.as_tensor(index)]


@dataclass
class Op:
    """One op of the random programs.

    ``apply(ns, inputs, param)`` computes it with the namespace ``ns`` (TL or Torch) on Tensors of
    either library; ``param`` is drawn per use (an axis, an index, a mask). ``fits(shapes)`` says
    whether the inputs' shapes suit the op. ``kink(arrays, param)`` gives the distance of the inputs
    (NumPy arrays) from the op's nearest non-differentiable point, for piecewise ops.
    """

    name: str
    arity: int
    apply: Callable
    fits: Callable = lambda shapes: True
    kink: Callable | None = None


def _broadcastable(shapes) -> bool:
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


def _nonempty_axis(shapes) -> bool:
    return len(shapes[0]) >= 1


def _top_two_gap(x: np.ndarray, axis: int) -> float:
    """The smallest gap between the largest and the second largest value along ``axis`` (0 for ties)."""
    if x.shape[axis] < 2:
        return np.inf
    top = np.sort(x, axis=axis)
    return float(np.min(np.take(top, -1, axis) - np.take(top, -2, axis)))


def _matmul_fits(shapes) -> bool:
    a, b = shapes
    return len(a) >= 1 and len(b) >= 1 and _broadcastable([a[:-1], b[:-1]])


def _concat_fits(shapes) -> bool:
    a, b = shapes
    return len(a) == len(b) >= 1 and a[:-1] == b[:-1]


OPS = [
    # smooth elementwise
    Op("neg", 1, lambda ns, x, p: -x[0]),
    Op("square", 1, lambda ns, x, p: x[0] ** 2),
    Op("cube", 1, lambda ns, x, p: x[0] ** 3),
    Op("exp", 1, lambda ns, x, p: (x[0] * 0.5).exp()),
    Op("log", 1, lambda ns, x, p: (x[0] * x[0] + 0.5).log()),
    Op("sqrt", 1, lambda ns, x, p: (x[0] * x[0] + 0.25).sqrt()),
    Op("sin", 1, lambda ns, x, p: x[0].sin()),
    Op("cos", 1, lambda ns, x, p: x[0].cos()),
    Op("tanh", 1, lambda ns, x, p: x[0].tanh()),
    Op("sigmoid", 1, lambda ns, x, p: x[0].sigmoid()),
    Op("softplus", 1, lambda ns, x, p: ns.softplus(x[0])),
    Op("reciprocal", 1, lambda ns, x, p: 1.0 / (x[0] * x[0] + 1.0)),
    # piecewise elementwise
    Op("abs", 1, lambda ns, x, p: x[0].abs(), kink=lambda a, p: np.min(np.abs(a[0]), initial=np.inf)),
    Op("relu", 1, lambda ns, x, p: x[0].relu(), kink=lambda a, p: np.min(np.abs(a[0]), initial=np.inf)),
    Op("clip", 1, lambda ns, x, p: x[0].clip(-0.5, 0.5),
       kink=lambda a, p: np.min(np.minimum(np.abs(a[0] - 0.5), np.abs(a[0] + 0.5)), initial=np.inf)),
    # broadcasting binary ops
    Op("add", 2, lambda ns, x, p: x[0] + x[1], _broadcastable),
    Op("sub", 2, lambda ns, x, p: x[0] - x[1], _broadcastable),
    Op("mul", 2, lambda ns, x, p: x[0] * x[1], _broadcastable),
    Op("div", 2, lambda ns, x, p: x[0] / (x[1] * x[1] + 0.5), _broadcastable),
    Op("pow", 2, lambda ns, x, p: (x[0] * x[0] + 0.5) ** (x[1] * 0.5), _broadcastable),
    Op("where", 2, lambda ns, x, p: ns.where(p, x[0], x[1]), _broadcastable),
    Op("maximum", 2, lambda ns, x, p: ns.maximum(x[0], x[1]), _broadcastable,
       kink=lambda a, p: np.min(np.abs(np.subtract(a[0], a[1])), initial=np.inf)),
    Op("minimum", 2, lambda ns, x, p: ns.minimum(x[0], x[1]), _broadcastable,
       kink=lambda a, p: np.min(np.abs(np.subtract(a[0], a[1])), initial=np.inf)),
    # batched outer products (..., n, 1) @ (..., 1, m): a matmul that fits any two inputs of rank >= 1
    Op("matmul", 2, lambda ns, x, p: x[0].unsqueeze(-1) @ x[1].unsqueeze(-2), _matmul_fits),
    Op("dot", 2, lambda ns, x, p: x[0] @ x[1], lambda shapes: len(shapes[0]) == len(shapes[1]) == 1
       and shapes[0] == shapes[1]),
    Op("gram", 1, lambda ns, x, p: x[0] @ ns.swap_last(x[0]), lambda shapes: len(shapes[0]) >= 2),
    Op("concatenate", 2, lambda ns, x, p: ns.concatenate([x[0], x[1]], -1), _concat_fits),
    # reductions (keepdims, so the result still broadcasts against the other nodes)
    Op("sum", 1, lambda ns, x, p: ns.sum(x[0], p), _nonempty_axis),
    Op("mean", 1, lambda ns, x, p: ns.mean(x[0], p), _nonempty_axis),
    Op("var", 1, lambda ns, x, p: ns.var(x[0], p), _nonempty_axis),
    Op("logsumexp", 1, lambda ns, x, p: ns.logsumexp(x[0], p), _nonempty_axis),
    Op("log_softmax", 1, lambda ns, x, p: ns.log_softmax(x[0], p), _nonempty_axis),
    Op("sum_all", 1, lambda ns, x, p: x[0].sum()),
    Op("amax", 1, lambda ns, x, p: ns.amax(x[0], p), _nonempty_axis, kink=lambda a, p: _top_two_gap(a[0], p)),
    # shape ops and indexing
    Op("reverse_axes", 1, lambda ns, x, p: ns.reverse_axes(x[0])),
    Op("flatten", 1, lambda ns, x, p: x[0].reshape(-1)),
    Op("unsqueeze", 1, lambda ns, x, p: x[0].unsqueeze(0), lambda shapes: len(shapes[0]) < 3),
    Op("flip_last", 1, lambda ns, x, p: x[0][..., ::-1] if ns is TL else x[0].flip(-1), _nonempty_axis),
    Op("take_repeated", 1, lambda ns, x, p: ns.take(x[0], p), _nonempty_axis),
]
OPS_BY_NAME = {op.name: op for op in OPS}


# --- random programs ---------------------------------------------------------------------------------


@dataclass
class Program:
    """Input shapes and values, then steps (op name, argument node indices, param); the last node is the
    output. Node k < len(inputs) is input k; every step appends one node."""

    inputs: list[np.ndarray]
    steps: list[tuple[str, tuple[int, ...], object]]
    weights: np.ndarray
    direction: list[np.ndarray]

    def __repr__(self) -> str:
        shapes = [a.shape for a in self.inputs]
        return f"Program(inputs {shapes}: " + "; ".join(f"{n}{args}" for n, args, _ in self.steps) + ")"


def _param(op: Op, shape: tuple[int, ...], rng: np.random.Generator, result_shape=None):
    """The op's per-use parameter: an axis for reductions, an index for take, a mask for where."""
    if op.name in ("sum", "mean", "var", "logsumexp", "log_softmax", "amax"):
        return int(rng.integers(-len(shape), len(shape)))
    if op.name == "take_repeated":  # a repeated index: its gradient must be added up, not overwritten
        return [0, shape[-1] - 1, 0]
    if op.name == "where":
        return rng.random(result_shape) < 0.5
    return None


@st.composite
def programs(draw, ops=tuple(OPS)) -> Program:
    n_inputs = draw(st.integers(1, 3))
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=n_inputs, min_dims=0, max_dims=3, min_side=1,
                                                     max_side=3)).input_shapes
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    inputs = [rng.uniform(-2.0, 2.0, shape) for shape in shapes]
    node_shapes = list(shapes)
    steps = []
    # Ops and arguments come from the drawn seed rather than from hypothesis' own choices: they are then
    # uniform over the op set (hypothesis favours the first entries of a list), and a failure still
    # replays exactly from the example it prints.
    for _ in range(draw(st.integers(1, 6))):
        op = ops[int(rng.integers(len(ops)))]
        # recent nodes are likelier, so programs grow deep rather than wide
        args = tuple(len(node_shapes) - 1 - int(rng.integers(len(node_shapes))) // 2 for _ in range(op.arity))
        arg_shapes = [node_shapes[k] for k in args]
        if not op.fits(arg_shapes):
            continue
        result_shape = np.broadcast_shapes(*arg_shapes) if op.name == "where" else None
        param = _param(op, arg_shapes[0], rng, result_shape)
        steps.append((op.name, args, param))
        node_shapes.append(_shape_after(op, arg_shapes, param))
    assume(steps)
    out_shape = node_shapes[-1]
    return Program(inputs, steps, rng.standard_normal(out_shape), [rng.standard_normal(s) for s in shapes])


def _shape_after(op: Op, shapes, param) -> tuple[int, ...]:
    """The output shape, computed on zeros with NumPy stand-ins of the same shapes."""
    zeros = [tl.zeros(s, dtype=tl.float64) for s in shapes]
    return op.apply(TL, zeros, param).shape


def run(program: Program, ns, leaves, kinks: list[float] | None = None):
    """Evaluate the program on ``leaves`` (Tensors of either library); return the scalar Σ out · W.
    With ``kinks`` given, each piecewise op appends its distance from a kink."""
    nodes = list(leaves)
    for name, args, param in program.steps:
        op = OPS_BY_NAME[name]
        inputs = [nodes[k] for k in args]
        if kinks is not None and op.kink is not None:
            kinks.append(float(op.kink([t.cpu().numpy() for t in inputs], param)))
        nodes.append(op.apply(ns, inputs, param))
    weights = program.weights
    if ns is TL:
        return (nodes[-1] * tl.tensor(weights, device=DEVICE)).sum()
    return (nodes[-1] * torch.as_tensor(weights)).sum()


# --- the checks --------------------------------------------------------------------------------------


def _leaves(arrays) -> list[tl.Tensor]:
    return [tl.tensor(a, dtype=tl.float64, device=DEVICE, requires_grad=True) for a in arrays]


def _value(program: Program, arrays) -> float:
    with tl.no_grad():
        return float(run(program, TL, [tl.tensor(a, dtype=tl.float64, device=DEVICE) for a in arrays]).item())


def _gradient(program: Program, arrays) -> list[np.ndarray]:
    leaves = _leaves(arrays)
    grads = tl.grad(run(program, TL, leaves), leaves, allow_unused=True)
    return [_or_zeros(g, a) for g, a in zip(grads, arrays)]


def _or_zeros(g, like: np.ndarray) -> np.ndarray:
    return np.zeros_like(like) if g is None else g.cpu().numpy()


def _finite_difference_gradient(program: Program) -> list[np.ndarray]:
    """∂f/∂x for every element of every input: (f(x + ε e) − f(x − ε e)) / 2ε."""
    result = []
    for k, x in enumerate(program.inputs):
        grad = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            values = []
            for step in (EPS, -EPS):
                shifted = [a.copy() for a in program.inputs]
                shifted[k][index] += step
                values.append(_value(program, shifted))
            grad[index] = (values[0] - values[1]) / (2 * EPS)
        result.append(grad)
    return result


def _finite_difference_hvp(program: Program) -> list[np.ndarray]:
    """H·v as the change of the (analytic) gradient along v: (∇f(x + εv) − ∇f(x − εv)) / 2ε."""
    plus = _gradient(program, [x + EPS * v for x, v in zip(program.inputs, program.direction)])
    minus = _gradient(program, [x - EPS * v for x, v in zip(program.inputs, program.direction)])
    return [(p - m) / (2 * EPS) for p, m in zip(plus, minus)]


def _library_hvp(program: Program) -> list[np.ndarray]:
    leaves = _leaves(program.inputs)
    directions = [tl.tensor(v, device=DEVICE) for v in program.direction]
    products = tl.hvp(lambda xs: run(program, TL, xs), leaves, directions)
    return [p.cpu().numpy() for p in products]


def _assert_close(got, want, what: str, program: Program, rtol: float = 1e-4) -> None:
    for k, (g, w) in enumerate(zip(got, want)):
        scale = 1.0 + float(np.max(np.abs(w), initial=0.0))
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-6 * scale,
                                   err_msg=f"{what} of input {k} disagrees for {program!r}")


@SETTINGS
@given(program=programs())
def test_gradients_and_hessian_vector_products_match_finite_differences(program):
    kinks: list[float] = []
    with tl.no_grad():
        run(program, TL, [tl.tensor(a, device=DEVICE) for a in program.inputs], kinks)
    assume(min(kinks, default=np.inf) > KINK_MARGIN)  # finite differences are wrong across a kink

    _assert_close(_gradient(program, program.inputs), _finite_difference_gradient(program), "gradient", program)
    _assert_close(_library_hvp(program), _finite_difference_hvp(program), "Hessian-vector product", program)
    CHECKED["finite differences"] += 1
    OPS_CHECKED.update(name for name, _, _ in program.steps)


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@SETTINGS
@given(program=programs())
def test_values_gradients_and_hessian_vector_products_match_pytorch(program):
    leaves = _leaves(program.inputs)
    value = run(program, TL, leaves)
    grads = tl.grad(value, leaves, allow_unused=True)

    torch_leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in program.inputs]
    torch_value = run(program, Torch, torch_leaves)
    torch_grads = torch.autograd.grad(torch_value, torch_leaves, create_graph=True, allow_unused=True)
    torch_grads = [torch.zeros_like(x) if g is None else g for x, g in zip(torch_leaves, torch_grads)]
    directional = sum((g * torch.as_tensor(v)).sum() for g, v in zip(torch_grads, program.direction))
    torch_hvp = (torch.autograd.grad(directional, torch_leaves, allow_unused=True)
                 if directional.requires_grad else [None] * len(torch_leaves))

    np.testing.assert_allclose(value.item(), torch_value.item(), rtol=1e-10, atol=1e-10, err_msg=repr(program))
    _assert_close([_or_zeros(g, a) for g, a in zip(grads, program.inputs)],
                  [g.detach().numpy(force=True) for g in torch_grads], "gradient", program, rtol=1e-9)
    _assert_close(_library_hvp(program),
                  [np.zeros_like(a) if h is None else h.numpy(force=True)  # force: PyTorch's lazy zero tensors
                   for h, a in zip(torch_hvp, program.inputs)],
                  "Hessian-vector product", program, rtol=1e-9)
    CHECKED["pytorch"] += 1


def test_report_how_many_expressions_were_cross_checked(request):
    """Runs after the two property tests above: says how many random expressions passed each check."""
    report = ", ".join(f"{count} against {what}" for what, count in CHECKED.items())
    rarest = min(OPS_CHECKED.values(), default=0)
    print(f"\nrandom expressions cross-checked: {report}; {sum(OPS_CHECKED.values())} op uses, rarest op {rarest}×")
    request.node.user_properties.append(("cross_checked", dict(CHECKED)))
    if CHECKED["finite differences"]:  # zero when the property test was deselected (-k)
        assert CHECKED["finite differences"] == EXAMPLES
        missing = sorted(set(OPS_BY_NAME) - set(OPS_CHECKED))
        assert not missing, f"ops never checked against finite differences: {missing} ({OPS_CHECKED})"
