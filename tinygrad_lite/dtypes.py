"""Data types and PyTorch's promotion rules on top of NumPy's dtypes.

NumPy would turn Python floats into float64 and ``int64 + float32`` into float64; PyTorch (and so
tinygrad_lite) uses a settable default float dtype (float32) and lets a float tensor win over an
integer one. Python scalars never widen a tensor: ``float32_tensor * 2.5`` stays float32.
"""

from __future__ import annotations

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
int16 = np.dtype("int16")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

# PyTorch's other names: torch.float is float32, torch.long is int64, and so on
half = float16
double = float64
long = int64
short = int16

_default_float = float32


def as_dtype(dtype, who: str) -> np.dtype:
    """``dtype`` (a NumPy dtype, a type or a name such as "float32") as a NumPy dtype tinygrad_lite supports."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: unknown dtype {dtype!r}; expected a float, integer or bool dtype "
                        "such as tl.float32, tl.int64 or tl.bool") from None
    if dtype.kind not in "biuf":
        raise TypeError(f"{who}: unsupported dtype {dtype}; expected a float, integer or bool dtype")
    return dtype


def set_default_dtype(dtype) -> None:
    """Set the dtype that Python floats (and float factories) become; float32 or float64."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default_float = dtype


def get_default_dtype() -> np.dtype:
    """The dtype Python floats become (float32 unless changed with :func:`set_default_dtype`)."""
    return _default_float


def is_floating(dtype) -> bool:
    """True for float16/32/64: the dtypes that can carry gradients."""
    return dtype.kind == "f"


def promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """The dtype of a binary op on tensors of dtypes ``a`` and ``b`` (float beats integer, as in PyTorch)."""
    if a == b:
        return a
    a_float, b_float = a.kind == "f", b.kind == "f"
    if a_float != b_float:
        return a if a_float else b
    return np.promote_types(a, b)


def scalar_dtype(value, tensor_dtype: np.dtype) -> np.dtype:
    """The dtype a Python scalar takes next to a tensor: the tensor's, unless the scalar is 'wider'."""
    if isinstance(value, (bool, np.bool_)):
        return tensor_dtype
    if isinstance(value, (int, np.integer)):
        return tensor_dtype if tensor_dtype.kind != "b" else int64
    # a float scalar
    return tensor_dtype if tensor_dtype.kind == "f" else _default_float


def infer_dtype(value) -> np.dtype | None:
    """The dtype of Python data (scalars, nested lists) under PyTorch's rules; None for arrays."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default_float
    return None
