"""Tensor factories: zeros, ones, full, empty, arange, linspace, eye, the ``*_like`` forms, seeded random
tensors (rand, randn, randint) and ``from_numpy``.

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


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``; its dtype follows the value (float -> float32,
    int -> int64, bool -> bool), as PyTorch's ``full``."""
    shape = _shape((size,), "full")
    dtype = np.dtype(dtype) if dtype is not None else (dtypes.infer_dtype(fill_value) or np.asarray(fill_value).dtype)
    return _make(np.full(shape, fill_value, dtype=dtype), None, device, requires_grad)


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


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are not set (as PyTorch's ``empty``: fill it before reading it; default float32)."""
    return _make(np.empty(_shape(size, "empty"), dtype=_float_dtype(dtype)), None, device, requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (default float32).

    >>> import tinygrad_lite as tl
    >>> tl.linspace(0, 1, 5)
    tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, got {steps!r}")
    return _make(np.linspace(start, end, int(steps), dtype=_float_dtype(dtype)), None, device, requires_grad)


def randint(*args, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high), as PyTorch's ``randint(low=0, high, size)``: call it as
    ``randint(high, size)`` or ``randint(low, high, size)``; int64 unless ``dtype`` says otherwise.

    >>> import tinygrad_lite as tl
    >>> tl.randint(3, 10, (4,)).shape
    (4,)
    """
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size, args = args[-1], args[:-1]
    if size is None or len(args) not in (1, 2):
        raise TypeError(f"randint: expected randint(high, size) or randint(low, high, size), got {len(args)} bounds "
                        f"and size={size!r}")
    low, high = (0, args[0]) if len(args) == 1 else args
    for name, bound in (("low", low), ("high", high)):
        if not isinstance(bound, (int, np.integer)) or isinstance(bound, bool):
            raise TypeError(f"randint: {name} must be an integer, got {bound!r}")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be larger than low ({low})")
    array = backend.host_rng().integers(low, high, size=_shape((size,), "randint"))
    return _make(array.astype(dtypes.int64 if dtype is None else np.dtype(dtype)), None, device, requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with the shape (and, unless given, the dtype and device) of ``t``."""
    return full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtype, device=device or t.device,
                requires_grad=requires_grad)


def empty_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An unset tensor with the shape (and, unless given, the dtype and device) of ``t``."""
    return empty(t.shape, dtype=t.dtype if dtype is None else dtype, device=device or t.device,
                 requires_grad=requires_grad)


def _float_like(t: Tensor, dtype, who: str):
    dtype = t.dtype if dtype is None else np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{who}: random floats need a floating-point dtype, got {dtype} (pass dtype=)")
    return dtype


def rand_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1) with the shape (and, unless given, the dtype and device) of ``t``."""
    return rand(t.shape, dtype=_float_like(t, dtype, "rand_like"), device=device or t.device,
                requires_grad=requires_grad)


def randn_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples with the shape (and, unless given, the dtype and device) of ``t``."""
    return randn(t.shape, dtype=_float_like(t, dtype, "randn_like"), device=device or t.device,
                 requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A cpu tensor that *shares memory* with the NumPy ``array`` (as ``torch.from_numpy``): writing into one
    changes the other. Its dtype is the array's. ``tl.tensor(array)`` copies instead.

    >>> import numpy as np, tinygrad_lite as tl
    >>> a = np.zeros(2)
    >>> t = tl.from_numpy(a)
    >>> a[0] = 5.0
    >>> t
    tensor([5., 0.], dtype=float64)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    dtypes.as_dtype(array.dtype, "from_numpy")
    return Tensor._make(array, False)
