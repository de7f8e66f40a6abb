"""W1: one training step of a 784-256-256-10 ReLU MLP (forward, softmax cross-entropy, backward, SGD with
momentum), float32, at several batch sizes — tinygrad_lite against a hand-written NumPy step with the same
matmuls and manual gradients, and against PyTorch (CPU) when it is installed.

Repeats are interleaved so every implementation sees the same machine state; the table gives medians
and ratios of medians. Every implementation runs its matrix products on one thread (OpenBLAS for NumPy
and tinygrad_lite, PyTorch's own pool): PyTorch's threads keep spinning after each op and would slow
the NumPy code that runs next, so one thread each is the only fair comparison on a small machine.

With ``--device cuda`` the same step runs on the GPU: tinygrad_lite on CuPy against the same hand-written
step on CuPy arrays and PyTorch on CUDA, plus tinygrad_lite on the CPU for the speed-up. Every GPU step
ends by waiting for the device, since GPU work is asynchronous. Run:

    python benchmarks/bench_mlp.py [--batches 1 32 128 1024] [--steps 30] [--device cpu|cuda] [--phases] [--plot PATH]

``--phases`` adds a table of where the time goes: forward, backward and update timed apart for tinygrad_lite and
the NumPy step, and the NumPy step written with tinygrad_lite's own array operations, so that what is left is
Python.

The figure goes to docs/figures/bench_mlp.png (bench_mlp_cuda.png with --device cuda); --plot "" for none.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from plotting import add_plot_option, default_path, plain_log_labels, pyplot, save
from timing import QUICK_HELP

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F

try:
    import torch
except ImportError:
    torch = None

SIZES = (784, 256, 256, 10)
LR, MOMENTUM = 0.01, 0.9


def initial_weights(seed: int = 0) -> list[np.ndarray]:
    """W1, b1, W2, b2, W3, b3 as float32 arrays, weights stored (out, in) as in nn.Linear."""
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(n_in)
        weights += [rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                    rng.uniform(-bound, bound, n_out).astype(np.float32)]
    return weights


class NumpyStep:
    """The reference: forward, softmax cross-entropy and backward written by hand, momentum SGD.

    ``xp`` is the array module: ``numpy``, or ``cupy`` for the same step on the GPU. The three phases are
    methods of their own so that ``--phases`` can time them apart."""

    def __init__(self, weights, xp=np):
        self.xp = xp
        self.params = [xp.asarray(w).copy() for w in weights]
        self.buffers = [xp.zeros_like(w) for w in self.params]

    def __call__(self, x, labels):
        loss, saved = self.forward(x, labels)
        self.update(self.backward(x, labels, saved))
        return loss

    def forward(self, x, labels):
        xp = self.xp
        W1, b1, W2, b2, W3, b3 = self.params
        h1_pre = x @ W1.T + b1
        h1 = xp.maximum(h1_pre, 0)
        h2_pre = h1 @ W2.T + b2
        h2 = xp.maximum(h2_pre, 0)
        logits = h2 @ W3.T + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        probs = exp / exp.sum(axis=1, keepdims=True)
        rows = xp.arange(x.shape[0])
        loss = -xp.log(probs[rows, labels]).mean()
        return loss, (h1_pre, h1, h2_pre, h2, probs)

    def backward(self, x, labels, saved):
        h1_pre, h1, h2_pre, h2, probs = saved
        W3, W2 = self.params[4], self.params[2]
        n = x.shape[0]
        d_logits = probs
        d_logits[self.xp.arange(n), labels] -= 1
        d_logits /= n
        d_h2 = (d_logits @ W3) * (h2_pre > 0)
        d_h1 = (d_h2 @ W2) * (h1_pre > 0)
        return [d_h1.T @ x, d_h1.sum(0), d_h2.T @ h1, d_h2.sum(0), d_logits.T @ h2, d_logits.sum(0)]

    def update(self, grads):
        for p, g, buf in zip(self.params, grads, self.buffers):
            buf *= MOMENTUM
            buf += g
            p -= LR * buf


class SameOpsNumpyStep(NumpyStep):
    """The reference step written with tinygrad_lite's own array operations, for ``--phases``: ReLU masks kept
    from the forward pass, the bias added in place, log-softmax and then e^(log p), the update through a
    scratch array. Timed against NumpyStep it shows what those choices cost, apart from any Python."""

    def __init__(self, weights, xp=np):
        super().__init__(weights, xp)
        scratch = xp.empty(max(p.size for p in self.params), dtype=self.params[0].dtype)
        self.scratch = [scratch[:p.size].reshape(p.shape) for p in self.params]

    def forward(self, x, labels):
        xp = self.xp
        W1, b1, W2, b2, W3, b3 = self.params
        h1_pre = x @ W1.T
        h1_pre += b1
        mask1, h1 = h1_pre > 0, xp.maximum(h1_pre, 0)
        h2_pre = h1 @ W2.T
        h2_pre += b2
        mask2, h2 = h2_pre > 0, xp.maximum(h2_pre, 0)
        logits = h2 @ W3.T
        logits += b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[xp.arange(x.shape[0]), labels].sum() / x.shape[0]
        return loss, (mask1, h1, mask2, h2, log_probs)

    def backward(self, x, labels, saved):
        mask1, h1, mask2, h2, log_probs = saved
        W3, W2 = self.params[4], self.params[2]
        n = x.shape[0]
        d_logits = self.xp.exp(log_probs)
        d_logits[self.xp.arange(n), labels] -= 1.0
        d_logits *= self.xp.ones((), dtype=d_logits.dtype) / n
        d_h2 = (d_logits @ W3) * mask2
        d_h1 = (d_h2 @ W2) * mask1
        return [d_h1.T @ x, d_h1.sum(axis=0), d_h2.T @ h1, d_h2.sum(axis=0), d_logits.T @ h2, d_logits.sum(axis=0)]

    def update(self, grads):
        for p, g, buf, step in zip(self.params, grads, self.buffers, self.scratch):
            buf *= MOMENTUM
            buf += g
            p -= self.xp.multiply(buf, LR, out=step)


class FrameworkStep:
    """tinygrad_lite: nn.Linear layers, F.cross_entropy, optim.SGD(momentum)."""

    def __init__(self, weights, device="cpu"):
        layers = []
        for i in range(3):
            linear = tl.nn.Linear(SIZES[i], SIZES[i + 1])
            linear.weight.data[...] = weights[2 * i]
            linear.bias.data[...] = weights[2 * i + 1]
            layers += [linear, tl.nn.ReLU()] if i < 2 else [linear]
        self.model = tl.nn.Sequential(*layers).to(device)
        self.optimizer = tl.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    def __call__(self, x, labels):
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(x), labels)
        loss.backward()
        self.optimizer.step()
        return loss


def phase_split(weights, batch: int, steps: int) -> dict[str, list[float]]:
    """Median µs of forward (with the loss), backward and update, for tinygrad_lite and the NumPy step, in
    one interleaved loop; and the whole step of the NumPy step written with tinygrad_lite's array operations."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    labels = rng.integers(0, SIZES[-1], batch)
    ours, X, L = FrameworkStep(weights), tl.tensor(x), tl.tensor(labels)
    numpy_step, same_ops = NumpyStep(weights), SameOpsNumpyStep(weights)
    clock = time.perf_counter
    times: dict[str, list[list[float]]] = {"numpy": [], "tinygrad_lite": [], "numpy, tl's array ops": []}
    for _ in range(steps):
        t0 = clock()
        ours.optimizer.zero_grad()
        loss = F.cross_entropy(ours.model(X), L)
        t1 = clock()
        loss.backward()
        t2 = clock()
        ours.optimizer.step()
        t3 = clock()
        for name, reference in (("numpy", numpy_step), ("numpy, tl's array ops", same_ops)):
            t4 = clock()
            _, saved = reference.forward(x, labels)
            t5 = clock()
            grads = reference.backward(x, labels, saved)
            t6 = clock()
            reference.update(grads)
            t7 = clock()
            times[name].append([t5 - t4, t6 - t5, t7 - t6])
        times["tinygrad_lite"].append([t1 - t0, t2 - t1, t3 - t2])
    return {name: [float(np.median(column)) * 1e6 for column in zip(*rows[steps // 5:])]
            for name, rows in times.items()}


class TorchStep:
    def __init__(self, weights, device="cpu"):
        layers = []
        for i in range(3):
            linear = torch.nn.Linear(SIZES[i], SIZES[i + 1])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weights[2 * i]))
                linear.bias.copy_(torch.from_numpy(weights[2 * i + 1]))
            layers += [linear, torch.nn.ReLU()] if i < 2 else [linear]
        self.model = torch.nn.Sequential(*layers).to(device)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    def __call__(self, x, labels):
        self.optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.model(x), labels)
        loss.backward()
        self.optimizer.step()
        return loss


def cpu_implementations(weights, x, labels) -> dict:
    """name → (step, its arguments) for the CPU comparison."""
    implementations = {"numpy": (NumpyStep(weights), (x, labels)),
                       "tinygrad_lite": (FrameworkStep(weights), (tl.tensor(x), tl.tensor(labels)))}
    if torch is not None:
        implementations["torch"] = (TorchStep(weights), (torch.from_numpy(x), torch.from_numpy(labels)))
    return implementations


def cuda_implementations(weights, x, labels) -> dict:
    """name → (step, its arguments) for the GPU comparison; each step waits for the device before it returns."""
    import cupy

    def synchronised(step, wait):
        def run(*args):
            step(*args)
            wait()
        return run

    wait_cupy = cupy.cuda.Device().synchronize
    implementations = {
        "cupy": (synchronised(NumpyStep(weights, cupy), wait_cupy), (cupy.asarray(x), cupy.asarray(labels))),
        "tinygrad_lite": (synchronised(FrameworkStep(weights, "cuda"), wait_cupy),
                          (tl.tensor(x, device="cuda"), tl.tensor(labels, device="cuda"))),
        "tinygrad_lite cpu": (FrameworkStep(weights), (tl.tensor(x), tl.tensor(labels))),
    }
    if torch is not None and torch.cuda.is_available():
        implementations["torch"] = (synchronised(TorchStep(weights, "cuda"), torch.cuda.synchronize),
                                    (torch.from_numpy(x).cuda(), torch.from_numpy(labels).cuda()))
    return implementations


def run(batch_sizes, steps: int, device: str = "cpu") -> dict:
    weights = initial_weights()
    rng = np.random.default_rng(1)
    results = {}
    for batch in batch_sizes:
        x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
        labels = rng.integers(0, SIZES[-1], batch)
        make = cuda_implementations if device == "cuda" else cpu_implementations
        implementations = make(weights, x, labels)
        times = {name: [] for name in implementations}
        for _ in range(steps):
            for name, (step, args) in implementations.items():
                start = time.perf_counter()
                step(*args)
                times[name].append(time.perf_counter() - start)
        results[batch] = {name: float(np.median(t[steps // 5:])) for name, t in times.items()}
    return results


def ratio_columns(names) -> dict[str, tuple[str, str]]:
    """The ratios the table reports, as column title → (numerator, denominator)."""
    if "cupy" in names:
        columns = {"tl/cupy": ("tinygrad_lite", "cupy"), "cpu/cuda": ("tinygrad_lite cpu", "tinygrad_lite")}
    else:
        columns = {"tl/numpy": ("tinygrad_lite", "numpy")}
    if "torch" in names:
        columns["tl/torch"] = ("tinygrad_lite", "torch")
    return columns


def plot_results(results: dict, path: str, device: str = "cpu") -> None:
    """Time per step against batch size, one line per implementation, and the table's ratios beside it."""
    plt = pyplot()
    if plt is None:
        return
    batches = list(results)
    names = list(results[batches[0]])
    fig, (times, ratios) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name in names:
        times.plot(batches, [results[batch][name] * 1e3 for batch in batches], "o-", label=name)
    times.set(xscale="log", yscale="log", xlabel="batch size", ylabel="time per step (ms, median)",
              title="time per training step")
    times.legend()
    for column, (a, b) in ratio_columns(names).items():
        line, = ratios.plot(batches, [results[batch][a] / results[batch][b] for batch in batches], "o-", label=column)
        if column == "tl/numpy":
            ratios.axhline(1.10, color=line.get_color(), linestyle="--", linewidth=1, label="goal tl/numpy ≤ 1.10")
    ratios.axhline(1, color="gray", linestyle="--", linewidth=1)
    # log y: a ratio of 2 and one of 1/2 sit equally far from the line at 1, and cpu/cuda can be large
    ratios.set(xscale="log", yscale="log", xlabel="batch size", ylabel="ratio",
               title="ratios of medians (below 1: the numerator is faster)")
    ratios.legend()
    for ax in (times, ratios):
        plain_log_labels(ax.xaxis, batches)
        plain_log_labels(ax.yaxis)
    where = "GPU; tinygrad_lite cpu on one CPU thread" if device == "cuda" else "CPU, one thread each"
    fig.suptitle(f"W1: one training step of a {'-'.join(map(str, SIZES))} ReLU MLP, float32 ({where})")
    save(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32, 128, 1024])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--phases", action="store_true",
                        help="also time forward, backward and update apart, against the NumPy step and the NumPy "
                             "step written with tinygrad_lite's array operations (CPU)")
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP + " (--batches 1 8 --steps 2)")
    add_plot_option(parser, None, help_default=f"{default_path('mlp')}, or bench_mlp_cuda.png with --device cuda")
    args = parser.parse_args()
    if args.quick:
        args.batches, args.steps = [1, 8], 2
    if args.plot is None:
        args.plot = default_path("mlp_cuda" if args.device == "cuda" else "mlp")
    import threadpoolctl  # here, so that gpu_check.py can use the steps above where it is not installed

    if torch is not None:
        torch.set_num_threads(1)
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        results = run(args.batches, args.steps, args.device)
    names = list(next(iter(results.values())))
    columns = ratio_columns(names)
    print(f"{'batch':>6} " + " ".join(f"{n + ' ms':>20}" for n in names) + "".join(f" {c:>9}" for c in columns))
    for batch, medians in results.items():
        row = f"{batch:>6} " + " ".join(f"{medians[n] * 1e3:>20.3f}" for n in names)
        row += "".join(f" {medians[a] / medians[b]:>9.2f}" for a, b in columns.values())
        print(row)
    if torch is None:
        print("(PyTorch is not installed: no comparison)")
    if args.phases:
        print_phases(args.batches, max(args.steps, 2) * 5)
    if args.plot:
        plot_results(results, args.plot, args.device)


def print_phases(batch_sizes, steps: int) -> None:
    """The --phases table: where each step's time goes, µs (medians)."""
    import threadpoolctl

    print(f"\nphase by phase, µs (medians of {steps - steps // 5} interleaved steps)")
    print(f"{'batch':>6} {'':<22} {'forward':>9} {'backward':>9} {'update':>9} {'step':>9}")
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        for batch in batch_sizes:
            for name, phases in phase_split(initial_weights(), batch, steps).items():
                print(f"{batch:>6} {name:<22} " + " ".join(f"{t:9.0f}" for t in phases) + f" {sum(phases):9.0f}")


if __name__ == "__main__":
    main()
