"""Shape ops: reshape, transpose, flip, repeat, indexing, joining and splitting. They move values around
without changing them, so each backward moves the gradient back the same way (reshape it back, transpose
it back, flip it back, scatter it back to where it was taken from)."""

from __future__ import annotations

import math

import numpy as np

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from .axes import dim_or_axis, normalize_axis
from .broadcast import broadcast_to, sum_to
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


def permute(x: Tensor, *dims) -> Tensor:
    """``x`` with its dims reordered: dim ``i`` of the result is dim ``dims[i]`` of ``x`` (PyTorch's ``permute``;
    ``permute(2, 0, 1)`` or ``permute((2, 0, 1))``). Every dim must be named once.

    >>> import tinygrad_lite as tl
    >>> tl.zeros(2, 3, 4).permute(2, 0, 1).shape
    (4, 2, 3)
    """
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    if len(dims) != x.ndim:
        raise ValueError(f"permute: dims {tuple(dims)} name {len(dims)} dims, but the tensor of shape {x.shape} "
                         f"has {x.ndim}")
    order = tuple(normalize_axis(d, x.ndim, "permute", x.shape) for d in dims)
    if sorted(order) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {tuple(dims)} are not a permutation of the {x.ndim} dims of shape {x.shape}")
    return x if order == tuple(range(x.ndim)) else Transpose.apply(x, axes=order)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim`` … ``end_dim`` into one (all of them by default), as PyTorch's ``flatten``;
    a 0-d tensor becomes a 1-element vector.

    >>> import tinygrad_lite as tl
    >>> tl.flatten(tl.zeros(2, 3, 4), 1).shape
    (2, 12)
    """
    if x.ndim == 0:
        return reshape(x, (1,))
    start = normalize_axis(start_dim, x.ndim, "flatten", x.shape)
    end = normalize_axis(end_dim, x.ndim, "flatten", x.shape)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (shape {x.shape})")
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


class Flip(Function):
    """y = x with the order of the elements reversed along ``axes``;  dL/dx = dL/dy flipped back."""

    reads_inputs = False
    makes_view = True

    def forward(self, x, axes):
        self.axes = axes
        return backend.get_array_module(x).flip(x, axis=axes)

    def backward(self, grad_output):
        return Flip.apply(grad_output, axes=self.axes)


def flip(x: Tensor, dims) -> Tensor:
    """``x`` reversed along each dim in ``dims`` (an int or a tuple), as PyTorch's ``flip``.

    >>> import tinygrad_lite as tl
    >>> tl.tensor([[1, 2], [3, 4]]).flip(1)
    tensor([[2, 1],
            [4, 3]])
    """
    given = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = tuple(normalize_axis(d, x.ndim, "flip", x.shape) for d in given)
    if len(set(axes)) != len(axes):
        raise ValueError(f"flip: dim {dims} names a dim twice (shape {x.shape})")
    return Flip.apply(x, axes=axes) if axes else x


def repeat(x: Tensor, *sizes) -> Tensor:
    """``x`` tiled ``sizes[i]`` times along dim ``i`` (PyTorch's ``repeat``, NumPy's ``tile``); more sizes
    than dims put new leading dims in front.

    Composed of reshape and broadcast: each dim of length n becomes a pair (r, n), broadcast along r and
    merged back to r·n, so the gradient sums the r copies (broadcasting's backward).

    >>> import tinygrad_lite as tl
    >>> tl.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in sizes):
        raise ValueError(f"repeat: sizes {tuple(sizes)} must be non-negative integers")
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: got {len(sizes)} sizes for a tensor of shape {x.shape}; the number of sizes "
                         f"must be at least the number of dims ({x.ndim})")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    paired = tuple(n for size in shape for n in (1, size))
    tiled = tuple(n for r, size in zip(sizes, shape, strict=True) for n in (int(r), size))
    result = broadcast_to(reshape(x, paired), tiled)
    return reshape(result, tuple(int(r) * size for r, size in zip(sizes, shape, strict=True)))


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
        elif isinstance(item, range):  # x[range(n), labels]: a range indexes like the list of its numbers
            item = xp.arange(item.start, item.stop, item.step)
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
                             "slices, None, ..., ranges, integer or boolean arrays")
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


def concatenate(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing ``dim``; their shapes must agree on every other dim. ``tl.cat`` and
    ``tl.concat`` are the same function (PyTorch's three names); NumPy's ``axis=`` is accepted as an alias.

    >>> import tinygrad_lite as tl
    >>> tl.cat([tl.zeros(2, 3), tl.ones(2, 1)], dim=1).shape
    (2, 4)
    """
    dim = dim_or_axis(dim, axis, "concatenate", 0)
    if isinstance(tensors, Tensor):
        raise TypeError("concatenate: expected a list or tuple of tensors, got one Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    tensors = _common_dtype(tensors, "concatenate")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("concatenate: 0-d tensors cannot be concatenated; use tl.stack")
    position = normalize_axis(dim, first.ndim, "concatenate", first.shape)
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(
                n != m for i, (n, m) in enumerate(zip(t.shape, first.shape, strict=True)) if i != position):
            raise ValueError(f"concatenate: shapes {first.shape} and {t.shape} differ outside axis {dim}")
    return Concatenate.apply(*tensors, axis=position)


cat = concatenate
concat = concatenate


def stack(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of one shape along a new ``dim`` (NumPy's ``axis=`` accepted as an alias).

    >>> import tinygrad_lite as tl
    >>> tl.stack([tl.zeros(2), tl.ones(2)], dim=1).shape
    (2, 2)
    """
    dim = dim_or_axis(dim, axis, "stack", 0)
    if isinstance(tensors, Tensor):
        raise TypeError("stack: expected a list or tuple of tensors, got one Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    tensors = _common_dtype(tensors, "stack")
    for t in tensors[1:]:
        if t.device != tensors[0].device:  # checked here, or the error would name concatenate
            raise RuntimeError(f"stack: inputs are on different devices ({tensors[0].device}, {t.device}); "
                               "move them to one device with .to(device)")
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: all tensors must have one shape, got {tensors[0].shape} and {t.shape}")
    position = normalize_axis(dim, tensors[0].ndim + 1, "stack", tensors[0].shape)
    return concatenate([unsqueeze(t, position) for t in tensors], dim=position)


# --- splitting ----------------------------------------------------------------------------------


def _pieces(x: Tensor, sizes: list[int], axis: int) -> tuple[Tensor, ...]:
    """``x`` cut along ``axis`` into consecutive slices of ``sizes``: each one a view whose gradient
    goes back to its own slice (and they add up where one backward reads several pieces)."""
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        pieces.append(GetItem.apply(x, index=index, basic=True))
        start += size
    return tuple(pieces)


def split(x: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """PyTorch's ``split``: ``x`` cut along ``dim`` into pieces of ``split_size_or_sections`` elements each
    (an int: the last piece may be smaller) or of the listed sizes (which must add up to the dim's size).

    >>> import tinygrad_lite as tl
    >>> [p.tolist() for p in tl.arange(5).split(2)]
    [[0, 1], [2, 3], [4]]
    >>> [p.shape for p in tl.zeros(2, 5).split([1, 4], dim=1)]
    [(2, 1), (2, 4)]
    """
    if x.ndim == 0:
        raise ValueError("split: a 0-d tensor cannot be split; it has no dims")
    axis = normalize_axis(dim, x.ndim, "split", x.shape)
    length = x.shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)) and not isinstance(split_size_or_sections, bool):
        size = int(split_size_or_sections)
        if size <= 0:
            if size == 0 and length == 0:
                return _pieces(x, [0], axis)
            raise ValueError(f"split: split_size {size} must be a positive integer (dim {dim} of shape {x.shape} "
                             f"has size {length})")
        sizes = [size] * (length // size) + ([length % size] if length % size or length == 0 else [])
        return _pieces(x, sizes, axis)
    sizes = list(split_size_or_sections)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in sizes):
        raise ValueError(f"split: sections {sizes} must be non-negative integers")
    if sum(sizes) != length:
        raise ValueError(f"split: sections {sizes} add up to {sum(sizes)}, but dim {dim} of a tensor of "
                         f"shape {x.shape} has size {length}")
    return _pieces(x, [int(n) for n in sizes], axis)



def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """PyTorch's ``chunk``: ``x`` cut along ``dim`` into pieces of ⌈n / chunks⌉ elements (the last smaller), so
    there may be fewer than ``chunks`` pieces; a dim of size 0 gives ``chunks`` empty pieces.

    >>> import tinygrad_lite as tl
    >>> [len(p) for p in tl.arange(10).chunk(4)]
    [3, 3, 3, 1]
    """
    if not isinstance(chunks, (int, np.integer)) or isinstance(chunks, bool) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    if x.ndim == 0:
        raise ValueError("chunk: a 0-d tensor cannot be chunked; it has no dims")
    axis = normalize_axis(dim, x.ndim, "chunk", x.shape)
    length = x.shape[axis]
    if length == 0:
        return _pieces(x, [0] * int(chunks), axis)
    return split(x, -(-length // int(chunks)), axis)
