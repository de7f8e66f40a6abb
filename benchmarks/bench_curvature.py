"""Curvature cost: one gradient, one Hessian-vector product and the full Hessian of a tanh MLP loss.

The model is written from raw tensors (W1, b1, W2, b2; 16 -> 48 -> 4, tanh, mean squared error on
256 samples): 1,012 float64 parameters. We time, in tinygrad_lite,

* ``tl.grad``    one forward and one backward pass (the unit of cost);
* ``tl.hvp``     H·v from scratch: forward, gradient graph, one more backward pass (goal: ≤ 2.5 grads);
* ``tl.hessian`` all 1,012 columns (one batched replay of the second backward pass);

and, when PyTorch is installed, the same three in PyTorch on the same data (the HVP by double
backward, the Hessian by ``torch.autograd.functional.hessian``, both its default loop over rows and
``vectorize=True``). Repeats are interleaved so every workload sees the same machine state; the table
gives medians. Run:

    python benchmarks/bench_curvature.py [--plot PATH]

The figure goes to docs/figures/bench_curvature.png; --plot "" for none.
"""

from __future__ import annotations

import argparse

import numpy as np
from plotting import add_plot_option, default_path, grouped_bars, plain_log_labels, pyplot, save
from timing import QUICK_HELP, time_interleaved

import tinygrad_lite as tl

try:
    import torch
except ImportError:
    torch = None

SAMPLES, IN, HIDDEN, OUT = 256, 16, 48, 4
SHAPES = [(IN, HIDDEN), (HIDDEN,), (HIDDEN, OUT), (OUT,)]
FAST_REPEATS, SLOW_REPEATS = 51, 7
HVP_GOAL = 2.5  # an HVP should cost at most this many gradients


def problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((SAMPLES, IN)), rng.standard_normal((SAMPLES, OUT))
    params = [rng.standard_normal(shape) / np.sqrt(shape[0]) for shape in SHAPES]
    return X, Y, params, rng.standard_normal(sum(p.size for p in params))


def tinygrad_workloads(X, Y, params, v):
    X, Y = tl.tensor(X), tl.tensor(Y)
    params = [tl.tensor(p, requires_grad=True) for p in params]
    v = tl.tensor(v)

    def loss(ps):
        W1, b1, W2, b2 = ps
        return (((X @ W1 + b1).tanh() @ W2 + b2 - Y) ** 2).mean()

    return {
        "grad": lambda: tl.grad(loss(params), params),
        "hvp": lambda: tl.hvp(loss, params, v),
        "hessian": lambda: tl.hessian(loss, params),
    }


def torch_workloads(X, Y, params, v):
    X, Y, v = torch.tensor(X), torch.tensor(Y), torch.tensor(v)
    params = [torch.tensor(p, requires_grad=True) for p in params]
    theta = torch.cat([p.detach().reshape(-1) for p in params])

    def loss(ps):
        W1, b1, W2, b2 = ps
        return (((torch.tanh(X @ W1 + b1) @ W2 + b2 - Y) ** 2).mean())

    def loss_of_vector(t):  # torch.autograd.functional.hessian wants one tensor: the flat parameters
        parts, start = [], 0
        for shape in SHAPES:
            size = int(np.prod(shape))
            parts.append(t[start:start + size].reshape(shape))
            start += size
        return loss(parts)

    def hvp():
        grads = torch.autograd.grad(loss(params), params, create_graph=True)
        flat = torch.cat([g.reshape(-1) for g in grads])
        return torch.autograd.grad(flat, params, grad_outputs=v)

    return {
        "grad": lambda: torch.autograd.grad(loss(params), params),
        "hvp": hvp,
        "hessian": lambda: torch.autograd.functional.hessian(loss_of_vector, theta),
        "hessian vectorize=True": lambda: torch.autograd.functional.hessian(loss_of_vector, theta, vectorize=True),
    }


def plot_medians(medians: dict[str, float], path: str) -> None:
    """Each workload's cost in gradients of its own framework (the table's "in grads"), with the HVP goal."""
    plt = pyplot()
    if plt is None:
        return
    frameworks = {short: name for short, name in (("tl", "tinygrad_lite"), ("torch", "torch"))
                  if f"{short} grad" in medians}
    workloads = list(dict.fromkeys(name.split(maxsplit=1)[1] for name in medians))  # grad, hvp, hessian, ...
    in_grads = {name: [medians[f"{short} {w}"] / medians[f"{short} grad"] if f"{short} {w}" in medians else None
                       for w in workloads]
                for short, name in frameworks.items()}
    fig, ax = plt.subplots(figsize=(9, 4.8))
    grouped_bars(ax, workloads, in_grads, label_format="{:.1f}")
    hvp = workloads.index("hvp")
    ax.hlines(HVP_GOAL, hvp - 0.45, hvp + 0.45, colors="black", linestyles="--", linewidth=1,
              label=f"HVP goal ≤ {HVP_GOAL} grads")
    ratio = in_grads["tinygrad_lite"][hvp]
    verdict = "met" if ratio <= HVP_GOAL else "NOT met"
    unit = ", ".join(f"{medians[f'{short} grad'] * 1e3:.2f} ms ({name})" for short, name in frameworks.items())
    ax.set_title(f"tinygrad_lite HVP / grad = {ratio:.2f} (goal ≤ {HVP_GOAL}: {verdict}); 1 grad = {unit}",
                 fontsize=9)
    ax.set(yscale="log", ylabel="cost in gradients of the same framework (log scale)")
    plain_log_labels(ax.yaxis)
    ax.legend(loc="upper left")
    n = sum(int(np.prod(shape)) for shape in SHAPES)
    fig.suptitle(f"Curvature cost: tanh MLP {IN}-{HIDDEN}-{OUT}, {SAMPLES} samples, {n:,} float64 parameters")
    save(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_plot_option(parser, default_path("curvature"))
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP)
    args = parser.parse_args()
    if args.quick:
        global FAST_REPEATS, SLOW_REPEATS
        FAST_REPEATS, SLOW_REPEATS = 1, 1
    X, Y, params, v = problem()
    n = v.size
    ours = tinygrad_workloads(X, Y, params, v)
    theirs = torch_workloads(X, Y, params, v) if torch is not None else {}
    for run in list(ours.values()) + list(theirs.values()):
        run()  # warm up: first calls pay for imports and allocations

    fast = {f"tl {k}": ours[k] for k in ("grad", "hvp")}
    fast.update({f"torch {k}": theirs[k] for k in ("grad", "hvp") if k in theirs})
    slow = {"tl hessian": ours["hessian"]}
    slow.update({f"torch {k}": run for k, run in theirs.items() if k.startswith("hessian")})
    medians = time_interleaved(fast, FAST_REPEATS)
    medians.update(time_interleaved(slow, SLOW_REPEATS))

    print(f"tanh MLP {IN}-{HIDDEN}-{OUT}, {SAMPLES} samples, {n} float64 parameters; medians of interleaved "
          f"repeats ({FAST_REPEATS} for grad/hvp, {SLOW_REPEATS} for the Hessian)\n")
    unit = {"tl": medians["tl grad"], "torch": medians.get("torch grad")}
    print(f"{'workload':32s} {'median':>12s} {'in grads':>10s}")
    for name, seconds in medians.items():
        framework = name.split()[0]
        print(f"{name:32s} {seconds * 1e3:9.3f} ms {seconds / unit[framework]:10.1f}")

    ratio = medians["tl hvp"] / medians["tl grad"]
    verdict = "met" if ratio <= HVP_GOAL else "NOT met"
    print(f"\nHVP / grad (tinygrad_lite): {ratio:.2f}  (goal <= {HVP_GOAL}: {verdict})")
    if torch is None:
        print("PyTorch is not installed: no side-by-side Hessian (pip install torch to compare)")
    else:
        speedup = medians["torch hessian"] / medians["tl hessian"]
        print(f"full Hessian: tinygrad_lite is {speedup:.1f}x as fast as torch.autograd.functional.hessian "
              f"(goal >= 1, ideally >= 2) and "
              f"{medians['torch hessian vectorize=True'] / medians['tl hessian']:.1f}x as fast as its vectorize=True")
        ours_H = ours["hessian"]().numpy()
        theirs_H = theirs["hessian"]().numpy()
        print(f"largest difference between the two Hessians: {np.abs(ours_H - theirs_H).max():.2e} "
              f"(entries up to {np.abs(theirs_H).max():.2f})")
    if args.plot:
        plot_medians(medians, args.plot)


if __name__ == "__main__":
    main()
