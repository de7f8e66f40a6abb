"""Layers: values against NumPy references, first and second derivatives through the op-test harness,
PyTorch's default initialisation, and clear errors for inputs of the wrong shape."""

import math

import numpy as np
import pytest
from helpers import OpCase, check_case

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F


def np_conv2d(x, w, b, stride=(1, 1), padding=(0, 0)):
    """The definition, one output position at a time."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    _, _, kh, kw = w.shape
    oh = (x.shape[2] - kh) // stride[0] + 1
    ow = (x.shape[3] - kw) // stride[1] + 1
    y = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
            y[:, :, i, j] = np.einsum("nchw,ochw->no", window, w)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def np_max_pool2d(x, k, stride, padding=0):
    x = np.pad(x, ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2), constant_values=-np.inf)
    oh, ow = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    y = np.zeros(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(2, 3))
    return y


def layer_with(layer, **parameters):
    """``layer`` computing with the harness's tensors in place of its parameters. A Module refuses a plain
    Tensor for a parameter, so this test helper sets the attribute directly, around the registration."""
    for name, value in parameters.items():
        object.__setattr__(layer, name, value)
    return layer


def windows_tie(margin=1e-3):
    """Kink predicate for max-pooling: two values of an input lie within ``margin`` of each other."""
    def kink(x):
        values = np.sort(x.ravel())
        return bool(np.any(np.diff(values) < margin))
    return kink


CASES = [
    OpCase("Linear", lambda x, w, b: layer_with(nn.Linear(4, 2), weight=w, bias=b)(x),
           lambda x, w, b: x @ w.T + b, [(3, 4), (2, 4), (2,)]),
    OpCase("conv2d", lambda x, w, b: F.conv2d(x, w, b), np_conv2d, [(2, 2, 4, 4), (3, 2, 2, 2), (3,)]),
    OpCase("conv2d_stride2_pad1", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
           lambda x, w, b: np_conv2d(x, w, b, (2, 2), (1, 1)), [(1, 2, 5, 5), (2, 2, 3, 3), (2,)]),
    OpCase("conv2d_rect_kernel_no_bias", lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(0, 1)),
           lambda x, w: np_conv2d(x, w, None, (1, 2), (0, 1)), [(1, 1, 4, 5), (2, 1, 2, 3)]),
    OpCase("Conv2d", lambda x, w, b: layer_with(nn.Conv2d(2, 2, 3, padding=1), weight=w, bias=b)(x),
           lambda x, w, b: np_conv2d(x, w, b, (1, 1), (1, 1)), [(1, 2, 3, 3), (2, 2, 3, 3), (2,)]),
    OpCase("max_pool2d", lambda x: F.max_pool2d(x, 2), lambda x: np_max_pool2d(x, 2, 2), [(2, 2, 4, 4)],
           kink=windows_tie()),
    OpCase("MaxPool2d_overlap_pad", lambda x: nn.MaxPool2d(3, stride=1, padding=1)(x),
           lambda x: np_max_pool2d(x, 3, 1, 1), [(1, 2, 4, 4)], kink=windows_tie()),
    OpCase("ReLU", nn.ReLU(), lambda x: np.maximum(x, 0), [(3, 4)], kink=lambda x: bool(np.any(abs(x) < 1e-3))),
    OpCase("Sigmoid", nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x)), [(3, 4)]),
    OpCase("Tanh", nn.Tanh(), np.tanh, [(3, 4)]),
    OpCase("Softmax", nn.Softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(0), [(3, 2)]),
    OpCase("LogSoftmax", nn.LogSoftmax(), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)), [(3, 2)]),
    OpCase("Flatten", nn.Flatten(), lambda x: x.reshape(2, -1), [(2, 3, 2)]),
    OpCase("Identity", nn.Identity(), lambda x: x, [(2, 3)]),
    OpCase("Sequential", lambda x, w, b: nn.Sequential(layer_with(nn.Linear(3, 2), weight=w, bias=b), nn.Tanh())(x),
           lambda x, w, b: np.tanh(x @ w.T + b), [(4, 3), (2, 3), (2,)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_op_case(case, device):
    check_case(case, device)


class TestLinear:
    def test_shapes_and_default_init(self, device):
        layer = nn.Linear(400, 30, device=device)
        assert layer.weight.shape == (30, 400) and layer.bias.shape == (30,)
        assert layer.weight.device == device and layer.weight.dtype == tl.float32
        bound = 1 / math.sqrt(400)  # PyTorch: kaiming_uniform_(a=√5) = U(±1/√fan_in), bias likewise
        for p in (layer.weight, layer.bias):
            values = p.cpu().numpy()
            assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
        assert abs(layer.weight.cpu().numpy().std() - bound / math.sqrt(3)) < 0.05 * bound

    def test_seeded(self):
        tl.manual_seed(3)
        a = nn.Linear(3, 2).weight.numpy()
        tl.manual_seed(3)
        np.testing.assert_array_equal(a, nn.Linear(3, 2).weight.numpy())

    def test_no_bias_and_dtype(self, device):
        layer = nn.Linear(3, 2, bias=False, dtype=tl.float64, device=device)
        assert layer.bias is None and [name for name, _ in layer.named_parameters()] == ["weight"]
        assert layer(tl.ones(5, 3, dtype=tl.float64, device=device)).dtype == tl.float64
        assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"

    def test_batched_leading_axes(self, device):
        layer = nn.Linear(3, 2, device=device)
        assert layer(tl.zeros(4, 5, 3, device=device)).shape == (4, 5, 2)

    def test_wrong_input(self, device):
        with pytest.raises(ValueError, match=r"Linear: input of shape \(5, 4\) should have 3 features"):
            nn.Linear(3, 2, device=device)(tl.zeros(5, 4, device=device))


class TestConv:
    def test_module_matches_reference(self, device, rng):
        conv = nn.Conv2d(3, 4, kernel_size=(3, 2), stride=2, padding=1, device=device)
        x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
        expected = np_conv2d(x, conv.weight.cpu().numpy(), conv.bias.cpu().numpy(), (2, 2), (1, 1))
        np.testing.assert_allclose(conv(tl.tensor(x, device=device)).cpu().numpy(), expected, rtol=1e-4, atol=1e-5)

    def test_default_init_bound(self):
        conv = nn.Conv2d(4, 8, 3)
        bound = 1 / math.sqrt(4 * 3 * 3)
        assert np.abs(conv.weight.numpy()).max() <= bound and np.abs(conv.bias.numpy()).max() <= bound
        assert repr(conv) == "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0), bias=True)"

    def test_errors(self, device):
        conv = nn.Conv2d(3, 4, 3, device=device)
        with pytest.raises(ValueError, match=r"Conv2d: expected an input of shape \(N, 3, H, W\), got \(2, 4, 8, 8\)"):
            conv(tl.zeros(2, 4, 8, 8, device=device))
        with pytest.raises(ValueError, match=r"conv2d: a 3×3 window does not fit"):
            conv(tl.zeros(1, 3, 2, 2, device=device))
        with pytest.raises(ValueError, match="Conv2d: stride must be"):
            nn.Conv2d(1, 1, 3, stride=(1, 2, 3))
        with pytest.raises(ValueError, match=r"max_pool2d: expected an input of shape \(N, C, H, W\)"):
            F.max_pool2d(tl.zeros(4, 4, device=device), 2)
        with pytest.raises(ValueError, match="max_pool2d: padding"):
            F.max_pool2d(tl.zeros(1, 1, 4, 4, device=device), 2, padding=2)

    def test_max_pool_padding_never_wins(self, device):
        x = tl.full((1, 1, 2, 2), -5.0, device=device)
        np.testing.assert_array_equal(F.max_pool2d(x, 2, stride=1, padding=1).cpu().numpy(),
                                      np.full((1, 1, 3, 3), -5.0))


class TestDropoutLayer:
    def test_train_and_eval(self, device):
        drop = nn.Dropout(0.25)
        x = tl.ones(100_000, device=device)
        y = drop(x).cpu().numpy()
        assert abs((y == 0).mean() - 0.25) < 0.01 and abs(y.mean() - 1) < 0.02
        drop.eval()
        assert drop(x) is x
        drop.train()
        assert (drop(x).cpu().numpy() == 0).any()

    def test_inside_a_model(self):
        model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
        model.eval()
        x = tl.ones(2, 3)
        np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())

    def test_bad_p(self):
        with pytest.raises(ValueError, match=r"Dropout: p must be a probability"):
            nn.Dropout(-0.1)


class TestSequential:
    def test_indexing(self):
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        assert len(model) == 3 and isinstance(model[1], nn.ReLU) and isinstance(model[-1], nn.Linear)
        head = model[:2]
        assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
        assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
        with pytest.raises(IndexError, match="Sequential: index 5 is out of range for 3 layers"):
            model[5]

    def test_rejects_non_modules(self):
        with pytest.raises(TypeError, match="Sequential: every layer must be a Module, got function"):
            nn.Sequential(lambda x: x)


class TestInit:
    @pytest.mark.parametrize("name, expected_std", [
        ("xavier_uniform_", math.sqrt(2 / (200 + 300))),
        ("xavier_normal_", math.sqrt(2 / (200 + 300))),
        ("kaiming_uniform_", math.sqrt(2 / 300)),
        ("kaiming_normal_", math.sqrt(2 / 300)),
    ])
    def test_variance(self, name, expected_std, device):
        w = tl.zeros(200, 300, device=device)  # fan_in 300, fan_out 200
        getattr(nn.init, name)(w) if name.startswith("xavier") else getattr(nn.init, name)(w, nonlinearity="relu")
        assert w.device == device
        assert abs(w.cpu().numpy().std() - expected_std) < 0.03 * expected_std
        assert abs(w.cpu().numpy().mean()) < 0.05 * expected_std

    def test_uniform_bounds(self):
        w = nn.init.xavier_uniform_(tl.zeros(10, 20), gain=2.0)
        assert np.abs(w.numpy()).max() <= 2.0 * math.sqrt(6 / 30)

    def test_normal_and_zeros(self, device):
        w = nn.init.normal_(tl.zeros(10_000, device=device), mean=1.0, std=0.5)
        assert abs(w.cpu().numpy().mean() - 1.0) < 0.02 and abs(w.cpu().numpy().std() - 0.5) < 0.02
        assert not nn.init.zeros_(w).cpu().numpy().any()

    def test_conv_fans(self):
        assert nn.init.fan_in_and_fan_out(tl.zeros(8, 3, 5, 5)) == (75, 200)

    def test_errors(self):
        with pytest.raises(ValueError, match=r"init: fan in and fan out need a weight of at least 2 dimensions"):
            nn.init.xavier_uniform_(tl.zeros(5))
        with pytest.raises(ValueError, match="calculate_gain: unknown nonlinearity 'swish'"):
            nn.init.calculate_gain("swish")
        with pytest.raises(ValueError, match="init: mode must be"):
            nn.init.kaiming_normal_(tl.zeros(2, 2), mode="fan")
        with pytest.raises(TypeError, match="init: can only fill floating-point tensors"):
            nn.init.zeros_(tl.tensor([1, 2]))

    def test_gains(self):
        assert nn.init.calculate_gain("tanh") == 5 / 3 and nn.init.calculate_gain("relu") == math.sqrt(2)
        assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
