"""BatchNorm1d/2d and LayerNorm: values against NumPy, the running statistics (PyTorch's momentum
convention, the unbiased variance, the cumulative average), train/eval modes, buffers, and clear errors."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F

EPS = 1e-5


def batches(rng, shape, count=4):
    return [rng.normal(loc=2.0, scale=3.0, size=shape) for _ in range(count)]


class TestBatchNorm:
    @pytest.mark.parametrize("layer, shape, axes", [
        (nn.BatchNorm1d, (6, 3), (0,)),
        (nn.BatchNorm1d, (4, 3, 5), (0, 2)),
        (nn.BatchNorm2d, (2, 3, 4, 5), (0, 2, 3)),
    ])
    def test_training_normalises_with_batch_statistics(self, layer, shape, axes, device, rng):
        bn = layer(3, dtype=tl.float64, device=device)
        x = rng.normal(size=shape) * 4 + 1
        y = bn(tl.tensor(x, device=device)).cpu().numpy()
        expected = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(y.mean(axis=axes), 0, atol=1e-12)
        np.testing.assert_allclose(y.var(axis=axes), 1, atol=1e-5)  # 1 − eps / var

    def test_running_statistics_follow_pytorchs_convention(self, device, rng):
        bn = nn.BatchNorm1d(2, momentum=0.3, dtype=tl.float64, device=device)
        mean, var = np.zeros(2), np.ones(2)
        for x in batches(rng, (5, 2)):
            bn(tl.tensor(x, device=device))
            mean = 0.7 * mean + 0.3 * x.mean(axis=0)
            var = 0.7 * var + 0.3 * x.var(axis=0, ddof=1)  # the unbiased variance
        np.testing.assert_allclose(bn.running_mean.cpu().numpy(), mean, rtol=1e-13)
        np.testing.assert_allclose(bn.running_var.cpu().numpy(), var, rtol=1e-13)
        assert bn.num_batches_tracked.item() == 4 and bn.num_batches_tracked.dtype == tl.int64

    def test_lecture_form_of_the_moving_average(self, device, rng):
        """The lecture's μ̄ ← p μ̄ + (1 − p) μ is momentum = 1 − p."""
        p = 0.9
        bn = nn.BatchNorm1d(3, momentum=1 - p, dtype=tl.float64, device=device)
        mu_bar = np.zeros(3)
        for x in batches(rng, (8, 3)):
            bn(tl.tensor(x, device=device))
            mu_bar = p * mu_bar + (1 - p) * x.mean(axis=0)
        np.testing.assert_allclose(bn.running_mean.cpu().numpy(), mu_bar, rtol=1e-13)

    def test_momentum_none_is_the_cumulative_average(self, device, rng):
        bn = nn.BatchNorm2d(2, momentum=None, dtype=tl.float64, device=device)
        xs = batches(rng, (3, 2, 2, 2), count=5)
        for x in xs:
            bn(tl.tensor(x, device=device))
        np.testing.assert_allclose(bn.running_mean.cpu().numpy(), np.mean([x.mean(axis=(0, 2, 3)) for x in xs], axis=0),
                                   rtol=1e-13)
        np.testing.assert_allclose(bn.running_var.cpu().numpy(),
                                   np.mean([x.var(axis=(0, 2, 3), ddof=1) for x in xs], axis=0), rtol=1e-13)

    def test_eval_uses_running_statistics(self, device, rng):
        bn = nn.BatchNorm1d(3, dtype=tl.float64, device=device)
        with tl.no_grad():
            bn.weight.data = tl.tensor([1.0, 2.0, -1.0], dtype=tl.float64, device=device).data
            bn.bias.data = tl.tensor([0.0, 0.5, 1.0], dtype=tl.float64, device=device).data
        for x in batches(rng, (6, 3)):
            bn(tl.tensor(x, device=device))
        bn.eval()
        before = bn.running_mean.cpu().numpy(), bn.running_var.cpu().numpy(), bn.num_batches_tracked.item()
        x = rng.normal(size=(1, 3))  # a batch of one is fine in eval mode
        y = bn(tl.tensor(x, device=device)).cpu().numpy()
        expected = (x - before[0]) / np.sqrt(before[1] + EPS) * [1.0, 2.0, -1.0] + [0.0, 0.5, 1.0]
        np.testing.assert_allclose(y, expected, rtol=1e-13)
        np.testing.assert_array_equal(bn.running_mean.cpu().numpy(), before[0])  # eval leaves the statistics alone
        assert bn.num_batches_tracked.item() == before[2]

    def test_gradients_flow_through_the_batch_statistics(self, device, rng):
        """Σ of a normalised channel is 0 whatever x is, so its gradient w.r.t. x is exactly 0 in training mode
        (and 1/σ per element in eval mode, where the statistics are constants)."""
        bn = nn.BatchNorm1d(2, affine=False, dtype=tl.float64, device=device)
        x = tl.tensor(rng.normal(size=(5, 2)), device=device, requires_grad=True)
        (grad,) = tl.grad(bn(x).sum(), x)
        np.testing.assert_allclose(grad.cpu().numpy(), 0, atol=1e-12)
        bn.eval()
        (grad,) = tl.grad(bn(x).sum(), x)
        np.testing.assert_allclose(grad.cpu().numpy(),
                                   np.broadcast_to(1 / np.sqrt(bn.running_var.cpu().numpy() + EPS), (5, 2)))

    def test_running_statistics_are_outside_the_graph(self, device, rng):
        bn = nn.BatchNorm1d(2, device=device)
        x = tl.tensor(rng.normal(size=(4, 2)).astype(np.float32), device=device, requires_grad=True)
        bn(x).sum().backward()
        for buffer in bn.buffers():
            assert buffer.grad_fn is None and not buffer.requires_grad
        assert bn.running_mean.dtype == tl.float32 and [p for p in bn.parameters()] == [bn.weight, bn.bias]

    def test_without_running_statistics(self, device, rng):
        bn = nn.BatchNorm1d(3, track_running_stats=False, device=device)
        assert bn.running_mean is None and bn.running_var is None and bn.num_batches_tracked is None
        assert list(bn.state_dict()) == ["weight", "bias"] and list(bn.buffers()) == []
        x = tl.tensor(rng.normal(size=(4, 3)), device=device)
        bn.eval()  # the batch's statistics, in eval mode too
        x_np = x.cpu().numpy()
        np.testing.assert_allclose(bn(x).cpu().numpy(), (x_np - x_np.mean(0)) / np.sqrt(x_np.var(0) + EPS),
                                   rtol=1e-5, atol=1e-6)

    def test_affine_false_and_bias_false(self, device):
        assert list(nn.BatchNorm1d(2, affine=False).state_dict()) == ["running_mean", "running_var",
                                                                       "num_batches_tracked"]
        bn = nn.BatchNorm1d(2, bias=False)
        assert bn.bias is None and [name for name, _ in bn.named_parameters()] == ["weight"]

    def test_defaults_and_repr(self, device):
        bn = nn.BatchNorm2d(4, device=device)
        assert (bn.eps, bn.momentum, bn.affine, bn.track_running_stats) == (1e-5, 0.1, True, True)
        np.testing.assert_array_equal(bn.weight.cpu().numpy(), np.ones(4))
        np.testing.assert_array_equal(bn.bias.cpu().numpy(), np.zeros(4))
        np.testing.assert_array_equal(bn.running_mean.cpu().numpy(), np.zeros(4))
        np.testing.assert_array_equal(bn.running_var.cpu().numpy(), np.ones(4))
        assert bn.num_batches_tracked.item() == 0 and bn.running_var.device == device
        assert repr(bn) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"

    def test_reset(self, device, rng):
        bn = nn.BatchNorm1d(2, device=device)
        bn(tl.tensor(rng.normal(size=(3, 2)), dtype=tl.float32, device=device))
        with tl.no_grad():
            bn.weight.data = bn.weight.data * 3
        bn.reset_parameters()
        np.testing.assert_array_equal(bn.running_mean.cpu().numpy(), 0)
        np.testing.assert_array_equal(bn.running_var.cpu().numpy(), 1)
        np.testing.assert_array_equal(bn.weight.cpu().numpy(), 1)
        assert bn.num_batches_tracked.item() == 0

    def test_to_casts_float_buffers_only(self, device):
        bn = nn.BatchNorm1d(2).to(device).double()
        assert bn.running_mean.dtype == tl.float64 and bn.running_var.device == device
        assert bn.num_batches_tracked.dtype == tl.int64 and bn.num_batches_tracked.device == device

    def test_state_dict_round_trip(self, device, rng, tmp_path):
        bn = nn.BatchNorm1d(3, device=device)
        for x in batches(rng, (4, 3)):
            bn(tl.tensor(x, dtype=tl.float32, device=device))
        tl.save(bn.state_dict(), tmp_path / "bn.npz")
        fresh = nn.BatchNorm1d(3, device=device)
        fresh.load_state_dict(tl.load(tmp_path / "bn.npz"))
        np.testing.assert_array_equal(fresh.running_var.cpu().numpy(), bn.running_var.cpu().numpy())
        assert fresh.num_batches_tracked.item() == 4 and fresh.num_batches_tracked.dtype == tl.int64
        x = tl.tensor(rng.normal(size=(2, 3)), dtype=tl.float32, device=device)
        np.testing.assert_array_equal(fresh.eval()(x).cpu().numpy(), bn.eval()(x).cpu().numpy())

    def test_errors(self, device):
        with pytest.raises(ValueError, match=r"BatchNorm1d: expected more than 1 value per channel when training, "
                                             r"got input of shape \(1, 3\)"):
            nn.BatchNorm1d(3, device=device)(tl.zeros(1, 3, device=device))
        bn = nn.BatchNorm2d(3, device=device)
        with pytest.raises(ValueError, match="expected more than 1 value per channel"):
            bn(tl.zeros(1, 3, 1, 1, device=device))
        assert bn.num_batches_tracked.item() == 0  # a refused batch is not counted
        bn(tl.zeros(1, 3, 2, 1, device=device))  # one example, but two values per channel: fine
        with pytest.raises(ValueError, match=r"BatchNorm1d: expected 3 channels \(num_features\) along axis 1, "
                                             r"got an input of shape \(4, 2\)"):
            nn.BatchNorm1d(3, device=device)(tl.zeros(4, 2, device=device))
        with pytest.raises(ValueError, match=r"BatchNorm2d: expected an input of shape \(N, C, H, W\), got \(4, 3\)"):
            bn(tl.zeros(4, 3, device=device))
        with pytest.raises(ValueError, match=r"BatchNorm1d: expected an input of shape \(N, C\) or \(N, C, L\), "
                                             r"got \(2, 3, 4, 4\)"):
            nn.BatchNorm1d(3)(tl.zeros(2, 3, 4, 4))
        with pytest.raises(ValueError, match="BatchNorm1d: invalid num_features 0"):
            nn.BatchNorm1d(0)
        with pytest.raises(TypeError, match="BatchNorm1d: momentum must be a number or None"):
            nn.BatchNorm1d(2, momentum="fast")


class TestFunctionalBatchNorm:
    def test_updates_the_given_running_statistics(self, device, rng):
        x = rng.normal(size=(6, 2, 3))
        mean = tl.zeros(2, dtype=tl.float64, device=device)
        var = tl.ones(2, dtype=tl.float64, device=device)
        F.batch_norm(tl.tensor(x, device=device), mean, var, training=True, momentum=0.5)
        np.testing.assert_allclose(mean.cpu().numpy(), 0.5 * x.mean(axis=(0, 2)), rtol=1e-13)
        np.testing.assert_allclose(var.cpu().numpy(), 0.5 + 0.5 * x.var(axis=(0, 2), ddof=1), rtol=1e-13)

    def test_eval_is_an_affine_map(self, device):
        x = tl.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
        y = F.batch_norm(x, tl.tensor([1.0, 2.0], device=device), tl.tensor([4.0, 1.0], device=device),
                         tl.tensor([2.0, 1.0], device=device), tl.tensor([0.0, 1.0], device=device), eps=0.0)
        np.testing.assert_allclose(y.cpu().numpy(), [[0.0, 1.0], [2.0, 3.0]])

    def test_errors(self, device):
        x = tl.zeros(4, 3, device=device)
        with pytest.raises(ValueError, match="batch_norm: running_mean and running_var are needed when training=False"):
            F.batch_norm(x, None, None)
        with pytest.raises(ValueError, match=r"batch_norm: weight of shape \(2,\) does not match the 3 channels"):
            F.batch_norm(x, None, None, weight=tl.ones(2, device=device), training=True)
        with pytest.raises(ValueError, match=r"batch_norm: expected an input of shape \(N, C\) or \(N, C, \*\)"):
            F.batch_norm(tl.zeros(3, device=device), None, None, training=True)


class TestLayerNorm:
    def test_values_and_independence_from_the_batch(self, device, rng):
        ln = nn.LayerNorm((2, 3), dtype=tl.float64, device=device)
        x = rng.normal(size=(4, 2, 3)) * 5
        y = ln(tl.tensor(x, device=device)).cpu().numpy()
        expected = (x - x.mean(axis=(1, 2), keepdims=True)) / np.sqrt(x.var(axis=(1, 2), keepdims=True) + EPS)
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ln(tl.tensor(x[:1], device=device)).cpu().numpy(), y[:1], rtol=1e-14)
        assert ln.eval()(tl.tensor(x, device=device)).cpu().numpy().tolist() == y.tolist()

    def test_parameters(self, device):
        ln = nn.LayerNorm(5, device=device)
        assert ln.normalized_shape == (5,) and ln.weight.shape == (5,) and list(ln.state_dict()) == ["weight", "bias"]
        np.testing.assert_array_equal(ln.weight.cpu().numpy(), 1)
        np.testing.assert_array_equal(ln.bias.cpu().numpy(), 0)
        assert nn.LayerNorm(5, bias=False).bias is None
        ln = nn.LayerNorm([2, 2], elementwise_affine=False)
        assert ln.weight is None and ln.bias is None and list(ln.parameters()) == []

    def test_errors(self, device):
        with pytest.raises(ValueError, match=r"layer_norm: normalized_shape \(4,\) must equal the last axes of the "
                                             r"input, got input of shape \(2, 3\)"):
            nn.LayerNorm(4, device=device)(tl.zeros(2, 3, device=device))
        with pytest.raises(ValueError, match=r"layer_norm: weight of shape \(3,\) does not match normalized_shape"):
            F.layer_norm(tl.zeros(2, 4, device=device), 4, weight=tl.ones(3, device=device))
        with pytest.raises(ValueError, match="LayerNorm: normalized_shape must be a positive int"):
            nn.LayerNorm(0)
        with pytest.raises(ValueError, match=r"layer_norm: normalized_shape \(2, 3\) must equal"):
            F.layer_norm(tl.zeros(3, device=device), (2, 3))
