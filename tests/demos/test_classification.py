"""Part E (F37–F43): each figure runs in quick mode and its claim is checked on the numbers it returns."""

import numpy as np
import pytest
from figure_check import run


def test_f37_class_numbers_fail_where_softmax_succeeds(tmp_path):
    accuracy = run("F37", tmp_path)["accuracy"]
    assert accuracy["regression, ordered classes"] >= 0.95
    assert accuracy["regression, unrelated classes"] <= 0.70
    assert accuracy["softmax classifier, unrelated classes"] >= 0.95


def test_f38_one_hot_classes_are_equally_far_apart(tmp_path):
    m = run("F38", tmp_path)
    np.testing.assert_array_equal(m["class_number_distances"], [[0, 1, 2], [1, 0, 1], [2, 1, 0]])
    np.testing.assert_allclose(m["one_hot_distances"], np.sqrt(2) * (1 - np.eye(3)), atol=1e-15)
    assert m["head_output_shape"] == [m["batch"], 3]


def test_f39_softmax_outputs_are_probabilities_logits_are_not(tmp_path):
    m = run("F39", tmp_path)
    assert m["logits_min"] < 0 and m["logits_max"] > 1
    assert 0 < m["softmax_min"] and m["softmax_max"] < 1
    np.testing.assert_allclose(m["row_sums"], 1, atol=1e-6)


def test_f40_softmax_of_the_lecture_numbers(tmp_path):
    m = run("F40", tmp_path)
    np.testing.assert_allclose(m["exp"], [20.0855, 2.71828, 0.0497871], rtol=1e-5)
    np.testing.assert_allclose(m["softmax"], [0.8789, 0.1189, 0.0022], atol=5e-5)
    assert m["ratio_1_to_2"] == pytest.approx(np.e ** 2, rel=1e-12)
    assert m["max_change_under_shift"] < 1e-12


def test_f41_sigmoid_is_two_class_softmax(tmp_path):
    m = run("F41", tmp_path)
    assert m["z_range"] == [-20, 20]
    assert m["max_probability_difference"] < 1e-12
    assert m["max_loss_difference"] < 1e-12
    assert m["max_difference_random_pairs"] < 1e-12


def test_f42_cross_entropy_is_negative_log_likelihood(tmp_path):
    m = run("F42", tmp_path)
    assert m["max_ce_minus_nll"] < 1e-10
    assert m["max_gradient_difference"] < 1e-10
    assert m["extreme_logits_loss"] == pytest.approx(2000.0)
    assert np.all(np.isfinite(m["extreme_logits_grad"])) and m["extreme_logits_naive_loss"] == np.inf
    assert all(m["gradchecks"].values())


def test_f43_mse_is_flat_where_cross_entropy_has_a_slope(tmp_path):
    m = run("F43", tmp_path)
    start = m["start (−8, 8)"]
    # the lecture's claim: at the start the MSE gradient is orders of magnitude below cross-entropy's
    assert start["MSE"]["grad_norm"] < 1e-4 * start["cross-entropy"]["grad_norm"]
    assert start["MSE"]["grad_norm"] == pytest.approx(6.4e-7, rel=0.01)
    assert start["cross-entropy"]["grad_norm"] == pytest.approx(np.sqrt(2), rel=1e-6)
    corner = m["corner (−10, 10)"]
    assert corner["MSE"]["loss"] == pytest.approx(2.0) and corner["cross-entropy"]["loss"] == pytest.approx(20.0)
    final = m["final_loss"]
    assert final["MSE, GD, η = 0.1"] > 1.99 and final["MSE, GD, η = 1"] > 1.99
    assert final["cross-entropy, GD, η = 0.1"] < 0.05 and final["cross-entropy, GD, η = 1"] < 0.05
    assert final["MSE, Adam, η = 0.1"] < 0.01
