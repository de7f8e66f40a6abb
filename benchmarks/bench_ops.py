"""Per-op cost on a tiny tensor: what one op costs in tinygrad_lite next to the same NumPy expression.

On a 10-element tensor the arithmetic is free, so this measures pure framework overhead: building the
output Tensor, recording the graph, and (forward+backward) walking it back. Run:

    python benchmarks/bench_ops.py
"""

from __future__ import annotations

import timeit

import numpy as np

import tinygrad_lite as tl

REPEATS, NUMBER = 7, 2000


def _median_microseconds(statement) -> float:
    times = timeit.repeat(statement, repeat=REPEATS, number=NUMBER)
    return float(np.median(times)) / NUMBER * 1e6


def main() -> None:
    a_np = np.random.default_rng(0).uniform(0.5, 2.0, 10).astype(np.float32)
    b_np = np.random.default_rng(1).uniform(0.5, 2.0, 10).astype(np.float32)
    a = tl.tensor(a_np, requires_grad=True)
    b = tl.tensor(b_np, requires_grad=True)
    a_const, b_const = tl.tensor(a_np), tl.tensor(b_np)
    cases = {
        "add": (lambda: a_np + b_np, lambda x, y: x + y),
        "mul": (lambda: a_np * b_np, lambda x, y: x * y),
        "div": (lambda: a_np / b_np, lambda x, y: x / y),
        "exp": (lambda: np.exp(a_np), lambda x, y: x.exp()),
        "log": (lambda: np.log(a_np), lambda x, y: x.log()),
        "tanh": (lambda: np.tanh(a_np), lambda x, y: x.tanh()),
        "sigmoid": (lambda: 1 / (1 + np.exp(-a_np)), lambda x, y: x.sigmoid()),
        "relu": (lambda: np.maximum(a_np, 0), lambda x, y: x.relu()),
        "pow 2": (lambda: a_np ** 2, lambda x, y: x ** 2),
        "sum": (lambda: a_np.sum(), lambda x, y: x.sum()),
        "matmul (dot)": (lambda: a_np @ b_np, lambda x, y: x @ y),
        "getitem [2:5]": (lambda: a_np[2:5], lambda x, y: x[2:5]),
        "reshape": (lambda: a_np.reshape(2, 5), lambda x, y: x.reshape(2, 5)),
    }
    print(f"{'op':<14} {'numpy µs':>9} {'no-grad µs':>11} {'forward µs':>11} {'fwd+bwd µs':>11}")
    for name, (numpy_op, tl_op) in cases.items():
        numpy_time = _median_microseconds(numpy_op)
        no_grad_time = _median_microseconds(lambda op=tl_op: op(a_const, b_const))
        forward_time = _median_microseconds(lambda op=tl_op: op(a, b))

        def forward_backward(op=tl_op):
            out = op(a, b)
            tl.grad(out, [a], grad_outputs=tl.Tensor._make(np.ones_like(out.data)), allow_unused=True)

        both_time = _median_microseconds(forward_backward)
        print(f"{name:<14} {numpy_time:>9.2f} {no_grad_time:>11.2f} {forward_time:>11.2f} {both_time:>11.2f}")


if __name__ == "__main__":
    main()
