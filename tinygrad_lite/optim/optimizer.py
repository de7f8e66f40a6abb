"""The Optimizer base class: parameter groups, per-parameter state, and an atomic ``step()``.

Every optimizer of the lecture is one update rule θ ← θ − (η/σ)·m (F36) with a different choice of the
movement m and the scale σ. This file holds what they all share, in PyTorch's shape, so that code
written against ``tl.optim`` reads the same as code written against ``torch.optim``:

- ``param_groups``: a list of dicts, each with ``"params"`` (a list of tensors), ``"lr"`` and the
  optimizer's other hyper-parameters. Groups let parts of a model train with different rates.
- ``defaults``: the hyper-parameters a group gets when it does not set its own.
- ``state``: a dict from parameter to a dict of that parameter's running statistics (momentum buffer,
  σ, m̂, v̂ ...), under the names each optimizer documents, so demos can plot them.
- ``lr``: reads the rate of group 0 and writes every group. It always holds the rate the next
  ``step()`` uses; learning-rate schedulers change it.

``step()`` is all or nothing, and updates in place. It runs in two phases:

1. Everything that can fail: every gradient is checked (a Tensor, same shape, dtype and device as its
   parameter), every group's hyper-parameters too (also ones changed by hand since construction), and
   every array the updates will need is made: the state (momentum buffer, σ, m̂, v̂ ...) of a parameter
   stepped for the first time, and a few scratch arrays per parameter, kept from step to step.
2. The updates, written into ``p.data`` and the state arrays with NumPy's ``out=`` arguments. This
   phase allocates no arrays, so it cannot run out of memory half-way through the parameters.

So anything that fails (a bad gradient, a bad setting, ``MemoryError``) raises before a single number has
changed. Writing in place is also what makes a step cheap: ``θ − η·g`` out of place reads and writes a new
array per operation, while the scratch arrays stay in the cache and the allocator is never called (on a
GPU, one kernel per operation and no allocation). Gradients are *not* checked for NaN or inf: that would
cost one more pass over every gradient (and a GPU synchronisation) on every step, and
``tl.detect_anomaly()`` finds a NaN where it is made, naming the op, which is more useful than noticing it
here.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Iterable
from typing import Any, cast

from .. import backend, versions
from ..tensor import Tensor


class Optimizer:
    """Base class of every optimizer: holds the parameters, their state, and the learning rate.

    A subclass sets ``defaults`` (through ``__init__``), may check a group's hyper-parameters in
    ``_check_group``, names the state arrays a parameter needs in ``_state_arrays`` and how many scratch
    arrays its rule uses in ``_scratch_arrays``, and implements the update rule of one parameter in
    ``_update``, which writes into those arrays and ``p.data`` in place.

    ``params`` is an iterable of tensors, or of dicts (parameter groups) that each hold ``"params"``
    and may override any hyper-parameter:

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> b = tl.tensor([0.0], requires_grad=True)
    >>> opt = tl.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1)
    >>> [group["lr"] for group in opt.param_groups]
    [0.1, 0.01]
    >>> opt.lr = 0.5                      # sets every group, as a scheduler does
    >>> [group["lr"] for group in opt.param_groups]
    [0.5, 0.5]
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self._scratch_pool: dict[tuple, list] = {}  # flat arrays the update rules compute in, kept between steps
        self._scratch: dict[Tensor, tuple] = {}  # each parameter's array, and its views into them
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(f"{self._name}: params must be an iterable of tensors (e.g. model.parameters() "
                            "or [w, b]), got a single Tensor; wrap it in a list")
        items: list[Tensor | dict[str, Any]] = list(params)
        if not items:
            raise ValueError(f"{self._name}: got an empty list of parameters")
        # a list of groups (add_param_group rejects an entry that is not a dict), or one group of tensors
        groups = cast("list[dict[str, Any]]", items) if isinstance(items[0], dict) else [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    # --- parameter groups -----------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (PyTorch's ``add_param_group``); hyper-parameters it does not set come
        from ``defaults``. Use it to start training more of a model (unfreeze a layer) part-way through:

        >>> import tinygrad_lite as tl
        >>> w, b = tl.tensor([1.0], requires_grad=True), tl.tensor([0.0], requires_grad=True)
        >>> opt = tl.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> opt.add_param_group({"params": [b], "lr": 0.01})
        >>> [(group["lr"], group["momentum"]) for group in opt.param_groups]
        [(0.1, 0.9), (0.01, 0.9)]

        A parameter may be in one group only; every hyper-parameter is checked before the group is added.
        """
        group = param_group
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{self._name}: a parameter group must be a dict with a 'params' key, got {group!r}")
        params = group["params"]
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{self._name}: the parameters of a group must be in an ordered collection (a list "
                            "or tuple), not a set: their order names them in state_dict()")
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        index = len(self.param_groups)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name}: parameter {i} of group {index} is a {type(p).__name__}, "
                                "expected a Tensor")
            if p.dtype.kind != "f":
                raise TypeError(f"{self._name}: parameter {i} of group {index} has dtype {p.dtype}; "
                                "only floating-point tensors can be optimized")
            if not p.is_leaf:
                raise ValueError(f"{self._name}: parameter {i} of group {index} (shape {p.shape}) was computed "
                                 "by an op (a non-leaf); optimize the leaf tensors it was made from")
            if id(p) in seen:
                raise ValueError(f"{self._name}: parameter {i} of group {index} (shape {p.shape}) appears "
                                 "more than once; each parameter may be given only once")
            seen.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise TypeError(f"{self._name}: unknown hyper-parameter(s) {sorted(unknown)} in group {index}; "
                            f"expected some of {sorted(self.defaults)}")
        full = {**self.defaults, **group, "params": params}
        if full.get("lr") is None:
            raise TypeError(f"{self._name}: no learning rate given (pass lr=...)")
        self._check_lr(full["lr"])
        self._check_group(full)
        self.param_groups.append(full)

    def _check_lr(self, lr: float) -> None:
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool) or not math.isfinite(lr) or lr < 0:
            raise ValueError(f"{self._name}: invalid learning rate {lr!r}; expected a finite number >= 0")

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise a clear error for a bad hyper-parameter (subclasses check their own)."""

    def _check_range(self, group: dict[str, Any], name: str, low: float, high: float | None = None,
                     high_inclusive: bool = False) -> None:
        """Check ``low <= group[name]`` and ``group[name] < high`` (or ``<=`` with ``high_inclusive``)."""
        value = group[name]
        ok = (type(value) is float or type(value) is int  # the common case first: this runs on every step
              or (isinstance(value, numbers.Real) and not isinstance(value, bool))) and math.isfinite(value)
        ok = ok and value >= low and (high is None or value < high or (high_inclusive and value == high))
        if not ok:
            bound = "" if high is None else (f" and <= {high}" if high_inclusive else f" and < {high}")
            raise ValueError(f"{self._name}: invalid {name} {value!r}; expected a number >= {low}{bound}")

    def _check_bool(self, group: dict[str, Any], name: str) -> None:
        """Check that ``group[name]`` is a switch (True/False), not a number or a string such as "False"."""
        if not isinstance(group[name], bool):
            raise ValueError(f"{self._name}: invalid {name} {group[name]!r}; expected True or False")

    # --- the learning rate ----------------------------------------------------------------------
    @property
    def lr(self) -> float:
        """The learning rate the next ``step()`` uses (of group 0; setting it sets every group)."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        self._check_lr(value)
        for group in self.param_groups:
            group["lr"] = value

    # --- stepping -------------------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``p.grad = None``) before the next ``backward()``."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient; parameters with ``grad = None`` are skipped.

        All or nothing (see the module docstring): gradients (Tensor, shape, dtype, device) and
        hyper-parameters are checked and every array the updates need is made before any parameter is
        written; then each update runs in place in ``p.data`` (so every reference to a parameter sees it)
        and its state arrays. The rules compute on arrays, not Tensors, so no graph is recorded.
        """
        prepared = []  # phase 1: (p, its gradient array, group, state, new state arrays, scratch arrays)
        for k, group in enumerate(self.param_groups):
            self._check_lr(group["lr"])  # a setting may have been changed by hand since it was checked
            self._check_group(group)
            starts, wanted = self._state_arrays(group), self._scratch_arrays(group)
            for i, p in enumerate(group["params"]):
                if p.grad is not None:
                    prepared.append((p, self._checked_gradient(p, i, k), group, *self._prepare(p, starts, wanted)))
        for p, g, group, state, new, scratch in prepared:  # phase 2 allocates nothing, so it cannot fail half-way
            self._update(p, g, state, group, new, scratch)
            self.state[p] = state
        # a graph that still reads a parameter now raises in its backward
        versions.mark_all_modified([entry[0] for entry in prepared], f"{self._name}.step")

    def _prepare(self, p: Tensor, starts: dict[str, float | None], wanted: int
                 ) -> tuple[dict[str, Any], frozenset[str], list]:
        """Phase 1 for one parameter: its state (its arrays moved to p's device, any array of ``starts`` that
        does not exist yet made, in a new dict, so that nothing changes before phase 2), the names of the
        arrays just made, and its ``wanted`` scratch arrays."""
        state = self.state.get(p)
        cached = self._scratch.get(p)
        # p has a new array when it is new to the optimizer or was moved (model.to(device)): only then can its
        # state be on another device, or its scratch arrays be missing, so neither is looked at every step
        if cached is None or cached[0] is not p.data:
            cached = None
        if state and cached is None:
            state = _on_device_of(p, state)
        new = _NOTHING_NEW
        if state is None or not starts.keys() <= state.keys():
            xp = backend.get_array_module(p.data)
            missing = [name for name in starts if state is None or name not in state]
            state = dict(state or ())
            for name in missing:
                start = starts[name]
                state[name] = xp.empty_like(p.data) if start is None else xp.full_like(p.data, start)
            new = frozenset(missing)
        if cached is None or len(cached[1]) < wanted:
            cached = self._scratch[p] = (p.data, self._scratch_views(p, wanted))
        return state, new, cached[1]

    def _scratch_views(self, p: Tensor, wanted: int) -> list:
        """``wanted`` scratch arrays shaped like ``p``: views into flat arrays that every parameter of that
        dtype and device shares, each update in turn. One set sized for the largest parameter, rather than
        arrays of their own for each, keeps the memory the updates compute in small and in the cache."""
        xp = backend.get_array_module(p.data)
        key = (type(p.data), p.dtype)
        pool = self._scratch_pool.get(key, [])
        if len(pool) < wanted or pool[0].size < p.numel():
            size = max(p.numel(), pool[0].size if pool else 0)
            pool = self._scratch_pool[key] = [xp.empty(size, dtype=p.dtype) for _ in range(max(wanted, len(pool)))]
            self._scratch = {}  # views into the arrays just replaced are made again
        return [flat[:p.numel()].reshape(p.shape) for flat in pool[:wanted]]

    def _state_arrays(self, group: dict[str, Any]) -> dict[str, float | None]:
        """The state arrays the next update of a parameter reads or writes, each with the number it starts
        from (None: the update fills it itself, when the name is in ``new``)."""
        return {}

    def _scratch_arrays(self, group: dict[str, Any]) -> int:
        """How many arrays shaped like a parameter the update rule computes in."""
        return 1

    def _update(self, p: Tensor, g, state: dict[str, Any], group: dict[str, Any], new: frozenset[str],
                scratch: list) -> None:
        """The update rule of one parameter, in place: writes ``p.data`` and the arrays of ``state`` from the
        gradient array ``g`` (never written), using only ``scratch`` arrays to compute in. ``new`` names
        the state arrays made for this step, not yet holding a value of the rule's."""
        raise NotImplementedError(f"{self._name}._update")

    def _gradient(self, p: Tensor, g, group: dict[str, Any], out, weight_decay: float | None = None):
        """g with the group's ``maximize`` (−g) and L2 ``weight_decay`` (g + λθ) applied: ``g`` itself when
        neither is set, else written into the scratch array ``out``."""
        weight_decay = group.get("weight_decay", 0.0) if weight_decay is None else weight_decay
        maximize = group.get("maximize", False)
        if not (weight_decay or maximize):
            return g
        xp = backend.get_array_module(p.data)
        if weight_decay:
            xp.multiply(p.data, weight_decay, out=out)  # λθ
            return xp.subtract(out, g, out=out) if maximize else xp.add(g, out, out=out)
        return xp.negative(g, out=out)

    def _checked_gradient(self, p: Tensor, i: int, k: int):
        """The gradient array of parameter ``i`` of group ``k``, or a clear error when it does not fit."""
        g = p.grad
        if isinstance(g, Tensor):  # the common case, checked on the arrays themselves: this runs for every parameter
            array, own = g.data, p.data
            if type(array) is type(own) and array.shape == own.shape and array.dtype == own.dtype:
                return array
        where = f"{self._name}.step: the gradient of parameter {i} in group {k}"
        if not isinstance(g, Tensor):
            raise TypeError(f"{where} is a {type(g).__name__}, expected a Tensor")
        if g.shape != p.shape:
            raise ValueError(f"{where} has shape {g.shape} but the parameter has shape {p.shape}")
        if g.device != p.device:
            raise RuntimeError(f"{where} is on {g.device} but the parameter is on {p.device}")
        if g.dtype != p.dtype:
            raise TypeError(f"{where} has dtype {g.dtype} but the parameter has dtype {p.dtype}")
        return g.data

    def effective_lr(self, p: Tensor):
        """The per-coordinate step size η/σ the last ``step()`` applied to ``p`` (an array shaped like ``p``).

        For plain SGD and Momentum it is η everywhere; adaptive optimizers divide η by their σ (+ ε),
        which is what gives a gentle parameter larger steps than a steep one (F26, F27). ``None`` before
        ``p`` has been updated.
        """
        state = self.state.get(p)
        if not state:
            return None
        group = next(g for g in self.param_groups if any(q is p for q in g["params"]))
        xp = backend.get_array_module(p.data)
        return xp.full(p.shape, state["lr"], dtype=p.dtype) / self._scale(state, group)

    def _scale(self, state: dict[str, Any], group: dict[str, Any]):
        """σ + ε, what the step divides by (1 for optimizers that do not adapt the rate)."""
        return 1.0

    # --- saving and restoring -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A snapshot of the hyper-parameters and state, parameters named by their position (as PyTorch).

        Arrays are copied, so later steps do not change the snapshot.

        >>> import tinygrad_lite as tl
        >>> w = tl.tensor([1.0], requires_grad=True)
        >>> opt = tl.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> sorted(opt.state_dict())
        ['param_groups', 'state']
        """
        index: dict[Tensor, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[p] = len(index)
                ids.append(index[p])
            groups.append({**{k: copy.deepcopy(v) for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[p]: {k: _copy_value(v) for k, v in s.items()} for p, s in self.state.items() if p in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a snapshot made by ``state_dict()`` of an optimizer over parameters of the same shapes.

        After loading, the next ``step()`` continues exactly the trajectory the snapshot was taken from.
        """
        if not isinstance(state_dict, dict):
            raise ValueError(f"{self._name}.load_state_dict: expected a dict with 'state' and 'param_groups', "
                             f"got a {type(state_dict).__name__}")
        groups = state_dict.get("param_groups")
        if not isinstance(groups, list) or not isinstance(state_dict.get("state"), dict):
            raise ValueError(f"{self._name}.load_state_dict: expected a dict with 'state' and 'param_groups'")
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{self._name}.load_state_dict: the snapshot has {len(groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        params: dict[int, Tensor] = {}
        for k, (saved, group) in enumerate(zip(groups, self.param_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), list):
                raise ValueError(f"{self._name}.load_state_dict: group {k} of the snapshot has no 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{self._name}.load_state_dict: group {k} of the snapshot has "
                                 f"{len(saved['params'])} parameters, this optimizer's has {len(group['params'])}")
            params.update(zip(saved["params"], group["params"]))
        new_state: dict[Tensor, dict[str, Any]] = {}
        for i, saved_state in state_dict["state"].items():
            if i not in params:
                raise ValueError(f"{self._name}.load_state_dict: the snapshot has state for parameter {i}, "
                                 f"which no group holds")
            p = params[i]
            new_state[p] = {name: _load_value(value, p, name, self._name) for name, value in saved_state.items()}
        new_groups = []
        for saved, group in zip(groups, self.param_groups):
            loaded = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            new_group = {**group, **loaded}
            self._check_lr(new_group["lr"])
            self._check_group(new_group)
            new_groups.append(new_group)
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for k, group in enumerate(self.param_groups):
            settings = ", ".join(f"{key}={value}" for key, value in group.items() if key != "params")
            lines.append(f"  group {k}: {len(group['params'])} parameters, {settings}")
        return "\n".join(lines + [")"])


_NOTHING_NEW: frozenset[str] = frozenset()


def _copy_value(value):
    """A copy of one state entry: arrays are copied (on their device), numbers kept."""
    return value.copy() if backend.is_backend_array(value) else copy.deepcopy(value)


def _load_value(value, p: Tensor, name: str, who: str):
    """One state entry from a snapshot, as an array of ``p``'s dtype on ``p``'s device (numbers kept)."""
    if isinstance(value, Tensor):
        value = value.data
    if not backend.is_backend_array(value):
        return copy.deepcopy(value)
    if value.shape != p.shape:
        raise ValueError(f"{who}.load_state_dict: state {name!r} has shape {value.shape} but its parameter "
                         f"has shape {p.shape}")
    return backend.to_device(value, p.device).astype(p.dtype, copy=True)


def _on_device_of(p: Tensor, state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with its arrays on ``p``'s device (a new dict when one moved): they follow a model moved by
    ``.to(device)`` after a step."""
    kind = type(p.data)
    moved = {key: backend.to_device(value, p.device) for key, value in state.items()
             if type(value) is not kind and backend.is_backend_array(value)}
    return {**state, **moved} if moved else state
