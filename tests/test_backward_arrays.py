"""An op's ``backward_arrays`` (its backward on arrays, which the engine runs when no graph is recorded) must
give exactly the gradients of its ``backward`` in Tensor ops (the one create_graph=True runs)."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite.autograd import Function
from tinygrad_lite.ops.cross_entropy import CrossEntropy
from tinygrad_lite.ops.elementwise import Add, Div, Exp, Log, Mul, PowConstant, ReLU, Sigmoid, Sub, Tanh
from tinygrad_lite.ops.linalg import Linear
from tinygrad_lite.ops.reduce import Sum


def labels(like):
    return tl.tensor([0, 2, 1, 2], device=like.device)


# each op with a backward on arrays: (its Function, a function of float64 tensors that applies it, input shapes)
CASES = {
    "add": (Add, lambda a, b: a + b, [(3, 4), (3, 4)]),
    "add, broadcast": (Add, lambda a, b: a + b, [(2, 3, 4), (3, 1)]),
    "sub, broadcast": (Sub, lambda a, b: a - b, [(3, 1), (2, 1, 4)]),
    "mul": (Mul, lambda a, b: a * b, [(3, 4), (3, 4)]),
    "mul, broadcast": (Mul, lambda a, b: a * b, [(4,), (3, 1)]),
    "mul of 0-d tensors": (Mul, lambda a, b: a * b, [(), ()]),
    "div, broadcast": (Div, lambda a, b: a / (b * b + 1), [(2, 3), (3,)]),
    "square": (PowConstant, lambda x: x ** 2, [(3, 4)]),
    "cube": (PowConstant, lambda x: x ** 3, [(3, 4)]),
    "power 1": (PowConstant, lambda x: x ** 1, [(3,)]),
    "exp": (Exp, lambda x: x.exp(), [(3, 4)]),
    "log": (Log, lambda x: (x * x + 1).log(), [(3, 4)]),
    "sum of all": (Sum, lambda x: x.sum(), [(3, 4)]),
    "sum over a dim": (Sum, lambda x: x.sum(dim=1), [(3, 4)]),
    "sum keeping dims": (Sum, lambda x: x.sum(dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    "mean": (Div, lambda x: x.mean(), [(3, 4)]),
    "tanh": (Tanh, lambda x: x.tanh(), [(3, 4)]),
    "tanh of a 0-d tensor": (Tanh, lambda x: x.tanh(), [()]),
    "sigmoid": (Sigmoid, lambda x: x.sigmoid(), [(3, 4)]),
    "linear": (Linear, lambda x, w, b: F.linear(x, w, b), [(4, 3), (5, 3), (5,)]),
    "linear without bias": (Linear, lambda x, w: F.linear(x, w), [(4, 3), (5, 3)]),
    "linear, a batch of one": (Linear, lambda x, w, b: F.linear(x, w, b), [(1, 3), (5, 3), (5,)]),
    "relu": (ReLU, lambda x: x.relu(), [(3, 4)]),
    "relu of a 0-d tensor": (ReLU, lambda x: x.relu(), [()]),
    "cross_entropy mean": (CrossEntropy, lambda x: F.cross_entropy(x, labels(x)), [(4, 3)]),
    "cross_entropy sum": (CrossEntropy, lambda x: F.cross_entropy(x, labels(x), reduction="sum"), [(4, 3)]),
    "cross_entropy none": (CrossEntropy, lambda x: F.cross_entropy(x, labels(x), reduction="none"), [(4, 3)]),
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_op_with_a_backward_on_arrays_is_checked():
    with_arrays = {cls for cls in _subclasses(Function) if cls.backward_arrays is not None}
    assert with_arrays == {op for op, _, _ in CASES.values()}


@pytest.mark.parametrize("name", list(CASES))
def test_backward_on_arrays_equals_the_tensor_backward(name, device, rng):
    op, apply, shapes = CASES[name]
    inputs = [tl.tensor(rng.standard_normal(shape), device=device, requires_grad=True) for shape in shapes]
    out = apply(*inputs)
    assert type(out.grad_fn) is op
    u = tl.tensor(rng.standard_normal(out.shape), device=device)
    on_arrays = tl.grad(out, inputs, grad_outputs=u)  # the engine runs backward_arrays ...
    in_tensor_ops = tl.grad(apply(*inputs), inputs, grad_outputs=u, create_graph=True)  # ... and here backward
    for a, t, x in zip(on_arrays, in_tensor_ops, inputs):
        assert a.grad_fn is None and type(a.data) is type(x.data) and a.dtype == x.dtype
        np.testing.assert_allclose(a.cpu().numpy(), t.detach().cpu().numpy(), rtol=1e-13, atol=1e-15)
    assert any(np.abs(a.cpu().numpy()).max() > 0 for a in on_arrays)


def test_only_the_inputs_that_need_a_gradient_get_one(device, rng):
    x = tl.tensor(rng.standard_normal((4, 3)), device=device)  # data: no gradient wanted
    w = tl.tensor(rng.standard_normal((5, 3)), device=device, requires_grad=True)
    b = tl.tensor(rng.standard_normal(5), device=device, requires_grad=True)
    F.linear(x, w, b).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad.cpu().numpy(), np.ones((4, 5)).T @ x.cpu().numpy(), rtol=1e-13)
    np.testing.assert_allclose(b.grad.cpu().numpy(), np.full(5, 4.0))
