"""Per-op cost on a tiny tensor: what one op costs in tinygrad_lite next to the same NumPy expression.

On a 10-element tensor the arithmetic is free, so this measures pure framework overhead: building the
output Tensor, recording the graph, and (forward+backward) walking it back. Run:

    python benchmarks/bench_ops.py [--plot PATH]

The figure goes to docs/figures/bench_ops.png; --plot "" for none.
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np
from plotting import add_plot_option, default_path, grouped_bars, plain_log_labels, pyplot, save
from timing import QUICK_HELP

import tinygrad_lite as tl

REPEATS, NUMBER = 7, 2000
COLUMNS = ("numpy", "no-grad", "forward", "fwd+bwd")  # the table's timings, in the plot's legend


def _median_microseconds(statement) -> float:
    times = timeit.repeat(statement, repeat=REPEATS, number=NUMBER)
    return float(np.median(times)) / NUMBER * 1e6


def plot_rows(rows: dict[str, tuple[float, float, float, float]], path: str) -> None:
    """Grouped bars, one group per op: the table's four columns in µs."""
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(13, 4.5))
    # 52 bars: the values are in the table, the figure shows the pattern
    grouped_bars(ax, list(rows), {column: [row[i] for row in rows.values()] for i, column in enumerate(COLUMNS)},
                 label_format=None)
    # log y: the NumPy bars are tens of times shorter than the framework's and would vanish on a linear axis
    ax.set(yscale="log", ylabel="µs per call (median, log scale)")
    plain_log_labels(ax.yaxis)
    ax.tick_params(axis="x", labelrotation=20)
    ax.legend(ncols=len(COLUMNS), loc="lower center", bbox_to_anchor=(0.5, 1), frameon=False)
    fig.suptitle("Per-op cost on a 10-element float32 tensor: NumPy next to tinygrad_lite")
    save(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_plot_option(parser, default_path("ops"))
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP)
    args = parser.parse_args()
    if args.quick:
        global REPEATS, NUMBER
        REPEATS, NUMBER = 1, 10
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
    rows = {}
    for name, (numpy_op, tl_op) in cases.items():
        numpy_time = _median_microseconds(numpy_op)
        no_grad_time = _median_microseconds(lambda op=tl_op: op(a_const, b_const))
        forward_time = _median_microseconds(lambda op=tl_op: op(a, b))

        def forward_backward(op=tl_op):
            out = op(a, b)
            tl.grad(out, [a], grad_outputs=tl.Tensor._make(np.ones_like(out.data)), allow_unused=True)

        both_time = _median_microseconds(forward_backward)
        print(f"{name:<14} {numpy_time:>9.2f} {no_grad_time:>11.2f} {forward_time:>11.2f} {both_time:>11.2f}")
        rows[name] = (numpy_time, no_grad_time, forward_time, both_time)
    if args.plot:
        plot_rows(rows, args.plot)


if __name__ == "__main__":
    main()
