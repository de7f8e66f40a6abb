"""Part 5 (F44–F47): each figure runs in quick mode, and its claim is recomputed in NumPy from the data and
the numbers it measured: closed-form Hessians and Jacobians, the gradient-descent iteration in closed form,
the moving averages by hand."""

import numpy as np
import pytest
from figure_check import run

from demos import batchnorm


def regression(normalized: bool):
    """The F44/F45 data, the closed-form Hessian 2/N XᵀX and the least-squares fit, all in NumPy."""
    x, y = batchnorm.regression_data(seed=0)
    if normalized:
        x = (x - x.mean(0)) / x.std(0)
    design = np.c_[x, np.ones(len(y))]
    fit, *_ = np.linalg.lstsq(design, y, rcond=None)
    loss_min = np.mean((design @ fit - y) ** 2)
    return x, y, 2 / len(y) * x.T @ x, fit, loss_min


def predicted_steps(H, lr, start, w_min, budget):
    """Gradient descent on a quadratic in closed form: e_t = (I − ηH)ᵗ e₀; the first t with
    ½eᵀHe ≤ TOLERANCE · ½e₀ᵀHe₀ (None within ``budget``), and e after ``budget`` steps."""
    e = start - w_min
    excess0, reached = e @ H @ e, None
    for t in range(budget + 1):
        if reached is None and e @ H @ e <= batchnorm.TOLERANCE * excess0:
            reached = t
        if t < budget:
            e = e - lr * H @ e
    return reached, e


def test_f44_feature_scales_make_a_narrow_valley(tmp_path):
    m = run("F44", tmp_path)
    x, y, H, fit, loss_min = regression(normalized=False)
    np.testing.assert_allclose(m["H"], H, rtol=1e-12)                           # tl.hessian = 2/N XᵀX
    assert m["condition_number"] == pytest.approx(np.linalg.cond(H), rel=1e-9)
    assert m["condition_number"] > 1000
    lam_min, lam_max = np.linalg.eigvalsh(H)
    assert m["lr"] == pytest.approx(batchnorm.STABLE_FRACTION / lam_max, rel=1e-12)
    np.testing.assert_allclose(m["w_min"], fit[:2], rtol=1e-8)
    assert m["bias"] == pytest.approx(fit[2], rel=1e-8)
    assert m["loss_min"] == pytest.approx(loss_min, rel=1e-10)

    # zig-zag: the steep component is multiplied by 1 − ηλ_max = −0.9 per step; the flat one by 1 − ηλ_min
    np.testing.assert_allclose(m["steep_ratio_per_step"], 1 - m["lr"] * lam_max, rtol=1e-6)
    assert m["flat_ratio_per_step"] == pytest.approx(1 - m["lr"] * lam_min, rel=1e-9)
    assert 1 - m["flat_ratio_per_step"] < 1e-3

    # the steps to the tolerance and where gradient descent ended, from the closed-form iteration
    reached, e = predicted_steps(H, m["lr"], m["start"], fit[:2], m["budget"])
    assert reached is None and m["steps_to_tolerance"] is None                 # quick budget: not reached
    np.testing.assert_allclose(m["final_w"], fit[:2] + e, rtol=1e-7)
    assert m["final_relative_excess"] == pytest.approx((e @ H @ e) / (fit[:2] @ H @ fit[:2]), rel=1e-6)

    # just above 2/λ_max the steep component grows by |1 − 2.1| = 1.1 per step: the loss by 1.21
    unstable = np.asarray(m["unstable_excess"])
    np.testing.assert_allclose(unstable[-10:] / unstable[-11:-1], (1 - 2.1) ** 2, rtol=1e-3)


def test_f45_normalization_makes_the_surface_round(tmp_path):
    m = run("F45", tmp_path)
    x, y, H, fit, loss_min = regression(normalized=True)
    normalized, raw = m["normalized"], m["raw"]
    np.testing.assert_allclose(normalized["H"], H, rtol=1e-12)
    np.testing.assert_allclose(np.diag(H), 2, rtol=1e-12)                       # mean x̃² = 1
    assert normalized["condition_number"] == pytest.approx(np.linalg.cond(H), rel=1e-9)
    assert normalized["condition_number"] < 1.5
    assert raw["condition_number"] / normalized["condition_number"] > 1000
    assert normalized["bias"] == pytest.approx(np.mean(y), rel=1e-12)           # b̃* = mean ŷ
    np.testing.assert_allclose(normalized["w_min"], fit[:2], rtol=1e-8)
    # a re-parametrisation of the same linear model: the same best loss on both surfaces
    assert normalized["loss_min"] == pytest.approx(loss_min, rel=1e-10)
    assert raw["loss_min"] == pytest.approx(loss_min, rel=1e-10)

    reached, _ = predicted_steps(H, normalized["lr"], m["start"], fit[:2], m["budget"])
    assert normalized["steps_to_tolerance"] is not None
    assert abs(normalized["steps_to_tolerance"] - reached) <= 1
    _, _, H_raw, fit_raw, _ = regression(normalized=False)
    raw_reached, _ = predicted_steps(H_raw, raw["lr"], m["start"], fit_raw[:2], m["budget"])
    assert raw_reached is None and raw["steps_to_tolerance"] is None
    assert m["step_ratio_is_lower_bound"] is True
    assert m["step_ratio"] == pytest.approx(m["budget"] / normalized["steps_to_tolerance"])
    assert m["step_ratio"] >= 10


def batch_norm_jacobian(x, W, b, eps):
    """∂yⁱₖ/∂xʲₗ of y = (z − μ)/√(var + eps), z = xWᵀ + b, by hand:
    ∂z̃ⁱₖ/∂zʲₖ = (δᵢⱼ − 1/N − z̃ⁱₖ z̃ʲₖ / N) / sₖ, then the chain rule through z = xWᵀ + b."""
    n = len(x)
    z = x @ W.T + b
    s = np.sqrt(z.var(0) + eps)
    z_tilde = (z - z.mean(0)) / s
    dz = (np.eye(n)[:, None, :] - 1 / n - z_tilde[:, :, None] * z_tilde.T[None, :, :] / n) / s[None, :, None]
    return np.einsum("ikj,kl->ikjl", dz, W)


def test_f46_batch_normalization_ties_the_batch_together(tmp_path):
    m = run("F46", tmp_path)
    np.testing.assert_array_equal(m["gamma_at_init"], 1)
    np.testing.assert_array_equal(m["beta_at_init"], 0)
    x, W = np.asarray(m["x"]), np.asarray(m["weight"])
    n = len(x)
    off_diagonal = ~np.eye(n, dtype=bool)

    J_linear = np.asarray(m["jacobian_linear"])
    np.testing.assert_array_equal(J_linear, np.einsum("ij,kl->ikjl", np.eye(n), W))   # exactly block-diagonal
    assert m["off_diagonal_norm"]["Linear"] == 0.0

    J = np.asarray(m["jacobian_batch_norm"])
    np.testing.assert_allclose(J, batch_norm_jacobian(x, W, np.asarray(m["bias"]), m["eps"]), atol=1e-12)
    blocks = np.sqrt((J ** 2).sum(axis=(1, 3)))
    assert np.all(blocks[off_diagonal] > 1e-3)
    assert m["off_diagonal_norm"]["Linear + BatchNorm1d"] == pytest.approx(np.sqrt((blocks[off_diagonal] ** 2).sum()))
    assert np.max(np.abs(J - np.asarray(m["jacobian_finite_differences"]))) < 1e-6
    np.testing.assert_allclose(J.sum(axis=0), 0, atol=1e-10)                     # Σᵢ yⁱ = 0 per feature


def test_f47_moving_averages_and_eval_mode(tmp_path):
    m = run("F47", tmp_path)
    assert m["momentum"] == 0.1 and m["p"] == pytest.approx(0.9)
    assert m["num_batches_tracked"] == m["steps"]
    B = m["batch_size"]
    mean, biased, unbiased = (np.asarray(m[k]) for k in ("batch_mean", "batch_biased_var", "batch_unbiased_var"))
    np.testing.assert_allclose(unbiased, biased * B / (B - 1), rtol=1e-12)

    def ema(values, start):
        out, current = [], np.asarray(start, dtype=float)
        for value in values:
            current = 0.9 * current + 0.1 * value
            out.append(current)
        return np.array(out)

    running_mean, running_var = np.asarray(m["running_mean"]), np.asarray(m["running_var"])
    np.testing.assert_allclose(running_mean, ema(mean, np.zeros(3)), atol=1e-12)
    np.testing.assert_allclose(running_var, ema(unbiased, np.ones(3)), atol=1e-12)      # PyTorch's convention
    assert np.max(np.abs(running_var - ema(biased, np.ones(3)))) > 1e-3
    assert m["first_batch_output_vs_normalized_with"]["biased"] < 1e-12

    # settled near the true statistics: within 4 standard deviations of the moving average's noise
    noise = np.asarray(m["true_var"]) ** 0.5 / np.sqrt(B) * np.sqrt(0.1 / 1.9)
    assert np.all(np.abs(running_mean[-1] - m["true_mean"]) < 4 * noise)

    test, eps = np.asarray(m["test_batch"]), m["eps"]
    np.testing.assert_array_equal(m["eval_used_mean"], running_mean[-1])
    np.testing.assert_array_equal(m["eval_used_var"], running_var[-1])
    eval_expected = (test - running_mean[-1]) / np.sqrt(running_var[-1] + eps)
    np.testing.assert_allclose(m["eval_output"], eval_expected, atol=1e-12)
    train_expected = (test - test.mean(0)) / np.sqrt(test.var(0) + eps)                # the batch's own μ, σ
    np.testing.assert_allclose(m["train_output"], train_expected, atol=1e-12)
    assert m["max_train_minus_eval"] == pytest.approx(np.max(np.abs(train_expected - eval_expected)), rel=1e-9)
    assert m["max_train_minus_eval"] > 1e-2
    assert m["eval_spread_of_one_example"] == 0.0 and m["train_spread_of_one_example"] > 1e-2
    assert "more than 1 value per channel" in m["batch_of_one_in_train_mode"]
