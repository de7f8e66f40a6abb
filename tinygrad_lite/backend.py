"""Devices and array modules: "cpu" is NumPy, "cuda" is CuPy.

Every op works on raw arrays through the *array module* of its inputs (``numpy`` or ``cupy``), never
through ``numpy`` directly, so the same code runs on both devices. CuPy is imported only when a
"cuda" array is first asked for, so NumPy is the only hard dependency.

Random numbers are always drawn on the host from one seeded generator and then moved to the device,
so ``tl.manual_seed(0)`` gives the same numbers on "cpu" and "cuda".

With ``TL_CUDASIM=1`` in the environment, "cuda" is the CUDA simulator (``tinygrad_lite._cudasim``, a
CPU stand-in for CuPy with CuPy's rules, for testing without a GPU) instead of CuPy.
"""

from __future__ import annotations

import copy
import os

import numpy as np

DEVICES = ("cpu", "cuda")


class device(str):  # noqa: N801  (PyTorch's name: tl.device as torch.device)
    """A device, as ``torch.device``: ``tl.device("cuda")``, ``tl.device("cuda:0")`` or ``tl.device("cuda", 0)``
    (one GPU: index 0), ``tl.device("cpu")``. It is the string of its type, so ``x.device == "cuda"``
    holds, and it has PyTorch's ``.type`` and ``.index``.

    >>> import tinygrad_lite as tl
    >>> d = tl.tensor([1.0]).device
    >>> d == "cpu", d.type, d.index, tl.device("cuda:0") == "cuda"
    (True, 'cpu', None, True)
    """

    def __new__(cls, spec, index: int | None = None):
        if isinstance(spec, device) and index is None:
            return spec
        name, _, written_index = str(spec).partition(":")
        if name not in DEVICES:
            raise ValueError(f"unknown device {str(spec)!r}: expected one of {DEVICES}")
        if written_index:
            index = int(written_index) if written_index.isdigit() else -1
        if index is not None and (name == "cpu" or index != 0):
            raise ValueError(f"unknown device {str(spec) if written_index else f'{name}:{index}'!r}: "
                             "tinygrad_lite has one GPU, 'cuda' (index 0), and 'cpu' has no index")
        return _CANONICAL[name]

    @property
    def type(self) -> str:
        return str(self)

    @property  # PyTorch's attribute, in place of str.index
    def index(self) -> int | None:  # type: ignore[override]
        return 0 if self == "cuda" else None

    def __repr__(self) -> str:
        return "device(type='cuda', index=0)" if self == "cuda" else "device(type='cpu')"

    def __reduce__(self):
        return device, (str(self),)


_CANONICAL = {name: str.__new__(device, name) for name in DEVICES}
CPU, CUDA = _CANONICAL["cpu"], _CANONICAL["cuda"]

_cupy = None  # the cupy module once imported
_cupy_error: Exception | None = None  # why importing it failed, if it did
_rng = np.random.default_rng()


def _import_cupy():
    """Import CuPy on first use; return None (and remember why) when it is not usable."""
    global _cupy, _cupy_error
    if _cupy is None and _cupy_error is None:
        try:
            if os.environ.get("TL_CUDASIM") == "1":
                from . import _cudasim as cupy
            else:
                import cupy

            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise RuntimeError("CuPy found no CUDA device")
            _cupy = cupy
        except Exception as error:  # ImportError, or a CUDA runtime error without a GPU
            _cupy_error = error
    return _cupy


def cuda_is_available() -> bool:
    """True when CuPy is installed and can see a CUDA GPU."""
    return _import_cupy() is not None


def cuda_is_simulated() -> bool:
    """True when "cuda" is the CUDA simulator (``TL_CUDASIM=1``): CuPy's rules, the CPU's speed."""
    return cuda_is_available() and getattr(_cupy, "__name__", "") == "tinygrad_lite._cudasim"


def check_device(spec: str) -> device:
    """The :class:`device` that ``spec`` names ("cpu", "cuda", "cuda:0" or a device) if it is usable, else a
    clear error."""
    if spec is CPU or spec is CUDA:
        resolved = spec
    elif isinstance(spec, str):
        resolved = device(spec)
    else:
        raise ValueError(f"unknown device {spec!r}: expected one of {DEVICES}")
    if resolved == "cuda":
        if _import_cupy() is None:
            raise RuntimeError(
                f'device "cuda" is not available ({_cupy_error}). '
                'Install CuPy for your CUDA version, e.g. pip install "tinygrad_lite[cuda]" '
                "(cupy-cuda12x), and make sure a GPU is visible."
            )
    return resolved


def array_module(device: str):
    """The array module (``numpy`` or ``cupy``) that holds arrays on ``device``."""
    if device == "cpu":
        return np
    check_device(device)
    return _cupy


def get_array_module(array):
    """The array module of an existing array: ``numpy`` for NumPy arrays, else ``cupy``."""
    return np if isinstance(array, np.ndarray) else _cupy


def device_of(array) -> device:
    """'cpu' for a NumPy array (or scalar), 'cuda' for a CuPy array (as :class:`device` objects)."""
    return CPU if isinstance(array, (np.ndarray, np.generic)) else CUDA


def is_backend_array(value) -> bool:
    """True for a NumPy array, or a CuPy array when CuPy is loaded."""
    if isinstance(value, np.ndarray):
        return True
    return _cupy is not None and isinstance(value, _cupy.ndarray)


def to_device(array, device: str):
    """Move (or keep) ``array`` on ``device``; returns the same array when it is already there."""
    device = check_device(device)
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()
    return array_module(device).asarray(array)


def to_host(array) -> np.ndarray:
    """A NumPy copy of ``array`` (from either device)."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return array.get()


def scatter_add(target, index, values) -> None:
    """``target[index] += values`` where repeated indices accumulate (unlike plain ``+=``)."""
    get_array_module(target).add.at(target, index, values)


# --- random numbers -----------------------------------------------------------------------------


def manual_seed(seed: int) -> None:
    """Seed every random source of tinygrad_lite (init, randn, dropout, DataLoader shuffling)."""
    global _rng
    _rng = np.random.default_rng(seed)


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")  # NumPy's, by the names their state records


def get_rng_state() -> dict:
    """A copy of the state of the one host generator (init, randn, rand, dropout, unseeded DataLoaders).

    Save it in a checkpoint and give it to :func:`set_rng_state` to continue the same random numbers. It
    is NumPy's bit-generator state, a dict of names and integers (PyTorch returns a byte tensor instead).

    >>> import tinygrad_lite as tl
    >>> tl.manual_seed(0)
    >>> state = tl.get_rng_state()
    >>> first = tl.randn(3)
    >>> tl.set_rng_state(state)
    >>> bool((tl.randn(3) == first).all())
    True
    """
    return copy.deepcopy(dict(_rng.bit_generator.state))


def set_rng_state(state: dict) -> None:
    """Restore a state from :func:`get_rng_state`: the random numbers drawn next are those drawn after it."""
    global _rng
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise ValueError(f"set_rng_state: expected a state from tl.get_rng_state() (a dict whose 'bit_generator' "
                         f"is one of {_BIT_GENERATORS}), got {state!r:.200}")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = copy.deepcopy(state)
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ValueError(f"set_rng_state: invalid {name} state {state!r:.200} ({error})") from None
    _rng = np.random.Generator(bit_generator)


def host_rng() -> np.random.Generator:
    """The one host random generator, reseeded by :func:`manual_seed`."""
    return _rng
