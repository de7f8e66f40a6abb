"""Embedding, ModuleList and ModuleDict, average pooling and the activations LeakyReLU, GELU and SiLU:
values against NumPy and closed forms, PyTorch's defaults, and clear errors."""

import math

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F


class TestEmbedding:
    def test_lookup_of_any_index_shape(self, device):
        emb = nn.Embedding(6, 4, device=device)
        index = np.array([[[0, 5], [2, 2]], [[1, 3], [4, 0]]])
        out = emb(tl.tensor(index, device=device))
        assert out.shape == (2, 2, 2, 4) and out.device == device
        np.testing.assert_array_equal(out.cpu().numpy(), emb.weight.cpu().numpy()[index])
        assert emb(tl.tensor(3, device=device)).shape == (4,)
        assert emb(tl.tensor(np.zeros((0,), dtype=np.int64), device=device)).shape == (0, 4)
        np.testing.assert_array_equal(emb([1, 2]).cpu().numpy(), emb.weight.cpu().numpy()[[1, 2]])  # a list is accepted

    def test_default_init_is_standard_normal(self, device):
        w = nn.Embedding(200, 100, device=device).weight.cpu().numpy()
        assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02 and w.dtype == np.float32

    def test_padding_row(self, device):
        emb = nn.Embedding(5, 3, padding_idx=-1, device=device)
        assert emb.padding_idx == 4 and emb.weight[4].tolist() == [0.0, 0.0, 0.0]
        assert repr(emb) == "Embedding(5, 3, padding_idx=4)"
        index = tl.tensor([4, 1, 4, 1], device=device)
        emb(index).sum().backward()
        grad = emb.weight.grad.cpu().numpy()
        np.testing.assert_array_equal(grad[4], 0)
        np.testing.assert_array_equal(grad[1], 2)
        np.testing.assert_array_equal(grad[[0, 2, 3]], 0)

    def test_repeated_indices_accumulate(self, device):
        weight = tl.zeros(3, 2, device=device, requires_grad=True)
        F.embedding(tl.tensor([2, 2, 2, 0], device=device), weight).sum().backward()
        np.testing.assert_array_equal(weight.grad.cpu().numpy(), [[1, 1], [0, 0], [3, 3]])

    def test_errors(self, device):
        emb = nn.Embedding(4, 2, device=device)
        with pytest.raises(IndexError, match=r"embedding: index 4 is out of range for 4 embeddings \(weight of shape "
                                             r"\(4, 2\)\); indices must lie in \[0, 4\)"):
            emb(tl.tensor([0, 4], device=device))
        with pytest.raises(IndexError, match="embedding: index -1 is out of range"):
            emb(tl.tensor([-1], device=device))
        with pytest.raises(TypeError, match=r"embedding: indices must be integers, got a tensor of dtype float32 "
                                            r"\(use .long\(\)\)"):
            emb(tl.tensor([1.0], device=device))
        with pytest.raises(ValueError, match=r"Embedding: padding_idx must be an int in \[-4, 4\)"):
            nn.Embedding(4, 2, padding_idx=4)
        with pytest.raises(ValueError, match="Embedding: invalid embedding_dim 0"):
            nn.Embedding(4, 0)
        with pytest.raises(ValueError, match=r"embedding: weight must have shape \(num_embeddings, embedding_dim\)"):
            F.embedding(tl.tensor([0]), tl.zeros(3))


class TestModuleList:
    def test_list_interface_and_names(self):
        layers = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
        layers.append(nn.Linear(2, 3)).extend([nn.Tanh()])
        layers.insert(1, nn.Identity())
        assert [type(m).__name__ for m in layers] == ["Linear", "Identity", "ReLU", "Linear", "Tanh"]
        assert len(layers) == 5 and isinstance(layers[-2], nn.Linear) and layers[-2].out_features == 3
        assert [name for name, _ in layers.named_children()] == ["0", "1", "2", "3", "4"]
        assert list(layers.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
        sliced = layers[1:3]
        assert isinstance(sliced, nn.ModuleList) and [type(m).__name__ for m in sliced] == ["Identity", "ReLU"]
        del layers[0]
        assert list(layers.state_dict()) == ["2.weight", "2.bias"] and len(layers) == 4
        layers[0] = nn.Linear(1, 1)
        assert list(layers.state_dict())[:2] == ["0.weight", "0.bias"]
        layers += [nn.Sigmoid()]
        assert isinstance(layers[4], nn.Sigmoid)
        del layers[1:3]
        assert [name for name, _ in layers.named_children()] == ["0", "1", "2"]

    def test_registers_parameters_for_a_forward_of_ones_own(self, device):
        class Deep(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList(nn.Linear(3, 3) for _ in range(4))

            def forward(self, x):
                for block in self.blocks:
                    x = block(x).tanh()
                return x

        model = Deep().to(device)
        assert len(list(model.parameters())) == 8 and "blocks.3.bias" in model.state_dict()
        model(tl.ones(2, 3, device=device)).sum().backward()
        assert all(p.grad is not None for p in model.parameters())

    def test_errors(self):
        layers = nn.ModuleList([nn.ReLU()])
        with pytest.raises(IndexError, match="ModuleList: index 3 is out of range for 1 modules"):
            layers[3]
        with pytest.raises(TypeError, match="ModuleList: every entry must be a Module, got int"):
            layers.append(3)
        with pytest.raises(TypeError, match="ModuleList.extend: expected an iterable of Modules, got a ReLU"):
            layers.extend(nn.ReLU())
        with pytest.raises(NotImplementedError, match="ModuleList.forward is not written"):
            layers(tl.zeros(1))


class TestModuleDict:
    def test_dict_interface_and_names(self):
        heads = nn.ModuleDict({"b": nn.Linear(2, 1), "a": nn.ReLU()})
        heads["c"] = nn.Linear(1, 1)
        heads.update([("d", nn.Tanh())])
        assert list(heads) == ["b", "a", "c", "d"] and list(heads.keys()) == ["b", "a", "c", "d"]
        assert "a" in heads and "z" not in heads and len(heads) == 4
        assert list(heads.state_dict()) == ["b.weight", "b.bias", "c.weight", "c.bias"]
        assert [type(m).__name__ for m in heads.values()] == ["Linear", "ReLU", "Linear", "Tanh"]
        assert isinstance(heads.pop("b"), nn.Linear) and list(heads) == ["a", "c", "d"]
        del heads["a"]
        assert [k for k, _ in heads.items()] == ["c", "d"]
        heads.clear()
        assert len(heads) == 0 and list(heads.parameters()) == []

    def test_errors(self):
        heads = nn.ModuleDict()
        with pytest.raises(KeyError, match="ModuleDict: no module named 'x'"):
            heads["x"]
        with pytest.raises(KeyError, match="attribute 'train' already exists"):
            heads["train"] = nn.ReLU()
        with pytest.raises(KeyError, match=r"invalid module name 'a.b'"):
            heads["a.b"] = nn.ReLU()
        with pytest.raises(TypeError, match="ModuleDict: every entry must be a Module, got str"):
            heads["x"] = "relu"
        with pytest.raises(TypeError, match=r"ModuleDict.update: entry 0 should be a \(key, module\) pair"):
            heads.update(["ab"])


class TestPooling:
    def test_avg_pool_values(self, device):
        x = tl.arange(16.0, device=device).reshape(1, 1, 4, 4)
        np.testing.assert_allclose(F.avg_pool2d(x, 2).cpu().numpy()[0, 0], [[2.5, 4.5], [10.5, 12.5]])
        corner_sum = 0 + 1 + 4 + 5
        assert F.avg_pool2d(x, 3, 2, 1)[0, 0, 0, 0].item() == pytest.approx(corner_sum / 9)
        assert F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)[0, 0, 0, 0].item() == pytest.approx(corner_sum / 4)
        layer = nn.AvgPool2d(3, stride=1, padding=1)
        assert layer(x).shape == (1, 1, 4, 4) and layer.count_include_pad
        assert repr(layer) == "AvgPool2d(kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"

    def test_adaptive_windows(self, device):
        x = tl.arange(5.0, device=device).reshape(1, 1, 1, 5)
        # windows [0, 2), [1, 4), [3, 5) for 5 → 3
        np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (1, 3)).cpu().numpy()[0, 0, 0], [0.5, 2.0, 3.5])
        # more outputs than inputs: neighbouring windows share an input
        np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (None, 7)).cpu().numpy()[0, 0, 0],
                                   [0, 0.5, 1.5, 2, 2.5, 3.5, 4])
        images = tl.randn(2, 3, 7, 5, device=device)
        np.testing.assert_allclose(nn.AdaptiveAvgPool2d(1)(images).cpu().numpy()[..., 0, 0],
                                   images.cpu().numpy().mean(axis=(2, 3)), rtol=1e-6, atol=1e-7)
        assert repr(nn.AdaptiveAvgPool2d((2, None))) == "AdaptiveAvgPool2d(output_size=(2, None))"

    def test_errors(self, device):
        with pytest.raises(ValueError, match=r"avg_pool2d: expected an input of shape \(N, C, H, W\), got \(4, 4\)"):
            F.avg_pool2d(tl.zeros(4, 4, device=device), 2)
        with pytest.raises(ValueError, match="avg_pool2d: padding"):
            F.avg_pool2d(tl.zeros(1, 1, 4, 4, device=device), 2, padding=2)
        with pytest.raises(ValueError, match=r"avg_pool2d: a 5×5 window does not fit"):
            F.avg_pool2d(tl.zeros(1, 1, 4, 4, device=device), 5)
        with pytest.raises(ValueError, match="AdaptiveAvgPool2d: output_size must be a positive int"):
            nn.AdaptiveAvgPool2d(0)
        with pytest.raises(ValueError, match="adaptive_avg_pool2d: output_size must be a positive int"):
            F.adaptive_avg_pool2d(tl.zeros(1, 1, 2, 2, device=device), (1, 2, 3))
        with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: expected an input of shape \(N, C, H, W\)"):
            F.adaptive_avg_pool2d(tl.zeros(2, 2, 2, device=device), 1)


class TestActivations:
    def test_leaky_relu(self, device):
        x = tl.tensor([-2.0, 0.0, 3.0], device=device, requires_grad=True)
        y = nn.LeakyReLU()(x)
        np.testing.assert_allclose(y.cpu().numpy(), [-0.02, 0.0, 3.0], rtol=1e-6)
        y.sum().backward()
        np.testing.assert_allclose(x.grad.cpu().numpy(), [0.01, 0.01, 1.0], rtol=1e-6)  # slope at 0, as PyTorch
        assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"

    def test_gelu_closed_forms(self, device):
        x = tl.tensor([-3.0, -1.0, 0.0, 0.5, 2.0], dtype=tl.float64, device=device)
        phi = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.cpu().numpy()])
        np.testing.assert_allclose(nn.GELU()(x).cpu().numpy(), x.cpu().numpy() * phi, rtol=1e-15)
        tanh_form = nn.GELU(approximate="tanh")(x).cpu().numpy()
        np.testing.assert_allclose(tanh_form, x.cpu().numpy() * phi, atol=1e-3)  # the approximation is close
        assert not np.allclose(tanh_form, x.cpu().numpy() * phi, rtol=1e-9, atol=0)  # but not the same
        assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
        x = tl.tensor([0.0], dtype=tl.float64, device=device, requires_grad=True)
        (g,) = tl.grad(F.gelu(x).sum(), x)
        assert g.item() == 0.5  # Φ(0) + 0 · φ(0)

    def test_silu(self, device):
        x = tl.tensor([-1.0, 0.0, 2.0], dtype=tl.float64, device=device, requires_grad=True)
        x_np = x.cpu().numpy()
        np.testing.assert_allclose(nn.SiLU()(x).cpu().numpy(), x_np / (1 + np.exp(-x_np)), rtol=1e-15)
        (g,) = tl.grad(F.silu(x).sum(), x)
        s = 1 / (1 + np.exp(-x.cpu().numpy()))
        np.testing.assert_allclose(g.cpu().numpy(), s * (1 + x.cpu().numpy() * (1 - s)), rtol=1e-14)

    def test_errors(self):
        with pytest.raises(ValueError, match="GELU: approximate must be 'none' or 'tanh', got 'erf'"):
            nn.GELU("erf")
        with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh'"):
            F.gelu(tl.zeros(1), approximate="fast")


def test_public_names():
    for name in ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "ModuleList", "ModuleDict", "AvgPool2d",
                 "AdaptiveAvgPool2d", "LeakyReLU", "GELU", "SiLU"]:
        assert name in nn.__all__ and hasattr(nn, name)
    for name in ["batch_norm", "layer_norm", "embedding", "avg_pool2d", "adaptive_avg_pool2d", "leaky_relu", "gelu",
                 "silu"]:
        assert name in F.__all__ and callable(getattr(F, name))
    assert tl.erf is tl.ops.erf
