"""Shape ops: reshape, transpose, indexing, concatenation. They move values around without changing them,
so each backward moves the gradient back the same way (reshape it back, transpose it back, scatter it
back to where it was taken from)."""

from __future__ import annotations

import math

import numpy as np

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from .axes import normalize_axis
from .broadcast import sum_to
from .convert import cast

# --- reshape and transpose ----------------------------------------------------------------------


class Reshape(Function):
    """y = x with a new shape (same elements, same order);  dL/dx = dL/dy reshaped back."""

    reads_inputs = False
    makes_view = True

    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, grad_output):
        (x,) = self.inputs
        return reshape(grad_output, x.shape)


class Transpose(Function):
    """y = x with its axes permuted;  dL/dx = dL/dy permuted back by the inverse permutation."""

    reads_inputs = False
    makes_view = True

    def forward(self, x, axes):
        self.axes = axes
        return x.transpose(axes)

    def backward(self, grad_output):
        inverse = tuple(int(i) for i in np.argsort(self.axes))
        return Transpose.apply(grad_output, axes=inverse)


def reshape(x: Tensor, *shape) -> Tensor:
    """``x`` with a new shape; one dimension may be -1 (inferred). ``reshape(2, 3)`` or ``reshape((2, 3))``."""
    sizes = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in sizes):
        raise TypeError(f"reshape: sizes {tuple(sizes)} are not all integers; expected integers (one may be -1)")
    new_shape = tuple(int(n) for n in sizes)
    if new_shape == x.shape:
        return x
    if -1 not in new_shape and math.prod(new_shape) != x.numel():
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({x.numel()} elements) into {new_shape}")
    return Reshape.apply(x, shape=new_shape)


def transpose(x: Tensor, *axes) -> Tensor:
    """``x`` with axes permuted, as NumPy's ``transpose``: no axes reverses them (``x.T``)."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    if not axes:
        axes = tuple(range(x.ndim - 1, -1, -1))
    axes = tuple(normalize_axis(a, x.ndim, "transpose", x.shape) for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of shape {x.shape}")
    if axes == tuple(range(x.ndim)):
        return x
    return Transpose.apply(x, axes=axes)


def swapaxes(x: Tensor, axis1: int, axis2: int) -> Tensor:
    """``x`` with two axes exchanged."""
    axes = list(range(x.ndim))
    a = normalize_axis(axis1, x.ndim, "swapaxes", x.shape)
    b = normalize_axis(axis2, x.ndim, "swapaxes", x.shape)
    axes[a], axes[b] = axes[b], axes[a]
    return transpose(x, tuple(axes))


def flatten(x: Tensor, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """Merge axes ``start_axis`` … ``end_axis`` into one (all of them by default)."""
    if x.ndim == 0:
        return reshape(x, (1,))
    start = normalize_axis(start_axis, x.ndim, "flatten", x.shape)
    end = normalize_axis(end_axis, x.ndim, "flatten", x.shape)
    if start > end:
        raise ValueError(f"flatten: start_axis {start_axis} comes after end_axis {end_axis}")
    shape = x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
    return reshape(x, shape)


def squeeze(x: Tensor, axis=None) -> Tensor:
    """Remove axes of length 1 (all of them, or the given ones, which must have length 1)."""
    if axis is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    given = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = {normalize_axis(a, x.ndim, "squeeze", x.shape) for a in given}
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} of shape {x.shape} has length {x.shape[a]}, not 1")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


def unsqueeze(x: Tensor, axis: int) -> Tensor:
    """Insert an axis of length 1 at ``axis`` (NumPy's ``expand_dims``)."""
    position = normalize_axis(axis, x.ndim + 1, "unsqueeze", x.shape)
    return reshape(x, x.shape[:position] + (1,) + x.shape[position:])


# --- indexing -----------------------------------------------------------------------------------


class GetItem(Function):
    """y = x[index];  dL/dx is zero except at the picked positions, which receive dL/dy
    (added up where an integer-array index picks one position several times)."""

    reads_inputs = False
    makes_view = True

    def forward(self, x, index, basic):
        self.index, self.basic = index, basic
        if basic and not any(item is Ellipsis for item in index):
            return x[index + (Ellipsis,)]  # x[0] of a vector: a 0-d view of x, not a copied NumPy scalar
        return x[index]

    def backward(self, grad_output):
        (x,) = self.inputs
        return IndexAdd.apply(grad_output, index=self.index, basic=self.basic, shape=x.shape)


class IndexAdd(Function):
    """y = zeros(shape) with y[index] += g (repeated indices accumulate): the backward of ``x[index]``.
    Its own backward is picking the same positions again: dL/dg = dL/dy[index]."""

    reads_inputs = False

    def forward(self, g, index, basic, shape):
        self.index, self.basic = index, basic
        out = backend.get_array_module(g).zeros(shape, dtype=g.dtype)
        if basic:  # ints and slices never pick a position twice
            out[index] = g
        else:
            backend.scatter_add(out, index, g)
        return out

    def backward(self, grad_output):
        return GetItem.apply(grad_output, index=self.index, basic=self.basic)


class SetItem(Function):
    """y = x with y[index] = v (v broadcast to the picked positions): ``x[index] = v`` as an op.
    dL/dx = dL/dy with zeros at the picked positions (their old values are gone);
    dL/dv = dL/dy at the picked positions, summed down to v's shape."""

    reads_inputs = False

    def forward(self, x, v, index, basic):
        self.index, self.basic = index, basic
        out = x.copy()
        out[index] = v
        return out

    def backward(self, grad_output):
        x, v = self.inputs
        grad_x = grad_v = None
        if self.needs_input_grad[0]:
            zero = Tensor._make(backend.get_array_module(grad_output.data).zeros((), dtype=grad_output.dtype))
            grad_x = SetItem.apply(grad_output, zero, index=self.index, basic=self.basic)
        if self.needs_input_grad[1]:
            grad_v = sum_to(GetItem.apply(grad_output, index=self.index, basic=self.basic), v.shape)
        return grad_x, grad_v


def _normalize_index(x: Tensor, index, op: str = "getitem") -> tuple[tuple, bool]:
    """The index as a tuple of ints, slices, None, Ellipsis and integer arrays on x's device, and
    whether it is *basic* (no arrays). Boolean masks become the integer arrays of their True positions."""
    xp = backend.get_array_module(x.data)
    items = index if isinstance(index, tuple) else (index,)
    normalized: list = []
    basic = True
    for item in items:
        if isinstance(item, Tensor):
            if item.device != x.device:
                raise RuntimeError(f"{op}: the index is on {item.device} but the tensor is on {x.device}")
            item = item.data
        elif isinstance(item, (list, np.ndarray)):
            item = xp.asarray(item)
        if backend.is_backend_array(item):
            if item.dtype.kind == "b":
                normalized.extend(item.nonzero())
            elif item.dtype.kind in "iu":
                normalized.append(item)
            else:
                raise IndexError(f"{op}: index arrays must hold integers or booleans, got {item.dtype}")
            basic = False
        elif item is None or item is Ellipsis or isinstance(item, slice) or (
                isinstance(item, (int, np.integer)) and not isinstance(item, bool)):
            normalized.append(item)
        else:
            raise IndexError(f"{op}: unsupported index {item!r} for a tensor of shape {x.shape}; use ints, "
                             "slices, None, ..., integer or boolean arrays")
    return tuple(normalized), basic


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]`` with NumPy's rules (ints, slices, None, ..., integer arrays, boolean masks)."""
    index, basic = _normalize_index(x, index)
    return GetItem.apply(x, index=index, basic=basic)


# --- joining ------------------------------------------------------------------------------------


class Concatenate(Function):
    """y = the inputs joined along ``axis``;  each input's gradient is its slice of dL/dy."""

    reads_inputs = False

    def forward(self, *arrays, axis):
        self.axis = axis
        self.sizes = [a.shape[axis] for a in arrays]
        return backend.get_array_module(arrays[0]).concatenate(arrays, axis=axis)

    def backward(self, grad_output):
        grads, start = [], 0
        for size, needs in zip(self.sizes, self.needs_input_grad, strict=True):
            index = (slice(None),) * self.axis + (slice(start, start + size),)
            grads.append(GetItem.apply(grad_output, index=index, basic=True) if needs else None)
            start += size
        return tuple(grads)


def _common_dtype(tensors, op: str):
    """The tensors cast to one promoted dtype; anything that is not a Tensor is a clear error."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: item {i} is a {type(t).__name__}, expected a Tensor (wrap it with tl.tensor)")
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
    return [cast(t, dtype) for t in tensors]


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``; their shapes must agree on every other axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    tensors = _common_dtype(tensors, "concatenate")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("concatenate: 0-d tensors cannot be concatenated; use tl.stack")
    position = normalize_axis(axis, first.ndim, "concatenate", first.shape)
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(
                n != m for i, (n, m) in enumerate(zip(t.shape, first.shape, strict=True)) if i != position):
            raise ValueError(f"concatenate: shapes {first.shape} and {t.shape} differ outside axis {axis}")
    return Concatenate.apply(*tensors, axis=position)


def stack(tensors, axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new ``axis``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    tensors = _common_dtype(tensors, "stack")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: all tensors must have one shape, got {tensors[0].shape} and {t.shape}")
    position = normalize_axis(axis, tensors[0].ndim + 1, "stack", tensors[0].shape)
    return concatenate([unsqueeze(t, position) for t in tensors], axis=position)
