"""A CUDA simulator for tests: a CPU stand-in for the ``cupy`` module, selected with ``TL_CUDASIM=1``.

This module is never used for real work. With ``TL_CUDASIM=1`` in the environment, ``backend`` imports
it in place of CuPy, so device "cuda" runs the library's own code path on the CPU: the same array-module
calls, the same transfers, the same waits. Its arrays (:class:`ndarray`) wrap a NumPy array but are not
NumPy arrays, and they enforce the rules that CuPy enforces and that break code written for NumPy only:

- no implicit conversion to NumPy: ``numpy.asarray(x)``, ``numpy.array(x)`` and NumPy functions or
  ufuncs applied to ``x`` raise ``TypeError`` (``x.get()`` and ``cupy.asnumpy(x)`` give NumPy copies).
  This is stricter than CuPy, which forwards some NumPy functions to its own: library code must call
  the array module of its arrays, never ``numpy``;
- no mixing with NumPy arrays or lists in arithmetic, in ufuncs, in ``x[...] = value`` or in array
  functions (Python and NumPy scalars are fine);
- reductions and indexing give 0-d device arrays, never Python or NumPy scalars; ``float(x)``,
  ``int(x)``, ``bool(x)`` and ``x.item()`` convert (with a device wait) as CuPy does, and there is no
  ``__index__`` (a 0-d array is not a Python int);
- integer-array indices out of bounds wrap around instead of raising ``IndexError``;
- custom CUDA kernels (``RawKernel``, ``ElementwiseKernel``, ``ReductionKernel``, ``RawModule``) cannot run
  on a CPU: creating one raises ``NotImplementedError``.

``cupy.random``, ``cupy.linalg``, ``cupy.cuda`` (device count, synchronize, streams, events) and every
NumPy array function under its own name are provided; the numbers are NumPy's.

>>> from tinygrad_lite import _cudasim as cupy
>>> x = cupy.arange(3.0)
>>> x.sum()
array(3.)
>>> type(x.sum()) is cupy.ndarray
True
>>> x.get()
array([0., 1., 2.])
"""

from __future__ import annotations

import time
import types
from typing import Any

import numpy as np

_SCALARS = (bool, int, float, complex, np.generic)


def _unsupported(value) -> TypeError:
    hint = (" (a NumPy array on the host: move it to the device with cupy.asarray first)"
            if isinstance(value, np.ndarray) else "")
    return TypeError(f"Unsupported type {type(value)}{hint}")


def _unwrap(value, depth: int = 0):
    """The NumPy array inside a device array, recursively through lists, tuples and dicts; a NumPy
    array met on the way is an error, as CuPy refuses to convert host arrays implicitly."""
    if isinstance(value, ndarray):
        return value._array
    if isinstance(value, np.ndarray):
        raise _unsupported(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth == 0:
        return {k: _unwrap(v, depth + 1) for k, v in value.items()}
    return value


def _wrap(value, sources=()):
    """Results back onto the device: NumPy arrays and NumPy scalars become device arrays (0-d for a
    scalar), recursively through tuples and lists; everything else (shapes, Python numbers) unchanged.
    ``sources`` are the device arrays the result was made from: a view of one of them gets the array that
    owns the memory as its ``base``, as in CuPy, and one of them returned unchanged stays itself."""
    if isinstance(value, np.ndarray):
        for source in sources:
            if source._array is value:
                return source
        return ndarray._from_numpy(value, _owner(value, sources))
    if isinstance(value, np.generic):
        return ndarray._from_numpy(np.asarray(value))
    if isinstance(value, tuple):
        items = [_wrap(v, sources) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_wrap(v, sources) for v in value]
    return value


def _root(array: np.ndarray) -> np.ndarray:
    """The NumPy array at the end of ``array``'s chain of bases: the one whose memory it uses."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _owner(array: np.ndarray, sources) -> ndarray | None:
    """The device array among ``sources`` (or their bases) whose memory ``array`` is a view of, else None."""
    if array.base is None:
        return None
    root = _root(array)
    for source in sources:
        owner = source if source._base is None else source._base
        if _root(owner._array) is root:
            return owner
    return None


def _device_arrays(args, kwargs) -> list[ndarray]:
    """The device arrays among a call's arguments, also inside lists and tuples (``concatenate([a, b])``)."""
    found = []
    for value in (*args, *kwargs.values()):
        if isinstance(value, ndarray):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, ndarray))
    return found


def _call(function, args, kwargs, self: ndarray | None = None):
    """Run a NumPy function (or a method of ``self``'s array) on the arrays inside device arrays; an
    ``out=`` device array is returned itself, and a view of an argument has it as its ``base``."""
    out = kwargs.get("out")
    result = function(*_unwrap(args), **_unwrap(kwargs))
    if isinstance(out, ndarray):
        return out
    if isinstance(out, tuple) and out and all(isinstance(o, ndarray) for o in out):
        return out[0] if len(out) == 1 else out
    sources = _device_arrays(args, kwargs)
    return _wrap(result, sources if self is None else [self, *sources])


def _index(index, shape):
    """A NumPy index for a device array's ``__getitem__``/``__setitem__``: device and host index arrays
    and lists are accepted (CuPy copies them to the device), and integer arrays wrap around as in CuPy."""
    items = list(index) if isinstance(index, tuple) else [index]
    items = [np.asarray(i._array) if isinstance(i, ndarray) else np.asarray(i) if isinstance(i, list) else i
             for i in items]
    consuming = sum(1 if not (isinstance(i, np.ndarray) and i.dtype == bool) else i.ndim
                    for i in items if i is not None and i is not Ellipsis)
    axis = 0
    for position, item in enumerate(items):
        if item is None:
            continue
        if item is Ellipsis:
            axis += len(shape) - consuming
        elif isinstance(item, np.ndarray) and item.dtype == bool:
            axis += item.ndim
        else:
            if isinstance(item, np.ndarray) and item.dtype.kind in "iu" and axis < len(shape) and shape[axis] > 0:
                items[position] = np.mod(item, shape[axis])
            axis += 1
    return tuple(items) if isinstance(index, tuple) else items[0]


def _operand(value):
    """The NumPy operand for a binary operator, or NotImplemented to let the other side try."""
    if isinstance(value, ndarray):
        return value._array
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (np.ndarray, list, tuple)):
        raise _unsupported(value)
    return NotImplemented


def _binary(numpy_function):
    def operator(self, other):
        operand = _operand(other)
        if operand is NotImplemented:
            return NotImplemented
        return _wrap(numpy_function(self._array, operand))
    return operator


def _reflected(numpy_function):
    """``other <op> self``: the binary operator with its operands swapped."""
    return _binary(lambda array, operand: numpy_function(operand, array))


def _in_place(numpy_function):
    def operator(self, other):
        operand = _operand(other)
        if operand is NotImplemented:
            return NotImplemented
        numpy_function(self._array, operand, out=self._array)
        return self
    return operator


class ndarray:  # noqa: N801  (CuPy's name)
    """A simulated CUDA array: a NumPy array inside, CuPy's rules outside (see the module docstring)."""

    __slots__ = ("_array", "_base", "__weakref__")
    __array_priority__ = 100  # CuPy's: objects of higher priority (Tensor) handle mixed operators
    __array_ufunc__ = None  # NumPy ufuncs refuse it; NumPy scalars' operators defer to ours
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, shape, dtype=float):
        self._array = np.empty(shape, dtype=dtype)
        self._base = None

    @classmethod
    def _from_numpy(cls, array: np.ndarray, base: ndarray | None = None) -> ndarray:
        self = cls.__new__(cls)
        self._array = array
        self._base = base
        return self

    # --- refusals: no implicit trip to the host ------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def __array_function__(self, func, types, args, kwargs):
        raise TypeError(f"numpy.{func.__name__} cannot take a device array: use cupy.{func.__name__} "
                        "(the array module of the array), or .get() to copy it to the host first")

    # --- host transfers and conversions --------------------------------------------------------
    def get(self, stream=None, order="C", out=None) -> np.ndarray:
        """A NumPy copy on the host (a device wait)."""
        if out is not None:
            out[...] = self._array
            return out
        return np.array(self._array, order=order, copy=True)

    def set(self, arr, stream=None) -> None:
        """Copy a NumPy array of the same shape and dtype into this array."""
        if not isinstance(arr, np.ndarray):
            raise TypeError("Only numpy.ndarray can be set to cupy.ndarray")
        if arr.dtype != self.dtype:
            raise TypeError(f"{arr.dtype} array cannot be set to {self.dtype} array")
        if arr.shape != self.shape:
            raise ValueError(f"Shape mismatch. Old shape: {self.shape}, new shape: {arr.shape}")
        self._array[...] = arr

    def item(self):
        if self._array.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self._array.item()

    def tolist(self):
        return self._array.tolist()

    def __int__(self) -> int:
        return int(self._array)

    def __float__(self) -> float:
        return float(self._array)

    def __complex__(self) -> complex:
        return complex(self._array)

    def __bool__(self) -> bool:
        return bool(self._array)

    def __repr__(self) -> str:
        return repr(self._array)

    def __str__(self) -> str:
        return str(self._array)

    def __format__(self, spec: str) -> str:
        return format(self._array, spec)

    def __copy__(self) -> ndarray:
        return self.copy()

    def __deepcopy__(self, memo) -> ndarray:
        return self.copy()

    def __reduce__(self):
        return array, (self.get(),)

    # --- attributes ----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._array.shape

    @shape.setter
    def shape(self, value) -> None:
        self._array.shape = value

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def ndim(self) -> int:
        return self._array.ndim

    @property
    def size(self) -> int:
        return self._array.size

    @property
    def T(self) -> ndarray:  # noqa: N802
        return _wrap(self._array.T, (self,))

    @property
    def base(self) -> ndarray | None:
        """The device array that owns the memory of this view (the same object for every view of it), or None."""
        return self._base

    @property
    def device(self) -> _Device:
        return cuda.Device(0)

    def astype(self, dtype, order="K", casting=None, subok=None, copy=True) -> ndarray:
        if not copy and np.dtype(dtype) == self.dtype:
            return self
        return ndarray._from_numpy(self._array.astype(dtype, order=order))

    def __getattr__(self, name: str):
        """Every other NumPy array method and attribute, on the device (arguments checked, results wrapped)."""
        if name.startswith("_") or name in ("ctypes", "tofile", "dump", "dumps", "data"):
            raise AttributeError(f"'cupy.ndarray' (simulated) object has no attribute {name!r}")
        value = getattr(self._array, name)
        if callable(value):
            def method(*args, **kwargs):
                return _call(value, args, kwargs, self)
            method.__name__ = name
            return method
        return _wrap(value, (self,))

    # --- containers ----------------------------------------------------------------------------
    def __len__(self) -> int:
        if self._array.ndim == 0:
            raise TypeError("len() of unsized object")
        return len(self._array)

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._array)))

    def __getitem__(self, index):
        return _wrap(self._array[_index(index, self._array.shape)], (self,))

    def __setitem__(self, index, value) -> None:
        if isinstance(value, (np.ndarray, list, tuple)):
            raise _unsupported(value)
        self._array[_index(index, self._array.shape)] = _unwrap(value)

    # --- arithmetic: device arrays and scalars only --------------------------------------------
    __add__, __radd__, __iadd__ = _binary(np.add), _reflected(np.add), _in_place(np.add)
    __sub__, __rsub__, __isub__ = _binary(np.subtract), _reflected(np.subtract), _in_place(np.subtract)
    __mul__, __rmul__, __imul__ = _binary(np.multiply), _reflected(np.multiply), _in_place(np.multiply)
    __truediv__, __rtruediv__ = _binary(np.true_divide), _reflected(np.true_divide)
    __itruediv__ = _in_place(np.true_divide)
    __floordiv__, __rfloordiv__ = _binary(np.floor_divide), _reflected(np.floor_divide)
    __ifloordiv__ = _in_place(np.floor_divide)
    __mod__, __rmod__, __imod__ = _binary(np.remainder), _reflected(np.remainder), _in_place(np.remainder)
    __pow__, __rpow__, __ipow__ = _binary(np.power), _reflected(np.power), _in_place(np.power)
    __matmul__, __rmatmul__ = _binary(np.matmul), _reflected(np.matmul)
    __and__, __rand__, __iand__ = _binary(np.bitwise_and), _reflected(np.bitwise_and), _in_place(np.bitwise_and)
    __or__, __ror__, __ior__ = _binary(np.bitwise_or), _reflected(np.bitwise_or), _in_place(np.bitwise_or)
    __xor__, __rxor__, __ixor__ = _binary(np.bitwise_xor), _reflected(np.bitwise_xor), _in_place(np.bitwise_xor)
    __eq__, __ne__ = _binary(np.equal), _binary(np.not_equal)  # type: ignore[assignment]
    __lt__, __le__ = _binary(np.less), _binary(np.less_equal)
    __gt__, __ge__ = _binary(np.greater), _binary(np.greater_equal)

    def __neg__(self) -> ndarray:
        return ndarray._from_numpy(-self._array)

    def __pos__(self) -> ndarray:
        return ndarray._from_numpy(+self._array)

    def __abs__(self) -> ndarray:
        return ndarray._from_numpy(abs(self._array))

    def __invert__(self) -> ndarray:
        return ndarray._from_numpy(~self._array)


class ufunc:  # noqa: N801  (CuPy's name)
    """A NumPy ufunc on device arrays: only device arrays and scalars as inputs (CuPy's rule)."""

    def __init__(self, numpy_ufunc: np.ufunc):
        self._ufunc = numpy_ufunc
        self.__name__ = numpy_ufunc.__name__
        self.nin, self.nout = numpy_ufunc.nin, numpy_ufunc.nout

    def _inputs(self, args):
        for value in args:
            if not isinstance(value, (ndarray, *_SCALARS)):
                raise _unsupported(value)
        return args

    def __call__(self, *args, **kwargs):
        return _call(self._ufunc, self._inputs(args), kwargs)

    def at(self, a, indices, b=None) -> None:
        """``a[indices] op= b`` with repeated indices applied once each (CuPy's ``ufunc.at``)."""
        if not isinstance(a, ndarray):
            raise _unsupported(a)
        index = _index(indices, a.shape)
        if b is None:
            self._ufunc.at(a._array, index)
        else:
            self._ufunc.at(a._array, index, _unwrap(self._inputs((b,))[0]))

    def reduce(self, a, *args, **kwargs):
        return _call(self._ufunc.reduce, self._inputs((a,)) + args, kwargs)

    def accumulate(self, a, *args, **kwargs):
        return _call(self._ufunc.accumulate, self._inputs((a,)) + args, kwargs)

    def outer(self, a, b, **kwargs):
        return _call(self._ufunc.outer, self._inputs((a, b)), kwargs)

    def __repr__(self) -> str:
        return f"<ufunc '{self.__name__}'>"


def _function(numpy_function):
    def function(*args, **kwargs):
        return _call(numpy_function, args, kwargs)
    function.__name__ = numpy_function.__name__
    function.__doc__ = f"cupy.{numpy_function.__name__} (simulated with numpy.{numpy_function.__name__})."
    return function


# --- array creation and transfers -------------------------------------------------------------


def asarray(a, dtype=None, order=None) -> ndarray:
    """``a`` on the device: a host array or list is copied over; a device array is returned as is."""
    if isinstance(a, ndarray):
        return a if dtype is None else a.astype(dtype, copy=False)
    return ndarray._from_numpy(np.array(a, dtype=dtype, order=order if order is not None else "K", copy=True))


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0) -> ndarray:
    """A new device array from host data or a device array (copied unless ``copy=False`` allows not)."""
    if isinstance(obj, ndarray):
        if not copy and (dtype is None or np.dtype(dtype) == obj.dtype):
            return obj
        obj = obj._array
    return ndarray._from_numpy(np.array(obj, dtype=dtype, copy=True, order=order, ndmin=ndmin))


def asnumpy(a, stream=None, order="C", out=None) -> np.ndarray:
    """A NumPy copy of a device array (host data is returned through ``numpy.asarray``)."""
    if isinstance(a, ndarray):
        return a.get(stream, order, out)
    return np.asarray(a, order=order)


def get_array_module(*args) -> types.ModuleType:
    """This module when any argument is a device array, else ``numpy`` (as ``cupy.get_array_module``)."""
    import sys

    return sys.modules[__name__] if any(isinstance(a, ndarray) for a in args) else np


# --- custom kernels: CUDA C source cannot run on a CPU -------------------------------------------


class _Kernel:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"cupy.{type(self).__name__}: the CUDA simulator (TL_CUDASIM=1) cannot run "
                                  "CUDA C source; write the computation with array functions instead")


class RawKernel(_Kernel):
    """Refused: a kernel in CUDA C needs a GPU."""


class RawModule(_Kernel):
    """Refused: a module in CUDA C needs a GPU."""


class ElementwiseKernel(_Kernel):
    """Refused: a kernel in CUDA C needs a GPU."""


class ReductionKernel(_Kernel):
    """Refused: a kernel in CUDA C needs a GPU."""


def fuse(*args, **kwargs):
    """Refused: kernel fusion compiles CUDA C."""
    raise NotImplementedError("cupy.fuse: the CUDA simulator (TL_CUDASIM=1) cannot compile kernels")


# --- cupy.cuda: one simulated device ------------------------------------------------------------


class _Device:
    """``cupy.cuda.Device``: the one simulated GPU, id 0."""

    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)
        if self.id != 0:
            raise RuntimeError(f"cudaErrorInvalidDevice: the simulator has one device (0), not {self.id}")

    compute_capability = "00"

    def synchronize(self) -> None:
        """Nothing to wait for: simulated work is done when the call returns."""

    def use(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def __eq__(self, other) -> bool:
        return isinstance(other, _Device) and other.id == self.id

    def __hash__(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<CUDA Device {self.id} (simulated)>"


class _Stream:
    """``cupy.cuda.Stream``: work is synchronous, so waiting returns at once."""

    def synchronize(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


class _Event:
    """``cupy.cuda.Event``: a host clock reading taken at ``record()``."""

    def __init__(self, *args, **kwargs):
        self.time = None

    def record(self, stream=None) -> None:
        self.time = time.perf_counter()

    def synchronize(self) -> None:
        pass


def _get_elapsed_time(start: _Event, end: _Event) -> float:
    """Milliseconds between two recorded events."""
    return (end.time - start.time) * 1e3


_null_stream = _Stream()
_Stream.null = _null_stream  # type: ignore[attr-defined]

cuda = types.SimpleNamespace(
    Device=_Device, Stream=_Stream, Event=_Event, get_elapsed_time=_get_elapsed_time,
    get_current_stream=lambda: _null_stream, is_available=lambda: True,
    runtime=types.SimpleNamespace(getDeviceCount=lambda: 1, deviceSynchronize=lambda: None,
                                  runtimeGetVersion=lambda: 0),
)


# --- cupy.random and cupy.linalg ----------------------------------------------------------------


class RandomState:
    """``cupy.random.RandomState``: NumPy's generator underneath, CuPy's ``dtype=`` arguments on top."""

    def __init__(self, seed=None):
        self._rng = np.random.default_rng(seed)

    def seed(self, seed=None) -> None:
        self._rng = np.random.default_rng(seed)

    def _floats(self, values, dtype) -> ndarray:
        return ndarray._from_numpy(np.asarray(values, dtype=dtype))

    def rand(self, *size, dtype=float) -> ndarray:
        return self._floats(self._rng.random(size), dtype)

    def randn(self, *size, dtype=float) -> ndarray:
        return self._floats(self._rng.standard_normal(size), dtype)

    def random_sample(self, size=None, dtype=float) -> ndarray:
        return self._floats(self._rng.random(size), dtype)

    random = random_sample

    def standard_normal(self, size=None, dtype=float) -> ndarray:
        return self._floats(self._rng.standard_normal(size), dtype)

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=float) -> ndarray:
        return self._floats(self._rng.normal(_unwrap(loc), _unwrap(scale), size), dtype)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=float) -> ndarray:
        return self._floats(self._rng.uniform(_unwrap(low), _unwrap(high), size), dtype)

    def randint(self, low, high=None, size=None, dtype=int) -> ndarray:
        return ndarray._from_numpy(np.asarray(self._rng.integers(low, high, size), dtype=dtype))

    def permutation(self, x) -> ndarray:
        return ndarray._from_numpy(self._rng.permutation(_unwrap(x)))

    def shuffle(self, x: ndarray) -> None:
        self._rng.shuffle(_unwrap(x))

    def choice(self, a, size=None, replace=True, p=None) -> ndarray:
        return _wrap(self._rng.choice(_unwrap(a), size, replace, _unwrap(p)))


_random_state = RandomState()
random = types.SimpleNamespace(
    RandomState=RandomState, get_random_state=lambda: _random_state,
    **{name: getattr(_random_state, name) for name in (
        "seed", "rand", "randn", "random", "random_sample", "standard_normal", "normal", "uniform", "randint",
        "permutation", "shuffle", "choice")},
)

linalg = types.SimpleNamespace(**{name: _function(getattr(np.linalg, name)) for name in (
    "norm", "eigh", "eigvalsh", "eig", "eigvals", "solve", "inv", "pinv", "det", "slogdet", "qr", "svd",
    "cholesky", "lstsq", "matrix_rank", "matrix_power")})


# --- every other name: NumPy's function or constant, on the device --------------------------------

_cache: dict[str, Any] = {}


def __getattr__(name: str):
    """``cupy.<name>`` for NumPy's names: ufuncs and functions on device arrays, dtypes and constants as is."""
    if name in _cache:
        return _cache[name]
    if name.startswith("__") or not hasattr(np, name):
        raise AttributeError(f"module 'cupy' (simulated) has no attribute {name!r}")
    value = getattr(np, name)
    if isinstance(value, np.ufunc):
        value = ufunc(value)
    elif callable(value) and not isinstance(value, type):
        value = _function(value)
    elif isinstance(value, types.ModuleType):
        raise AttributeError(f"module 'cupy' (simulated) has no submodule {name!r}")
    _cache[name] = value
    return value
