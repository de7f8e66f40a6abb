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
]


@pytest.mark.parametrize("make, message", BAD)
def test_bad_scheduler_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make(make_opt())
    with pytest.raises(TypeError, match="expected an optimizer from tl.optim"):
        S.StepLR("not an optimizer", step_size=2)
