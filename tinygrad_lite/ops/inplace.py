"""In-place ops: ``x.add_(y)``, ``x += y``, ``x[i] = v``, ``w.grad.zero_()`` change a tensor where it is.

Outside a graph (under ``no_grad``, or when nothing involved requires grad) they write into the tensor's
array, as PyTorch's do. That is the hand-written gradient-descent step of the lecture,
θ ← θ − η g::

    with tl.no_grad():
        w -= lr * w.grad
    w.grad.zero_()

Inside a graph they are recorded like any op: the new values are computed out of place from a snapshot
of the old ones, written into the tensor, and the tensor is re-linked to the op that made them. The
version counter (``versions.py``) then makes a backward that needed the old values raise PyTorch's
error instead of silently using the new ones. As in PyTorch, a leaf that requires grad cannot be changed
in place in a graph: its gradient would be the gradient of something it no longer holds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import backend, versions
from ..autograd import is_grad_enabled, no_grad
from ..tensor import Tensor
from .convert import cast, to_device
from .elementwise import add, clip, div, mul, relu, sub, where
from .operands import as_tensor
from .shape import SetItem, _normalize_index


def apply_inplace(op: str, target: Tensor, compute: Callable[..., Tensor], *operands,
                  any_dtype: bool = False) -> Tensor:
    """``target ← compute(target, *operands)``, in place; returns ``target``.

    ``compute`` makes the new values out of place with ordinary ops. The result must keep ``target``'s
    shape; its dtype must cast to ``target``'s within its kind (a float result cannot go into an int
    tensor) unless ``any_dtype`` (``fill_``, ``copy_``). Nothing changes when a check fails."""
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}: expected a Tensor to change in place, got a {type(target).__name__}")
    recording = is_grad_enabled() and (
        target.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in operands))
    if not recording:
        with no_grad():
            new = _fit(op, target, compute(target, *operands), any_dtype)
        _write(op, target, new.data)
        versions.mark_modified(target, op)
        return target

    if target.grad_fn is None and target.requires_grad:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation "
                           f"(a tensor of shape {target.shape}). Change parameters under tl.no_grad(), as in "
                           "`with tl.no_grad(): w -= lr * w.grad`")
    if target._base is not None:
        raise RuntimeError(f"{op}: this tensor (shape {target.shape}) is a view of another one, and changing a view "
                           "in place inside a graph is not supported in tinygrad_lite (PyTorch rewrites the base's "
                           "graph). Change the tensor it was taken from instead, or build the result out of place "
                           "(tl.where, tl.cat)")
    snapshot = Tensor._make(target.data.copy(), target.requires_grad)  # the old values, for the new op to read
    snapshot.grad_fn = target.grad_fn
    new = _fit(op, target, compute(snapshot, *[snapshot if o is target else o for o in operands]), any_dtype)
    _write(op, target, new.data)
    clock = versions.mark_modified(target, op)
    target._previous = (clock, snapshot, getattr(target, "_previous", None))
    target.grad_fn = new.grad_fn
    target.requires_grad = new.requires_grad
    versions.graph_rebinds = True
    return target


def _fit(op: str, target: Tensor, new: Tensor, any_dtype: bool) -> Tensor:
    """The new values checked against the tensor they go into, and cast to its dtype."""
    if new.shape != target.shape:
        raise RuntimeError(f"{op}: the result has shape {new.shape} but the tensor changed in place has shape "
                           f"{target.shape}; an in-place op cannot change a tensor's shape (output with shape "
                           f"{list(target.shape)} doesn't match the broadcast shape {list(new.shape)})")
    if new.dtype != target.dtype:
        if not any_dtype and not np.can_cast(new.dtype, target.dtype, casting="same_kind"):
            raise RuntimeError(f"{op}: result type {new.dtype} can't be cast to the dtype of the tensor changed in "
                               f"place, {target.dtype}; use an out-of-place op (x = x + y) to get a {new.dtype} "
                               "result")
        new = cast(new, target.dtype)
    return new


def _write(op: str, target: Tensor, values) -> None:
    """Copy ``values`` into ``target``'s array (into the memory it shares with its views)."""
    versions.own_memory(target)
    try:
        target.data[...] = values
    except ValueError as error:
        raise RuntimeError(f"{op}: cannot write into this tensor (shape {target.shape}): {error}. It is a broadcast "
                           "view (expand, broadcast_to) in which one memory location stands for several elements; "
                           ".clone() it before changing it in place") from None


# --- the in-place ops -----------------------------------------------------------------------------


def _scaled(other, alpha):
    return other if alpha == 1 else mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def add_(x: Tensor, other, alpha=1) -> Tensor:
    """x ← x + alpha · other."""
    return apply_inplace("add_", x, lambda x, o: add(x, _scaled(o, alpha)), other)


def sub_(x: Tensor, other, alpha=1) -> Tensor:
    """x ← x − alpha · other."""
    return apply_inplace("sub_", x, lambda x, o: sub(x, _scaled(o, alpha)), other)


def mul_(x: Tensor, other) -> Tensor:
    """x ← x · other."""
    return apply_inplace("mul_", x, mul, other)


def div_(x: Tensor, other) -> Tensor:
    """x ← x / other (true division: an integer tensor cannot hold the result)."""
    return apply_inplace("div_", x, div, other)


def clamp_(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002  (PyTorch's names)
    """x ← min(max(x, min), max)."""
    return apply_inplace("clamp_", x, lambda x, low, high: clip(x, low, high), min, max)


def relu_(x: Tensor) -> Tensor:
    """x ← max(x, 0)."""
    return apply_inplace("relu_", x, relu)


def _everywhere(x: Tensor) -> Tensor:
    return Tensor._make(backend.get_array_module(x.data).ones(x.shape, dtype=bool), False)


def fill_(x: Tensor, value, op: str = "fill_") -> Tensor:
    """Every element ← ``value`` (a number or a one-element tensor, cast to x's dtype)."""
    if isinstance(value, Tensor) and value.numel() != 1:
        raise RuntimeError(f"{op}: the value must be a number or a one-element tensor, got shape {value.shape}")
    if isinstance(value, Tensor):
        value = value.reshape(())
    return apply_inplace(op, x, lambda x, v: where(_everywhere(x), v, x), value, any_dtype=True)


def zero_(x: Tensor) -> Tensor:
    """Every element ← 0."""
    return fill_(x, 0, "zero_")


def copy_(x: Tensor, src) -> Tensor:
    """x ← ``src`` (broadcast to x's shape, cast to its dtype, moved to its device)."""
    src = as_tensor(src, x, "copy_")
    if src.device != x.device:
        src = to_device(src, x.device)
    return apply_inplace("copy_", x, lambda x, s: where(_everywhere(x), s, x), src, any_dtype=True)


def masked_fill_(x: Tensor, mask, value) -> Tensor:
    """x ← ``value`` where ``mask`` is true (mask broadcast to x's shape)."""
    return apply_inplace("masked_fill_", x, lambda x, v: where(mask, v, x), value, any_dtype=True)


def _random(x: Tensor, draw) -> Tensor:
    """Samples from the seeded host generator, shaped and typed like ``x`` on its device (as tl.rand)."""
    if x.dtype.kind != "f":
        raise TypeError(f"random fill: expected a floating-point tensor, got {x.dtype}")
    values = draw(backend.host_rng(), x.shape).astype(x.dtype)
    return Tensor._make(backend.to_device(values, x.device), False)


def uniform_(x: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Every element ← a sample of the uniform distribution on [a, b)."""
    return apply_inplace("uniform_", x, lambda x: _random(x, lambda rng, shape: rng.uniform(a, b, shape)))


def normal_(x: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Every element ← a sample of the normal distribution N(mean, std²)."""
    return apply_inplace("normal_", x, lambda x: _random(x, lambda rng, shape: rng.normal(mean, std, shape)))


def setitem_(x: Tensor, index, value) -> None:
    """``x[index] = value``: the picked positions ← ``value`` (broadcast to them, cast to x's dtype).

    Outside a graph the array is written directly; in a graph it is the op :class:`SetItem`."""
    index, basic = _normalize_index(x, index, "setitem")
    if isinstance(value, Tensor) and value.device != x.device:
        raise RuntimeError(f"setitem: the value is on {value.device} but the tensor is on {x.device}")
    value = as_tensor(value, x, "setitem")
    if value.dtype != x.dtype:
        value = cast(value, x.dtype)
    if not (is_grad_enabled() and (x.requires_grad or value.requires_grad)):
        versions.own_memory(x)
        try:
            x.data[index] = value.data
        except (ValueError, TypeError, IndexError) as error:
            raise type(error)(f"setitem: tensor of shape {x.shape} {x.dtype}, value of shape {value.shape}: "
                              f"{error}") from None
        versions.mark_modified(x, "setitem")
        return
    apply_inplace("setitem", x, lambda x, v: SetItem.apply(x, v, index=index, basic=basic), value)
