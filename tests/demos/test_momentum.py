"""Part C (F19–F22): each figure runs in quick mode and its claim is checked on the numbers it returns."""

import numpy as np
import pytest
from figure_check import run

# critical points of L(w) = (w² − 1)² − 0.3w: roots of L′(w) = 4w³ − 4w − 0.3
LOCAL_MIN, HILL_TOP, BETTER_MIN = np.sort(np.roots([4, 0, -4, -0.3]).real)


def test_f19_ball_stops_without_momentum_and_rolls_over_with_it(tmp_path):
    m = run("F19", tmp_path)
    np.testing.assert_allclose([m["landmarks"][k] for k in ("local minimum", "hill top", "better minimum")],
                               [LOCAL_MIN, HILL_TOP, BETTER_MIN], atol=1e-12)
    assert m["final_w_gradient_descent"] == pytest.approx(LOCAL_MIN, abs=1e-3)
    assert m["max_w_gradient_descent"] < HILL_TOP
    assert m["final_w_momentum"] == pytest.approx(BETTER_MIN, abs=1e-3)
    passing = m["passing_local_minimum"]
    assert passing["m"] > 0 and abs(passing["m"]) > 10 * 0.01 * abs(passing["g"])  # moving right, not by g


def test_f20_every_step_is_minus_eta_g_and_crosses_the_contour_at_a_right_angle(tmp_path):
    m = run("F20", tmp_path)
    theta, g = np.asarray(m["theta"]), np.asarray(m["gradient"])
    np.testing.assert_allclose(g, theta[:-1] * [1, 10], rtol=1e-12)             # ∇½(θ₁² + 10θ₂²)
    np.testing.assert_allclose(np.diff(theta, axis=0), -0.09 * g, atol=1e-12)
    np.testing.assert_allclose(m["angle_to_contour_deg"], 90, atol=1)
    np.testing.assert_allclose(theta[1], [-3.64, 0.15], rtol=1e-12)              # θ¹ = θ⁰ − η g⁰


def test_f21_momentum_is_last_movement_minus_gradient(tmp_path):
    m = run("F21", tmp_path)
    assert m["max_rule_error"] < 1e-12 and m["max_position_error"] < 1e-12
    assert m["max_difference_lecture_vs_pytorch_form"] < 1e-12
    movement = np.asarray(m["movement"])
    np.testing.assert_allclose(movement[0], [0.36, -1.35], rtol=1e-12)          # m¹ = −η g⁰
    np.testing.assert_allclose(movement[1], 0.9 * movement[0] - 0.09 * np.asarray(m["gradient"])[1], rtol=1e-12)


def test_f22_lambda_at_least_08_crosses_the_hill_and_at_most_05_does_not(tmp_path):
    m = run("F22", tmp_path)
    assert m["max_error_weighted_sum"] < 1e-12
    for lam in ("0", "0.5"):
        assert m["lecture"][lam]["final_w"] == pytest.approx(LOCAL_MIN, abs=1e-3)
        assert m["lecture"][lam]["farthest_w"] < HILL_TOP
    for lam in ("0.8", "0.9"):
        assert m["lecture"][lam]["final_w"] == pytest.approx(BETTER_MIN, abs=1e-3)
        assert m["lecture"][lam]["final_loss"] == pytest.approx(-0.305, abs=1e-3)
    lambdas, crossed = np.asarray(m["lambdas"]), np.asarray(m["crossed"])
    assert not crossed[lambdas <= 0.5].any()
    assert 0.5 < m["lowest_crossing_lambda"] <= 0.8
