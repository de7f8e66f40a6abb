"""The new losses, clip_grad_value_ and the schedulers OneCycleLR and ReduceLROnPlateau called the same way on
tinygrad_lite and on PyTorch: the same losses and gradients (float32 and float64, every option), the same
clipped gradients, and the same learning rates and momenta over a whole run."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite.optim import lr_scheduler as S

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = {"float32": (np.float32, 2e-6), "float64": (np.float64, 1e-12)}
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])


def both(loss, torch_loss, x, target, dtype, device, **options):
    """(our loss, our gradient) and PyTorch's, as float64 NumPy arrays, for ``loss(x, target, **options)``."""
    tl_options = {k: tl.tensor(v.astype(dtype), device=device) if isinstance(v, np.ndarray) else v
                  for k, v in options.items()}
    torch_options = {k: torch.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    tl_target = tl.tensor(target, device=device)
    torch_target = torch.tensor(target)
    a = tl.tensor(x.astype(dtype), device=device, requires_grad=True)
    ours = loss(a, tl_target, **tl_options)
    ours.sum().backward()
    b = torch.tensor(x.astype(dtype), requires_grad=True)
    theirs = torch_loss(b, torch_target, **torch_options)
    theirs.sum().backward()
    assert ours.dtype == np.dtype(dtype) and ours.shape == tuple(theirs.shape)
    return ((ours.cpu().numpy().astype(np.float64), a.grad.cpu().numpy().astype(np.float64)),
            (theirs.detach().cpu().numpy().astype(np.float64), b.grad.cpu().numpy().astype(np.float64)))


def assert_same(ours, theirs, tolerance):
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance)


rng = np.random.default_rng(0)
LOGITS = rng.standard_normal((6, 4)) * 2
LABELS = {"plain": np.array([0, 3, 2, 1, 1, 2]), "ignored": np.array([0, 3, -100, 1, -100, 2]),
          "ignored_class": np.array([0, 3, 2, 1, 1, 2])}
LOGITS_3D = rng.standard_normal((2, 4, 3, 2))
LABELS_3D = rng.integers(0, 4, (2, 3, 2))
LABELS_3D[1, 2, 0] = -100
PROBS = rng.dirichlet(np.ones(4), 6)
PROBS_3D = np.moveaxis(rng.dirichlet(np.ones(4), (2, 3, 2)), -1, 1)

LABEL_OPTIONS = [dict(), dict(weight=WEIGHT), dict(label_smoothing=0.15), dict(weight=WEIGHT, label_smoothing=0.4),
                 dict(label_smoothing=1.0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("labels", LABELS)
@pytest.mark.parametrize("options", LABEL_OPTIONS, ids=lambda o: "-".join(o) or "defaults")
def test_cross_entropy_and_nll_loss_with_labels(options, labels, reduction, dtype, device):
    np_dtype, tolerance = DTYPES[dtype]
    target = LABELS[labels]
    if labels == "ignored_class":
        options = {**options, "ignore_index": 2}
    ours, theirs = both(F.cross_entropy, TF.cross_entropy, LOGITS, target, np_dtype, device, reduction=reduction,
                        **options)
    assert_same(ours, theirs, tolerance)
    if "label_smoothing" not in options:
        log_probs = np.log(np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True))
        ours, theirs = both(F.nll_loss, TF.nll_loss, log_probs, target, np_dtype, device, reduction=reduction,
                            **options)
        assert_same(ours, theirs, tolerance)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", LABEL_OPTIONS, ids=lambda o: "-".join(o) or "defaults")
def test_cross_entropy_of_probabilities_and_of_spatial_scores(options, reduction, dtype, device):
    np_dtype, tolerance = DTYPES[dtype]
    for logits, target in [(LOGITS, PROBS), (LOGITS_3D, LABELS_3D), (LOGITS_3D, PROBS_3D),
                           (LOGITS[0], np.array(3)), (LOGITS[0], PROBS[0])]:
        target = target.astype(np_dtype) if target.dtype.kind == "f" else target
        ours, theirs = both(F.cross_entropy, TF.cross_entropy, logits, target, np_dtype, device, reduction=reduction,
                            **options)
        assert_same(ours, theirs, tolerance)
    if "label_smoothing" not in options:
        ours, theirs = both(F.nll_loss, TF.nll_loss, LOGITS_3D, LABELS_3D, np_dtype, device, reduction=reduction,
                            **options)
        assert_same(ours, theirs, tolerance)


def test_modules_match_pytorchs(device):
    criterion = tl.nn.CrossEntropyLoss(weight=tl.tensor(WEIGHT, device=device), ignore_index=1, label_smoothing=0.1)
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(WEIGHT), ignore_index=1, label_smoothing=0.1)
    x, target = tl.tensor(LOGITS, device=device), tl.tensor(LABELS["plain"], device=device)
    assert criterion(x, target).item() == pytest.approx(theirs(torch.tensor(LOGITS), torch.tensor(LABELS["plain"]))
                                                        .item(), rel=1e-12)
    nll = tl.nn.NLLLoss(weight=tl.tensor(WEIGHT, device=device), reduction="sum")
    assert nll(x, target).item() == pytest.approx(torch.nn.NLLLoss(weight=torch.tensor(WEIGHT), reduction="sum")(
        torch.tensor(LOGITS), torch.tensor(LABELS["plain"])).item(), rel=1e-12)
    for ours, pytorchs in [(tl.nn.L1Loss(), torch.nn.L1Loss()),
                           (tl.nn.SmoothL1Loss(beta=0.3), torch.nn.SmoothL1Loss(beta=0.3)),
                           (tl.nn.HuberLoss(delta=0.3), torch.nn.HuberLoss(delta=0.3))]:
        got = ours(tl.tensor(LOGITS, device=device), tl.tensor(PROBS, device=device)).item()
        assert got == pytest.approx(pytorchs(torch.tensor(LOGITS), torch.tensor(PROBS)).item(), rel=1e-12)


REGRESSION = [(F.l1_loss, TF.l1_loss, {}), (F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.0}),
              (F.smooth_l1_loss, TF.smooth_l1_loss, {}), (F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 2.5}),
              (F.huber_loss, TF.huber_loss, {}), (F.huber_loss, TF.huber_loss, {"delta": 0.25})]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss, torch_loss, options", REGRESSION,
                         ids=[f"{f.__name__}-{o}" for f, _, o in REGRESSION])
def test_regression_losses(loss, torch_loss, options, reduction, dtype, device):
    np_dtype, tolerance = DTYPES[dtype]
    prediction = rng.standard_normal((5, 3)) * 3
    target = prediction.copy()
    target[0] = rng.standard_normal(3) * 3
    target[1, 0] = prediction[1, 0]  # an error of exactly 0: the gradient there is 0 in both
    ours, theirs = both(loss, torch_loss, prediction, target.astype(np_dtype), np_dtype, device,
                        reduction=reduction, **options)
    assert_same(ours, theirs, tolerance)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_grad_value_matches_pytorch(dtype, device):
    np_dtype, _ = DTYPES[dtype]
    grads = [rng.standard_normal((3, 4)) * 2, rng.standard_normal(5)]
    ours = [tl.nn.Parameter(tl.zeros(*g.shape, dtype=np_dtype, device=device)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=getattr(torch, dtype), requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad = tl.tensor(g.astype(np_dtype), device=device)
        q.grad = torch.tensor(g.astype(np_dtype))
    tl.nn.utils.clip_grad_value_(ours, clip_value=0.7)
    torch.nn.utils.clip_grad_value_(theirs, clip_value=0.7)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.cpu().numpy(), q.grad.cpu().numpy())


# --- schedulers over a whole run ------------------------------------------------------------------


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group.get("momentum")


def run_both(make_ours, make_theirs, optimizer, steps, metrics=None, **optimizer_options):
    """The (lr, momentum) of every step of a run on both libraries, in the training loop's order."""
    w = tl.tensor([1.0, -2.0], dtype=tl.float64, requires_grad=True)
    q = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt = getattr(tl.optim, optimizer)([w], **optimizer_options)
    topt = getattr(torch.optim, optimizer)([q], **optimizer_options)
    ours, theirs = make_ours(opt), make_theirs(topt)
    seen, seen_torch = [], []
    for k in range(steps):
        seen.append((opt.param_groups[0]["lr"], momentum_of(opt.param_groups[0])))
        seen_torch.append((topt.param_groups[0]["lr"], momentum_of(topt.param_groups[0])))
        w.grad = tl.tensor([0.3, -0.1], dtype=tl.float64)
        q.grad = torch.tensor([0.3, -0.1], dtype=torch.float64)
        opt.step()
        topt.step()
        if metrics is None:
            ours.step()
            theirs.step()
        else:
            ours.step(metrics[k])
            theirs.step(metrics[k])
        if metrics is not None or k < steps - 1:  # after OneCycleLR's last step: see below
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-13)
    np.testing.assert_allclose(w.cpu().numpy(), q.detach().cpu().numpy(), rtol=1e-12)  # the same steps were taken
    return seen, seen_torch


ONE_CYCLE = [
    dict(max_lr=0.5, total_steps=40),
    dict(max_lr=0.5, total_steps=40, anneal_strategy="linear"),
    dict(max_lr=0.5, epochs=4, steps_per_epoch=9, three_phase=True),
    dict(max_lr=0.5, total_steps=33, three_phase=True, anneal_strategy="linear", pct_start=0.2),
    dict(max_lr=1.0, total_steps=25, pct_start=0.45, div_factor=10.0, final_div_factor=100.0, base_momentum=0.7,
         max_momentum=0.99),
    dict(max_lr=0.5, total_steps=20, cycle_momentum=False),
]


@pytest.mark.parametrize("optimizer, options", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1)),
                                                ("AdamW", dict(lr=0.1, betas=(0.9, 0.98)))])
@pytest.mark.parametrize("schedule", ONE_CYCLE, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()))
def test_one_cycle_rates_and_momenta_over_a_whole_run(schedule, optimizer, options):
    total = schedule.get("total_steps") or schedule["epochs"] * schedule["steps_per_epoch"]
    ours, theirs = run_both(lambda o: S.OneCycleLR(o, **schedule),
                            lambda o: torch.optim.lr_scheduler.OneCycleLR(o, **schedule), optimizer, total, **options)
    np.testing.assert_allclose(np.array(ours, dtype=float), np.array(theirs, dtype=float), rtol=1e-13, atol=0)


def test_one_cycle_after_the_last_step_rests_at_the_minimum_where_pytorch_runs_past_it():
    """The rate of state k = total_steps is never used by a step; PyTorch extrapolates the last phase there
    (below 0 with linear annealing), tinygrad_lite stays at the end of the curve. And the step after raises."""
    w, q = tl.tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    opt, topt = tl.optim.SGD([w], lr=0.1, momentum=0.9), torch.optim.SGD([q], lr=0.1, momentum=0.9)
    ours = S.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    theirs = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    for _ in range(10):
        opt.step(), topt.step()
        ours.step(), theirs.step()
    assert theirs.get_last_lr()[0] < 0 and ours.get_last_lr() == [pytest.approx(1.0 / 25 / 1e4, rel=1e-12)]
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        theirs.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 11 times"):
        ours.step()


PLATEAU = [
    dict(),
    dict(patience=3, factor=0.5, cooldown=2, min_lr=0.02),
    dict(mode="max", patience=1, factor=0.3),
    dict(mode="max", threshold_mode="abs", threshold=0.05, patience=2, cooldown=1, min_lr=0.001),
    dict(threshold_mode="abs", threshold=0.02, patience=0, factor=0.5, eps=0.1),
    dict(threshold=0.1, patience=2, cooldown=4, min_lr=[0.05]),
]


def plateau_metrics(mode):
    """A loss that falls, stalls (with noise), falls again and stalls for good; its negative for mode max."""
    noise = np.random.default_rng(1).standard_normal(100) * 0.01
    loss = np.r_[np.linspace(5, 1, 15), 1 + noise[:35], np.linspace(1, 0.5, 10), 0.5 + noise[35:75]]
    return list(-loss if mode == "max" else loss)


@pytest.mark.parametrize("optimizer, options", [("SGD", dict(lr=1.0)), ("Adam", dict(lr=1.0))])
@pytest.mark.parametrize("settings", PLATEAU, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()) or "defaults")
def test_reduce_on_plateau_over_a_whole_run(settings, optimizer, options):
    metrics = plateau_metrics(settings.get("mode", "min"))
    ours, theirs = run_both(lambda o: S.ReduceLROnPlateau(o, **settings),
                            lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **settings), optimizer,
                            len(metrics), metrics=metrics, **options)
    assert ours == theirs
    assert len({lr for lr, _ in ours}) > 2  # the run did reduce the rate, more than once
