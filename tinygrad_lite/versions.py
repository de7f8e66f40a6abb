"""The version counter: which tensors an in-place op has changed, and whether a backward still needs them.

A recorded op keeps its inputs, and its backward reads their values (the backward of ``a * b`` needs
``b`` to make ``a``'s gradient). Change ``b`` in place before ``backward()`` and that gradient would be
silently wrong. PyTorch prevents it with a version counter on every tensor's memory, and so do we:

- A global *clock* ticks at every in-place change. Each recorded Function notes the clock when it is made
  (``fn._clock``); each changed tensor notes ``(version, clock, op)`` of its last change (``_modified``).
  Before a backward runs, a Function whose inputs changed after it was made raises PyTorch's error,
  naming itself and the op that changed them. While nothing has changed since it was made (the clock
  still reads ``fn._clock``), the check costs one comparison.
- Views share memory, so they share the record: a view (``x[0]``, ``x.reshape(..)``, ``x.T``,
  ``x.detach()``) points to the tensor that owns the memory (``_base``), and changes are recorded there.
- An in-place op *in a graph* (``y.mul_(2)`` on a ``y`` computed from parameters) re-links ``y`` to a new
  op whose input is a snapshot of the old ``y``. Ops recorded before the change still mean the old
  ``y``: the engine reads ``_previous`` (clock, snapshot, older) to send their gradients to the snapshot.
- A leaf's gradient may share its array with other gradients (``a + b`` gives both the same one), so the
  engine marks a first gradient as *borrowed*; an in-place op on it (``w.grad.zero_()``) copies it first.
"""

from __future__ import annotations

import threading

from .tensor import Tensor

_clock = 0  # ticks at every in-place change, in any thread
_clock_lock = threading.Lock()
graph_rebinds = False  # set once any in-place op has re-linked a tensor in a graph (views must then be checked)


def now() -> int:
    """The clock's current reading."""
    return _clock


def tick() -> int:
    """Advance the clock by one and return its new reading."""
    global _clock
    with _clock_lock:
        _clock += 1
        return _clock


def owner(t: Tensor) -> Tensor:
    """The tensor that owns ``t``'s memory: ``t`` itself, or the tensor ``t`` is a view of."""
    return t if t._base is None else t._base


def version(t: Tensor) -> int:
    """How many times the memory of ``t`` has been changed in place (PyTorch's ``t._version``)."""
    record = getattr(owner(t), "_modified", None)
    return 0 if record is None else record[0]


def mark_modified(t: Tensor, op: str) -> int:
    """Record that ``op`` has just changed ``t``'s values in place; returns the clock of the change.

    The change is recorded on the memory's owner, and an op that kept ``t``'s array as its output for
    its backward (tanh keeps y for 1 − y²) is told that its array is no longer what it computed."""
    mark_all_modified([t], op)
    return _clock


def mark_all_modified(tensors: list[Tensor], op: str) -> None:
    """:func:`mark_modified` for many tensors changed by one op (an optimizer step): one tick of the clock."""
    clock = tick()
    for t in tensors:
        root = t if t._base is None else t._base
        record = getattr(root, "_modified", None)
        root._modified = (1 if record is None else record[0] + 1, clock, op)
        if t.grad_fn is not None or root.grad_fn is not None:  # never for the parameters of an optimizer
            for changed in (t, root):
                fn = changed.grad_fn
                if fn is not None and fn.saves_output:
                    fn._output_modified = op


def own_memory(t: Tensor) -> None:
    """Give a borrowed gradient its own array, before anything writes into it or makes a view of it."""
    root = owner(t)
    if getattr(root, "_borrowed", False):
        root.data = root.data.copy()
        root._borrowed = False


def borrowed(g: Tensor) -> Tensor:
    """``g`` as a leaf's new ``.grad``: the same array and graph, marked to be copied before any write."""
    t = Tensor._make(g.data, g.requires_grad)
    t.grad_fn = g.grad_fn
    t._borrowed = True
    return t


def borrowed_array(array) -> Tensor:
    """A gradient array as a leaf's new ``.grad``, marked to be copied before any write (as :func:`borrowed`)."""
    t = Tensor._make(array, False)
    t._borrowed = True
    return t


def _memory(array):
    """The array whose memory ``array`` uses (itself, or the array it is a view of)."""
    base = array.base
    return array if base is None else base


def link_view(view: Tensor, source: Tensor) -> None:
    """Record ``view`` as a view of ``source``'s memory when its array really shares it."""
    if _memory(view.data) is _memory(source.data):
        view._base = owner(source)
        view._view_clock = _clock


def as_recorded(t: Tensor, clock: int) -> Tensor:
    """``t`` as it was at ``clock``: the snapshot an in-place op took, if one re-linked ``t`` since."""
    previous = getattr(t, "_previous", None)
    while previous is not None and previous[0] > clock:
        t = previous[1]
        previous = previous[2]
    return t


def check_unchanged(fn) -> None:
    """Raise PyTorch's error if something ``fn``'s backward needs was changed in place after ``fn`` was made."""
    name = type(fn).__name__
    changed_by = getattr(fn, "_output_modified", None)
    if changed_by is not None:
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"the output of {name}, which its backward reads, was changed by {changed_by}. Use an out-of-place "
            f"op (y = y * 2 rather than y.mul_(2)) on {name}'s output, or .clone() it first")
    for i, t in enumerate(fn.inputs):
        root = owner(t)
        record = getattr(root, "_modified", None)
        if record is None:
            continue
        version_now, clock, op = record
        if fn.reads_inputs and clock > fn._clock:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                f"input {i} of {name} (shape {t.shape}, {t.dtype}) was changed by {op} after {name} was "
                f"recorded; it is at version {version_now}, and {name}'s backward needs the values it had. "
                "Use an out-of-place op (x = x + 1 rather than x.add_(1)), or .clone() the tensor first")
        if t._base is not None:
            _check_view_current(fn, i, t, root)


def _check_view_current(fn, i: int, view: Tensor, root: Tensor) -> None:
    """A view made before an in-place op re-linked its owner describes the owner's old graph: refuse it."""
    previous = getattr(root, "_previous", None)
    while previous is not None:
        clock = previous[0]
        if view._view_clock < clock <= fn._clock:
            raise RuntimeError(
                f"{type(fn).__name__}: input {i} (shape {view.shape}) is a view of a tensor that an in-place op "
                "changed in the graph after the view was made, so the view's gradient would go to the old "
                "values. Make the view again after the in-place op (tinygrad_lite does not replay views as "
                "PyTorch does)")
        previous = previous[2]
