"""Engine overhead: long chains of tiny ops, where the framework's bookkeeping is all there is to measure.

W2: a chain of 1,000 elementwise ops on a 10-element vector, then backward (µs per op).
W5: a chain of 100,000 ops: forward, backward, and the peak memory of the process that ran it.
W7: a chain of 1,000 ops on a 10-element float32 vector cycling y = y * c, y = y + d, y = tanh(y) with
    constant tensors c and d, then y.sum() and backward to the input: under no_grad, forward only,
    forward + backward (µs per op), against NumPy (forward, and forward with a hand-written backward).

Each workload runs in tinygrad_lite and, when it is installed, PyTorch (CPU), with repeats
interleaved so both see the same machine state; the tables give medians and the ratio of medians.
Peak memory is measured in a fresh subprocess per framework (its peak resident set size, less
that of the same process before the chain was built). Run:

    python benchmarks/bench_engine.py [--json] [--plot PATH]

The figure goes to docs/figures/bench_engine.png; --plot "" for none.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
from plotting import add_plot_option, default_path, grouped_bars, pyplot, save
from timing import QUICK_HELP, time_interleaved

import tinygrad_lite as tl

try:
    import torch
except ImportError:
    torch = None

LENGTH_W2, LENGTH_W5, REPEATS, W5_REPEATS = 1_000, 100_000, 7, 5


def chain(module, length: int, backward: bool = True) -> None:
    """y ← tanh(1.01·y) + 0.1, repeated; ``module`` is tinygrad_lite or torch (same code for both)."""
    x = module.tensor(np.linspace(0.1, 1.0, 10).astype(np.float32), requires_grad=True)
    y = x
    for _ in range(length // 3):
        y = (y * 1.01).tanh() + 0.1
    if backward:
        y.sum().backward()


def constant_chain(module, length: int, mode: str) -> None:
    """W7: y = y·c, y = y + d, y = tanh y in turn (c, d constant tensors), then backward from Σy.

    ``mode`` is "no_grad", "forward" or "forward+backward"; ``module`` is tinygrad_lite or torch."""
    x = module.tensor(np.linspace(0.1, 1.0, 10).astype(np.float32), requires_grad=mode != "no_grad")
    c = module.tensor(np.full(10, 0.9, dtype=np.float32))
    d = module.tensor(np.full(10, 0.1, dtype=np.float32))

    def run():
        y = x
        for i in range(length):
            y = y * c if i % 3 == 0 else y + d if i % 3 == 1 else y.tanh()
        if mode == "forward+backward":
            y.sum().backward()

    if mode == "no_grad":
        with module.no_grad():
            run()
    else:
        run()


def constant_chain_numpy(length: int, backward: bool) -> np.ndarray:
    """W7 by hand in NumPy: the forward values, and with ``backward`` the gradient of Σy by the chain rule
    (d(y·c)/dy = c, d(y + d)/dy = 1, d tanh(y)/dy = 1 − tanh²(y))."""
    y = np.linspace(0.1, 1.0, 10).astype(np.float32)
    c, d = np.full(10, 0.9, dtype=np.float32), np.full(10, 0.1, dtype=np.float32)
    outputs = []
    for i in range(length):
        y = y * c if i % 3 == 0 else y + d if i % 3 == 1 else np.tanh(y)
        if backward:
            outputs.append(y)
    if not backward:
        return y
    g = np.ones_like(y)
    for i in reversed(range(length)):
        if i % 3 == 0:
            g = g * c
        elif i % 3 == 2:
            g = g * (1 - outputs[i] * outputs[i])
    return g


def resident_peak_kib() -> int:
    """This process's peak resident memory in KiB (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_memory_mib(framework: str, length: int) -> float:
    """Extra peak resident memory (MiB) of a chain of ``length`` ops with backward, in a fresh process."""
    code = f"""
import sys
sys.path.insert(0, {sys.path[0]!r})
from bench_engine import chain, resident_peak_kib
import {"torch as module" if framework == "torch" else "tinygrad_lite as module"}
chain(module, 30)
before = resident_peak_kib()
chain(module, {length})
print((resident_peak_kib() - before) / 1024)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


def main() -> dict:
    frameworks = {"tinygrad_lite": tl} | ({"torch": torch} if torch is not None else {})
    report: dict = {}

    print(f"W2: a chain of {LENGTH_W2} elementwise ops on 10 elements (µs per op)")
    forward = time_interleaved({n: (lambda m=m: chain(m, LENGTH_W2, backward=False)) for n, m in frameworks.items()},
                               REPEATS)
    both = time_interleaved({n: (lambda m=m: chain(m, LENGTH_W2)) for n, m in frameworks.items()}, REPEATS)
    for name in frameworks:
        report[f"W2 {name}"] = {"forward_us_per_op": forward[name] / LENGTH_W2 * 1e6,
                                "forward_backward_us_per_op": both[name] / LENGTH_W2 * 1e6}
        print(f"  {name:<14} forward {forward[name] / LENGTH_W2 * 1e6:6.2f}   "
              f"forward+backward {both[name] / LENGTH_W2 * 1e6:6.2f}")
    if torch is None:
        print("  (PyTorch is not installed: no comparison)")
    else:
        print(f"  ratio tinygrad_lite / torch, forward+backward: {both['tinygrad_lite'] / both['torch']:.2f}")

    print(f"\nW7: a chain of {LENGTH_W2} ops y·c, y + d, tanh y on 10 elements, c and d constant tensors "
          "(µs per op, median)")
    workloads = {"numpy forward": lambda: constant_chain_numpy(LENGTH_W2, backward=False),
                 "numpy forward+backward": lambda: constant_chain_numpy(LENGTH_W2, backward=True)}
    for name, m in frameworks.items():
        for mode in ("no_grad", "forward", "forward+backward"):
            workloads[f"{name} {mode}"] = lambda m=m, mode=mode: constant_chain(m, LENGTH_W2, mode)
    w7 = {name: seconds / LENGTH_W2 * 1e6 for name, seconds in time_interleaved(workloads, REPEATS).items()}
    report["W7"] = w7
    print(f"  {'':<14} {'no_grad':>9} {'forward':>9} {'fwd+bwd':>9}")
    print(f"  {'numpy':<14} {'':>9} {w7['numpy forward']:9.2f} {w7['numpy forward+backward']:9.2f}")
    for name in frameworks:
        print(f"  {name:<14} " + " ".join(f"{w7[f'{name} {mode}']:9.2f}"
                                          for mode in ("no_grad", "forward", "forward+backward")))
    if torch is not None:
        print(f"  {'ratio tl/torch':<14} " + " ".join(
            f"{w7[f'tinygrad_lite {mode}'] / w7[f'torch {mode}']:9.2f}"
            for mode in ("no_grad", "forward", "forward+backward")))

    print(f"\nW5: a chain of {LENGTH_W5:,} ops, forward + backward")
    long_runs = time_interleaved({n: (lambda m=m: chain(m, LENGTH_W5)) for n, m in frameworks.items()}, W5_REPEATS)
    for name in frameworks:
        memory = peak_memory_mib(name if name == "torch" else "tinygrad_lite", LENGTH_W5)
        report[f"W5 {name}"] = {"seconds": long_runs[name], "peak_extra_mib": memory}
        print(f"  {name:<14} {long_runs[name]:6.2f} s   peak memory +{memory:6.1f} MiB")
    return report


def plot_report(report: dict, path: str) -> None:
    """Three panels from ``main()``'s report: W2 µs per op (forward, forward+backward), W5 seconds, W5 peak MiB."""
    plt = pyplot()
    if plt is None:
        return
    frameworks = [key.removeprefix("W2 ") for key in report if key.startswith("W2 ")]
    colors = dict(zip(frameworks, plt.rcParams["axes.prop_cycle"].by_key()["color"]))  # same colour in every panel
    fig, (w2, seconds, memory) = plt.subplots(1, 3, figsize=(12, 4.2), width_ratios=(2, 1, 1))
    grouped_bars(w2, ["forward", "forward+backward"],
                 {name: [report[f"W2 {name}"]["forward_us_per_op"], report[f"W2 {name}"]["forward_backward_us_per_op"]]
                  for name in frameworks}, colors=colors)
    w2.set(ylabel="µs per op (median)", title=f"W2: a chain of {LENGTH_W2:,} ops on 10 elements")
    w2.legend()
    for ax, key, label_format in ((seconds, "seconds", "{:.2f}"), (memory, "peak_extra_mib", "{:.1f}")):
        values = [report[f"W5 {name}"][key] for name in frameworks]
        bars = ax.bar(frameworks, values, color=[colors[name] for name in frameworks], width=0.6)
        ax.bar_label(bars, labels=[label_format.format(v) for v in values], fontsize=7, padding=1)
    seconds.set(ylabel="seconds (median), forward+backward", title=f"W5: {LENGTH_W5:,} ops, time")
    memory.set(ylabel="extra peak resident memory (MiB)", title=f"W5: {LENGTH_W5:,} ops, peak memory")
    fig.suptitle("Engine overhead: long chains of tiny elementwise ops, float32")
    save(fig, path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="also print the numbers as JSON")
    add_plot_option(parser, default_path("engine"))
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP)
    args = parser.parse_args()
    if args.quick:
        LENGTH_W2, LENGTH_W5, REPEATS, W5_REPEATS = 30, 3_000, 1, 1
    results = main()
    if args.plot:
        plot_report(results, args.plot)
    if args.json:
        print(json.dumps(results, indent=2))
