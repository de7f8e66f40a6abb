"""The lecture's fifth part, batch normalization: what it buys (F48, F49).

Batch normalization puts a normalisation after every hidden Linear layer, over the batch,

    z̃ = (z − μ) / σ,   then γ ⊙ z̃ + β        (μ, σ: the batch's mean and standard deviation per unit)

and the lecture's claim is that this makes the network easier to optimise: it trains in fewer updates,
and it survives a learning rate that breaks the same network without it (Ioffe & Szegedy 2015, Fig. 1).
Santurkar et al. (2018) explain the benefit by a smoother loss landscape: along the gradient the loss
changes less abruptly and the gradient itself changes less per unit step (a smaller effective
β-smoothness), so a larger step stays predictable.

Both figures measure this on our own runs: a 64-100-100-100-10 network on the offline digits (80 % for
training, 20 % held out), trained with plain SGD on batches of 60, with and without ``nn.BatchNorm1d``
after each hidden Linear (before the activation, as in the paper), from the same initial weights and the
same batch order. The activation is ReLU: with sigmoid (the paper's choice) and PyTorch's default
initialisation the network without BatchNorm does not leave chance level on these digits within 1000
updates at η = 0.1 (seed 0), so the figure would show only that.
"""

from __future__ import annotations

import copy

import numpy as np

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn
from tinygrad_lite.data import DataLoader, TensorDataset, datasets

from . import plotting
from .registry import Context, Result, figure

WITH_BN, WITHOUT_BN = "#0072B2", "#D55E00"   # blue: with BatchNorm, vermillion: without (both figures)
HIDDEN = (100, 100, 100)
BATCH_SIZE = 60                               # as in Ioffe & Szegedy's MNIST experiment
LR, LARGE_LR = 0.1, 2.0                       # the common learning rate and one 20× larger
TARGET_ACCURACY = 0.9
CHANCE = 0.1                                  # ten classes
NAMES = {True: "with BN", False: "without BN"}


# --- shared pieces --------------------------------------------------------------------------------


def digits(seed: int):
    """The 1797 digits (64 pixels in [0, 1]) split 80 % training / 20 % held out."""
    X, y = datasets.load_digits()
    (X_train, y_train), _, (X_test, y_test) = datasets.train_val_test_split(X, y, val_fraction=0.0,
                                                                            test_fraction=0.2, seed=seed)
    return X_train, y_train, X_test, y_test


def mlp(batch_norm: bool) -> nn.Sequential:
    """64-100-100-100-10 with ReLU; with ``batch_norm`` a BatchNorm1d after each hidden Linear.

    BatchNorm1d draws no random numbers, so after the same ``tl.manual_seed`` both versions start from
    the same Linear weights."""
    layers: list[nn.Module] = []
    fan_in = 64
    for width in HIDDEN:
        layers += [nn.Linear(fan_in, width), *([nn.BatchNorm1d(width)] if batch_norm else []), nn.ReLU()]
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 10))


def held_out_accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Accuracy on held-out data in eval mode (BatchNorm uses its running statistics), then back to training."""
    model.eval()
    with tl.no_grad():
        predicted = model(tl.tensor(X)).argmax(dim=1).numpy()
    model.train()
    return float((predicted == y).mean())


def train(batch_norm: bool, lr: float, updates: int, data, seed: int, every: int, probe=None) -> dict:
    """SGD θ ← θ − η ∇Lᵇ(θ) for ``updates`` batches; every ``every`` updates (and before the first) the
    held-out accuracy is measured and, if given, ``probe(model, xb, yb)`` is called on the batch about to
    be used. Returns the steps measured, their accuracies and probe results, and every batch loss."""
    X, y, X_test, y_test = data
    tl.manual_seed(seed)
    model = mlp(batch_norm)
    optimizer = tl.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    run: dict = {"steps": [], "accuracy": [], "probes": [], "losses": []}
    step = 0
    while step < updates:
        for xb, yb in loader:
            if step % every == 0:
                run["steps"].append(step)
                run["accuracy"].append(held_out_accuracy(model, X_test, y_test))
                if probe is not None:
                    run["probes"].append(probe(model, xb, yb))
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            run["losses"].append(loss.item())
            step += 1
            if step == updates:
                break
    run["steps"].append(step)
    run["accuracy"].append(held_out_accuracy(model, X_test, y_test))
    run["model"] = model
    return run


def updates_to_reach(steps, accuracy, target: float) -> int | None:
    """The first measured step whose held-out accuracy is at least ``target`` (None if never)."""
    return next((s for s, a in zip(steps, accuracy) if a >= target), None)


def dead_units(model: nn.Sequential, X: np.ndarray) -> float:
    """The fraction of hidden ReLU units that output 0 for every example of ``X`` (eval mode)."""
    model.eval()
    dead, total = 0, 0
    with tl.no_grad():
        h = tl.tensor(X)
        for layer in model:
            h = layer(h)
            if isinstance(layer, nn.ReLU):
                active = (h.numpy() > 0).any(axis=0)
                dead, total = dead + int((~active).sum()), total + active.size
    model.train()
    return dead / total


def smooth(values, window: int) -> np.ndarray:
    """The running mean over ``window`` values (for the noisy batch losses)."""
    return np.convolve(values, np.ones(window) / window, mode="valid")


# --- F48 ------------------------------------------------------------------------------------------


@figure("F48", "batchnorm_trains_faster",
        title="Batch normalization: fewer updates, and a 20× larger learning rate",
        claim="with BatchNorm after each hidden layer the same network reaches 90% held-out accuracy in far fewer "
              "SGD updates at the same learning rate, and still trains at a 20× larger one, where without "
              "BatchNorm it stays at chance")
def batchnorm_trains_faster(ctx: Context) -> Result:
    updates = ctx.pick(full=1500, quick=500)
    every = 10
    seeds = list(range(ctx.seed, ctx.seed + ctx.pick(full=3, quick=1)))
    runs: dict = {}
    for seed in seeds:
        data = digits(seed)
        train_examples = len(data[0])
        for lr in (LR, LARGE_LR):
            for batch_norm in (False, True):
                run = train(batch_norm, lr, updates, data, seed, every)
                run["dead_units"] = dead_units(run.pop("model"), data[2])
                runs[seed, lr, batch_norm] = run

    def label(lr, batch_norm):
        return f"η = {lr:g}, {NAMES[batch_norm]}"

    configurations = [(lr, bn) for lr in (LR, LARGE_LR) for bn in (True, False)]
    per_seed = {label(lr, bn): {
        "final_accuracy": [runs[s, lr, bn]["accuracy"][-1] for s in seeds],
        "best_accuracy": [max(runs[s, lr, bn]["accuracy"]) for s in seeds],
        "updates_to_target": [updates_to_reach(runs[s, lr, bn]["steps"], runs[s, lr, bn]["accuracy"],
                                               TARGET_ACCURACY) for s in seeds],
        "dead_units": [runs[s, lr, bn]["dead_units"] for s in seeds],
        "final_training_loss": [float(np.mean(runs[s, lr, bn]["losses"][-every:])) for s in seeds],
        "max_training_loss": [float(np.max(runs[s, lr, bn]["losses"])) for s in seeds]}
        for lr, bn in configurations}
    shown = {(lr, bn): runs[ctx.seed, lr, bn] for lr, bn in configurations}
    checkpoints = [c for c in (50, 100, 200, 500, 1000, 1500) if c <= updates]
    at_checkpoints = {label(lr, bn): {c: run["accuracy"][run["steps"].index(c)] for c in checkpoints}
                      for (lr, bn), run in shown.items()}

    fig = plotting.new_figure(height=4.8)
    acc_ax, loss_ax = fig.subplots(1, 2)
    window = 20
    for (lr, bn), run in shown.items():
        style = dict(color=WITH_BN if bn else WITHOUT_BN, linestyle="-" if lr == LR else "--")
        acc_ax.plot(run["steps"], run["accuracy"], label=label(lr, bn), **style)
        loss_ax.semilogy(np.arange(window, len(run["losses"]) + 1), smooth(run["losses"], window), **style,
                         label=label(lr, bn))
    acc_ax.axhline(TARGET_ACCURACY, color=plotting.NEUTRAL, linestyle=":", linewidth=1)
    acc_ax.axhline(CHANCE, color=plotting.NEUTRAL, linestyle=":", linewidth=1)
    acc_ax.text(updates, CHANCE + 0.02, "chance", ha="right", fontsize=9, color=plotting.NEUTRAL)
    acc_ax.set(xlabel="SGD update", ylabel="held-out accuracy", title="held-out accuracy (eval mode)",
               ylim=(0, 1.02))
    acc_ax.legend(loc="center right", fontsize=9)
    loss_ax.axhline(np.log(10), color=plotting.NEUTRAL, linestyle=":", linewidth=1)
    loss_ax.text(updates, np.log(10) * 1.15, "ln 10: uniform guess", ha="right", fontsize=9, color=plotting.NEUTRAL)
    loss_ax.set(xlabel="SGD update", ylabel=f"training loss (mean of {window} batches)", title="training loss")

    reach = {key: per_seed[label(*key)]["updates_to_target"][0] for key in configurations}
    final = {key: per_seed[label(*key)]["final_accuracy"][0] for key in configurations}
    plain_large = per_seed[label(LARGE_LR, False)]

    def never(reached):
        return f"never in {updates}" if reached is None else reached

    plotting.caption(fig, f"64-100-100-100-10 ReLU network on {train_examples} digits, SGD on batches of "
                          f"{BATCH_SIZE}, the same initial weights and batch order for all four runs; accuracy on "
                          f"the held-out 20 % every {every} updates. Updates to {TARGET_ACCURACY:.0%}: "
                          f"η = {LR:g}: {never(reach[LR, True])} with BN, {never(reach[LR, False])} without; "
                          f"η = {LARGE_LR:g}: {never(reach[LARGE_LR, True])} with BN, "
                          f"{never(reach[LARGE_LR, False])} without. Without BN, "
                          f"η = {LARGE_LR:g} blows the loss up to {plain_large['max_training_loss'][0]:.1f}, then "
                          f"{plain_large['dead_units'][0]:.0%} of the hidden ReLUs are dead and it ends at "
                          f"{final[LARGE_LR, False]:.3f} (chance 0.1); with BN {final[LARGE_LR, True]:.3f}.")

    def all_seeds(key, measure, test):
        return all(test(value) for value in per_seed[label(*key)][measure])

    checks = {
        f"η = {LR:g}: with BN reaches {TARGET_ACCURACY:.0%} held-out in at most a third of the updates without BN":
            all(bn is not None and plain is not None and 3 * bn <= plain
                for bn, plain in zip(per_seed[label(LR, True)]["updates_to_target"],
                                     per_seed[label(LR, False)]["updates_to_target"])),
        f"η = {LARGE_LR:g} (20×): without BN the held-out accuracy ends at chance (≤ 0.2)":
            all_seeds((LARGE_LR, False), "final_accuracy", lambda a: a <= 0.2),
        f"η = {LARGE_LR:g} (20×): with BN it ends at ≥ 0.95 held-out accuracy":
            all_seeds((LARGE_LR, True), "final_accuracy", lambda a: a >= 0.95),
    }
    measured = {"updates": updates, "seeds": seeds, "learning_rates": [LR, LARGE_LR], "batch_size": BATCH_SIZE,
                "train_examples": train_examples,
                "target_accuracy": TARGET_ACCURACY, "per_seed": per_seed, "accuracy_at_updates": at_checkpoints}
    summary = (f"to {TARGET_ACCURACY:.0%}: {never(reach[LR, True])} vs {never(reach[LR, False])} updates (η = {LR:g}); "
               f"η = {LARGE_LR:g}: {final[LARGE_LR, True]:.3f} with BN, {final[LARGE_LR, False]:.3f} without")
    plotted = {label(lr, bn): {"steps": run["steps"], "accuracy": run["accuracy"], "losses": run["losses"]}
               for (lr, bn), run in shown.items()}
    return Result(fig, summary, checks, measured, plotted)


# --- F49 ------------------------------------------------------------------------------------------

# The step sizes η' at which the landscape is probed along −∇L, as multiples of the training rate.
PROBE_STEPS = LR * np.array([0.25, 0.5, 1.0, 2.0, 4.0, 8.0])


def flat(arrays) -> np.ndarray:
    """The arrays of all parameters as one float64 vector."""
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def loss_along_gradient(model: nn.Module, xb: tl.Tensor, yb: tl.Tensor, step_sizes=PROBE_STEPS) -> dict:
    """The loss landscape along the gradient at θ (Santurkar et al. 2018, Fig. 4), on the batch (xb, yb):

        loss:  L(θ − η′ g) for every step size η′        (its spread: the "loss landscape variation")
        beta:  max over η′ of ‖∇L(θ − η′ g) − ∇L(θ)‖ / ‖η′ g‖   (the effective β-smoothness)

    The probes run on a copy in training mode (batch statistics, as the update sees them), so neither the
    model's weights nor its running statistics change."""
    probe = copy.deepcopy(model)
    parameters = list(probe.parameters())
    theta = [p.data.copy() for p in parameters]
    loss = F.cross_entropy(probe(xb), yb)
    g = [t.numpy() for t in tl.grad(loss, parameters)]
    g_flat = flat(g)
    losses, gradient_changes = [], []
    for eta in step_sizes:
        for p, t, gi in zip(parameters, theta, g):
            p.data = t - np.float32(eta) * gi
        moved = F.cross_entropy(probe(xb), yb)
        g_moved = flat(t.numpy() for t in tl.grad(moved, parameters))
        losses.append(moved.item())
        gradient_changes.append(float(np.linalg.norm(g_moved - g_flat)))
    step_lengths = np.asarray(step_sizes) * np.linalg.norm(g_flat)
    return {"loss": loss.item(), "gradient_norm": float(np.linalg.norm(g_flat)), "losses": losses,
            "gradient_changes": gradient_changes,
            "beta": float(np.max(np.asarray(gradient_changes) / step_lengths))}


PLATEAU_EXIT = 2.0   # the network without BN starts near ln 10 ≈ 2.3; below 2 it has left the plateau
MEASURES = ("variation", "relative_variation", "beta")


def compare_landscapes(probes: dict) -> dict:
    """The probes of both runs (keyed by ``batch_norm``) as series over the probed steps: the loss
    variation max L − min L along −g, that variation divided by L(θ) (the networks' losses differ) and
    the β-proxy. Their medians are taken separately on the plateau of the network without BN (its loss
    still above PLATEAU_EXIT) and after it; ``ratio`` is without-BN over with-BN after the plateau."""
    series = {}
    for bn, run_probes in probes.items():
        loss = np.array([p["loss"] for p in run_probes])
        variation = np.array([max(p["losses"]) - min(p["losses"]) for p in run_probes])
        series[bn] = {"loss": loss, "variation": variation, "relative_variation": variation / loss,
                      "beta": np.array([p["beta"] for p in run_probes])}
    below = series[False]["loss"] < PLATEAU_EXIT
    left = int(np.argmax(below)) if below.any() else len(below)

    def medians(part: slice) -> dict:
        return {name: {NAMES[bn]: float(np.median(series[bn][name][part])) if len(series[bn][name][part]) else np.nan
                       for bn in series} for name in MEASURES}

    after = medians(slice(left, None))
    return {"series": series, "left": left, "after_plateau": after, "on_plateau": medians(slice(0, left)),
            "ratio": {name: after[name]["without BN"] / after[name]["with BN"] for name in MEASURES}}


@figure("F49", "batchnorm_smoother_landscape",
        title="Batch normalization smooths the loss landscape (Santurkar et al. 2018)",
        claim="along training at the same learning rate, once the network without BatchNorm has left its initial "
              "plateau, the loss along the gradient direction varies less and the gradient changes less per unit "
              "step (effective β-smoothness) with BatchNorm than without")
def batchnorm_smoother_landscape(ctx: Context) -> Result:
    updates = ctx.pick(full=600, quick=300)
    every = ctx.pick(full=10, quick=25)
    seeds = list(range(ctx.seed, ctx.seed + ctx.pick(full=3, quick=1)))
    runs, compared = {}, {}
    for seed in seeds:
        data = digits(seed)
        runs[seed] = {bn: train(bn, LR, updates, data, seed, every, probe=loss_along_gradient) for bn in (True, False)}
        compared[seed] = compare_landscapes({bn: run["probes"] for bn, run in runs[seed].items()})
    shown, comparison = runs[ctx.seed], compared[ctx.seed]
    steps = shown[True]["steps"][:-1]   # the steps probed (the last entry is the accuracy after training)
    left = comparison["left"]
    ratio = comparison["ratio"]

    fig = plotting.new_figure(height=4.8)
    var_ax, beta_ax = fig.subplots(1, 2)
    for bn in (False, True):
        colour = WITH_BN if bn else WITHOUT_BN
        low = [min(p["losses"]) for p in shown[bn]["probes"]]
        high = [max(p["losses"]) for p in shown[bn]["probes"]]
        var_ax.fill_between(steps, low, high, color=colour, alpha=0.3, label=f"{NAMES[bn]}: range of L(θ − η′g)")
        var_ax.plot(steps, comparison["series"][bn]["loss"], color=colour, linewidth=1.2, label=f"{NAMES[bn]}: L(θ)")
        beta_ax.semilogy(steps, comparison["series"][bn]["beta"], "o-", color=colour, markersize=3, label=NAMES[bn])
    for ax in (var_ax, beta_ax):
        if left < len(steps):
            ax.axvline(steps[left], color=plotting.NEUTRAL, linestyle=":", linewidth=1)
    var_ax.set_yscale("log")
    var_ax.set(xlabel="SGD update", ylabel="batch loss", title="(a) loss landscape along −g")
    var_ax.legend(fontsize=8, loc="lower left")
    beta_ax.set(xlabel="SGD update", ylabel=r"max$_{\eta'}$ ‖∇L(θ − η′g) − ∇L(θ)‖ / ‖η′g‖",
                title="(b) effective β-smoothness")
    beta_ax.legend(fontsize=9)
    plateau = comparison["on_plateau"]
    plotting.caption(fig, f"The networks of F48 at η = {LR:g}. Every {every} updates, on the batch about to be used, "
                          f"θ is moved along −g = −∇L(θ) by η′ ∈ {{{plotting.numbers(PROBE_STEPS, 3)}}}: (a) the "
                          f"band spans the loss values reached, (b) the largest change of the gradient per unit "
                          f"step. Without BN the loss first sits on a plateau near ln 10 where its landscape is "
                          f"flatter (median variation {plotting.number(plateau['variation']['without BN'], 2)} vs "
                          f"{plotting.number(plateau['variation']['with BN'], 2)} with BN); from update "
                          f"{steps[left] if left < len(steps) else '—'} (dotted, loss < {PLATEAU_EXIT:g}) its loss "
                          f"band is {plotting.number(ratio['variation'], 3)}× wider (median; "
                          f"{plotting.number(ratio['relative_variation'], 3)}× relative to L(θ)) and its β-proxy "
                          f"{plotting.number(ratio['beta'], 3)}× larger than with BN. Internal covariate shift is "
                          f"not measured here.")

    every_seed = {name: [compared[s]["ratio"][name] for s in seeds] for name in MEASURES}
    checks = {
        f"the network without BN leaves its plateau (loss < {PLATEAU_EXIT:g}) within the run":
            all(compared[s]["left"] < len(steps) for s in seeds),
        "after it: median loss variation along −g at least 10× smaller with BN":
            all(r >= 10 for r in every_seed["variation"]),
        "after it: median loss variation relative to L(θ) smaller with BN":
            all(r > 1 for r in every_seed["relative_variation"]),
        "after it: median effective β-smoothness smaller with BN": all(r > 1 for r in every_seed["beta"]),
    }
    measured = {"updates": updates, "probe_every": every, "learning_rate": LR, "step_sizes": PROBE_STEPS,
                "seeds": seeds, "steps": steps,
                "plateau_left_at": {s: steps[c["left"]] if c["left"] < len(steps) else None
                                    for s, c in compared.items()},
                "median_after_plateau": {s: c["after_plateau"] for s, c in compared.items()},
                "median_on_plateau": {s: c["on_plateau"] for s, c in compared.items()},
                "ratio_without_over_with_bn": every_seed,
                "probes": {NAMES[bn]: run["probes"] for bn, run in shown.items()},
                "final_accuracy": {s: {NAMES[bn]: run["accuracy"][-1] for bn, run in runs[s].items()} for s in seeds}}
    summary = (f"after the plateau, without / with BN: loss variation {plotting.number(ratio['variation'], 3)}×, "
               f"relative {plotting.number(ratio['relative_variation'], 3)}×, "
               f"β-proxy {plotting.number(ratio['beta'], 3)}×")
    plotted = {"steps": steps, **{NAMES[bn]: {name: comparison["series"][bn][name] for name in ("loss", *MEASURES)}
                                  for bn in shown}}
    return Result(fig, summary, checks, measured, plotted)
