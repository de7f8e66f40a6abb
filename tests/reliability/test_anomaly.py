"""Anomaly mode: ``tl.detect_anomaly()`` names the op, forward or backward, that first made NaN or inf,
with its inputs' shapes, dtypes and value ranges, and the line of the user's code that created the op.

The basics (forward of Log, backward of Sqrt) are tested in tests/test_autograd.py; these tests cover
the rest of the report and the context manager's behaviour.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's own overflow warnings


def _line_of(marker: str) -> int:
    """The line number in this file of the line that ends with ``# marker``."""
    lines, _ = inspect.getsourcelines(inspect.getmodule(_line_of))
    return next(i + 1 for i, line in enumerate(lines) if line.rstrip().endswith(f"# {marker}"))


def test_forward_report_names_the_op_the_value_and_the_input_ranges(device):
    x = tl.tensor([[-1.0, 4.0], [9.0, 16.0]], requires_grad=True, device=device)
    with tl.detect_anomaly(), pytest.raises(FloatingPointError) as info:
        x.sqrt()  # sqrt of a negative
    message = str(info.value)
    assert message.startswith("detect_anomaly: forward of Sqrt produced nan")
    assert "inputs: (2, 2) float32 in [-1, 16]" in message


def test_the_report_points_at_the_users_line(device):
    x = tl.tensor([1000.0], device=device)
    with tl.detect_anomaly(), pytest.raises(FloatingPointError) as info:
        y = x * 2
        y.exp()  # overflow here
    message = str(info.value)
    assert "forward of Exp produced inf" in message
    assert f'{__file__}", line {_line_of("overflow here")}, in test_the_report_points_at_the_users_line' in message
    assert "y.exp()" in message


def test_a_backward_anomaly_points_at_the_forward_line_not_at_backward(device):
    """The op whose derivative blows up was created in the forward pass: that is the line to show."""
    x = tl.tensor([0.0, 1.0], requires_grad=True, device=device)
    with tl.detect_anomaly():
        loss = x.sqrt().sum()  # infinite slope at 0
        with pytest.raises(FloatingPointError) as info:
            loss.backward()
    message = str(info.value)
    assert message.startswith("detect_anomaly: backward of Sqrt")
    assert "inputs: (2,) float32 in [0, 1]" in message
    assert f'line {_line_of("infinite slope at 0")}' in message


@pytest.mark.parametrize("make, bad", [
    (lambda d: tl.tensor([-1.0], device=d).log(), "nan"),
    (lambda d: tl.tensor([0.0], device=d).log(), "-inf"),
    (lambda d: tl.tensor([1.0], device=d) / tl.tensor([0.0], device=d), "inf"),
    (lambda d: tl.tensor([1e30], device=d) * tl.tensor([-1e30], device=d), "-inf"),
])
def test_the_report_says_which_of_nan_inf_and_minus_inf(make, bad, device):
    with tl.detect_anomaly(), pytest.raises(FloatingPointError, match=f"produced {bad} "):
        make(device)


def test_nan_data_is_reported_at_the_first_op_that_uses_it(device):
    data = tl.tensor([[1.0, np.nan], [0.5, 2.0]], device=device)
    model = tl.nn.Linear(2, 1).to(device)
    with tl.detect_anomaly(), pytest.raises(FloatingPointError) as info:
        model(data)
    message = str(info.value)
    assert "forward of Linear produced nan" in message
    assert "(2, 2) float32 in [0.5, 2] with nan" in message  # the range of the finite values, and a warning


def test_a_diverging_training_run_is_stopped_at_the_overflowing_op(device):
    """The classic: a learning rate far too large makes the weights overflow after a few steps."""
    w = tl.tensor([1.0], requires_grad=True, device=device)
    opt = tl.optim.SGD([w], lr=1e6)
    with tl.detect_anomaly(), pytest.raises(FloatingPointError, match=r"forward of PowConstant produced inf"):
        for _ in range(20):
            opt.zero_grad()
            (w ** 4).sum().backward()
            opt.step()


def test_an_op_inside_a_backward_is_reported_as_that_backward(device):
    """log_softmax's backward runs one op, LogSoftmaxGrad (g − softmax · Σ g): in float16 (largest value
    65504) the sum of two gradients of 40,000 overflows, and the report blames LogSoftmax's backward,
    naming the op it ran."""
    logits = tl.tensor([[0.0, 0.0]], dtype=tl.float16, requires_grad=True, device=device)
    weights = tl.tensor([[40000.0, 40000.0]], dtype=tl.float16, device=device)
    with tl.detect_anomaly():
        loss = (F.log_softmax(logits) * weights).sum()  # forward: 2 · (−0.69 · 40,000), finite
        with pytest.raises(FloatingPointError, match=r"backward of LogSoftmax \(in its LogSoftmaxGrad\) produced -inf "
                                                     r"\(inputs: \(1, 2\) float16 in \[0, 0\]\)"):
            loss.backward()


def test_second_derivatives_are_checked_too(device):
    """With create_graph=True the backward pass records ops; differentiating it again must still report."""
    x = tl.tensor([0.0, 1.0], requires_grad=True, device=device)
    with tl.detect_anomaly():
        (g,) = tl.grad((x ** 3).sum(), x, create_graph=True)  # 3x², finite
        with pytest.raises(FloatingPointError, match=r"backward of Sqrt"):
            tl.grad(g.sqrt().sum(), x)  # d√(3x²)/dx is infinite at 0


def test_an_op_made_before_the_context_still_gets_its_backward_checked(device):
    x = tl.tensor([0.0], requires_grad=True, device=device)
    loss = x.sqrt().sum()  # recorded outside detect_anomaly: its place is unknown
    with tl.detect_anomaly(), pytest.raises(FloatingPointError) as info:
        loss.backward()
    assert "backward of Sqrt" in str(info.value)
    assert "created outside detect_anomaly()" in str(info.value)


def test_finite_results_and_integer_ops_raise_nothing(device):
    x = tl.tensor([1.0, 2.0], requires_grad=True, device=device)
    labels = tl.tensor([0, 1], device=device)
    with tl.detect_anomaly():
        loss = F.cross_entropy(tl.stack([x, -x]), labels) + (labels * 2).sum()
        loss.backward()
        F.binary_cross_entropy_with_logits(tl.tensor([1e4, -1e4], device=device), tl.tensor([0.0, 1.0], device=device))
    assert np.isfinite(x.grad.cpu().numpy()).all()


def test_the_mode_ends_with_its_block_even_after_an_error(device):
    x = tl.tensor([-1.0], device=device)
    with pytest.raises(FloatingPointError):
        with tl.detect_anomaly():
            x.log()
    x.log()  # nan, silently again: the mode did not leak out of its block


def test_nested_blocks_and_the_decorator(device):
    @tl.detect_anomaly()
    def bad(t):
        return t.log()

    x = tl.tensor([-1.0], device=device)
    with tl.detect_anomaly():
        with tl.detect_anomaly():
            pass
        with pytest.raises(FloatingPointError):  # still on after the inner block ended
            x.log()
    with pytest.raises(FloatingPointError, match="forward of Log"):
        bad(x)
    x.log()  # off again after the decorated call
