"""Part D (F23–F36): each figure runs in quick mode and its claim is checked on the numbers it returns."""

import numpy as np
import pytest
from figure_check import run


def test_f23_stuck_with_a_large_gradient(tmp_path):
    m = run("F23", tmp_path)
    assert m["stuck_grad_norm_min_late"] >= 99
    low, high = m["stuck_steep_loss_range_late"]
    assert low == pytest.approx(22.8, abs=0.1) and high == pytest.approx(76, abs=0.2)
    assert m["converging_final_grad_norm"] < 1


def test_f24_two_cycle_across_the_valley(tmp_path):
    m = run("F24", tmp_path)
    np.testing.assert_allclose(sorted(m["w2_cycle"]), [-0.766, 0.234], atol=1e-3)
    assert m["w1_move_per_step_max"] < 1e-3 and m["w1_end"] < m["w1_start"]


def test_f25_no_fixed_rate_works(tmp_path):
    m = run("F25", tmp_path)
    assert m["stable_limit"] == pytest.approx(1.145e-6, rel=1e-3)
    zigzags = m["zigzags_first_2000"]
    assert zigzags["GD η=1.1e-6"] >= 100 and zigzags["GD η=1e-7"] <= 5
    assert m["slow_fraction_of_b_covered"] < 0.2
    np.testing.assert_allclose(m["optimum"], [-188.43, 2.67], atol=0.01)


def test_f26_first_step_is_eta_and_flat_parameter_gets_larger_rate(tmp_path):
    m = run("F26", tmp_path)
    np.testing.assert_allclose(np.abs(m["first_step"]), [1, 1], atol=1e-9)
    assert m["sigma_vs_rms_max_relative_error"] < 1e-12
    assert m["rate_ratio_b_over_w"] > 100


def test_f27_adagrad_moves_both_parameters_alike(tmp_path):
    m = run("F27", tmp_path)
    assert m["sigma_ratio_first_step"] == pytest.approx(1e-3)
    assert m["adagrad_path_max_relative_gap"] < 1e-6
    assert abs(m["gd_final"][0]) > 2.5 and abs(m["gd_final"][1]) < 1e-6


def test_f28_slope_of_one_parameter_changes_over_time(tmp_path):
    m = run("F28", tmp_path)
    assert m["ratio"] >= 100


def test_f29_rmsprop_recursion_is_exact(tmp_path):
    m = run("F29", tmp_path)
    assert max(m["max_error_vs_hand_loop"].values()) <= 1e-12
    tracking = m["mean_abs_sigma_minus_g"]
    assert tracking["0.1"] < tracking["0.5"] < tracking["0.9"]


def test_f30_rmsprop_brakes_and_speeds_up(tmp_path):
    m = run("F30", tmp_path)
    adagrad, rmsprop = m["Adagrad"], m["RMSProp, α = 0.5"]
    assert adagrad["largest_step_on_cliff"] >= 3 * rmsprop["largest_step_on_cliff"]
    assert rmsprop["mean_step_after_cliff"] >= 5 * adagrad["mean_step_after_cliff"]


def test_f31_adam_is_algorithm_1(tmp_path):
    m = run("F31", tmp_path)
    assert m["max_error_vs_hand"] < 1e-12 and m["first_step_error"] < 1e-12
    np.testing.assert_allclose(np.abs(m["first_step"]), 0.1, rtol=1e-6)


def test_f32_adagrad_bursts_near_the_minimum(tmp_path):
    m = run("F32", tmp_path)
    assert abs(m["final"][0] - m["optimum"][0]) < 1
    assert m["steps_far_in_w_late"] >= 100 and m["max_excursion_late"] > 1


def test_f33_decay_removes_the_bursts(tmp_path):
    m = run("F33", tmp_path)
    assert m["max_excursion_late"] < 0.05
    assert m["max_difference_to_pytorch_form"] < 1e-9


def test_f34_warmup_schedules_match_the_papers(tmp_path):
    m = run("F34", tmp_path)
    assert m["transformer_peak_step"] == 4000
    assert m["transformer_peak"] == pytest.approx(6.988e-4, abs=1e-7)
    assert m["transformer_ratio_16000_4000"] == pytest.approx(0.5)
    assert m["transformer_max_error"] < 1e-15 and m["resnet_max_error"] < 1e-15
    rates = m["resnet_rates_at"]
    assert rates["399"] == pytest.approx(0.01) and rates["400"] == pytest.approx(0.1)
    assert rates["32000"] == pytest.approx(0.01) and rates["48000"] == pytest.approx(0.001)


def test_f35_adaptive_rate_variance_falls_and_rectifier_warms_up(tmp_path):
    m = run("F35", tmp_path)
    variance = m["variance_at"]
    assert variance["1"] > variance["3"] > variance["10"] > variance["100"] > variance["1000"]
    assert variance["3"] >= 100 * variance["100"]
    assert m["rho_inf"] == pytest.approx(1999)
    assert np.isnan(m["r_at"]["4"]) and m["r_at"]["5"] == pytest.approx(0.017, abs=1e-3)


def test_f36_summary_rule_reproduces_the_optimizers(tmp_path):
    m = run("F36", tmp_path)
    assert max(m["summary_update_gap"].values()) <= 1e-9
    assert abs(m["alternating_gradients"]["m_hat"]) < 0.1 and m["alternating_gradients"]["sigma"] == pytest.approx(1)
    errors = m["final_error"]
    assert errors["GD η=1e-7"][0] > 50
