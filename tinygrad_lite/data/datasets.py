"""Data sets that load with no network: small synthetic problems for the demos, and real handwritten digits.

Every function returns NumPy arrays ``(X, y)``: features in the default float dtype (float32 unless
``tl.set_default_dtype`` changed it) and labels as int64 (classification) or floats (regression). Wrap
them in a ``TensorDataset`` to train. ``seed=None`` draws from the generator ``tl.manual_seed`` seeds.

- synthetic classification: :func:`spirals`, :func:`moons`, :func:`two_gaussians`
- the lecture's small regression problems: :func:`linear_regression` (F10), :func:`pokemon_cp` (F25)
- real data: :func:`load_digits` (scikit-learn's bundled 8×8 digits, ``pip install "tinygrad_lite[data]"``),
  :func:`load_idx` and :func:`load_mnist` for MNIST-format IDX files already on disk
- :func:`train_val_test_split` to hold out validation and test examples
"""

from __future__ import annotations

import gzip
import os
import zlib
from typing import Any

import numpy as np

from .. import backend, dtypes


def _rng(seed: int | None) -> np.random.Generator:
    """A generator for ``seed``, or the library's own (seeded by ``tl.manual_seed``) when ``seed`` is None."""
    return backend.host_rng() if seed is None else np.random.default_rng(seed)


def _features(X: np.ndarray) -> np.ndarray:
    return X.astype(dtypes.get_default_dtype())


def _check_count(who: str, name: str, value: Any, low: int = 1) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise ValueError(f"{who}: invalid {name} {value!r}; expected an integer >= {low}")


def _check_spread(who: str, name: str, value: Any) -> None:
    """A standard deviation (noise, std): a finite number >= 0."""
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool) \
            or not np.isfinite(value) or value < 0:
        raise ValueError(f"{who}: invalid {name} {value!r}; expected a number >= 0")


# --- synthetic classification -------------------------------------------------------------------


def spirals(n_per_class: int = 100, n_classes: int = 2, noise: float = 0.2, turns: float = 1.0,
            seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms in 2-D, one per class: not linearly separable, easy to plot.

    Arm c starts at the origin and winds ``turns`` times outward; ``noise`` is the standard deviation of
    the angle jitter. Returns ``X`` of shape (n_per_class · n_classes, 2) and ``y`` (int64 labels).

    >>> X, y = spirals(n_per_class=50, n_classes=3, seed=0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((150, 2), (150,), [0, 1, 2])
    """
    _check_count("spirals", "n_per_class", n_per_class)
    _check_count("spirals", "n_classes", n_classes)
    _check_spread("spirals", "noise", noise)
    rng = _rng(seed)
    radius = np.tile(np.linspace(0.05, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    angle = 2 * np.pi * (turns * radius + y / n_classes) + noise * rng.standard_normal(radius.shape)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return _features(X), y.astype(np.int64)


def moons(n: int = 200, noise: float = 0.1, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (as scikit-learn's ``make_moons``), n // 2 points each plus Gaussian noise.

    >>> X, y = moons(n=100, seed=0)
    >>> X.shape, int(y.sum())
    ((100, 2), 50)
    """
    _check_count("moons", "n", n, 2)
    _check_spread("moons", "noise", noise)
    rng = _rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    upper = np.linspace(0, np.pi, n_upper)
    lower = np.linspace(0, np.pi, n_lower)
    X = np.concatenate([np.stack([np.cos(upper), np.sin(upper)], axis=1),
                        np.stack([1 - np.cos(lower), 0.5 - np.sin(lower)], axis=1)])
    X += noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    return _features(X), y


def two_gaussians(n_per_class: int = 100, distance: float = 3.0, std: float = 1.0, dim: int = 2,
                  seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs in ``dim`` dimensions, ``distance`` apart along the first axis: class 0 and 1.

    The simplest classification problem: a linear boundary separates them up to their overlap.

    >>> X, y = two_gaussians(n_per_class=10, seed=0)
    >>> X.shape, y.tolist().count(1)
    ((20, 2), 10)
    """
    _check_count("two_gaussians", "n_per_class", n_per_class)
    _check_count("two_gaussians", "dim", dim)
    _check_spread("two_gaussians", "std", std)
    rng = _rng(seed)
    y = np.repeat(np.arange(2), n_per_class)
    centers = np.zeros((2, dim))
    centers[:, 0] = [-distance / 2, distance / 2]
    X = centers[y] + std * rng.standard_normal((2 * n_per_class, dim))
    return _features(X), y.astype(np.int64)


# --- the lecture's regression problems ----------------------------------------------------------


def linear_regression(n: int = 20, w: float = 2.0, b: float = 1.0, noise: float = 0.3,
                      seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The batch-size example of F10: x ~ U(−1, 1), y = w·x + b + noise·N(0, 1), as columns (n, 1).

    >>> x, y = linear_regression(seed=0)
    >>> x.shape, y.shape
    ((20, 1), (20, 1))
    """
    _check_count("linear_regression", "n", n)
    _check_spread("linear_regression", "noise", noise)
    rng = _rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1))
    y = w * x + b + noise * rng.standard_normal((n, 1))
    return _features(x), _features(y)


def pokemon_cp() -> tuple[np.ndarray, np.ndarray]:
    """The 10 Pokémon of the lecture's regression demo (F25): combat power before (x) and after (y)
    evolution, for the model y = b + w·x. Returned as float64 columns (10, 1): the loss surface is so
    stretched (Hessian eigenvalues 5.6 and 1.8e6) that float32 is not enough for its slow directions.

    >>> x, y = pokemon_cp()
    >>> x[:3, 0].tolist(), y[:3, 0].tolist()
    ([338.0, 333.0, 328.0], [640.0, 633.0, 619.0])
    """
    x = np.array([338, 333, 328, 207, 226, 25, 179, 60, 208, 606], dtype=np.float64)
    y = np.array([640, 633, 619, 393, 428, 27, 193, 66, 226, 1591], dtype=np.float64)
    return x[:, None], y[:, None]


# --- real data ----------------------------------------------------------------------------------


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled handwritten digits: 1797 images of 8×8 pixels, flattened to 64 features
    scaled to [0, 1] (the raw values are 0 … 16), and labels 0 … 9. Ships with scikit-learn, no download.

    Needs the optional extra: ``pip install "tinygrad_lite[data]"``.

    >>> X, y = load_digits()                            # doctest: +SKIP
    >>> X.shape, y.shape                                # doctest: +SKIP
    ((1797, 64), (1797,))
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError('load_digits needs scikit-learn, which is not installed; install the optional extra '
                          'with: pip install "tinygrad_lite[data]"') from error
    digits = sklearn_load_digits()
    return _features(digits.data / 16.0), digits.target.astype(np.int64)


# IDX type codes (third byte of the magic number) -> big-endian NumPy dtypes
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (the format of MNIST, Fashion-MNIST, EMNIST ...), plain or gzip-compressed.

    The format: two zero bytes, a type code, the number of dimensions n, then n big-endian int32 sizes,
    then the values, big-endian, in C order. Returns the array in its stored dtype (native byte order).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny-idx1-ubyte")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]))
    >>> load_idx(path)
    array([7, 8, 9], dtype=uint8)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":  # the gzip magic number: MNIST is usually distributed as .gz
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"load_idx: {path}: corrupted gzip data, damaged or cut short ({error})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"load_idx: {path} is not an IDX file (it must start with 0x00 0x00, a type code among "
                         f"{[hex(code) for code in _IDX_DTYPES]} and the number of dimensions)")
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"load_idx: {path} is truncated: its header announces {ndim} dimensions")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"load_idx: {path} holds {len(raw) - header} bytes of data, but its header announces "
                         f"shape {shape} of {dtype.str} ({expected} bytes)")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


_MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def load_mnist(directory: str | os.PathLike, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST (or any data set in its file layout) from IDX files already in ``directory``; nothing is downloaded.

    Reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte`` (``split="train"``) or the
    ``t10k-...`` pair (``split="test"``), each plain or with ``.gz``. Returns images flattened to
    (n, rows·cols) and scaled to [0, 1], and int64 labels.
    """
    if split not in _MNIST_FILES:
        raise ValueError(f"load_mnist: invalid split {split!r}; expected 'train' or 'test'")
    directory = os.fspath(directory)
    found = []
    for name in _MNIST_FILES[split]:
        candidates = [os.path.join(directory, name + suffix) for suffix in ("", ".gz")]
        existing = [c for c in candidates if os.path.exists(c)]
        if not existing:
            raise FileNotFoundError(f"load_mnist: found neither {name} nor {name}.gz in {directory}; "
                                    "download the MNIST files there first (this loader never downloads)")
        found.append(existing[0])
    images, labels = load_idx(found[0]), load_idx(found[1])
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"load_mnist: {found[0]} has shape {images.shape} and {found[1]} shape {labels.shape}; "
                         "expected (n, rows, cols) images and n labels")
    return _features(images.reshape(len(images), -1) / 255.0), labels.astype(np.int64)


# --- splitting ----------------------------------------------------------------------------------


def train_val_test_split(*arrays: np.ndarray, val_fraction: float = 0.1, test_fraction: float = 0.1,
                         seed: int | None = None) -> tuple[tuple[np.ndarray, ...], ...]:
    """Shuffle the examples once and cut them into training, validation and test parts.

    All arrays are split with the same permutation (so X and y stay paired). The validation and test
    parts get round(fraction · n) examples each, the training part the rest. Returns
    ``(train, val, test)``, each a tuple of arrays in the order given.

    >>> import numpy as np
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(
    ...     X, y, val_fraction=0.2, test_fraction=0.1, seed=0)
    >>> len(y_train), len(y_val), len(y_test)
    (7, 2, 1)
    >>> bool((X_val[:, 0] == 2 * y_val).all())             # rows stay paired
    True
    """
    if not arrays:
        raise ValueError("train_val_test_split: expected at least one array")
    arrays = tuple(np.asarray(a) if isinstance(a, (list, tuple)) else a for a in arrays)
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"train_val_test_split: the arrays have different lengths {lengths}")
    for name, fraction in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0 <= fraction < 1:
            raise ValueError(f"train_val_test_split: invalid {name} {fraction!r}; expected 0 <= fraction < 1")
    n = lengths[0]
    n_val, n_test = round(val_fraction * n), round(test_fraction * n)
    if n_val + n_test >= n:
        raise ValueError(f"train_val_test_split: val_fraction={val_fraction} and test_fraction={test_fraction} "
                         f"leave no training examples out of {n}")
    order = _rng(seed).permutation(n)
    parts = (order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test])
    return tuple(tuple(a[part] for a in arrays) for part in parts)
