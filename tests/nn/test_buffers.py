"""Module buffers: registered state that is saved, loaded and moved with the model but never trained."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn


class Scaler(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.register_buffer("scale", tl.tensor([2.0, 3.0]))
        self.register_buffer("steps", tl.tensor(0))
        self.register_buffer("cache", tl.zeros(2), persistent=False)
        self.register_buffer("unset", None)

    def forward(self, x):
        return self.fc(x) * self.scale


class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("offset", tl.ones(1))
        self.inner = Scaler()


def test_buffers_are_listed_saved_and_not_trained():
    model = Outer()
    assert [name for name, _ in model.named_buffers()] == ["offset", "inner.scale", "inner.steps", "inner.cache"]
    assert len(list(model.buffers())) == 4
    assert [name for name, _ in model.named_parameters()] == ["inner.fc.weight", "inner.fc.bias"]
    # PyTorch's order: each module's parameters, then its persistent buffers, then its sub-modules'
    assert list(model.state_dict()) == ["offset", "inner.scale", "inner.steps", "inner.fc.weight", "inner.fc.bias"]
    assert model.inner.scale is model.inner._buffers["scale"] and model.inner.unset is None


def test_state_dict_is_a_snapshot_and_loads_back():
    model = Scaler()
    state = model.state_dict()
    model.scale.data[0] = 10.0
    assert state["scale"].tolist() == [2.0, 3.0]
    model.load_state_dict(state)
    assert model.scale.tolist() == [2.0, 3.0]
    state["steps"] = np.array(7)
    model.load_state_dict(state)
    assert model.steps.item() == 7 and model.steps.dtype == tl.int64
    with pytest.raises(RuntimeError, match=r"missing keys \['scale'\]"):
        model.load_state_dict({k: v for k, v in state.items() if k != "scale"})
    with pytest.raises(RuntimeError, match=r"shape mismatch for 'scale'"):
        model.load_state_dict(dict(state, scale=tl.zeros(3)))
    with pytest.raises(RuntimeError, match=r"unexpected keys \['cache'\]"):  # non-persistent: not part of the state
        model.load_state_dict(dict(state, cache=tl.zeros(2)))


def test_assigning_a_tensor_replaces_the_buffer():
    model = Scaler()
    model.scale = tl.tensor([5.0, 5.0])
    assert model.state_dict()["scale"].tolist() == [5.0, 5.0]
    model.unset = tl.tensor([1.0])
    assert "unset" in model.state_dict()
    model.scale = None
    assert "scale" not in model.state_dict() and "scale" in model._buffers
    with pytest.raises(TypeError, match=r"Scaler: cannot assign a list to buffer 'steps' \(a Tensor or None"):
        model.steps = [1]
    del model.steps
    assert "steps" not in model.state_dict() and not hasattr(model, "steps")


def test_to_moves_buffers_and_casts_only_float_ones(device):
    model = Scaler().to(device).double()
    assert model.scale.dtype == tl.float64 and model.scale.device == device and model.cache.dtype == tl.float64
    assert model.steps.dtype == tl.int64 and model.steps.device == device
    out = model(tl.ones(1, 2, dtype=tl.float64, device=device))
    assert out.dtype == tl.float64


def test_register_buffer_errors():
    model = Scaler()
    with pytest.raises(TypeError, match=r"Scaler: cannot register a ndarray as buffer 'x' \(a Tensor or None"):
        model.register_buffer("x", np.zeros(2))
    with pytest.raises(KeyError, match="invalid buffer name 'a.b'"):
        model.register_buffer("a.b", tl.zeros(1))
    with pytest.raises(KeyError, match="attribute 'fc' already exists"):
        model.register_buffer("fc", tl.zeros(1))
    with pytest.raises(TypeError, match="a buffer name must be a string"):
        model.register_buffer(3, tl.zeros(1))
    with pytest.raises(TypeError, match="buffer 'w' cannot be a Parameter"):
        model.register_buffer("w", nn.Parameter(tl.zeros(1)))

    class Early(nn.Module):
        def __init__(self):
            self.register_buffer("x", tl.zeros(1))

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        Early()


def test_a_parameter_or_module_takes_a_buffers_name():
    model = Scaler()
    model.scale = nn.Parameter(tl.ones(2))
    assert "scale" not in model._buffers and "scale" in dict(model.named_parameters())


def test_add_module():
    model = nn.Module()
    model.add_module("block-1", nn.Linear(1, 1))
    assert list(model.state_dict()) == ["block-1.weight", "block-1.bias"]
    with pytest.raises(KeyError, match="attribute 'train' already exists"):
        model.add_module("train", nn.Linear(1, 1))
    with pytest.raises(TypeError, match="int is not a Module"):
        model.add_module("x", 3)
