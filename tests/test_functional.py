"""tl.hessian, tl.hvp, tl.jacobian and the parameter-list helpers: closed forms, finite differences,
symmetry, the list form against the flat form, the batched replay against one backward per vector."""

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.batched_vjp import BatchedVJP
from tinygrad_lite.functional import flatten, make_hvp, unflatten


def f64(values, device, requires_grad=False):
    return tl.tensor(np.asarray(values, dtype=np.float64), dtype=tl.float64, device=device,
                     requires_grad=requires_grad)


def lecture_loss(w):
    """The lecture's network y = w1·w2·x with x = 1, ŷ = 1 (F04): L = (1 − w1·w2)²."""
    return (1 - w[0] * w[1]) ** 2


# --- closed forms -------------------------------------------------------------------------------


def test_lecture_example_at_the_origin_is_exact(device):
    H = tl.hessian(lecture_loss, f64([0.0, 0.0], device))
    assert H.shape == (2, 2) and H.device == device and not H.requires_grad
    np.testing.assert_array_equal(H.cpu().numpy(), [[0.0, -2.0], [-2.0, 0.0]])


def test_lecture_example_on_the_valley(device):
    # F05: on w1·w2 = 1, H = [[2 w2², 2], [2, 2 w1²]]
    H = tl.hessian(lecture_loss, f64([0.5, 2.0], device)).cpu().numpy()
    np.testing.assert_allclose(H, [[8.0, 2.0], [2.0, 0.5]], atol=1e-12)


def test_rosenbrock_at_its_minimum(device):
    def rosenbrock(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    H = tl.hessian(rosenbrock, f64([1.0, 1.0], device)).cpu().numpy()
    np.testing.assert_allclose(H, [[802.0, -400.0], [-400.0, 200.0]], atol=1e-10)


def test_quadratic_gives_its_symmetric_part(device, rng):
    A, b = rng.standard_normal((5, 5)), rng.standard_normal(5)
    At, bt = f64(A, device), f64(b, device)
    H = tl.hessian(lambda x: 0.5 * (x @ At @ x) + (bt * x).sum(), f64(rng.standard_normal(5), device))
    np.testing.assert_allclose(H.cpu().numpy(), (A + A.T) / 2, atol=1e-12)


def test_matrix_input_gives_shape_x_shape_twice(device, rng):
    x = rng.standard_normal((2, 3))
    H = tl.hessian(lambda x: (x ** 3).sum(), f64(x, device))  # ∂²/∂x_ij ∂x_kl = 6 x_ij δ
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H.cpu().numpy().reshape(6, 6), np.diag(6 * x.reshape(-1)), atol=1e-12)


def test_functions_not_curved_in_x_have_zero_hessian(device):
    x = f64([1.0, 2.0], device)
    np.testing.assert_array_equal(tl.hessian(lambda x: (3 * x).sum(), x).cpu().numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(tl.hessian(lambda x: f64(5.0, device), x).cpu().numpy(), np.zeros((2, 2)))


# --- against finite differences of tl.grad ------------------------------------------------------

A_CONST = np.random.default_rng(7).standard_normal((3, 4))
SMOOTH_FUNCTIONS = {
    "pow_div": lambda x, A: (x ** 3 / (1 + x * x)).sum(),
    "sigmoid_exp_log": lambda x, A: (x.sigmoid() * x.exp() + (x * x + 1).log()).sum(),
    "broadcast_matmul": lambda x, A: ((x.reshape(3, 4).T @ A).tanh() * (x[:4] + 1)).sum(),
    "indexing": lambda x, A: (x[np.array([0, 2, 2, 1])] ** 3).sum() + (x.reshape(3, 4)[[0, 2], 1:] ** 2).sum(),
    "separated_index_arrays": lambda x, A: (x.reshape(3, 2, 2)[[0, 1], :, [1, 0]] ** 3).sum(),
    "concatenate_stack": lambda x, A: ((tl.concatenate([x[:5], x ** 2]) ** 2).sum()
                                       + (tl.stack([x, x.sin()]) ** 2).sum()),
    "logsumexp_var": lambda x, A: (x.reshape(3, 4).logsumexp(axis=1).sum() + 3 * x.var()
                                   + x.reshape(3, 4).std(axis=0).sum()),
    "where_sqrt_mean": lambda x, A: tl.where(A.reshape(-1) > 0, x ** 3, x.cos()).sum() + (x * x + 1).sqrt().mean(),
    "log_softmax_cross_entropy": lambda x, A: (tl.nn.functional.cross_entropy(x.reshape(4, 3),
                                                                              tl.tensor([0, 2, 1, 2], device=x.device))
                                               + (tl.nn.functional.log_softmax(x.reshape(3, 4), axis=0) * A).sum()),
}


def numerical_hessian(f, x0, device, eps=1e-6):
    """Central differences of tl.grad: column i = (g(x + ε eᵢ) − g(x − ε eᵢ)) / 2ε."""
    def gradient(values):
        x = f64(values, device, requires_grad=True)
        return tl.grad(f(x), x)[0].cpu().numpy()

    columns = []
    for i in range(x0.size):
        step = np.zeros_like(x0)
        step[i] = eps
        columns.append((gradient(x0 + step) - gradient(x0 - step)) / (2 * eps))
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("name", list(SMOOTH_FUNCTIONS))
def test_hessian_matches_finite_differences_of_grad(name, device, rng):
    A = f64(A_CONST, device)
    f = lambda x: SMOOTH_FUNCTIONS[name](x, A)  # noqa: E731
    x0 = rng.uniform(0.2, 1.0, 12) * rng.choice([-1, 1], 12)
    H = tl.hessian(f, f64(x0, device)).cpu().numpy()
    np.testing.assert_allclose(H, numerical_hessian(f, x0, device), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("name", list(SMOOTH_FUNCTIONS))
def test_batched_replay_equals_one_backward_per_vector(name, device, rng):
    A = f64(A_CONST, device)
    x = f64(rng.standard_normal(12), device, requires_grad=True)
    (g,) = tl.grad(SMOOTH_FUNCTIONS[name](x, A), x, create_graph=True)
    replay = BatchedVJP([g], [x])
    U = rng.standard_normal((5, 12))
    expected = np.stack([tl.grad(g, x, grad_outputs=f64(u, device))[0].cpu().numpy() for u in U])
    np.testing.assert_allclose(tl.backend.to_host(replay(U)), expected, atol=1e-12, rtol=1e-12)
    # separated index arrays move NumPy's indexed axes in front of the batch axis: that one op is not
    # batched, and the one-by-one fallback must be taken instead
    assert replay.batched == (name != "separated_index_arrays")


# --- Hessian-vector products --------------------------------------------------------------------


def test_hvp_equals_hessian_times_v(device, rng):
    A = f64(A_CONST, device)
    f = lambda x: SMOOTH_FUNCTIONS["broadcast_matmul"](x, A)  # noqa: E731
    x, v = f64(rng.standard_normal(12), device), rng.standard_normal(12)
    Hv = tl.hvp(f, x, f64(v, device))
    assert Hv.shape == (12,) and Hv.device == device
    np.testing.assert_allclose(Hv.cpu().numpy(), tl.hessian(f, x).cpu().numpy() @ v, atol=1e-12)


def test_make_hvp_calls_f_once_and_reuses_the_gradient_graph(device, rng):
    calls = []

    def f(x):
        calls.append(1)
        return (x.tanh() ** 2).sum()

    x = f64(rng.standard_normal(4), device)
    hvp_at_x = make_hvp(f, x)
    H = tl.hessian(f, x).cpu().numpy()
    for v in np.eye(4):
        np.testing.assert_allclose(hvp_at_x(f64(v, device)).cpu().numpy(), H @ v, atol=1e-12)
    np.testing.assert_allclose(tl.backend.to_host(hvp_at_x.matmat(np.eye(4))), H, atol=1e-12)
    assert len(calls) == 2  # once for make_hvp, once for hessian; no call per product


def test_hessian_is_exactly_symmetric(device, rng):
    params = mlp_params(device, rng)
    H = tl.hessian(mlp_loss_of(device, rng), params).cpu().numpy()
    np.testing.assert_array_equal(H, H.T)


# --- the parameter-list form on a small tanh MLP ------------------------------------------------

SHAPES = [(3, 5), (5,), (5, 2), (2,)]


def mlp_params(device, rng):
    return [f64(0.7 * rng.standard_normal(s), device, requires_grad=True) for s in SHAPES]


def mlp_loss_of(device, rng):
    X, Y = f64(rng.standard_normal((8, 3)), device), f64(rng.standard_normal((8, 2)), device)

    def loss(params):
        W1, b1, W2, b2 = params
        return (((X @ W1 + b1).tanh() @ W2 + b2 - Y) ** 2).mean()
    return loss


def test_parameter_list_form_equals_the_flat_vector_form(device, rng):
    params = mlp_params(device, rng)
    loss = mlp_loss_of(device, rng)
    H_list = tl.hessian(loss, params)
    n = sum(p.numel() for p in params)
    assert H_list.shape == (n, n) == (32, 32)

    theta = flatten(params).detach()
    H_flat = tl.hessian(lambda theta: loss(unflatten(theta, params)), theta)
    np.testing.assert_allclose(H_list.cpu().numpy(), H_flat.cpu().numpy(), atol=1e-12)

    v = rng.standard_normal(n)
    Hv = tl.hvp(loss, params, f64(v, device))
    np.testing.assert_allclose(Hv.cpu().numpy(), H_list.cpu().numpy() @ v, atol=1e-12)
    parts = tl.hvp(loss, params, unflatten(f64(v, device), params))  # v as a list answers as a list
    assert [p.shape for p in parts] == SHAPES
    np.testing.assert_allclose(flatten(parts).cpu().numpy(), Hv.cpu().numpy(), atol=1e-12)


def test_closure_may_ignore_its_argument(device, rng):
    params = mlp_params(device, rng)
    loss = mlp_loss_of(device, rng)
    np.testing.assert_array_equal(tl.hessian(lambda _: loss(params), params).cpu().numpy(),
                                  tl.hessian(loss, params).cpu().numpy())


def test_flatten_and_unflatten_round_trip(device, rng):
    params = mlp_params(device, rng)
    flat = flatten(params)
    assert flat.shape == (32,)
    for original, back in zip(params, unflatten(flat, params)):
        np.testing.assert_array_equal(original.cpu().numpy(), back.cpu().numpy())
    with pytest.raises(ValueError, match=r"unflatten: expected a vector of shape \(32,\).*got shape \(31,\)"):
        unflatten(flat[:31], params)


# --- jacobian -----------------------------------------------------------------------------------


def test_jacobian_closed_forms(device, rng):
    A = rng.standard_normal((4, 3))
    x0 = rng.standard_normal(3)
    np.testing.assert_allclose(tl.jacobian(lambda x: f64(A, device) @ x, f64(x0, device)).cpu().numpy(), A, atol=1e-12)
    J = tl.jacobian(lambda x: x.reshape(3, 1) * x, f64(x0, device))  # ∂(x_i x_j)/∂x_k
    expected = np.einsum("ik,j->ijk", np.eye(3), x0) + np.einsum("jk,i->ijk", np.eye(3), x0)
    assert J.shape == (3, 3, 3)
    np.testing.assert_allclose(J.cpu().numpy(), expected, atol=1e-12)


def test_jacobian_of_the_gradient_is_the_hessian_and_list_shapes(device, rng):
    params = mlp_params(device, rng)
    loss = mlp_loss_of(device, rng)
    J = tl.jacobian(lambda ps: flatten(tl.grad(loss(ps), ps, create_graph=True)), params)
    np.testing.assert_allclose(J.cpu().numpy(), tl.hessian(loss, params).cpu().numpy(), atol=1e-12)
    assert tl.jacobian(lambda ps: ps[0] * 2, params).shape == (3, 5, 32)


# --- inputs are left as they were; bad input is named ------------------------------------------


def test_x_that_does_not_require_grad_is_left_untouched_and_no_grad_is_fine(device):
    w = f64([0.0, 0.0], device)
    with tl.no_grad():
        H = tl.hessian(lecture_loss, w)
    np.testing.assert_array_equal(H.cpu().numpy(), [[0.0, -2.0], [-2.0, 0.0]])
    assert not w.requires_grad and w.grad is None


def test_float32_input_gives_float32_hessian(device):
    H = tl.hessian(lecture_loss, tl.tensor([0.0, 0.0], device=device))
    assert H.dtype == tl.float32
    np.testing.assert_array_equal(H.cpu().numpy(), [[0.0, -2.0], [-2.0, 0.0]])


def test_clear_errors(device):
    x = f64([1.0, 2.0], device)
    with pytest.raises(ValueError, match=r"hessian: f\(x\) must return a scalar.*shape \(2,\)"):
        tl.hessian(lambda x: x * x, x)
    with pytest.raises(ValueError, match=r"hvp: v has shape \(3,\) but must have x's shape \(2,\)"):
        tl.hvp(lambda x: (x * x).sum(), x, f64([1.0, 2.0, 3.0], device))
    with pytest.raises(TypeError, match="hessian: x has dtype int64"):
        tl.hessian(lambda x: (x * x).sum(), tl.tensor([1, 2], device=device))
    with pytest.raises(TypeError, match=r"jacobian: f\(x\) returned a float"):
        tl.jacobian(lambda x: 1.0, x)
