"""W8: one optimizer step at the MLP's size (the 784-256-256-10 network's six weight and bias arrays, 269,322
float32 numbers), for every optimizer, against ``torch.optim`` with its defaults (CPU, one thread) and against
a hand-written NumPy update with in-place arithmetic where the rule is short (SGD, SGD with momentum, Adam).

The gradients are fixed arrays set once, so only the update is timed: the state arrays and every parameter
are read and written each step, which is what an optimizer costs in a training step. Repeats are interleaved
and the table gives medians (µs per step) and the ratios of medians. Run:

    python benchmarks/bench_optim.py [--repeats 200]
"""

from __future__ import annotations

import argparse

import numpy as np
import threadpoolctl
from timing import QUICK_HELP, time_interleaved

import tinygrad_lite as tl

try:
    import torch
except ImportError:
    torch = None

SHAPES = [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)]

# name: (tinygrad_lite optimizer, the torch.optim class and arguments that make the same rule)
OPTIMIZERS = {
    "SGD": (lambda p: tl.optim.SGD(p, lr=0.01), lambda p: torch.optim.SGD(p, lr=0.01)),
    "SGD momentum=0.9": (lambda p: tl.optim.SGD(p, lr=0.01, momentum=0.9),
                         lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "Momentum (lecture)": (lambda p: tl.optim.Momentum(p, lr=0.01, momentum=0.9),
                           lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "Adagrad": (lambda p: tl.optim.Adagrad(p), lambda p: torch.optim.Adagrad(p)),
    "RMSProp": (lambda p: tl.optim.RMSProp(p), lambda p: torch.optim.RMSprop(p)),
    "Adam": (lambda p: tl.optim.Adam(p), lambda p: torch.optim.Adam(p)),
    "AdamW": (lambda p: tl.optim.AdamW(p), lambda p: torch.optim.AdamW(p)),
}


def arrays(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.05, size=shape).astype(np.float32) for shape in SHAPES]


def numpy_step(name: str, params, grads, state, t: list[int]):
    """The update written by hand with in-place NumPy arithmetic (None where no hand-written form is timed)."""
    if name == "SGD":
        def step():
            for p, g in zip(params, grads):
                p -= 0.01 * g
    elif name == "SGD momentum=0.9":
        buffers = [np.zeros_like(p) for p in params]

        def step():
            for p, g, b in zip(params, grads, buffers):
                b *= 0.9
                b += g
                p -= 0.01 * b
    elif name == "Adam":
        ms, vs = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]

        def step():
            t[0] += 1
            c1, c2 = 1 - 0.9 ** t[0], 1 - 0.999 ** t[0]
            for p, g, m, v in zip(params, grads, ms, vs):
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * (g * g)
                p -= 1e-3 * (m / c1) / (np.sqrt(v / c2) + 1e-8)
    else:
        return None
    return step


def main(repeats: int) -> dict:
    report = {}
    print(f"W8: one optimizer step over {sum(int(np.prod(s)) for s in SHAPES):,} float32 parameters "
          "(the 784-256-256-10 MLP), µs per step, median")
    print(f"  {'optimizer':<20} {'numpy':>8} {'tl':>8} {'torch':>8} {'tl/numpy':>9} {'tl/torch':>9}")
    for name, (make_ours, make_theirs) in OPTIMIZERS.items():
        ours = [tl.tensor(a, requires_grad=True) for a in arrays(0)]
        for p, g in zip(ours, arrays(1)):
            p.grad = tl.tensor(g)
        optimizer = make_ours(ours)
        workloads = {"tl": optimizer.step}
        hand = numpy_step(name, arrays(0), arrays(1), None, [0])
        if hand is not None:
            workloads["numpy"] = hand
        if torch is not None:
            theirs = [torch.tensor(a, requires_grad=True) for a in arrays(0)]
            for p, g in zip(theirs, arrays(1)):
                p.grad = torch.tensor(g)
            workloads["torch"] = make_theirs(theirs).step
        for run in workloads.values():  # first steps make the state
            run()
        times = {k: v * 1e6 for k, v in time_interleaved(workloads, repeats).items()}
        report[name] = times
        cells = [f"{times[k]:8.1f}" if k in times else f"{'':>8}" for k in ("numpy", "tl", "torch")]
        ratios = [f"{times['tl'] / times[k]:9.2f}" if k in times else f"{'':>9}" for k in ("numpy", "torch")]
        print(f"  {name:<20} " + " ".join(cells) + " " + " ".join(ratios))
    if torch is None:
        print("  (PyTorch is not installed: no comparison)")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP + " (--repeats 2)")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 2
    if torch is not None:
        torch.set_num_threads(1)
    with threadpoolctl.threadpool_limits(1):
        main(args.repeats)
