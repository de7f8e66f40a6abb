"""Tensor: an array, its gradient, and the Function that produced it.

A Tensor wraps one backend array (``.data``: NumPy on "cpu", CuPy on "cuda"). Tensors made by the user
are *leaves* (``grad_fn is None``); every op on tensors that require grad returns a Tensor whose
``grad_fn`` remembers the op and its inputs, so ``backward()`` can walk the graph back to the leaves.
The operators and methods below only delegate to the functions in ``tinygrad_lite.ops``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import backend, dtypes

if TYPE_CHECKING:
    from .autograd import Function


def _array_from(data: Any, dtype, device: str | None):
    """Turn user data (scalars, nested lists, arrays, tensors) into a backend array, PyTorch's dtype rules.

    The result never shares memory with ``data`` (as ``torch.tensor``): an optimizer updating the
    tensor in place must not change the user's array, nor the user's array the tensor."""
    if isinstance(data, Tensor):
        array, owned = data.data, False
    elif backend.is_backend_array(data):
        array, owned = data, False
    elif isinstance(data, np.generic):
        array, owned = np.asarray(data), True
    else:
        try:
            array = np.asarray(data)
        except ValueError as error:
            raise ValueError(f"tensor: cannot make a tensor from ragged data ({error}); "
                             "every row must have the same length") from None
        owned = True
        if dtype is None:  # Python numbers follow PyTorch: floats -> default dtype, ints -> int64
            if array.dtype.kind == "f":
                array = array.astype(dtypes.get_default_dtype(), copy=False)
            elif array.dtype.kind in "iu":
                array = array.astype(dtypes.int64, copy=False)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"tensor: unsupported data of dtype {array.dtype} ({type(data).__name__}); "
                        "expected numbers or booleans")
    if dtype is not None and dtype != array.dtype:
        array, owned = array.astype(dtype), True
    if device is not None and backend.device_of(array) != backend.check_device(device):
        array, owned = backend.to_device(array, device), True
    return array if owned else array.copy()


class Tensor:
    """An n-dimensional array that remembers how it was computed, so gradients can flow back to it.

    ``Tensor(data, requires_grad=False, dtype=None, device=None)``: Python floats become the default
    dtype (float32), Python ints int64 and bools bool, as in PyTorch; NumPy/CuPy arrays keep theirs.
    The data is copied, as by ``torch.tensor``; ``.detach()`` gives a tensor that shares it.

    >>> import tinygrad_lite as tl
    >>> x = tl.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    # the first four are the tensor; the others serve the version counter (versions.py) and are set
    # only on tensors that need them, except _base
    __slots__ = ("data", "grad", "grad_fn", "requires_grad", "_base", "_view_clock", "_modified", "_previous",
                 "_borrowed", "__weakref__")
    data: Any  # a numpy.ndarray on "cpu", a cupy.ndarray on "cuda"
    grad: Tensor | None
    grad_fn: Function | None
    requires_grad: bool
    _base: Tensor | None  # the tensor whose memory this one is a view of
    _view_clock: int  # the version clock when this view was made
    _modified: tuple[int, int, str]  # (version, clock, op) of the last in-place change of this memory
    _previous: tuple | None  # (clock, snapshot, older): what this tensor was before in-place ops re-linked it
    _borrowed: bool  # a gradient whose array other tensors may share: copied before any in-place change
    __array_priority__ = 1000  # so ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data: Any, requires_grad: bool = False, dtype=None, device: str | None = None):
        self.data = _array_from(data, None if dtype is None else dtypes.as_dtype(dtype, "tensor"), device)
        self.grad = None
        self.grad_fn = None
        self.requires_grad = False
        self._base = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, requires_grad: bool = False) -> Tensor:
        """The internal constructor: ``data`` is already a backend array, so nothing is checked."""
        t = cls.__new__(cls)
        t.data = data
        t.grad = None
        t.grad_fn = None
        t.requires_grad = requires_grad
        t._base = None
        return t

    # --- attributes -----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def size(self, dim: int | None = None):
        """PyTorch's ``size()``: the shape (a tuple), or the length of one ``dim``. (NumPy's ``size``, the number
        of elements, is :meth:`numel`.)"""
        if dim is None:
            return self.data.shape
        return self.data.shape[ops.axes.normalize_axis(dim, self.data.ndim, "size", self.data.shape)]

    def numel(self) -> int:
        """The number of elements (NumPy's ``size``)."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions, as PyTorch's ``dim()`` (also the attribute ``ndim``)."""
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        return backend.device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (no ``grad_fn``); only leaves get ``.grad`` from ``backward``."""
        return self.grad_fn is None

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Turn gradient tracking on or off for this leaf, in place; returns the tensor."""
        if requires_grad and self.dtype.kind != "f":
            raise TypeError(f"requires_grad: only floating-point tensors can require grad, got {self.dtype} "
                            "(use .float() first)")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad: cannot turn off requires_grad of a non-leaf tensor; use .detach()")
        self.requires_grad = bool(requires_grad)  # a bool: ops index tables of flags with it
        return self

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    __hash__ = object.__hash__  # identity, although == is elementwise

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __repr__(self) -> str:
        body = np.array2string(backend.to_host(self.data), separator=", ", prefix="tensor(")
        extras = []
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # --- conversion -----------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """A NumPy copy of the data of a cpu tensor; a cuda tensor is an error, as in PyTorch: copy it to the host
        first with ``x.cpu().numpy()``."""
        if self.device != "cpu":
            raise TypeError(f"numpy: can't convert a {self.device} tensor to NumPy; use .cpu() to copy it to the "
                            "host first (x.cpu().numpy())")
        return self.data.copy()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        """The data as (nested) Python lists."""
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data (and its version counter), cut off from the graph."""
        versions.own_memory(self)
        out = Tensor._make(self.data, False)
        versions.link_view(out, self)
        return out

    @property
    def _version(self) -> int:
        """How many in-place ops have changed this tensor's memory (PyTorch's ``_version``)."""
        return versions.version(self)

    def to(self, *args, **kwargs) -> Tensor:
        """This tensor on another device and/or with another dtype, in PyTorch's forms: ``to(device)``,
        ``to(dtype)``, ``to(device, dtype)``, ``to(other)`` (``other``'s device and dtype), ``to(device=,
        dtype=)``. Differentiable, so gradients flow back across; returns ``self`` when nothing changes.

        >>> import tinygrad_lite as tl
        >>> x = tl.tensor([1.0, 2.0])
        >>> x.to(tl.float64).dtype, x.to("cpu") is x, x.to(tl.zeros(1, dtype=tl.int64)).dtype
        (dtype('float64'), True, dtype('int64'))
        """
        device, dtype = _to_arguments(args, kwargs)
        out = self
        if dtype is not None and dtype != out.dtype:
            out = ops.cast(out, dtype)
        if device is not None and device != out.device:
            out = ops.to_device(out, device)
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def astype(self, dtype) -> Tensor:
        """This tensor cast to ``dtype`` (differentiable between float dtypes)."""
        return ops.cast(self, dtype)

    def float(self) -> Tensor:
        """Cast to float32."""
        return ops.cast(self, dtypes.float32)

    def double(self) -> Tensor:
        """Cast to float64."""
        return ops.cast(self, dtypes.float64)

    def long(self) -> Tensor:
        """Cast to int64."""
        return ops.cast(self, dtypes.int64)

    # --- autograd -------------------------------------------------------------------------------
    def backward(self, grad: Tensor | None = None, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on.

        ``grad`` defaults to 1 for a scalar; a non-scalar needs ``grad=`` of its own shape.
        ``create_graph=True`` records the backward pass too, for second derivatives.
        """
        autograd.backward(self, grad, create_graph)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``)."""
        self.grad = None

    # --- arithmetic -----------------------------------------------------------------------------
    def __add__(self, other):
        return ops.add(self, other)

    def __radd__(self, other):
        return ops.add(other, self)

    def __sub__(self, other):
        return ops.sub(self, other)

    def __rsub__(self, other):
        return ops.sub(other, self)

    def __mul__(self, other):
        return ops.mul(self, other)

    def __rmul__(self, other):
        return ops.mul(other, self)

    def __truediv__(self, other):
        return ops.div(self, other)

    def __rtruediv__(self, other):
        return ops.div(other, self)

    def __pow__(self, exponent):
        return ops.pow(self, exponent)

    def __rpow__(self, base):
        return ops.pow(base, self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.abs(self)

    # comparisons: boolean tensors, never differentiable
    def __eq__(self, other):  # type: ignore[override]
        return ops.equal(self, other)

    def __ne__(self, other):  # type: ignore[override]
        return ops.not_equal(self, other)

    def __lt__(self, other):
        return ops.less(self, other)

    def __le__(self, other):
        return ops.less_equal(self, other)

    def __gt__(self, other):
        return ops.greater(self, other)

    def __ge__(self, other):
        return ops.greater_equal(self, other)

    # in-place arithmetic: x += y changes x itself (ops/inplace.py), as in PyTorch
    def __iadd__(self, other):
        return ops.add_(self, other)

    def __isub__(self, other):
        return ops.sub_(self, other)

    def __imul__(self, other):
        return ops.mul_(self, other)

    def __itruediv__(self, other):
        return ops.div_(self, other)

    # --- indexing -------------------------------------------------------------------------------
    def __getitem__(self, index):
        return ops.getitem(self, index)

    def __setitem__(self, index, value):
        ops.setitem_(self, index, value)

    # --- elementwise ----------------------------------------------------------------------------
    def abs(self):
        return ops.abs(self)

    def exp(self):
        return ops.exp(self)

    def log(self):
        return ops.log(self)

    def sqrt(self):
        return ops.sqrt(self)

    def sin(self):
        return ops.sin(self)

    def cos(self):
        return ops.cos(self)

    def tanh(self):
        return ops.tanh(self)

    def sigmoid(self):
        return ops.sigmoid(self)

    def relu(self):
        return ops.relu(self)

    def clip(self, min=None, max=None):
        return ops.clip(self, min, max)

    def maximum(self, other):
        return ops.maximum(self, other)

    def minimum(self, other):
        return ops.minimum(self, other)

    # --- in place (ops/inplace.py): the trailing underscore means "changes this tensor", as in PyTorch ------
    def add_(self, other, *, alpha=1):
        """self ← self + alpha · other; returns self."""
        return ops.add_(self, other, alpha)

    def sub_(self, other, *, alpha=1):
        """self ← self − alpha · other; returns self."""
        return ops.sub_(self, other, alpha)

    def mul_(self, other):
        """self ← self · other; returns self."""
        return ops.mul_(self, other)

    def div_(self, other):
        """self ← self / other; returns self."""
        return ops.div_(self, other)

    def clamp_(self, min=None, max=None):
        """self ← self limited to [min, max]; returns self."""
        return ops.clamp_(self, min, max)

    clip_ = clamp_

    def relu_(self):
        """self ← max(self, 0); returns self."""
        return ops.relu_(self)

    def zero_(self):
        """Every element ← 0; returns self."""
        return ops.zero_(self)

    def fill_(self, value):
        """Every element ← ``value``; returns self."""
        return ops.fill_(self, value)

    def copy_(self, src):
        """self ← ``src`` (broadcast, cast to self's dtype, moved to self's device); returns self."""
        return ops.copy_(self, src)

    def masked_fill_(self, mask, value):
        """self ← ``value`` where ``mask`` is true; returns self."""
        return ops.masked_fill_(self, mask, value)

    def uniform_(self, a=0.0, b=1.0):
        """Every element ← a sample of U[a, b) from the seeded generator; returns self."""
        return ops.uniform_(self, a, b)

    def normal_(self, mean=0.0, std=1.0):
        """Every element ← a sample of N(mean, std²) from the seeded generator; returns self."""
        return ops.normal_(self, mean, std)

    # --- reductions (PyTorch's dim/keepdim; NumPy's axis/keepdims accepted as aliases) ----------------------
    def sum(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.sum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.mean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def max(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """The largest element; with ``dim``, the named tuple ``(values, indices)`` along it (as PyTorch)."""
        return ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """The smallest element; with ``dim``, the named tuple ``(values, indices)`` along it (as PyTorch)."""
        return ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def var(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None, keepdims=None,
            ddof=None):
        """Variance; PyTorch's ``correction=1`` by default, NumPy's ``ddof=0`` when spelled with ``axis=``."""
        return ops.var(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims, ddof=ddof)

    def std(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None, keepdims=None,
            ddof=None):
        """Standard deviation, with the defaults of :meth:`var`."""
        return ops.std(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims, ddof=ddof)

    def logsumexp(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def any(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return ops.all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    # --- shape ----------------------------------------------------------------------------------
    def reshape(self, *shape):
        return ops.reshape(self, *shape)

    def transpose(self, *dims):
        """PyTorch's ``transpose(dim0, dim1)`` swaps two dims; any other form permutes as NumPy's
        (no argument reverses every axis, as ``x.T``)."""
        if len(dims) == 2 and all(isinstance(d, int) for d in dims):
            return ops.swapaxes(self, *dims)
        return ops.transpose(self, *dims)

    def swapaxes(self, axis1: int, axis2: int):
        return ops.swapaxes(self, axis1, axis2)

    @property
    def T(self):
        """The transpose (all axes reversed), as NumPy's ``.T``."""
        return ops.transpose(self)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return ops.squeeze(self, dim)

    def unsqueeze(self, dim: int):
        return ops.unsqueeze(self, dim)

    def broadcast_to(self, shape):
        return ops.broadcast_to(self, shape)

    def matmul(self, other):
        return ops.matmul(self, other)

    # --- PyTorch's tensor ops: views, joining and splitting, clamps, norms, scans, gathering, masks, sorting ---
    def view(self, *shape):
        """PyTorch's ``view``: the same elements in a new shape (one size may be -1). Here it is ``reshape``
        and works on every tensor: ops never write into their inputs, so whether NumPy shares the memory or
        copies it cannot be seen (PyTorch refuses to ``view`` a tensor that is not contiguous)."""
        return ops.reshape(self, *shape)

    def view_as(self, other: Tensor):
        """``view`` with the shape of ``other``."""
        return ops.reshape(self, other.shape)

    def reshape_as(self, other: Tensor):
        """``reshape`` with the shape of ``other``."""
        return ops.reshape(self, other.shape)

    def expand(self, *sizes):
        """A read-only broadcast of this tensor to ``sizes`` (-1 keeps a dim); see :func:`ops.expand`."""
        return ops.expand(self, *sizes)

    def expand_as(self, other: Tensor):
        """``expand`` to the shape of ``other``."""
        return ops.expand(self, other.shape)

    def permute(self, *dims):
        """The dims reordered: dim ``i`` of the result is dim ``dims[i]`` of this tensor."""
        return ops.permute(self, *dims)

    def repeat(self, *sizes):
        """This tensor tiled ``sizes[i]`` times along dim ``i`` (extra sizes add leading dims)."""
        return ops.repeat(self, *sizes)

    def flip(self, *dims):
        """Reversed along ``dims`` (``flip(0)``, ``flip(0, 1)`` or ``flip((0, 1))``)."""
        return ops.flip(self, dims[0] if len(dims) == 1 else dims)

    def split(self, split_size_or_sections, dim: int = 0):
        """Pieces along ``dim`` of ``split_size_or_sections`` elements each (or of the listed sizes); a tuple."""
        return ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0):
        """``chunks`` pieces (or fewer) of ⌈n / chunks⌉ elements along ``dim``; a tuple."""
        return ops.chunk(self, chunks, dim)

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's names)
        """Limited to [min, max] (numbers or tensors); the gradient passes where min ≤ x ≤ max."""
        return ops.clamp(self, min, max)

    def clamp_min(self, min):  # noqa: A002
        return ops.clamp_min(self, min)

    def clamp_max(self, max):  # noqa: A002
        return ops.clamp_max(self, max)

    def norm(self, p="fro", dim=None, keepdim: bool = False):
        """The vector ``p``-norm ("fro"/2, 1, inf, -inf) over ``dim`` (None: all elements)."""
        return ops.norm(self, p, dim, keepdim)

    def cumsum(self, dim: int):
        """Running sums along ``dim``."""
        return ops.cumsum(self, dim)

    def gather(self, dim: int, index: Tensor):
        """Values along ``dim`` at the positions in the int64 tensor ``index`` (its shape is the result's)."""
        return ops.gather(self, dim, index)

    def masked_fill(self, mask: Tensor, value):
        """``value`` where the bool ``mask`` is True, this tensor elsewhere."""
        return ops.masked_fill(self, mask, value)

    def tril(self, diagonal: int = 0):
        """The lower triangle (column − row ≤ ``diagonal``) of the last two dims; the rest 0."""
        return ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0):
        """The upper triangle (column − row ≥ ``diagonal``) of the last two dims; the rest 0."""
        return ops.triu(self, diagonal)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        """``(values, indices)`` sorted along ``dim``, stably."""
        return ops.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        """The int64 indices that sort along ``dim``, stably."""
        return ops.argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``."""
        return ops.topk(self, k, dim, largest, sorted)

    def softmax(self, dim: int | None = None):
        """e^x / Σ e^x along ``dim`` (the last dim when not given)."""
        return ops.softmax(self, dim)

    def log_softmax(self, dim: int | None = None):
        """log softmax along ``dim`` (the last dim when not given), computed stably."""
        return ops.log_softmax(self, dim)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """True when |self − other| ≤ atol + rtol · |other| everywhere."""
        return ops.allclose(self, other, rtol, atol, equal_nan)

    def clone(self):
        """A copy with its own memory that stays in the graph (gradients flow through it)."""
        return ops.clone(self)

    # --- PyTorch's other spellings: arithmetic and comparisons by name, dtype casts, rounding, small helpers ---
    def add(self, other, *, alpha=1):
        """self + alpha · other, out of place (``add_`` is the in-place form)."""
        return ops.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        """self − alpha · other, out of place."""
        return ops.sub(self, other, alpha=alpha)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def neg(self):
        return -self

    def pow(self, exponent):
        return self ** exponent

    def square(self):
        return ops.square(self)

    def reciprocal(self):
        return ops.reciprocal(self)

    def rsqrt(self):
        return ops.rsqrt(self)

    def log1p(self):
        return ops.log1p(self)

    def expm1(self):
        return ops.expm1(self)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    def floor(self):
        return ops.floor(self)

    def ceil(self):
        return ops.ceil(self)

    def round(self, decimals: int = 0):
        return ops.round(self, decimals)

    def trunc(self):
        return ops.trunc(self)

    def sign(self):
        return ops.sign(self)

    def t(self):
        return ops.t(self)

    def mm(self, other):
        return ops.mm(self, other)

    def dot(self, other):
        return ops.dot(self, other)

    def index_select(self, dim: int, index):
        return ops.index_select(self, dim, index)

    def narrow(self, dim: int, start: int, length: int):
        return ops.narrow(self, dim, start, length)

    def unbind(self, dim: int = 0):
        return ops.unbind(self, dim)

    def movedim(self, source: int, destination: int):
        return ops.movedim(self, source, destination)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (PyTorch's ``x.where(cond, y)``)."""
        return ops.where(condition, self, other)

    def nelement(self) -> int:
        return self.numel()

    def contiguous(self) -> Tensor:
        """This tensor: tinygrad_lite never needs a copy to make memory contiguous (NumPy handles strides)."""
        return self

    def new_tensor(self, data, dtype=None, requires_grad: bool = False) -> Tensor:
        """A new tensor from ``data`` with this tensor's dtype (unless given) and device."""
        return Tensor(data, requires_grad=requires_grad, dtype=self.dtype if dtype is None else dtype,
                      device=self.device)

    def new_zeros(self, *size, dtype=None, requires_grad: bool = False) -> Tensor:
        """Zeros of ``size`` with this tensor's dtype (unless given) and device."""
        return factories.zeros(*size, dtype=self.dtype if dtype is None else dtype, device=self.device,
                               requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad: bool = False) -> Tensor:
        """Ones of ``size`` with this tensor's dtype (unless given) and device."""
        return factories.ones(*size, dtype=self.dtype if dtype is None else dtype, device=self.device,
                              requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
        """``fill_value`` in every entry of ``size``, with this tensor's dtype (unless given) and device."""
        return factories.full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=self.device,
                              requires_grad=requires_grad)

    # Last in the class: below these, the names int, bool and type would mean the methods, not the builtins.
    def int(self) -> Tensor:
        """Cast to int32."""
        return ops.cast(self, dtypes.int32)

    def half(self) -> Tensor:
        """Cast to float16."""
        return ops.cast(self, dtypes.float16)

    def bool(self) -> Tensor:
        """Cast to bool."""
        return ops.cast(self, dtypes.bool_)

    def type(self, dtype=None):
        """With a dtype, this tensor cast to it (``x.type(tl.float)``); without, its type's name, such as
        ``'tinygrad_lite.FloatTensor'`` (PyTorch's ``'torch.FloatTensor'``)."""
        if dtype is None:
            return f"tinygrad_lite.{_TYPE_NAMES.get(self.dtype.name, self.dtype.name)}Tensor"
        return ops.cast(self, dtype)


_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "uint8": "Byte",
               "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool"}


def tensor(data: Any, requires_grad: bool = False, dtype=None, device: str | None = None) -> Tensor:
    """Same as ``Tensor(data, requires_grad, dtype, device)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def is_tensor(obj) -> bool:
    """True when ``obj`` is a tinygrad_lite Tensor."""
    return isinstance(obj, Tensor)


def as_tensor(data: Any, dtype=None, device: str | None = None) -> Tensor:
    """``data`` as a Tensor, without a copy where it already is one of that dtype and device
    (then it is the same tensor, in the graph as it was)."""
    if isinstance(data, Tensor):
        if dtype is not None and data.dtype != dtypes.as_dtype(dtype, "as_tensor"):
            data = ops.cast(data, dtype)
        if device is not None and data.device != device:
            data = data.to(device)
        return data
    return Tensor(data, dtype=dtype, device=device)


def _to_arguments(args: tuple, kwargs: dict):
    """(device, dtype) from the arguments of ``Tensor.to``, each None when not given."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking"}
    if unknown or len(args) > 2:
        raise TypeError(f"to: expected to(device), to(dtype), to(device, dtype) or to(tensor), got {len(args)} "
                        f"positional arguments and keywords {sorted(kwargs)}")
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, str):
            device = arg
        else:
            dtype = arg
    return (None if device is None else backend.check_device(device),
            None if dtype is None else dtypes.as_dtype(dtype, "to"))


# Imported last: both modules use Tensor, and Tensor's methods use them only when called.
from . import autograd, factories, ops, versions  # noqa: E402

# The arithmetic operators and the lecture's elementwise functions only hand the tensor to one op function,
# so once ops is loaded they *are* that function: ``x * y`` calls ``ops.mul(x, y)`` with no method in
# between. That is one Python call fewer in every op of every program, a few percent of a chain of tiny
# ops, where the bookkeeping is all the time there is. The defs above say what each method does (and are
# what type checkers read); tests/test_tensor.py checks that each method is the function its def calls.
METHODS_THAT_ARE_OPS = {"__add__": ops.add, "__sub__": ops.sub, "__mul__": ops.mul, "__truediv__": ops.div,
                        "__matmul__": ops.matmul, "__neg__": ops.neg, "exp": ops.exp, "log": ops.log,
                        "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu}
for _method, _op in METHODS_THAT_ARE_OPS.items():
    setattr(Tensor, _method, _op)
