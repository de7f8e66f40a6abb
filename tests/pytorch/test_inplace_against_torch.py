"""The same in-place programs, word for word, on tinygrad_lite and on PyTorch: the same values, the same
gradients, the same versions, and an error in the same places."""

import numpy as np
import pytest

import tinygrad_lite as tl

torch = pytest.importorskip("torch")


def _run(program, lib):
    """The program's result as NumPy arrays (or the type of error it raised)."""
    try:
        out = program(lib)
    except RuntimeError:
        return "RuntimeError"
    return [np.asarray(o.detach().numpy() if hasattr(o, "detach") else o, dtype=np.float64) for o in out]


def relinked_in_a_graph(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y + 1  # recorded before the change: depends on the old y
    y.mul_(x)
    y.add_(1.0, alpha=2)
    (z.sum() + (y * y).sum()).backward()
    return [y, x.grad, y._version]


def setitem_in_a_graph(lib):
    x = lib.tensor([1.0, -2.0, 3.0, 0.5], requires_grad=True)
    v = lib.tensor([4.0, 5.0], requires_grad=True)
    y = x.exp()
    y = y * 1  # exp keeps its output, so change a copy
    y[1:3] = v * v
    y[0] = 2.0
    (y * x).sum().backward()
    return [y, x.grad, v.grad]


def constant_joins_the_graph(lib):
    c = lib.zeros(3)
    w = lib.tensor([1.0, 2.0, -1.0], requires_grad=True)
    c.add_(w * w)
    c.clamp_(max=3.0)
    c.masked_fill_(c < 1.5, -1.0)
    c.sum().backward()
    return [c, w.grad]


def hand_written_sgd(lib):
    w = lib.tensor([0.5, -1.0], requires_grad=True)
    x = lib.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    t = lib.tensor([1.0, 0.0, 2.0])
    for _ in range(4):
        loss = ((x @ w - t) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            w -= w.grad * 0.1
            w.grad.zero_()
    return [w, w._version]


def integer_augmented_assignment(lib):
    n = lib.tensor([1, 2, 3])
    n += 2
    n *= 3
    n.fill_(2.5)
    n.copy_(lib.tensor([1.9, -1.9, 7.0]))
    return [n, n._version]


def views_share_the_version(lib):
    x = lib.zeros(2, 3)
    row = x[1]
    row.fill_(5.0)
    x[0, :2] = 1.0
    d = x.detach()
    d.mul_(2.0)
    return [x, x._version, row._version, d._version]


def saved_input_changed(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1.0)
    z.sum().backward()
    return [x.grad]


def saved_output_changed(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    with lib.no_grad():
        y.mul_(2.0)
    y.sum().backward()
    return [x.grad]


def unread_input_changed(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    c = lib.tensor([3.0, 4.0])
    y = (x + c).sum()
    c.mul_(10.0)
    y.backward()
    return [x.grad]


def leaf_changed_in_a_graph(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w.add_(1.0)
    return [w]


def int_true_division(lib):
    n = lib.tensor([1, 2, 3])
    n /= 2
    return [n]


PROGRAMS = [relinked_in_a_graph, setitem_in_a_graph, constant_joins_the_graph, hand_written_sgd,
            integer_augmented_assignment, views_share_the_version, saved_input_changed, saved_output_changed,
            unread_input_changed, leaf_changed_in_a_graph, int_true_division]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_same_program_same_result(program):
    ours, theirs = _run(program, tl), _run(program, torch)
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs
        return
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
