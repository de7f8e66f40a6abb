"""Module and Parameter: registration, traversal, modes, gradients, state dicts, devices, printing."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(tl.ones(2))
        self.fc = nn.Linear(2, 2)
        self.drop = nn.Dropout(0.5)
        self.note = "not registered"

    def forward(self, x):
        return self.drop(self.fc(x) * self.scale)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.head = nn.Linear(2, 1)
        self.offset = nn.Parameter(tl.zeros(1))

    def forward(self, x):
        return self.head(self.first(x)) + self.offset


def test_public_names():
    import tinygrad_lite.nn.functional as F

    assert tl.nn.functional is F and tl.nn.Parameter is nn.module.Parameter
    assert callable(tl.save) and callable(tl.load)


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(tl.tensor([1.0, 2.0]))
    assert isinstance(p, tl.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.]")
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        nn.Parameter(tl.tensor([1, 2]))


def test_registration_order_and_names():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == [
        "offset", "first.scale", "first.fc.weight", "first.fc.bias", "head.weight", "head.bias"]
    assert [name for name, _ in net.named_children()] == ["first", "head"]
    assert [type(m).__name__ for m in net.modules()] == ["Net", "Block", "Linear", "Dropout", "Linear"]
    assert [name for name, _ in net.named_modules()] == ["", "first", "first.fc", "first.drop", "head"]
    assert list(net.children()) == [net.first, net.head]
    assert len(list(net.parameters())) == 6


def test_reassignment_and_deletion():
    block = Block()
    block.fc = nn.Linear(2, 2)  # replacing a sub-module keeps its place in the order
    assert [name for name, _ in block.named_children()] == ["fc", "drop"]
    block.fc = None
    assert [name for name, _ in block.named_parameters()] == ["scale"]
    del block.scale
    assert list(block.parameters()) == [] and not hasattr(block, "scale")


def test_refuses_a_tensor_for_a_parameter():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"Linear: cannot assign a Tensor to parameter 'weight'"):
        layer.weight = layer.weight * 2
    assert isinstance(layer.weight, nn.Parameter)
    with pytest.raises(TypeError, match=r"Block: cannot assign a int to sub-module 'fc'"):
        Block().fc = 3


def test_assignment_before_init_is_explained():
    class Forgetful(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        Forgetful()


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3  # Sequential, Linear (once), Tanh
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_forward_must_be_written():
    with pytest.raises(NotImplementedError, match="Module subclass must define forward"):
        nn.Module()(tl.zeros(1))


def test_train_and_eval_reach_every_module():
    net = Net()
    assert net.training and net.first.drop.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad(device):
    net = Net().to(device)
    net(tl.ones(3, 2, device=device)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_dtype_keeps_the_parameter_objects(device):
    net = Net()
    before = list(net.parameters())
    net(tl.ones(1, 2)).sum().backward()
    assert net.to(device).double() is net
    assert list(net.parameters()) == before
    assert all(p.dtype == tl.float64 and p.device == device for p in net.parameters())
    assert all(p.grad.dtype == tl.float64 and p.grad.device == device for p in net.parameters())
    assert net.float().head.weight.dtype == tl.float32
    assert net.to(tl.float64).head.weight.dtype == tl.float64  # a dtype alone, as model.to(torch.float64)
    with pytest.raises(TypeError, match="Net.to: parameters must stay floating point"):
        net.to(dtype=tl.int64)
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        net.to("tpu")


class TestStateDict:
    def test_names_values_and_snapshot(self):
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        state = model.state_dict()
        assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        np.testing.assert_array_equal(state["0.weight"].numpy(), model[0].weight.numpy())
        assert not state["0.weight"].requires_grad
        with tl.no_grad():
            model[0].weight.data -= 1.0  # an update in place must not change the snapshot
        assert not np.array_equal(state["0.weight"].numpy(), model[0].weight.numpy())

    def test_round_trip_between_models(self, device):
        tl.manual_seed(1)
        source = Net()
        target = Net().to(device)
        result = target.load_state_dict(source.state_dict())
        assert result.missing_keys == [] and result.unexpected_keys == []
        for (name, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
            np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy(), err_msg=name)
            assert b.device == device and b.dtype == tl.float32
        x = tl.ones(2, 2)
        source.eval(), target.eval()
        np.testing.assert_allclose(source(x).cpu().numpy(), target(x.to(device)).cpu().numpy(), rtol=1e-6)

    def test_accepts_arrays_and_casts_to_the_parameter_dtype(self):
        layer = nn.Linear(2, 1)
        layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": [0.5]})
        assert layer.weight.dtype == tl.float32 and layer.weight.tolist() == [[1.0, 2.0]]
        assert layer.bias.tolist() == [0.5]

    @pytest.mark.parametrize("change, message", [
        (lambda s: s.pop("head.bias"), r"missing keys \['head.bias'\]"),
        (lambda s: s.update(extra=tl.zeros(1)), r"unexpected keys \['extra'\]"),
        (lambda s: s.update({"head.weight": tl.zeros(2, 1)}),
         r"shape mismatch for 'head.weight': the state dict has \(2, 1\), the model has \(1, 2\)"),
    ])
    def test_errors_load_nothing(self, change, message):
        tl.manual_seed(2)
        state = Net().state_dict()
        change(state)
        model = Net()
        before = {name: p.numpy() for name, p in model.named_parameters()}
        with pytest.raises(RuntimeError, match=rf"load_state_dict into Net: .*{message}.*nothing was loaded"):
            model.load_state_dict(state)
        for name, p in model.named_parameters():
            np.testing.assert_array_equal(p.numpy(), before[name], err_msg=name)

    def test_non_strict(self):
        state = nn.Linear(2, 1).state_dict()
        state["other"] = tl.zeros(3)
        del state["bias"]
        layer = nn.Linear(2, 1)
        result = layer.load_state_dict(state, strict=False)
        assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
        np.testing.assert_array_equal(layer.weight.numpy(), state["weight"].numpy())
        with pytest.raises(RuntimeError, match="shape mismatch"):
            layer.load_state_dict({"weight": tl.zeros(3)}, strict=False)


def test_repr():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.1),
                          nn.Linear(8, 3), nn.Softmax())
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0), bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))\n"
        "  (3): Flatten(start_dim=1, end_dim=-1)\n"
        "  (4): Dropout(p=0.1)\n"
        "  (5): Linear(in_features=8, out_features=3, bias=True)\n"
        "  (6): Softmax(dim=-1)\n"
        ")")
    assert repr(Net()).splitlines()[:3] == ["Net(", "  (first): Block(", "    (fc): Linear(in_features=2, "
                                                                          "out_features=2, bias=True)"]
