"""The backward engine: accumulation, grad mode, tl.grad, double backward, deep graphs, freeing, anomalies."""

import gc
import weakref

import numpy as np
import pytest

import tinygrad_lite as tl


def test_backward_accumulates_when_a_tensor_is_used_twice(device):
    x = tl.tensor([2.0, 3.0], requires_grad=True, device=device)
    y = x * x + x  # dy/dx = 2x + 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [5.0, 7.0])


def test_gradients_accumulate_across_backward_calls(device):
    x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [3 + 2, 3 + 4])
    x.zero_grad()
    assert x.grad is None


def test_shared_gradient_arrays_are_not_corrupted_by_accumulation(device):
    """Add's backward hands the same gradient to both inputs; accumulating into one must not change the other."""
    a = tl.tensor([1.0], requires_grad=True, device=device)
    b = tl.tensor([1.0], requires_grad=True, device=device)
    (a + b).sum().backward()
    (a * 5).sum().backward()
    assert a.grad.tolist() == [6.0] and b.grad.tolist() == [1.0]


def test_diamond_graph(device):
    x = tl.tensor(1.5, requires_grad=True, device=device)
    a = x.sin()
    b = a * a  # both paths from x meet again
    c = a.exp() + b
    c.backward()
    expected = np.cos(1.5) * (np.exp(np.sin(1.5)) + 2 * np.sin(1.5))
    np.testing.assert_allclose(x.grad.item(), expected, rtol=1e-6)


def test_backward_of_a_non_scalar_needs_grad(device):
    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match=r"backward: output has shape \(3,\), pass grad="):
        (x * 2).backward()
    (x * 2).backward(tl.tensor([1.0, 0.0, -1.0], device=device))
    np.testing.assert_allclose(x.grad.cpu().numpy(), [2.0, 0.0, -2.0])
    with pytest.raises(RuntimeError, match="gradient has shape"):
        (x * 2).backward(tl.ones(2, device=device))


def test_backward_on_a_tensor_without_grad_says_why(device):
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.tensor([1.0], device=device).sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.tensor([1, 2], device=device).sum().backward()  # backward through an integer tensor


def test_no_grad_and_enable_grad(device):
    x = tl.tensor([1.0], requires_grad=True, device=device)
    with tl.no_grad():
        assert not tl.is_grad_enabled()
        y = x * 2
        with tl.enable_grad():
            z = x * 2
    assert tl.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @tl.no_grad()
    def evaluate(t):
        return t * 2

    assert not evaluate(x).requires_grad
    assert tl.is_grad_enabled()


def test_grad_returns_gradients_without_touching_dot_grad(device):
    x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    y = tl.tensor([3.0], requires_grad=True, device=device)
    gx, gy = tl.grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.cpu().numpy(), [3.0, 3.0])
    np.testing.assert_allclose(gy.cpu().numpy(), [3.0])
    assert x.grad is None and y.grad is None
    assert not gx.requires_grad  # no graph without create_graph


def test_grad_with_respect_to_an_intermediate_tensor(device):
    x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    h = x * 3
    loss = (h * h).sum()
    (gh,) = tl.grad(loss, h)
    np.testing.assert_allclose(gh.cpu().numpy(), [6.0, 12.0])


def test_grad_unused_input(device):
    x = tl.tensor([1.0], requires_grad=True, device=device)
    unused = tl.tensor([1.0], requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match=r"grad: input 1 was not used to compute the output \(pass allow_unused=True\)"):
        tl.grad((x * 2).sum(), [x, unused])
    gx, gu = tl.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_grad_bad_arguments(device):
    x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="output 0 .* does not require grad"):
        tl.grad(tl.tensor(1.0, device=device), x)
    with pytest.raises(RuntimeError, match=r"output 0 has shape \(2,\), pass grad_outputs="):
        tl.grad(x * 2, x)
    with pytest.raises(RuntimeError, match="input 0 .* does not require grad"):
        tl.grad((x * 2).sum(), tl.tensor([1.0], device=device))
    (g,) = tl.grad(x * 2, x, grad_outputs=tl.tensor([1.0, 10.0], device=device))
    assert g.tolist() == [2.0, 20.0]


def test_double_backward_gives_the_lectures_hessian(device):
    """L = (1 − w1·w2)² at the origin: g = 0, H = [[0, −2], [−2, 0]], eigenvalues ±2 (a saddle)."""
    w = tl.tensor([0.0, 0.0], dtype=tl.float64, requires_grad=True, device=device)
    loss = (1 - w[0] * w[1]) ** 2
    (g,) = tl.grad(loss, w, create_graph=True)
    np.testing.assert_allclose(g.cpu().numpy(), [0.0, 0.0])
    hessian = np.stack([tl.grad(g[i], w)[0].cpu().numpy() for i in range(2)])
    np.testing.assert_allclose(hessian, [[0.0, -2.0], [-2.0, 0.0]])
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [-2.0, 2.0])


def test_backward_create_graph_then_third_derivative(device):
    x = tl.tensor(0.7, dtype=tl.float64, requires_grad=True, device=device)
    (d1,) = tl.grad(x ** 4, x, create_graph=True)
    (d2,) = tl.grad(d1, x, create_graph=True)
    (d3,) = tl.grad(d2, x)
    np.testing.assert_allclose([d1.item(), d2.item(), d3.item()], [4 * 0.7 ** 3, 12 * 0.7 ** 2, 24 * 0.7])


def test_backward_with_create_graph_fills_grad_with_a_graph(device):
    x = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True, device=device)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (h,) = tl.grad(x.grad.sum(), x)
    np.testing.assert_allclose(h.cpu().numpy(), [6.0, 12.0])


def test_a_chain_of_100000_ops_backpropagates(device):
    x = tl.tensor([1.0], dtype=tl.float64, requires_grad=True, device=device)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    del y  # freeing the chain must not overflow the C stack either


def test_dropping_the_output_frees_every_intermediate(device):
    gc.disable()
    try:
        x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
        intermediates = []
        y = x
        for _ in range(20):
            y = (y * 1.5).tanh()
            intermediates.append(weakref.ref(y))
        loss = y.sum()
        loss.backward()
        functions = [weakref.ref(r().grad_fn) for r in intermediates]
        del y, loss
        assert all(r() is None for r in intermediates), "the graph kept tensors alive (a reference cycle?)"
        assert all(f() is None for f in functions)
    finally:
        gc.enable()


def test_leaves_used_by_no_op_keep_no_graph(device):
    x = tl.tensor([1.0], requires_grad=True, device=device)
    y = x * 2
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None


def test_cast_gradient_has_the_input_dtype(device):
    x = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True, device=device)
    (x.float() * 3).sum().backward()
    assert x.grad.dtype == tl.float64
    np.testing.assert_allclose(x.grad.cpu().numpy(), [3.0, 3.0])


def test_custom_function_and_a_wrong_gradient_shape(device):
    class Double(tl.Function):
        def forward(self, x):
            return x * 2

        def backward(self, grad_output):
            return grad_output.sum()  # wrong shape on purpose

    x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match=r"backward of Double returned a gradient of shape \(\) for an input of shape \(2,\)"):
        Double.apply(x).sum().backward()


@pytest.mark.parametrize("create_graph", [False, True])
def test_custom_function_whose_backward_returns_an_array(device, create_graph):
    class Double(tl.Function):
        def forward(self, x):
            return x * 2

        def backward(self, grad_output):
            return grad_output.data * 2  # an array, not a Tensor

    x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    with pytest.raises(TypeError, match=r"backward of Double returned a ndarray as a gradient, expected a Tensor"):
        Double.apply(x).sum().backward(create_graph=create_graph)


def test_detect_anomaly_names_the_forward_op(device):
    x = tl.tensor([0.0, 1.0], requires_grad=True, device=device)
    with tl.detect_anomaly(), np.errstate(divide="ignore"):
        with pytest.raises(FloatingPointError, match=r"forward of Log produced -inf .*test_autograd.py"):
            x.log()
    with np.errstate(divide="ignore"):
        x.log()  # outside the context nothing is checked


def test_detect_anomaly_names_the_backward_op(device):
    x = tl.tensor([0.0, 4.0], requires_grad=True, device=device)
    with tl.detect_anomaly():
        y = x.sqrt().sum()  # fine forward, infinite derivative at 0
        with pytest.raises(FloatingPointError, match=r"backward of Sqrt \(in its Div\) produced inf .*test_autograd.py"):
            with np.errstate(divide="ignore"):
                y.backward()


@pytest.mark.parametrize("make_error, message", [
    (lambda d: tl.ones(3, 4, device=d) @ tl.ones(5, 2, device=d), r"matmul: shapes \(3, 4\) and \(5, 2\) do not align \(4 != 5\)"),
    (lambda d: tl.ones(3, device=d) + tl.ones(4, device=d), r"add: inputs \(3,\) float32, \(4,\) float32: .*broadcast"),
    (lambda d: tl.ones(2, 3, device=d).reshape(4), r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4,\)"),
    (lambda d: tl.ones(2, 3, device=d).sum(axis=2), r"sum: axis 2 is out of range for a tensor of shape \(2, 3\)"),
    (lambda d: tl.ones(3, device=d)[5], r"getitem: inputs \(3,\) float32: [Ii]ndex 5 is out of bounds"),
    (lambda d: tl.ones(3, device=d)[1.5], r"getitem: unsupported index 1.5"),
    (lambda d: tl.concatenate([tl.ones(2, 3, device=d), tl.ones(2, 4, device=d)]), r"concatenate: shapes \(2, 3\) and \(2, 4\) differ outside axis 0"),
    (lambda d: tl.stack([tl.ones(2, device=d), tl.ones(3, device=d)]), r"stack: all tensors must have one shape"),
    (lambda d: tl.concatenate([np.zeros((2, 2)), tl.zeros(2, 1, device=d)], axis=-1),
     r"concatenate: item 0 is a ndarray, expected a Tensor"),
    (lambda d: tl.ones(2, 3, device=d).squeeze(0), r"squeeze: axis 0 of shape \(2, 3\) has length 2, not 1"),
    (lambda d: tl.ones(2, 3, 4, device=d).transpose(0, 0, 1), r"transpose: axes \(0, 0, 1\) are not a permutation"),
    (lambda d: tl.ones(3, device=d).clip(2, 1), r"clip: min \(2\) is larger than max \(1\)"),
    (lambda d: tl.ones(1, device=d).var(ddof=1), r"var: 1 elements .* no degrees of freedom"),
])
def test_errors_name_the_op_and_the_shapes(make_error, message, device):
    with pytest.raises((ValueError, IndexError, TypeError), match=message):
        make_error(device)


@pytest.mark.skipif(not tl.cuda.is_available(), reason="needs a CUDA GPU with CuPy")
def test_mixing_devices_is_an_error():
    with pytest.raises(RuntimeError, match=r"mul: inputs are on different devices \(cpu, cuda\)"):
        tl.ones(2) * tl.ones(2, device="cuda")


@pytest.mark.skipif(not tl.cuda.is_available(), reason="needs a CUDA GPU with CuPy")
def test_gradients_flow_across_devices():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    (x.cuda() * 3).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [3.0, 3.0]


def test_asking_for_cuda_without_cupy_says_how_to_install(monkeypatch):
    from tinygrad_lite import backend

    monkeypatch.setattr(backend, "_cupy", None)  # as on a machine where importing CuPy failed
    monkeypatch.setattr(backend, "_cupy_error", ImportError("No module named 'cupy'"))
    with pytest.raises(RuntimeError, match="Install CuPy"):
        tl.ones(2, device="cuda")


def test_the_weight_gradient_of_x_at_w_transposed_is_contiguous(device):
    """y = x @ Wᵀ (a linear layer): W.grad comes out in W's own layout, so optimizers read it fast."""
    W = tl.randn(4, 3, dtype=tl.float64, requires_grad=True, device=device)
    x = tl.randn(5, 3, dtype=tl.float64, requires_grad=True, device=device)
    (x @ W.T).tanh().sum().backward()
    assert W.grad.data.flags.c_contiguous
    assert tl.gradgradcheck(lambda x, W: (x @ W.T).tanh(), [x, W])
    columns = tl.randn(3, 5, dtype=tl.float64, requires_grad=True, device=device)  # its .T is a transposed view
    assert tl.gradgradcheck(lambda c, W: (c.T @ W.T).tanh(), [columns, W])
