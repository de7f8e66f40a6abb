"""W1: one training step of a 784-256-256-10 ReLU MLP (forward, softmax cross-entropy, backward, SGD with
momentum), float32, at several batch sizes — tinygrad_lite against a hand-written NumPy step with the same
matmuls and manual gradients, and against PyTorch (CPU) when it is installed.

Repeats are interleaved so every implementation sees the same machine state; the table gives medians
and ratios of medians. Every implementation runs its matrix products on one thread (OpenBLAS for NumPy
and tinygrad_lite, PyTorch's own pool): PyTorch's threads keep spinning after each op and would slow
the NumPy code that runs next, so one thread each is the only fair comparison on a small machine. Run:

    python benchmarks/bench_mlp.py [--batches 1 32 128 1024] [--steps 30]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import threadpoolctl

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
    """The reference: forward, softmax cross-entropy and backward written by hand, momentum SGD."""

    def __init__(self, weights):
        self.params = [w.copy() for w in weights]
        self.buffers = [np.zeros_like(w) for w in weights]

    def __call__(self, x, labels):
        W1, b1, W2, b2, W3, b3 = self.params
        h1_pre = x @ W1.T + b1
        h1 = np.maximum(h1_pre, 0)
        h2_pre = h1 @ W2.T + b2
        h2 = np.maximum(h2_pre, 0)
        logits = h2 @ W3.T + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=1, keepdims=True)
        n = x.shape[0]
        loss = -np.log(probs[np.arange(n), labels]).mean()
        d_logits = probs
        d_logits[np.arange(n), labels] -= 1
        d_logits /= n
        d_h2 = (d_logits @ W3) * (h2_pre > 0)
        d_h1 = (d_h2 @ W2) * (h1_pre > 0)
        grads = [d_h1.T @ x, d_h1.sum(0), d_h2.T @ h1, d_h2.sum(0), d_logits.T @ h2, d_logits.sum(0)]
        for p, g, buf in zip(self.params, grads, self.buffers):
            buf *= MOMENTUM
            buf += g
            p -= LR * buf
        return loss


class FrameworkStep:
    """tinygrad_lite: nn.Linear layers, F.cross_entropy, optim.SGD(momentum)."""

    def __init__(self, weights):
        layers = []
        for i in range(3):
            linear = tl.nn.Linear(SIZES[i], SIZES[i + 1])
            linear.weight.data[...] = weights[2 * i]
            linear.bias.data[...] = weights[2 * i + 1]
            layers += [linear, tl.nn.ReLU()] if i < 2 else [linear]
        self.model = tl.nn.Sequential(*layers)
        self.optimizer = tl.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    def __call__(self, x, labels):
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(x), labels)
        loss.backward()
        self.optimizer.step()
        return loss


class TorchStep:
    def __init__(self, weights):
        layers = []
        for i in range(3):
            linear = torch.nn.Linear(SIZES[i], SIZES[i + 1])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weights[2 * i]))
                linear.bias.copy_(torch.from_numpy(weights[2 * i + 1]))
            layers += [linear, torch.nn.ReLU()] if i < 2 else [linear]
        self.model = torch.nn.Sequential(*layers)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    def __call__(self, x, labels):
        self.optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.model(x), labels)
        loss.backward()
        self.optimizer.step()
        return loss


def run(batch_sizes, steps: int) -> dict:
    weights = initial_weights()
    rng = np.random.default_rng(1)
    results = {}
    for batch in batch_sizes:
        x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
        labels = rng.integers(0, SIZES[-1], batch)
        implementations = {"numpy": (NumpyStep(weights), (x, labels)),
                           "tinygrad_lite": (FrameworkStep(weights), (tl.tensor(x), tl.tensor(labels)))}
        if torch is not None:
            implementations["torch"] = (TorchStep(weights), (torch.from_numpy(x), torch.from_numpy(labels)))
        times = {name: [] for name in implementations}
        for _ in range(steps):
            for name, (step, args) in implementations.items():
                start = time.perf_counter()
                step(*args)
                times[name].append(time.perf_counter() - start)
        results[batch] = {name: float(np.median(t[steps // 5:])) for name, t in times.items()}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32, 128, 1024])
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        results = run(args.batches, args.steps)
    names = list(next(iter(results.values())))
    print(f"{'batch':>6} " + " ".join(f"{n + ' ms':>17}" for n in names) + f" {'tl/numpy':>9}"
          + (f" {'tl/torch':>9}" if "torch" in names else ""))
    for batch, medians in results.items():
        row = f"{batch:>6} " + " ".join(f"{medians[n] * 1e3:>17.3f}" for n in names)
        row += f" {medians['tinygrad_lite'] / medians['numpy']:>9.2f}"
        if "torch" in names:
            row += f" {medians['tinygrad_lite'] / medians['torch']:>9.2f}"
        print(row)
    if torch is None:
        print("(PyTorch is not installed: no comparison)")


if __name__ == "__main__":
    main()
