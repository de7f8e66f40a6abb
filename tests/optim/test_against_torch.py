"""Optional cross-check with torch.optim (skipped when PyTorch is not installed): same hyper-parameters,
same trajectory; same schedules. The lecture's forms (Momentum, form="lecture") have no PyTorch twin."""

from __future__ import annotations

import numpy as np
import pytest
from optim_problem import compute_gradients, numpy_gradients, parameters, start

import tinygrad_lite as tl
from tinygrad_lite.optim import lr_scheduler as S

torch = pytest.importorskip("torch")

PAIRS = {
    "sgd": (lambda p: tl.optim.SGD(p, lr=0.04), lambda p: torch.optim.SGD(p, lr=0.04)),
    "sgd_nesterov_wd": (lambda p: tl.optim.SGD(p, lr=0.02, momentum=0.8, nesterov=True, weight_decay=0.1),
                        lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.8, nesterov=True, weight_decay=0.1)),
    "adagrad": (lambda p: tl.optim.Adagrad(p, lr=0.5), lambda p: torch.optim.Adagrad(p, lr=0.5)),
    "rmsprop": (lambda p: tl.optim.RMSProp(p, lr=0.01, alpha=0.9),
                lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9)),
    "adam": (lambda p: tl.optim.Adam(p, lr=0.05, weight_decay=0.2),
             lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.2)),
    "adamw": (lambda p: tl.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99)),
              lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99))),
}


@pytest.mark.parametrize("name", PAIRS)
def test_trajectory_equals_torch(name, device):
    make_tl, make_torch = PAIRS[name]
    params = parameters(device)
    opt = make_tl(params)
    torch_params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in start()]
    torch_opt = make_torch(torch_params)
    for step in range(50):
        compute_gradients(opt, params)
        opt.step()
        grads = numpy_gradients(*(p.detach().numpy() for p in torch_params))
        for p, g in zip(torch_params, grads):
            p.grad = torch.from_numpy(g)
        torch_opt.step()
        for p, q in zip(params, torch_params):
            np.testing.assert_allclose(p.cpu().numpy(), q.detach().numpy(), rtol=1e-12, atol=0,
                                       err_msg=f"{name} step {step + 1}")


SCHEDULES = {
    "lambda": (lambda o: S.LambdaLR(o, lambda k: 0.95 ** k),
               lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda k: 0.95 ** k)),
    "step": (lambda o: S.StepLR(o, step_size=4, gamma=0.3),
             lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.3)),
    "exponential": (lambda o: S.ExponentialLR(o, gamma=0.9),
                    lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    "cosine": (lambda o: S.CosineAnnealingLR(o, T_max=12, eta_min=0.01),
               lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.01)),
    # our warm-up is torch's LinearLR from 1/w to 1 over w − 1 scheduler steps
    "warmup": (lambda o: S.LinearWarmup(o, warmup_steps=5),
               lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 5, end_factor=1.0, total_iters=4)),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_equals_torch(name):
    make_tl, make_torch = SCHEDULES[name]
    opt = tl.optim.SGD([tl.tensor([1.0], requires_grad=True)], lr=0.5)
    torch_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    scheduler, torch_scheduler = make_tl(opt), make_torch(torch_opt)
    for _ in range(30):
        assert opt.lr == pytest.approx(torch_opt.param_groups[0]["lr"], rel=1e-9, abs=1e-15)
        assert scheduler.get_last_lr() == pytest.approx(torch_scheduler.get_last_lr(), rel=1e-9, abs=1e-15)
        opt.step()
        torch_opt.step()
        scheduler.step()
        torch_scheduler.step()
