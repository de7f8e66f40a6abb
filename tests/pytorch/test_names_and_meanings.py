"""PyTorch's names and meanings for the tensor API: dim/keepdim (NumPy's axis/keepdims as aliases),
size()/numel()/dim(), max/min along a dim as (values, indices), the variance rule, transpose(dim0, dim1).
Values are checked against closed forms here, and against PyTorch where it is installed."""

import numpy as np
import pytest

import tinygrad_lite as tl

X = np.array([[1.0, 5.0, 3.0], [7.0, 2.0, 7.0]])  # a tie in row 1: max(dim=1) picks the first, as PyTorch


def test_size_is_pytorchs_shape_and_numel_counts_elements(device):
    x = tl.zeros(2, 3, 4, device=device)
    assert x.size() == (2, 3, 4) and x.size(0) == 2 and x.size(-1) == 4
    assert x.numel() == 24 and x.dim() == 3 == x.ndim
    with pytest.raises(ValueError, match=r"size: axis 3 is out of range for a tensor of shape \(2, 3, 4\)"):
        x.size(3)


@pytest.mark.parametrize("spelling", [dict(dim=1, keepdim=True), dict(axis=1, keepdims=True)], ids=["dim", "axis"])
def test_reductions_take_dim_and_numpys_axis(spelling, device):
    x = tl.tensor(X, device=device)
    np.testing.assert_allclose(x.sum(**spelling).cpu().numpy(), X.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(x.mean(**spelling).cpu().numpy(), X.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(x.amax(**spelling).cpu().numpy(), X.max(axis=1, keepdims=True))
    np.testing.assert_allclose(x.logsumexp(**spelling).cpu().numpy(),
                               np.log(np.exp(X).sum(axis=1, keepdims=True)), rtol=1e-6)
    assert x.argmax(**spelling).tolist() == [[1], [0]]
    assert (x > 4).any(**spelling).tolist() == [[True], [True]]


def test_dim_and_axis_together_is_an_error(device):
    with pytest.raises(TypeError, match=r"sum: got both dim=0 and axis=1; pass one of them"):
        tl.ones(2, 2, device=device).sum(dim=0, axis=1)


def test_max_along_a_dim_returns_values_and_indices(device):
    x = tl.tensor(X, device=device, requires_grad=True)
    result = x.max(dim=1)
    values, indices = result
    assert result.values is values and result.indices is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0] and indices.dtype == tl.int64
    values.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0], [1, 0, 0]]  # the gradient goes to the returned index, not to the tie
    low = tl.tensor(X, device=device).min(0, keepdim=True)
    assert low.values.tolist() == [[1.0, 2.0, 3.0]] and low.indices.tolist() == [[0, 1, 0]]


def test_max_of_everything_splits_ties_and_max_of_two_tensors_is_maximum(device):
    x = tl.tensor([3.0, 1.0, 3.0], device=device, requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.5, 0.0, 0.5]
    assert tl.tensor([1.0, 4.0], device=device).max(tl.tensor([2.0, 3.0], device=device)).tolist() == [2.0, 4.0]


def test_max_refuses_a_tuple_of_dims(device):
    with pytest.raises(TypeError, match=r"max: dim must be an int, got \(0, 1\); use amax/amin"):
        tl.ones(2, 2, device=device).max(dim=(0, 1))


def test_variance_rule(device):
    """PyTorch's spelling gets PyTorch's Bessel correction; NumPy's spelling keeps NumPy's ddof=0."""
    x = tl.tensor(X, device=device)
    assert x.var().item() == pytest.approx(X.var(ddof=1))
    assert x.var(dim=1).tolist() == pytest.approx(X.var(axis=1, ddof=1).tolist())
    assert x.var(1, False).tolist() == pytest.approx(X.var(axis=1).tolist())  # positional unbiased=False
    assert x.var(dim=1, correction=0).tolist() == pytest.approx(X.var(axis=1).tolist())
    assert x.var(axis=1).tolist() == pytest.approx(X.var(axis=1).tolist())
    assert x.std(axis=0, ddof=1).tolist() == pytest.approx(X.std(axis=0, ddof=1).tolist())
    with pytest.raises(TypeError, match=r"var: got correction and ddof; pass one of them"):
        x.var(correction=1, ddof=1)


def test_transpose_of_two_dims_swaps_them(device):
    x = tl.zeros(2, 3, 4, device=device)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.transpose(2, 0, 1).shape == (4, 2, 3)  # three or more: a permutation, as NumPy's
    m = tl.tensor([[1.0, 2.0]], device=device)
    assert m.transpose(0, 1).tolist() == [[1.0], [2.0]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_against_pytorch(dtype, device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4, 5)).astype(dtype)
    ours = tl.tensor(a, device=device, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    pairs = [
        (lambda t: t.max(dim=1).values, lambda t: t.max(dim=1).values),
        (lambda t: t.min(-1, keepdim=True)[0], lambda t: t.min(-1, keepdim=True)[0]),
        (lambda t: t.var(dim=(0, 2)), lambda t: t.var(dim=(0, 2))),
        (lambda t: t.std(1, keepdim=True), lambda t: t.std(1, keepdim=True)),
        (lambda t: t.var(), lambda t: t.var()),
        (lambda t: t.amax(dim=(1, 2)), lambda t: t.amax(dim=(1, 2))),
        (lambda t: t.transpose(0, 2) * 2, lambda t: t.transpose(0, 2) * 2),
        (lambda t: t.sum(dim=-1, keepdim=True), lambda t: t.sum(dim=-1, keepdim=True)),
        (lambda t: t.logsumexp(dim=0), lambda t: t.logsumexp(dim=0)),
    ]
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    for ours_fn, theirs_fn in pairs:
        ours.grad, theirs.grad = None, None
        y, z = ours_fn(ours), theirs_fn(theirs)
        np.testing.assert_allclose(y.cpu().numpy(), z.detach().cpu().numpy(), **tolerance)
        weights = rng.standard_normal(y.shape).astype(dtype)
        (y * tl.tensor(weights, device=device)).sum().backward()
        (z * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(ours.grad.cpu().numpy(), theirs.grad.cpu().numpy(), **tolerance)
    assert ours.max(dim=2).indices.tolist() == theirs.max(dim=2).indices.tolist()
    assert ours.argmax(dim=1, keepdim=True).tolist() == theirs.argmax(dim=1, keepdim=True).tolist()
    assert ours.size() == tuple(theirs.size()) and ours.size(1) == theirs.size(1)
    assert ours.numel() == theirs.numel()


def test_pytorchs_dtype_names_are_the_same_dtypes(device):
    assert (tl.float, tl.double, tl.half) == (tl.float32, tl.float64, tl.float16)
    assert (tl.long, tl.int, tl.short, tl.bool) == (tl.int64, tl.int32, tl.int16, np.dtype(bool))
    x = tl.tensor([1.5, -2.5], device=device)
    assert x.type() == "tinygrad_lite.FloatTensor" and x.long().type() == "tinygrad_lite.LongTensor"
    assert x.type(tl.long).tolist() == [1, -2] and x.type(tl.double).dtype == tl.float64
    assert (x > 0).type(tl.float).tolist() == [1.0, 0.0]


def test_new_tensors_take_this_tensors_dtype_and_device(device):
    x = tl.ones(2, dtype=tl.float64, device=device)
    for made in (x.new_zeros(3), x.new_ones((2, 2)), x.new_full((2,), 7.0), x.new_tensor([1, 2])):
        assert made.dtype == tl.float64 and made.device == x.device
    assert x.new_full((2,), 7.0).tolist() == [7.0, 7.0] and x.new_zeros(3, dtype=tl.int64).dtype == tl.int64


def test_as_tensor_keeps_a_tensor_and_is_tensor_tells_them_apart(device):
    x = tl.ones(2, device=device, requires_grad=True)
    assert tl.as_tensor(x) is x and tl.is_tensor(x) and not tl.is_tensor(np.ones(2))
    y = tl.as_tensor(x, dtype=tl.float64)
    y.sum().backward()  # a cast of x stays in x's graph
    assert y.dtype == tl.float64 and x.grad.tolist() == [1.0, 1.0]
    assert tl.as_tensor([1, 2]).dtype == tl.int64


def test_contiguous_is_the_tensor_itself_and_range_indexes_as_its_list(device):
    x = tl.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], device=device)
    assert x.contiguous() is x and x.nelement() == 6
    assert x[range(3), [1, 0, 1]].tolist() == x[[0, 1, 2], [1, 0, 1]].tolist() == [2.0, 3.0, 6.0]
    assert x[range(2, 0, -1)].tolist() == [[5.0, 6.0], [3.0, 4.0]]


def test_rounding_has_zero_gradient_and_keeps_integers(device):
    x = tl.tensor([-1.5, 0.5, 2.5, 0.7], device=device, requires_grad=True)
    assert x.round().tolist() == [-2.0, 0.0, 2.0, 1.0]  # halves to even, as PyTorch and NumPy
    (x.floor() + x.ceil() + x.round() + x.trunc() + x.sign()).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]
    n = tl.tensor([3, -2], device=device)
    assert n.floor() is n and n.sign().tolist() == [1, -1]
