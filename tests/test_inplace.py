"""In-place ops and the version counter: values against NumPy, gradients against closed forms and finite
differences, and PyTorch's errors where a backward would otherwise read values that were changed."""

import numpy as np
import pytest

import tinygrad_lite as tl


def _x(device, values=(1.0, -2.0, 3.0), requires_grad=False, dtype=None):
    return tl.tensor(list(values), requires_grad=requires_grad, device=device, dtype=dtype)


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, call, expected", [
    ("add_", lambda x: x.add_(1.0), [2.0, -1.0, 4.0]),
    ("add_alpha", lambda x: x.add_(tl.tensor([1.0, 1.0, 1.0], device=x.device), alpha=2), [3.0, 0.0, 5.0]),
    ("sub_", lambda x: x.sub_(1.0), [0.0, -3.0, 2.0]),
    ("sub_alpha", lambda x: x.sub_(2.0, alpha=0.5), [0.0, -3.0, 2.0]),
    ("mul_", lambda x: x.mul_(2.0), [2.0, -4.0, 6.0]),
    ("div_", lambda x: x.div_(2.0), [0.5, -1.0, 1.5]),
    ("zero_", lambda x: x.zero_(), [0.0, 0.0, 0.0]),
    ("fill_", lambda x: x.fill_(7), [7.0, 7.0, 7.0]),
    ("fill_tensor", lambda x: x.fill_(tl.tensor(4.0, device=x.device)), [4.0, 4.0, 4.0]),
    ("copy_", lambda x: x.copy_(tl.tensor([5, 6, 7], device=x.device)), [5.0, 6.0, 7.0]),
    ("copy_broadcast", lambda x: x.copy_(tl.tensor([9.0], device=x.device)), [9.0, 9.0, 9.0]),
    ("clamp_", lambda x: x.clamp_(min=-1.0, max=2.0), [1.0, -1.0, 2.0]),
    ("clip_", lambda x: x.clip_(max=0.0), [0.0, -2.0, 0.0]),
    ("relu_", lambda x: x.relu_(), [1.0, 0.0, 3.0]),
    ("masked_fill_", lambda x: x.masked_fill_(x < 0, 0.5), [1.0, 0.5, 3.0]),
    ("setitem", lambda x: x.__setitem__(slice(0, 2), 0.0) or x, [0.0, 0.0, 3.0]),
])
def test_inplace_op_changes_the_tensor_itself(name, call, expected, device):
    x = _x(device)
    alias = x.detach()  # shares x's memory, as in PyTorch
    out = call(x)
    assert out is x
    np.testing.assert_allclose(x.cpu().numpy(), expected)
    np.testing.assert_allclose(alias.cpu().numpy(), expected)
    assert x._version == 1 and alias._version == 1
    assert x.dtype == tl.float32


def test_augmented_assignment_is_in_place(device):
    x = _x(device)
    before = x
    x += 1
    x -= tl.tensor([1.0, 1.0, 1.0], device=device)
    x *= 3
    x /= 2
    assert x is before and x._version == 4
    np.testing.assert_allclose(x.cpu().numpy(), [1.5, -3.0, 4.5])


def test_integer_tensors_keep_their_dtype(device):
    x = tl.tensor([1, 2, 3], device=device)
    x += 2
    x *= 3
    assert x.dtype == tl.int64 and x.tolist() == [9, 12, 15]
    x.fill_(2.7)  # fill_ and copy_ cast as PyTorch's do
    assert x.tolist() == [2, 2, 2]


def test_a_view_changes_its_base(device):
    x = tl.zeros(2, 3, device=device)
    row = x[1]
    row.fill_(5.0)
    x[0, :2] = 1.0
    x.reshape(6)[5] = -1.0
    np.testing.assert_allclose(x.cpu().numpy(), [[1, 1, 0], [5, 5, -1]])
    assert x._version == 3 and row._version == 3


def test_random_fills_follow_the_seed(device):
    tl.manual_seed(3)
    u = tl.zeros(2000, device=device).uniform_(-2.0, 4.0)
    tl.manual_seed(3)
    again = tl.zeros(2000, device=device).uniform_(-2.0, 4.0)
    np.testing.assert_array_equal(u.cpu().numpy(), again.cpu().numpy())
    assert -2.0 <= u.cpu().numpy().min() and u.cpu().numpy().max() < 4.0
    assert abs(u.cpu().numpy().mean() - 1.0) < 0.15  # mean (a + b)/2, standard error 6/√12/√2000 ≈ 0.04
    n = tl.zeros(4000, dtype=tl.float64, device=device).normal_(mean=3.0, std=0.5)
    assert abs(n.cpu().numpy().mean() - 3.0) < 0.05 and abs(n.cpu().numpy().std() - 0.5) < 0.05


# --- the hand-written training loop ---------------------------------------------------------------


def test_hand_written_sgd_loop_of_the_tutorials(device):
    """``with no_grad(): w -= w.grad * lr; w.grad.zero_()``: gradient descent on L = Σ (w − t)², which
    contracts the error by (1 − 2η) every step: w_k − t = (1 − 2η)^k (w_0 − t)."""
    target = np.array([1.0, -2.0])
    w = tl.tensor([0.0, 0.0], requires_grad=True, device=device, dtype=tl.float64)
    t = tl.tensor(target, device=device)
    lr = 0.1
    for _ in range(5):
        loss = ((w - t) ** 2).sum()
        loss.backward()
        with tl.no_grad():
            w -= w.grad * lr
            w.grad.zero_()
    np.testing.assert_allclose(w.cpu().numpy() - target, (1 - 2 * lr) ** 5 * (0 - target), rtol=1e-12)
    assert w.is_leaf and w.requires_grad and w.grad.tolist() == [0.0, 0.0]


def test_zeroing_one_gradient_leaves_the_others_alone(device):
    """a + b hands one gradient array to both leaves; changing a.grad in place must not change b.grad."""
    a = _x(device, requires_grad=True)
    b = _x(device, requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    b.grad[0] = 9.0
    assert a.grad.tolist() == [0.0, 0.0, 0.0]
    assert b.grad.tolist() == [9.0, 1.0, 1.0]
    w = _x(device, requires_grad=True)
    w.sum().backward()  # the gradient is a broadcast of one number: read-only until copied
    w.grad.add_(1.0)
    assert w.grad.tolist() == [2.0, 2.0, 2.0]


# --- in a graph -----------------------------------------------------------------------------------


def test_inplace_op_in_a_graph_is_differentiated(device):
    x = _x(device, requires_grad=True, dtype=tl.float64)
    y = x * 2
    y.mul_(x)  # y = 2x², dy/dx = 4x
    y.add_(1.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 4 * x.cpu().numpy())
    assert y._version == 2 and type(y.grad_fn).__name__ == "Add"


def test_ops_recorded_before_the_change_keep_the_old_values_graph(device):
    """z = y + 1 is recorded before y.mul_(3): z still depends on the old y (dz/dx = 2), the new y on 3·old."""
    x = _x(device, requires_grad=True)
    y = x * 2
    z = y + 1
    y.mul_(3)
    (z.sum() + y.sum()).backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [8.0, 8.0, 8.0])


def test_a_constant_changed_by_a_tensor_that_requires_grad_joins_the_graph(device):
    c = tl.zeros(3, device=device)
    w = _x(device, requires_grad=True)
    c.add_(w * w)
    assert c.requires_grad and not c.is_leaf
    c.sum().backward()
    np.testing.assert_allclose(w.grad.cpu().numpy(), 2 * w.cpu().numpy())


def test_setitem_in_a_graph_sends_gradients_to_both_sides(device):
    x = _x(device, requires_grad=True, dtype=tl.float64)
    v = tl.tensor(5.0, requires_grad=True, device=device, dtype=tl.float64)
    y = x * 1
    y[1] = v * v  # y = (x0, v², x2)
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [2.0, 0.0, 6.0])  # the overwritten position gets no gradient
    np.testing.assert_allclose(v.grad.item(), 4 * 5.0 ** 3)  # d(v⁴)/dv


def test_inplace_graphs_pass_gradcheck_and_gradgradcheck(device):
    def f(x, v):
        y = x * x
        y[0] = v.sum() * x[1]
        y.mul_(x)
        y.clamp_(-10.0, 10.0)
        y.masked_fill_(y > 9.0, 9.0)
        return y

    rng = np.random.default_rng(0)
    x = tl.tensor(rng.uniform(0.5, 1.5, 4), requires_grad=True, dtype=tl.float64, device=device)
    v = tl.tensor(rng.uniform(0.5, 1.5, 2), requires_grad=True, dtype=tl.float64, device=device)
    assert tl.gradcheck(f, (x, v))
    assert tl.gradgradcheck(f, (x, v))


# --- PyTorch's errors -----------------------------------------------------------------------------


def test_a_leaf_that_requires_grad_cannot_change_in_a_graph(device):
    w = _x(device, requires_grad=True)
    for change in (lambda: w.add_(1.0), lambda: w.zero_(), lambda: w.__setitem__(0, 1.0)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            change()
    with pytest.raises(RuntimeError, match="add_: a leaf Variable that requires grad"):
        w += 0
    assert w._version == 0  # nothing changed: every attempt above was refused before writing


def test_changing_a_saved_input_makes_backward_raise(device):
    x = _x(device, requires_grad=True)
    y = x * 2
    z = y * y  # Mul keeps y for its backward
    y.add_(1.0)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: input 0 of Mul .* changed by add_"):
        z.sum().backward()


def test_changing_a_saved_output_makes_backward_raise(device):
    x = _x(device, requires_grad=True)
    y = x.exp()  # Exp keeps its output: dy/dx = y
    with tl.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match="the output of Exp, which its backward reads, was changed by mul_"):
        y.sum().backward()


def test_changing_an_input_that_backward_does_not_read_is_fine(device):
    x = _x(device, requires_grad=True)
    c = _x(device)
    y = (x + c).sum()  # Add reads no values
    c.mul_(10.0)
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_changing_a_view_of_a_saved_tensor_makes_backward_raise(device):
    w = _x(device, requires_grad=True)
    data = _x(device)
    y = (w * data).sum()  # Mul keeps data
    data[0].zero_()  # through a view
    with pytest.raises(RuntimeError, match="input 1 of Mul .* changed by zero_"):
        y.backward()


def test_an_optimizer_step_makes_a_stale_graph_raise(device):
    w = _x(device, requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    tl.optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match=r"input \d of Mul .* changed by SGD.step"):
        loss.backward()


def test_dtype_and_shape_cannot_change(device):
    ints = tl.tensor([1, 2, 3], device=device)
    with pytest.raises(RuntimeError, match="div_: result type float32 can't be cast to the dtype .* int64"):
        ints /= 2
    with pytest.raises(RuntimeError, match="add_: result type float32 can't be cast"):
        ints.add_(0.5)
    x = _x(device)
    with pytest.raises(RuntimeError, match=r"add_: the result has shape \(2, 3\) but the tensor changed in place"):
        x.add_(tl.ones(2, 3, device=device))
    assert ints.tolist() == [1, 2, 3] and ints._version == 0 and x._version == 0


def test_a_broadcast_view_cannot_be_written(device):
    if device != "cpu":
        pytest.skip("NumPy marks broadcast views read-only; CuPy's are writable")
    x = tl.zeros(3, device=device).broadcast_to((2, 3))
    with pytest.raises(RuntimeError, match=r"fill_: cannot write into this tensor .* \.clone\(\) it"):
        x.fill_(1.0)


def test_a_view_cannot_change_in_place_inside_a_graph(device):
    x = _x(device, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="mul_: this tensor .* is a view of another one"):
        y[0:2].mul_(3.0)


def test_a_view_made_before_its_base_changed_in_a_graph_raises(device):
    x = _x(device, requires_grad=True)
    y = x * 2
    first = y[0:2]  # a view of the old y
    y.mul_(3.0)
    z = first * 1.0  # uses the view after y changed
    with pytest.raises(RuntimeError, match="a view of a tensor that an in-place op changed in the graph"):
        z.sum().backward()


# --- grad mode ------------------------------------------------------------------------------------


def test_set_grad_enabled_as_call_context_and_decorator(device):
    x = _x(device, requires_grad=True)
    tl.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        tl.set_grad_enabled(True)
    with tl.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @tl.set_grad_enabled(False)
    def evaluate():
        return x * 2

    assert tl.is_grad_enabled() and not evaluate().requires_grad and tl.is_grad_enabled()
    with tl.inference_mode():
        assert not (x * 2).requires_grad
    with tl.no_grad(), tl.inference_mode(False):
        assert (x * 2).requires_grad


def test_grad_mode_belongs_to_one_thread(device):
    """Four threads train four models; one of them evaluates under no_grad all the time. Each gets the
    numbers it gets alone (grad mode is per thread, as in PyTorch)."""
    import threading

    def train(seed: int, evaluate: bool) -> list[float]:
        rng = np.random.default_rng(seed)
        w = tl.tensor(rng.normal(size=3), requires_grad=True, dtype=tl.float64, device=device)
        xs = tl.tensor(rng.normal(size=(16, 3)), dtype=tl.float64, device=device)
        ys = xs @ tl.tensor([1.0, -1.0, 2.0], dtype=tl.float64, device=device)
        opt = tl.optim.SGD([w], lr=0.05)
        for _ in range(40):
            if evaluate:
                with tl.no_grad():
                    ((xs @ w - ys) ** 2).mean()
            opt.zero_grad()
            ((xs @ w - ys) ** 2).mean().backward()
            opt.step()
        return w.tolist()

    alone = [train(seed, seed == 0) for seed in range(4)]
    results: dict[int, list[float]] = {}
    errors: list[BaseException] = []

    def run(seed):
        try:
            results[seed] = train(seed, seed == 0)
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert [results[seed] for seed in range(4)] == alone


def test_a_new_thread_starts_with_grad_enabled(device):
    import threading

    seen = []
    with tl.no_grad():
        thread = threading.Thread(target=lambda: seen.append(tl.is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]
