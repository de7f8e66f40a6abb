"""tl.save / tl.load with module state dicts: .npz-layout files, never pickle, clear errors naming the path."""

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn


def make_model():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2))


def test_state_dict_round_trip_through_a_file(tmp_path, device):
    tl.manual_seed(0)
    model = make_model().to(device)
    path = tmp_path / "model.npz"
    tl.save(model.state_dict(), path)
    loaded = tl.load(path)
    assert list(loaded) == list(model.state_dict())
    assert all(t.device == device and not t.requires_grad for t in loaded.values())  # where they were saved

    tl.manual_seed(1)
    other = make_model().to(device)
    x = tl.randn(3, 1, 4, 4, device=device)
    assert not np.allclose(other(x).cpu().numpy(), model(x).cpu().numpy())
    other.load_state_dict(loaded)
    np.testing.assert_array_equal(other(x).cpu().numpy(), model(x).cpu().numpy())


def test_file_is_plain_numpy_and_keeps_dtypes(tmp_path):
    path = tmp_path / "weights"  # written at exactly this path, no ".npz" appended
    tl.save({"w": tl.tensor([[1.0, 2.0]], dtype=tl.float64), "steps": tl.tensor(7), "flag": np.array(True),
             "lr": 0.5}, path)
    assert path.exists()
    with np.load(path, allow_pickle=False) as archive:
        assert archive["w"].dtype == np.float64 and archive["steps"] == 7
    loaded = tl.load(str(path))
    assert loaded["w"].dtype == tl.float64 and loaded["steps"].dtype == tl.int64
    assert isinstance(loaded["flag"], np.ndarray) and loaded["flag"].item() is True  # an array stays an array
    assert type(loaded["lr"]) is float and loaded["lr"] == 0.5  # and a number a number


def clashing_state(device):
    """Entries named like np.savez's own parameters ("file", "allow_pickle", "args") next to a usual one."""
    return {"file": tl.tensor([[1.5, -2.0]], dtype=tl.float64, device=device),
            "allow_pickle": tl.tensor([True, False], device=device),
            "args": tl.tensor([3, 4, 5], dtype=tl.int32, device=device),
            "0.weight": tl.randn(2, 3, device=device)}


def test_names_clashing_with_numpy_parameters_round_trip(tmp_path, device):
    state = clashing_state(device)
    path = tmp_path / "model.npz"
    tl.save(state, path)
    loaded = tl.load(path)
    assert list(loaded) == list(state)
    for name, tensor in state.items():
        assert loaded[name].dtype == tensor.dtype, name
        np.testing.assert_array_equal(loaded[name].cpu().numpy(), tensor.cpu().numpy(), err_msg=name)


def test_names_clashing_with_numpy_parameters_read_by_plain_numpy(tmp_path, device):
    state = clashing_state(device)
    path = tmp_path / "model.npz"
    tl.save(state, path)
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == ["tinygrad_lite.json", *state]  # the structure, then one array per entry
        for name, tensor in state.items():
            assert archive[name].dtype == tensor.cpu().numpy().dtype, name
            np.testing.assert_array_equal(archive[name], tensor.cpu().numpy(), err_msg=name)


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(OSError, match="nowhere.npz"):
        tl.load(path)


@pytest.mark.parametrize("content", [b"", b"this is not a zip archive", b"PK\x03\x04 truncated"])
def test_corrupt_file_names_the_path(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"load: '.*broken.npz' is not a valid checkpoint written by tl.save"):
        tl.load(path)


def test_single_array_file_is_refused(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="array.npy' is not a valid checkpoint"):
        tl.load(path)


def test_pickled_objects_are_refused(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="objects.npz"):
        tl.load(path)


def test_save_refuses_what_it_cannot_store_naming_the_entry(tmp_path):
    with pytest.raises(TypeError, match=r"save: obj\['name'\] has dtype <U5; only arrays of numbers"):
        tl.save({"name": np.array("hello")}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match=r"save: obj\['fn'\]\[1\] is a function, which cannot be saved"):
        tl.save({"fn": [1, lambda k: k]}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match=r"save: obj has the key 1.5; keys must be strings or ints"):
        tl.save({1.5: tl.zeros(2)}, tmp_path / "x.npz")
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"save: obj\[0\] contains itself"):
        tl.save(loop, tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists() and not list(tmp_path.iterdir())  # no file, no temporary left
