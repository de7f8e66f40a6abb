"""Reverse-mode automatic differentiation: the Function base class, grad mode and the backward engine.

Every op is a :class:`Function`. Its ``forward`` computes on raw arrays; its ``backward`` receives the
gradient of the output as a Tensor and returns the gradients of the inputs computed *with Tensor ops*.
That one decision is what makes second derivatives possible: when ``create_graph=True`` the backward
pass runs with grad mode on, so the gradient is itself a graph that can be differentiated again
(double backward), which is how ``tl.hessian`` gets the Hessian of the lecture.

The graph holds no reference cycles: a Tensor points to the Function that made it (``grad_fn``) and
the Function points to its inputs, never to its output Tensor (an op whose backward needs its output
keeps the output's array). Dropping the last reference to a loss frees the whole graph by reference
counting.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import threading
import traceback
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from . import backend, versions
from .tensor import Tensor

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


# --- grad mode ----------------------------------------------------------------------------------


class _ThreadState(threading.local):
    """Grad mode and anomaly mode belong to one thread, as in PyTorch: a ``no_grad`` block in one thread
    leaves the others recording, and a new thread starts with grad enabled and anomaly detection off."""

    grad_enabled = True
    anomaly_enabled = False

    def __init__(self):
        self.backward_stack: list[Function] = []  # Functions whose backward is running, under detect_anomaly


_state = _ThreadState()


def is_grad_enabled() -> bool:
    """True when ops record the graph needed for backward (the default)."""
    return _state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Set grad mode inside a ``with`` block (or a decorated function), restoring it afterwards."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.previous: list[bool] = []

    def __enter__(self):
        self.previous.append(_state.grad_enabled)
        _state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.previous.pop()
        return False


def no_grad() -> _GradMode:
    """Context manager / decorator: run ops without recording a graph (evaluation, optimizer updates).

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> with tl.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Context manager / decorator: record the graph again, even inside :func:`no_grad`."""
    return _GradMode(True)


class set_grad_enabled(_GradMode):
    """Turn grad mode on or off: at once when called (as PyTorch's ``torch.set_grad_enabled(False)``), and
    back to what it was after a ``with`` block or a decorated function.

    >>> import tinygrad_lite as tl
    >>> with tl.set_grad_enabled(False):
    ...     tl.is_grad_enabled()
    False
    >>> tl.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool):
        super().__init__(bool(mode))
        self.before_call: bool | None = _state.grad_enabled
        _state.grad_enabled = self.enabled

    def __enter__(self):
        if self.before_call is None:  # a decorated function's call, or a reused object
            return super().__enter__()
        self.previous.append(self.before_call)  # the mode was set by the call: restore what was before it
        self.before_call = None
        return self

    def __call__(self, function):
        _state.grad_enabled = self.before_call  # as a decorator it acts only while the function runs
        self.before_call = None
        return super().__call__(function)


def inference_mode(mode: bool = True) -> _GradMode:
    """PyTorch's ``inference_mode``, here the same as :func:`no_grad` (``mode=False``: the same as
    :func:`enable_grad`). PyTorch's version also skips the version counter; ours always keeps it."""
    return _GradMode(not mode)


class detect_anomaly(contextlib.ContextDecorator):
    """Raise, naming the op and where it was created, as soon as a forward or backward makes NaN/inf.

    Checking every result costs time, so use it while hunting a NaN, not in normal training.

    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([-1.0, 1.0], requires_grad=True)
    >>> with tl.detect_anomaly():
    ...     y = x.sqrt()                                  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    FloatingPointError: detect_anomaly: forward of Sqrt produced nan ...
    """

    def __enter__(self):
        self.previous = _state.anomaly_enabled
        _state.anomaly_enabled = True
        return self

    def __exit__(self, *exc):
        _state.anomaly_enabled = self.previous
        return False


# --- Function -----------------------------------------------------------------------------------


class Function:
    """One differentiable op: ``forward`` on arrays, ``backward`` in Tensor ops.

    Subclasses implement::

        def forward(self, *arrays, **params) -> array       # may save what backward needs on self
        def backward(self, grad_output: Tensor) -> Tensor | tuple[Tensor | None, ...]

    and are called through ``apply``, which builds the output Tensor and, when gradients are needed,
    links it into the graph. ``self.inputs`` are the input Tensors, and ``self.needs_input_grad[i]``
    says whether input ``i`` wants a gradient, so ``backward`` may return ``None`` for the others.
    An op whose backward is written with its own output (tanh: dy/dx = 1 − y²) sets the class attribute
    ``saves_output = True``; ``self.output()`` is then the output as a Tensor of the graph.

    >>> import tinygrad_lite as tl
    >>> class Square(tl.Function):
    ...     def forward(self, x):
    ...         return x * x
    ...     def backward(self, grad_output):
    ...         (x,) = self.inputs
    ...         return grad_output * 2 * x          # d(x²)/dx = 2x
    >>> x = tl.tensor([3.0], requires_grad=True)
    >>> Square.apply(x).backward(tl.ones(1))
    >>> x.grad
    tensor([6.])
    """

    # Slots for what every op keeps: an op that saves nothing else (Add, Mul, Tanh ...) never writes
    # to its __dict__, and Python creates an instance's dict only when it is first written. A long
    # graph is hundreds of thousands of these objects, and Python's garbage collector visits each of
    # them again and again while the graph grows; fewer objects make that cheaper.
    __slots__ = ("inputs", "needs_input_grad", "_output_data", "_sequence", "_clock", "_output_modified",
                 "created_at")
    inputs: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    _output_data: object  # the output's array, kept only where saves_output is set
    _sequence: int  # the op's number in the order ops were recorded: backward runs them from the latest
    _clock: int  # the version clock when the op was recorded (see versions.py)
    _output_modified: str  # the in-place op that changed the kept output, if one did
    saves_output: bool = False
    # False for an op whose backward never reads its inputs' values (add, reshape, or ops that keep
    # what they need, such as relu's mask): changing such an input in place afterwards is harmless.
    reads_inputs: bool = True
    # True for an op whose output may share the input's memory (reshape, transpose, basic indexing):
    # the output then shares the input's version counter, as PyTorch's views do.
    makes_view: bool = False
    created_at: str  # the user's line that made the op, recorded inside detect_anomaly() only
    # An op may also give its backward on arrays: ``backward_arrays(grad_output_array)`` returns the input
    # gradients as arrays (None where not needed). The engine uses it when no graph is recorded
    # (create_graph=False, so every training step): there each op the Tensor backward runs would pay an
    # op application for nothing. ``backward`` stays the definition, and the one double backward uses.
    backward_arrays = None

    def output(self) -> Tensor:
        """The output, for a backward written with it (only in ops that set ``saves_output``).

        The op keeps its output's array, not the output Tensor (that Tensor points back to this op:
        a cycle). So the Tensor is rebuilt here, as PyTorch rebuilds a saved output: the same array,
        with this op as its ``grad_fn``, so a backward that uses it is differentiable again."""
        try:
            data = self._output_data
        except AttributeError:
            raise AttributeError(f"{type(self).__name__}.backward reads self.output(): set saves_output = True "
                                 "on the class so that apply keeps the output's array") from None
        out = Tensor._make(data, True)
        out.grad_fn = self
        return out

    @classmethod
    def apply(cls, *inputs: Tensor, **params) -> Tensor:
        """Run ``forward`` on the inputs' arrays and return the output Tensor, recorded in the graph."""
        fn = cls()
        if cls.makes_view:
            versions.own_memory(inputs[0])
        # One to three inputs (a linear layer with its bias) are nearly every op a program runs, so they are
        # spelled out: in Python 3.11 a comprehension is a function call of its own, and a call that unpacks
        # *arrays or **params costs more than this bookkeeping.
        first = inputs[0]
        array_type = type(first.data)
        count = len(inputs)
        try:
            if count == 1:
                needs_input_grad: tuple[bool, ...] = _FLAGS_1[first.requires_grad]
                data = fn.forward(first.data, **params) if params else fn.forward(first.data)
            elif count == 2:
                second = inputs[1]
                needs_input_grad = _FLAGS_2[first.requires_grad][second.requires_grad]
                if type(second.data) is not array_type:
                    _refuse_mixed_devices(cls, inputs)
                data = (fn.forward(first.data, second.data, **params) if params else
                        fn.forward(first.data, second.data))
            elif count == 3:
                second, third = inputs[1], inputs[2]
                needs_input_grad = (first.requires_grad, second.requires_grad, third.requires_grad)
                if type(second.data) is not array_type or type(third.data) is not array_type:
                    _refuse_mixed_devices(cls, inputs)
                data = (fn.forward(first.data, second.data, third.data, **params) if params else
                        fn.forward(first.data, second.data, third.data))
            else:
                arrays = tuple([t.data for t in inputs])
                needs_input_grad = tuple([t.requires_grad for t in inputs])
                for array in arrays:
                    if type(array) is not array_type:
                        _refuse_mixed_devices(cls, inputs)
                data = fn.forward(*arrays, **params)
        except (ValueError, TypeError, IndexError) as error:
            described = ", ".join(f"{t.shape} {t.dtype}" for t in inputs)
            raise type(error)(f"{cls.__name__.lower()}: inputs {described}: {error}") from None
        if type(data) is not array_type and not backend.is_backend_array(data):  # NumPy: 0-d results are scalars
            data = backend.get_array_module(first.data).asarray(data)

        state = _state
        # integer and bool results carry no gradient
        requires_grad = state.grad_enabled and True in needs_input_grad and data.dtype.kind == "f"
        out = _new_tensor(Tensor)  # Tensor._make, inlined: this line runs for every op
        out.data = data
        out.grad = None
        out.requires_grad = requires_grad
        out._base = None
        if requires_grad:
            fn.inputs = inputs
            fn.needs_input_grad = needs_input_grad
            fn._sequence = next(_sequence_numbers)
            fn._clock = versions._clock
            if cls.saves_output:
                fn._output_data = data
            out.grad_fn = fn
        else:
            out.grad_fn = None
        if cls.makes_view:
            versions.link_view(out, inputs[0])
        if state.anomaly_enabled:
            fn.created_at = _user_frame()
            if state.backward_stack:  # an op run by some op's backward: blame that backward
                owner = state.backward_stack[-1]
                _check_finite(data, f"backward of {type(owner).__name__} (in its {cls.__name__})", owner.inputs,
                              _created_at(owner))
            else:
                _check_finite(data, f"forward of {cls.__name__}", inputs, fn.created_at)
        return out

    def forward(self, *arrays, **params):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad_output: Tensor):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def __repr__(self):
        return f"<{type(self).__name__}>"


_new_tensor = Tensor.__new__
# every op's needs_input_grad for one or two inputs, shared: a new tuple per op would be one more object for
# the garbage collector to count and visit while a graph grows
_FLAGS_1 = ((False,), (True,))
_FLAGS_2 = (((False, False), (False, True)), ((True, False), (True, True)))
_sequence_numbers = itertools.count()  # thread-safe: next() on it is one step of C code


def _refuse_mixed_devices(cls: type, inputs: Sequence[Tensor]):
    devices = ", ".join(t.device for t in inputs)
    raise RuntimeError(f"{cls.__name__.lower()}: inputs are on different devices ({devices}); "
                       "move them to one device with .to(device)")


# --- anomaly detection --------------------------------------------------------------------------


def _user_frame() -> str:
    """The innermost stack frame outside tinygrad_lite: where the user's code created this op."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f'File "{frame.filename}", line {frame.lineno}, in {frame.name}: {frame.line}'
    return "<unknown>"


def _created_at(fn: Function) -> str:
    """Where ``fn`` was created, if it was created inside detect_anomaly()."""
    return getattr(fn, "created_at", "an unknown place (it was created outside detect_anomaly())")


def _check_finite(array, what: str, inputs: Sequence[Tensor], created_at: str) -> None:
    if array.dtype.kind != "f":
        return
    xp = backend.get_array_module(array)
    if bool(xp.isfinite(array).all()):
        return
    bad = "nan" if bool(xp.isnan(array).any()) else ("inf" if bool((array == xp.inf).any()) else "-inf")
    ranges = "; ".join(_describe_values(t) for t in inputs)
    raise FloatingPointError(f"detect_anomaly: {what} produced {bad} (inputs: {ranges}); op created at {created_at}")


def _call_backward(fn: Function, grad_output: Tensor):
    """``fn.backward`` under anomaly detection: the ops it runs report NaN/inf as this backward's."""
    _state.backward_stack.append(fn)
    try:
        input_grads = fn.backward(grad_output)
    finally:
        _state.backward_stack.pop()
    for g in input_grads if isinstance(input_grads, tuple) else (input_grads,):
        if g is not None:
            _check_finite(g.data, f"backward of {type(fn).__name__}", fn.inputs, _created_at(fn))
    return input_grads


def _describe_values(t: Tensor) -> str:
    if t.numel() == 0 or t.dtype.kind not in "fiu":
        return f"{t.shape} {t.dtype}"
    xp = backend.get_array_module(t.data)
    return f"{t.shape} {t.dtype} in [{float(xp.nanmin(t.data)):.4g}, {float(xp.nanmax(t.data)):.4g}]" + (
        " with nan" if t.dtype.kind == "f" and bool(xp.isnan(t.data).any()) else "")


# --- the backward engine ------------------------------------------------------------------------


def _topological_order(roots: Sequence[Function]) -> list[Function]:
    """Functions reachable from ``roots``, each after every Function that feeds it (producers first).

    An iterative depth-first search: a recursive one would overflow Python's stack on deep graphs
    (a chain of 100,000 ops). A Function is *expanded* the first time it is on top of the stack: its
    producers are pushed above it. When it is on top again, everything above it has been emitted, so
    it is emitted itself. The stack holds the Functions alone, no per-node tuples: a long graph then
    allocates nothing that Python's garbage collector would have to scan.
    """
    order: list[Function] = []
    expanded: set[Function] = set()
    emitted: set[Function] = set()
    stack = list(roots)
    while stack:
        fn = stack[-1]
        if fn in expanded:
            stack.pop()
            if fn not in emitted:  # a Function pushed by two consumers is on the stack twice
                emitted.add(fn)
                order.append(fn)
            continue
        expanded.add(fn)
        for t in _recorded_inputs(fn):
            producer = t.grad_fn
            if producer is not None and producer not in expanded:
                stack.append(producer)
    return order


def _recorded_inputs(fn: Function) -> tuple[Tensor, ...]:
    """``fn``'s inputs as they were when it was recorded: an input that an in-place op re-linked since
    is replaced by the snapshot of its old self (see versions.py). While nothing has been re-linked,
    that is ``fn.inputs`` itself."""
    if fn._clock == versions._clock or not versions.graph_rebinds:
        return fn.inputs
    return tuple([versions.as_recorded(t, fn._clock) for t in fn.inputs])


def _leaf_grad(total: Tensor | None, g, on_arrays: bool, create_graph: bool) -> Tensor:
    """The new ``.grad`` of a leaf from a gradient ``g`` (an array when ``on_arrays``, else a Tensor): the
    first gradient borrowed (no copy; copied before any in-place change), later ones added (out of place:
    gradient arrays are shared between tensors, never written into)."""
    if total is None:
        return versions.borrowed_array(g) if on_arrays else versions.borrowed(g)
    if create_graph:
        return total + g
    return Tensor._make(_array_sum(total.data, g if on_arrays else g.data), False)


def _array_sum(a, b):
    """a + b for two gradient arrays, an array even where NumPy turns a 0-d sum into a scalar."""
    total = a + b
    return total if type(total) is type(a) else backend.get_array_module(a).asarray(total)


def _tensor_backward_on_arrays(fn: Function, grad_output):
    """The input gradients of an op without ``backward_arrays``, as arrays, from its output's gradient as an
    array: its Tensor backward run on a Tensor around the array (in a backward that records no graph)."""
    input_grads = fn.backward(Tensor._make(grad_output, False))
    arrays = []
    for g in input_grads if type(input_grads) is tuple else (input_grads,):
        if g is not None and not isinstance(g, Tensor):
            raise _not_a_gradient(fn, g, "a Tensor")
        arrays.append(None if g is None else g.data)
    return tuple(arrays)


def _run_backward(outputs: Sequence[Tensor], grad_outputs: Sequence[Tensor], create_graph: bool,
                  inputs: Sequence[Tensor] | None = None) -> list[Tensor | None]:
    """Propagate ``grad_outputs`` from ``outputs`` back through the graph.

    With ``inputs=None`` gradients accumulate into the ``.grad`` of every leaf that requires grad
    (``Tensor.backward``). Otherwise the gradients of ``inputs`` are returned and no ``.grad`` is
    touched (``tl.grad``), and only the part of the graph that leads to ``inputs`` is visited.
    Returns the gradients of ``inputs`` (an empty list without them).

    Functions run in the reverse of the order they were recorded in (``fn._sequence``): an op is
    always recorded after the ops that feed it, so when its turn comes every gradient flowing into it
    has arrived. A heap holds the Functions with a gradient waiting, the latest first, so no separate
    topological sort of the graph is needed.

    The gradients on their way are Tensors when the backward records a graph (``create_graph=True``), or
    runs under detect_anomaly (which checks each backward's Tensor ops). Otherwise, in every training
    step, they are bare arrays, and the only Tensors made are the leaves' ``.grad`` and the results.
    """
    results: list = [None] * len(inputs) if inputs is not None else []
    wanted_leaf: dict[int, int] = {}
    wanted_fn: dict[Function, int] = {}
    needed: set[Function] | None = None
    if inputs is not None:
        for i, t in enumerate(inputs):
            if t.grad_fn is None:
                wanted_leaf[id(t)] = i
            else:
                wanted_fn[t.grad_fn] = i
        needed = set()
        for fn in _topological_order([t.grad_fn for t in outputs if t.grad_fn is not None]):
            for t in _recorded_inputs(fn):  # producers come first, so each is decided before its consumers
                producer = t.grad_fn
                if (id(t) in wanted_leaf and producer is None) or (
                        producer is not None and (producer in needed or producer in wanted_fn)):
                    needed.add(fn)
                    break

    anomaly = _state.anomaly_enabled
    on_arrays = not (create_graph or anomaly)
    grad_type = type(grad_outputs[0].data) if on_arrays and grad_outputs else Tensor  # what a gradient is

    def add(total, g):
        if total is None:
            return g
        return _array_sum(total, g) if on_arrays else total + g

    def to_leaf(t: Tensor, g) -> None:
        if inputs is None:
            t.grad = _leaf_grad(t.grad, g, on_arrays, create_graph)
        elif id(t) in wanted_leaf:
            i = wanted_leaf[id(t)]
            results[i] = add(results[i], g)

    grads: dict[Function, Any] = {}  # Tensors or arrays (see above)
    waiting: list[tuple[int, Function]] = []  # (−sequence, Function): a heap, the latest Function on top
    with _GradMode(create_graph):
        for t, g in zip(outputs, grad_outputs, strict=True):
            g = g.data if on_arrays else g
            root = t.grad_fn
            if root is None:
                to_leaf(t, g)
                continue
            if root not in grads:
                heapq.heappush(waiting, (-root._sequence, root))
            grads[root] = add(grads.get(root), g)

        while waiting:
            fn = heapq.heappop(waiting)[1]
            grad_output = grads.pop(fn)
            if needed is not None:
                if fn in wanted_fn:
                    results[wanted_fn[fn]] = grad_output
                if fn not in needed:
                    continue
            recorded = fn.inputs
            if fn._clock != versions._clock or versions.graph_rebinds:  # something changed in place since
                versions.check_unchanged(fn)
                recorded = _recorded_inputs(fn)
            if on_arrays:
                backward_arrays = fn.backward_arrays
                input_grads = (_tensor_backward_on_arrays(fn, grad_output) if backward_arrays is None else
                               backward_arrays(grad_output))
            elif anomaly:
                input_grads = _call_backward(fn, grad_output)
            else:
                input_grads = fn.backward(grad_output)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if len(input_grads) != len(recorded):
                raise RuntimeError(f"backward of {type(fn).__name__} returned {len(input_grads)} gradients "
                                   f"for {len(recorded)} inputs")
            for t, g, needs in zip(recorded, input_grads, fn.needs_input_grad):
                if g is None or not needs:
                    continue
                if type(g) is not grad_type:
                    g = _checked_grad(g, grad_type, fn)
                if g.shape != t.data.shape:
                    raise RuntimeError(f"backward of {type(fn).__name__} returned a gradient of shape {g.shape} "
                                       f"for an input of shape {t.shape}")
                producer = t.grad_fn
                if producer is None:
                    to_leaf(t, g)
                elif producer in grads:
                    grads[producer] = add(grads[producer], g)
                else:
                    grads[producer] = g
                    heapq.heappush(waiting, (-producer._sequence, producer))
    if on_arrays:
        return [None if r is None else Tensor._make(r, False) for r in results]
    return results


def _checked_grad(g, grad_type: type, fn: Function):
    """A gradient from ``fn``'s backward that is not of the engine's ``grad_type``: a NumPy scalar (NumPy's
    0-d results) becomes a 0-d array; a Tensor subclass, or an array of another device (the backward of
    ``.to(device)``), stays as it is; anything else is the op's error."""
    if grad_type is Tensor:
        if isinstance(g, Tensor):
            return g
    elif isinstance(g, np.generic):
        return np.asarray(g)
    elif backend.is_backend_array(g):
        return g
    raise _not_a_gradient(fn, g, "a Tensor" if grad_type is Tensor else "an array")


def _not_a_gradient(fn: Function, g, expected: str) -> TypeError:
    return TypeError(f"backward of {type(fn).__name__} returned a {type(g).__name__} as a gradient, "
                     f"expected {expected} or None")


def _default_grad(output: Tensor, who: str, index: int | None = None) -> Tensor:
    """The implicit output gradient 1 of a scalar; an error for anything larger."""
    if output.numel() != 1:
        which = "output" if index is None else f"output {index}"
        extra = "grad=" if index is None else "grad_outputs="
        raise RuntimeError(f"{who}: {which} has shape {output.shape}, pass {extra} "
                           "(a gradient of the same shape) or reduce it to a scalar first")
    xp = backend.get_array_module(output.data)
    return Tensor._make(xp.ones(output.shape, dtype=output.dtype), False)


def _check_grad_output(output: Tensor, g, who: str) -> Tensor:
    if not isinstance(g, Tensor):
        g = Tensor(g, dtype=output.dtype, device=output.device)
    if g.shape != output.shape:
        raise RuntimeError(f"{who}: gradient has shape {g.shape} but the output has shape {output.shape}")
    if g.device != output.device:
        raise RuntimeError(f"{who}: gradient is on {g.device} but the output is on {output.device}")
    if g.dtype != output.dtype:  # as PyTorch: gradients take the dtype of what they are gradients of
        g = Tensor._make(g.data.astype(output.dtype), False)
    return g


def backward(output: Tensor, grad: Tensor | None = None, create_graph: bool = False) -> None:
    """Accumulate d(output)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

    ``grad`` is the gradient of some scalar with respect to ``output`` (default 1 for a scalar output).
    With ``create_graph=True`` the gradients are graphs themselves and can be differentiated again.
    """
    if not output.requires_grad:
        raise RuntimeError(f"backward: the output (shape {output.shape}, {output.dtype}) does not require grad; "
                           "did you create the inputs with requires_grad=True, or compute it under no_grad()?")
    grad = _default_grad(output, "backward") if grad is None else _check_grad_output(output, grad, "backward")
    _run_backward([output], [grad], create_graph)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | Sequence[Tensor | None] | None = None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple; ``.grad`` is untouched.

    With ``create_graph=True`` the returned gradients are themselves differentiable, so calling
    ``grad`` on them gives second derivatives (the Hessian of the lecture).

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> L = (w ** 3).sum()
    >>> (g,) = tl.grad(L, w, create_graph=True)      # 3 w²
    >>> g
    tensor([ 3., 12.], grad_fn=<Mul>)
    >>> tl.grad(g.sum(), w)                          # 6 w
    (tensor([ 6., 12.]),)
    """
    # anything may come in here; each item is checked to be a Tensor just below
    output_list = cast("list[Tensor]", list(outputs) if isinstance(outputs, (list, tuple)) else [outputs])
    input_list = cast("list[Tensor]", list(inputs) if isinstance(inputs, (list, tuple)) else [inputs])
    for i, t in enumerate(output_list):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: output {i} is a {type(t).__name__}, expected a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"grad: output {i} (shape {t.shape}) does not require grad; it does not depend "
                               "on any tensor with requires_grad=True (or was computed under no_grad())")
    for i, t in enumerate(input_list):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, expected a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    if grad_outputs is None:
        given: list[Tensor | None] = [None] * len(output_list)
    elif isinstance(grad_outputs, Tensor):
        given = [grad_outputs]
    else:
        given = list(grad_outputs)
    if len(given) != len(output_list):
        raise ValueError(f"grad: got {len(given)} grad_outputs for {len(output_list)} outputs")
    seeds = [_default_grad(t, "grad", i) if g is None else _check_grad_output(t, g, "grad")
             for i, (t, g) in enumerate(zip(output_list, given, strict=True))]
    results = _run_backward(output_list, seeds, create_graph, input_list)
    for i, g in enumerate(results):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} was not used to compute the output (pass allow_unused=True)")
    return tuple(results)
