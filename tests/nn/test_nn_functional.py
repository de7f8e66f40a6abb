"""Activations, softmax and dropout of tl.nn.functional: values, derivatives, stability."""

import numpy as np
import pytest
from helpers import OpCase, check_case, near

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F


def np_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


CASES = [
    OpCase("softmax", lambda x: F.softmax(x), lambda x: np.exp(np_log_softmax(x)), [(3, 4)]),
    OpCase("softmax_axis0", lambda x: F.softmax(x, axis=0), lambda x: np.exp(np_log_softmax(x, 0)), [(3, 4)]),
    OpCase("log_softmax", lambda x: F.log_softmax(x), np_log_softmax, [(3, 4)], domain=(-5.0, 5.0)),
    OpCase("log_softmax_3d_axis1", lambda x: F.log_softmax(x, axis=1), lambda x: np_log_softmax(x, 1), [(2, 3, 2)]),
    OpCase("sigmoid", F.sigmoid, np_sigmoid, [(5,)], domain=(-6.0, 6.0)),
    OpCase("tanh", F.tanh, np.tanh, [(5,)]),
    OpCase("relu", F.relu, lambda x: np.maximum(x, 0), [(6,)], kink=near([0.0])),
    OpCase("softplus", F.softplus, lambda x: np.log1p(np.exp(x)), [(6,)], domain=(-8.0, 8.0)),
    OpCase("linear", F.linear, lambda x, w, b: x @ w.T + b, [(3, 4), (2, 4), (2,)]),
    OpCase("linear_no_bias", lambda x, w: F.linear(x, w), lambda x, w: x @ w.T, [(2, 3, 4), (5, 4)]),
    # a batch of rows is one Linear op (with and without bias; one row takes the outer-product path)
    OpCase("linear_no_bias_rows", lambda x, w: F.linear(x, w), lambda x, w: x @ w.T, [(3, 4), (5, 4)]),
    OpCase("linear_one_row", F.linear, lambda x, w, b: x @ w.T + b, [(1, 4), (2, 4), (2,)]),
    OpCase("linear_one_vector", F.linear, lambda x, w, b: w @ x + b, [(4,), (2, 4), (2,)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_op_case(case, device):
    check_case(case, device)


def test_softmax_lecture_numbers(device):
    """F40: logits 3, 1, −3 → 0.88, 0.12, ≈0; shifting all logits changes nothing."""
    y = tl.tensor([3.0, 1.0, -3.0], dtype=tl.float64, device=device)
    probs = F.softmax(y).cpu().numpy()
    np.testing.assert_allclose(probs, [0.8789, 0.1189, 0.0022], atol=5e-5)
    assert abs(probs.sum() - 1) < 1e-15
    np.testing.assert_allclose(probs[0] / probs[1], np.e ** 2, rtol=1e-12)
    np.testing.assert_allclose(F.softmax(y + 100.0).cpu().numpy(), probs, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e4, 1e5])
def test_log_softmax_huge_logits(device, scale):
    """Logits scaled by 1e5 overflow exp in any float; the fused op stays exact and finite."""
    base = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, -1.0]])
    x = tl.tensor(base * scale, dtype=tl.float32, device=device, requires_grad=True)
    y = F.log_softmax(x)
    np.testing.assert_allclose(y.cpu().numpy(), np_log_softmax(base * scale), rtol=1e-6)
    (y * tl.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], device=device)).sum().backward()
    assert np.isfinite(x.grad.cpu().numpy()).all()
    probs = F.softmax(x).cpu().numpy()
    assert np.isfinite(probs).all() and np.allclose(probs.sum(axis=1), 1)


def test_sigmoid_is_two_class_softmax(device):
    """F41: softmax([z, 0])₀ = σ(z) for z in [−20, 20], to 1e-12 in float64."""
    z = tl.tensor(np.linspace(-20, 20, 401), dtype=tl.float64, device=device)
    pair = tl.stack([z, tl.zeros_like(z)], axis=1)
    difference = F.softmax(pair)[:, 0].cpu().numpy() - F.sigmoid(z).cpu().numpy()
    assert np.abs(difference).max() < 1e-12


def test_softplus_gradient_is_exact_at_zero(device):
    z = tl.tensor([0.0, 1e4, -1e4], device=device, requires_grad=True)
    y = F.softplus(z)
    y.sum().backward()
    np.testing.assert_array_equal(y.cpu().numpy(), np.array([np.log(2), 1e4, 0.0], dtype=np.float32))
    np.testing.assert_array_equal(z.grad.cpu().numpy(), [0.5, 1.0, 0.0])


def test_linear_rejects_wrong_feature_count(device):
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 3\) has 3 features.*expects 4"):
        F.linear(tl.zeros(2, 3, device=device), tl.zeros(5, 4, device=device))


def test_softmax_rejects_bad_axis(device):
    with pytest.raises(ValueError, match="log_softmax: axis 2 is out of range"):
        F.softmax(tl.zeros(2, 3, device=device), axis=2)


class TestDropout:
    def test_statistics(self, device):
        x = tl.ones(200_000, dtype=tl.float64, device=device)
        y = F.dropout(x, p=0.3).cpu().numpy()
        assert abs((y == 0).mean() - 0.3) < 0.005
        np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7])
        assert abs(y.mean() - 1.0) < 0.01  # inverted dropout keeps the expected value

    def test_gradient_uses_the_same_mask(self, device):
        x = tl.ones(1000, device=device, requires_grad=True)
        y = F.dropout(x, p=0.5)
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.cpu().numpy(), y.cpu().numpy())

    def test_seeded(self, device):
        tl.manual_seed(7)
        a = F.dropout(tl.ones(50, device=device), 0.5).cpu().numpy()
        tl.manual_seed(7)
        b = F.dropout(tl.ones(50, device=device), 0.5).cpu().numpy()
        np.testing.assert_array_equal(a, b)

    def test_off_and_extremes(self, device):
        x = tl.ones(10, device=device)
        assert F.dropout(x, 0.5, training=False) is x
        assert F.dropout(x, 0.0) is x
        np.testing.assert_array_equal(F.dropout(x, 1.0).cpu().numpy(), np.zeros(10))
        with pytest.raises(ValueError, match=r"dropout: p must be a probability in \[0, 1\], got 1.5"):
            F.dropout(x, 1.5)
