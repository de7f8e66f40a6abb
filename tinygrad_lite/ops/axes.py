"""Axis arguments, checked and normalised once so every op can trust them."""

from __future__ import annotations


def normalize_axis(axis: int, ndim: int, op: str, shape: tuple[int, ...]) -> int:
    """``axis`` as a non-negative index into ``ndim`` dimensions, or a clear error naming ``op``."""
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {shape} ({ndim} dimensions)")
    return axis % ndim


def normalize_axes(axis, ndim: int, op: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative axes; None means all."""
    if axis is None:
        return tuple(range(ndim))
    if not isinstance(axis, (int, tuple, list)):
        raise TypeError(f"{op}: axis must be an int, got {type(axis).__name__} (or a tuple of ints)")
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    normalized = tuple(sorted(normalize_axis(a, ndim, op, shape) for a in axes))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return normalized


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction over ``axes`` with ``keepdims=True``."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def pytorch_or_numpy(dim, keepdim: bool, axis, keepdims, op: str):
    """``(dim, keepdim)`` from PyTorch's names or NumPy's ``axis``/``keepdims``, which are accepted as aliases
    (as PyTorch itself accepts them). Giving both spellings of one argument is an error."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r}; pass one of them")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim


def dim_or_axis(dim, axis, op: str, default):
    """The one dim of an op, from PyTorch's ``dim`` or NumPy's ``axis`` (an alias), else ``default``.

    A ``dim`` left at its default does not count as given, so ``cat(ts, axis=1)`` works; naming two different
    dims is an error."""
    if axis is None:
        return default if dim is None else dim
    if dim is not None and dim != default:
        raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r}; pass one of them")
    return axis
