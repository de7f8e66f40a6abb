"""Tensor factories: zeros, ones, full, arange, eye, and seeded random tensors.

Random numbers are drawn on the host from the one generator that ``tl.manual_seed`` seeds, then moved
to the device, so a seed gives the same numbers on "cpu" and "cuda".
"""

from __future__ import annotations

import numpy as np

from . import backend, dtypes
from .tensor import Tensor


def _shape(shape, who: str) -> tuple[int, ...]:
    """Accept ``zeros(2, 3)`` and ``zeros((2, 3))`` alike; sizes must be non-negative integers."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"{who}: shape {tuple(shape)} must hold non-negative integers")
    return tuple(int(n) for n in shape)


def _make(array: np.ndarray, dtype, device, requires_grad: bool) -> Tensor:
    """The host ``array`` as a Tensor on ``device``; its dtype is checked before it is copied anywhere."""
    return Tensor(array, requires_grad=requires_grad, dtype=None if dtype is None else np.dtype(dtype),
                  device=backend.check_device(device or "cpu"))


def _float_dtype(dtype):
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def zeros(*shape, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default dtype float32)."""
    return _make(np.zeros(_shape(shape, "zeros"), dtype=_float_dtype(dtype)), None, device, requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (default dtype float32)."""
    return _make(np.ones(_shape(shape, "ones"), dtype=_float_dtype(dtype)), None, device, requires_grad)


def full(shape, value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``value``; its dtype follows the value (float -> float32, int -> int64)."""
    shape = _shape((shape,), "full")
    dtype = np.dtype(dtype) if dtype is not None else (dtypes.infer_dtype(value) or np.asarray(value).dtype)
    return _make(np.full(shape, value, dtype=dtype), None, device, requires_grad)


def zeros_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype and device) of ``t``."""
    return zeros(t.shape, dtype=t.dtype if dtype is None else dtype, device=device or t.device,
                 requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless given, the dtype and device) of ``t``."""
    return ones(t.shape, dtype=t.dtype if dtype is None else dtype, device=device or t.device,
                requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop); integers give int64, any float gives float32."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must not be zero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, stop, step))
        dtype = dtypes.get_default_dtype() if is_float else dtypes.int64
    return _make(np.arange(start, stop, step, dtype=dtype), None, device, requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The n×m identity matrix (m = n by default)."""
    _shape((n,) if m is None else (n, m), "eye")
    return _make(np.eye(n, m, dtype=_float_dtype(dtype)), None, device, requires_grad)


def randn(*shape, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal distribution N(0, 1), from the seeded host generator."""
    array = backend.host_rng().standard_normal(_shape(shape, "randn")).astype(_float_dtype(dtype))
    return _make(array, None, device, requires_grad)


def rand(*shape, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Samples of the uniform distribution on [0, 1), from the seeded host generator."""
    array = backend.host_rng().random(_shape(shape, "rand")).astype(_float_dtype(dtype))
    return _make(array, None, device, requires_grad)
