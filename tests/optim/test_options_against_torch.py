"""PyTorch's optimizer options against torch.optim (skipped without PyTorch): dampening, amsgrad, maximize,
centered RMSprop with momentum, Adagrad's lr_decay and initial_accumulator_value, weight decay everywhere,
per-group settings and add_param_group. Each runs 50 steps in float64 and must agree to 1e-12 relative."""

from __future__ import annotations

import numpy as np
import pytest
from optim_problem import numpy_gradients, start

import tinygrad_lite as tl

torch = pytest.importorskip("torch")

STEPS = 50
RTOL = 1e-12

# (tl constructor, torch constructor, keyword arguments both take): the same name and meaning in both
OPTIONS = {
    "sgd_dampening": ("SGD", "SGD", dict(lr=0.02, momentum=0.9, dampening=0.3)),
    "sgd_dampening_wd_maximize": ("SGD", "SGD", dict(lr=0.02, momentum=0.7, dampening=0.5, weight_decay=0.1,
                                                     maximize=True)),
    "sgd_nesterov_maximize": ("SGD", "SGD", dict(lr=0.02, momentum=0.8, nesterov=True, maximize=True)),
    "sgd_default_lr": ("SGD", "SGD", dict()),
    "adam_amsgrad": ("Adam", "Adam", dict(lr=0.05, amsgrad=True)),
    "adam_amsgrad_wd_maximize": ("Adam", "Adam", dict(lr=0.05, betas=(0.8, 0.95), weight_decay=0.2, amsgrad=True,
                                                      maximize=True)),
    "adam_maximize": ("Adam", "Adam", dict(lr=0.03, maximize=True)),
    "adamw_amsgrad": ("AdamW", "AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    "adamw_maximize": ("AdamW", "AdamW", dict(lr=0.05, maximize=True)),
    "rmsprop_centered": ("RMSProp", "RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    "rmsprop_momentum": ("RMSProp", "RMSprop", dict(lr=0.005, momentum=0.9)),
    "rmsprop_centered_momentum_wd": ("RMSProp", "RMSprop", dict(lr=0.005, alpha=0.95, momentum=0.8, centered=True,
                                                               weight_decay=0.1)),
    "rmsprop_maximize": ("RMSProp", "RMSprop", dict(lr=0.01, maximize=True)),
    "adagrad_lr_decay": ("Adagrad", "Adagrad", dict(lr=0.5, lr_decay=0.05)),
    "adagrad_initial_accumulator": ("Adagrad", "Adagrad", dict(lr=0.5, initial_accumulator_value=0.7)),
    "adagrad_all": ("Adagrad", "Adagrad", dict(lr=0.5, lr_decay=0.01, initial_accumulator_value=0.2,
                                               weight_decay=0.1, eps=1e-6, maximize=True)),
}


def gradients(arrays: list[np.ndarray], maximize: bool) -> list[np.ndarray]:
    """∇L for descent; ∇(−L) when maximizing, so that both climb −L, which is descending L (bounded)."""
    grads = numpy_gradients(*arrays)
    return [-g for g in grads] if maximize else grads


def pair(groups_tl, groups_torch, tl_name: str, torch_name: str, kwargs: dict):
    return getattr(tl.optim, tl_name)(groups_tl, **kwargs), getattr(torch.optim, torch_name)(groups_torch, **kwargs)


def step_both(opt, params, torch_opt, torch_params, maximize: bool, trained: int = 2) -> None:
    """One step of each optimizer, both fed the gradient at their own current point (for the first
    ``trained`` parameters; the others keep grad None and are skipped)."""
    for p, g in zip(params[:trained], gradients([p.cpu().numpy() for p in params], maximize)):
        p.grad = tl.tensor(g, dtype=tl.float64, device=p.device)
    opt.step()
    for p, g in zip(torch_params[:trained], gradients([p.detach().cpu().numpy() for p in torch_params], maximize)):
        p.grad = torch.from_numpy(g)
    torch_opt.step()


def assert_same(params, torch_params, what: str) -> None:
    for p, q in zip(params, torch_params):
        np.testing.assert_allclose(p.cpu().numpy(), q.detach().cpu().numpy(), rtol=RTOL, atol=0, err_msg=what)


def fresh(device):
    params = [tl.tensor(a, dtype=tl.float64, device=device, requires_grad=True) for a in start()]
    torch_params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in start()]
    return params, torch_params


@pytest.mark.parametrize("name", OPTIONS)
def test_option_trajectory_equals_torch(name, device):
    tl_name, torch_name, kwargs = OPTIONS[name]
    params, torch_params = fresh(device)
    opt, torch_opt = pair(params, torch_params, tl_name, torch_name, kwargs)
    for step in range(STEPS):
        step_both(opt, params, torch_opt, torch_params, kwargs.get("maximize", False))
        assert_same(params, torch_params, f"{name} step {step + 1}")


GROUPS = {
    "sgd": ("SGD", "SGD", dict(lr=0.02, momentum=0.9), dict(lr=0.005, weight_decay=0.2, dampening=0.1)),
    "adam": ("Adam", "Adam", dict(lr=0.05), dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    "adamw": ("AdamW", "AdamW", dict(lr=0.05), dict(lr=0.02, weight_decay=0.5, betas=(0.5, 0.9))),
    "rmsprop": ("RMSProp", "RMSprop", dict(lr=0.01), dict(lr=0.002, weight_decay=0.1, centered=True, momentum=0.5)),
    "adagrad": ("Adagrad", "Adagrad", dict(lr=0.5), dict(lr=0.1, weight_decay=0.2, lr_decay=0.1)),
}


@pytest.mark.parametrize("name", GROUPS)
def test_per_group_settings_equal_torch(name, device):
    tl_name, torch_name, defaults, own = GROUPS[name]
    (w, U), (tw, tU) = fresh(device)
    opt, torch_opt = pair([{"params": [w]}, {"params": [U], **own}], [{"params": [tw]}, {"params": [tU], **own}],
                          tl_name, torch_name, defaults)
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in torch_opt.param_groups]
    for step in range(STEPS):
        step_both(opt, [w, U], torch_opt, [tw, tU], False)
        assert_same([w, U], [tw, tU], f"{name} step {step + 1}")


@pytest.mark.parametrize("name", GROUPS)
def test_add_param_group_part_way_equals_torch(name, device):
    """Train w alone for 10 steps, then add U as a second group with its own settings (unfreezing a layer)."""
    tl_name, torch_name, defaults, own = GROUPS[name]
    (w, U), (tw, tU) = fresh(device)
    opt, torch_opt = pair([w], [tw], tl_name, torch_name, defaults)
    for step in range(STEPS):
        if step == 10:
            opt.add_param_group({"params": [U], **own})
            torch_opt.add_param_group({"params": [tU], **own})
            assert set(opt.param_groups[1]) - {"form"} == set(torch_opt.param_groups[1]) - {
                "foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay"}
        step_both(opt, [w, U], torch_opt, [tw, tU], False, trained=2 if step >= 10 else 1)
        assert_same([w, U], [tw, tU], f"{name} step {step + 1}")


def test_defaults_equal_torch():
    """The default of every hyper-parameter both share, read from the constructors' param_groups."""
    for tl_name, torch_name in [("SGD", "SGD"), ("Adam", "Adam"), ("AdamW", "AdamW"), ("RMSProp", "RMSprop"),
                                ("Adagrad", "Adagrad")]:
        ours = getattr(tl.optim, tl_name)([tl.zeros(1, requires_grad=True)]).defaults
        theirs = getattr(torch.optim, torch_name)([torch.zeros(1, requires_grad=True)]).defaults
        shared = set(ours) & set(theirs)
        assert set(ours) - shared <= {"form"}, tl_name
        for key in shared:
            assert ours[key] == theirs[key], f"{tl_name} {key}: {ours[key]!r} vs {theirs[key]!r}"
