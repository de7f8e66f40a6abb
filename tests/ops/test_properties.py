"""Property tests: broadcasting gradients for any pair of compatible shapes, reshape/transpose round trips."""

import numpy as np
from helpers import DEVICE
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tl

SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "maximum"]), seed=st.integers(0, 2**16))
def test_broadcasting_binary_ops_reduce_gradients_to_each_input(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a_np, b_np = (rng.uniform(-2, 2, s) for s in shapes.input_shapes)
    a = tl.tensor(a_np, requires_grad=True, device=DEVICE)
    b = tl.tensor(b_np, requires_grad=True, device=DEVICE)
    out = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
           "maximum": lambda: tl.maximum(a, b)}[op]()
    assert out.shape == shapes.result_shape
    weights = rng.standard_normal(shapes.result_shape)
    (out * tl.tensor(weights, device=DEVICE)).sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    # the gradient of a broadcast input is the output gradient summed over the broadcast axes
    local_a = {"add": 1.0, "sub": 1.0, "mul": np.broadcast_to(b_np, shapes.result_shape),
               "maximum": (a_np > b_np) + 0.5 * (a_np == b_np)}[op]
    expected_a = np.broadcast_to(weights * local_a, shapes.result_shape)
    lead = len(shapes.result_shape) - a.ndim
    expected_a = expected_a.sum(axis=tuple(range(lead)))
    expected_a = expected_a.sum(axis=tuple(i for i, n in enumerate(a.shape) if n == 1), keepdims=True)
    np.testing.assert_allclose(a.grad.cpu().numpy(), expected_a.reshape(a.shape), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(data=st.data())
def test_reshape_round_trip(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=4))
    values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    x = tl.tensor(values, requires_grad=True, device=DEVICE)
    flat = x.reshape(-1)
    back = flat.reshape(shape)
    np.testing.assert_array_equal(back.cpu().numpy(), values)
    (back * tl.tensor(values, device=DEVICE)).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), values)


@SETTINGS
@given(data=st.data())
def test_transpose_round_trip(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4))
    axes = data.draw(st.permutations(range(len(shape))))
    values = np.random.default_rng(0).standard_normal(shape)
    x = tl.tensor(values, requires_grad=True, device=DEVICE)
    y = x.transpose(axes)
    np.testing.assert_array_equal(y.cpu().numpy(), values.transpose(axes))
    inverse = tuple(int(i) for i in np.argsort(axes))
    np.testing.assert_array_equal(y.transpose(inverse).cpu().numpy(), values)
    weights = np.random.default_rng(1).standard_normal(y.shape)
    (y * tl.tensor(weights, device=DEVICE)).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), weights.transpose(inverse))


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seed=st.integers(0, 2**16))
def test_sum_over_any_axes_matches_numpy(shape, seed):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape)
    axes = tuple(i for i in range(len(shape)) if rng.random() < 0.5) or None
    keepdims = bool(rng.random() < 0.5)
    x = tl.tensor(values, requires_grad=True, device=DEVICE)
    y = x.sum(axis=axes, keepdims=keepdims)
    np.testing.assert_allclose(y.cpu().numpy(), values.sum(axis=axes, keepdims=keepdims))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.ones(shape))
