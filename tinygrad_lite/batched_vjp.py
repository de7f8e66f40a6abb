"""Many vector-Jacobian products in one pass: record the backward pass once, replay it on a stack of vectors.

``tl.grad(outputs, inputs, grad_outputs=u)`` computes one vector-Jacobian product uᵀJ. A full Jacobian
needs one per output element, and a full Hessian (the Jacobian of the gradient) one per parameter: n
backward passes, each paying Python's cost for every op it runs.

The backward pass is *linear* in u. So we run it once with ``create_graph=True`` and u as a tensor that
requires grad: the graph it records is the linear map u -> uᵀJ, made of a few kinds of ops applied to
u-dependent tensors (add, multiply by a constant, reshape, sum, matmul with a constant, indexing ...).
Every other tensor in that graph is a constant (it depends on x, not on u). Replaying only the
u-dependent ops, with a stack U of k vectors (shape ``(k, *u.shape)``) in place of u, computes k products
with one NumPy call per op. That is how ``tl.hessian`` gets all n columns for roughly the price of a few
gradients.

Each op kind needs a *batching rule*: its forward on arrays that carry an extra leading axis of length k.
When the recorded graph holds an op without a rule, or the replay of a probe vector disagrees with the
recorded pass, :class:`BatchedVJP` falls back to one ``tl.grad`` call per vector (still reusing the one
recorded graph), so the answer is right either way; only the speed differs.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import backend
from .autograd import Function, _topological_order, enable_grad, grad
from .ops.broadcast import BroadcastTo, SumTo
from .ops.convert import Cast, ToDevice
from .ops.elementwise import Add, Div, Mul, Neg, PowConstant, SigmoidGrad, Sub, TanhGrad, Where
from .ops.linalg import MatMul
from .ops.reduce import Sum
from .ops.shape import Concatenate, GetItem, IndexAdd, Reshape, Transpose
from .ops.softmax import LogSoftmaxGrad, log_softmax_backward
from .tensor import Tensor

# Largest number of elements one batched intermediate array may hold; the k vectors are replayed in
# chunks small enough to respect it. On a CPU small chunks are fastest (each intermediate stays in the
# processor's cache: 2**16 float64 numbers = 512 KiB); on a GPU large ones amortise the kernel launches.
ELEMENTS_PER_CHUNK = {"cpu": 2 ** 16, "cuda": 2 ** 24}


# --- batching rules: an op's forward on arrays with a leading batch axis ---------------------------
#
# Each rule gets the recorded Function, its output Tensor, and one entry per input: the batched array
# (shape (k, *input.shape)) for u-dependent inputs, None for constants (whose values are input.data).
# It returns the batched output (shape (k, *output.shape)), or raises CannotBatch for a case it does
# not handle.


# One replay step: the batching rule, the recorded Function, its output, and per input of the Function the
# id of the batched array it reads (None for a constant input). Rules take and return NumPy or CuPy arrays.
Step = tuple[Callable[[Function, Tensor, list[Any]], Any], Function, Tensor, list[int | None]]


class CannotBatch(Exception):
    """A recorded op that the replay cannot batch: BatchedVJP then uses one backward pass per vector."""


def _lifted(t: Tensor, batched, ndim: int):
    """An operand ready for NumPy broadcasting against a batched result of ``ndim`` (logical) axes.

    A constant broadcasts as it is (NumPy aligns trailing axes). A batched operand of fewer axes gets
    length-1 axes after its batch axis, so its own axes line up with the trailing axes of the result."""
    if batched is None:
        return t.data
    missing = ndim - t.ndim
    return batched.reshape((batched.shape[0],) + (1,) * missing + t.shape) if missing else batched


def _elementwise(operation, linear_in: tuple[int, ...]):
    """A rule for an elementwise op that is linear in each input listed in ``linear_in`` (the others must
    be constants: u·u or a/u are not linear in u and never appear in a backward pass)."""
    def rule(fn, out, batched):
        if any(b is not None and i not in linear_in for i, b in enumerate(batched)):
            raise CannotBatch(f"{type(fn).__name__} of a batched denominator")
        if sum(b is not None for b in batched) > 1 and operation not in (operator.add, operator.sub):
            raise CannotBatch(f"{type(fn).__name__} of two batched operands")
        return operation(*(_lifted(t, b, out.ndim) for t, b in zip(fn.inputs, batched)))
    return rule


def _neg(fn, out, batched):
    return -batched[0]


def _where(fn, out, batched):
    xp = backend.get_array_module(out.data)
    a, b = (_lifted(t, x, out.ndim) for t, x in zip(fn.inputs, batched))
    return xp.where(fn.condition, a, b)


def _power_one(fn, out, batched):
    if fn.exponent != 1:  # x¹ is the only linear power
        raise CannotBatch(f"PowConstant with exponent {fn.exponent}")
    return batched[0]


def _activation_grad(fn, out, batched):
    """TanhGrad and SigmoidGrad: z = g · f′ is linear in g; f′ (from y) must be a constant."""
    if batched[1] is not None:
        raise CannotBatch(f"{type(fn).__name__} of a batched activation output")
    return fn.forward(batched[0], fn.inputs[1].data)


def _log_softmax_grad(fn, out, batched):
    """LogSoftmaxGrad: z = g − e^y · Σ g is linear in g; y must be a constant. The sum's axis moves one
    to the right, past the batch axis."""
    if batched[1] is not None:
        raise CannotBatch("LogSoftmaxGrad of a batched log-softmax output")
    return log_softmax_backward(batched[0], fn.inputs[1].data, fn.axis + 1)


def _cast(fn, out, batched):
    return batched[0].astype(out.dtype)


def _to_device(fn, out, batched):
    return backend.to_device(batched[0], out.device)


def _reshape(fn, out, batched):
    return batched[0].reshape((batched[0].shape[0],) + out.shape)


def _transpose(fn, out, batched):
    return batched[0].transpose((0,) + tuple(a + 1 for a in fn.axes))


def _broadcast_to(fn, out, batched):
    (x,) = fn.inputs
    xp = backend.get_array_module(out.data)
    lifted = _lifted(x, batched[0], out.ndim)
    return xp.broadcast_to(lifted, (lifted.shape[0],) + out.shape)


def _sum_to(fn, out, batched):
    (x,) = fn.inputs
    lead = x.ndim - out.ndim  # as ops.broadcast.sum_to_array, every axis moved one to the right
    axes = tuple(range(1, lead + 1)) + tuple(
        1 + lead + i for i, n in enumerate(out.shape) if n == 1 and x.shape[lead + i] != 1)
    total = batched[0].sum(axis=axes, keepdims=True) if axes else batched[0]
    return total.reshape((total.shape[0],) + out.shape)


def _sum(fn, out, batched):
    return batched[0].sum(axis=tuple(a + 1 for a in fn.axes), keepdims=fn.keepdims)


def _matmul(fn, out, batched):
    if all(b is not None for b in batched):
        raise CannotBatch("MatMul of two batched operands")
    a, b = (_lifted(t, x, out.ndim) for t, x in zip(fn.inputs, batched))
    return a @ b


def _advanced_items_adjacent(index: tuple) -> bool:
    """True when the array (and, next to arrays, integer) items of an index are side by side. Only then
    does NumPy keep the indexed axes in place, so that a batch axis in front stays in front."""
    arrays = [i for i, item in enumerate(index) if backend.is_backend_array(item)]
    if not arrays:
        return True
    def is_advanced(item) -> bool:
        return backend.is_backend_array(item) or (isinstance(item, (int, np.integer)) and not isinstance(item, bool))

    advanced = [i for i, item in enumerate(index) if is_advanced(item)]
    return advanced == list(range(advanced[0], advanced[-1] + 1))


def _getitem(fn, out, batched):
    if not fn.basic and not _advanced_items_adjacent(fn.index):
        raise CannotBatch("GetItem with separated index arrays")
    return batched[0][(slice(None),) + fn.index]


def _index_add(fn, out, batched):
    if not fn.basic and not _advanced_items_adjacent(fn.index):
        raise CannotBatch("IndexAdd with separated index arrays")
    xp = backend.get_array_module(out.data)
    g = batched[0]
    total = xp.zeros((g.shape[0],) + out.shape, dtype=g.dtype)
    index = (slice(None),) + fn.index
    if fn.basic:
        total[index] = g
    else:
        backend.scatter_add(total, index, g)
    return total


def _concatenate(fn, out, batched):
    xp = backend.get_array_module(out.data)
    k = next(b.shape[0] for b in batched if b is not None)
    parts = [xp.broadcast_to(t.data, (k,) + t.shape) if b is None else b for t, b in zip(fn.inputs, batched)]
    return xp.concatenate(parts, axis=fn.axis + 1)


BATCHING_RULES = {
    Add: _elementwise(operator.add, (0, 1)),
    Sub: _elementwise(operator.sub, (0, 1)),
    Mul: _elementwise(operator.mul, (0, 1)),
    Div: _elementwise(operator.truediv, (0,)),
    Neg: _neg,
    Where: _where,
    PowConstant: _power_one,
    TanhGrad: _activation_grad,
    SigmoidGrad: _activation_grad,
    LogSoftmaxGrad: _log_softmax_grad,
    Cast: _cast,
    ToDevice: _to_device,
    Reshape: _reshape,
    Transpose: _transpose,
    BroadcastTo: _broadcast_to,
    SumTo: _sum_to,
    Sum: _sum,
    MatMul: _matmul,
    GetItem: _getitem,
    IndexAdd: _index_add,
    Concatenate: _concatenate,
}


# --- the recorded map and its replay ------------------------------------------------------------


class BatchedVJP:
    """The map u -> uᵀJ of a fixed graph from ``inputs`` to ``outputs``, applied to many u at once.

    ``outputs`` and ``inputs`` are sequences of Tensors; ``m`` is the total size of the outputs, ``n``
    that of the inputs. ``self(U)`` takes an array ``U`` of shape ``(k, m)`` (each row one u, the
    outputs flattened and concatenated) and returns the ``(k, n)`` array of products uᵀJ. ``matrix()``
    gives the whole ``(m, n)`` Jacobian J.

    >>> import numpy as np
    >>> import tinygrad_lite as tl
    >>> x = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True)
    >>> y = x * x                                       # J = diag(2x)
    >>> BatchedVJP([y], [x]).matrix()
    array([[2., 0.],
           [0., 4.]])
    """

    def __init__(self, outputs: Sequence[Tensor], inputs: Sequence[Tensor]):
        self.outputs = list(outputs)
        self.inputs = list(inputs)
        self.m = sum(t.numel() for t in self.outputs)
        self.n = sum(t.numel() for t in self.inputs)
        self.xp = backend.get_array_module(self.inputs[0].data)
        self.dtype = np.result_type(*[t.dtype for t in self.inputs])
        # outputs that do not require grad are constants: their rows of J are zero
        self.live = [i for i, t in enumerate(self.outputs) if t.requires_grad]
        self.steps: list[Step] | None = None
        self.releases: list[list[int]] = []
        if self.live:
            self._record()

    # recording ------------------------------------------------------------------------------------
    def _record(self) -> None:
        """Run one backward pass with a probe u that requires grad, keep the u-dependent ops in order."""
        rng = np.random.default_rng(0)  # a fixed probe, so recording never disturbs tl.manual_seed's stream
        self.seeds = [Tensor._make(backend.to_device(rng.standard_normal(self.outputs[i].shape)
                                                     .astype(self.outputs[i].dtype), self.outputs[i].device), True)
                      for i in self.live]
        with enable_grad():
            results = grad([self.outputs[i] for i in self.live], self.inputs, grad_outputs=self.seeds,
                           create_graph=True, allow_unused=True)
        self.results = results  # holds the recorded graph (and so every constant the replay reads)

        dependent = {id(s) for s in self.seeds}
        steps: list[Step] = []
        largest = max(t.numel() for t in self.outputs)
        roots = [r.grad_fn for r in results if r is not None and r.grad_fn is not None]
        order = _topological_order(roots)
        # each recorded op's output Tensor: an input of a later op, or one of the results
        output_of = {t.grad_fn: t for fn in order for t in fn.inputs if t.grad_fn is not None}
        output_of.update((r.grad_fn, r) for r in results if r is not None and r.grad_fn is not None)
        for fn in order:
            slots = [id(t) if id(t) in dependent else None for t in fn.inputs]
            if all(s is None for s in slots):
                continue  # a constant: it depends on x only, its value is already in .data
            rule = BATCHING_RULES.get(type(fn))
            if rule is None:
                return  # an op without a batching rule: use the loop of tl.grad calls instead
            out = output_of[fn]
            dependent.add(id(out))
            steps.append((rule, fn, out, slots))
            largest = max(largest, out.numel())
        self.chunk = max(1, ELEMENTS_PER_CHUNK[self.inputs[0].device] // max(1, largest))
        self.steps = steps
        self._plan_releases(steps)
        if not self._replay_matches_recording():
            self.steps = None

    def _plan_releases(self, steps: list[Step]) -> None:
        """For each step, the batched arrays no later step reads: dropping them at once lets the next
        step reuse their memory (results are kept to the end)."""
        keep = {id(r) for r in self.results if r is not None}
        last_use: dict[int, int] = {}
        for position, (_, _, _, slots) in enumerate(steps):
            for s in slots:
                if s is not None:
                    last_use[s] = position
        self.releases = [[] for _ in steps]
        for s, position in last_use.items():
            if s not in keep:
                self.releases[position].append(s)

    def _replay_matches_recording(self) -> bool:
        """Replay the probe between two zero vectors and compare with the recorded pass: a wrong
        batching rule would misplace values across the batch axis or change them."""
        probe = self.xp.concatenate([s.data.reshape(-1) for s in self.seeds])
        stacked = self.xp.zeros((3, probe.size), dtype=probe.dtype)
        stacked[1] = probe
        try:
            replayed = backend.to_host(self._replay(stacked))
        except CannotBatch:
            return False
        recorded = np.concatenate([np.zeros(t.numel()) if r is None else backend.to_host(r.data).reshape(-1)
                                   for t, r in zip(self.inputs, self.results)])
        tolerance = np.sqrt(np.finfo(self.dtype).eps) * (1 + np.abs(recorded).max(initial=0))
        return bool(np.abs(replayed[1] - recorded).max(initial=0) <= tolerance
                    and np.abs(replayed[[0, 2]]).max(initial=0) <= tolerance)

    # applying -------------------------------------------------------------------------------------
    def _replay(self, U):
        """uᵀJ for every row of U (only the live outputs' entries), by the recorded steps."""
        k = U.shape[0]
        batched, start = {}, 0
        for seed in self.seeds:
            batched[id(seed)] = U[:, start:start + seed.numel()].reshape((k,) + seed.shape)
            start += seed.numel()
        for (rule, fn, out, slots), releases in zip(self.steps, self.releases):
            batched[id(out)] = rule(fn, out, [None if s is None else batched[s] for s in slots])
            for s in releases:
                del batched[s]
        columns = [self.xp.zeros((k, t.numel()), dtype=self.dtype) if r is None or id(r) not in batched
                   else batched[id(r)].reshape(k, t.numel()).astype(self.dtype, copy=False)
                   for t, r in zip(self.inputs, self.results)]
        return self.xp.concatenate(columns, axis=1)

    def _one_by_one(self, U):
        """The fallback: one backward pass over the recorded graph per row of U."""
        outputs = [self.outputs[i] for i in self.live]
        rows = []
        for u in U:
            parts, start = [], 0
            for t in outputs:
                parts.append(Tensor._make(u[start:start + t.numel()].reshape(t.shape).astype(t.dtype), False))
                start += t.numel()
            grads = grad(outputs, self.inputs, grad_outputs=parts, allow_unused=True)
            rows.append(self.xp.concatenate([self.xp.zeros(t.numel(), dtype=self.dtype) if g is None
                                             else g.data.reshape(-1).astype(self.dtype, copy=False)
                                             for t, g in zip(self.inputs, grads)]))
        return self.xp.stack(rows)

    @property
    def batched(self) -> bool:
        """True when the products are computed by the batched replay, False for the one-by-one fallback."""
        return self.steps is not None

    def __call__(self, U):
        """The ``(k, n)`` products uᵀJ for the rows u of the ``(k, m)`` array ``U``."""
        U = self.xp.asarray(U)
        if U.ndim != 2 or U.shape[1] != self.m:
            raise ValueError(f"BatchedVJP: expected vectors of shape (k, {self.m}), got {U.shape}")
        if not self.live:
            return self.xp.zeros((U.shape[0], self.n), dtype=self.dtype)
        # keep only the entries that belong to outputs which require grad
        offsets = np.cumsum([0] + [t.numel() for t in self.outputs])
        U = self.xp.concatenate([U[:, offsets[i]:offsets[i + 1]] for i in self.live], axis=1)
        if not self.batched:
            return self._one_by_one(U)
        return self.xp.concatenate([self._replay(U[s:s + self.chunk]) for s in range(0, U.shape[0], self.chunk)])

    def matrix(self):
        """The whole ``(m, n)`` Jacobian: the products with every unit vector, a chunk at a time."""
        xp = self.xp
        if not self.live:
            return xp.zeros((self.m, self.n), dtype=self.dtype)
        step = self.chunk if self.batched else self.m
        rows = []
        for start in range(0, self.m, step):
            stop = min(self.m, start + step)
            unit = xp.zeros((stop - start, self.m), dtype=self.dtype)
            unit[xp.arange(stop - start), xp.arange(start, stop)] = 1
            rows.append(self(unit))
        return xp.concatenate(rows)
