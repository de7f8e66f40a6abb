"""The normalisation, embedding, pooling and activation layers in one op table: forward against NumPy,
first- and second-order gradient checks in float64 (see tests/helpers.py)."""

import math

import numpy as np
import pytest
from helpers import OpCase, check_case, near

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F

_erf = np.vectorize(math.erf, otypes=[np.float64])
EPS = 1e-5


def np_batch_norm(x, weight=None, bias=None):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def np_batch_norm_eval(x, mean, var, weight, bias):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + EPS) * weight.reshape(shape) + bias.reshape(shape)


def np_layer_norm(x, weight=None, bias=None, dims=1):
    axes = tuple(range(x.ndim - dims, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)
    return y * (1 if weight is None else weight) + (0 if bias is None else bias)


def np_avg_pool2d(x, k, stride, padding=0, count_include_pad=True):
    padded = np.pad(x, ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2))
    real = np.pad(np.ones(x.shape[2:]), padding)
    oh, ow = (padded.shape[2] - k) // stride + 1, (padded.shape[3] - k) // stride + 1
    y = np.zeros(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows, cols = slice(i * stride, i * stride + k), slice(j * stride, j * stride + k)
            divisor = k * k if count_include_pad else real[rows, cols].sum()
            y[:, :, i, j] = padded[:, :, rows, cols].sum(axis=(2, 3)) / divisor
    return y


def np_adaptive_avg_pool2d(x, out_h, out_w):
    h, w = x.shape[2:]
    y = np.zeros(x.shape[:2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(math.floor(i * h / out_h), math.ceil((i + 1) * h / out_h))
            cols = slice(math.floor(j * w / out_w), math.ceil((j + 1) * w / out_w))
            y[:, :, i, j] = x[:, :, rows, cols].mean(axis=(2, 3))
    return y


def np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def layer_with(layer, **parameters):
    """``layer`` computing with the harness's tensors in place of its parameters (set around the registration)."""
    for name, value in parameters.items():
        object.__setattr__(layer, name, value)
    return layer


INDEX = np.array([[0, 3, 3], [1, 0, 4]])  # repeated indices: their gradients must add up
AT_ZERO = near([0])  # leaky_relu is not differentiable at 0

CASES = [
    # batch normalisation in training mode: the batch statistics are part of the graph
    OpCase("batch_norm_train_NC", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), np_batch_norm,
           [(5, 3), (3,), (3,)]),
    OpCase("batch_norm_train_NCL", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), np_batch_norm,
           [(3, 2, 4), (2,), (2,)]),
    OpCase("batch_norm_train_no_affine", lambda x: F.batch_norm(x, None, None, training=True), np_batch_norm,
           [(4, 3)]),
    OpCase("batch_norm_eval", lambda x, m, v, w, b: F.batch_norm(x, m, v, w, b), np_batch_norm_eval,
           [(4, 3), (3,), (3,), (3,), (3,)], domain=[(-2, 2), (-1, 1), (0.5, 2), (-2, 2), (-2, 2)]),
    OpCase("BatchNorm1d_train",
           lambda x, w, b: layer_with(nn.BatchNorm1d(3).double().to(x.device), weight=w, bias=b)(x),
           np_batch_norm, [(6, 3), (3,), (3,)]),
    OpCase("BatchNorm2d_train",
           lambda x, w, b: layer_with(nn.BatchNorm2d(2).double().to(x.device), weight=w, bias=b)(x),
           np_batch_norm, [(2, 2, 3, 3), (2,), (2,)]),
    OpCase("BatchNorm1d_untracked_eval", lambda x: nn.BatchNorm1d(2, affine=False, track_running_stats=False).eval()(x),
           np_batch_norm, [(4, 2, 3)]),
    # layer normalisation
    OpCase("layer_norm", lambda x, w, b: F.layer_norm(x, 4, w, b), np_layer_norm, [(3, 4), (4,), (4,)]),
    OpCase("layer_norm_two_axes_no_affine", lambda x: F.layer_norm(x, (2, 3)), lambda x: np_layer_norm(x, dims=2),
           [(2, 2, 3)]),
    OpCase("LayerNorm", lambda x, w, b: layer_with(nn.LayerNorm(3).double(), weight=w, bias=b)(x), np_layer_norm,
           [(2, 4, 3), (3,), (3,)]),
    # embedding, with respect to the weight
    OpCase("embedding", lambda w: F.embedding(tl.tensor(INDEX, device=w.device), w), lambda w: w[INDEX], [(5, 3)]),
    OpCase("Embedding", lambda w: layer_with(nn.Embedding(5, 2), weight=w)(tl.tensor(INDEX, device=w.device)),
           lambda w: w[INDEX], [(5, 2)]),
    # average pooling
    OpCase("avg_pool2d", lambda x: F.avg_pool2d(x, 2), lambda x: np_avg_pool2d(x, 2, 2), [(2, 2, 4, 4)]),
    OpCase("avg_pool2d_overlap_pad", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1),
           lambda x: np_avg_pool2d(x, 3, 2, 1), [(1, 2, 5, 5)]),
    OpCase("AvgPool2d_exclude_pad", lambda x: nn.AvgPool2d(3, 1, 1, count_include_pad=False)(x),
           lambda x: np_avg_pool2d(x, 3, 1, 1, count_include_pad=False), [(1, 1, 4, 4)]),
    OpCase("adaptive_avg_pool2d_uneven", lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
           lambda x: np_adaptive_avg_pool2d(x, 3, 2), [(1, 2, 5, 5)]),
    OpCase("adaptive_avg_pool2d_even", lambda x: F.adaptive_avg_pool2d(x, 2), lambda x: np_adaptive_avg_pool2d(x, 2, 2),
           [(2, 1, 4, 6)]),
    OpCase("AdaptiveAvgPool2d_larger_out", lambda x: nn.AdaptiveAvgPool2d((4, 1))(x),
           lambda x: np_adaptive_avg_pool2d(x, 4, 1), [(1, 1, 3, 2)]),
    # activations
    OpCase("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), [(3, 4)],
           kink=AT_ZERO),
    OpCase("LeakyReLU", nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x), [(3, 4)], kink=AT_ZERO),
    OpCase("gelu", lambda x: F.gelu(x), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))), [(3, 4)], domain=(-4, 4)),
    OpCase("GELU_tanh", nn.GELU("tanh"), np_gelu_tanh, [(3, 4)], domain=(-4, 4)),
    OpCase("silu", F.silu, lambda x: x / (1 + np.exp(-x)), [(3, 4)], domain=(-5, 5)),
    OpCase("SiLU", nn.SiLU(), lambda x: x / (1 + np.exp(-x)), [(3, 4)]),
    OpCase("erf", tl.erf, _erf, [(3, 4)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_layer_case(case, device):
    check_case(case, device)


def test_padding_row_gets_no_gradient_of_any_order(device):
    """With padding_idx the weight's gradient is the plain one with that row zeroed, also for second order."""
    weight = tl.tensor(np.random.default_rng(1).normal(size=(5, 3)), device=device, requires_grad=True)
    index = tl.tensor(INDEX, device=device)
    out = F.embedding(index, weight, padding_idx=3)
    np.testing.assert_array_equal(out.cpu().numpy(), weight.cpu().numpy()[INDEX])  # the forward uses the row as it is
    (grad,) = tl.grad((out ** 2).sum(), weight, create_graph=True)
    expected = np.zeros((5, 3))
    np.add.at(expected, INDEX, 2 * weight.cpu().numpy()[INDEX])
    expected[3] = 0
    np.testing.assert_allclose(grad.cpu().numpy(), expected, rtol=1e-15)
    (second,) = tl.grad(grad.sum(), weight)
    counts = np.bincount(INDEX.ravel(), minlength=5)[:, None] * 2.0
    counts[3] = 0
    np.testing.assert_allclose(second.cpu().numpy(), np.broadcast_to(counts, (5, 3)))
