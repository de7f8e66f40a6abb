"""tl.save / tl.load of whole checkpoints: nested structures, devices and map_location, tl.get_rng_state,
files of earlier versions, and the atomic write."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import serialization


def checkpoint(device):
    """Every kind of value a checkpoint may hold, nested."""
    return {
        "model": {"0.weight": tl.randn(2, 3, device=device), "0.bias": tl.zeros(2, dtype=tl.float64, device=device)},
        "param": tl.tensor([1.5, -2.0], requires_grad=True, device=device),
        "state": {0: {"m": tl.backend.array_module(device).ones(3, dtype=np.float32), "step": 7, "lr": 0.1},
                  1: {"flag": np.array([True, False])}},
        "betas": (0.9, 0.999),
        "numbers": [1, 2.5, -0.0, float("inf"), True, False, None, 2 ** 100],
        "numpy_scalars": (np.float32(0.25), np.int64(-3), np.bool_(True)),
        "text": "épochs ✓",
        "empty": [[], (), {}],
        "ints": np.arange(4, dtype=np.int32),
        "half": tl.tensor([1.0, 2.0], dtype=tl.float16, device=device),
        "scalar_tensor": tl.tensor(3.0, device=device),
    }


def assert_same(a, b, where="obj"):
    """Equal values of equal types all the way down (arrays and tensors: dtype, shape, device, contents)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, tl.Tensor):
        assert (a.dtype, a.shape, a.device, a.requires_grad) == (b.dtype, b.shape, b.device, b.requires_grad), where
        np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy(), err_msg=where)
    elif tl.backend.is_backend_array(a):
        assert (a.dtype, a.shape, tl.backend.device_of(a)) == (b.dtype, b.shape, tl.backend.device_of(b)), where
        np.testing.assert_array_equal(tl.backend.to_host(a), tl.backend.to_host(b), err_msg=where)
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert type(key) is type(next(k for k in b if k == key)), f"{where}: key {key!r}"
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b and (not isinstance(a, float) or np.signbit(a) == np.signbit(b)), where


def test_every_kind_of_value_round_trips(tmp_path, device):
    obj = checkpoint(device)
    tl.save(obj, tmp_path / "run.ckpt")
    assert_same(tl.load(tmp_path / "run.ckpt"), obj)


@pytest.mark.parametrize("top", [[tl.zeros(2), 3], (1, "a"), 5, None, "text", tl.ones(2)])
def test_any_supported_value_may_be_the_top(tmp_path, top):
    tl.save(top, tmp_path / "x")
    assert_same(tl.load(tmp_path / "x"), top)


def test_members_are_named_by_their_place_and_read_by_plain_numpy(tmp_path, device):
    obj = {"model": {"0.weight": tl.ones(2, device=device)}, "optimizer": {"state": {0: {"m": np.zeros(3)}}},
           "odd keys": {"../x": np.ones(1), "a/b": np.ones(1), "": np.ones(1), "a.": {".b": np.ones(1)}}}
    tl.save(obj, tmp_path / "run.ckpt")
    with np.load(tmp_path / "run.ckpt", allow_pickle=False) as archive:
        assert archive.files == ["tinygrad_lite.json", "model.0.weight", "optimizer.state.0.m", "odd_keys._x",
                                 "odd_keys.a_b", "odd_keys._", "odd_keys.a.b"]
        np.testing.assert_array_equal(archive["model.0.weight"], np.ones(2, dtype=np.float32))
    assert list(tl.load(tmp_path / "run.ckpt")["odd keys"]) == ["../x", "a/b", "", "a."]


def test_names_that_collide_get_distinct_members(tmp_path):
    obj = {"a.b": np.zeros(1), "a": {"b": np.ones(1)}}
    tl.save(obj, tmp_path / "x")
    with zipfile.ZipFile(tmp_path / "x") as archive:
        assert archive.namelist() == ["tinygrad_lite.json", "a.b.npy", "a.b-2.npy"]
    assert_same(tl.load(tmp_path / "x"), obj)


def test_optimizer_state_keeps_int_keys_and_tuples(tmp_path, device):
    w = tl.randn(3, requires_grad=True, device=device)
    opt = tl.optim.Adam([w], lr=0.1, betas=(0.8, 0.9), amsgrad=True)
    (w * w).sum().backward()
    opt.step()
    tl.save(opt.state_dict(), tmp_path / "opt")
    loaded = tl.load(tmp_path / "opt")
    assert list(loaded["state"]) == [0] and loaded["param_groups"][0]["betas"] == (0.8, 0.9)
    assert tl.backend.device_of(loaded["state"][0]["m"]) == device  # state arrays stay on their device
    fresh = tl.optim.Adam([w], lr=0.1)
    fresh.load_state_dict(loaded)
    assert fresh.param_groups[0]["amsgrad"] is True


@pytest.mark.parametrize("map_location", ["cpu", {"cuda": "cpu"}, {"cpu": "cpu"}])
def test_map_location_moves_tensors_and_arrays(tmp_path, device, map_location):
    tl.save({"t": tl.ones(2, device=device), "a": tl.backend.array_module(device).zeros(2)}, tmp_path / "x")
    loaded = tl.load(tmp_path / "x", map_location=map_location)
    target = map_location if isinstance(map_location, str) else map_location.get(device, device)  # as in PyTorch
    assert loaded["t"].device == target and tl.backend.device_of(loaded["a"]) == target


@pytest.mark.skipif(not tl.cuda.is_available(), reason="needs CuPy and a GPU")
def test_map_location_cuda(tmp_path):
    tl.save({"t": tl.ones(2), "a": np.zeros(2)}, tmp_path / "x")
    loaded = tl.load(tmp_path / "x", map_location="cuda")
    assert loaded["t"].device == "cuda" and tl.backend.device_of(loaded["a"]) == "cuda"


def test_bad_map_location_is_refused_before_reading(tmp_path):
    tl.save({"t": tl.ones(2)}, tmp_path / "x")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        tl.load(tmp_path / "x", map_location="tpu")
    with pytest.raises(ValueError, match="invalid map_location entry 'gpu'"):
        tl.load(tmp_path / "x", map_location={"gpu": "cpu"})
    with pytest.raises(TypeError, match="map_location must be None, a device name or a dict"):
        tl.load(tmp_path / "x", map_location=0)


def test_files_of_earlier_versions_still_load(tmp_path):
    """A flat archive of arrays without a structure member (tl.save before checkpoints, or np.savez)."""
    np.savez(tmp_path / "old.npz", **{"0.weight": np.ones((2, 2), dtype=np.float32), "steps": np.array(3)})
    loaded = tl.load(tmp_path / "old.npz")
    assert list(loaded) == ["0.weight", "steps"]
    assert isinstance(loaded["0.weight"], tl.Tensor) and loaded["steps"].item() == 3


def test_rng_state_round_trips_through_a_file(tmp_path):
    tl.manual_seed(3)
    tl.randn(5)
    tl.save({"rng": tl.get_rng_state()}, tmp_path / "rng")
    expected = tl.randn(4).numpy()
    tl.manual_seed(99)
    tl.set_rng_state(tl.load(tmp_path / "rng")["rng"])
    np.testing.assert_array_equal(tl.randn(4).numpy(), expected)


def test_rng_state_is_a_copy_and_bad_states_are_refused():
    state = tl.get_rng_state()
    state["state"]["state"] = 0  # changing the copy does not change the generator
    assert tl.get_rng_state() != state
    with pytest.raises(ValueError, match="set_rng_state: expected a state from tl.get_rng_state"):
        tl.set_rng_state({"bit_generator": "os.system"})
    with pytest.raises(ValueError, match="set_rng_state: expected a state"):
        tl.set_rng_state([1, 2])
    with pytest.raises(ValueError, match="set_rng_state: invalid PCG64 state"):
        tl.set_rng_state({"bit_generator": "PCG64", "state": "nope"})


def test_a_failed_save_keeps_the_old_checkpoint_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "run.ckpt"
    tl.save({"epoch": 1}, path)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(serialization.np.lib.format, "write_array", disk_full)
    with pytest.raises(OSError, match=r"save: cannot write .*run.ckpt.*No space left on device"):
        tl.save({"epoch": 2, "w": tl.zeros(3)}, path)
    assert os.listdir(tmp_path) == ["run.ckpt"]
    assert tl.load(path) == {"epoch": 1}


def test_save_into_a_missing_directory_names_the_path(tmp_path):
    with pytest.raises(OSError, match="save: cannot write .*nowhere"):
        tl.save({"a": 1}, tmp_path / "nowhere" / "x.ckpt")
