"""The bundled data sets: synthetic sets, IDX/MNIST files written by the test, digits, splitting."""

from __future__ import annotations

import gzip
import struct
import sys

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.data import datasets

SYNTHETIC = {
    "spirals": (lambda seed: datasets.spirals(n_per_class=30, n_classes=3, seed=seed), 90, 3),
    "moons": (lambda seed: datasets.moons(n=61, seed=seed), 61, 2),
    "two_gaussians": (lambda seed: datasets.two_gaussians(n_per_class=25, dim=4, seed=seed), 50, 2),
}


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_classification_sets(name):
    make, n, classes = SYNTHETIC[name]
    X, y = make(0)
    assert X.shape[0] == y.shape[0] == n and X.dtype == tl.get_default_dtype() and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(classes))
    assert np.isfinite(X).all()
    X2, y2 = make(0)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, make(1)[0])
    tl.manual_seed(5)
    X3, _ = make(None)
    tl.manual_seed(5)
    np.testing.assert_array_equal(X3, make(None)[0])  # seed=None follows tl.manual_seed


def test_features_follow_the_default_dtype():
    tl.set_default_dtype(tl.float64)
    X, _ = datasets.moons(n=10, seed=0)
    assert X.dtype == np.float64


def test_two_gaussians_are_centred_apart():
    X, y = datasets.two_gaussians(n_per_class=2000, distance=4.0, std=0.5, seed=0)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2.0, 0.0], atol=0.05)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2.0, 0.0], atol=0.05)


def test_linear_regression_is_the_lecture_line():
    x, y = datasets.linear_regression(n=5000, noise=0.3, seed=0)
    assert x.shape == y.shape == (5000, 1) and (np.abs(x) <= 1).all()
    slope, intercept = np.polyfit(x[:, 0], y[:, 0], 1)
    assert slope == pytest.approx(2.0, abs=0.05) and intercept == pytest.approx(1.0, abs=0.05)


def test_pokemon_cp_has_the_lecture_optimum():
    """F25: the least-squares fit of y = b + w·x is (b, w) = (−188.43, 2.669)."""
    x, y = datasets.pokemon_cp()
    assert x.shape == y.shape == (10, 1) and x.dtype == np.float64
    w, b = np.polyfit(x[:, 0], y[:, 0], 1)
    assert b == pytest.approx(-188.43, abs=0.01) and w == pytest.approx(2.669, abs=0.001)


# --- IDX files ------------------------------------------------------------------------------------


def write_idx(path, array: np.ndarray, code: int, compress: bool = False) -> None:
    big_endian = array.astype(array.dtype.newbyteorder(">"))
    raw = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape) + big_endian.tobytes()
    with (gzip.open if compress else open)(path, "wb") as f:
        f.write(raw)


@pytest.mark.parametrize("dtype, code", [(np.uint8, 0x08), (np.int8, 0x09), (np.int16, 0x0B), (np.int32, 0x0C),
                                         (np.float32, 0x0D), (np.float64, 0x0E)])
@pytest.mark.parametrize("compress", [False, True])
def test_load_idx_round_trip(tmp_path, dtype, code, compress):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if dtype != np.uint8 else np.arange(24, dtype=dtype)
    path = tmp_path / ("data.idx.gz" if compress else "data.idx")
    write_idx(path, array, code, compress)
    loaded = datasets.load_idx(path)
    assert loaded.dtype == np.dtype(dtype) and loaded.dtype.isnative
    np.testing.assert_array_equal(loaded, array)


def test_load_idx_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.idx"
    bad.write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(ValueError, match=f"{bad} is not an IDX file"):
        datasets.load_idx(bad)
    short = tmp_path / "short.idx"
    short.write_bytes(bytes([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]))
    with pytest.raises(ValueError, match=r"holds 2 bytes of data, but its header announces shape \(5,\)"):
        datasets.load_idx(short)
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"\x1f\x8b" + b"garbage")
    with pytest.raises(ValueError, match="corrupted gzip data"):
        datasets.load_idx(broken)
    with pytest.raises(FileNotFoundError, match="missing.idx"):
        datasets.load_idx(tmp_path / "missing.idx")


def test_load_mnist_reads_the_standard_file_names(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(6, 4, 5), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images, 0x08, compress=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels, 0x08)
    X, y = datasets.load_mnist(tmp_path)
    assert X.shape == (6, 20) and X.dtype == tl.get_default_dtype() and y.dtype == np.int64
    np.testing.assert_allclose(X, images.reshape(6, -1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    with pytest.raises(FileNotFoundError, match="found neither t10k-images-idx3-ubyte nor"):
        datasets.load_mnist(tmp_path, split="test")
    with pytest.raises(ValueError, match="invalid split 'val'"):
        datasets.load_mnist(tmp_path, split="val")


# --- digits ---------------------------------------------------------------------------------------


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0 and sorted(set(y.tolist())) == list(range(10))


def test_load_digits_without_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes "import sklearn..." raise ImportError
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_lite\[data\]"'):
        datasets.load_digits()


# --- splitting ------------------------------------------------------------------------------------


def test_train_val_test_split_partitions_and_keeps_rows_paired():
    X, y = np.arange(200).reshape(100, 2), np.arange(100)
    train, val, test = datasets.train_val_test_split(X, y, val_fraction=0.15, test_fraction=0.25, seed=0)
    assert [len(part[1]) for part in (train, val, test)] == [60, 15, 25]
    together = np.concatenate([train[1], val[1], test[1]])
    assert sorted(together.tolist()) == list(range(100))
    for Xp, yp in (train, val, test):
        np.testing.assert_array_equal(Xp[:, 0], 2 * yp)
    again = datasets.train_val_test_split(X, y, val_fraction=0.15, test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(again[1][1], val[1])
    other = datasets.train_val_test_split(X, y, val_fraction=0.15, test_fraction=0.25, seed=1)
    assert not np.array_equal(other[1][1], val[1])
    no_test = datasets.train_val_test_split(y, val_fraction=0.2, test_fraction=0.0, seed=0)
    assert [len(part[0]) for part in no_test] == [80, 20, 0]


def test_train_val_test_split_errors():
    with pytest.raises(ValueError, match=r"different lengths \[3, 4\]"):
        datasets.train_val_test_split(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="invalid val_fraction 1.5"):
        datasets.train_val_test_split(np.zeros(10), val_fraction=1.5)
    with pytest.raises(ValueError, match="leave no training examples"):
        datasets.train_val_test_split(np.zeros(10), val_fraction=0.5, test_fraction=0.5)
