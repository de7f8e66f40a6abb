"""Gather: pick one element along a dim for every position of an index tensor (PyTorch's ``gather``).

    out[i][j][k] = x[index[i][j][k]][j][k]   (dim = 0)       out[i][j][k] = x[i][index[i][j][k]][k]   (dim = 1)

That is integer-array indexing with ``index`` along ``dim`` and an open grid ``arange`` along every other
dim, so gather is :class:`~tinygrad_lite.ops.shape.GetItem` with that index: its backward scatters the
gradient back and adds it up where one element was picked several times (``IndexAdd``), and the
backward of that is gathering again, so every order of derivative works.
"""

from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .axes import normalize_axis
from .shape import GetItem


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """Values of ``x`` along ``dim`` at the positions in ``index`` (an int64 tensor with as many dims as ``x``,
    no longer than ``x`` along the other dims); the result has the shape of ``index``.

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> x.gather(1, tl.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    """
    if not isinstance(index, Tensor):
        raise TypeError(f"gather: index must be a Tensor of integers, got {type(index).__name__}")
    if index.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor (int64), got {index.dtype} of shape {index.shape}")
    if index.device != x.device:
        raise RuntimeError(f"gather: the index is on {index.device} but the tensor is on {x.device}")
    if x.ndim == 0:
        raise ValueError("gather: a 0-d tensor has no dim to gather along")
    if index.ndim != x.ndim:
        raise ValueError(f"gather: index of shape {index.shape} must have as many dims as the tensor of shape "
                         f"{x.shape} ({x.ndim})")
    axis = normalize_axis(dim, x.ndim, "gather", x.shape)
    for d, (n, m) in enumerate(zip(index.shape, x.shape, strict=True)):
        if d != axis and n > m:
            raise ValueError(f"gather: index of shape {index.shape} is longer than the tensor of shape {x.shape} "
                             f"at dim {d} ({n} > {m})")
    xp = backend.get_array_module(x.data)
    positions = index.data
    if positions.size and (bool((positions < 0).any()) or bool((positions >= x.shape[axis]).any())):
        low, high = int(positions.min()), int(positions.max())
        raise IndexError(f"gather: index values in [{low}, {high}] are out of range for dim {dim} of size "
                         f"{x.shape[axis]} (shape {x.shape})")
    grid = tuple(positions if d == axis else xp.arange(n).reshape([-1 if e == d else 1 for e in range(x.ndim)])
                 for d, n in enumerate(index.shape))
    return GetItem.apply(x, index=grid, basic=False)
