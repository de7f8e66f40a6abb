"""Losses: cross-entropy (labels or probabilities), binary cross-entropy (probabilities or logits) and MSE.
Values against NumPy, first and second derivatives, stability at extreme logits, and clear errors."""

import numpy as np
import pytest
from helpers import OpCase, check_case

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F

LABELS = [0, 2, 1, 2]


def np_log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def np_reduce(losses, reduction):
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def np_ce_labels(x, reduction):
    return np_reduce(-np_log_softmax(x)[np.arange(len(LABELS)), LABELS], reduction)


def np_bce(p, t, reduction):
    return np_reduce(-(t * np.log(p) + (1 - t) * np.log(1 - p)), reduction)


def np_bce_logits(z, t, reduction):
    return np_bce(1 / (1 + np.exp(-z)), t, reduction)


def labels(like):
    return tl.tensor(LABELS, device=like.device)


def cases(reduction):
    return [
        OpCase(f"cross_entropy_labels_{reduction}", lambda x: F.cross_entropy(x, labels(x), reduction=reduction),
               lambda x: np_ce_labels(x, reduction), [(4, 3)]),
        OpCase(f"cross_entropy_one_example_{reduction}",
               lambda x: F.cross_entropy(x, tl.tensor(2, device=x.device), reduction=reduction),
               lambda x: np_reduce(-np_log_softmax(x)[2], reduction), [(3,)]),
        OpCase(f"nll_loss_{reduction}", lambda x: F.nll_loss(x, labels(x), reduction=reduction),
               lambda x: np_reduce(-x[np.arange(len(LABELS)), LABELS], reduction), [(4, 3)]),
        # the target is itself a softmax, so the derivative with respect to the target is checked too
        OpCase(f"cross_entropy_probabilities_{reduction}",
               lambda x, t: F.cross_entropy(x, F.softmax(t), reduction=reduction),
               lambda x, t: np_reduce(-(np.exp(np_log_softmax(t)) * np_log_softmax(x)).sum(-1), reduction),
               [(2, 3), (2, 3)]),
        OpCase(f"binary_cross_entropy_{reduction}", lambda p, t: F.binary_cross_entropy(p, t, reduction),
               lambda p, t: np_bce(p, t, reduction), [(5,), (5,)], domain=[(0.05, 0.95), (0.0, 1.0)]),
        OpCase(f"bce_with_logits_{reduction}",
               lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction),
               lambda z, t: np_bce_logits(z, t, reduction), [(2, 3), (2, 3)], domain=[(-4.0, 4.0), (0.0, 1.0)]),
        OpCase(f"mse_{reduction}", lambda y, t: F.mse_loss(y, t, reduction),
               lambda y, t: np_reduce((y - t) ** 2, reduction), [(3, 2), (3, 2)]),
    ]


@pytest.mark.parametrize("case", cases("mean") + cases("sum") + cases("none"), ids=str)
def test_op_case(case, device):
    check_case(case, device)


MODULE_CASES = [
    OpCase("CrossEntropyLoss", lambda x: nn.CrossEntropyLoss()(x, labels(x)),
           lambda x: np_ce_labels(x, "mean"), [(4, 3)]),
    OpCase("BCELoss", lambda p, t: nn.BCELoss(reduction="sum")(p, t), lambda p, t: np_bce(p, t, "sum"),
           [(4,), (4,)], domain=[(0.05, 0.95), (0.0, 1.0)]),
    OpCase("BCEWithLogitsLoss", lambda z, t: nn.BCEWithLogitsLoss()(z, t), lambda z, t: np_bce_logits(z, t, "mean"),
           [(4,), (4,)], domain=[(-3.0, 3.0), (0.0, 1.0)]),
    OpCase("MSELoss", lambda y, t: nn.MSELoss(reduction="none")(y, t), lambda y, t: (y - t) ** 2, [(4,), (4,)]),
]


@pytest.mark.parametrize("case", MODULE_CASES, ids=str)
def test_loss_module(case, device):
    check_case(case, device)


class TestCrossEntropy:
    def test_closed_form_gradient(self, device, rng):
        """F42: d CE / d logits = softmax(y) − ŷ (over N for the mean), to 1e-10."""
        x = tl.tensor(rng.standard_normal((4, 3)), device=device, requires_grad=True)
        F.cross_entropy(x, tl.tensor(LABELS, device=device)).backward()
        expected = (np.exp(np_log_softmax(x.cpu().numpy())) - np.eye(3)[LABELS]) / 4
        np.testing.assert_allclose(x.grad.cpu().numpy(), expected, atol=1e-12)

    def test_labels_equal_one_hot(self, device, rng):
        x = tl.tensor(rng.standard_normal((4, 3)), device=device)
        one_hot = tl.tensor(np.eye(3)[LABELS], device=device)
        np.testing.assert_allclose(F.cross_entropy(x, tl.tensor(LABELS, device=device)).item(),
                                   F.cross_entropy(x, one_hot).item(), rtol=1e-12)

    def test_is_negative_log_likelihood(self, device, rng):
        x = tl.tensor(rng.standard_normal((4, 3)), device=device)
        probs = F.softmax(x).cpu().numpy()
        likelihood = probs[np.arange(4), LABELS]
        np.testing.assert_allclose(F.cross_entropy(x, LABELS).item(), -np.log(likelihood).mean(), rtol=1e-12)

    def test_single_example(self, device):
        x = tl.tensor([3.0, 1.0, -3.0], dtype=tl.float64, device=device)
        np.testing.assert_allclose(F.cross_entropy(x, tl.tensor(0, device=device)).item(),
                                   -np_log_softmax(np.array([3.0, 1.0, -3.0]))[0], rtol=1e-12)

    @pytest.mark.parametrize("magnitude", [1e3, 1e4])
    def test_extreme_logits(self, device, magnitude):
        logits = np.array([[1.0, -1.0, 0.0], [-1.0, 1.0, 1.0]]) * magnitude
        x = tl.tensor(logits, device=device, requires_grad=True)  # float32
        loss = F.cross_entropy(x, tl.tensor([1, 0], device=device))
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(x.grad.cpu().numpy()).all()
        expected = 2 * magnitude + np.log(2) / 2  # rows: 2m and 2m + ln 2 (a tie between two logits)
        np.testing.assert_allclose(loss.item(), expected, rtol=1e-6)
        one_hot = tl.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], device=device)
        np.testing.assert_allclose(F.cross_entropy(x, one_hot).item(), expected, rtol=1e-6)

    def test_label_out_of_range(self, device):
        message = r"cross_entropy: label 3 is outside \[0, 3\) for logits of shape \(2, 3\)"
        with pytest.raises(IndexError, match=message):
            F.cross_entropy(tl.zeros(2, 3, device=device), tl.tensor([0, 3], device=device))
        with pytest.raises(IndexError, match=r"label -1 is outside"):
            F.cross_entropy(tl.zeros(2, 3, device=device), tl.tensor([-1, 0], device=device))

    def test_batch_size_mismatch(self, device):
        with pytest.raises(ValueError, match=r"cross_entropy: logits of shape \(4, 3\).*target of shape \(5,\)"):
            F.cross_entropy(tl.zeros(4, 3, device=device), tl.tensor([0, 1, 2, 0, 1], device=device))
        with pytest.raises(ValueError, match=r"cross_entropy: logits of shape \(4, 3\) and probability target"):
            F.cross_entropy(tl.zeros(4, 3, device=device), tl.zeros(4, 2, device=device))

    def test_bad_arguments(self, device):
        with pytest.raises(ValueError, match="cross_entropy: reduction must be one of"):
            F.cross_entropy(tl.zeros(2, 3, device=device), [0, 1], reduction="average")
        with pytest.raises(ValueError, match=r"cross_entropy: logits must have shape \(N, C\), \(C,\) or \(N, C, d1"):
            F.cross_entropy(tl.tensor(1.0, device=device), [0, 1])
        with pytest.raises(ValueError, match=r"logits of shape \(2, 3, 4\) need class labels of shape \(2, 4\)"):
            F.cross_entropy(tl.zeros(2, 3, 4, device=device), [0, 1])
        with pytest.raises(TypeError, match="cross_entropy: target must hold integer class labels"):
            F.cross_entropy(tl.zeros(2, 3, device=device), tl.tensor([True, False], device=device))


class TestBinaryCrossEntropy:
    def test_logits_form_equals_probability_form(self, device):
        """Where σ(z) is far enough from 1 for 1 − σ(z) to keep its digits, both formulas agree."""
        z = np.linspace(-15, 15, 121)
        t = np.linspace(0, 1, 121)
        logits = tl.tensor(z, dtype=tl.float64, device=device)
        target = tl.tensor(t, dtype=tl.float64, device=device)
        a = F.binary_cross_entropy_with_logits(logits, target, reduction="none").cpu().numpy()
        b = F.binary_cross_entropy(F.sigmoid(logits), target, reduction="none").cpu().numpy()
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)

    def test_two_class_cross_entropy(self, device):
        """F41: binary cross-entropy of z equals cross-entropy of the logits [z, 0]."""
        z = tl.tensor(np.linspace(-20, 20, 41), dtype=tl.float64, device=device)
        t = tl.tensor((np.arange(41) % 2).astype(np.float64), device=device)
        pair = tl.stack([z, tl.zeros_like(z)], axis=1)
        two_class = F.cross_entropy(pair, tl.stack([t, 1 - t], axis=1), reduction="none").cpu().numpy()
        binary = F.binary_cross_entropy_with_logits(z, t, reduction="none").cpu().numpy()
        assert np.abs(two_class - binary).max() < 1e-12

    def test_gradient_exact_at_zero(self, device):
        """A zero-initialised output layer gives z = 0 exactly; the gradient there is σ(0) − t."""
        z = tl.zeros(4, device=device, requires_grad=True)
        target = tl.tensor([0.0, 1.0, 0.25, 1.0], device=device)
        F.binary_cross_entropy_with_logits(z, target, reduction="sum").backward()
        np.testing.assert_array_equal(z.grad.cpu().numpy(), 0.5 - target.cpu().numpy())

    @pytest.mark.parametrize("dtype", [tl.float32, tl.float64])
    def test_extreme_logits(self, device, dtype):
        z = tl.tensor([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype, device=device, requires_grad=True)
        t = tl.tensor([0.0, 1.0, 1.0, 0.0, 1.0], dtype=dtype, device=device)
        losses = F.binary_cross_entropy_with_logits(z, t, reduction="none")
        losses.sum().backward()
        np.testing.assert_allclose(losses.cpu().numpy(), [1e4, 1e4, 0.0, 0.0, np.log(2)], rtol=1e-6)
        np.testing.assert_array_equal(z.grad.cpu().numpy(), [1.0, -1.0, 0.0, 0.0, -0.5])

    def test_probabilities_at_zero_and_one_stay_finite(self, device):
        """log is clamped at −100 as in PyTorch, and its gradient never becomes nan."""
        for dtype in (tl.float32, tl.float64):
            p = tl.tensor([0.0, 1.0, 0.0, 1.0, 1e-30], dtype=dtype, device=device, requires_grad=True)
            t = tl.tensor([1.0, 0.0, 0.0, 1.0, 0.0], dtype=dtype, device=device)
            losses = F.binary_cross_entropy(p, t, reduction="none")
            losses.sum().backward()
            np.testing.assert_allclose(losses.cpu().numpy()[:4], [100.0, 100.0, 0.0, 0.0])
            assert np.isfinite(p.grad.cpu().numpy()).all()

    def test_sigmoid_of_extreme_logits(self, device):
        z = tl.tensor([1e4, -1e4], device=device, requires_grad=True)
        loss = F.binary_cross_entropy(F.sigmoid(z), tl.tensor([0.0, 1.0], device=device))
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(z.grad.cpu().numpy()).all()

    def test_errors(self, device):
        with pytest.raises(ValueError, match=r"binary_cross_entropy: input of shape \(3,\) must hold probabilities"):
            F.binary_cross_entropy(tl.tensor([0.5, 1.5, 0.2], device=device), tl.zeros(3, device=device))
        with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: logits of shape \(3, 1\) and "
                                             r"target of shape \(3,\) differ"):
            F.binary_cross_entropy_with_logits(tl.zeros(3, 1, device=device), tl.zeros(3, device=device))
        with pytest.raises(ValueError, match=r"binary_cross_entropy: input of shape \(2,\) and target of shape \(3,\)"):
            F.binary_cross_entropy(tl.zeros(2, device=device), tl.zeros(3, device=device))


class TestMSE:
    def test_value(self, device):
        loss = F.mse_loss(tl.tensor([1.0, 2.0, 3.0], device=device), tl.tensor([1.0, 4.0, 0.0], device=device))
        assert loss.item() == pytest.approx((0 + 4 + 9) / 3)

    def test_shape_mismatch_raises_instead_of_broadcasting(self, device):
        with pytest.raises(ValueError, match=r"mse_loss: prediction of shape \(4, 1\) and target of shape \(4,\) "
                                             r"differ.*no broadcasting"):
            F.mse_loss(tl.zeros(4, 1, device=device), tl.zeros(4, device=device))

    def test_integer_target(self, device):
        assert F.mse_loss(tl.tensor([1.0, 2.0], device=device), tl.tensor([1, 4], device=device)).item() == 2.0

    def test_flat_where_cross_entropy_is_steep(self, device):
        """F43: at y = (−10, 10, −1000) with target class 0, MSE after softmax is flat, CE is not."""
        y = tl.tensor([[-10.0, 10.0, -1000.0]], dtype=tl.float64, device=device, requires_grad=True)
        target = tl.tensor([[1.0, 0.0, 0.0]], dtype=tl.float64, device=device)
        (mse_grad,) = tl.grad(F.mse_loss(F.softmax(y), target, reduction="sum"), y)
        (ce_grad,) = tl.grad(F.cross_entropy(y, target), y)
        assert np.linalg.norm(mse_grad.cpu().numpy()) < 1e-7
        assert np.linalg.norm(ce_grad.cpu().numpy()) == pytest.approx(np.sqrt(2), rel=1e-6)


def test_loss_module_rejects_bad_reduction():
    with pytest.raises(ValueError, match="MSELoss: reduction must be"):
        nn.MSELoss(reduction="avg")


def test_loss_module_repr():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss(reduction='mean')"
