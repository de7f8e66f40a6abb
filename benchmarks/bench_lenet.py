"""W6: one training step of LeNet-5 (forward, cross-entropy, backward, Adam) at B = 64 on 1×28×28 float32
images — tinygrad_lite against PyTorch (CPU) when it is installed, as a ratio of medians — and where
tinygrad_lite's time goes.

The network: Conv2d(1, 6, 5, padding=2) → ReLU → MaxPool2d(2) → Conv2d(6, 16, 5) → ReLU → MaxPool2d(2) →
Linear(400, 120) → ReLU → Linear(120, 84) → ReLU → Linear(84, 10), the same weights in both frameworks.
Repeats are interleaved; matrix products run on one thread in both (see bench_mlp.py for why).

The breakdown times the parts of one step on their own (median of the repeats): the im2col of both
convolutions (the strided slices and the stack), the whole convolutions and poolings forward, the
full forward with the loss, the backward pass and the Adam step; then a profile of the backward pass
lists the ops whose backward takes the most time. Run:

    python benchmarks/bench_lenet.py [--batch 64] [--steps 30] [--plot PATH]

The figure goes to docs/figures/bench_lenet.png; --plot "" for none.
"""

from __future__ import annotations

import argparse
import cProfile
import linecache
import pstats
import re

import numpy as np
import threadpoolctl
from plotting import add_plot_option, default_path, pyplot, save
from timing import QUICK_HELP, time_interleaved

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite.nn.conv import im2col

try:
    import torch
except ImportError:
    torch = None


def lenet(module):
    """LeNet-5 in ``module`` (tinygrad_lite or torch: the same code builds both)."""
    nn = module.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def copy_weights(source, target) -> None:
    """tinygrad_lite's initial weights into the PyTorch model, so both start from the same θ."""
    with torch.no_grad():
        for (_, p), (_, q) in zip(source.named_parameters(), target.named_parameters()):
            q.copy_(torch.from_numpy(p.numpy()))


def step_fn(model, module, x, labels):
    optimizer = module.optim.Adam(model.parameters(), lr=1e-3)
    cross_entropy = F.cross_entropy if module is tl else torch.nn.functional.cross_entropy

    def step():
        optimizer.zero_grad()
        loss = cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()
    return step


def breakdown(model, x, labels, repeats: int) -> dict[str, float]:
    """Median seconds of the parts of one tinygrad_lite step, each timed on its own."""
    conv1, pool, conv2 = model[0], model[2], model[3]
    with tl.no_grad():
        c1 = conv1(x)
        h = pool(model[1](c1))
        c2 = conv2(h)
    c1, h, c2 = c1.detach().requires_grad_(), h.detach().requires_grad_(), c2.detach().requires_grad_()
    padded = tl.ops.pad.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    optimizer = tl.optim.Adam(model.parameters(), lr=1e-3)

    def forward_and_loss():
        return F.cross_entropy(model(x), labels)

    def backward():
        optimizer.zero_grad()
        forward_and_loss().backward()

    parts = {
        "im2col (both convs)": lambda: (im2col(padded, (5, 5), (1, 1), "bench"), im2col(h, (5, 5), (1, 1), "bench")),
        "conv forward (both)": lambda: (conv1(x), conv2(h)),
        "pool forward (both)": lambda: (pool(c1), pool(c2)),
        "forward + loss": forward_and_loss,
        "forward + loss + backward": backward,
        "Adam step": optimizer.step,
    }
    return time_interleaved(parts, repeats)


def backward_profile(model, x, labels, steps: int = 10, top: int = 8) -> list[tuple[str, float]]:
    """The functions with the most own time over ``steps`` backward passes: (name, ms per step)."""
    optimizer = tl.optim.Adam(model.parameters(), lr=1e-3)
    profiler = cProfile.Profile()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        profiler.enable()
        loss.backward()
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_, _, own, _, _) in stats.items():
        if "tinygrad_lite" in filename:
            where = filename.split("tinygrad_lite/")[-1]
            name = f"{enclosing_class(filename, line)}{name} ({where}:{line})"
        rows.append((name, own / steps * 1e3))
    return sorted(rows, key=lambda row: -row[1])[:top]


def enclosing_class(filename: str, line: int) -> str:
    """``"MatMul."`` for a method defined inside ``class MatMul`` at ``line`` of ``filename``, else ``""``:
    the profile names functions, and every op's method is called forward or backward."""
    for number in range(line, 0, -1):
        match = re.match(r"class (\w+)", linecache.getline(filename, number))
        if match:
            return match.group(1) + "."
        if re.match(r"def ", linecache.getline(filename, number)):
            return ""
    return ""


def run(batch: int, steps: int) -> dict:
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    labels_np = rng.integers(0, 10, batch)
    tl.manual_seed(0)
    model = lenet(tl)
    x, labels = tl.tensor(x_np), tl.tensor(labels_np)
    workloads = {"tinygrad_lite": step_fn(model, tl, x, labels)}
    if torch is not None:
        torch_model = lenet(torch)
        copy_weights(model, torch_model)
        workloads["torch"] = step_fn(torch_model, torch, torch.from_numpy(x_np), torch.from_numpy(labels_np))
    for work in workloads.values():  # warm-up: first calls allocate and fill caches
        work()
    medians = time_interleaved(workloads, steps)
    return {"medians": medians, "parts": breakdown(lenet(tl), x, labels, steps),
            "profile": backward_profile(lenet(tl), x, labels)}


def plot_results(results: dict, batch: int, path: str) -> None:
    plt = pyplot()
    if plt is None:
        return
    fig, (steps_ax, parts_ax) = plt.subplots(1, 2, figsize=(11, 4.2), width_ratios=[0.6, 1.4])
    names = list(results["medians"])
    steps_ax.bar(names, [results["medians"][n] * 1e3 for n in names], color=["#0072B2", "#E69F00"][:len(names)])
    steps_ax.set(ylabel="ms per step (median)", title=f"one LeNet-5 step, B = {batch}")
    parts = results["parts"]
    parts_ax.barh(list(parts)[::-1], [parts[p] * 1e3 for p in list(parts)[::-1]], color="#0072B2")
    parts_ax.set(xlabel="ms (median, each part timed alone)", title="tinygrad_lite: where the time goes")
    fig.suptitle("W6: LeNet-5 training step on 1×28×28 float32 images (CPU, one BLAS thread)")
    save(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30)
    add_plot_option(parser, default_path("lenet"))
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP + " (--batch 8 --steps 2)")
    args = parser.parse_args()
    if args.quick:
        args.batch, args.steps = 8, 2
    if torch is not None:
        torch.set_num_threads(1)
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        results = run(args.batch, args.steps)
    medians = results["medians"]
    print(f"one LeNet-5 training step, B = {args.batch}, 1×28×28 float32 (median of {args.steps})")
    for name, seconds in medians.items():
        print(f"  {name:<14} {seconds * 1e3:8.2f} ms")
    if "torch" in medians:
        print(f"  tl/torch       {medians['tinygrad_lite'] / medians['torch']:8.2f}")
    else:
        print("  (PyTorch is not installed: no comparison)")
    print("\nwhere tinygrad_lite's time goes (each part timed alone):")
    for name, seconds in results["parts"].items():
        print(f"  {name:<28} {seconds * 1e3:8.2f} ms")
    print("\nbackward pass, most own time per step (cProfile):")
    for name, ms in results["profile"]:
        print(f"  {ms:7.2f} ms  {name}")
    if args.plot:
        plot_results(results, args.batch, args.plot)


if __name__ == "__main__":
    main()
