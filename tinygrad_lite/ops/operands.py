"""Turning the operands of an op into tensors of one dtype and device (Python scalars, arrays, lists)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import backend, dtypes
from ..tensor import Tensor
from .convert import cast

_PYTHON_NUMBERS = (float, int, bool)


def as_tensor(value, like: Tensor, op: str = "tensor") -> Tensor:
    """``value`` as a Tensor on ``like``'s device; a Python scalar takes ``like``'s dtype where it fits."""
    if isinstance(value, Tensor):
        return value
    if type(value) in _PYTHON_NUMBERS or (  # the common case first: the 2 in x * 2
            isinstance(value, (numbers.Number, np.bool_)) and not isinstance(value, complex)):
        return _constant(value, like)
    if not isinstance(value, (list, tuple, np.ndarray)) and not backend.is_backend_array(value):
        raise TypeError(f"{op}: cannot combine a Tensor with a {type(value).__name__}; "
                        "expected a number or a Tensor (or an array)")
    return Tensor(value, device=like.device)


_constants: dict = {}


def _constant(value, like: Tensor) -> Tensor:
    """The scalar ``value`` as a 0-d Tensor next to ``like``, cached: loops like ``y * 0.9`` reuse one
    instead of making a new array (a host-to-GPU copy on "cuda") every time. Safe because op inputs
    are never written into."""
    sign = math.copysign(1.0, value)  # 0.0 == -0.0 as dict keys, but x * -0.0 must give -0.0
    key = (value, sign, type(value), like.data.dtype, type(like.data))
    constant = _constants.get(key)
    if constant is None:
        if len(_constants) >= 4096:
            _constants.clear()
        dtype = dtypes.scalar_dtype(value, like.data.dtype)
        xp = backend.get_array_module(like.data)
        if value == 0 and sign < 0:  # CuPy copies a zero to the GPU as +0.0, so make +0.0 there and negate it
            array = xp.zeros((), dtype=dtype)
            xp.negative(array, out=array)
        else:
            array = xp.asarray(value, dtype=dtype)
        constant = _constants[key] = Tensor._make(array, False)
    return constant


def binary_operands(a, b, op: str) -> tuple[Tensor, Tensor]:
    """``a`` and ``b`` as tensors of one promoted dtype (float beats integer, as in PyTorch)."""
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            raise TypeError(f"{op}: expected at least one Tensor, got {type(a).__name__} and {type(b).__name__}")
        a = as_tensor(a, b, op)
    elif not isinstance(b, Tensor):
        b = as_tensor(b, a, op)
    if a.data.dtype != b.data.dtype:
        common = dtypes.promote(a.dtype, b.dtype)
        a, b = cast(a, common), cast(b, common)
    return a, b


def floating(x: Tensor) -> Tensor:
    """``x`` itself if it is a float tensor, else ``x`` cast to the default float dtype (``exp(int)`` is float)."""
    return x if x.data.dtype.kind == "f" else cast(x, dtypes.get_default_dtype())
