"""Tensor construction, dtype rules (PyTorch's), factories, conversions and the repr."""

import numpy as np
import pytest

import tinygrad_lite as tl


@pytest.mark.parametrize("data, dtype", [
    (1.5, tl.float32),
    ([1.0, 2.0], tl.float32),
    ([[1, 2], [3, 4]], tl.int64),
    (3, tl.int64),
    (True, tl.bool),
    ([True, False], tl.bool),
    ([1, 2.5], tl.float32),  # mixed Python numbers: float wins, at the default float dtype
    (np.array([1.0, 2.0]), tl.float64),  # arrays keep their dtype
    (np.array([1, 2], dtype=np.int32), tl.int32),
    (np.float64(2.0), tl.float64),
])
def test_dtype_of_new_tensors(data, dtype, device):
    t = tl.tensor(data, device=device)
    assert t.dtype == dtype
    assert t.device == device
    np.testing.assert_array_equal(t.cpu().numpy(), np.asarray(data))


def test_default_dtype_can_be_changed():
    tl.set_default_dtype(tl.float64)
    assert tl.tensor([1.0]).dtype == tl.float64
    assert tl.zeros(2).dtype == tl.float64
    assert tl.randn(2).dtype == tl.float64
    with pytest.raises(TypeError, match="floating"):
        tl.set_default_dtype(tl.int64)


@pytest.mark.parametrize("make, scalar, dtype", [
    (lambda d: tl.tensor([1.0, 2.0], device=d), 2.5, tl.float32),   # float32 * float stays float32
    (lambda d: tl.tensor([1.0, 2.0], device=d), 2, tl.float32),
    (lambda d: tl.tensor([1, 2], device=d), 2, tl.int64),
    (lambda d: tl.tensor([1, 2], device=d), 2.5, tl.float32),      # int * float -> default float
    (lambda d: tl.tensor([1.0], dtype=tl.float64, device=d), 2.5, tl.float64),
    (lambda d: tl.tensor([True, False], device=d), 2, tl.int64),
])
def test_python_scalars_do_not_widen(make, scalar, dtype, device):
    t = make(device)
    assert (t * scalar).dtype == dtype
    assert (scalar * t).dtype == dtype
    assert (t + scalar).dtype == dtype


def test_promotion_between_tensors(device):
    f32 = tl.tensor([1.0], device=device)
    f64 = tl.tensor([1.0], dtype=tl.float64, device=device)
    i64 = tl.tensor([1], device=device)
    assert (f32 + f64).dtype == tl.float64
    assert (f32 + i64).dtype == tl.float32  # float beats integer (NumPy would say float64)
    assert (i64 / i64).dtype == tl.float32  # true division
    assert i64.exp().dtype == tl.float32
    assert (i64 ** 2).dtype == tl.int64


def test_integer_tensors_never_require_grad(device):
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        tl.tensor([1, 2], requires_grad=True, device=device)
    w = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    labels = tl.tensor([0, 1], device=device)
    assert not (labels * 2).requires_grad
    assert not (w > 1).requires_grad
    assert (w > 1).dtype == tl.bool
    assert not w.argmax().requires_grad



def test_requires_grad_stores_a_bool_and_any_truthy_flag_works(device):
    """requires_grad_(1) turns tracking on as requires_grad_(True) does: the flag is stored as a bool, and the
    gradient of an op of one and of two inputs reaches the leaf."""
    w = tl.tensor([1.0, 2.0], device=device).requires_grad_(1)
    assert w.requires_grad is True
    c = tl.tensor([3.0, 4.0], device=device)
    ((w * c).sum() + w.exp().sum()).backward()
    np.testing.assert_allclose(w.grad.cpu().numpy(), [3.0 + np.e, 4.0 + np.e ** 2], rtol=1e-6)
    assert tl.tensor([1.0], device=device).requires_grad_(0).requires_grad is False

def test_bad_data_is_rejected_clearly():
    with pytest.raises(ValueError, match="ragged"):
        tl.tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="unsupported data"):
        tl.tensor(["a", "b"])
    with pytest.raises(ValueError, match="unknown device"):
        tl.tensor([1.0], device="tpu")


def test_factories(device):
    assert tl.zeros(2, 3, device=device).shape == (2, 3)
    assert tl.zeros((2, 3)).shape == (2, 3)
    np.testing.assert_array_equal(tl.ones(2, device=device).cpu().numpy(), [1, 1])
    assert tl.full((2,), 7).dtype == tl.int64
    assert tl.full((2,), 0.5).dtype == tl.float32
    np.testing.assert_array_equal(tl.arange(4).numpy(), [0, 1, 2, 3])
    assert tl.arange(4).dtype == tl.int64
    assert tl.arange(0, 1, 0.5).dtype == tl.float32
    np.testing.assert_array_equal(tl.eye(2, device=device).cpu().numpy(), np.eye(2))
    x = tl.randn(3, 4, dtype=tl.float64, device=device, requires_grad=True)
    assert x.requires_grad and x.dtype == tl.float64 and x.device == device
    assert tl.zeros_like(x).dtype == tl.float64 and tl.ones_like(x, dtype=tl.float32).dtype == tl.float32
    with pytest.raises(ValueError, match="non-negative"):
        tl.zeros(-1)


def test_manual_seed_repeats_random_numbers(device):
    tl.manual_seed(7)
    a = tl.randn(5, device=device).cpu().numpy()
    b = tl.rand(5, device=device).cpu().numpy()
    tl.manual_seed(7)
    np.testing.assert_array_equal(tl.randn(5, device=device).cpu().numpy(), a)
    np.testing.assert_array_equal(tl.rand(5, device=device).cpu().numpy(), b)
    tl.manual_seed(7)
    np.testing.assert_array_equal(tl.randn(5).numpy(), a)  # the same numbers on every device
    assert ((b >= 0) & (b < 1)).all()


def test_attributes_and_conversions(device):
    x = tl.tensor([[1.0, 2.0, 3.0]], requires_grad=True, device=device)
    assert (x.shape, x.ndim, x.numel(), x.is_leaf, x.grad_fn) == ((1, 3), 2, 3, True, None)
    y = x * 2
    assert not y.is_leaf and type(y.grad_fn).__name__ == "Mul"
    host = x.cpu().numpy()
    host[0, 0] = 100  # numpy() is a copy
    assert x.tolist() == [[1.0, 2.0, 3.0]]
    assert tl.tensor(4.0).item() == 4.0 and float(tl.tensor([2.5])) == 2.5
    d = y.detach()
    assert d.is_leaf and not d.requires_grad
    assert x.double().dtype == tl.float64 and x.long().dtype == tl.int64
    assert x.to("cpu").device == "cpu"
    with pytest.raises(ValueError, match="one-element"):
        x.item()


def test_repr():
    assert repr(tl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tl.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(tl.tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<Mul>)"
    assert repr(tl.tensor([1.0], dtype=tl.float64)) == "tensor([1.], dtype=float64)"
    assert repr(tl.tensor([1, 2])) == "tensor([1, 2])"


def test_setitem(device):
    x = tl.zeros(3, device=device)
    x[1] = 5.0
    np.testing.assert_array_equal(x.cpu().numpy(), [0, 5, 0])
    w = tl.zeros(3, requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        w[0] = 1.0
    with tl.no_grad():
        w[0] = 1.0
    assert w.tolist() == [1.0, 0.0, 0.0]
    y = w * 2
    y[0] = 7.0  # a non-leaf: recorded as an op, as in PyTorch
    y.sum().backward()
    assert y.tolist() == [7.0, 0.0, 0.0] and w.grad.tolist() == [0.0, 2.0, 2.0]


def test_comparisons_and_logic(device):
    x = tl.tensor([1.0, 2.0, 3.0], device=device)
    assert (x == 2).tolist() == [False, True, False]
    assert (x != 2).tolist() == [True, False, True]
    assert (x < 2).tolist() == [True, False, False]
    assert (x >= 2).tolist() == [False, True, True]
    assert (x > 2).any().item() and not (x > 5).any().item()
    assert (x > 0).all().item()
    assert x.argmax().item() == 2 and x.argmin().item() == 0
    assert x in [x]  # identity hash, so tensors can be dict keys and list members


def test_truth_value_of_many_elements_is_ambiguous():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(tl.tensor([1.0, 2.0]))
    assert bool(tl.tensor([1.0]))


def test_tensor_copies_its_data_detach_shares_it(device):
    source = np.array([1.0, 2.0])
    t = tl.tensor(source, device=device)
    source[0] = 100.0  # the user's array changes ...
    assert t.tolist() == [1.0, 2.0]  # ... the tensor does not
    u = tl.tensor(t)
    d = t.detach()
    t[1] = 5.0
    assert u.tolist() == [1.0, 2.0] and d.tolist() == [1.0, 5.0]


def test_scalar_constants_keep_the_sign_of_zero(device):
    x = tl.tensor([1.0], device=device)
    assert np.signbit((x * 0.0).cpu().numpy()[0]) == False  # noqa: E712  (numpy bool)
    assert np.signbit((x * -0.0).cpu().numpy()[0]) == True  # noqa: E712
    assert np.signbit((x * 0.0).cpu().numpy()[0]) == False  # noqa: E712  (the cache did not swap them)


def test_the_methods_that_are_op_functions_are_the_functions_their_defs_call():
    """tensor.py replaces these methods by the op function each def hands the tensor to: the def must do
    exactly that (``return ops.<name>(self[, other])``), so the replacement changes nothing but speed."""
    import ast
    import importlib
    import inspect

    from tinygrad_lite import ops

    tensor = importlib.import_module("tinygrad_lite.tensor")  # the module (tl.tensor is the factory)
    tree = ast.parse(inspect.getsource(tensor))
    body = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Tensor").body
    defs = {node.name: node for node in body if isinstance(node, ast.FunctionDef)}
    assert tensor.METHODS_THAT_ARE_OPS
    for method, op in tensor.METHODS_THAT_ARE_OPS.items():
        (statement,) = defs[method].body
        call = statement.value
        params = [arg.arg for arg in defs[method].args.args]
        assert isinstance(statement, ast.Return) and isinstance(call, ast.Call) and not call.keywords
        assert ast.unparse(call.func) == f"ops.{op.__name__}" and getattr(ops, op.__name__) is op
        assert [ast.unparse(arg) for arg in call.args] == params in (["self"], ["self", "other"])
        assert getattr(tl.Tensor, method) is op


def test_operators_bound_to_op_functions_still_compute(device):
    x = tl.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = tl.tensor([3.0, 5.0], device=device)
    values = [x + y, x - y, x * y, x / y, -x, x.exp(), x.log(), x.tanh(), x.sigmoid(), (x - 1.5).relu()]
    expected = [[4, 7], [-2, -3], [3, 10], [1 / 3, 0.4], [-1, -2], np.exp([1, 2]), np.log([1, 2]), np.tanh([1, 2]),
                1 / (1 + np.exp([-1.0, -2.0])), [0, 0.5]]
    for value, reference in zip(values, expected, strict=True):
        np.testing.assert_allclose(value.detach().cpu().numpy(), reference, rtol=1e-6)
    np.testing.assert_allclose((x @ y).item(), 13.0)
