"""Schedulers against their formulas and the step conventions of DESIGN.md: ``opt.lr`` always holds the
rate the next ``opt.step()`` uses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from optim_problem import compute_gradients, numpy_gradients, parameters

import tinygrad_lite as tl
from tinygrad_lite.optim import lr_scheduler as S


def used_rates(opt, scheduler, steps: int, params=None) -> list[float]:
    """The rate each of ``steps`` optimizer steps used, recorded in the training loop's order."""
    rates = []
    for _ in range(steps):
        rates.append(opt.lr)
        if params is not None:
            compute_gradients(opt, params)
        opt.step()
        scheduler.step()
        assert scheduler.get_last_lr() == [opt.lr]  # get_last_lr() is the next step's rate
    return rates


def make_opt(lr=0.5, device="cpu"):
    return tl.optim.SGD([tl.tensor([1.0], device=device, requires_grad=True)], lr=lr)


# the rate of the k-th scheduler state (k = 0 is the first optimizer step), from the formula
FORMULAS = {
    "lambda": (lambda o: S.LambdaLR(o, lambda k: 1 / (1 + k)), lambda k: 0.5 / (1 + k)),
    "step": (lambda o: S.StepLR(o, step_size=3, gamma=0.5), lambda k: 0.5 * 0.5 ** (k // 3)),
    "exponential": (lambda o: S.ExponentialLR(o, gamma=0.9), lambda k: 0.5 * 0.9 ** k),
    "cosine": (lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
               lambda k: 0.01 + (0.5 - 0.01) * (1 + math.cos(math.pi * k / 10)) / 2),
    # DESIGN: lr = base · t / w for the t-th step (t = k + 1 = 1 … w), then base
    "warmup": (lambda o: S.LinearWarmup(o, warmup_steps=5), lambda k: 0.5 * min((k + 1) / 5, 1.0)),
    # DESIGN: lr = base · d^-0.5 · min(t^-0.5, t · w^-1.5), t = 1 at the first step
    "transformer": (lambda o: S.TransformerLR(o, d_model=64, warmup_steps=4),
                    lambda k: 0.5 * 64 ** -0.5 * min((k + 1) ** -0.5, (k + 1) * 4 ** -1.5)),
}


@pytest.mark.parametrize("name", FORMULAS)
def test_rates_used_by_each_step_follow_the_formula(name, device):
    make, formula = FORMULAS[name]
    opt = make_opt(device=device)
    scheduler = make(opt)
    assert opt.lr == pytest.approx(formula(0), rel=1e-12)  # constructing sets the first step's rate
    rates = used_rates(opt, scheduler, 15)
    np.testing.assert_allclose(rates, [formula(k) for k in range(15)], rtol=1e-12)
    assert scheduler.last_epoch == 15


def test_pytorch_style_schedulers_start_at_the_base_rate():
    for name in ("lambda", "step", "exponential", "cosine"):
        opt = make_opt(lr=0.5)
        FORMULAS[name][0](opt)
        assert opt.lr == 0.5


def test_linear_warmup_reaches_base_rate_at_step_w_and_stays():
    opt = make_opt(lr=1.0)
    rates = used_rates(opt, S.LinearWarmup(opt, warmup_steps=4), 7)
    assert rates == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 1.0]


def test_linear_warmup_hands_over_to_after_from_its_step_zero():
    opt = make_opt(lr=1.0)
    after = S.StepLR(opt, step_size=2, gamma=0.1)
    warmup = S.LinearWarmup(opt, warmup_steps=3, after=after)
    assert opt.lr == pytest.approx(1 / 3)  # the warm-up owns the first step, not after
    rates = used_rates(opt, warmup, 8)
    np.testing.assert_allclose(rates, [1 / 3, 2 / 3, 1.0, 1.0, 1.0, 0.1, 0.1, 0.01], rtol=1e-12)
    assert after.last_epoch == 5  # its steps 0 … 4 were used by optimizer steps 4 … 8; 5 is next
    assert after.get_last_lr() == warmup.get_last_lr()


def test_transformer_lr_matches_the_paper_numbers():
    """F34: the peak 6.99e-4 at step 4000, exactly half of it at step 16,000, for d_model = 512."""
    t = np.arange(1, 20001)
    lr = S.transformer_lr(t, d_model=512, warmup_steps=4000)
    assert int(np.argmax(lr)) + 1 == 4000
    assert lr[3999] == pytest.approx(6.988e-4, rel=1e-3)
    assert lr[15999] == pytest.approx(lr[3999] / 2, rel=1e-12)
    opt = tl.optim.Adam([tl.tensor([1.0], requires_grad=True)], lr=1.0)
    rates = used_rates(opt, S.TransformerLR(opt, d_model=512, warmup_steps=4000), 50)
    np.testing.assert_allclose(rates, lr[:50], rtol=1e-12)


@pytest.mark.parametrize("name", FORMULAS)
def test_pure_functions_equal_what_the_optimizer_used(name):
    make, _ = FORMULAS[name]
    opt = make_opt(lr=0.5)
    rates = used_rates(opt, make(opt), 25)
    k = np.arange(25)
    pure = {
        "lambda": lambda: 0.5 / (1 + k),
        "step": lambda: S.step_lr(k, 0.5, step_size=3, gamma=0.5),
        "exponential": lambda: S.exponential_lr(k, 0.5, gamma=0.9),
        "cosine": lambda: S.cosine_annealing_lr(k, 0.5, T_max=10, eta_min=0.01),
        "warmup": lambda: S.linear_warmup_lr(k + 1, 0.5, warmup_steps=5),
        "transformer": lambda: S.transformer_lr(k + 1, d_model=64, warmup_steps=4, base_lr=0.5),
    }[name]()
    np.testing.assert_allclose(rates, pure, rtol=1e-12)
    assert isinstance(S.step_lr(3, 0.5, 3), float)  # a scalar step gives a Python float


def test_pure_linear_warmup_with_after_equals_the_scheduler_pair():
    opt = make_opt(lr=0.5)
    cosine = S.CosineAnnealingLR(opt, T_max=8)
    rates = used_rates(opt, S.LinearWarmup(opt, warmup_steps=4, after=cosine), 14)
    t = np.arange(1, 15)
    pure = S.linear_warmup_lr(t, 0.5, 4, after=lambda k: S.cosine_annealing_lr(k, 0.5, T_max=8))
    np.testing.assert_allclose(rates, pure, rtol=1e-12)


def test_schedules_apply_to_every_group_from_its_own_base_rate():
    w, b = tl.tensor([1.0], requires_grad=True), tl.tensor([1.0], requires_grad=True)
    opt = tl.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.1}], lr=1.0)
    scheduler = S.LambdaLR(opt, [lambda k: 0.5 ** k, lambda k: 1.0 + k])
    scheduler.step()
    scheduler.step()
    assert scheduler.get_last_lr() == [0.25, pytest.approx(0.3)]
    assert [g["initial_lr"] for g in opt.param_groups] == [1.0, 0.1]


def test_the_optimizer_takes_the_scheduled_rate(device):
    """SGD with ExponentialLR equals a hand loop θ ← θ − η₀γᵗ g."""
    params = parameters(device)
    opt = tl.optim.SGD(params, lr=0.04)
    scheduler = S.ExponentialLR(opt, gamma=0.9)
    w = params[0].cpu().numpy()
    for k in range(10):
        g = numpy_gradients(w, params[1].cpu().numpy())[0]
        w = w - 0.04 * 0.9 ** k * g
        compute_gradients(opt, params)
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(params[0].cpu().numpy(), w, rtol=1e-12)


def test_scheduler_state_dict_round_trip():
    opt = make_opt(lr=1.0)
    decay = S.ExponentialLR(opt, gamma=0.5)
    warmup = S.LinearWarmup(opt, warmup_steps=2, after=decay)
    used_rates(opt, warmup, 5)
    saved = warmup.state_dict()
    expected = used_rates(opt, warmup, 4)

    opt2 = make_opt(lr=1.0)
    warmup2 = S.LinearWarmup(opt2, warmup_steps=2, after=S.ExponentialLR(opt2, gamma=0.5))
    warmup2.load_state_dict(saved)
    assert used_rates(opt2, warmup2, 4) == expected


ROUND_TRIP = {
    "lambda": lambda o: S.LambdaLR(o, lambda k: 0.9 ** k),
    "step": lambda o: S.StepLR(o, step_size=3, gamma=0.5),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.8),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "warmup": lambda o: S.LinearWarmup(o, warmup_steps=3),
    "warmup_then_cosine": lambda o: S.LinearWarmup(o, warmup_steps=3, after=S.CosineAnnealingLR(o, T_max=6)),
    "transformer": lambda o: S.TransformerLR(o, d_model=64, warmup_steps=4),
    "one_cycle": lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=12, three_phase=True),
}


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_every_scheduler_state_dict_round_trips_through_a_file(name, tmp_path):
    """A fresh optimizer and scheduler, loaded from a checkpoint, report the same state and rates and go
    on with the same rates as the originals (bit for bit)."""
    opt = make_opt(lr=0.5)
    scheduler = ROUND_TRIP[name](opt)
    used_rates(opt, scheduler, 5)
    tl.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "run.ckpt")
    expected = used_rates(opt, scheduler, 6)

    checkpoint = tl.load(tmp_path / "run.ckpt")
    opt2 = make_opt(lr=0.5)
    scheduler2 = ROUND_TRIP[name](opt2)
    opt2.load_state_dict(checkpoint["optimizer"])
    scheduler2.load_state_dict(checkpoint["scheduler"])
    assert scheduler2.state_dict() == checkpoint["scheduler"]
    assert scheduler2.get_last_lr() == checkpoint["scheduler"]["_last_lr"]
    assert used_rates(opt2, scheduler2, 6) == expected


def test_scheduler_load_state_dict_rejects_a_bad_snapshot():
    scheduler = S.StepLR(make_opt(), step_size=2)
    with pytest.raises(ValueError, match="expected a dict with 'last_epoch', 'base_lrs'"):
        scheduler.load_state_dict({"last_epoch": 1})
    with pytest.raises(ValueError, match="invalid last_epoch -1"):
        scheduler.load_state_dict({"last_epoch": -1, "base_lrs": [0.1]})
    with pytest.raises(ValueError, match="the snapshot has 2 parameter groups"):
        scheduler.load_state_dict({"last_epoch": 1, "base_lrs": [0.1, 0.2]})
    with pytest.raises(ValueError, match="expected a dict"):
        scheduler.load_state_dict({"last_epoch": 1, "base_lrs": [0.1], "T_max": 3})


BAD = [
    (lambda o: S.StepLR(o, step_size=0), "StepLR: invalid step_size 0"),
    (lambda o: S.ExponentialLR(o, gamma=-0.5), "ExponentialLR: invalid gamma -0.5"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: invalid T_max 0"),
    (lambda o: S.LinearWarmup(o, warmup_steps=0), "LinearWarmup: invalid warmup_steps 0"),
    (lambda o: S.TransformerLR(o, d_model=512, warmup_steps=2.5), "TransformerLR: invalid warmup_steps 2.5"),
    (lambda o: S.LambdaLR(o, [lambda k: 1, lambda k: 2]), "LambdaLR: got 2 lr_lambda functions for 1"),
    (lambda o: S.LambdaLR(o, lambda k: -1.0), "LambdaLR: the schedule gave the invalid learning rate -0.5"),
    (lambda o: S.LinearWarmup(o, 3, after=S.StepLR(make_opt(), 2)), "after must be built on the same optimizer"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0), "OneCycleLR: give total_steps, or epochs and steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=0), "OneCycleLR: invalid total_steps 0"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=5, pct_start=1.5), "OneCycleLR: invalid pct_start 1.5"),
    (lambda o: S.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=5), "OneCycleLR: expected 1 values of max_lr"),
    (lambda o: S.OneCycleLR(o, 1.0, 5, anneal_strategy="cosine"), "OneCycleLR: anneal_strategy must be 'cos'"),
    (lambda o: S.ReduceLROnPlateau(o, mode="avg"), "ReduceLROnPlateau: mode must be 'min' .* or 'max'"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"), "ReduceLROnPlateau: threshold_mode must be 'rel'"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), "ReduceLROnPlateau: invalid factor 1.0; expected a number < 1"),
    (lambda o: S.ReduceLROnPlateau(o, patience=-1), "ReduceLROnPlateau: invalid patience -1"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), "ReduceLROnPlateau: expected 1 values of min_lr"),
]


@pytest.mark.parametrize("make, message", BAD)
def test_bad_scheduler_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make(make_opt())
    with pytest.raises(TypeError, match="expected an optimizer from tl.optim"):
        S.StepLR("not an optimizer", step_size=2)


# --- OneCycleLR and ReduceLROnPlateau ---------------------------------------------------------


def one_cycle_formula(k, total, max_lr, pct=0.3, div=25.0, final_div=1e4, linear=False):
    """The two-phase rate of step k, written out: up from max_lr / div to max_lr, then down to the minimum."""
    def anneal(start, end, p):
        return start + (end - start) * p if linear else end + (start - end) * (1 + math.cos(math.pi * p)) / 2
    initial, peak_step = max_lr / div, pct * total - 1
    if k <= peak_step:
        return anneal(initial, max_lr, k / peak_step)
    return anneal(max_lr, initial / final_div, min((k - peak_step) / (total - 1 - peak_step), 1.0))


@pytest.mark.parametrize("linear", [False, True], ids=["cos", "linear"])
def test_one_cycle_rates_follow_the_formula(linear, device):
    opt = make_opt(device=device)
    scheduler = S.OneCycleLR(opt, max_lr=2.0, total_steps=20, anneal_strategy="linear" if linear else "cos")
    rates = used_rates(opt, scheduler, 20)
    np.testing.assert_allclose(rates, [one_cycle_formula(k, 20, 2.0, linear=linear) for k in range(20)], rtol=1e-12)
    assert max(rates) == pytest.approx(2.0) and rates.index(max(rates)) == 5  # the peak at pct_start · total − 1
    assert opt.lr == pytest.approx(2.0 / 25 / 1e4)  # after the last step: the minimum


def test_one_cycle_cycles_sgd_momentum_and_adam_beta1():
    opt = make_opt()
    S.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)
    adam = tl.optim.Adam([tl.tensor([1.0], requires_grad=True)], lr=0.1, betas=(0.9, 0.99))
    scheduler = S.OneCycleLR(adam, max_lr=1.0, total_steps=10, base_momentum=0.8, max_momentum=0.9)
    betas = []
    for _ in range(10):
        betas.append(adam.param_groups[0]["betas"])
        adam.step()
        scheduler.step()
    assert [b[1] for b in betas] == [0.99] * 10  # beta2 is left alone
    beta1 = [b[0] for b in betas]
    assert beta1[0] == pytest.approx(0.9) and beta1[2] == pytest.approx(0.8)  # down while the rate goes up
    assert beta1 == [pytest.approx(scheduler.momentum_at(k)[0], rel=1e-12) for k in range(10)]
    plain = make_opt()
    S.OneCycleLR(plain, max_lr=1.0, total_steps=4, cycle_momentum=False)
    assert plain.lr == pytest.approx(0.04) and plain.param_groups[0]["momentum"] == 0.0


def test_one_cycle_refuses_to_step_past_the_end_and_changes_nothing():
    opt = make_opt()
    scheduler = S.OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=3)
    used_rates(opt, scheduler, 6)
    state, lr = scheduler.state_dict(), opt.lr
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 7 times, but the schedule has total_steps=6"):
        scheduler.step()
    assert scheduler.state_dict() == state and opt.lr == lr


def test_one_cycle_three_phases_return_to_the_initial_rate():
    opt = make_opt()
    scheduler = S.OneCycleLR(opt, max_lr=1.0, total_steps=20, three_phase=True, anneal_strategy="linear")
    rates = used_rates(opt, scheduler, 20)
    assert rates[5] == pytest.approx(1.0) and rates[10] == pytest.approx(0.04)  # peak, then back at max_lr / 25
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)  # the third phase keeps max_momentum


def test_one_cycle_per_group_values_and_a_phase_of_no_length():
    w, b = tl.tensor([1.0], requires_grad=True), tl.tensor([0.0], requires_grad=True)
    opt = tl.optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1, momentum=0.9)
    scheduler = S.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=10, pct_start=0.1)  # phase 1 ends at step 0
    assert scheduler.get_last_lr() == [1.0, 0.5]  # PyTorch divides by zero here
    assert [g["initial_lr"] for g in opt.param_groups] == [1.0 / 25, 0.5 / 25]


def plateau_run(metrics, **options):
    opt = make_opt(lr=1.0)
    scheduler = S.ReduceLROnPlateau(opt, **options)
    rates = []
    for metric in metrics:
        scheduler.step(metric)
        assert scheduler.get_last_lr() == [opt.lr]
        rates.append(opt.lr)
    return rates


def test_plateau_waits_patience_epochs_then_multiplies_by_factor():
    assert plateau_run([5, 4, 4, 4, 4, 4, 4], patience=2, factor=0.5) == [1, 1, 1, 1, 0.5, 0.5, 0.5]
    # cooldown: two epochs after a reduction count no bad epochs
    assert plateau_run([5] * 9, patience=0, factor=0.5, cooldown=2) == [1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125,
                                                                        0.125]
    assert plateau_run([5] * 6, patience=0, factor=0.1, min_lr=0.05) == [1, 0.1, 0.05, 0.05, 0.05, 0.05]


def test_plateau_thresholds_and_mode_max():
    # rel: 0.99995 is not below 1 · (1 − 1e-4), so it is no improvement
    assert plateau_run([1.0, 0.99995, 0.99995], patience=1) == [1, 1, 0.1]
    assert plateau_run([1.0, 0.9, 0.85, 0.845], patience=0, threshold=0.06,
                       threshold_mode="abs") == [1, 1, 0.1, pytest.approx(0.01)]
    assert plateau_run([0.5, 0.6, 0.6, 0.7], mode="max", patience=0) == [1, 1, 0.1, 0.1]
    assert plateau_run([0.5, 0.6, 0.62], mode="max", patience=0, threshold=0.05, threshold_mode="abs") == [1, 1, 0.1]


def test_plateau_takes_a_loss_tensor_and_round_trips_through_a_file(tmp_path):
    opt = make_opt(lr=1.0)
    scheduler = S.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for metric in [3.0, 2.0, 2.5, 2.5, 2.5]:
        scheduler.step(tl.tensor(metric))
    tl.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "run.ckpt")
    checkpoint = tl.load(tmp_path / "run.ckpt")
    assert checkpoint["scheduler"]["best"] == 2.0 and checkpoint["scheduler"]["mode_worse"] == math.inf
    opt2 = make_opt(lr=1.0)
    scheduler2 = S.ReduceLROnPlateau(opt2, patience=1, cooldown=1)
    opt2.load_state_dict(checkpoint["optimizer"])
    scheduler2.load_state_dict(checkpoint["scheduler"])
    assert scheduler2.state_dict() == scheduler.state_dict() and opt2.lr == opt.lr
    for metric in [2.5, 2.5, 1.0, 2.5, 2.5, 2.5]:
        scheduler.step(metric)
        scheduler2.step(metric)
        assert opt2.lr == opt.lr
    with pytest.raises(TypeError, match="ReduceLROnPlateau.step: metrics must be a number"):
        scheduler.step("low")


def test_plateau_is_not_a_schedule_to_warm_up_into():
    opt = make_opt()
    with pytest.raises(TypeError, match="LinearWarmup: after must be a scheduler of the step count"):
        S.LinearWarmup(opt, 3, after=S.ReduceLROnPlateau(opt))
