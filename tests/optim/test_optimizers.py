"""Every optimizer against a hand-written NumPy loop of its published update rule, 50 steps on a quadratic."""

from __future__ import annotations

import math

import numpy as np
import pytest
from optim_problem import compute_gradients, host, numpy_gradients, parameters, start

import tinygrad_lite as tl
from tinygrad_lite.optim.lr_scheduler import LambdaLR

STEPS = 50

# --- reference update rules, written from the papers / PyTorch's documentation --------------------
# Each takes (theta, g, state, t) for one parameter (t = 1, 2, ...) and returns the new theta.


def sgd_rule(lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    def update(theta, g, s, t):
        g = g + weight_decay * theta
        if momentum:
            s["v"] = g.copy() if t == 1 else momentum * s["v"] + g
            g = g + momentum * s["v"] if nesterov else s["v"]
        return theta - lr * g
    return update


def momentum_rule(lr, lam):
    def update(theta, g, s, t):          # m ← λm − ηg,  θ ← θ + m  (m⁰ = 0)
        s["m"] = lam * s.get("m", 0.0) - lr * g
        return theta + s["m"]
    return update


def adagrad_rule(lr, eps=1e-10):
    def update(theta, g, s, t):
        s["sum"] = s.get("sum", 0.0) + g * g
        return theta - lr * g / (np.sqrt(s["sum"]) + eps)
    return update


def adagrad_lecture_rule(lr, eps=1e-10):
    def update(theta, g, s, t):          # σᵗ = √(1/(t+1) Σⱼ (gʲ)²), from the recorded gradients
        s.setdefault("history", []).append(g)
        sigma = np.sqrt(np.mean(np.square(s["history"]), axis=0))
        return theta - lr / (sigma + eps) * g
    return update


def rmsprop_rule(lr, alpha, eps=1e-8):
    def update(theta, g, s, t):
        s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
        return theta - lr * g / (np.sqrt(s["v"]) + eps)
    return update


def rmsprop_lecture_rule(lr, alpha, eps=1e-8):
    def update(theta, g, s, t):          # σ⁰ = |g⁰|,  σᵗ = √(α(σᵗ⁻¹)² + (1−α)(gᵗ)²)
        s["sigma"] = np.abs(g) if t == 1 else np.sqrt(alpha * s["sigma"] ** 2 + (1 - alpha) * g ** 2)
        return theta - lr / (s["sigma"] + eps) * g
    return update


def adam_rule(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    beta1, beta2 = betas

    def update(theta, g, s, t):
        if decoupled:
            theta = theta - lr * weight_decay * theta
        else:
            g = g + weight_decay * theta
        s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
        s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
        m_hat = s["m"] / (1 - beta1 ** t)
        v_hat = s["v"] / (1 - beta2 ** t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return update


CASES = {
    "sgd": (lambda p: tl.optim.SGD(p, lr=0.04), sgd_rule(0.04)),
    "sgd_momentum": (lambda p: tl.optim.SGD(p, lr=0.02, momentum=0.9), sgd_rule(0.02, 0.9)),
    "sgd_nesterov_wd": (lambda p: tl.optim.SGD(p, lr=0.02, momentum=0.8, nesterov=True, weight_decay=0.1),
                        sgd_rule(0.02, 0.8, True, 0.1)),
    "momentum": (lambda p: tl.optim.Momentum(p, lr=0.02, momentum=0.9), momentum_rule(0.02, 0.9)),
    "adagrad": (lambda p: tl.optim.Adagrad(p, lr=0.5), adagrad_rule(0.5)),
    "adagrad_lecture": (lambda p: tl.optim.Adagrad(p, lr=0.1, form="lecture"), adagrad_lecture_rule(0.1)),
    "rmsprop": (lambda p: tl.optim.RMSProp(p, lr=0.01, alpha=0.9), rmsprop_rule(0.01, 0.9)),
    "rmsprop_lecture": (lambda p: tl.optim.RMSProp(p, lr=0.01, alpha=0.9, form="lecture"),
                        rmsprop_lecture_rule(0.01, 0.9)),
    "adam": (lambda p: tl.optim.Adam(p, lr=0.05), adam_rule(0.05)),
    "adam_wd": (lambda p: tl.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.2),
                adam_rule(0.05, (0.8, 0.99), 1e-6, 0.2)),
    "adamw": (lambda p: tl.optim.AdamW(p, lr=0.05, weight_decay=0.2), adam_rule(0.05, weight_decay=0.2,
                                                                                 decoupled=True)),
}


def reference_trajectory(rule, steps: int = STEPS, lrs=None) -> list[list[np.ndarray]]:
    """The NumPy loop: iterates after every step."""
    thetas, states, path = start(), [{}, {}], []
    for t in range(1, steps + 1):
        grads = numpy_gradients(*thetas)
        thetas = [rule(theta, g, s, t) for theta, g, s in zip(thetas, grads, states)]
        path.append([theta.copy() for theta in thetas])
    return path


def run(opt, params, steps: int = STEPS, scheduler=None) -> list[list[np.ndarray]]:
    path = []
    for _ in range(steps):
        compute_gradients(opt, params)
        opt.step()
        if scheduler is not None:
            scheduler.step()
        path.append([p.cpu().numpy() for p in params])
    return path


@pytest.mark.parametrize("name", CASES)
def test_trajectory_matches_reference_loop(name, device):
    make, rule = CASES[name]
    params = parameters(device)
    got = run(make(params), params)
    want = reference_trajectory(rule)
    for step, (g, w) in enumerate(zip(got, want)):
        for p_got, p_want in zip(g, w):
            np.testing.assert_allclose(p_got, p_want, rtol=1e-7, atol=1e-7, err_msg=f"{name} step {step + 1}")
    assert all(p.device == device and p.dtype == tl.float64 for p in params)


@pytest.mark.parametrize("name", CASES)
def test_float32_parameters_and_state_stay_float32(name, device):
    make, _ = CASES[name]
    params = parameters(device, dtype=tl.float32)
    opt = make(params)
    run(opt, params, steps=3)
    for p in params:
        assert p.dtype == tl.float32 and p.is_leaf and p.requires_grad
        for value in opt.state[p].values():
            if hasattr(value, "dtype"):
                assert value.dtype == tl.float32


# --- the lecture's forms against the slides -----------------------------------------------------


def test_momentum_equals_sgd_momentum_at_constant_lr(device):
    a, b = parameters(device), parameters(device)
    path_a = run(tl.optim.Momentum(a, lr=0.02, momentum=0.9), a)
    path_b = run(tl.optim.SGD(b, lr=0.02, momentum=0.9), b)
    for pa, pb in zip(path_a, path_b):
        for x, y in zip(pa, pb):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


def test_momentum_differs_from_sgd_momentum_under_a_schedule(device):
    a, b = parameters(device), parameters(device)
    opt_a = tl.optim.Momentum(a, lr=0.02, momentum=0.9)
    opt_b = tl.optim.SGD(b, lr=0.02, momentum=0.9)
    path_a = run(opt_a, a, steps=20, scheduler=LambdaLR(opt_a, lambda k: 0.8 ** k))
    path_b = run(opt_b, b, steps=20, scheduler=LambdaLR(opt_b, lambda k: 0.8 ** k))
    np.testing.assert_allclose(path_a[0][0], path_b[0][0], rtol=1e-12)  # the first step is the same
    assert np.abs(path_a[-1][0] - path_b[-1][0]).max() > 1e-3


def test_momentum_movement_is_weighted_sum_of_past_gradients(device):
    """m^t = −η Σᵢ λ^(t−1−i) gⁱ (F22)."""
    lr, lam = 0.02, 0.9
    params = parameters(device)
    opt = tl.optim.Momentum(params, lr=lr, momentum=lam)
    grads = []
    for t in range(1, 11):
        compute_gradients(opt, params)
        grads.append(params[0].grad.cpu().numpy())
        opt.step()
        expected = -lr * sum(lam ** (t - 1 - i) * g for i, g in enumerate(grads))
        np.testing.assert_allclose(host(opt.state[params[0]]["m"]), expected, rtol=1e-12, atol=1e-14)


def test_adagrad_lecture_sigma_is_root_mean_square_and_first_step_is_lr(device):
    lr = 0.1
    params = parameters(device)
    before = [p.cpu().numpy() for p in params]
    opt = tl.optim.Adagrad(params, lr=lr, form="lecture")
    grads = []
    for t in range(10):
        compute_gradients(opt, params)
        grads.append(params[0].grad.cpu().numpy())
        opt.step()
        if t == 0:  # θ¹ − θ⁰ = −η g⁰/|g⁰|: exactly η for every parameter
            for p, p0 in zip(params, before):
                np.testing.assert_allclose(np.abs(p.cpu().numpy() - p0), lr, rtol=1e-9)
        np.testing.assert_allclose(host(opt.state[params[0]]["sigma"]), np.sqrt(np.mean(np.square(grads), axis=0)),
                                   rtol=1e-12)
    np.testing.assert_allclose(host(opt.effective_lr(params[0])), lr / (host(opt.state[params[0]]["sigma"]) + 1e-10),
                               rtol=1e-12)


def test_adagrad_lecture_equals_pytorch_form_with_sqrt_t_rate(device):
    """RMS-Adagrad with η equals sum-Adagrad with ηᵗ = η·√t (F26, F33), exactly when ε = 0."""
    a, b = parameters(device), parameters(device)
    opt_a = tl.optim.Adagrad(a, lr=0.1, eps=0.0, form="lecture")
    opt_b = tl.optim.Adagrad(b, lr=0.1, eps=0.0)
    path_a = run(opt_a, a, steps=30)
    path_b = run(opt_b, b, steps=30, scheduler=LambdaLR(opt_b, lambda k: math.sqrt(k + 1)))  # step k+1
    for pa, pb in zip(path_a, path_b):
        for x, y in zip(pa, pb):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)


def test_rmsprop_lecture_sigma_recursion_and_first_step(device):
    lr, alpha = 0.01, 0.5
    params = parameters(device)
    before = params[0].cpu().numpy()
    opt = tl.optim.RMSProp(params, lr=lr, alpha=alpha, form="lecture")
    sigma = None
    for t in range(20):
        compute_gradients(opt, params)
        g = params[0].grad.cpu().numpy()
        opt.step()
        sigma = np.abs(g) if sigma is None else np.sqrt(alpha * sigma ** 2 + (1 - alpha) * g ** 2)
        np.testing.assert_allclose(host(opt.state[params[0]]["sigma"]), sigma, rtol=1e-12)
        if t == 0:
            np.testing.assert_allclose(np.abs(params[0].cpu().numpy() - before), lr, rtol=1e-6)


def test_rmsprop_pytorch_first_step_is_larger_by_one_over_sqrt_one_minus_alpha(device):
    a, b = parameters(device), parameters(device)
    run(tl.optim.RMSProp(a, lr=0.01, alpha=0.99, eps=0.0), a, steps=1)
    run(tl.optim.RMSProp(b, lr=0.01, alpha=0.99, eps=0.0, form="lecture"), b, steps=1)
    w0 = start()[0]
    np.testing.assert_allclose(np.abs(a[0].cpu().numpy() - w0), 10 * np.abs(b[0].cpu().numpy() - w0), rtol=1e-9)


def test_adam_first_step_is_about_lr_times_sign(device):
    params = parameters(device)
    opt = tl.optim.Adam(params, lr=0.05)
    compute_gradients(opt, params)
    g = params[0].grad.cpu().numpy()
    opt.step()
    np.testing.assert_allclose(params[0].cpu().numpy(), start()[0] - 0.05 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    state = opt.state[params[0]]
    np.testing.assert_allclose(host(state["m_hat"]), g, rtol=1e-12)
    np.testing.assert_allclose(host(state["v_hat"]), g * g, rtol=1e-12)
    np.testing.assert_allclose(host(opt.effective_lr(params[0])), 0.05 / (np.abs(g) + 1e-8), rtol=1e-12)


@pytest.mark.parametrize("make", [lambda p: tl.optim.SGD(p, lr=0.1), lambda p: tl.optim.Momentum(p, lr=0.1)])
def test_effective_lr_of_non_adaptive_optimizers_is_lr(make, device):
    params = parameters(device)
    opt = make(params)
    assert opt.effective_lr(params[0]) is None  # nothing to report before the first step
    run(opt, params, steps=1)
    np.testing.assert_array_equal(host(opt.effective_lr(params[1])), np.full((2, 2), 0.1))
