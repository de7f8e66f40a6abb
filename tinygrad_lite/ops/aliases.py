"""PyTorch's other names for ops tinygrad_lite already has, built from them (so their gradients come for free).

Each checks what PyTorch checks (``mm`` takes two matrices, ``dot`` two vectors, ``t`` at most 2 dims) and
says so naming the op and the shapes, then hands the work to the general op.
"""

from __future__ import annotations

from ..tensor import Tensor
from .axes import normalize_axis
from .linalg import matmul
from .shape import getitem, transpose


def t(x: Tensor) -> Tensor:
    """The transpose of a matrix; a vector or a scalar comes back as it is (PyTorch's ``t``)."""
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor with at most 2 dims, got shape {x.shape}; use transpose(d0, d1)")
    return transpose(x) if x.ndim == 2 else x


def mm(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product of two matrices, (n, m) @ (m, p) → (n, p), without broadcasting."""
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"mm: expects two matrices, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    """The inner product Σᵢ aᵢ bᵢ of two vectors of one length."""
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"dot: expects two vectors of one length, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def square(x: Tensor) -> Tensor:
    """x², elementwise."""
    return x * x


def reciprocal(x: Tensor) -> Tensor:
    """1/x, elementwise (a float result, as in PyTorch)."""
    return 1.0 / x


def rsqrt(x: Tensor) -> Tensor:
    """1/√x, elementwise."""
    return 1.0 / x.sqrt()


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``x`` at the positions ``index`` (a vector of integers) along ``dim``."""
    dim = normalize_axis(dim, x.ndim, "index_select", x.shape)
    if not isinstance(index, Tensor) or index.ndim > 1 or index.dtype.kind not in "iu":
        described = f"shape {index.shape} {index.dtype}" if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"index_select: index must be a vector (or scalar) Tensor of integers, got {described}")
    return getitem(x, (slice(None),) * dim + (index.reshape(-1),))


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The ``length`` entries of ``x`` from ``start`` along ``dim`` (a view, as ``x[..., start:start+length]``)."""
    dim = normalize_axis(dim, x.ndim, "narrow", x.shape)
    size = x.shape[dim]
    if start < 0:
        start += size
    if not (0 <= start <= size and 0 <= length <= size - start):
        raise IndexError(f"narrow: start {start} and length {length} do not fit dim {dim} of size {size} "
                         f"(shape {x.shape})")
    return getitem(x, (slice(None),) * dim + (slice(start, start + length),))


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``x`` along ``dim``, each without that dim: ``x[0], x[1], ...`` for dim 0."""
    dim = normalize_axis(dim, x.ndim, "unbind", x.shape)
    return tuple(getitem(x, (slice(None),) * dim + (i,)) for i in range(x.shape[dim]))


def movedim(x: Tensor, source: int, destination: int) -> Tensor:
    """``x`` with dim ``source`` moved to position ``destination``, the others keeping their order."""
    source = normalize_axis(source, x.ndim, "movedim", x.shape)
    destination = normalize_axis(destination, x.ndim, "movedim", x.shape)
    order = [d for d in range(x.ndim) if d != source]
    order.insert(destination, source)
    return transpose(x, tuple(order))

