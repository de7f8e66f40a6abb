"""tl.viz.loss_surface against direct evaluation, on both paths (one call per point, one batched call)."""

import numpy as np
import pytest

import tinygrad_lite as tl


def lecture_loss(w):
    """F04: L = (1 − w1·w2)², for a 2-vector w (Tensor or array)."""
    return (1 - w[0] * w[1]) ** 2


def lecture_loss_batched(W):
    """The same loss for an (m, 2) batch of points."""
    return (1 - W[:, 0] * W[:, 1]) ** 2


def test_two_parameters_grid_and_values(device):
    center = tl.tensor([0.5, -0.25], dtype=tl.float64, device=device)
    A, B, Z = tl.viz.loss_surface(lecture_loss, center, span=2.0, steps=9)
    assert A.shape == B.shape == Z.shape == (9, 9)
    np.testing.assert_allclose(A[0], np.linspace(-2, 2, 9))  # A varies along rows,
    np.testing.assert_allclose(B[:, 0], np.linspace(-2, 2, 9))  # B down columns (np.meshgrid)
    for i, j in [(0, 0), (4, 4), (2, 7), (8, 3)]:
        w1, w2 = 0.5 + A[i, j], -0.25 + B[i, j]
        assert Z[i, j] == pytest.approx((1 - w1 * w2) ** 2, rel=1e-12)
    assert center.cpu().numpy().tolist() == [0.5, -0.25]  # the center got its own values back


def test_batched_path_equals_the_loop(device):
    center = tl.tensor([0.3, 0.7], dtype=tl.float64, device=device)
    looped = tl.viz.loss_surface(lecture_loss, center, span=1.5, steps=11)
    batched = tl.viz.loss_surface(lecture_loss_batched, center, span=1.5, steps=11, batched=True)
    for a, b in zip(looped, batched):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_array_center_passes_arrays():
    seen = []

    def f(w):
        seen.append(type(w))
        return lecture_loss(w)

    A, B, Z = tl.viz.loss_surface(f, np.array([1.0, 1.0]), steps=5)
    assert set(seen) == {np.ndarray}
    assert Z[2, 2] == 0.0  # the center (1, 1) lies on the valley w1·w2 = 1
    _, _, Zb = tl.viz.loss_surface(lecture_loss_batched, [1.0, 1.0], steps=5, batched=True)
    np.testing.assert_allclose(Z, Zb, rtol=1e-12)


def test_model_closure_over_a_list_of_tensors(device):
    """A slice through a tiny model's parameters, along two given directions; f ignores its argument."""
    W = tl.tensor([[1.0, -2.0], [0.5, 0.0]], dtype=tl.float64, requires_grad=True, device=device)
    b = tl.tensor([0.1, -0.3], dtype=tl.float64, requires_grad=True, device=device)
    x = tl.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]], dtype=tl.float64, device=device)
    original = [W.data, b.data]

    def loss(_):
        assert not tl.is_grad_enabled()  # evaluated under no_grad: no graph is built
        return ((x @ W.T + b).tanh() ** 2).mean()

    rng = np.random.default_rng(0)
    d1, d2 = rng.standard_normal(6), rng.standard_normal(6)
    A, B, Z = tl.viz.loss_surface(loss, [W, b], directions=(d1, tl.tensor(d2, device=device)), span=(0.5, 2.0),
                                  steps=7)
    assert W.data is original[0] and b.data is original[1]  # the parameters are put back as they were
    np.testing.assert_allclose(A[0], np.linspace(-0.5, 0.5, 7))
    np.testing.assert_allclose(B[:, 0], np.linspace(-2.0, 2.0, 7))
    theta = np.concatenate([W.cpu().numpy().ravel(), b.cpu().numpy().ravel()])
    xs = x.cpu().numpy()
    for i, j in [(0, 0), (3, 3), (6, 1)]:
        point = theta + A[i, j] * d1 + B[i, j] * d2
        expected = (np.tanh(xs @ point[:4].reshape(2, 2).T + point[4:]) ** 2).mean()
        assert Z[i, j] == pytest.approx(expected, rel=1e-12)


def test_parameters_are_restored_when_f_fails(device):
    w = tl.tensor([1.0, 2.0], device=device)
    before = w.data

    def broken(v):
        raise ZeroDivisionError("inside f")

    with pytest.raises(ZeroDivisionError):
        tl.viz.loss_surface(broken, w, steps=3)
    assert w.data is before


def test_filter_normalized_directions(device):
    W = tl.tensor([[3.0, 4.0, 0.0], [0.0, 0.0, 2.0]], dtype=tl.float64, device=device)
    b = tl.tensor([1.0, 1.0], dtype=tl.float64, device=device)
    tl.manual_seed(5)
    d1, d2 = tl.viz.filter_normalized_directions([W, b])
    assert d1.shape == d2.shape == (8,)
    np.testing.assert_allclose(np.linalg.norm(d1[:6].reshape(2, 3), axis=1), [5.0, 2.0])  # each row ‖Wᵢ‖
    np.testing.assert_allclose(np.linalg.norm(d2[:6].reshape(2, 3), axis=1), [5.0, 2.0])
    assert not d1[6:].any()  # biases: zero direction, as Li et al.
    assert not np.allclose(d1, d2)
    tl.manual_seed(5)
    again = tl.viz.filter_normalized_directions([W, b])
    np.testing.assert_array_equal(again[0], d1)  # tl.manual_seed makes them reproducible
    with_bias = tl.viz.filter_normalized_directions([W, b], seed=1, ignore_1d=False)
    assert np.linalg.norm(with_bias[0][6:]) == pytest.approx(np.sqrt(2))
    with pytest.raises(ValueError, match="ignore_1d=False"):
        tl.viz.filter_normalized_directions(b)
    A, B, Z = tl.viz.loss_surface(lambda p: (p[0] ** 2).sum(), [W, b], directions=(d1, d2), steps=3)
    assert Z[1, 1] == pytest.approx(29.0)  # at the center: ‖W‖² = 9 + 16 + 4


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(center=[0.0, 0.0, 0.0]), ValueError, "exactly 2 numbers, got 3"),
    (dict(center=[0.0, 0.0], directions=([1.0, 0.0, 0.0], [0.0, 1.0])), ValueError, "direction 1 has 3 numbers"),
    (dict(center=[0.0, 0.0], directions=([1.0, 0.0],)), ValueError, "pair"),
    (dict(center=[0.0, 0.0], steps=1), ValueError, "steps must be an integer >= 2"),
    (dict(center=[0.0, 0.0], span=-1.0), ValueError, "span must be a positive number"),
    (dict(center=tl.tensor([1, 2])), TypeError, "floating-point"),
    (dict(center="ab"), TypeError, "center must be a Tensor"),
])
def test_bad_arguments_name_the_function(kwargs, error, message):
    with pytest.raises(error, match=message):
        tl.viz.loss_surface(lecture_loss, **kwargs)


def test_bad_results_of_f_are_explained():
    with pytest.raises(ValueError, match="single number, got shape"):
        tl.viz.loss_surface(lambda w: w * 2, tl.tensor([0.0, 0.0]), steps=3)
    with pytest.raises(ValueError, match="one loss per row"):
        tl.viz.loss_surface(lambda W: W.sum(), tl.tensor([0.0, 0.0]), steps=3, batched=True)
    with pytest.raises(TypeError, match="f must be a function"):
        tl.viz.loss_surface(3.0, [0.0, 0.0])
