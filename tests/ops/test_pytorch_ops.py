"""PyTorch's tensor ops against PyTorch itself: the same call on both libraries, the same values, and the same
gradients for a random upstream gradient, in float32 and float64 (edge cases included: negative dims, -1 in
view/expand, uneven chunks, ties in topk and sort, the norm at 0, clamp at its bounds)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as tlF

torch = pytest.importorskip("torch")
torchF = torch.nn.functional

INF = float("inf")


@dataclass
class Row:
    """``call(lib, *floats, *constants)`` runs on ``lib`` = tl or torch; float inputs require grad, constants
    (indices, masks) do not. ``values`` are the float inputs (NumPy arrays, cast to the dtype under test)."""

    name: str
    call: Callable
    values: Sequence[np.ndarray]
    constants: Sequence[np.ndarray] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


_rng = np.random.default_rng(7)


def _r(*shape):
    return _rng.uniform(-2, 2, size=shape)


TIES = np.array([[1.0, 3.0, 3.0, 2.0, 3.0], [0.5, 0.5, -1.0, 0.5, 2.0]])
INDEX = np.array([[0, 0, 2], [1, 0, 0]])
MASK = np.array([[True, False, True], [False, False, True]])

ROWS = [
    # views and reordering
    Row("view_-1", lambda m, x: x.view(3, -1), [_r(2, 3)]),
    Row("view_tuple", lambda m, x: x.view((-1,)), [_r(2, 3)]),
    Row("view_as", lambda m, x, y: x.view_as(y) * y, [_r(2, 3), _r(6)]),
    Row("reshape_as", lambda m, x, y: x.reshape_as(y) + y, [_r(2, 3), _r(3, 2)]),
    Row("expand_-1_and_new_dim", lambda m, x: x.expand(4, -1, 3), [_r(2, 1)]),
    Row("expand_as", lambda m, x, y: x.expand_as(y) * y, [_r(1, 3), _r(2, 3)]),
    Row("permute", lambda m, x: x.permute(2, 0, 1), [_r(2, 3, 4)]),
    Row("permute_negative_dims", lambda m, x: m.permute(x, (-1, -3, -2)), [_r(2, 3, 4)]),
    Row("repeat", lambda m, x: x.repeat(2, 3), [_r(2, 3)]),
    Row("repeat_new_leading_dims", lambda m, x: x.repeat(2, 1, 2), [_r(3)]),
    Row("flip", lambda m, x: x.flip(0, -1), [_r(2, 3)]),
    Row("flip_function", lambda m, x: m.flip(x, (1,)), [_r(2, 3)]),
    Row("flatten", lambda m, x: x.flatten(), [_r(2, 3, 2)]),
    Row("flatten_start_end", lambda m, x: m.flatten(x, start_dim=1, end_dim=-2), [_r(2, 3, 4, 2)]),
    Row("nn_Flatten_default", lambda m, x: m.nn.Flatten()(x), [_r(2, 3, 4)]),
    Row("nn_Flatten_dims", lambda m, x: m.nn.Flatten(0, 1)(x), [_r(2, 3, 4)]),
    # joining and splitting
    Row("cat", lambda m, x, y: m.cat([x, y], dim=-1), [_r(2, 3), _r(2, 2)]),
    Row("concat", lambda m, x, y: m.concat((x, y)), [_r(1, 3), _r(2, 3)]),
    Row("stack_dim", lambda m, x, y: m.stack([x, y], dim=1), [_r(2, 3), _r(2, 3)]),
    Row("split_int_uneven", lambda m, x: x.split(2), [_r(5, 2)]),
    Row("split_sections_negative_dim", lambda m, x: m.split(x, [1, 3], dim=-1), [_r(2, 4)]),
    Row("chunk_uneven", lambda m, x: x.chunk(4), [_r(10)]),
    Row("chunk_fewer_pieces", lambda m, x: x.chunk(4, dim=1), [_r(2, 5)]),
    Row("chunk_function", lambda m, x: m.chunk(x, 3, -1), [_r(3, 6)]),
    # clamps (at the bounds too: there the gradient passes, as in PyTorch)
    Row("clamp_numbers", lambda m, x: x.clamp(-0.5, 0.5), [np.array([-1.0, -0.5, 0.0, 0.5, 1.0])]),
    Row("clamp_min_only", lambda m, x: x.clamp(min=0.0), [np.array([-1.0, 0.0, 1.0])]),
    Row("clamp_max_only", lambda m, x: m.clamp(x, max=0.25), [np.array([-1.0, 0.25, 1.0])]),
    Row("clip_alias", lambda m, x: x.clip(-0.5, 0.5), [np.array([-1.0, -0.5, 0.0, 0.5, 1.0])]),
    Row("clamp_min_method", lambda m, x: x.clamp_min(0.0), [np.array([-1.0, 0.0, 1.0])]),
    Row("clamp_max_function", lambda m, x: m.clamp_max(x, 0.0), [np.array([-1.0, 0.0, 1.0])]),
    Row("clamp_tensor_bounds", lambda m, x, lo, hi: m.clamp(x, lo, hi),
        [np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), np.zeros(5), np.ones(5)]),
    Row("clamp_tensor_bounds_broadcast", lambda m, x, lo, hi: x.clamp(lo, hi), [_r(2, 3), _r(3) - 1, _r(2, 1) + 1]),
    Row("clamp_tensor_min_above_max", lambda m, x, lo, hi: x.clamp(lo, hi),
        [np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), np.ones(5), np.zeros(5)]),
    Row("clamp_min_tensor", lambda m, x, lo: x.clamp_min(lo), [np.array([-1.0, 0.0, 1.0]), np.zeros(3)]),
    # norms
    Row("norm_default", lambda m, x: x.norm(), [_r(2, 3)]),
    Row("norm_2_dim", lambda m, x: x.norm(2, dim=1), [_r(3, 4)]),
    Row("norm_fro_dims_keepdim", lambda m, x: m.norm(x, "fro", dim=(0, 2), keepdim=True), [_r(2, 3, 2)]),
    Row("norm_1_negative_dim", lambda m, x: x.norm(p=1, dim=-1), [_r(3, 4)]),
    Row("norm_inf", lambda m, x: x.norm(p=INF, dim=0), [_r(4, 3)]),
    Row("norm_inf_tie", lambda m, x: x.norm(p=INF), [np.array([1.0, -3.0, 3.0])]),
    Row("norm_minus_inf", lambda m, x: x.norm(p=-INF, dim=1), [_r(2, 4)]),
    Row("norm_at_zero", lambda m, x: x.norm(), [np.zeros(3)]),
    Row("norm_at_zero_rows", lambda m, x: x.norm(dim=1), [np.array([[0.0, 0.0], [3.0, 4.0]])]),
    Row("norm_1_at_zero", lambda m, x: x.norm(p=1), [np.zeros(3)]),
    # scans, gathering, masks
    Row("cumsum", lambda m, x: x.cumsum(1), [_r(2, 4)]),
    Row("cumsum_negative_dim", lambda m, x: m.cumsum(x, dim=-3), [_r(3, 2, 2)]),
    Row("gather", lambda m, x, i: x.gather(1, i), [_r(2, 4)], [INDEX]),
    Row("gather_dim0_negative", lambda m, x, i: m.gather(x, -2, i), [_r(3, 3)], [INDEX]),
    Row("masked_fill", lambda m, x, mask: x.masked_fill(mask, -1.0), [_r(2, 3)], [MASK]),
    Row("masked_fill_broadcast_mask", lambda m, x, mask: x.masked_fill(mask, 0.0), [_r(2, 3)], [MASK[0]]),
    Row("masked_fill_tensor_value", lambda m, x, v, mask: m.masked_fill(x, mask, v), [_r(2, 3), np.array(0.7)],
        [MASK]),
    Row("tril", lambda m, x: x.tril(), [_r(3, 4)]),
    Row("tril_negative_diagonal_batched", lambda m, x: m.tril(x, diagonal=-1), [_r(2, 3, 3)]),
    Row("triu", lambda m, x: x.triu(1), [_r(4, 3)]),
    Row("triu_function", lambda m, x: m.triu(x, -1), [_r(3, 5)]),
    # sorting (stable: ties keep their order, in both directions)
    Row("sort", lambda m, x: x.sort(), [_r(3, 4)]),
    Row("sort_ties_stable", lambda m, x: x.sort(dim=-1, stable=True), [TIES]),
    Row("sort_ties_descending_stable", lambda m, x: m.sort(x, dim=1, descending=True, stable=True), [TIES]),
    Row("sort_dim0", lambda m, x: x.sort(dim=0, descending=True), [_r(4, 2)]),
    Row("argsort_ties_stable", lambda m, x: m.argsort(x, dim=-1, stable=True), [TIES]),
    Row("argsort_descending", lambda m, x: x.argsort(dim=0, descending=True), [_r(4, 3)]),
    Row("topk", lambda m, x: x.topk(2), [_r(3, 5)]),
    Row("topk_smallest_dim0", lambda m, x: m.topk(x, 2, dim=0, largest=False), [_r(4, 3)]),
    # einsum
    Row("einsum_matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), [_r(2, 3), _r(3, 4)]),
    Row("einsum_batched", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), [_r(2, 2, 3), _r(2, 3, 2)]),
    Row("einsum_ellipsis", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b), [_r(2, 2, 3), _r(1, 3, 2)]),
    Row("einsum_implicit", lambda m, a, b: m.einsum("ij,jk", a, b), [_r(2, 3), _r(3, 4)]),
    Row("einsum_outer", lambda m, a, b: m.einsum("i,j->ij", a, b), [_r(3), _r(4)]),
    Row("einsum_trace", lambda m, a: m.einsum("ii", a), [_r(3, 3)]),
    Row("einsum_diagonal", lambda m, a: m.einsum("ii->i", a), [_r(3, 3)]),
    Row("einsum_transpose", lambda m, a: m.einsum("ij->ji", a), [_r(2, 3)]),
    Row("einsum_sum", lambda m, a: m.einsum("ij->", a), [_r(2, 3)]),
    Row("einsum_dot", lambda m, a, b: m.einsum("i,i->", a, b), [_r(4), _r(4)]),
    Row("einsum_bilinear", lambda m, x, A, y: m.einsum("i,ij,j->", x, A, y), [_r(3), _r(3, 2), _r(2)]),
    Row("einsum_attention_scores", lambda m, q, k: m.einsum("bqd,bkd->bqk", q, k), [_r(2, 3, 4), _r(2, 5, 4)]),
    Row("einsum_list", lambda m, a, b: m.einsum("bi,bi->b", [a, b]), [_r(2, 3), _r(2, 3)]),
    # softmax with dim, and copies
    Row("softmax_method", lambda m, x: x.softmax(dim=0), [_r(3, 2)]),
    Row("log_softmax_method_negative_dim", lambda m, x: x.log_softmax(-2), [_r(2, 3, 2)]),
    Row("F_softmax_dim", lambda m, x: (tlF if m is tl else torchF).softmax(x, dim=1), [_r(2, 3, 2)]),
    Row("F_log_softmax_dim", lambda m, x: (tlF if m is tl else torchF).log_softmax(x, dim=-1), [_r(2, 3)]),
    Row("nn_Softmax_dim", lambda m, x: m.nn.Softmax(dim=1)(x), [_r(2, 3, 2)]),
    Row("nn_LogSoftmax_dim", lambda m, x: m.nn.LogSoftmax(dim=0)(x), [_r(3, 2)]),
    Row("clone", lambda m, x: x.clone() * x, [_r(2, 3)]),
    # other spellings: functions of the top-level module, arithmetic by name, rounding, dtype casts
    Row("function_forms_of_reductions", lambda m, x: (m.sum(x, dim=1), m.mean(x, 0, keepdim=True), m.amax(x, -1),
                                                      m.std(x, 1), m.var(x), m.argmax(x, dim=1), m.argmin(x)),
        [_r(3, 4)]),
    Row("function_max_dim", lambda m, x: m.max(x, 1), [_r(3, 4)]),
    Row("function_min_value", lambda m, x: m.min(x), [_r(3, 4)]),
    Row("function_shapes", lambda m, x: (m.reshape(x, (4, 3)), m.transpose(x, 0, 1), m.squeeze(m.unsqueeze(x, 0)),
                                         m.t(x), m.movedim(x, 0, 1)), [_r(3, 4)]),
    Row("arithmetic_by_name", lambda m, x, y: (x.add(y), x.sub(y, alpha=0.5), x.mul(y), x.div(y), x.neg(),
                                               x.pow(2), m.add(x, y, alpha=2), m.mul(x, 3.0)),
        [_r(2, 3), _rng.uniform(0.5, 2, size=(3,))]),
    Row("square_reciprocal_rsqrt", lambda m, x: (x.square(), x.reciprocal(), m.rsqrt(x)),
        [_rng.uniform(0.5, 2, size=(2, 3))]),
    Row("log1p_expm1_tiny", lambda m, x: (x.log1p(), m.expm1(x)), [np.array([1e-10, -1e-12, 0.5, 2.0])]),
    Row("rounding", lambda m, x: (x.floor(), m.ceil(x), x.round(), x.trunc(), x.sign(), x.round(decimals=1)),
        [np.array([-1.7, -0.5, 0.0, 0.5, 1.25, 2.5, 3.5])]),
    Row("comparisons_by_name", lambda m, x, y: (x.eq(y), x.ne(y), m.lt(x, y), x.le(y), m.gt(x, y), x.ge(y)),
        [np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0])]),
    Row("casts_by_name", lambda m, x: ((x > 0).type(m.float), (x * 10).int(), (x * 10).long(), x.double(),
                                       (x > 0).sum(), x.bool()), [np.array([-1.5, 0.0, 0.3])]),
    Row("matrix_products", lambda m, x, y, v: (m.mm(x, y), x.mm(y), v.dot(v), m.dot(v, v)),
        [_r(2, 3), _r(3, 4), _r(5)]),
    Row("index_select_narrow_unbind", lambda m, x, i: (x.index_select(1, i), m.narrow(x, 0, 1, 2), *x.unbind(1)),
        [_r(3, 4)], [np.array([3, 0, 3])]),
    Row("range_index_picks_one_per_row", lambda m, x, y: -x.log_softmax(1)[range(3), y].mean(), [_r(3, 4)],
        [np.array([2, 0, 3])]),
    Row("where_method", lambda m, x, y: x.where(x > 0, y), [_r(2, 3), _r(2, 3)]),
]


def _library_inputs(lib, row: Row, dtype: str, device: str):
    if lib is tl:
        floats = [tl.tensor(v, dtype=dtype, device=device, requires_grad=True) for v in row.values]
        constants = [tl.tensor(c, device=device) for c in row.constants]
    else:
        floats = [torch.tensor(v, dtype=getattr(torch, dtype), requires_grad=True) for v in row.values]
        constants = [torch.tensor(c) for c in row.constants]
    return floats, constants


def _outputs(result) -> list:
    return list(result) if isinstance(result, tuple) else [result]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values_and_gradients_match_pytorch(row: Row, dtype: str, device):
    rtol, atol = (1e-5, 1e-6) if dtype == "float32" else (1e-12, 1e-12)
    ours, our_constants = _library_inputs(tl, row, dtype, device)
    theirs, their_constants = _library_inputs(torch, row, dtype, device)
    our_outputs = _outputs(row.call(tl, *ours, *our_constants))
    their_outputs = _outputs(row.call(torch, *theirs, *their_constants))
    assert len(our_outputs) == len(their_outputs)
    rng = np.random.default_rng(0)
    our_loss, their_loss = 0, 0
    for mine, reference in zip(our_outputs, their_outputs, strict=True):
        expected = reference.detach().cpu().numpy()
        assert mine.shape == tuple(reference.shape), row.name
        assert mine.dtype == expected.dtype, (row.name, mine.dtype, expected.dtype)
        if expected.dtype.kind != "f":
            np.testing.assert_array_equal(mine.cpu().numpy(), expected, err_msg=row.name)
            continue
        np.testing.assert_allclose(mine.cpu().numpy(), expected, rtol=rtol, atol=atol, err_msg=row.name)
        weights = rng.normal(size=expected.shape)
        our_loss = our_loss + (mine * tl.tensor(weights, dtype=dtype, device=device)).sum()
        their_loss = their_loss + (reference * torch.tensor(weights, dtype=getattr(torch, dtype))).sum()
    if isinstance(our_loss, int):  # integer outputs only (argsort): nothing to differentiate
        return
    our_loss.backward()
    their_loss.backward()
    for i, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
        expected = np.zeros(reference.shape) if reference.grad is None else reference.grad.cpu().numpy()
        got = np.zeros(mine.shape) if mine.grad is None else mine.grad.cpu().numpy()
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=f"{row.name}: gradient of input {i}")


# --- what a value comparison alone does not show -------------------------------------------------


def test_topk_with_ties_picks_tied_values_and_the_lowest_indices(device):
    x = tl.tensor(TIES, device=device)
    values, indices = x.topk(2)
    reference = torch.tensor(TIES).topk(2)
    np.testing.assert_array_equal(values.cpu().numpy(), reference.values.numpy())
    gathered = x.gather(1, indices).cpu().numpy()
    np.testing.assert_array_equal(gathered, values.cpu().numpy())  # each index points at its value
    assert indices.tolist() == [[1, 2], [4, 0]] and indices.dtype == tl.int64  # ties: the lower index first


def test_topk_gradient_goes_to_the_picked_elements(device):
    x = tl.tensor([1.0, 5.0, 3.0, 4.0], device=device, requires_grad=True)
    x.topk(2).values.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_sort_returns_the_named_pair_and_int64_indices(device):
    result = tl.tensor([3.0, 1.0, 2.0], device=device).sort()
    assert isinstance(result, tl.ops.ValuesIndices)
    assert result.indices.dtype == tl.int64 and result.indices.tolist() == [1, 2, 0]


def test_norm_at_zero_has_gradient_zero_and_second_derivative_defined(device):
    x = tl.zeros(3, dtype=tl.float64, device=device, requires_grad=True)
    (g,) = tl.grad(x.norm(), x, create_graph=True)
    assert g.tolist() == [0.0, 0.0, 0.0]
    assert np.isfinite(tl.grad(g.sum(), x, allow_unused=True)[0].cpu().numpy()).all()


def test_clamp_passes_the_gradient_at_both_bounds_as_pytorch(device):
    x = tl.tensor([-0.5, 0.5], device=device, requires_grad=True)
    x.clamp(-0.5, 0.5).sum().backward()
    t = torch.tensor([-0.5, 0.5], requires_grad=True)
    t.clamp(-0.5, 0.5).sum().backward()
    assert x.grad.tolist() == t.grad.tolist() == [1.0, 1.0]


def test_expand_is_a_broadcast_view_and_view_always_works(device):
    x = tl.tensor([[1.0], [2.0]], device=device)
    e = x.expand(-1, 3)
    assert e.shape == (2, 3) and e.tolist() == [[1.0] * 3, [2.0] * 3]
    transposed = tl.ones(2, 3, device=device).T  # not contiguous: PyTorch's view would refuse; ours reshapes
    assert transposed.view(6).shape == (6,)


def test_chunk_and_split_sizes_follow_pytorch(device):
    for n, chunks in [(10, 4), (5, 4), (6, 4), (0, 3), (7, 7), (3, 5)]:
        ours = [p.shape for p in tl.zeros(n, device=device).chunk(chunks)]
        theirs = [tuple(p.shape) for p in torch.zeros(n).chunk(chunks)]
        assert ours == theirs, (n, chunks)
    for n, size in [(5, 2), (4, 2), (0, 2), (3, 5)]:
        ours = [p.shape for p in tl.zeros(n, device=device).split(size)]
        theirs = [tuple(p.shape) for p in torch.zeros(n).split(size)]
        assert ours == theirs, (n, size)


def test_cumsum_of_integers_and_bools_is_int64(device):
    for data in ([1, 2, 3], [True, False, True]):
        ours = tl.tensor(data, device=device).cumsum(0)
        theirs = torch.tensor(data).cumsum(0)
        assert ours.dtype == tl.int64 and ours.tolist() == theirs.tolist()


def test_masked_fill_keeps_an_integer_dtype(device):
    ours = tl.tensor([1, 2, 3], device=device).masked_fill(tl.tensor([True, False, True], device=device), 7)
    theirs = torch.tensor([1, 2, 3]).masked_fill(torch.tensor([True, False, True]), 7)
    assert ours.dtype == tl.int64 and ours.tolist() == theirs.tolist()


def test_one_hot_matches_pytorch(device):
    labels = np.array([[0, 2], [1, 1]])
    for classes in (-1, 4):
        ours = tlF.one_hot(tl.tensor(labels, device=device), classes)
        theirs = torchF.one_hot(torch.tensor(labels), classes)
        assert ours.dtype == tl.int64 and ours.tolist() == theirs.tolist()


def test_allclose_matches_pytorch(device):
    a = np.array([1.0, 2.0, 3.0])
    for b in (a + 1e-9, a + 1e-4, a * (1 + 2e-5)):
        theirs = torch.allclose(torch.tensor(a), torch.tensor(b))
        assert tl.allclose(tl.tensor(a, device=device), tl.tensor(b, device=device)) is theirs
        assert tl.tensor(a, device=device).allclose(tl.tensor(b, device=device), rtol=1e-3) is \
            torch.tensor(a).allclose(torch.tensor(b), rtol=1e-3)


def test_clone_is_a_differentiable_copy(device):
    x = tl.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x.clone()
    assert y.data is not x.data and not np.shares_memory(y.cpu().numpy(), x.cpu().numpy())
    (y * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_from_numpy_shares_memory_like_pytorch():
    array = np.zeros(3)
    ours, theirs = tl.from_numpy(array), torch.from_numpy(array)
    array[1] = 4.0
    assert ours.tolist() == theirs.tolist() == [0.0, 4.0, 0.0]
    assert ours.dtype == tl.float64 and str(theirs.dtype) == "torch.float64"


@pytest.mark.parametrize("make", [
    lambda m, d: m.linspace(0, 1, 5, device=d) if m is tl else m.linspace(0, 1, 5),
    lambda m, d: m.linspace(-2, 3, 1, device=d) if m is tl else m.linspace(-2, 3, 1),
    lambda m, d: m.full((2, 3), 1.5, device=d) if m is tl else m.full((2, 3), 1.5),
    lambda m, d: m.full((2,), 7, device=d) if m is tl else m.full((2,), 7),
    lambda m, d: m.full((2,), True, device=d) if m is tl else m.full((2,), True),
    lambda m, d: m.eye(3, 2, device=d) if m is tl else m.eye(3, 2),
    lambda m, d: m.zeros_like(m.ones(2, 3, dtype=m.float64)),
    lambda m, d: m.ones_like(m.ones(2, dtype=m.int64)),
    lambda m, d: m.full_like(m.ones(2, 2), 3.0),
    lambda m, d: m.full_like(m.ones(2, dtype=m.int64), 4),
], ids=["linspace", "linspace_one_step", "full_float", "full_int", "full_bool", "eye_rectangular", "zeros_like",
        "ones_like_int", "full_like", "full_like_int"])
def test_factories_match_pytorch(make, device):
    ours, theirs = make(tl, device), make(torch, device)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == theirs.cpu().numpy().dtype
    np.testing.assert_allclose(ours.cpu().numpy(), theirs.cpu().numpy(), rtol=1e-6)


def test_random_factories_take_pytorchs_arguments(device):
    assert tl.randint(5, (3, 4), device=device).dtype == tl.int64 == torch.randint(5, (3, 4)).cpu().numpy().dtype
    values = tl.randint(3, 10, (1000,), device=device).cpu().numpy()
    assert values.min() >= 3 and values.max() <= 9 and len(set(values.tolist())) == 7
    assert tl.randint(0, 2, size=(2,), device=device).shape == (2,)
    assert tl.empty(2, 3, device=device).shape == tuple(torch.empty(2, 3).shape)
    like = tl.ones(2, 3, dtype=tl.float64, device=device)
    for factory in (tl.rand_like, tl.randn_like, tl.empty_like):
        made = factory(like)
        assert made.shape == (2, 3) and made.dtype == tl.float64 and made.device == device
    assert 0 <= tl.rand_like(like).cpu().numpy().min() and tl.rand_like(like).cpu().numpy().max() < 1
