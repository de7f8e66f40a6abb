"""nn.utils: gradient clipping (by norm and by value) and the parameters-as-one-vector view."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
from tinygrad_lite.nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters


def with_grads(device, *grads):
    params = []
    for g in grads:
        p = nn.Parameter(tl.zeros(len(g), dtype=tl.float64, device=device))
        p.grad = tl.tensor(g, dtype=tl.float64, device=device)
        params.append(p)
    return params


def test_clip_scales_the_total_norm(device):
    params = with_grads(device, [3.0, 0.0], [0.0, 4.0])
    norm = clip_grad_norm_(params, max_norm=1.0)
    assert norm.item() == pytest.approx(5.0)
    np.testing.assert_allclose(params[0].grad.cpu().numpy(), [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(params[1].grad.cpu().numpy(), [0.0, 0.8], rtol=1e-5)


def test_clip_leaves_small_gradients_alone(device):
    params = with_grads(device, [0.3, 0.4])
    before = params[0].grad
    assert clip_grad_norm_(iter(params), max_norm=1.0).item() == pytest.approx(0.5)
    assert params[0].grad is before


def test_clip_infinity_norm_and_missing_grads(device):
    params = with_grads(device, [1.0, -6.0], [2.0])
    params.append(nn.Parameter(tl.zeros(2, device=device)))  # no gradient: skipped
    assert clip_grad_norm_(params, max_norm=3.0, norm_type=float("inf")).item() == pytest.approx(6.0)
    np.testing.assert_allclose(params[0].grad.cpu().numpy(), [0.5, -3.0], rtol=1e-5)


def test_clip_never_writes_into_shared_gradient_arrays(device):
    """Gradients may be read-only broadcast views shared with other tensors: clipping replaces them."""
    w = nn.Parameter(tl.zeros(3, 4, device=device))
    w.sum().backward()  # the gradient of a sum is a broadcast of one 1: a read-only view
    shared = w.grad
    clip_grad_norm_([w], max_norm=1.0)
    np.testing.assert_array_equal(shared.cpu().numpy(), np.ones((3, 4)))
    assert np.linalg.norm(w.grad.cpu().numpy()) == pytest.approx(1.0, rel=1e-5)


def test_clip_errors():
    with pytest.raises(ValueError, match="clip_grad_norm_: max_norm must be non-negative"):
        clip_grad_norm_(with_grads("cpu", [1.0]), max_norm=-1.0)


def test_clip_value_clamps_each_coordinate(device):
    params = with_grads(device, [3.0, -0.2, -7.0], [0.5])
    params.append(nn.Parameter(tl.zeros(2, device=device)))  # no gradient: skipped
    assert clip_grad_value_(iter(params), clip_value=0.5) is None
    np.testing.assert_array_equal(params[0].grad.cpu().numpy(), [0.5, -0.2, -0.5])
    np.testing.assert_array_equal(params[1].grad.cpu().numpy(), [0.5])
    assert params[0].grad.dtype == tl.float64 and params[2].grad is None
    single = with_grads(device, [2.0, -2.0])[0]
    clip_grad_value_(single, 1)  # one tensor, and an int bound
    np.testing.assert_array_equal(single.grad.cpu().numpy(), [1.0, -1.0])


def test_clip_value_never_changes_a_gradient_shared_with_another_tensor(device):
    """a + b hands both leaves the same gradient array: clipping a's must leave b's as it was."""
    a = nn.Parameter(tl.zeros(3, device=device))
    b = nn.Parameter(tl.zeros(3, device=device))
    ((a + b) * tl.tensor([4.0, -0.5, -3.0], device=device)).sum().backward()
    b_before = b.grad
    assert a.grad.data is b.grad.data  # one array, borrowed by both
    clip_grad_value_([a], clip_value=1.0)
    np.testing.assert_array_equal(a.grad.cpu().numpy(), [1.0, -0.5, -1.0])
    assert b.grad is b_before
    np.testing.assert_array_equal(b.grad.cpu().numpy(), [4.0, -0.5, -3.0])
    w = nn.Parameter(tl.zeros(3, 4, device=device))
    w.sum().backward()  # a read-only broadcast view
    shared = w.grad
    clip_grad_value_([w], clip_value=0.25)
    np.testing.assert_array_equal(shared.cpu().numpy(), np.ones((3, 4)))
    np.testing.assert_array_equal(w.grad.cpu().numpy(), np.full((3, 4), 0.25))


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "1", True])
def test_clip_value_refuses_a_bad_bound(bad):
    params = with_grads("cpu", [3.0])
    with pytest.raises(ValueError, match="clip_grad_value_: clip_value must be a number >= 0"):
        clip_grad_value_(params, bad)
    np.testing.assert_array_equal(params[0].grad.cpu().numpy(), [3.0])


def test_vector_round_trip(device):
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1)).to(device)
    theta = parameters_to_vector(model.parameters())
    assert theta.shape == (11,) and theta.requires_grad
    np.testing.assert_array_equal(theta.cpu().numpy()[:6], model[0].weight.cpu().numpy().ravel())
    vector_to_parameters(theta * 0 + tl.arange(11.0, device=device), model.parameters())
    np.testing.assert_array_equal(model[0].bias.cpu().numpy(), [6.0, 7.0])
    np.testing.assert_array_equal(model[2].weight.cpu().numpy(), [[8.0, 9.0]])
    assert model[0].bias.requires_grad and model[0].bias.dtype == tl.float32


def test_vector_gradient_flows_to_parameters(device):
    layer = nn.Linear(2, 2, device=device)
    (parameters_to_vector(layer.parameters()) ** 2).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.cpu().numpy(), 2 * layer.weight.cpu().numpy())


def test_vector_size_mismatch_changes_nothing(device):
    layer = nn.Linear(2, 2, device=device)
    before = layer.weight.cpu().numpy()
    with pytest.raises(ValueError, match=r"vector_to_parameters: expected a 1-D vector of 6 elements.*\(5,\)"):
        vector_to_parameters(tl.zeros(5, device=device), layer.parameters())
    np.testing.assert_array_equal(layer.weight.cpu().numpy(), before)
