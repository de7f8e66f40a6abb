"""Optional cross-check with torch.nn (skipped when PyTorch is not installed): with the same weights copied
across, the normalisation, embedding, pooling and activation layers give PyTorch's outputs, gradients,
running statistics, state dict keys and default values, in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F

torch = pytest.importorskip("torch")

DTYPES = {"float32": (tl.float32, torch.float32, dict(rtol=2e-5, atol=2e-6)),
          "float64": (tl.float64, torch.float64, dict(rtol=1e-11, atol=1e-12))}


@pytest.fixture(params=list(DTYPES))
def dtypes(request):
    return DTYPES[request.param]


def host(t):
    """A tinygrad_lite or torch tensor as a NumPy array."""
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.cpu().numpy()


def copy_weights(ours, theirs, device):
    """PyTorch's state (random values for the affine parameters, so they matter) into our module."""
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.randn_like(p))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.to(device)


def compare_step(ours, theirs, x, device, tol, target=None):
    """One forward and backward through both; the outputs, input gradients and parameter gradients must agree."""
    xt = torch.tensor(x, requires_grad=x.dtype.kind == "f")
    xo = tl.tensor(x, device=device, requires_grad=x.dtype.kind == "f")
    yt, yo = theirs(xt), ours(xo)
    np.testing.assert_allclose(host(yo), host(yt), **tol)
    weights = np.random.default_rng(7).normal(size=yt.shape).astype(x.dtype if x.dtype.kind == "f" else np.float64)
    (yt * torch.tensor(weights, dtype=yt.dtype)).sum().backward()
    (yo * tl.tensor(weights, dtype=yo.dtype, device=device)).sum().backward()
    if x.dtype.kind == "f":
        np.testing.assert_allclose(host(xo.grad), host(xt.grad), **tol)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(host(p.grad), host(q.grad), err_msg=name, **tol)
    ours.zero_grad()
    theirs.zero_grad()


@pytest.mark.parametrize("make, shape", [
    (lambda lib, **kw: lib.nn.BatchNorm1d(3, **kw), (8, 3)),
    (lambda lib, **kw: lib.nn.BatchNorm1d(3, **kw), (4, 3, 5)),
    (lambda lib, **kw: lib.nn.BatchNorm2d(3, **kw), (4, 3, 3, 2)),
], ids=["BatchNorm1d_NC", "BatchNorm1d_NCL", "BatchNorm2d"])
@pytest.mark.parametrize("options", [{}, {"momentum": None}, {"momentum": 0.5, "affine": False},
                                     {"track_running_stats": False}, {"bias": False}], ids=str)
def test_batch_norm_training_and_eval(make, shape, options, dtypes, device, rng):
    ours_dtype, torch_dtype, tol = dtypes
    theirs = make(torch, dtype=torch_dtype, **options)
    ours = make(tl, dtype=ours_dtype, **options)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(ours, theirs, device)
    for _ in range(4):  # several training steps: the running statistics follow the batches
        compare_step(ours, theirs, (rng.normal(size=shape) * 3 + 1).astype(ours_dtype), device, tol)
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(host(a), host(b), err_msg=name, **tol)
        assert host(a).dtype == host(b).dtype, name
    ours.eval()
    theirs.eval()
    compare_step(ours, theirs, rng.normal(size=shape).astype(ours_dtype), device, tol)


def test_batch_norm_functional(dtypes, device, rng):
    ours_dtype, torch_dtype, tol = dtypes
    x = rng.normal(size=(6, 4, 3)).astype(ours_dtype)
    mean, var = rng.normal(size=4).astype(ours_dtype), rng.uniform(0.5, 2, size=4).astype(ours_dtype)
    w, b = rng.normal(size=4).astype(ours_dtype), rng.normal(size=4).astype(ours_dtype)
    for training in (True, False):
        theirs_stats = [torch.tensor(mean), torch.tensor(var)]
        ours_stats = [tl.tensor(mean, device=device), tl.tensor(var, device=device)]
        expected = torch.nn.functional.batch_norm(torch.tensor(x), *theirs_stats, torch.tensor(w), torch.tensor(b),
                                                  training=training, momentum=0.3, eps=1e-3)
        got = F.batch_norm(tl.tensor(x, device=device), *ours_stats, tl.tensor(w, device=device),
                           tl.tensor(b, device=device), training=training, momentum=0.3, eps=1e-3)
        np.testing.assert_allclose(host(got), host(expected), **tol)
        for a, c in zip(ours_stats, theirs_stats):
            np.testing.assert_allclose(host(a), host(c), **tol)


@pytest.mark.parametrize("shape, normalized_shape, options", [
    ((4, 5), 5, {}), ((2, 3, 4), (3, 4), {}), ((3, 6), [6], {"bias": False}),
    ((2, 4), 4, {"elementwise_affine": False}),
], ids=["last_axis", "two_axes", "no_bias", "no_affine"])
def test_layer_norm(shape, normalized_shape, options, dtypes, device, rng):
    ours_dtype, torch_dtype, tol = dtypes
    theirs = torch.nn.LayerNorm(normalized_shape, dtype=torch_dtype, **options)
    ours = nn.LayerNorm(normalized_shape, dtype=ours_dtype, **options)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    for (_, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_array_equal(host(a), host(b))  # the default initialisation
    copy_weights(ours, theirs, device)
    compare_step(ours, theirs, (rng.normal(size=shape) * 2).astype(ours_dtype), device, tol)
    x = rng.normal(size=shape).astype(ours_dtype)
    got = F.layer_norm(tl.tensor(x, device=device), normalized_shape, eps=0.1)
    np.testing.assert_allclose(host(got), host(torch.nn.functional.layer_norm(
        torch.tensor(x), [normalized_shape] if isinstance(normalized_shape, int) else normalized_shape, eps=0.1)),
        **tol)


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding(padding_idx, dtypes, device, rng):
    ours_dtype, torch_dtype, tol = dtypes
    theirs = torch.nn.Embedding(6, 3, padding_idx=padding_idx, dtype=torch_dtype)
    ours = nn.Embedding(6, 3, padding_idx=padding_idx, dtype=ours_dtype)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.padding_idx == theirs.padding_idx
    if padding_idx is not None:
        np.testing.assert_array_equal(host(ours.weight)[padding_idx], host(theirs.weight)[padding_idx])
    ours.load_state_dict({"weight": theirs.weight.detach().numpy()})
    ours.to(device)
    compare_step(ours, theirs, np.array([[0, 2, 5, 2], [5, 5, 1, 0]]), device, tol)


@pytest.mark.parametrize("args, kwargs", [
    ((2,), {}), ((3, 2, 1), {}), ((3, 1, 1), {"count_include_pad": False}), (((3, 2), (2, 1), (1, 0)), {}),
    (((2, 3), 1, (1, 1)), {"count_include_pad": False}),
], ids=str)
def test_avg_pool2d(args, kwargs, dtypes, device, rng):
    ours_dtype, _, tol = dtypes
    ours, theirs = nn.AvgPool2d(*args, **kwargs), torch.nn.AvgPool2d(*args, **kwargs)
    compare_step(ours, theirs, rng.normal(size=(2, 3, 7, 6)).astype(ours_dtype), device, tol)


@pytest.mark.parametrize("output_size", [1, 3, (2, 4), (5, 7), (9, 2), (None, 4), (4, None)], ids=str)
def test_adaptive_avg_pool2d(output_size, dtypes, device, rng):
    ours_dtype, _, tol = dtypes
    ours, theirs = nn.AdaptiveAvgPool2d(output_size), torch.nn.AdaptiveAvgPool2d(output_size)
    assert repr(ours) == repr(theirs)
    compare_step(ours, theirs, rng.normal(size=(2, 3, 7, 5)).astype(ours_dtype), device, tol)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LeakyReLU(), lambda lib: lib.nn.LeakyReLU(0.3), lambda lib: lib.nn.GELU(),
    lambda lib: lib.nn.GELU(approximate="tanh"), lambda lib: lib.nn.SiLU(),
], ids=["LeakyReLU", "LeakyReLU_0.3", "GELU", "GELU_tanh", "SiLU"])
def test_activations(make, dtypes, device, rng):
    ours_dtype, _, tol = dtypes
    x = np.concatenate([rng.normal(size=40) * 4, [0.0, -0.0, 1e-8, -30.0, 30.0]]).astype(ours_dtype)
    ours, theirs = make(tl), make(torch)
    assert repr(ours) == repr(theirs)
    compare_step(ours, theirs, x, device, tol)


def test_erf(dtypes, device, rng):
    ours_dtype, _, tol = dtypes
    x = (rng.normal(size=200) * 3).astype(ours_dtype)
    np.testing.assert_allclose(tl.erf(tl.tensor(x, device=device)).cpu().numpy(), torch.erf(torch.tensor(x)).numpy(),
                               **tol)


def test_container_state_dict_keys():
    def build(lib):
        model = lib.nn.Module()
        model.blocks = lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2)])
        model.blocks.insert(1, lib.nn.ReLU())
        model.heads = lib.nn.ModuleDict({"b": lib.nn.Linear(2, 1), "a": lib.nn.LayerNorm(2)})
        model.table = lib.nn.Embedding(3, 2)
        return model

    ours, theirs = build(tl), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    assert [name for name, _ in ours.named_modules()] == [name for name, _ in theirs.named_modules()]
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})  # a PyTorch state dict loads


def test_a_small_network_trains_like_pytorch(device, rng):
    """Conv → BatchNorm2d → GELU → pool → Linear, trained with SGD for a few steps in both frameworks."""
    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.BatchNorm2d(4), lib.nn.GELU(),
                                 lib.nn.AvgPool2d(2), lib.nn.Conv2d(4, 4, 3), lib.nn.LeakyReLU(0.1),
                                 lib.nn.AdaptiveAvgPool2d(1), lib.nn.Flatten(), lib.nn.LayerNorm(4),
                                 lib.nn.Linear(4, 3))

    theirs = build(torch).double()
    ours = build(tl)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.to(device).double()
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    opt_o = tl.optim.SGD(ours.parameters(), lr=0.1)
    for _ in range(5):
        x = rng.normal(size=(6, 1, 8, 8))
        y = rng.integers(0, 3, size=6)
        loss_t = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
        loss_o = F.cross_entropy(ours(tl.tensor(x, device=device)), tl.tensor(y, device=device))
        assert loss_o.item() == pytest.approx(loss_t.item(), rel=1e-10)
        opt_t.zero_grad()
        loss_t.backward()
        opt_t.step()
        opt_o.zero_grad()
        loss_o.backward()
        opt_o.step()
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(host(a), host(b), rtol=1e-9, atol=1e-12, err_msg=name)
    ours.eval()
    theirs.eval()
    x = rng.normal(size=(2, 1, 8, 8))
    np.testing.assert_allclose(host(ours(tl.tensor(x, device=device))), host(theirs(torch.tensor(x))), rtol=1e-10)
