"""PyTorch's loss options: class weights, ignore_index and label smoothing for cross_entropy and nll_loss (also
on (N, C, d1, ...) scores), and the regression losses l1_loss, smooth_l1_loss and huber_loss. Values against
NumPy transcriptions of PyTorch's formulas, first and second derivatives in float64, and the behaviour around
them (the fast path, ignored rows, the weight buffer)."""

import numpy as np
import pytest
from helpers import OpCase, check_case

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F

LABELS = np.array([0, 2, 1, 2])
IGNORED = np.array([0, -100, 1, 2])  # the second row is padding
WEIGHT = np.array([0.5, 2.0, 1.5])


def np_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def as_rows(x):
    """(N, C, d1, ...) as (N · d1 ⋯, C); (C,) as (1, C)."""
    return x[None] if x.ndim == 1 else np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def np_nll(log_probs, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """PyTorch's nll_loss, and with label_smoothing its cross_entropy_loss_label_smoothing, on log-probabilities."""
    lp, t = as_rows(log_probs), np.reshape(target, -1)
    w = np.ones(lp.shape[1]) if weight is None else weight
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    row_weights = w[safe] * keep
    nll = -row_weights * lp[np.arange(len(t)), safe]
    uniform = -(lp * w).sum(axis=1) * keep
    if reduction == "mean":
        nll, uniform = nll.sum() / row_weights.sum(), uniform.sum() / row_weights.sum()
    elif reduction == "sum":
        nll, uniform = nll.sum(), uniform.sum()
    else:
        nll, uniform = nll.reshape(np.shape(target)), uniform.reshape(np.shape(target))
    return (1 - label_smoothing) * nll + label_smoothing / lp.shape[1] * uniform


def np_ce(logits, target, **options):
    return np_nll(np_log_softmax(logits, axis=0 if logits.ndim == 1 else 1), target, **options)


def np_ce_probabilities(logits, probs, weight=None, reduction="mean", label_smoothing=0.0):
    classes = logits.shape[0 if logits.ndim == 1 else 1]
    p = as_rows(probs) * (1 - label_smoothing) + label_smoothing / classes
    w = np.ones(classes) if weight is None else weight
    losses = -(p * as_rows(np_log_softmax(logits, axis=0 if logits.ndim == 1 else 1)) * w).sum(axis=1)
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses.reshape(logits.shape[:1] + logits.shape[2:] if logits.ndim > 1 else ())


def np_reduce(losses, reduction):
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def np_smooth_l1(y, t, beta):
    d = np.abs(y - t)
    return np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta) if beta else d


def np_huber(y, t, delta):
    d = np.abs(y - t)
    return np.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta))


def const(array, like):
    return tl.tensor(array, device=like.device)


def away_from(*points):
    """Kink predicate for the regression losses: some |y − t| within 1e-3 of one of ``points``."""
    def kink(y, t):
        d = np.abs(y - t)
        return any(bool(np.any(np.abs(d - p) < 1e-3)) for p in points)
    return kink


LABELS_3D = np.array([[0, 2], [1, -100]])  # (N, d1) = (2, 2) labels of (2, 3, 2) scores, one of them ignored


def option_cases(reduction):
    r = reduction
    return [
        OpCase(f"cross_entropy_weight_{r}",
               lambda x: F.cross_entropy(x, const(LABELS, x), weight=const(WEIGHT, x), reduction=r),
               lambda x: np_ce(x, LABELS, weight=WEIGHT, reduction=r), [(4, 3)]),
        OpCase(f"cross_entropy_ignore_index_{r}", lambda x: F.cross_entropy(x, const(IGNORED, x), reduction=r),
               lambda x: np_ce(x, IGNORED, reduction=r), [(4, 3)]),
        OpCase(f"cross_entropy_ignore_a_valid_class_{r}",
               lambda x: F.cross_entropy(x, const(LABELS, x), ignore_index=2, reduction=r),
               lambda x: np_ce(x, LABELS, ignore_index=2, reduction=r), [(4, 3)]),
        OpCase(f"cross_entropy_label_smoothing_{r}",
               lambda x: F.cross_entropy(x, const(LABELS, x), reduction=r, label_smoothing=0.2),
               lambda x: np_ce(x, LABELS, reduction=r, label_smoothing=0.2), [(4, 3)]),
        OpCase(f"cross_entropy_all_options_{r}",
               lambda x: F.cross_entropy(x, const(IGNORED, x), weight=const(WEIGHT, x), reduction=r,
                                         label_smoothing=0.3),
               lambda x: np_ce(x, IGNORED, weight=WEIGHT, reduction=r, label_smoothing=0.3), [(4, 3)]),
        OpCase(f"cross_entropy_one_example_options_{r}",
               lambda x: F.cross_entropy(x, const(1, x), weight=const(WEIGHT, x), reduction=r, label_smoothing=0.1),
               lambda x: np_ce(x, np.array(1), weight=WEIGHT, reduction=r, label_smoothing=0.1), [(3,)]),
        OpCase(f"cross_entropy_3d_labels_{r}",
               lambda x: F.cross_entropy(x, const(LABELS_3D, x), weight=const(WEIGHT, x), reduction=r,
                                         label_smoothing=0.1),
               lambda x: np_ce(x, LABELS_3D, weight=WEIGHT, reduction=r, label_smoothing=0.1), [(2, 3, 2)]),
        OpCase(f"cross_entropy_3d_labels_plain_{r}", lambda x: F.cross_entropy(x, const(LABELS_3D.clip(0), x),
                                                                                reduction=r),
               lambda x: np_ce(x, LABELS_3D.clip(0), reduction=r), [(2, 3, 2)]),
        # the target is itself a softmax, so the derivative with respect to the target is checked too
        OpCase(f"cross_entropy_probabilities_weight_smoothing_{r}",
               lambda x, t: F.cross_entropy(x, F.softmax(t), weight=const(WEIGHT, x), reduction=r,
                                            label_smoothing=0.25),
               lambda x, t: np_ce_probabilities(x, np.exp(np_log_softmax(t)), WEIGHT, r, 0.25), [(2, 3), (2, 3)]),
        OpCase(f"cross_entropy_probabilities_3d_{r}",
               lambda x, t: F.cross_entropy(x, F.softmax(t, dim=1), reduction=r, label_smoothing=0.1),
               lambda x, t: np_ce_probabilities(x, np.exp(np_log_softmax(t, axis=1)), None, r, 0.1),
               [(2, 3, 2), (2, 3, 2)]),
        OpCase(f"nll_loss_weight_ignore_{r}",
               lambda x: F.nll_loss(x, const(IGNORED, x), weight=const(WEIGHT, x), reduction=r),
               lambda x: np_nll(x, IGNORED, weight=WEIGHT, reduction=r), [(4, 3)]),
        OpCase(f"nll_loss_3d_{r}", lambda x: F.nll_loss(x, const(LABELS_3D, x), reduction=r),
               lambda x: np_nll(x, LABELS_3D, reduction=r), [(2, 3, 2)]),
        OpCase(f"l1_loss_{r}", lambda y, t: F.l1_loss(y, t, reduction=r),
               lambda y, t: np_reduce(np.abs(y - t), r), [(3, 2), (3, 2)], kink=away_from(0.0)),
        OpCase(f"smooth_l1_loss_{r}", lambda y, t: F.smooth_l1_loss(y, t, reduction=r, beta=0.8),
               lambda y, t: np_reduce(np_smooth_l1(y, t, 0.8), r), [(3, 4), (3, 4)], kink=away_from(0.8)),
        OpCase(f"smooth_l1_loss_beta0_{r}", lambda y, t: F.smooth_l1_loss(y, t, reduction=r, beta=0.0),
               lambda y, t: np_reduce(np.abs(y - t), r), [(5,), (5,)], kink=away_from(0.0)),
        OpCase(f"huber_loss_{r}", lambda y, t: F.huber_loss(y, t, reduction=r, delta=0.7),
               lambda y, t: np_reduce(np_huber(y, t, 0.7), r), [(3, 4), (3, 4)], kink=away_from(0.7)),
    ]


@pytest.mark.parametrize("case", option_cases("mean") + option_cases("sum") + option_cases("none"), ids=str)
def test_op_case(case, device):
    check_case(case, device)


MODULE_CASES = [
    OpCase("CrossEntropyLoss_options",
           lambda x: nn.CrossEntropyLoss(weight=const(WEIGHT, x), ignore_index=-1, label_smoothing=0.2)(
               x, const(np.array([2, -1, 0, 1]), x)),
           lambda x: np_ce(x, np.array([2, -1, 0, 1]), weight=WEIGHT, ignore_index=-1, label_smoothing=0.2),
           [(4, 3)]),
    OpCase("NLLLoss", lambda x: nn.NLLLoss(weight=const(WEIGHT, x), reduction="sum")(x, const(IGNORED, x)),
           lambda x: np_nll(x, IGNORED, weight=WEIGHT, reduction="sum"), [(4, 3)]),
    OpCase("L1Loss", lambda y, t: nn.L1Loss()(y, t), lambda y, t: np.abs(y - t).mean(), [(4,), (4,)],
           kink=away_from(0.0)),
    OpCase("SmoothL1Loss", lambda y, t: nn.SmoothL1Loss(beta=0.5)(y, t), lambda y, t: np_smooth_l1(y, t, 0.5).mean(),
           [(6,), (6,)], kink=away_from(0.5)),
    OpCase("HuberLoss", lambda y, t: nn.HuberLoss(reduction="none", delta=1.5)(y, t), lambda y, t: np_huber(y, t, 1.5),
           [(6,), (6,)], domain=(-3.0, 3.0), kink=away_from(1.5)),
]


@pytest.mark.parametrize("case", MODULE_CASES, ids=str)
def test_loss_module(case, device):
    check_case(case, device)


class TestCrossEntropyOptions:
    def test_the_default_call_is_one_fused_op(self, device):
        """Integer labels without options take the fast path: one CrossEntropy op on the logits, whose
        backward (without create_graph) records nothing and returns softmax − one-hot."""
        x = tl.randn(4, 3, device=device, requires_grad=True)
        loss = F.cross_entropy(x, const(LABELS, x))
        assert type(loss.grad_fn).__name__ == "CrossEntropy" and loss.grad_fn.inputs == (x,)
        (g,) = tl.grad(loss, x)
        assert g.grad_fn is None and not g.requires_grad
        softmax = np.exp(x.detach().cpu().numpy()) / np.exp(x.detach().cpu().numpy()).sum(1, keepdims=True)
        np.testing.assert_allclose(g.cpu().numpy(), (softmax - np.eye(3)[LABELS]) / 4, rtol=1e-5, atol=1e-7)
        one = F.cross_entropy(x[1], const(LABELS[1], x))  # one example of shape (C,): a batch of one, the same op
        assert one.shape == () and type(one.grad_fn).__name__ == "CrossEntropy"

    @pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
    def test_fused_op_equals_the_composed_ops_to_second_order(self, device, rng, reduction):
        """The fused op against nll_loss(log_softmax(x)): loss, gradient, gradient with create_graph, the
        double backward of a weighted gradient, and the Hessian of tl.hessian."""
        x0 = rng.standard_normal((4, 3)) * 3
        labels = const(LABELS, tl.tensor(x0, device=device))
        fused = lambda x: F.cross_entropy(x, labels, reduction=reduction)  # noqa: E731
        composed = lambda x: F.nll_loss(F.log_softmax(x, dim=1), labels, reduction=reduction)  # noqa: E731
        u = tl.tensor(rng.standard_normal(4 if reduction == "none" else ()), dtype=tl.float64, device=device)
        v = tl.tensor(rng.standard_normal((4, 3)), dtype=tl.float64, device=device)
        results = []
        for loss_of in (fused, composed):
            x = tl.tensor(x0, dtype=tl.float64, device=device, requires_grad=True)
            loss = loss_of(x)
            (plain,) = tl.grad(loss, x, grad_outputs=u)
            (g,) = tl.grad(loss_of(x), x, grad_outputs=u, create_graph=True)
            (gg,) = tl.grad((g * v).sum(), x)
            H = tl.hessian(lambda x, loss_of=loss_of: (loss_of(x) * u).sum(), x.detach())
            results.append([t.cpu().numpy() for t in (loss.detach(), plain, g.detach(), gg, H)])
        for got, want in zip(*results):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        assert np.abs(results[0][3]).max() > 1e-3  # the second derivative is not trivially zero

    def test_weighted_mean_divides_by_the_weights_of_the_labels(self, device):
        log_probs = tl.tensor([[-0.1, -2.5], [-1.5, -0.3], [-0.7, -0.7]], dtype=tl.float64, device=device)
        loss = F.nll_loss(log_probs, const([0, 1, 1], log_probs), weight=const([1.0, 3.0], log_probs))
        assert loss.item() == pytest.approx((0.1 + 3 * 0.3 + 3 * 0.7) / 7, rel=1e-12)

    def test_ignored_rows_lose_nothing_and_get_no_gradient(self, device, rng):
        x = tl.tensor(rng.standard_normal((4, 3)), device=device, requires_grad=True)
        F.cross_entropy(x, const(IGNORED, x), label_smoothing=0.1).backward()
        assert not x.grad.cpu().numpy()[1].any()
        kept = tl.tensor(x.cpu().numpy()[[0, 2, 3]], device=device)
        expected = F.cross_entropy(kept, const(IGNORED[[0, 2, 3]], x), label_smoothing=0.1).item()
        assert F.cross_entropy(x, const(IGNORED, x), label_smoothing=0.1).item() == pytest.approx(expected, rel=1e-6)

    def test_every_row_ignored_is_nan_as_in_pytorch(self, device):
        x = tl.zeros(2, 3, device=device, requires_grad=True)
        with np.errstate(invalid="ignore"):
            loss = F.cross_entropy(x, const([-100, -100], x))
        assert np.isnan(loss.item())
        assert F.cross_entropy(x, const([-100, -100], x), reduction="sum").item() == 0.0

    def test_ignored_rows_of_minus_infinity_stay_finite(self, device):
        """An ignored row may hold log(0) = −inf (masked-out positions): it must not turn the loss into nan."""
        log_probs = tl.tensor([[-np.inf, 0.0], [-0.5, -1.0]], device=device, requires_grad=True)
        loss = F.nll_loss(log_probs, const([-100, 0], log_probs), weight=const([1.0, 1.0], log_probs))
        loss.backward()
        assert loss.item() == pytest.approx(0.5)
        np.testing.assert_array_equal(log_probs.grad.cpu().numpy(), [[0.0, 0.0], [-1.0, 0.0]])

    def test_full_smoothing_is_the_uniform_target(self, device, rng):
        x = tl.tensor(rng.standard_normal((4, 3)), device=device)
        uniform = tl.full((4, 3), 1 / 3, device=device)
        np.testing.assert_allclose(F.cross_entropy(x, const(LABELS, x), label_smoothing=1.0).item(),
                                   F.cross_entropy(x, uniform).item(), rtol=1e-6)

    def test_spatial_scores_equal_the_rows_they_hold(self, device, rng):
        """(N, C, d) logits with (N, d) labels are the N · d rows of C classes, as in PyTorch."""
        x = rng.standard_normal((2, 3, 4))
        labels = rng.integers(0, 3, (2, 4))
        rows = np.moveaxis(x, 1, -1).reshape(-1, 3)
        scores, row_scores = tl.tensor(x, device=device), tl.tensor(rows, device=device)
        spatial = F.cross_entropy(scores, const(labels, scores), reduction="none")
        flat = F.cross_entropy(row_scores, const(labels.reshape(-1), scores), reduction="none")
        assert spatial.shape == (2, 4)
        np.testing.assert_allclose(spatial.cpu().numpy().reshape(-1), flat.cpu().numpy(), rtol=1e-6)

    def test_float32_stays_float32(self, device):
        x = tl.zeros(2, 3, device=device, requires_grad=True)
        loss = F.cross_entropy(x, const([0, -100], x), weight=tl.tensor([1.0, 2.0, 3.0], dtype=tl.float64,
                                                                          device=device), label_smoothing=0.1)
        loss.backward()
        assert loss.dtype == tl.float32 and x.grad.dtype == tl.float32

    def test_weight_as_a_list_and_reduction_passed_by_position_is_refused(self, device):
        x = tl.zeros(2, 3, device=device)
        assert F.cross_entropy(x, [0, 1], weight=[1.0, 1.0, 1.0]).item() == pytest.approx(np.log(3), rel=1e-6)
        with pytest.raises(TypeError, match=r"cross_entropy: weight must be a tensor .* got 'sum' \(pass the "
                                            r"reduction by name"):
            F.cross_entropy(x, [0, 1], "sum")


class TestLossModules:
    def test_weight_is_a_buffer_saved_and_moved(self, device):
        criterion = nn.CrossEntropyLoss(weight=tl.tensor([1.0, 2.0]), label_smoothing=0.1).to(device)
        assert criterion.weight.device == device
        assert list(criterion.state_dict()) == ["weight"]
        assert repr(criterion) == "CrossEntropyLoss(reduction='mean', weight of shape (2,), label_smoothing=0.1)"
        assert repr(nn.NLLLoss(ignore_index=0)) == "NLLLoss(reduction='mean', ignore_index=0)"
        assert repr(nn.HuberLoss(delta=2)) == "HuberLoss(reduction='mean', delta=2.0)"

    def test_defaults_are_pytorchs(self):
        ce, nll = nn.CrossEntropyLoss(), nn.NLLLoss()
        assert (ce.weight, ce.ignore_index, ce.reduction, ce.label_smoothing) == (None, -100, "mean", 0.0)
        assert (nll.weight, nll.ignore_index, nll.reduction) == (None, -100, "mean")
        assert nn.SmoothL1Loss().beta == 1.0 and nn.HuberLoss().delta == 1.0 and nn.L1Loss().reduction == "mean"

    @pytest.mark.parametrize("make, error, message", [
        (lambda: nn.CrossEntropyLoss(label_smoothing=1.5), ValueError,
         r"CrossEntropyLoss: label_smoothing must be a number in \[0, 1\], got 1.5"),
        (lambda: nn.CrossEntropyLoss(weight=tl.ones(2, 2)), TypeError,
         r"CrossEntropyLoss: weight must be a 1-D tensor of one weight per class, got shape \(2, 2\)"),
        (lambda: nn.NLLLoss(ignore_index=0.5), TypeError, r"NLLLoss: ignore_index must be an integer class label"),
        (lambda: nn.SmoothL1Loss(beta=-1.0), ValueError, r"SmoothL1Loss: beta must be a finite number >= 0"),
        (lambda: nn.HuberLoss(delta=0.0), ValueError, r"HuberLoss: delta must be a finite number > 0, got 0.0"),
        (lambda: nn.L1Loss(reduction="avg"), ValueError, r"L1Loss: reduction must be"),
    ])
    def test_bad_options_are_refused_when_made(self, make, error, message):
        with pytest.raises(error, match=message):
            make()


class TestRegressionLosses:
    def test_pieces_meet_at_beta_and_delta(self, device):
        y = tl.tensor([0.5, 1.0, 3.0, -3.0], dtype=tl.float64, device=device)
        zero = tl.zeros(4, dtype=tl.float64, device=device)
        np.testing.assert_allclose(F.smooth_l1_loss(y, zero, reduction="none").cpu().numpy(), [0.125, 0.5, 2.5, 2.5])
        np.testing.assert_allclose(F.huber_loss(y, zero, reduction="none", delta=2.0).cpu().numpy(),
                                   [0.125, 0.5, 4.0, 4.0])
        np.testing.assert_allclose(F.huber_loss(y, zero, delta=2.0).cpu().numpy(),
                                   2.0 * F.smooth_l1_loss(y, zero, beta=2.0).cpu().numpy())

    def test_gradients_at_zero_error_are_zero(self, device):
        y = tl.tensor([1.0, 2.0], device=device, requires_grad=True)
        for loss in (F.l1_loss, F.smooth_l1_loss, F.huber_loss):
            y.grad = None
            loss(y, tl.tensor([1.0, 2.0], device=device)).backward()
            np.testing.assert_array_equal(y.grad.cpu().numpy(), [0.0, 0.0])

    def test_outliers_pull_with_a_bounded_gradient(self, device):
        """Far from the target the gradient is ±1 (smooth L1) or ±δ (Huber), where MSE's grows with the error."""
        y = tl.tensor([100.0, -50.0], dtype=tl.float64, device=device, requires_grad=True)
        target = tl.zeros(2, dtype=tl.float64, device=device)
        (smooth,) = tl.grad(F.smooth_l1_loss(y, target, reduction="sum"), y)
        (huber,) = tl.grad(F.huber_loss(y, target, reduction="sum", delta=0.5), y)
        np.testing.assert_array_equal(smooth.cpu().numpy(), [1.0, -1.0])
        np.testing.assert_array_equal(huber.cpu().numpy(), [0.5, -0.5])

    def test_shapes_must_match(self, device):
        with pytest.raises(ValueError, match=r"huber_loss: input of shape \(4, 1\) and target of shape \(4,\) differ"):
            F.huber_loss(tl.zeros(4, 1, device=device), tl.zeros(4, device=device))
