"""tl.save / tl.load: state dicts through .npz files, never pickle, with clear errors naming the path."""

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
    assert all(t.device == "cpu" and not t.requires_grad for t in loaded.values())

    tl.manual_seed(1)
    other = make_model().to(device)
    x = tl.randn(3, 1, 4, 4, device=device)
    assert not np.allclose(other(x).numpy(), model(x).numpy())
    other.load_state_dict(loaded)
    np.testing.assert_array_equal(other(x).numpy(), model(x).numpy())


def test_file_is_plain_numpy_and_keeps_dtypes(tmp_path):
    path = tmp_path / "weights"  # written at exactly this path, no ".npz" appended
    tl.save({"w": tl.tensor([[1.0, 2.0]], dtype=tl.float64), "steps": tl.tensor(7), "flag": np.array(True),
             "lr": 0.5}, path)
    assert path.exists()
    with np.load(path, allow_pickle=False) as archive:
        assert archive["w"].dtype == np.float64 and archive["steps"] == 7
    loaded = tl.load(str(path))
    assert loaded["w"].dtype == tl.float64 and loaded["steps"].dtype == tl.int64
    assert loaded["flag"].item() is True and loaded["lr"].item() == 0.5


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
        np.testing.assert_array_equal(loaded[name].numpy(), tensor.numpy(), err_msg=name)


def test_names_clashing_with_numpy_parameters_read_by_plain_numpy(tmp_path, device):
    state = clashing_state(device)
    path = tmp_path / "model.npz"
    tl.save(state, path)
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == list(state)
        for name, tensor in state.items():
            assert archive[name].dtype == tensor.numpy().dtype, name
            np.testing.assert_array_equal(archive[name], tensor.numpy(), err_msg=name)


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(OSError, match="nowhere.npz"):
        tl.load(path)


@pytest.mark.parametrize("content", [b"", b"this is not a zip archive", b"PK\x03\x04 truncated"])
def test_corrupt_file_names_the_path(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"load: '.*broken.npz' is not a valid .npz state dict"):
        tl.load(path)


def test_single_array_file_is_refused(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="array.npy' is not a valid .npz state dict"):
        tl.load(path)


def test_pickled_objects_are_refused(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="objects.npz"):
        tl.load(path)


def test_save_refuses_what_is_not_numbers(tmp_path):
    with pytest.raises(TypeError, match="save: entry 'name' has dtype <U5"):
        tl.save({"name": "hello"}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="save: expected a state dict"):
        tl.save([tl.zeros(2)], tmp_path / "x.npz")
    with pytest.raises(TypeError, match="save: keys must be strings"):
        tl.save({1: tl.zeros(2)}, tmp_path / "x.npz")
