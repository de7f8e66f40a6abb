"""Bad input, everywhere public: one table row per mistake a learner can make.

Each row calls one public function with one bad argument and says which exception must come out and
what its message must contain: the name of the function or op, the offending value, shape, dtype or
device, and what was expected. A row may also ``keep`` objects (models, optimizers, tensors, files):
they are snapshotted before the bad call and must be exactly as they were after it, so a refused call
never leaves anything half-changed.
"""

from __future__ import annotations

import copy
import errno
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

import numpy as np
import pytest
from helpers import DEVICE

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite.data import datasets
from tinygrad_lite.optim import lr_scheduler

# --- snapshots: what "nothing half-changed" means for each kind of object --------------------------


def _snapshot(obj: Any) -> Any:
    if isinstance(obj, tl.Tensor):
        grad = obj.grad.cpu().numpy() if isinstance(obj.grad, tl.Tensor) else copy.deepcopy(obj.grad)
        return ("tensor", obj.cpu().numpy(), obj.dtype, obj.device, obj.requires_grad, grad)
    if isinstance(obj, tl.nn.Module):
        return ("module", [(name, _snapshot(p)) for name, p in obj.named_parameters()])
    if isinstance(obj, tl.optim.Optimizer):
        state = obj.state_dict()
        arrays = {i: {k: (v.get() if hasattr(v, "get") and not isinstance(v, dict) else copy.deepcopy(v))
                      for k, v in s.items()} for i, s in state["state"].items()}
        return ("optimizer", arrays, state["param_groups"], obj.lr)
    if isinstance(obj, (str, os.PathLike)):
        with open(obj, "rb") as file:
            return ("file", file.read())
    raise TypeError(f"no snapshot for {type(obj).__name__}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype and \
            np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


# --- the table --------------------------------------------------------------------------------------


@dataclass
class Bad:
    """One bad input: ``call(device, keep, tmp)`` makes the mistake; it must raise ``error`` matching ``match``.

    ``keep(obj)`` registers an object that must be unchanged afterwards and returns it; ``tmp`` is a
    temporary directory (a pathlib.Path) for file rows.
    """

    name: str
    call: Callable
    error: type | tuple[type, ...]
    match: str

    def __str__(self) -> str:
        return self.name


def _t(data, d, **kwargs) -> tl.Tensor:
    return tl.tensor(data, device=d, **kwargs)


def _w(d) -> tl.Tensor:
    return tl.tensor([1.0, 2.0], requires_grad=True, device=d)


def _model(d, keep) -> tl.nn.Module:
    tl.manual_seed(0)
    return keep(tl.nn.Sequential(tl.nn.Linear(3, 4), tl.nn.ReLU(), tl.nn.Linear(4, 2)).to(d))


def _trained(d, keep=None, optimizer=tl.optim.Adam, **kwargs):
    """A model and an optimizer that have taken two steps (so there is state to protect), both kept."""
    model = tl.nn.Sequential(tl.nn.Linear(3, 4), tl.nn.ReLU(), tl.nn.Linear(4, 2)).to(d)
    opt = optimizer(model.parameters(), lr=0.1, **kwargs)
    x, y = tl.randn(5, 3, device=d), tl.tensor([0, 1, 0, 1, 1], device=d)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return (model, opt) if keep is None else (keep(model), keep(opt))


def _step_with_gradient(d, keep, make_grad):
    """Two steps of training, then a gradient that does not fit the *last* parameter: step() must refuse
    before it updates the first ones."""
    model, opt = _trained(d)
    params = list(model.parameters())
    for p in params:
        p.grad = tl.ones_like(p)
    params[-1].grad = make_grad(params[-1])
    keep(model), keep(opt)
    opt.step()


def _load_state_dict(d, keep, change):
    model = _model(d, keep)
    state = model.state_dict()
    change(state)
    model.load_state_dict(state)


def _load_optimizer_state(d, keep, change):
    model, opt = _trained(d, keep)
    state = opt.state_dict()
    change(state)
    opt.load_state_dict(state)


def _saved(tmp, keep) -> str:
    """A good checkpoint on disk, kept: a failed save or load must not damage it."""
    path = str(tmp / "good.npz")
    tl.save({"w": tl.ones(3)}, path)
    return keep(path)


def _write(tmp, name: str, content: bytes) -> str:
    path = tmp / name
    path.write_bytes(content)
    return str(path)


def _truncated_checkpoint(tmp) -> str:
    path = _saved(tmp, lambda p: p)
    with open(path, "rb") as file:
        data = file.read()
    return _write(tmp, "truncated.npz", data[: len(data) // 2])


def _pickled_checkpoint(tmp) -> str:
    path = str(tmp / "pickled.npz")
    np.savez(path, w=np.array([{"code": "runs on load"}], dtype=object))
    return path


def _checkpoint_with_strings(tmp) -> str:
    path = str(tmp / "strings.npz")
    np.savez(path, w=np.array(["a", "b"]))
    return path


def _zip_without_arrays(tmp) -> str:
    path = str(tmp / "notes.npz")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not an array")
    return path


def _failed_load(d, keep, tmp, make_file):
    """Loading a bad file into a model: the error comes from tl.load, and the model keeps its weights."""
    model = _model(d, keep)
    model.load_state_dict(tl.load(make_file(tmp)))


def _save_over(tmp, keep, obj):
    path = _saved(tmp, keep)
    tl.save(obj, path)


def _set_lr(d, keep, value):
    _, opt = _trained(d, keep, tl.optim.SGD, momentum=0.9)
    opt.lr = value



ROWS = [
    # --- making tensors --------------------------------------------------------------------------
    Bad("tensor from ragged lists", lambda d, keep, tmp: _t([[1.0, 2.0], [3.0]], d),
        ValueError, r"tensor: cannot make a tensor from ragged data.*same length"),
    Bad("tensor from strings", lambda d, keep, tmp: _t(["a", "b"], d),
        TypeError, r"tensor: unsupported data of dtype <U1.*expected numbers"),
    Bad("tensor from None", lambda d, keep, tmp: _t(None, d),
        TypeError, r"tensor: unsupported data of dtype object \(NoneType\).*expected numbers"),
    Bad("tensor from a dict", lambda d, keep, tmp: _t({"a": 1.0}, d),
        TypeError, r"tensor: unsupported data .*\(dict\).*expected numbers"),
    Bad("tensor of mixed numbers and strings", lambda d, keep, tmp: _t([1.0, "2"], d),
        TypeError, r"tensor: unsupported data.*expected numbers"),
    Bad("tensor on an unknown device", lambda d, keep, tmp: _t([1.0], "tpu"),
        ValueError, r"unknown device 'tpu': expected one of \('cpu', 'cuda'\)"),
    Bad("tensor of an unknown dtype name", lambda d, keep, tmp: _t([1.0], d, dtype="float33"),
        TypeError, r"tensor: .*float33.*expected"),
    Bad("tensor of a complex dtype", lambda d, keep, tmp: _t([1.0], d, dtype=np.complex64),
        TypeError, r"tensor: unsupported dtype complex64.*expected a float, integer or bool"),
    Bad("integer tensor that requires grad", lambda d, keep, tmp: _t([1, 2], d, requires_grad=True),
        TypeError, r"requires_grad: only floating-point tensors can require grad, got int64"),
    Bad("bool tensor that requires grad", lambda d, keep, tmp: _t([True], d).requires_grad_(),
        TypeError, r"requires_grad: only floating-point tensors can require grad, got bool"),

    # --- factories: negative, zero-step, non-integer sizes ---------------------------------------
    Bad("zeros with a negative size", lambda d, keep, tmp: tl.zeros(2, -3, device=d),
        ValueError, r"zeros: shape \(2, -3\) must hold non-negative integers"),
    Bad("randn with a negative size", lambda d, keep, tmp: tl.randn(-1, device=d),
        ValueError, r"randn: shape \(-1,\) must hold non-negative integers"),
    Bad("ones with a float size", lambda d, keep, tmp: tl.ones(2.5, device=d),
        ValueError, r"ones: shape \(2.5,\) must hold non-negative integers"),
    Bad("eye with a negative size", lambda d, keep, tmp: tl.eye(-2, device=d),
        ValueError, r"eye: shape \(-2,\) must hold non-negative integers"),
    Bad("full with a string value", lambda d, keep, tmp: tl.full((2,), "a", device=d),
        TypeError, r"unsupported data of dtype <U1.*expected numbers"),
    Bad("arange with step 0", lambda d, keep, tmp: tl.arange(0, 5, 0, device=d),
        ValueError, r"arange: step must not be zero"),
    Bad("linspace with negative steps", lambda d, keep, tmp: tl.linspace(0, 1, -1, device=d),
        ValueError, r"linspace: steps must be a non-negative integer, got -1"),
    Bad("randint with high below low", lambda d, keep, tmp: tl.randint(5, 2, (3,), device=d),
        ValueError, r"randint: high \(2\) must be larger than low \(5\)"),
    Bad("randint without a size", lambda d, keep, tmp: tl.randint(5),
        TypeError, r"randint: expected randint\(high, size\) or randint\(low, high, size\)"),
    Bad("from_numpy of a list", lambda d, keep, tmp: tl.from_numpy([1.0, 2.0]),
        TypeError, r"from_numpy: expected a numpy.ndarray, got list"),
    Bad("rand_like of an integer tensor", lambda d, keep, tmp: tl.rand_like(_t([1, 2], d)),
        TypeError, r"rand_like: random floats need a floating-point dtype, got int64"),

    # --- ops: shapes, axes, indices, operands ----------------------------------------------------
    Bad("matmul of misaligned shapes", lambda d, keep, tmp: tl.ones(3, 4, device=d) @ tl.ones(5, 2, device=d),
        ValueError, r"matmul: shapes \(3, 4\) and \(5, 2\) do not align \(4 != 5\)"),
    Bad("matmul of a 0-d tensor", lambda d, keep, tmp: tl.matmul(tl.ones(3, device=d), _t(2.0, d)),
        ValueError, r"matmul: shapes \(3,\) and \(\): 0-d tensors cannot be multiplied"),
    Bad("add of shapes that do not broadcast", lambda d, keep, tmp: tl.ones(3, device=d) + tl.ones(4, device=d),
        ValueError, r"add: inputs \(3,\) float32, \(4,\) float32: .*broadcast"),
    Bad("where with a condition that does not broadcast",
        lambda d, keep, tmp: tl.where(_t([True, False, True], d), tl.ones(2, device=d), 0.0),
        ValueError, r"where: .*\(2,\).*broadcast"),
    Bad("add of a string", lambda d, keep, tmp: tl.ones(2, device=d) + "a",
        TypeError, r"add: .*str.*expected a number or a Tensor"),
    Bad("mul by None", lambda d, keep, tmp: tl.ones(2, device=d) * None,
        TypeError, r"mul: .*NoneType.*expected a number or a Tensor"),
    Bad("reshape to the wrong size", lambda d, keep, tmp: tl.ones(2, 3, device=d).reshape(4),
        ValueError, r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4,\)"),
    Bad("reshape with two -1", lambda d, keep, tmp: tl.ones(2, 3, device=d).reshape(-1, -1),
        ValueError, r"reshape: .*\(2, 3\).*one unknown dimension"),
    Bad("reshape to a float size", lambda d, keep, tmp: tl.ones(2, device=d).reshape(2.5),
        TypeError, r"reshape: .*2\.5.*expected integers"),
    Bad("sum over an axis out of range", lambda d, keep, tmp: tl.ones(2, 3, device=d).sum(axis=2),
        ValueError, r"sum: axis 2 is out of range for a tensor of shape \(2, 3\) \(2 dimensions\)"),
    Bad("reshape to a float size in a tuple", lambda d, keep, tmp: tl.ones(2, device=d).reshape((2.5,)),
        TypeError, r"reshape: .*2\.5.*expected integers"),
    Bad("mean over a float axis", lambda d, keep, tmp: tl.ones(2, 3, device=d).mean(axis=1.0),
        TypeError, r"mean: axis must be an int, got float"),
    Bad("max of an empty tensor", lambda d, keep, tmp: tl.zeros(0, device=d).max(),
        ValueError, r"max: inputs \(0,\) float32: zero-size array"),
    Bad("index out of bounds", lambda d, keep, tmp: tl.ones(3, device=d)[5],
        IndexError, r"getitem: inputs \(3,\) float32: [Ii]ndex 5 is out of bounds"),
    Bad("float index", lambda d, keep, tmp: tl.ones(3, device=d)[1.5],
        IndexError, r"getitem: unsupported index 1.5 for a tensor of shape \(3,\)"),
    Bad("float index array", lambda d, keep, tmp: tl.ones(3, device=d)[np.array([0.5])],
        IndexError, r"getitem: index arrays must hold integers or booleans, got float64"),
    Bad("assignment into a tensor that requires grad", lambda d, keep, tmp: keep(_w(d)).__setitem__(0, 5.0),
        RuntimeError, r"setitem: a leaf Variable that requires grad is being used in an in-place operation"),
    Bad("concatenate of mismatched shapes",
        lambda d, keep, tmp: tl.concatenate([tl.ones(2, 3, device=d), tl.ones(2, 4, device=d)]),
        ValueError, r"concatenate: shapes \(2, 3\) and \(2, 4\) differ outside axis 0"),
    Bad("stack of nothing", lambda d, keep, tmp: tl.stack([]),
        ValueError, r"stack: need at least one tensor"),
    Bad("squeeze of a long axis", lambda d, keep, tmp: tl.ones(2, 3, device=d).squeeze(0),
        ValueError, r"squeeze: axis 0 of shape \(2, 3\) has length 2, not 1"),
    Bad("transpose with a repeated axis", lambda d, keep, tmp: tl.ones(2, 3, 4, device=d).transpose(0, 0, 1),
        ValueError, r"transpose: axes \(0, 0, 1\) are not a permutation"),
    Bad("clip with min above max", lambda d, keep, tmp: tl.ones(3, device=d).clip(2, 1),
        ValueError, r"clip: min \(2\) is larger than max \(1\)"),
    Bad("var with no degrees of freedom", lambda d, keep, tmp: tl.ones(1, device=d).var(ddof=1),
        ValueError, r"var: 1 elements .* no degrees of freedom with correction=1"),
    Bad("cast to a string dtype", lambda d, keep, tmp: tl.ones(2, device=d).astype("U3"),
        TypeError, r"astype: unsupported dtype <U3; expected a float, integer or bool dtype"),
    Bad("move to an unknown device", lambda d, keep, tmp: tl.ones(2, device=d).to("gpu"),
        ValueError, r"unknown device 'gpu': expected one of"),
    Bad("item of a tensor with many elements", lambda d, keep, tmp: tl.ones(3, device=d).item(),
        ValueError, r"item: only one-element tensors can be converted, got shape \(3,\)"),
    Bad("truth value of a vector", lambda d, keep, tmp: bool(tl.ones(3, device=d)),
        ValueError, r"truth value of a tensor of shape \(3,\) is ambiguous"),

    # --- PyTorch's tensor ops: wrong dims, mismatched shapes, bad indices and equations ----------
    Bad("view to the wrong size", lambda d, keep, tmp: tl.ones(2, 3, device=d).view(4),
        ValueError, r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4,\)"),
    Bad("expand of a dim that is not 1", lambda d, keep, tmp: tl.ones(2, 3, device=d).expand(2, 4),
        ValueError, r"expand: the expanded size 4 must match the existing size 3 at dim 1 of a tensor of shape \(2, 3\)"),
    Bad("expand to fewer dims", lambda d, keep, tmp: tl.ones(2, 3, device=d).expand(3),
        ValueError, r"expand: got 1 sizes for a tensor of shape \(2, 3\); the number of sizes must be at least"),
    Bad("expand with -1 for a new dim", lambda d, keep, tmp: tl.ones(3, device=d).expand(-1, 3),
        ValueError, r"expand: size -1 for the new leading dim 0 of \(-1, 3\)"),
    Bad("permute naming too few dims", lambda d, keep, tmp: tl.ones(2, 3, device=d).permute(0),
        ValueError, r"permute: dims \(0,\) name 1 dims, but the tensor of shape \(2, 3\) has 2"),
    Bad("permute with a repeated dim", lambda d, keep, tmp: tl.ones(2, 3, device=d).permute(1, 1),
        ValueError, r"permute: dims \(1, 1\) are not a permutation of the 2 dims of shape \(2, 3\)"),
    Bad("repeat with too few sizes", lambda d, keep, tmp: tl.ones(2, 3, device=d).repeat(2),
        ValueError, r"repeat: got 1 sizes for a tensor of shape \(2, 3\)"),
    Bad("flip of a dim out of range", lambda d, keep, tmp: tl.ones(2, 3, device=d).flip(2),
        ValueError, r"flip: axis 2 is out of range for a tensor of shape \(2, 3\)"),
    Bad("flatten with start_dim after end_dim", lambda d, keep, tmp: tl.ones(2, 3, 4, device=d).flatten(2, 1),
        ValueError, r"flatten: start_dim 2 comes after end_dim 1 \(shape \(2, 3, 4\)\)"),
    Bad("cat of mismatched shapes", lambda d, keep, tmp: tl.cat([tl.ones(2, 3, device=d), tl.ones(3, 3, device=d)], dim=1),
        ValueError, r"concatenate: shapes \(2, 3\) and \(3, 3\) differ outside axis 1"),
    Bad("cat of one tensor instead of a list", lambda d, keep, tmp: tl.cat(tl.ones(2, 3, device=d)),
        TypeError, r"concatenate: expected a list or tuple of tensors, got one Tensor"),
    Bad("stack with both dim and axis", lambda d, keep, tmp: tl.stack([tl.ones(2, device=d)], dim=1, axis=0),
        TypeError, r"stack: got both dim=1 and axis=0; pass one of them"),
    Bad("split into sections of the wrong total", lambda d, keep, tmp: tl.ones(4, device=d).split([1, 2]),
        ValueError, r"split: sections \[1, 2\] add up to 3, but dim 0 of a tensor of shape \(4,\) has size 4"),
    Bad("split into pieces of size zero", lambda d, keep, tmp: tl.ones(4, device=d).split(0),
        ValueError, r"split: split_size 0 must be a positive integer"),
    Bad("chunk into zero chunks", lambda d, keep, tmp: tl.ones(4, device=d).chunk(0),
        ValueError, r"chunk: chunks must be a positive integer, got 0"),
    Bad("clamp without bounds", lambda d, keep, tmp: tl.ones(3, device=d).clamp(),
        ValueError, r"clamp: at least one of min and max must be given"),
    Bad("clamp with bounds of a mismatched shape", lambda d, keep, tmp: tl.ones(3, device=d).clamp(tl.zeros(2, device=d)),
        ValueError, r"clamp: the tensor and its bounds have shapes \(3,\), \(2,\), which do not broadcast"),
    Bad("norm of an unsupported p", lambda d, keep, tmp: tl.ones(3, device=d).norm(p="nuc"),
        ValueError, r"norm: p='nuc' is not supported; use 'fro', 2, 1, inf or -inf"),
    Bad("cumsum over a dim out of range", lambda d, keep, tmp: tl.ones(3, device=d).cumsum(1),
        ValueError, r"cumsum: axis 1 is out of range for a tensor of shape \(3,\)"),
    Bad("gather with a float index", lambda d, keep, tmp: tl.ones(3, device=d).gather(0, _t([0.0], d)),
        TypeError, r"gather: index must be an integer tensor \(int64\), got float32 of shape \(1,\)"),
    Bad("gather with an index of the wrong dims", lambda d, keep, tmp: tl.ones(2, 3, device=d).gather(0, _t([0], d)),
        ValueError, r"gather: index of shape \(1,\) must have as many dims as the tensor of shape \(2, 3\)"),
    Bad("gather with an index out of range", lambda d, keep, tmp: tl.ones(2, 3, device=d).gather(1, _t([[3]], d)),
        IndexError, r"gather: index values in \[3, 3\] are out of range for dim 1 of size 3 \(shape \(2, 3\)\)"),
    Bad("gather with an index longer than the tensor",
        lambda d, keep, tmp: tl.ones(2, 3, device=d).gather(1, _t([[0], [0], [0]], d)),
        ValueError, r"gather: index of shape \(3, 1\) is longer than the tensor of shape \(2, 3\) at dim 0"),
    Bad("masked_fill with an integer mask", lambda d, keep, tmp: tl.ones(3, device=d).masked_fill(_t([1, 0, 1], d), 0.0),
        TypeError, r"masked_fill: mask must be a bool tensor, got a tensor of dtype int64"),
    Bad("masked_fill with a mask of a mismatched shape",
        lambda d, keep, tmp: tl.ones(3, device=d).masked_fill(_t([True, False], d), 0.0),
        ValueError, r"masked_fill: mask of shape \(2,\) does not broadcast to the tensor's shape \(3,\)"),
    Bad("tril of a vector", lambda d, keep, tmp: tl.ones(3, device=d).tril(),
        ValueError, r"tril: input must have at least 2 dims .*got shape \(3,\)"),
    Bad("topk with k larger than the dim", lambda d, keep, tmp: tl.ones(3, device=d).topk(4),
        ValueError, r"topk: k=4 is out of range for dim -1 of size 3 \(shape \(3,\)\)"),
    Bad("sort over a dim out of range", lambda d, keep, tmp: tl.ones(3, device=d).sort(dim=1),
        ValueError, r"sort: axis 1 is out of range for a tensor of shape \(3,\)"),
    Bad("einsum with too few operands", lambda d, keep, tmp: tl.einsum("ij,jk->ik", tl.ones(2, 3, device=d)),
        ValueError, r"einsum: equation 'ij,jk->ik' names 2 operands but 1 tensors were given \(shapes \(2, 3\)\)"),
    Bad("einsum with subscripts for the wrong dims", lambda d, keep, tmp: tl.einsum("ijk", tl.ones(2, 3, device=d)),
        ValueError, r"einsum: equation 'ijk': operand 0 has 2 dims \(shape \(2, 3\)\) but its subscripts 'ijk' name 3"),
    Bad("einsum of mismatched shapes",
        lambda d, keep, tmp: tl.einsum("ij,jk", tl.ones(2, 3, device=d), tl.ones(4, 2, device=d)),
        ValueError, r"einsum: equation 'ij,jk': subscript 'j' has size 3 in one operand and 4 in operand 1"),
    Bad("einsum with a bad equation character", lambda d, keep, tmp: tl.einsum("i-j", tl.ones(2, 3, device=d)),
        ValueError, r"einsum: equation 'i-j' has the character '-'; subscripts are letters"),
    Bad("einsum with an output letter in no operand", lambda d, keep, tmp: tl.einsum("ij->k", tl.ones(2, 3, device=d)),
        ValueError, r"einsum: equation 'ij->k': the output subscript 'k' is in no operand"),
    Bad("einsum trace of a non-square matrix", lambda d, keep, tmp: tl.einsum("ii", tl.ones(2, 3, device=d)),
        ValueError, r"einsum: equation 'ii': operand 0 of shape \(2, 3\) repeats the subscript 'i' over dims"),
    Bad("softmax over a dim out of range", lambda d, keep, tmp: tl.ones(2, 3, device=d).softmax(dim=3),
        ValueError, r"log_softmax: axis 3 is out of range for a tensor of shape \(2, 3\)"),
    Bad("one_hot of float labels", lambda d, keep, tmp: F.one_hot(tl.ones(3, device=d)),
        TypeError, r"one_hot: expected an integer tensor of class labels, got a float32 tensor"),
    Bad("one_hot label out of range", lambda d, keep, tmp: F.one_hot(_t([0, 3], d), 3),
        ValueError, r"one_hot: label 3 is out of range for num_classes=3 \(shape \(2,\)\)"),
    Bad("one_hot of a negative label", lambda d, keep, tmp: F.one_hot(_t([-1], d)),
        ValueError, r"one_hot: labels must be non-negative, got -1"),
    Bad("allclose of shapes that do not broadcast",
        lambda d, keep, tmp: tl.allclose(tl.ones(2, device=d), tl.ones(3, device=d)),
        ValueError, r"allclose: inputs \(2,\) and \(3,\)"),
    Bad("mm of a vector", lambda d, keep, tmp: tl.mm(tl.ones(2, 3, device=d), tl.ones(3, device=d)),
        ValueError, r"mm: expects two matrices, got shapes \(2, 3\) and \(3,\)"),
    Bad("dot of vectors of two lengths", lambda d, keep, tmp: tl.dot(tl.ones(2, device=d), tl.ones(3, device=d)),
        ValueError, r"dot: expects two vectors of one length, got shapes \(2,\) and \(3,\)"),
    Bad("t of a 3-d tensor", lambda d, keep, tmp: tl.ones(2, 3, 4, device=d).t(),
        ValueError, r"t: expects a tensor with at most 2 dims, got shape \(2, 3, 4\)"),
    Bad("narrow past the end", lambda d, keep, tmp: tl.ones(2, 3, device=d).narrow(1, 2, 2),
        IndexError, r"narrow: start 2 and length 2 do not fit dim 1 of size 3 \(shape \(2, 3\)\)"),
    Bad("index_select with float positions",
        lambda d, keep, tmp: tl.ones(2, 3, device=d).index_select(0, tl.ones(2, device=d)),
        TypeError, r"index_select: index must be a vector \(or scalar\) Tensor of integers, got shape \(2,\) float32"),
    Bad("type with an unknown dtype", lambda d, keep, tmp: tl.ones(2, device=d).type("complex64"),
        TypeError, r"astype: unsupported dtype complex64"),

    # --- autograd -------------------------------------------------------------------------------
    Bad("backward of a non-scalar", lambda d, keep, tmp: (_w(d) * 2).backward(),
        RuntimeError, r"backward: output has shape \(2,\), pass grad="),
    Bad("backward through an integer tensor", lambda d, keep, tmp: _t([1, 2], d).sum().backward(),
        RuntimeError, r"backward: the output \(shape \(\), int64\) does not require grad"),
    Bad("backward of an integer result of float inputs", lambda d, keep, tmp: (_w(d) > 1).sum().backward(),
        RuntimeError, r"backward: the output \(shape \(\), int64\) does not require grad"),
    Bad("backward with a gradient of the wrong shape", lambda d, keep, tmp: (_w(d) * 2).backward(tl.ones(3, device=d)),
        RuntimeError, r"backward: gradient has shape \(3,\) but the output has shape \(2,\)"),
    Bad("backward after no_grad", lambda d, keep, tmp: _no_grad_backward(d),
        RuntimeError, r"backward: .*does not require grad.*no_grad"),
    Bad("grad of an unused input", lambda d, keep, tmp: tl.grad((_w(d) * 2).sum(), _w(d)),
        RuntimeError, r"grad: input 0 was not used to compute the output \(pass allow_unused=True\)"),
    Bad("grad with respect to a number", lambda d, keep, tmp: tl.grad((_w(d) * 2).sum(), 3.0),
        TypeError, r"grad: input 0 is a float, expected a Tensor"),
    Bad("grad of an output that needs no grad", lambda d, keep, tmp: tl.grad(tl.ones(2, device=d).sum(), _w(d)),
        RuntimeError, r"grad: output 0 \(shape \(\)\) does not require grad"),
    Bad("grad with too many grad_outputs",
        lambda d, keep, tmp: tl.grad(_w(d).sum(), _w(d), grad_outputs=[None, None]),
        ValueError, r"grad: got 2 grad_outputs for 1 outputs"),
    Bad("gradcheck with nothing to check", lambda d, keep, tmp: tl.gradcheck(lambda x: x.sum(), [tl.ones(2, device=d)]),
        ValueError, r"gradcheck: no input requires grad"),
    Bad("NaN data under detect_anomaly", lambda d, keep, tmp: _nan_data(d),
        FloatingPointError, r"detect_anomaly: forward of Mul produced nan \(inputs: \(2,\) float32 .* with nan"),

    # --- functional and curvature ----------------------------------------------------------------
    Bad("hessian of a non-scalar function", lambda d, keep, tmp: tl.hessian(lambda x: x * x, _w(d)),
        ValueError, r"hessian: f\(x\) must return a scalar \(the loss\), got a tensor of shape \(2,\)"),
    Bad("hessian at an integer point", lambda d, keep, tmp: tl.hessian(lambda x: x.sum(), _t([1, 2], d)),
        TypeError, r"hessian: x has dtype int64; derivatives need a floating-point tensor"),
    Bad("hessian of a function returning a float", lambda d, keep, tmp: tl.hessian(lambda x: 1.0, _w(d)),
        TypeError, r"hessian: f\(x\) returned a float; expected a scalar Tensor"),
    Bad("hvp with a vector of the wrong shape",
        lambda d, keep, tmp: tl.hvp(lambda x: (x * x).sum(), _w(d), tl.ones(3, device=d)),
        ValueError, r"hvp: v has shape \(3,\) but must have x's shape \(2,\)"),
    Bad("hessian over an empty list", lambda d, keep, tmp: tl.hessian(lambda x: x, []),
        ValueError, r"hessian: x is an empty list"),
    Bad("lanczos with k = 0", lambda d, keep, tmp: tl.curvature.lanczos(lambda x: (x * x).sum(), _w(d), k=0),
        ValueError, r"lanczos: k must be at least 1, got 0"),
    Bad("hutchinson_trace with no samples",
        lambda d, keep, tmp: tl.curvature.hutchinson_trace(lambda x: (x * x).sum(), _w(d), samples=0),
        ValueError, r"hutchinson_trace: samples must be at least 1, got 0"),
    Bad("power_iteration with no iterations",
        lambda d, keep, tmp: tl.curvature.power_iteration(lambda x: (x * x).sum(), _w(d), iters=0),
        ValueError, r"power_iteration: iters must be at least 1, got 0"),

    # --- nn: layers ------------------------------------------------------------------------------
    Bad("Linear with a negative size", lambda d, keep, tmp: tl.nn.Linear(-1, 3),
        ValueError, r"Linear: invalid in_features -1; expected an integer >= 1"),
    Bad("Linear with zero outputs", lambda d, keep, tmp: tl.nn.Linear(3, 0),
        ValueError, r"Linear: invalid out_features 0; expected an integer >= 1"),
    Bad("Linear with a float size", lambda d, keep, tmp: tl.nn.Linear(2.5, 3),
        ValueError, r"Linear: invalid in_features 2.5; expected an integer >= 1"),
    Bad("Linear fed the wrong number of features", lambda d, keep, tmp: _model(d, keep)(tl.ones(5, 4, device=d)),
        ValueError, r"Linear: input of shape \(5, 4\) should have 3 features"),
    Bad("Conv2d with a negative channel count", lambda d, keep, tmp: tl.nn.Conv2d(3, -8, 3),
        ValueError, r"Conv2d: invalid out_channels -8; expected an integer >= 1"),
    Bad("Conv2d with a zero kernel", lambda d, keep, tmp: tl.nn.Conv2d(3, 8, 0),
        ValueError, r"Conv2d: invalid kernel_size \(0, 0\); expected positive sizes"),
    Bad("Conv2d fed a 3-D input", lambda d, keep, tmp: tl.nn.Conv2d(3, 8, 3).to(d)(tl.ones(3, 8, 8, device=d)),
        ValueError, r"Conv2d: expected an input of shape .*got \(3, 8, 8\)"),
    Bad("Dropout with p > 1", lambda d, keep, tmp: tl.nn.Dropout(1.5),
        ValueError, r"Dropout: p must be a probability in \[0, 1\], got 1.5"),
    Bad("Dropout with a string p", lambda d, keep, tmp: tl.nn.Dropout("0.5"),
        ValueError, r"Dropout: p must be a probability in \[0, 1\], got '0.5'"),
    Bad("dropout with p < 0", lambda d, keep, tmp: F.dropout(tl.ones(2, device=d), p=-0.1),
        ValueError, r"dropout: p must be a probability in \[0, 1\], got -0.1"),
    Bad("Sequential of a function", lambda d, keep, tmp: tl.nn.Sequential(tl.nn.ReLU(), np.tanh),
        TypeError, r"Sequential: every layer must be a Module, got ufunc"),
    Bad("Softmax over an axis out of range", lambda d, keep, tmp: tl.nn.Softmax(axis=2)(tl.ones(2, 3, device=d)),
        ValueError, r"log_softmax: axis 2 is out of range for a tensor of shape \(2, 3\)"),
    Bad("a plain tensor assigned to a parameter", lambda d, keep, tmp: setattr(_model(d, keep)[0], "weight", tl.ones(4, 3)),
        TypeError, r"Linear: cannot assign a Tensor to parameter 'weight' \(a Parameter or None expected\)"),
    Bad("module moved to an integer dtype", lambda d, keep, tmp: _model(d, keep).to(tl.int64),
        TypeError, r"Sequential.to: parameters must stay floating point, got dtype int64"),
    Bad("module moved to an unknown device", lambda d, keep, tmp: _model(d, keep).to("tpu"),
        ValueError, r"unknown device 'tpu'"),
    Bad("init of a 1-D weight with xavier", lambda d, keep, tmp: tl.nn.init.xavier_uniform_(keep(tl.zeros(3, device=d))),
        ValueError, r"init: fan in and fan out need a weight of at least 2 dimensions, got shape \(3,\)"),
    Bad("init of an integer tensor", lambda d, keep, tmp: tl.nn.init.normal_(keep(_t([[1, 2]], d))),
        TypeError, r"init: can only fill floating-point tensors, got int64"),
    Bad("kaiming with an unknown mode", lambda d, keep, tmp: tl.nn.init.kaiming_normal_(keep(tl.zeros(2, 3, device=d)), mode="in"),
        ValueError, r"init: mode must be 'fan_in' or 'fan_out', got 'in'"),
    Bad("calculate_gain of an unknown nonlinearity", lambda d, keep, tmp: tl.nn.init.calculate_gain("swish"),
        ValueError, r"calculate_gain: unknown nonlinearity 'swish'"),
    Bad("clip_grad_norm_ with a negative max_norm", lambda d, keep, tmp: _clip(d, keep, max_norm=-1.0),
        ValueError, r"clip_grad_norm_: max_norm must be non-negative, got -1.0"),
    Bad("clip_grad_norm_ with norm_type 0", lambda d, keep, tmp: _clip(d, keep, max_norm=1.0, norm_type=0),
        ValueError, r"clip_grad_norm_: norm_type must be a number > 0 or inf, got 0"),
    Bad("clip_grad_value_ with a negative clip_value", lambda d, keep, tmp: _clip(d, keep, clip_value=-0.5),
        ValueError, r"clip_grad_value_: clip_value must be a number >= 0, got -0.5"),

    # --- nn: losses ------------------------------------------------------------------------------
    Bad("cross_entropy with a label out of range",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 3], d)),
        IndexError, r"cross_entropy: label 3 is outside \[0, 3\) for logits of shape \(2, 3\)"),
    Bad("cross_entropy with a negative label",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([-1, 0], d)),
        IndexError, r"cross_entropy: label -1 is outside \[0, 3\)"),
    Bad("cross_entropy with too few labels", lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0], d)),
        ValueError, r"cross_entropy: logits of shape \(2, 3\) need class labels of shape \(2,\), got target of shape \(1,\)"),
    Bad("cross_entropy with float labels", lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0.0, 1.0], d)),
        ValueError, r"cross_entropy: logits of shape \(2, 3\) and probability target of shape \(2,\) differ"),
    Bad("cross_entropy with boolean labels", lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([True, False], d)),
        TypeError, r"cross_entropy: target must hold integer class labels or float probabilities, got bool"),
    Bad("cross_entropy of 0-d logits", lambda d, keep, tmp: F.cross_entropy(_t(1.0, d), _t(0, d)),
        ValueError, r"cross_entropy: logits must have shape \(N, C\), \(C,\) or \(N, C, d1, ...\), got \(\)"),
    Bad("cross_entropy of 3-D logits with labels of one per example", lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, 4, device=d), _t([0, 1], d)),
        ValueError, r"cross_entropy: logits of shape \(2, 3, 4\) need class labels of shape \(2, 4\), got target of shape \(2,\)"),
    Bad("cross_entropy of an empty batch", lambda d, keep, tmp: F.cross_entropy(tl.zeros(0, 3, device=d), _t(np.zeros(0, np.int64), d)),
        ValueError, r"cross_entropy: cannot average over an empty batch \(input of shape \(0, 3\)\)"),
    Bad("cross_entropy with an unknown reduction", lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 1], d), reduction="avg"),
        ValueError, r"cross_entropy: reduction must be one of \('mean', 'sum', 'none'\), got 'avg'"),
    Bad("CrossEntropyLoss with an unknown reduction", lambda d, keep, tmp: tl.nn.CrossEntropyLoss(reduction="max"),
        ValueError, r"CrossEntropyLoss: reduction must be 'mean', 'sum' or 'none', got 'max'"),
    Bad("mse_loss of shapes (N, 1) and (N,)", lambda d, keep, tmp: F.mse_loss(tl.zeros(4, 1, device=d), tl.zeros(4, device=d)),
        ValueError, r"mse_loss: prediction of shape \(4, 1\) and target of shape \(4,\) differ"),
    Bad("mse_loss of an empty batch", lambda d, keep, tmp: F.mse_loss(tl.zeros(0, device=d), tl.zeros(0, device=d)),
        ValueError, r"mse_loss: cannot average over an empty batch \(input of shape \(0,\)\)"),
    Bad("binary_cross_entropy of values outside [0, 1]",
        lambda d, keep, tmp: F.binary_cross_entropy(_t([0.5, 1.5], d), _t([0.0, 1.0], d)),
        ValueError, r"binary_cross_entropy: input of shape \(2,\) must hold probabilities in \[0, 1\], got values in \[0.5, 1.5\]"),
    Bad("binary_cross_entropy of NaN probabilities",
        lambda d, keep, tmp: F.binary_cross_entropy(_t([0.5, np.nan], d), _t([0.0, 1.0], d)),
        ValueError, r"binary_cross_entropy: input of shape \(2,\) must hold probabilities in \[0, 1\], got nan"),
    Bad("binary_cross_entropy_with_logits of mismatched shapes",
        lambda d, keep, tmp: F.binary_cross_entropy_with_logits(tl.zeros(3, 1, device=d), tl.zeros(3, device=d)),
        ValueError, r"binary_cross_entropy_with_logits: logits of shape \(3, 1\) and target of shape \(3,\) differ"),
    Bad("cross_entropy with a weight of the wrong length",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 1], d), weight=tl.ones(2, device=d)),
        ValueError, r"cross_entropy: weight must hold one weight per class, shape \(3,\) for logits of shape \(2, 3\), got weight of shape \(2,\)"),
    Bad("nll_loss with a 2-D weight",
        lambda d, keep, tmp: F.nll_loss(tl.zeros(2, 3, 5, device=d), _t(np.zeros((2, 5), np.int64), d), weight=tl.ones(3, 1, device=d)),
        ValueError, r"nll_loss: weight must hold one weight per class, shape \(3,\) for log-probabilities of shape \(2, 3, 5\), got weight of shape \(3, 1\)"),
    Bad("cross_entropy with a boolean weight",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 1], d), weight=_t([True, False, True], d)),
        TypeError, r"cross_entropy: weight must hold numbers, got bool"),
    Bad("cross_entropy with the reduction where the weight goes",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 1], d), "sum"),
        TypeError, r"cross_entropy: weight must be a tensor of one weight per class, got 'sum' \(pass the reduction by name"),
    Bad("cross_entropy with label_smoothing above 1",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 1], d), label_smoothing=1.5),
        ValueError, r"cross_entropy: label_smoothing must be a number in \[0, 1\], got 1.5"),
    Bad("cross_entropy with a negative label_smoothing",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 1], d), label_smoothing=-0.1),
        ValueError, r"cross_entropy: label_smoothing must be a number in \[0, 1\], got -0.1"),
    Bad("cross_entropy with a string label_smoothing",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), _t([0, 1], d), label_smoothing="0.1"),
        ValueError, r"cross_entropy: label_smoothing must be a number in \[0, 1\], got '0.1'"),
    Bad("nll_loss with a float ignore_index",
        lambda d, keep, tmp: F.nll_loss(tl.zeros(2, 3, device=d), _t([0, 1], d), ignore_index=1.0),
        TypeError, r"nll_loss: ignore_index must be an integer class label, got 1.0"),
    Bad("nll_loss with a label that is neither a class nor ignore_index",
        lambda d, keep, tmp: F.nll_loss(tl.zeros(2, 3, device=d), _t([-100, -1], d)),
        IndexError, r"nll_loss: label -1 is outside \[0, 3\) for log-probabilities of shape \(2, 3\) \(and is not ignore_index=-100\)"),
    Bad("cross_entropy of probabilities with an ignore_index",
        lambda d, keep, tmp: F.cross_entropy(tl.zeros(2, 3, device=d), tl.ones(2, 3, device=d) / 3, ignore_index=0),
        ValueError, r"cross_entropy: ignore_index=0 is not supported for probability targets \(target of shape \(2, 3\)\)"),
    Bad("CrossEntropyLoss with label_smoothing above 1", lambda d, keep, tmp: tl.nn.CrossEntropyLoss(label_smoothing=2),
        ValueError, r"CrossEntropyLoss: label_smoothing must be a number in \[0, 1\], got 2"),
    Bad("NLLLoss with a list weight", lambda d, keep, tmp: tl.nn.NLLLoss(weight=[1.0, 2.0]),
        TypeError, r"NLLLoss: weight must be a 1-D tensor of one weight per class, got \[1.0, 2.0\]"),
    Bad("smooth_l1_loss with a negative beta",
        lambda d, keep, tmp: F.smooth_l1_loss(tl.zeros(3, device=d), tl.zeros(3, device=d), beta=-1.0),
        ValueError, r"smooth_l1_loss: beta must be a finite number >= 0, got -1.0"),
    Bad("huber_loss with delta zero",
        lambda d, keep, tmp: F.huber_loss(tl.zeros(3, device=d), tl.zeros(3, device=d), delta=0.0),
        ValueError, r"huber_loss: delta must be a finite number > 0, got 0.0"),
    Bad("HuberLoss with a negative delta", lambda d, keep, tmp: tl.nn.HuberLoss(delta=-2.0),
        ValueError, r"HuberLoss: delta must be a finite number > 0, got -2.0"),
    Bad("l1_loss of shapes (N, 1) and (N,)", lambda d, keep, tmp: F.l1_loss(tl.zeros(4, 1, device=d), tl.zeros(4, device=d)),
        ValueError, r"l1_loss: input of shape \(4, 1\) and target of shape \(4,\) differ"),
    Bad("smooth_l1_loss of an empty batch", lambda d, keep, tmp: F.smooth_l1_loss(tl.zeros(0, device=d), tl.zeros(0, device=d)),
        ValueError, r"smooth_l1_loss: cannot average over an empty batch \(input of shape \(0,\)\)"),
    Bad("linear with a 1-D weight", lambda d, keep, tmp: F.linear(tl.ones(2, 3, device=d), tl.ones(3, device=d)),
        ValueError, r"linear: weight must have shape \(out_features, in_features\), got \(3,\)"),

    # --- nn: state dicts -------------------------------------------------------------------------
    Bad("load_state_dict with a wrong shape",
        lambda d, keep, tmp: _load_state_dict(d, keep, lambda s: s.update({"2.weight": tl.zeros(3, 4)})),
        RuntimeError, r"load_state_dict into Sequential: shape mismatch for '2.weight': the state dict has \(3, 4\), "
                      r"the model has \(2, 4\) \(nothing was loaded\)"),
    Bad("load_state_dict with a missing key",
        lambda d, keep, tmp: _load_state_dict(d, keep, lambda s: s.pop("0.bias")),
        RuntimeError, r"load_state_dict into Sequential: missing keys \['0.bias'\] \(nothing was loaded\)"),
    Bad("load_state_dict with an unexpected key",
        lambda d, keep, tmp: _load_state_dict(d, keep, lambda s: s.update({"3.weight": tl.zeros(1)})),
        RuntimeError, r"load_state_dict into Sequential: unexpected keys \['3.weight'\]"),
    Bad("load_state_dict with strings",
        lambda d, keep, tmp: _load_state_dict(d, keep, lambda s: s.update({"0.bias": np.array(["a"] * 4)})),
        RuntimeError, r"load_state_dict into Sequential: '0.bias' holds values of dtype <U1, expected numbers"),

    # --- optim: hyper-parameters -----------------------------------------------------------------
    Bad("SGD with a negative lr", lambda d, keep, tmp: tl.optim.SGD([_w(d)], lr=-0.1),
        ValueError, r"SGD: invalid learning rate -0.1; expected a finite number >= 0"),
    Bad("SGD with a NaN lr", lambda d, keep, tmp: tl.optim.SGD([_w(d)], lr=float("nan")),
        ValueError, r"SGD: invalid learning rate nan; expected a finite number >= 0"),
    Bad("SGD with a string lr", lambda d, keep, tmp: tl.optim.SGD([_w(d)], lr="0.1"),
        ValueError, r"SGD: invalid learning rate '0.1'; expected a finite number >= 0"),
    Bad("SGD with negative momentum", lambda d, keep, tmp: tl.optim.SGD([_w(d)], lr=0.1, momentum=-0.5),
        ValueError, r"SGD: invalid momentum -0.5; expected a number >= 0"),
    Bad("SGD with nesterov but no momentum", lambda d, keep, tmp: tl.optim.SGD([_w(d)], lr=0.1, nesterov=True),
        ValueError, r"SGD: nesterov=True needs momentum > 0"),
    Bad("SGD with an unknown hyper-parameter in a group",
        lambda d, keep, tmp: tl.optim.SGD([{"params": [_w(d)], "momentun": 0.9}], lr=0.1),
        TypeError, r"SGD: unknown hyper-parameter\(s\) \['momentun'\] in group 0"),
    Bad("SGD of a single tensor", lambda d, keep, tmp: tl.optim.SGD(_w(d), lr=0.1),
        TypeError, r"SGD: params must be an iterable of tensors .*got a single Tensor"),
    Bad("SGD of no parameters", lambda d, keep, tmp: tl.optim.SGD([], lr=0.1),
        ValueError, r"SGD: got an empty list of parameters"),
    Bad("SGD of an integer tensor", lambda d, keep, tmp: tl.optim.SGD([_t([1, 2], d)], lr=0.1),
        TypeError, r"SGD: parameter 0 of group 0 has dtype int64; only floating-point tensors"),
    Bad("SGD of a non-leaf", lambda d, keep, tmp: tl.optim.SGD([_w(d) * 2], lr=0.1),
        ValueError, r"SGD: parameter 0 of group 0 \(shape \(2,\)\) was computed by an op \(a non-leaf\)"),
    Bad("Adam with beta1 = 1", lambda d, keep, tmp: tl.optim.Adam([_w(d)], betas=(1.0, 0.999)),
        ValueError, r"Adam: invalid beta1 1.0 in betas=\(1.0, 0.999\); expected 0 <= beta < 1"),
    Bad("Adam with a single beta", lambda d, keep, tmp: tl.optim.Adam([_w(d)], betas=0.9),
        ValueError, r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"),
    Bad("AdamW with negative eps", lambda d, keep, tmp: tl.optim.AdamW([_w(d)], eps=-1e-8),
        ValueError, r"AdamW: invalid eps -1e-08; expected a number >= 0"),
    Bad("RMSProp with alpha > 1", lambda d, keep, tmp: tl.optim.RMSProp([_w(d)], alpha=1.5),
        ValueError, r"RMSProp: invalid alpha 1.5; expected a number >= 0.0 and <= 1.0"),
    Bad("Adagrad of an unknown form", lambda d, keep, tmp: tl.optim.Adagrad([_w(d)], form="paper"),
        ValueError, r"Adagrad: invalid form 'paper'; expected one of \('pytorch', 'lecture'\)"),
    Bad("a negative lr set on a trained optimizer", lambda d, keep, tmp: _set_lr(d, keep, -1.0),
        ValueError, r"SGD: invalid learning rate -1.0; expected a finite number >= 0"),

    # --- optim: steps and snapshots --------------------------------------------------------------
    Bad("step with a gradient of the wrong shape",
        lambda d, keep, tmp: _step_with_gradient(d, keep, lambda p: tl.ones(p.numel() + 1, device=d)),
        ValueError, r"Adam.step: the gradient of parameter 3 in group 0 has shape \(3,\) but the parameter has shape \(2,\)"),
    Bad("step with a gradient of the wrong dtype",
        lambda d, keep, tmp: _step_with_gradient(d, keep, lambda p: tl.ones(p.shape, dtype=tl.float64, device=d)),
        TypeError, r"Adam.step: the gradient of parameter 3 in group 0 has dtype float64 but the parameter has dtype float32"),
    Bad("step with a gradient that is an array",
        lambda d, keep, tmp: _step_with_gradient(d, keep, lambda p: np.ones(p.shape, np.float32)),
        TypeError, r"Adam.step: the gradient of parameter 3 in group 0 is a ndarray, expected a Tensor"),
    Bad("optimizer load_state_dict with a wrong state shape",
        lambda d, keep, tmp: _load_optimizer_state(d, keep, lambda s: s["state"][3].update(m=np.zeros(7, np.float32))),
        ValueError, r"Adam.load_state_dict: state 'm' has shape \(7,\) but its parameter has shape \(2,\)"),
    Bad("optimizer load_state_dict with an invalid lr",
        lambda d, keep, tmp: _load_optimizer_state(d, keep, lambda s: s["param_groups"][0].update(lr=-1)),
        ValueError, r"Adam: invalid learning rate -1; expected a finite number >= 0"),
    Bad("optimizer load_state_dict of a group without params",
        lambda d, keep, tmp: _load_optimizer_state(d, keep, lambda s: s["param_groups"][0].pop("params")),
        ValueError, r"Adam.load_state_dict: group 0 of the snapshot has no 'params' list"),
    Bad("optimizer load_state_dict of a list",
        lambda d, keep, tmp: _trained(d, keep)[1].load_state_dict([1, 2]),
        ValueError, r"Adam.load_state_dict: expected a dict with 'state' and 'param_groups', got a list"),

    # --- optim: schedulers -----------------------------------------------------------------------
    Bad("StepLR with step_size 0", lambda d, keep, tmp: lr_scheduler.StepLR(_trained(d, keep)[1], step_size=0),
        ValueError, r"StepLR: invalid step_size 0; expected an integer >= 1"),
    Bad("ExponentialLR with a negative gamma", lambda d, keep, tmp: lr_scheduler.ExponentialLR(_trained(d, keep)[1], gamma=-0.5),
        ValueError, r"ExponentialLR: invalid gamma -0.5; expected a number >= 0"),
    Bad("CosineAnnealingLR with T_max 0", lambda d, keep, tmp: lr_scheduler.CosineAnnealingLR(_trained(d, keep)[1], T_max=0),
        ValueError, r"CosineAnnealingLR: invalid T_max 0; expected an integer >= 1"),
    Bad("LinearWarmup with a negative warm-up", lambda d, keep, tmp: lr_scheduler.LinearWarmup(_trained(d, keep)[1], -5),
        ValueError, r"LinearWarmup: invalid warmup_steps -5; expected an integer >= 1"),
    Bad("TransformerLR with d_model 0", lambda d, keep, tmp: lr_scheduler.TransformerLR(_trained(d, keep)[1], 0, 100),
        ValueError, r"TransformerLR: invalid d_model 0; expected an integer >= 1"),
    Bad("a scheduler of a model", lambda d, keep, tmp: lr_scheduler.StepLR(_model(d, keep), step_size=1),
        TypeError, r"StepLR: expected an optimizer from tl.optim"),
    Bad("ReduceLROnPlateau with an unknown mode", lambda d, keep, tmp: lr_scheduler.ReduceLROnPlateau(_trained(d, keep)[1], mode="lowest"),
        ValueError, r"ReduceLROnPlateau: mode must be 'min' \(a loss\) or 'max' \(an accuracy\), got 'lowest'"),
    Bad("ReduceLROnPlateau with an unknown threshold_mode", lambda d, keep, tmp: lr_scheduler.ReduceLROnPlateau(_trained(d, keep)[1], threshold_mode="relative"),
        ValueError, r"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got 'relative'"),
    Bad("ReduceLROnPlateau with factor 1", lambda d, keep, tmp: lr_scheduler.ReduceLROnPlateau(_trained(d, keep)[1], factor=1.0),
        ValueError, r"ReduceLROnPlateau: invalid factor 1.0; expected a number < 1"),
    Bad("ReduceLROnPlateau with a negative patience", lambda d, keep, tmp: lr_scheduler.ReduceLROnPlateau(_trained(d, keep)[1], patience=-1),
        ValueError, r"ReduceLROnPlateau: invalid patience -1; expected an integer >= 0"),
    Bad("ReduceLROnPlateau with min_lr for too many groups", lambda d, keep, tmp: lr_scheduler.ReduceLROnPlateau(_trained(d, keep)[1], min_lr=[0.0, 0.1]),
        ValueError, r"ReduceLROnPlateau: expected 1 values of min_lr \(one per parameter group\), got 2"),
    Bad("ReduceLROnPlateau stepped with a string metric", lambda d, keep, tmp: _plateau_step(d, keep, "low"),
        TypeError, r"ReduceLROnPlateau.step: metrics must be a number, such as the validation loss, got 'low'"),
    Bad("ReduceLROnPlateau stepped with a non-scalar tensor", lambda d, keep, tmp: _plateau_step(d, keep, tl.ones(3, device=d)),
        TypeError, r"ReduceLROnPlateau.step: metrics must be a number"),
    Bad("OneCycleLR without a length", lambda d, keep, tmp: lr_scheduler.OneCycleLR(_trained(d, keep)[1], max_lr=0.1, epochs=3),
        ValueError, r"OneCycleLR: give total_steps, or epochs and steps_per_epoch"),
    Bad("OneCycleLR with total_steps zero", lambda d, keep, tmp: lr_scheduler.OneCycleLR(_trained(d, keep)[1], max_lr=0.1, total_steps=0),
        ValueError, r"OneCycleLR: invalid total_steps 0; expected an integer >= 1"),
    Bad("OneCycleLR with an unknown anneal_strategy", lambda d, keep, tmp: lr_scheduler.OneCycleLR(_trained(d, keep)[1], 0.1, 10, anneal_strategy="cosine"),
        ValueError, r"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'cosine'"),
    Bad("OneCycleLR with a negative max_lr", lambda d, keep, tmp: lr_scheduler.OneCycleLR(_trained(d, keep)[1], -0.1, 10),
        ValueError, r"OneCycleLR: invalid max_lr -0.1; expected a number >= 0"),
    Bad("OneCycleLR cycling the momentum of Adagrad", lambda d, keep, tmp: lr_scheduler.OneCycleLR(_trained(d, keep, optimizer=tl.optim.Adagrad)[1], 0.1, 10),
        ValueError, r"OneCycleLR: cycle_momentum=True needs an optimizer with momentum or betas .* Adagrad has neither"),
    Bad("OneCycleLR stepped past total_steps", lambda d, keep, tmp: _one_cycle_past_the_end(d, keep),
        ValueError, r"OneCycleLR: tried to step 3 times, but the schedule has total_steps=2"),

    # --- data ------------------------------------------------------------------------------------
    Bad("DataLoader with batch_size 0", lambda d, keep, tmp: tl.data.DataLoader(tl.data.TensorDataset(np.zeros(4)), batch_size=0),
        ValueError, r"DataLoader: invalid batch_size 0; expected an integer >= 1"),
    Bad("DataLoader with a float batch_size", lambda d, keep, tmp: tl.data.DataLoader(tl.data.TensorDataset(np.zeros(4)), batch_size=2.5),
        ValueError, r"DataLoader: invalid batch_size 2.5; expected an integer >= 1"),
    Bad("DataLoader of an array", lambda d, keep, tmp: tl.data.DataLoader(5),
        TypeError, r"DataLoader: dataset must have __len__ and __getitem__ .*got a int"),
    Bad("DataLoader to an unknown device", lambda d, keep, tmp: tl.data.DataLoader(tl.data.TensorDataset(np.zeros(4)), device="gpu"),
        ValueError, r"unknown device 'gpu'"),
    Bad("TensorDataset of different lengths", lambda d, keep, tmp: tl.data.TensorDataset(np.zeros((4, 2)), np.zeros(3)),
        ValueError, r"TensorDataset: the inputs have different lengths \[4, 3\]"),
    Bad("TensorDataset of a scalar", lambda d, keep, tmp: tl.data.TensorDataset(np.float64(1.0)),
        ValueError, r"TensorDataset: input 0 is a scalar \(shape \(\)\)"),
    Bad("TensorDataset of ragged lists", lambda d, keep, tmp: tl.data.TensorDataset([[1.0, 2.0], [3.0]]),
        ValueError, r"TensorDataset: input 0: tensor: cannot make a tensor from ragged data"),
    Bad("TensorDataset of strings", lambda d, keep, tmp: tl.data.TensorDataset(np.zeros(2), ["cat", "dog"]),
        TypeError, r"TensorDataset: input 1: tensor: unsupported data of dtype <U3"),
    Bad("TensorDataset of nothing", lambda d, keep, tmp: tl.data.TensorDataset(),
        ValueError, r"TensorDataset: expected at least one array or tensor"),
    Bad("collate of examples of different shapes", lambda d, keep, tmp: tl.data.collate([np.zeros(2), np.zeros(3)]),
        ValueError, r"collate: cannot stack the examples \(shapes \(2,\), \(3,\)\)"),
    Bad("spirals with no classes", lambda d, keep, tmp: datasets.spirals(n_classes=0),
        ValueError, r"spirals: invalid n_classes 0; expected an integer >= 1"),
    Bad("moons with one point", lambda d, keep, tmp: datasets.moons(n=1),
        ValueError, r"moons: invalid n 1; expected an integer >= 2"),
    Bad("two_gaussians with a negative std", lambda d, keep, tmp: datasets.two_gaussians(std=-1.0),
        ValueError, r"two_gaussians: invalid std -1.0; expected a number >= 0"),
    Bad("train_val_test_split with fractions summing past 1",
        lambda d, keep, tmp: datasets.train_val_test_split(np.zeros(10), val_fraction=0.6, test_fraction=0.5),
        ValueError, r"train_val_test_split: val_fraction=0.6 and test_fraction=0.5"),
    Bad("load_idx of a file that is not IDX", lambda d, keep, tmp: datasets.load_idx(_write(tmp, "x.idx", b"hello world")),
        ValueError, r"load_idx: .*x.idx is not an IDX file"),
    Bad("load_mnist of an empty directory", lambda d, keep, tmp: datasets.load_mnist(tmp),
        FileNotFoundError, r"load_mnist: found neither train-images-idx3-ubyte"),

    # --- saving and loading files ----------------------------------------------------------------
    Bad("load of a missing file", lambda d, keep, tmp: _failed_load(d, keep, tmp, lambda t: str(t / "missing.npz")),
        FileNotFoundError, r"load: no such file: '.*missing.npz'"),
    Bad("load of random bytes", lambda d, keep, tmp: _failed_load(d, keep, tmp, lambda t: _write(t, "junk.npz", b"\x00junk" * 50)),
        ValueError, r"load: '.*junk.npz' is not a valid checkpoint written by tl.save"),
    Bad("load of a truncated checkpoint", lambda d, keep, tmp: _failed_load(d, keep, tmp, _truncated_checkpoint),
        ValueError, r"load: '.*truncated.npz' is not a valid checkpoint"),
    Bad("load of an empty file", lambda d, keep, tmp: _failed_load(d, keep, tmp, lambda t: _write(t, "empty.npz", b"")),
        ValueError, r"load: '.*empty.npz' is not a valid checkpoint"),
    Bad("load of a pickled object array", lambda d, keep, tmp: _failed_load(d, keep, tmp, _pickled_checkpoint),
        ValueError, r"load: '.*pickled.npz' is not a valid checkpoint"),
    Bad("load of an archive of strings", lambda d, keep, tmp: _failed_load(d, keep, tmp, _checkpoint_with_strings),
        ValueError, r"load: '.*strings.npz' is not a valid checkpoint"),
    Bad("load of a zip without arrays", lambda d, keep, tmp: _failed_load(d, keep, tmp, _zip_without_arrays),
        ValueError, r"load: '.*notes.npz' is not a valid checkpoint"),
    Bad("load of a single .npy array", lambda d, keep, tmp: _failed_load(d, keep, tmp, _single_array),
        ValueError, r"load: '.*single.npy' is not a valid checkpoint written by tl.save \(File is not a zip file\)"),
    Bad("load of a directory", lambda d, keep, tmp: tl.load(tmp),
        ValueError, r"load: '.*' is not a valid checkpoint"),
    Bad("save of a function", lambda d, keep, tmp: _save_over(tmp, keep, {"w": tl.ones(2), "loss": _w}),
        TypeError, r"save: obj\['loss'\] is a function, which cannot be saved; expected Tensors, arrays"),
    Bad("save of a string array entry", lambda d, keep, tmp: _save_over(tmp, keep, {"w": tl.ones(2), "name": np.array(["mlp"])}),
        TypeError, r"save: obj\['name'\] has dtype <U3; only arrays of numbers and booleans can be saved"),
    Bad("save with a float key", lambda d, keep, tmp: _save_over(tmp, keep, {0.5: tl.ones(2)}),
        TypeError, r"save: obj has the key 0.5; keys must be strings or ints"),
    Bad("save interrupted half-way", lambda d, keep, tmp: _interrupted_save(tmp, keep),
        OSError, r"save: cannot write '.*good.npz' \(No space left on device\)"),
    Bad("save into a missing directory", lambda d, keep, tmp: tl.save({"w": tl.ones(2)}, tmp / "no" / "model.npz"),
        FileNotFoundError, r"save: cannot write '.*model.npz'"),

    # --- viz -------------------------------------------------------------------------------------
    Bad("loss_surface with one step", lambda d, keep, tmp: tl.viz.loss_surface(lambda w: w.sum(), keep(_w(d)), steps=1),
        ValueError, r"loss_surface: steps must be an integer >= 2, got 1"),
    Bad("loss_surface with a negative span", lambda d, keep, tmp: tl.viz.loss_surface(lambda w: w.sum(), keep(_w(d)), span=-1.0),
        ValueError, r"loss_surface: span must be a positive number or a pair of them, got -1.0"),
    Bad("loss_surface of three parameters without directions",
        lambda d, keep, tmp: tl.viz.loss_surface(lambda w: w.sum(), keep(tl.zeros(3, device=d))),
        ValueError, r"loss_surface: directions=None needs a center of exactly 2 numbers, got 3"),
    Bad("loss_surface of an integer center", lambda d, keep, tmp: tl.viz.loss_surface(lambda w: w.sum(), _t([1, 2], d)),
        TypeError, r"loss_surface: center must hold floating-point tensors, got .*int64"),
    Bad("loss_surface of a function returning a vector",
        lambda d, keep, tmp: tl.viz.loss_surface(lambda w: w * 2, keep(_w(d)), steps=3),
        ValueError, r"loss_surface: f must return a single number, got shape \(2,\)"),
    Bad("graph of a number", lambda d, keep, tmp: tl.viz.graph(3.0),
        TypeError, r"graph: expected a Tensor or a non-empty list of Tensors, got"),
    Bad("Trajectory of a number", lambda d, keep, tmp: tl.viz.Trajectory(3.0),
        TypeError, r"Trajectory: params must be a Tensor or a non-empty list of Tensors"),
    Bad("schedule_values for 0 steps", lambda d, keep, tmp: tl.viz.schedule_values(lambda t: 0.1, 0),
        ValueError, r"schedule_values: steps must be a positive number of steps"),
]


def _interrupted_save(tmp, keep):
    """A disk that fills up while the archive is written: the old checkpoint must survive intact."""
    path = _saved(tmp, keep)

    def write_until_the_disk_is_full(file, array, **options):
        file.write(b"\x93NUMPY half an array")
        raise OSError(errno.ENOSPC, "No space left on device")

    with mock.patch("numpy.lib.format.write_array", write_until_the_disk_is_full):
        tl.save({"w": tl.zeros(3)}, path)
    assert os.listdir(tmp) == ["good.npz"], "the partial file was left behind"


def _single_array(tmp) -> str:
    path = str(tmp / "single.npy")
    np.save(path, np.ones(3))
    return path


def _no_grad_backward(d):
    x = _w(d)
    with tl.no_grad():
        y = (x * 2).sum()
    y.backward()


def _nan_data(d):
    x = tl.tensor([1.0, float("nan")], device=d)
    w = _w(d)
    with tl.detect_anomaly():
        (x * w).sum()


def _clip(d, keep, **kwargs):
    w = tl.nn.Parameter(tl.ones(2, device=d))
    w.grad = tl.tensor([3.0, 4.0], device=d)
    keep(w)
    if "clip_value" in kwargs:
        tl.nn.utils.clip_grad_value_([w], **kwargs)
    else:
        tl.nn.utils.clip_grad_norm_([w], **kwargs)


def _one_cycle_past_the_end(d, keep):
    _, opt = _trained(d, optimizer=tl.optim.SGD, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=2)
    scheduler.step()
    scheduler.step()
    keep(opt)
    scheduler.step()


def _plateau_step(d, keep, metric):
    _, opt = _trained(d)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    scheduler.step(1.0)
    keep(opt)
    scheduler.step(metric)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_bad_input_is_rejected_clearly(row: Bad, tmp_path):
    kept: list[tuple[Any, Any]] = []

    def keep(obj):
        kept.append((obj, _snapshot(obj)))
        return obj

    with pytest.raises(row.error, match=row.match), np.errstate(all="ignore"):
        row.call(DEVICE, keep, tmp_path)
    for obj, before in kept:
        assert _same(_snapshot(obj), before), f"{row.name}: {type(obj).__name__} was changed by the refused call"


def test_the_table_covers_every_kind_of_mistake():
    """The issue's list of mistakes, each with at least one row (and the count the closing note reports)."""
    names = " | ".join(row.name for row in ROWS).lower()
    for kind in ("shape", "dtype", "device", "ragged", "string", "empty", "nan", "label", "negative", "zero",
                 "lr", "non-scalar", "integer tensor", "truncated", "random bytes"):
        assert kind in names, kind
    assert len(ROWS) == len({row.name for row in ROWS}), "two rows share a name"


def test_a_gradient_of_another_float_dtype_does_not_change_the_dtype_of_dot_grad(device):
    """``y.backward(grad)`` with a float64 ``grad`` for a float32 ``y`` must still give float32 ``.grad``
    (as PyTorch does); a float64 ``.grad`` would only be refused later, by the optimizer's step."""
    w = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    (w * 2).backward(tl.ones(2, dtype=tl.float64, device=device))
    assert w.grad.dtype == tl.float32


def test_clip_grad_norm_clips_when_given_a_generator(device):
    """``model.parameters()`` is a generator: clipping must not read it once and then find it empty."""
    model = tl.nn.Linear(2, 2).to(device)
    for p in model.parameters():
        p.grad = tl.ones_like(p) * 10
    norm = tl.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    assert float(norm) == pytest.approx(np.sqrt(6 * 100), rel=1e-6)
    total = np.sqrt(sum(float((p.grad.cpu().numpy() ** 2).sum()) for p in model.parameters()))
    assert total == pytest.approx(1.0, rel=1e-4)
