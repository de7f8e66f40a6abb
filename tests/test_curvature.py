"""tl.curvature: classify critical points, Lanczos / power iteration / Hutchinson from HVPs, and the
lecture's escape from a saddle point along an eigenvector of a negative eigenvalue."""

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.functional import flatten, unflatten


def f64(values, device):
    return tl.tensor(np.asarray(values, dtype=np.float64), dtype=tl.float64, device=device)


def lecture_loss(w):
    return (1 - w[0] * w[1]) ** 2


def quadratic(A, device):
    """f(x) = ½ xᵀAx, whose Hessian is A everywhere."""
    At = f64(A, device)
    return lambda x: 0.5 * (x @ (At @ x))


def matrix_with_spectrum(eigenvalues, seed=0):
    """Q diag(λ) Qᵀ for a random orthogonal Q: a symmetric matrix with exactly these eigenvalues."""
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return (Q * eigenvalues) @ Q.T, Q


# --- classify -----------------------------------------------------------------------------------

# (function of x = (x, y), kind, eigenvalues at the origin): the lecture's F01/F03 surfaces, and
# points where the second-order test cannot decide
CASES = {
    "bowl": (lambda p: p[0] ** 2 + p[1] ** 2, "local_min", [2.0, 2.0]),
    "cap": (lambda p: -p[0] ** 2 - p[1] ** 2, "local_max", [-2.0, -2.0]),
    "saddle": (lambda p: p[0] ** 2 - p[1] ** 2, "saddle", [-2.0, 2.0]),
    "lecture": (lecture_loss, "saddle", [-2.0, 2.0]),
    "quartic_valley": (lambda p: p[0] ** 4 + p[1] ** 2, "degenerate", [0.0, 2.0]),
    "monkey_saddle": (lambda p: p[0] ** 3 - 3 * p[0] * p[1] ** 2, "degenerate", [0.0, 0.0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_classify_critical_points(name, device):
    f, kind, eigenvalues = CASES[name]
    point = tl.curvature.classify(f, f64([0.0, 0.0], device))
    assert point.kind == kind
    assert point.is_critical and point.grad_norm == 0.0
    np.testing.assert_allclose(point.eigenvalues, eigenvalues, atol=1e-12)
    assert isinstance(point.eigenvalues, np.ndarray) and isinstance(point.eigenvectors, np.ndarray)
    assert point.minimum_ratio == np.mean(np.asarray(eigenvalues) > 0)
    assert kind in repr(point) and "critical point" in point.message


def test_classify_eigenvectors_are_columns(device):
    A, _ = matrix_with_spectrum([-3.0, -1.0, 0.5, 2.0, 4.0])
    point = tl.curvature.classify(quadratic(A, device), f64(np.zeros(5), device))
    assert point.kind == "saddle" and (point.num_positive, point.num_negative) == (3, 2)
    np.testing.assert_allclose(point.eigenvalues, [-3.0, -1.0, 0.5, 2.0, 4.0], atol=1e-12)
    np.testing.assert_allclose(A @ point.eigenvectors, point.eigenvectors * point.eigenvalues, atol=1e-12)
    assert point.minimum_ratio == 0.6


def test_classify_says_plainly_when_the_gradient_is_not_zero(device):
    with pytest.warns(UserWarning, match="NOT a critical point"):
        point = tl.curvature.classify(lecture_loss, f64([0.5, 1.5], device))  # F02's θ′: g ≠ 0
    assert not point.is_critical and point.grad_norm > 0.1
    assert "NOT a critical point" in repr(point)


def test_classify_on_the_valley_allows_the_flat_direction(device):
    # F05: on w1·w2 = 1 the eigenvalues are 0 (along the valley) and 2(w1² + w2²)
    point = tl.curvature.classify(lecture_loss, f64([1.0, 1.0], device))
    assert point.kind == "degenerate" and point.num_zero == 1
    np.testing.assert_allclose(point.eigenvalues, [0.0, 4.0], atol=1e-12)


def test_classify_a_tanh_network_at_a_point_with_nonzero_gradient_counts_every_eigenvalue(device, rng):
    W1, W2 = rng.standard_normal((3, 4)), rng.standard_normal((4, 1))
    X, Y = f64(rng.standard_normal((10, 3)), device), f64(rng.standard_normal((10, 1)), device)
    params = [f64(W1, device), f64(W2, device)]
    with pytest.warns(UserWarning):
        point = tl.curvature.classify(lambda ps: (((X @ ps[0]).tanh() @ ps[1] - Y) ** 2).mean(), params)
    assert point.eigenvalues.shape == (16,) and point.eigenvectors.shape == (16, 16)
    assert point.num_positive + point.num_negative + point.num_zero == 16
    assert np.all(np.diff(point.eigenvalues) >= 0)


# --- Lanczos ------------------------------------------------------------------------------------


def test_lanczos_finds_the_extremes_of_a_known_spectrum(device):
    # 300 dimensions: a bulk in [0, 1] and four outliers, as a trained network's Hessian often looks
    spectrum = np.concatenate([[-5.0, -3.0], np.linspace(0.0, 1.0, 296), [6.0, 10.0]])
    A, Q = matrix_with_spectrum(spectrum)
    result = tl.curvature.lanczos(quadratic(A, device), f64(np.zeros(300), device), k=40, seed=0)
    exact = np.linalg.eigh(A)[0]
    assert result.steps == 40 and result.eigenvalues.shape == (40,)
    np.testing.assert_allclose(result.eigenvalues[:2], exact[:2], atol=1e-8)
    np.testing.assert_allclose(result.eigenvalues[-2:], exact[-2:], atol=1e-8)
    for column, true in [(0, 0), (1, 1), (-1, -1), (-2, -2)]:  # the eigenvectors too, up to sign
        assert abs(result.eigenvectors[:, column] @ Q[:, true]) == pytest.approx(1.0, abs=1e-8)
    assert np.all(result.residuals[[0, 1, -2, -1]] < 1e-6)
    # the Lanczos basis stays orthonormal thanks to full reorthogonalisation
    V = result.eigenvectors
    np.testing.assert_allclose(V.T @ V, np.eye(40), atol=1e-10)


def test_lanczos_with_k_equal_to_n_gives_every_eigenvalue(device):
    A, _ = matrix_with_spectrum([-2.0, -1.0, 0.0, 1.0, 3.0, 7.0])
    result = tl.curvature.lanczos(quadratic(A, device), f64(np.zeros(6), device), k=50, seed=1)
    assert result.steps == 6  # k is capped at n
    np.testing.assert_allclose(result.eigenvalues, [-2.0, -1.0, 0.0, 1.0, 3.0, 7.0], atol=1e-10)


def test_lanczos_stops_early_on_an_invariant_subspace(device):
    # only two distinct eigenvalues: the Krylov space has dimension 2
    A, _ = matrix_with_spectrum([1.0] * 5 + [4.0] * 5)
    result = tl.curvature.lanczos(quadratic(A, device), f64(np.zeros(10), device), k=8, seed=0)
    assert result.steps == 2
    np.testing.assert_allclose(result.eigenvalues, [1.0, 4.0], atol=1e-10)


def test_random_start_vectors_follow_manual_seed(device):
    A, _ = matrix_with_spectrum(np.linspace(-1.0, 2.0, 30))
    f, x = quadratic(A, device), f64(np.zeros(30), device)
    tl.manual_seed(3)
    first = tl.curvature.lanczos(f, x, k=5).eigenvalues
    tl.manual_seed(3)
    np.testing.assert_array_equal(tl.curvature.lanczos(f, x, k=5).eigenvalues, first)


# --- power iteration and Hutchinson -------------------------------------------------------------


def test_power_iteration_gives_the_sharpness(device):
    A, Q = matrix_with_spectrum([0.1, 0.5, 1.0, 2.0, 8.0])
    top = tl.curvature.power_iteration(quadratic(A, device), f64(np.zeros(5), device), seed=0)
    assert top.converged
    assert top.eigenvalue == pytest.approx(8.0, rel=1e-8)
    assert abs(top.eigenvector @ Q[:, -1]) == pytest.approx(1.0, abs=1e-6)


def test_power_iteration_returns_the_largest_not_the_largest_in_magnitude(device):
    A, _ = matrix_with_spectrum([-10.0, -1.0, 0.5, 3.0])
    top = tl.curvature.power_iteration(quadratic(A, device), f64(np.zeros(4), device), seed=0)
    assert top.converged and top.eigenvalue == pytest.approx(3.0, rel=1e-6)


def test_hutchinson_trace(device):
    x = f64(np.zeros(4), device)
    diagonal = tl.curvature.hutchinson_trace(quadratic(np.diag([1.0, 2.0, 3.0, -0.5]), device), x, samples=8, seed=0)
    assert diagonal.trace == pytest.approx(5.5, abs=1e-12)  # vᵀDv = tr D for every sign vector v
    A, _ = matrix_with_spectrum(np.linspace(0.0, 2.0, 50))
    estimate = tl.curvature.hutchinson_trace(quadratic(A, device), f64(np.zeros(50), device), samples=400, seed=0)
    assert estimate.samples == 400 and estimate.std_error > 0
    assert abs(float(estimate) - 50.0) < 4 * estimate.std_error


# --- escaping a saddle point --------------------------------------------------------------------


def test_escape_direction_is_the_lectures_u(device):
    w = f64([0.0, 0.0], device)
    u = tl.curvature.escape_direction(lecture_loss, w)
    assert u.shape == (2,) and u.device == device
    np.testing.assert_allclose(u.cpu().numpy(), [np.sqrt(0.5), np.sqrt(0.5)], atol=1e-12)  # u ∝ [1, 1]
    np.testing.assert_allclose(lecture_loss(w + np.sqrt(2) * u).item(), 0.0, atol=1e-12)  # θ′ + [1, 1] is a minimum
    assert lecture_loss(w + 0.1 * u).item() < lecture_loss(w).item()


def test_escape_direction_is_none_at_a_minimum_and_on_a_flat_valley(device):
    assert tl.curvature.escape_direction(CASES["bowl"][0], f64([0.0, 0.0], device)) is None
    assert tl.curvature.escape_direction(lecture_loss, f64([1.0, 1.0], device)) is None


def test_escape_direction_shapes_and_the_downhill_sign(device):
    X = f64(np.diag([1.0, -2.0, 3.0]), device)
    u = tl.curvature.escape_direction(lambda x: (x * (X @ x)).sum(), f64(np.ones((3, 2)), device))
    assert u.shape == (3, 2)
    # H = 2·diag(1, −2, 3) ⊗ I: the negative eigenvalue's eigenvectors live in row 1; g = 2·X·1 there is
    # negative, so u must point along +row 1 to go downhill (gᵀu < 0)
    np.testing.assert_allclose(np.abs(u.cpu().numpy()[[0, 2]]), 0.0, atol=1e-12)
    g = 2 * np.diag([1.0, -2.0, 3.0]) @ np.ones((3, 2))
    assert float((g * u.cpu().numpy()).sum()) < 0


def test_escape_direction_for_a_parameter_list_is_flat_and_lanczos_agrees(device):
    A, Q = matrix_with_spectrum(np.concatenate([[-4.0], np.linspace(0.5, 2.0, 59)]))
    params = [f64(np.zeros((6, 5)), device), f64(np.zeros(30), device)]
    f = lambda ps: quadratic(A, device)(flatten(ps))  # noqa: E731
    exact = tl.curvature.escape_direction(f, params)
    by_lanczos = tl.curvature.escape_direction(f, params, exact_limit=10, k=30, seed=0)
    assert exact.shape == by_lanczos.shape == (60,)
    assert abs(exact.cpu().numpy() @ Q[:, 0]) == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(by_lanczos.cpu().numpy(), exact.cpu().numpy(), atol=1e-6)
    assert [p.shape for p in unflatten(exact, params)] == [(6, 5), (30,)]
