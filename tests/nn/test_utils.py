"""nn.utils: gradient clipping and the parameters-as-one-vector view."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
from tinygrad_lite.nn.utils import clip_grad_norm_, parameters_to_vector, vector_to_parameters


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
