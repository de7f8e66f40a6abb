"""Every differentiable op in one table: forward against NumPy, first- and second-order gradient checks.

Each row is an OpCase (see tests/helpers.py): the op as a function of Tensors, a NumPy reference, the
input shapes (broadcasting variants are rows of their own), the input domain and the kinks to avoid.
"""

import numpy as np
import pytest
from helpers import OpCase, check_case, near, near_tie

import tinygrad_lite as tl
from tinygrad_lite.ops.elementwise import SigmoidGrad, TanhGrad
from tinygrad_lite.ops.softmax import LogSoftmaxGrad


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _no_ties(axis=None):
    """Kink predicate for max/min: two candidates within 1e-3 of each other along ``axis``."""
    def kink(x):
        s = np.sort(x, axis=axis) if axis is not None else np.sort(x, axis=None)
        return bool(np.any(np.abs(np.diff(s, axis=-1 if axis is None else axis)) < 1e-3))
    return kink


def _no_ties_in_rows(x):
    """Kink predicate for sort/topk along the last dim: two values of a row within 1e-3 of each other."""
    return bool(np.any(np.abs(np.diff(np.sort(x, axis=-1), axis=-1)) < 1e-3))


def _np_gather(x, dim, index):
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return x[tuple(grid)]


INDEX = np.array([0, 2, 2, 1])  # a repeated index: its gradient must accumulate
MASK = np.array([True, False, True])
COND = np.array([[True, False, True], [False, False, True]])
GATHER_INDEX = np.array([[0, 0, 2], [1, 0, 0]])  # repeated positions: the scatter-add must accumulate

CASES = [
    # arithmetic, with broadcasting variants
    OpCase("add", lambda a, b: a + b, np.add, [(2, 3), (2, 3)]),
    OpCase("add_broadcast_row", lambda a, b: a + b, np.add, [(2, 3), (3,)]),
    OpCase("add_broadcast_both", lambda a, b: a + b, np.add, [(2, 1), (1, 3)]),
    OpCase("add_scalar", lambda a: a + 1.5, lambda a: a + 1.5, [(4,)]),
    OpCase("sub", lambda a, b: a - b, np.subtract, [(2, 3), (2, 3)]),
    OpCase("sub_broadcast", lambda a, b: a - b, np.subtract, [(3,), (2, 1, 3)]),
    OpCase("rsub_scalar", lambda a: 2.0 - a, lambda a: 2.0 - a, [(4,)]),
    OpCase("mul", lambda a, b: a * b, np.multiply, [(2, 3), (2, 3)]),
    OpCase("mul_broadcast", lambda a, b: a * b, np.multiply, [(4, 1), (3,)]),
    OpCase("mul_self", lambda a: a * a, lambda a: a * a, [(5,)]),
    OpCase("div", lambda a, b: a / b, np.divide, [(2, 3), (2, 3)], domain=[(-2, 2), (0.5, 2)]),
    OpCase("div_broadcast", lambda a, b: a / b, np.divide, [(2, 3), (3,)], domain=[(-2, 2), (0.5, 2)]),
    OpCase("rdiv_scalar", lambda a: 1.0 / a, lambda a: 1.0 / a, [(4,)], domain=(0.5, 2)),
    OpCase("neg", lambda a: -a, np.negative, [(2, 3)]),
    OpCase("pow_square", lambda a: a ** 2, lambda a: a ** 2, [(2, 3)]),
    OpCase("pow_cube", lambda a: a ** 3, lambda a: a ** 3, [(2, 3)]),
    OpCase("pow_fractional", lambda a: a ** 1.5, lambda a: a ** 1.5, [(2, 3)], domain=(0.5, 2)),
    OpCase("pow_negative", lambda a: a ** -2, lambda a: a ** -2.0, [(2, 3)], domain=(0.5, 2)),
    OpCase("pow_zero", lambda a: a ** 0, lambda a: a ** 0, [(3,)]),
    OpCase("pow_tensor", lambda a, b: a ** b, np.power, [(2, 3), (2, 3)], domain=[(0.5, 2), (-1.5, 1.5)]),
    OpCase("pow_tensor_broadcast", lambda a, b: a ** b, np.power, [(2, 3), (1,)], domain=[(0.5, 2), (-1.5, 1.5)]),
    OpCase("rpow_scalar_base", lambda b: 2.0 ** b, lambda b: 2.0 ** b, [(4,)]),
    # unary functions
    OpCase("abs", lambda a: a.abs(), np.abs, [(2, 3)], kink=near([0])),
    OpCase("exp", lambda a: a.exp(), np.exp, [(2, 3)]),
    OpCase("log", lambda a: a.log(), np.log, [(2, 3)], domain=(0.3, 3)),
    OpCase("sqrt", lambda a: a.sqrt(), np.sqrt, [(2, 3)], domain=(0.3, 3)),
    OpCase("sin", lambda a: a.sin(), np.sin, [(2, 3)]),
    OpCase("cos", lambda a: a.cos(), np.cos, [(2, 3)]),
    OpCase("tanh", lambda a: a.tanh(), np.tanh, [(2, 3)]),
    OpCase("sigmoid", lambda a: a.sigmoid(), _sigmoid, [(2, 3)], domain=(-6, 6)),
    OpCase("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), [(2, 3)], kink=near([0])),
    OpCase("clip", lambda a: a.clip(-0.5, 0.8), lambda a: np.clip(a, -0.5, 0.8), [(3, 4)], kink=near([-0.5, 0.8])),
    OpCase("clip_low_only", lambda a: a.clip(min=0.1), lambda a: np.clip(a, 0.1, None), [(5,)], kink=near([0.1])),
    OpCase("clip_tensor_bounds", lambda a, lo: a.clip(lo, None), lambda a, lo: np.maximum(a, lo), [(3,), (3,)],
           kink=near_tie()),
    OpCase("maximum", lambda a, b: tl.maximum(a, b), np.maximum, [(2, 3), (2, 3)], kink=near_tie()),
    OpCase("maximum_broadcast", lambda a, b: tl.maximum(a, b), np.maximum, [(2, 3), (3,)],
           kink=lambda a, b: bool(np.any(np.abs(a - b) < 1e-3))),
    OpCase("minimum", lambda a, b: tl.minimum(a, b), np.minimum, [(2, 3), (2, 3)], kink=near_tie()),
    OpCase("where", lambda a, b: tl.where(tl.tensor(COND, device=a.device), a, b),
           lambda a, b: np.where(COND, a, b), [(2, 3), (2, 3)]),
    OpCase("where_broadcast", lambda a, b: tl.where(tl.tensor(COND, device=a.device), a, b),
           lambda a, b: np.where(COND, a, b), [(3,), (2, 1)]),
    # 0-d inputs (NumPy hands back scalars for them; every op must still return arrays)
    OpCase("maximum_0d", lambda a, b: tl.maximum(a, b), np.maximum, [(), ()], kink=near_tie()),
    OpCase("abs_0d", lambda a: a.abs(), np.abs, [()], kink=near([0])),
    OpCase("relu_0d", lambda a: a.relu(), lambda a: np.maximum(a, 0), [()], kink=near([0])),
    OpCase("clip_0d", lambda a: a.clip(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), [()], kink=near([-0.5, 0.5])),
    OpCase("max_0d", lambda a: a.max(), np.max, [()]),
    OpCase("mul_0d_by_vector", lambda a, b: a * b, np.multiply, [(), (3,)]),
    # reductions
    OpCase("sum_all", lambda a: a.sum(), np.sum, [(2, 3)]),
    OpCase("sum_axis0", lambda a: a.sum(axis=0), lambda a: a.sum(axis=0), [(2, 3)]),
    OpCase("sum_axes_keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True),
           lambda a: a.sum(axis=(0, 2), keepdims=True), [(2, 3, 4)]),
    OpCase("mean_all", lambda a: a.mean(), np.mean, [(2, 3)]),
    OpCase("mean_axis", lambda a: a.mean(axis=-1), lambda a: a.mean(axis=-1), [(2, 3)]),
    OpCase("max_all", lambda a: a.max(), np.max, [(2, 3)], kink=_no_ties()),
    OpCase("amax_axis", lambda a: a.amax(axis=1), lambda a: a.max(axis=1), [(3, 4)], kink=_no_ties(axis=1)),
    OpCase("max_keepdims", lambda a: a.amax(axis=0, keepdims=True), lambda a: a.max(axis=0, keepdims=True),
           [(4, 3)], kink=_no_ties(axis=0)),
    OpCase("amin_axis", lambda a: a.amin(axis=0), lambda a: a.min(axis=0), [(4, 3)], kink=_no_ties(axis=0)),
    OpCase("amax_dims_keepdim", lambda a: a.amax(dim=(0, 2), keepdim=True), lambda a: a.max(axis=(0, 2), keepdims=True),
           [(2, 3, 2)], kink=_no_ties(axis=None)),
    OpCase("max_dim_values", lambda a: a.max(dim=1).values, lambda a: a.max(axis=1), [(3, 4)], kink=_no_ties(axis=1)),
    OpCase("max_dim_keepdim", lambda a: a.max(0, keepdim=True)[0], lambda a: a.max(axis=0, keepdims=True), [(3, 2, 2)],
           kink=_no_ties(axis=0)),
    OpCase("min_dim_values", lambda a: a.min(dim=-1).values, lambda a: a.min(axis=-1), [(2, 3)],
           kink=_no_ties(axis=-1)),
    OpCase("std_dim_unbiased", lambda a: a.std(dim=1), lambda a: a.std(axis=1, ddof=1), [(3, 4)]),
    OpCase("var_all", lambda a: a.var(), lambda a: np.var(a, ddof=1), [(2, 3)]),  # PyTorch's correction=1
    OpCase("var_dim_correction0", lambda a: a.var(dim=0, correction=0), lambda a: a.var(axis=0), [(3, 2)]),
    OpCase("var_numpy_spelling", lambda a: a.var(axis=1), lambda a: a.var(axis=1), [(2, 3)]),  # NumPy's ddof=0
    OpCase("var_axis_ddof1", lambda a: a.var(axis=1, ddof=1), lambda a: a.var(axis=1, ddof=1), [(3, 4)]),
    OpCase("std_axis", lambda a: a.std(axis=0), lambda a: a.std(axis=0), [(4, 3)]),
    OpCase("logsumexp_all", lambda a: a.logsumexp(), _logsumexp, [(2, 3)]),
    OpCase("logsumexp_axis", lambda a: a.logsumexp(axis=1), lambda a: _logsumexp(a, axis=1), [(3, 4)]),
    OpCase("logsumexp_keepdims", lambda a: a.logsumexp(axis=0, keepdims=True),
           lambda a: _logsumexp(a, axis=0, keepdims=True), [(3, 4)]),
    # shape
    OpCase("reshape", lambda a: a.reshape(3, 2), lambda a: a.reshape(3, 2), [(2, 3)]),
    OpCase("reshape_infer", lambda a: a.reshape(-1), lambda a: a.reshape(-1), [(2, 3)]),
    OpCase("transpose_T", lambda a: a.T, lambda a: a.T, [(2, 3)]),
    OpCase("transpose_axes", lambda a: a.transpose(1, 2, 0), lambda a: a.transpose(1, 2, 0), [(2, 3, 4)]),
    OpCase("swapaxes", lambda a: a.swapaxes(0, 2), lambda a: a.swapaxes(0, 2), [(2, 3, 4)]),
    OpCase("flatten", lambda a: a.flatten(), lambda a: a.flatten(), [(2, 3, 2)]),
    OpCase("flatten_from_1", lambda a: a.flatten(1), lambda a: a.reshape(2, -1), [(2, 3, 2)]),
    OpCase("squeeze", lambda a: a.squeeze(), np.squeeze, [(1, 3, 1)]),
    OpCase("unsqueeze", lambda a: a.unsqueeze(1), lambda a: np.expand_dims(a, 1), [(2, 3)]),
    OpCase("broadcast_to", lambda a: a.broadcast_to((4, 2, 3)), lambda a: np.broadcast_to(a, (4, 2, 3)), [(2, 1)]),
    OpCase("getitem_int", lambda a: a[1], lambda a: a[1], [(3, 4)]),
    OpCase("getitem_slice", lambda a: a[:, 1:3], lambda a: a[:, 1:3], [(3, 4)]),
    OpCase("getitem_step_newaxis", lambda a: a[::2, None, -1], lambda a: a[::2, None, -1], [(5, 3)]),
    OpCase("getitem_int_array_repeated", lambda a: a[tl.tensor(INDEX, device=a.device)], lambda a: a[INDEX], [(3, 2)]),
    OpCase("getitem_list", lambda a: a[[0, 0, 1]], lambda a: a[[0, 0, 1]], [(3,)]),
    OpCase("getitem_bool_mask", lambda a: a[tl.tensor(MASK, device=a.device)], lambda a: a[MASK], [(3, 2)]),
    OpCase("getitem_pairs", lambda a: a[tl.tensor([0, 1, 1], device=a.device), tl.tensor([2, 0, 0], device=a.device)],
           lambda a: a[[0, 1, 1], [2, 0, 0]], [(2, 3)]),
    OpCase("concatenate", lambda a, b: tl.concatenate([a, b], axis=1), lambda a, b: np.concatenate([a, b], 1),
           [(2, 3), (2, 1)]),
    OpCase("concatenate_self", lambda a: tl.concatenate([a, a * 2], axis=0), lambda a: np.concatenate([a, a * 2]),
           [(2, 3)]),
    OpCase("stack", lambda a, b: tl.stack([a, b], axis=-1), lambda a, b: np.stack([a, b], -1), [(2, 3), (2, 3)]),
    # PyTorch's shape ops
    OpCase("view", lambda a: a.view(3, -1), lambda a: a.reshape(3, -1), [(2, 3)]),
    OpCase("view_as", lambda a, b: a.view_as(b), lambda a, b: a.reshape(b.shape), [(2, 3), (6,)]),
    OpCase("reshape_as", lambda a, b: a.reshape_as(b) * b, lambda a, b: a.reshape(b.shape) * b, [(2, 3), (3, 2)]),
    OpCase("expand", lambda a: a.expand(4, -1, 3), lambda a: np.broadcast_to(a, (4, 2, 3)), [(2, 1)]),
    OpCase("expand_as", lambda a, b: a.expand_as(b) * b, lambda a, b: a * b, [(3,), (2, 3)]),
    OpCase("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), [(2, 3, 4)]),
    OpCase("permute_negative", lambda a: tl.permute(a, (-1, 0, 1)), lambda a: a.transpose(2, 0, 1), [(2, 3, 2)]),
    OpCase("repeat", lambda a: a.repeat(2, 3), lambda a: np.tile(a, (2, 3)), [(2, 3)]),
    OpCase("repeat_new_dims", lambda a: a.repeat(2, 1, 2), lambda a: np.tile(a, (2, 1, 2)), [(3,)]),
    OpCase("flip", lambda a: a.flip(0, -1), lambda a: a[::-1, ::-1], [(2, 3)]),
    OpCase("flatten_start_end_dim", lambda a: tl.flatten(a, start_dim=1, end_dim=2), lambda a: a.reshape(2, 12, 1),
           [(2, 3, 4, 1)]),
    OpCase("cat", lambda a, b: tl.cat([a, b], dim=-1), lambda a, b: np.concatenate([a, b], -1), [(2, 3), (2, 2)]),
    OpCase("concat", lambda a, b: tl.concat((a, b)), lambda a, b: np.concatenate([a, b]), [(1, 3), (2, 3)]),
    OpCase("stack_dim", lambda a, b: tl.stack([a, b], dim=1), lambda a, b: np.stack([a, b], 1), [(2, 3), (2, 3)]),
    OpCase("split_sizes", lambda a: a.split([1, 3], dim=1), lambda a: (a[:, :1], a[:, 1:]), [(2, 4)]),
    OpCase("split_uneven", lambda a: tl.split(a, 2), lambda a: (a[:2], a[2:4], a[4:]), [(5, 2)]),
    OpCase("chunk", lambda a: a.chunk(3, dim=-1), lambda a: (a[:, :2], a[:, 2:4], a[:, 4:]), [(2, 5)]),
    OpCase("split_pieces_reused", lambda a: a.chunk(2)[0] * a.chunk(2)[1], lambda a: a[:2] * a[2:], [(4,)]),
    # PyTorch's clamps, norms, scans and masks
    OpCase("clamp", lambda a: a.clamp(-0.5, 0.8), lambda a: np.clip(a, -0.5, 0.8), [(3, 4)], kink=near([-0.5, 0.8])),
    OpCase("clamp_min", lambda a: a.clamp_min(0.1), lambda a: np.maximum(a, 0.1), [(5,)], kink=near([0.1])),
    OpCase("clamp_max", lambda a: tl.clamp_max(a, 0.3), lambda a: np.minimum(a, 0.3), [(5,)], kink=near([0.3])),
    OpCase("clamp_tensor_bounds", lambda a, lo, hi: a.clamp(lo, hi),
           lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi), [(2, 3), (3,), (2, 1)],
           domain=[(-2, 2), (-1.5, -0.2), (0.2, 1.5)],
           kink=lambda a, lo, hi: bool(np.any(np.abs(a - lo) < 1e-3) or np.any(np.abs(a - hi) < 1e-3))),
    OpCase("norm", lambda a: a.norm(), lambda a: np.sqrt((a * a).sum()), [(2, 3)]),
    OpCase("norm_fro_dim_keepdim", lambda a: a.norm("fro", dim=(0, 2), keepdim=True),
           lambda a: np.sqrt((a * a).sum(axis=(0, 2), keepdims=True)), [(2, 3, 2)]),
    OpCase("norm_p1_dim", lambda a: tl.norm(a, p=1, dim=-1), lambda a: np.abs(a).sum(-1), [(3, 4)], kink=near([0])),
    OpCase("norm_inf_dim", lambda a: a.norm(p=float("inf"), dim=1), lambda a: np.abs(a).max(1), [(3, 4)],
           kink=lambda a: near([0])(a) or _no_ties(axis=1)(np.abs(a))),
    OpCase("cumsum", lambda a: a.cumsum(1), lambda a: np.cumsum(a, 1), [(2, 4)]),
    OpCase("cumsum_negative_dim", lambda a: tl.cumsum(a, dim=-3), lambda a: np.cumsum(a, 0), [(3, 2, 2)]),
    OpCase("gather", lambda a: a.gather(1, tl.tensor(GATHER_INDEX, device=a.device)),
           lambda a: _np_gather(a, 1, GATHER_INDEX), [(2, 4)]),
    OpCase("gather_dim0", lambda a: tl.gather(a, 0, tl.tensor(GATHER_INDEX, device=a.device)),
           lambda a: _np_gather(a, 0, GATHER_INDEX), [(3, 3)]),
    OpCase("masked_fill", lambda a: a.masked_fill(tl.tensor(COND, device=a.device), -1.0),
           lambda a: np.where(COND, -1.0, a), [(2, 3)]),
    OpCase("masked_fill_tensor_value", lambda a, v: tl.masked_fill(a, tl.tensor(COND[0], device=a.device), v),
           lambda a, v: np.where(COND[0], v, a), [(2, 3), ()]),
    OpCase("tril", lambda a: a.tril(), np.tril, [(3, 4)]),
    OpCase("tril_batched_offset", lambda a: tl.tril(a, diagonal=-1), lambda a: np.tril(a, -1), [(2, 3, 3)]),
    OpCase("triu", lambda a: a.triu(1), lambda a: np.triu(a, 1), [(4, 3)]),
    # sorting: the values are differentiable (away from ties, where the order flips)
    OpCase("sort_values", lambda a: a.sort().values, lambda a: np.sort(a, -1), [(3, 4)], kink=_no_ties_in_rows),
    OpCase("sort_descending_dim0", lambda a: tl.sort(a, dim=0, descending=True)[0], lambda a: -np.sort(-a, 0),
           [(4, 2)], kink=_no_ties(axis=0)),
    OpCase("topk_values", lambda a: a.topk(2).values, lambda a: -np.sort(-a, -1)[:, :2], [(3, 4)],
           kink=_no_ties_in_rows),
    OpCase("topk_smallest", lambda a: tl.topk(a, 3, largest=False)[0], lambda a: np.sort(a, -1)[..., :3], [(5,)],
           kink=_no_ties_in_rows),
    # einsum: the forms a learner writes
    OpCase("einsum_matmul", lambda a, b: tl.einsum("ij,jk->ik", a, b), lambda a, b: a @ b, [(2, 3), (3, 4)]),
    OpCase("einsum_batched_matmul", lambda a, b: tl.einsum("bij,bjk->bik", a, b), np.matmul, [(2, 2, 3), (2, 3, 2)]),
    OpCase("einsum_ellipsis_broadcast", lambda a, b: tl.einsum("...ij,...jk", a, b), np.matmul, [(2, 2, 3), (1, 3, 2)]),
    OpCase("einsum_outer", lambda a, b: tl.einsum("i,j->ij", a, b), np.outer, [(3,), (4,)]),
    OpCase("einsum_trace", lambda a: tl.einsum("ii", a), np.trace, [(3, 3)]),
    OpCase("einsum_diagonal", lambda a: tl.einsum("ii->i", a), np.diag, [(3, 3)]),
    OpCase("einsum_transpose", lambda a: tl.einsum("ij->ji", a), np.transpose, [(2, 3)]),
    OpCase("einsum_sum", lambda a: tl.einsum("ij->", a), np.sum, [(2, 3)]),
    OpCase("einsum_row_sums", lambda a: tl.einsum("ij->i", a), lambda a: a.sum(1), [(2, 3)]),
    OpCase("einsum_dot", lambda a, b: tl.einsum("i,i->", a, b), np.dot, [(4,), (4,)]),
    OpCase("einsum_bilinear", lambda x, A, y: tl.einsum("i,ij,j->", x, A, y), lambda x, A, y: x @ A @ y,
           [(3,), (3, 2), (2,)]),
    OpCase("einsum_quadratic_form_same_operand", lambda x, A: tl.einsum("i,ij,j", x, A, x), lambda x, A: x @ A @ x,
           [(3,), (3, 3)]),
    OpCase("einsum_list_of_operands", lambda a, b: tl.einsum("bi,bi->b", [a, b]), lambda a, b: (a * b).sum(1),
           [(2, 3), (2, 3)]),
    # softmax as methods, and clone
    OpCase("softmax_method", lambda a: a.softmax(dim=0), lambda a: np.exp(a) / np.exp(a).sum(0), [(3, 2)]),
    OpCase("log_softmax_method", lambda a: a.log_softmax(-1), lambda a: a - _logsumexp(a, axis=-1, keepdims=True),
           [(2, 3)]),
    OpCase("clone", lambda a: a.clone() * a, lambda a: a * a, [(2, 3)]),
    # linear algebra
    OpCase("matmul", lambda a, b: a @ b, np.matmul, [(2, 3), (3, 4)]),
    OpCase("matmul_vector_right", lambda a, b: a @ b, np.matmul, [(2, 3), (3,)]),
    OpCase("matmul_vector_left", lambda a, b: a @ b, np.matmul, [(3,), (3, 4)]),
    OpCase("matmul_dot", lambda a, b: a @ b, np.matmul, [(3,), (3,)]),
    OpCase("matmul_batched", lambda a, b: a @ b, np.matmul, [(2, 2, 3), (2, 3, 2)]),
    OpCase("matmul_batched_vector_right", lambda a, b: a @ b, np.matmul, [(2, 2, 3), (3,)]),
    OpCase("matmul_vector_left_batched", lambda a, b: a @ b, np.matmul, [(3,), (2, 3, 4)]),
    OpCase("matmul_dot_of_one", lambda a, b: a @ b, np.matmul, [(1,), (1,)]),
    OpCase("matmul_batch_broadcast", lambda a, b: a @ b, np.matmul, [(2, 2, 3), (3, 2)]),
    OpCase("tl_matmul", lambda a, b: tl.matmul(a, b), np.matmul, [(1, 3), (3, 1)]),
    OpCase("matmul_outer_product", lambda a, b: a @ b, np.matmul, [(3, 1), (1, 4)]),
    OpCase("matmul_outer_batched", lambda a, b: a @ b, np.matmul, [(2, 3, 1), (1, 4)]),
    OpCase("matmul_outer_transposed", lambda a, b: a.T @ b, lambda a, b: a.T @ b, [(1, 3), (1, 4)]),
    # the backward ops of tanh and sigmoid, checked as ops in their own right (so third derivatives are right)
    OpCase("tanh_grad", lambda g, y: TanhGrad.apply(g, y), lambda g, y: g * (1 - y * y), [(2, 3), (2, 3)],
           domain=[(-2, 2), (-0.9, 0.9)]),
    OpCase("sigmoid_grad", lambda g, y: SigmoidGrad.apply(g, y), lambda g, y: g * y * (1 - y), [(2, 3), (2, 3)],
           domain=[(-2, 2), (0.05, 0.95)]),
    OpCase("log_softmax_rows", lambda a: tl.nn.functional.log_softmax(a, axis=1),
           lambda a: a - _logsumexp(a, axis=1, keepdims=True), [(2, 4)]),
    OpCase("log_softmax_columns", lambda a: tl.nn.functional.log_softmax(a, axis=0),
           lambda a: a - _logsumexp(a, axis=0, keepdims=True), [(3, 2)]),
    OpCase("log_softmax_grad", lambda g, y: LogSoftmaxGrad.apply(g, y, axis=1),
           lambda g, y: g - np.exp(y) * g.sum(axis=1, keepdims=True), [(2, 3), (2, 3)], domain=[(-2, 2), (-3, 0)]),
    # PyTorch's other spellings (composites of the ops above, plus log1p, expm1 and the step functions)
    OpCase("log1p", lambda a: a.log1p(), np.log1p, [(2, 3)], domain=(-0.5, 2)),
    OpCase("expm1", lambda a: tl.expm1(a), np.expm1, [(2, 3)]),
    OpCase("floor", lambda a: a.floor() * a, lambda a: np.floor(a) * a, [(2, 3)], kink=near([-2, -1, 0, 1, 2])),
    OpCase("ceil", lambda a: tl.ceil(a) * a, lambda a: np.ceil(a) * a, [(2, 3)], kink=near([-2, -1, 0, 1, 2])),
    OpCase("round", lambda a: a.round() * a, lambda a: np.round(a) * a, [(2, 3)], kink=near([-1.5, -0.5, 0.5, 1.5])),
    OpCase("round_decimals", lambda a: a.round(1) + a, lambda a: np.round(a, 1) + a, [(2, 3)],
           kink=near(list(np.arange(-2, 2, 0.1) + 0.05))),
    OpCase("trunc", lambda a: a.trunc() * a, lambda a: np.trunc(a) * a, [(2, 3)], kink=near([-1, 0, 1])),
    OpCase("sign", lambda a: a.sign() * a, lambda a: np.sign(a) * a, [(2, 3)], kink=near([0])),
    OpCase("square", lambda a: a.square(), np.square, [(2, 3)]),
    OpCase("reciprocal", lambda a: tl.reciprocal(a), np.reciprocal, [(2, 3)], domain=(0.3, 3)),
    OpCase("rsqrt", lambda a: a.rsqrt(), lambda a: 1 / np.sqrt(a), [(2, 3)], domain=(0.3, 3)),
    OpCase("t", lambda a: a.t(), np.transpose, [(2, 3)]),
    OpCase("mm", lambda a, b: tl.mm(a, b), np.matmul, [(2, 3), (3, 4)]),
    OpCase("dot", lambda a, b: a.dot(b), np.dot, [(4,), (4,)]),
    OpCase("index_select", lambda a: a.index_select(1, tl.tensor([2, 0, 2], device=a.device)),
           lambda a: a[:, [2, 0, 2]], [(2, 3)]),
    OpCase("narrow", lambda a: tl.narrow(a, -1, 1, 2), lambda a: a[:, 1:3], [(2, 4)]),
    OpCase("unbind", lambda a: a.unbind(1), lambda a: tuple(a[:, i] for i in range(3)), [(2, 3)]),
    OpCase("movedim", lambda a: a.movedim(0, -1), lambda a: np.moveaxis(a, 0, -1), [(2, 3, 4)]),
    OpCase("add_alpha", lambda a, b: a.add(b, alpha=-2.0), lambda a, b: a - 2 * b, [(2, 3), (3,)]),
    # casts and composites
    OpCase("composite_softmax", lambda a: (a - a.logsumexp(axis=1, keepdims=True)).exp(),
           lambda a: np.exp(a - _logsumexp(a, axis=1, keepdims=True)), [(2, 4)]),
    OpCase("composite_tanh_mlp", lambda x, w: (x @ w).tanh().sum(axis=0), lambda x, w: np.tanh(x @ w).sum(axis=0),
           [(4, 3), (3, 2)]),
]

# the public op list of DESIGN.md: each name must appear in at least one case above
OP_NAMES = ["add", "sub", "mul", "div", "pow", "matmul", "neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh",
            "sigmoid", "relu", "clip", "maximum", "minimum", "sum", "mean", "max", "min", "amax", "amin", "var", "std",
            "logsumexp",
            "reshape", "transpose", "flatten", "squeeze", "unsqueeze", "broadcast_to", "getitem", "concatenate",
            "stack", "where",
            # PyTorch's tensor ops
            "view", "view_as", "reshape_as", "expand", "expand_as", "permute", "repeat", "flip", "cat", "concat",
            "split", "chunk", "clamp", "clamp_min", "clamp_max", "norm", "cumsum", "gather", "masked_fill", "tril",
            "triu", "sort", "topk", "einsum", "softmax", "log_softmax", "clone",
            "log1p", "expm1", "floor", "ceil", "round", "trunc", "sign", "square", "reciprocal", "rsqrt", "t", "mm",
            "dot", "index_select", "narrow", "unbind", "movedim"]


def test_every_op_has_a_case():
    names = " ".join(c.name for c in CASES)
    missing = [op for op in OP_NAMES if op not in names]
    assert not missing, f"ops without a table row: {missing}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_op(case, device):
    check_case(case, device)


def test_the_harness_catches_a_wrong_gradient(device):
    """A deliberately wrong backward must fail the check (so the table above cannot pass vacuously)."""

    class WrongSquare(tl.Function):
        def forward(self, x):
            return x * x

        def backward(self, grad_output):
            (x,) = self.inputs
            return grad_output * 3 * x  # should be 2x

    case = OpCase("wrong", lambda a: WrongSquare.apply(a), lambda a: a * a, [(3,)])
    with pytest.raises(tl.GradcheckError, match="input 0"):
        check_case(case, device)


def test_the_harness_catches_a_wrong_second_derivative(device):
    """A backward that is right in value but built from constants breaks double backward; gradgradcheck sees it."""

    class DetachedSquare(tl.Function):
        def forward(self, x):
            return x * x

        def backward(self, grad_output):
            (x,) = self.inputs
            return grad_output * (2 * x.detach())  # right value, but d²/dx² is lost

    case = OpCase("detached", lambda a: DetachedSquare.apply(a), lambda a: a * a, [(3,)])
    with pytest.raises(tl.GradcheckError):
        check_case(case, device)
