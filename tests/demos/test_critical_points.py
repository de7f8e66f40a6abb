"""Part A (F01–F08): each figure runs in quick mode and its claim is checked on the numbers it returns."""

import numpy as np
import pytest
from figure_check import run


def test_f01_minimum_and_saddle_both_have_zero_gradient(tmp_path):
    m = run("F01", tmp_path)
    assert np.all(m["bowl"]["gradient"] == 0) and np.all(m["saddle"]["gradient"] == 0)
    np.testing.assert_array_equal(m["bowl"]["eigenvalues"], [2, 2])
    np.testing.assert_array_equal(m["saddle"]["eigenvalues"], [-2, 2])
    assert (m["bowl"]["kind"], m["saddle"]["kind"]) == ("local_min", "saddle")
    assert abs(m["stalled_loss"] - 1) < 1e-3 and m["stalled_grad_norm"] < 1e-3


def test_f02_taylor_errors_shrink_like_eps_squared_and_cubed(tmp_path):
    m = run("F02", tmp_path)
    assert m["slope_first_order"] == pytest.approx(2, abs=0.1)
    assert m["slope_second_order"] == pytest.approx(3, abs=0.1)
    assert m["fd_relative_error"] < 1e-6
    # the example's Hessian at θ′ = (0.5, 1.5): [[2w2², −2 + 4w1w2], [−2 + 4w1w2, 2w1²]]
    np.testing.assert_allclose(m["H"], [[4.5, 1.0], [1.0, 0.5]], rtol=1e-12)


def test_f03_signs_of_vHv_match_the_eigenvalues(tmp_path):
    m = run("F03", tmp_path)
    patterns = [(case["sign_of_vHv"], case["sign_of_eigenvalues"], case["kind"]) for case in m.values()]
    assert patterns == [("+", "+", "local_min"), ("−", "−", "local_max"), ("±", "±", "saddle"),
                        ("±", "±", "saddle")]


def test_f04_error_surface_has_a_saddle_and_a_valley(tmp_path):
    m = run("F04", tmp_path)
    assert m["loss_origin"] == 1.0 and np.all(m["grad_origin"] == 0)
    assert np.all(m["loss_valley_points"] == 0) and m["max_loss_on_hyperbola"] < 1e-12
    assert np.all(np.diff(m["loss_along_w1_eq_minus_w2"]) > 0)
    assert np.all(np.diff(m["loss_along_w1_eq_w2"]) < 0)


def test_f05_hessian_at_the_origin_is_exact(tmp_path):
    m = run("F05", tmp_path)
    origin = m["origin"]
    assert np.all(origin["g"] == 0)
    np.testing.assert_array_equal(origin["H"], [[0, -2], [-2, 0]])
    np.testing.assert_allclose(origin["eigenvalues"], [-2, 2], atol=1e-12)
    assert origin["kind"] == "saddle"
    # on the valley w1·w2 = 1: eigenvalues {0, 2(w1² + w2²)}, a flat direction along the valley
    np.testing.assert_allclose(m["valley (1, 1)"]["eigenvalues"], [0, 4], atol=1e-9)
    np.testing.assert_allclose(m["valley (2, 0.5)"]["eigenvalues"], [0, 8.5], atol=1e-9)


def test_f06_escape_along_the_negative_eigenvector(tmp_path):
    m = run("F06", tmp_path)
    assert m["gd_moved_from_origin"] == 0.0
    np.testing.assert_allclose(m["u"], [1, 1], atol=1e-12)
    assert m["lambda"] == pytest.approx(-2) and m["uHu"] == pytest.approx(-4)
    assert m["loss_at_u"] < 1e-20
    assert m["resumed_final_loss"] < 1e-4


def test_f07_minimum_in_one_dimension_saddle_in_two(tmp_path):
    m = run("F07", tmp_path)
    assert m["curvature_along"]["across"] == pytest.approx(2)
    assert m["curvature_along"]["diagonal"] == pytest.approx(-2)
    assert m["kind"] == "saddle"


def test_f08_every_minimum_ratio_is_below_one(tmp_path):
    m = run("F08", tmp_path)
    ratios = np.asarray(m["minimum_ratio"])
    assert len(ratios) == m["runs"] and np.all(ratios < 1)
    assert np.all(np.asarray(m["grad_norm_after"]) < 1e-2)
    assert np.median(m["grad_norm_after"]) < 0.01 * np.median(m["grad_norm_init"])
