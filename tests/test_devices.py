"""Devices as a PyTorch user expects them: .to/.cpu/.cuda/.device, .numpy/.tolist/.item, Module.to in place,
optimizer state on the parameter's device, DataLoader(device=), mixed-device errors, one seed for both devices.

Tests that take ``device`` run on cpu and on cuda (a GPU, or the CUDA simulator); tests that need both
devices at once are skipped where cuda is not available (``TL_TEST_DEVICE=cpu`` without a GPU)."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import backend

both_devices = pytest.mark.skipif(not tl.cuda.is_available(), reason="needs cuda (a GPU, or the CUDA simulator)")


def on_device(array, device) -> bool:
    return backend.device_of(array) == device


def test_device_is_a_string_with_pytorch_attributes(device):
    d = tl.zeros(2, device=device).device
    assert d == device and d.type == device and isinstance(d, tl.device) and f"{d}" == device
    assert d.index == (0 if device == "cuda" else None)
    assert repr(d) == ("device(type='cuda', index=0)" if device == "cuda" else "device(type='cpu')")
    assert tl.device(device) is d and {d: 1}[device] == 1


def test_device_names_and_their_mistakes():
    assert tl.device("cuda:0") == "cuda" and tl.device("cuda", 0) == "cuda" and tl.device("cpu") == "cpu"
    for bad in ("tpu", "cuda:1", "cpu:0", "gpu"):
        with pytest.raises(ValueError, match="unknown device"):
            tl.device(bad)
    with pytest.raises(ValueError, match="unknown device 'cuda:1'"):
        tl.zeros(2, device="cuda:1")


def test_to_takes_pytorchs_forms(device):
    x = tl.tensor([1.5, -2.0])
    assert x.to(device).device == device and x.to(device).dtype == tl.float32
    assert x.to(tl.float64).dtype == tl.float64 and x.to(tl.float64).device == "cpu"
    both = x.to(device, tl.float64)
    assert both.device == device and both.dtype == tl.float64
    assert x.to(device=device, dtype=tl.float16).dtype == tl.float16
    like = tl.zeros(1, dtype=tl.int64, device=device)
    moved = x.to(like)
    assert moved.device == device and moved.dtype == tl.int64 and moved.tolist() == [1, -2]
    assert x.to("cpu") is x and x.to(tl.float32) is x and x.to(x) is x
    with pytest.raises(TypeError, match="to: expected"):
        x.to(device, tl.float64, 3)


def test_to_is_differentiable_across_devices(device):
    x = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True)
    (x.to(device, tl.float32) ** 2).sum().backward()
    assert x.grad.device == "cpu" and x.grad.dtype == tl.float64 and x.grad.tolist() == [2.0, 4.0]


@both_devices
def test_cpu_and_cuda_move_and_keep():
    x = tl.tensor([1.0, 2.0])
    y = x.cuda()
    assert y.device == "cuda" and y.cuda() is y and y.cpu().device == "cpu" and x.cpu() is x
    assert y.cpu().numpy().tolist() == [1.0, 2.0]


def test_numpy_is_a_host_copy_of_a_cpu_tensor_and_an_error_on_cuda(device):
    x = tl.tensor([1.0, 2.0], device=device)
    if device == "cpu":
        copy = x.numpy()
        copy[0] = 9.0
        assert isinstance(copy, np.ndarray) and x.tolist() == [1.0, 2.0]
    else:
        with pytest.raises(TypeError, match=r"can't convert a cuda tensor to NumPy; use \.cpu\(\)"):
            x.numpy()
    assert isinstance(x.cpu().numpy(), np.ndarray)


def test_tolist_item_float_and_int_give_python_numbers(device):
    x = tl.tensor([[1.0, 2.5]], device=device)
    assert x.tolist() == [[1.0, 2.5]] and type(x.tolist()[0][0]) is float
    total = x.sum()
    assert total.item() == 3.5 and type(total.item()) is float and float(total) == 3.5 and int(total) == 3
    assert type(tl.tensor([3], device=device).item()) is int and bool(tl.tensor([True], device=device))
    assert x[0, 1].item() == 2.5
    with pytest.raises(ValueError, match="only one-element tensors"):
        x.item()


def test_module_to_moves_parameters_and_buffers_in_place(device):
    model = tl.nn.Sequential(tl.nn.Linear(3, 4), tl.nn.BatchNorm1d(4), tl.nn.Linear(4, 2))
    before = list(model.parameters())
    assert model.to(device) is model
    assert all(p is q for p, q in zip(model.parameters(), before))
    assert all(p.device == device for p in model.parameters())
    assert all(b.device == device for b in model.buffers())
    assert model[1].num_batches_tracked.dtype == tl.int64
    model.to(tl.zeros(1, dtype=tl.float64, device=device))  # a tensor's device and dtype, as in PyTorch
    assert all(p.dtype == tl.float64 and p.device == device for p in model.parameters())


@pytest.mark.parametrize("make", [
    lambda ps: tl.optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: tl.optim.Adam(ps, lr=0.1),
    lambda ps: tl.optim.Adagrad(ps, lr=0.1), lambda ps: tl.optim.RMSProp(ps, lr=0.1),
    lambda ps: tl.optim.AdamW(ps, lr=0.1),
], ids=["SGD", "Adam", "Adagrad", "RMSProp", "AdamW"])
def test_optimizers_work_whether_made_before_or_after_the_move(device, make):
    """Same steps from the same start: an optimizer made before model.to(device), one made after, and one
    that already stepped on the cpu before the move (its state follows the parameters)."""
    x, y = tl.randn(8, 3), tl.tensor([0, 1, 1, 0, 1, 0, 0, 1])
    results = []
    for when in ("before", "after", "stepped"):
        tl.manual_seed(0)
        model = tl.nn.Linear(3, 2)
        optimizer = make(model.parameters()) if when != "after" else None
        if when == "stepped":
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
            optimizer.zero_grad()
        model.to(device)
        optimizer = optimizer or make(model.parameters())
        if when != "stepped":  # the same number of steps as the one that stepped on the cpu
            F.cross_entropy(model(x.to(device)), y.to(device)).backward()
            optimizer.step()
            optimizer.zero_grad()
        for _ in range(2):
            F.cross_entropy(model(x.to(device)), y.to(device)).backward()
            optimizer.step()
            optimizer.zero_grad()
        state = [v for s in optimizer.state.values() for v in s.values() if backend.is_backend_array(v)]
        assert state and all(on_device(v, device) for v in state)
        assert all(p.device == device for p in model.parameters())
        results.append(model.weight.cpu().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)
    np.testing.assert_allclose(results[0], results[2], rtol=1e-6)


def test_dataloader_puts_batches_on_a_device(device):
    data = tl.data.TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    batches = list(tl.data.DataLoader(data, batch_size=2, shuffle=True, seed=0, device=device))
    assert len(batches) == 3 and all(t.device == device for batch in batches for t in batch)
    pairs = list(tl.data.DataLoader(tl.data.TensorDataset(tl.ones(4, 1)), batch_size=4))  # one-line pattern:
    assert [x.to(device).device for (x,) in pairs] == [device]                              # batch.to(device)


MIXED = {
    "add": lambda a, b: a + b,
    "matmul": lambda a, b: a @ b.reshape(2, 1),
    "where": lambda a, b: tl.where(a > 0, a, b),
    "concatenate": lambda a, b: tl.concatenate([a, b]),
    "stack": lambda a, b: tl.stack([a, b]),
    "maximum": lambda a, b: tl.maximum(a, b),
    "less": lambda a, b: a < b,
    "mse_loss": lambda a, b: F.mse_loss(a, b),
    "cross_entropy": lambda a, b: F.cross_entropy(a.reshape(1, 2), tl.tensor([1], device=b.device)),
    "linear": lambda a, b: tl.nn.Linear(2, 3)(b.reshape(1, 2)),
    "batch_norm": lambda a, b: F.batch_norm(tl.stack([a, a]), tl.zeros(2, device=b.device), tl.ones(2, device=b.device),
                                            training=True),
}


@both_devices
@pytest.mark.parametrize("name", list(MIXED))
def test_mixed_devices_raise_an_error_naming_the_op_and_both_devices(name):
    a, b = tl.tensor([1.0, -2.0]), tl.tensor([3.0, 4.0], device="cuda")
    with pytest.raises(RuntimeError, match=f"^{name}") as error:
        MIXED[name](a, b)
    assert "cpu" in str(error.value) and "cuda" in str(error.value)


@both_devices
def test_manual_seed_gives_the_same_numbers_on_both_devices():
    def draw(device):
        tl.manual_seed(7)
        layer = tl.nn.Linear(3, 2, device=device)
        dropped = F.dropout(tl.ones(20, device=device), p=0.5, training=True)
        return [t.cpu().numpy() for t in (tl.randn(4, device=device), tl.rand(3, device=device), layer.weight,
                                          dropped)]
    for on_cpu, on_cuda in zip(draw("cpu"), draw("cuda")):
        np.testing.assert_array_equal(on_cpu, on_cuda)


def test_viz_takes_tensors_on_any_device(device):
    w = tl.tensor([0.5, -0.5], dtype=tl.float64, device=device, requires_grad=True)
    A, B, Z = tl.viz.loss_surface(lambda v: ((1 - v[..., 0] * v[..., 1]) ** 2), w.detach(), span=1.0, steps=5)
    assert isinstance(Z, np.ndarray) and Z.shape == (5, 5) and np.isfinite(Z).all()
    loss = ((1 - w[0] * w[1]) ** 2)
    assert "Mul" in tl.viz.graph(loss)
    path = tl.viz.Trajectory([w])
    loss.backward()
    path.record(loss)
    assert path.params.shape == (1, 2) and path.losses[0] == pytest.approx(loss.item())
