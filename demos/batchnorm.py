"""Part 5 of the lecture: batch normalization (F44–F47).

Instead of a better optimizer for a hard error surface, change the surface. In y = b + w₁x₁ + w₂x₂ with
x₁ ≈ 1 and x₂ ≈ 100, a small change of w₂ moves y (and the loss) a hundred times more than the same
change of w₁: the surface is a long narrow valley, its Hessian has a large condition number, and no
single learning rate suits both directions. Normalising every input dimension over the training set,

    x̃ᵢ = (xᵢ − mᵢ) / σᵢ,

makes the surface round. Batch normalisation does the same to the hidden values z inside the network,
with the mean μ and standard deviation σ of the batch, z̃ⁱ = (zⁱ − μ) / σ, then γ ⊙ z̃ⁱ + β: μ and σ
depend on every example, so the batch becomes one computational graph. At test time there is no batch:
μ and σ are replaced by moving averages μ̄ ← p μ̄ + (1 − p) μ collected during training.

Every loss, gradient, Hessian and Jacobian below is computed by tinygrad_lite (``tl.hessian``,
``tl.jacobian``, ``tl.optim.SGD``, ``tl.nn.BatchNorm1d``), in float64; NumPy only draws the data.
"""

from __future__ import annotations

import functools

import numpy as np

import tinygrad_lite as tl

from . import plotting
from .registry import Context, Result, figure

# --- F44 and F45: the regression y = b + w₁x₁ + w₂x₂ -------------------------------------------------

EXAMPLES = 200
FEATURE_MEANS, FEATURE_STDS = np.array([1.0, 100.0]), np.array([0.5, 50.0])  # x₁ ≈ 1, x₂ ≈ 100
TRUE_W, TRUE_B, NOISE = np.array([2.0, 0.03]), 1.0, 0.1
TOLERANCE = 1e-6           # converged: L − L* ≤ TOLERANCE · (L₀ − L*)
STABLE_FRACTION = 1.9      # η = 1.9 / λ_max: just below 2 / λ_max, where gradient descent turns unstable
UNSTABLE_FRACTION = 2.1    # η = 2.1 / λ_max: just above it
LAMBDA_MAX = "λ$_{max}$"  # as matplotlib writes it in a caption
SURFACES = ("raw features", "normalized features")
SURFACE_COLORS = {"raw features": plotting.SADDLE, "normalized features": plotting.PATH}


def regression_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x₁ ~ N(1, 0.5²), x₂ ~ N(100, 50²) and ŷ = 1 + 2x₁ + 0.03x₂ + noise: both features matter as much."""
    rng = np.random.default_rng(seed)
    x = rng.normal(FEATURE_MEANS, FEATURE_STDS, size=(EXAMPLES, 2))
    return x, x @ TRUE_W + TRUE_B + rng.normal(0, NOISE, EXAMPLES)


def normalize(x: tl.Tensor) -> tl.Tensor:
    """x̃ᵢ = (xᵢ − mᵢ) / σᵢ, each dimension i over the training set (σ: the biased standard deviation)."""
    return (x - x.mean(0)) / x.std(0, correction=0)


def mse(x: tl.Tensor, y: tl.Tensor, w: tl.Tensor, b) -> tl.Tensor:
    """L = 1/N Σₙ (b + wᵀxₙ − ŷₙ)²; ``w`` of shape (2,) or (2, k) for k points at once (shape (k,))."""
    prediction = x @ w + b
    residual = prediction - (y if w.ndim == 1 else y.reshape(-1, 1))
    return (residual * residual).mean(0)


def newton_minimum(f, theta0: np.ndarray) -> np.ndarray:
    """θ* = θ₀ − H⁻¹g: one Newton step, exact for a quadratic such as the MSE of a linear model."""
    theta = tl.tensor(theta0, requires_grad=True)
    (g,) = tl.grad(f(theta), theta)
    return theta0 - np.linalg.solve(tl.hessian(f, theta).numpy(), g.numpy())


def descend(f, start: np.ndarray, lr: float, budget: int, loss_min: float, stop: bool = True):
    """Gradient descent w ← w − η g with ``tl.optim.SGD`` from ``start``, at most ``budget`` steps.

    Stops once L − L* ≤ TOLERANCE · (L₀ − L*) when ``stop``. Returns the path (steps + 1, 2), the losses
    along it, and the number of steps that reached the tolerance (None if not within the budget)."""
    w = tl.tensor(start.copy(), requires_grad=True)
    opt = tl.optim.SGD([w], lr=lr)
    path, losses, reached = [start.copy()], [], None
    for step in range(budget + 1):
        opt.zero_grad()
        loss = f(w)
        losses.append(loss.item())
        if reached is None and losses[-1] - loss_min <= TOLERANCE * (losses[0] - loss_min):
            reached = step
            if stop:
                break
        if step == budget:
            break
        loss.backward()
        opt.step()
        path.append(w.numpy().copy())
    return np.array(path), np.array(losses), reached


@functools.cache
def surface(seed: int, normalized: bool, budget: int) -> dict:
    """One surface of F44/F45 and gradient descent on it (cached: F45 reuses the run of F44).

    The bias is held at its least-squares value b*, so the loss is a surface over (w₁, w₂) alone, as
    the lecture draws it; its minimum is then the least-squares fit of all three parameters."""
    features, targets = regression_data(seed)
    x, y = tl.tensor(features), tl.tensor(targets)
    if normalized:
        x = normalize(x)
    best = newton_minimum(lambda theta: mse(x, y, theta[:2], theta[2]), np.zeros(3))
    bias = float(best[2])

    def loss(w: tl.Tensor) -> tl.Tensor:
        return mse(x, y, w, bias)

    start = np.zeros(2)
    w_min = newton_minimum(loss, start)
    loss_min = loss(tl.tensor(w_min)).item()
    H = tl.hessian(loss, tl.tensor(start)).numpy()
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    lr = STABLE_FRACTION / eigenvalues[-1]
    path, losses, reached = descend(loss, start, lr, budget, loss_min)
    unstable_steps = min(budget, 60)
    _, unstable_losses, _ = descend(loss, start, UNSTABLE_FRACTION / eigenvalues[-1], unstable_steps, loss_min,
                                    stop=False)
    # the error w − w* in the eigenbasis of H: component 0 along the flat direction, 1 along the steep one
    components = (path - w_min) @ eigenvectors
    return {"x": x.numpy(), "y": targets, "bias": bias, "H": H, "eigenvalues": eigenvalues,
            "eigenvectors": eigenvectors, "condition_number": float(eigenvalues[-1] / eigenvalues[0]),
            "lr": lr, "start": start, "w_min": w_min, "loss_min": loss_min, "path": path, "losses": losses,
            "reached": reached, "budget": budget, "components": components, "unstable_losses": unstable_losses,
            "loss": loss}


def gd_budget(ctx: Context) -> int:
    """Steps gradient descent may take: the full run lets the raw surface reach the tolerance."""
    return ctx.pick(full=150_000, quick=1_500)


def thinned(n: int, head: int = 120, tail: int = 300) -> np.ndarray:
    """Indices 0 … n−1 to store and draw a long run: every early step, then log-spaced ones."""
    late = np.geomspace(head, max(head, n - 1), tail).astype(int) if n > head else []
    return np.unique(np.r_[np.arange(min(n, head)), late, n - 1]).astype(int)


def relative_excess(run: dict) -> np.ndarray:
    """(L − L*) / (L₀ − L*) along the run: 1 at the start, TOLERANCE where it counts as converged."""
    return (run["losses"] - run["loss_min"]) / (run["losses"][0] - run["loss_min"])


def draw_surface(ax, run: dict, title: str, resolution: int, equal_aspect: bool):
    """Contours of L(w₁, w₂) around the run's path (computed on a grid by tinygrad_lite), the path and w*."""
    path, w_min = run["path"], run["w_min"]
    low, high = np.minimum(path.min(0), w_min), np.maximum(path.max(0), w_min)
    pad = 0.15 * (high - low)
    if equal_aspect:
        centre, half = (low + high) / 2, (high - low).max() / 2 + pad.max()
        low, high = centre - half, centre + half
    else:
        low, high = low - pad, high + pad
    w1, w2 = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    with tl.no_grad():
        z = run["loss"](tl.tensor(np.stack([w1.ravel(), w2.ravel()]))).numpy().reshape(w1.shape)
    excess0 = run["losses"][0] - run["loss_min"]
    levels = run["loss_min"] + excess0 * np.array([0, 0.01, 0.05, 0.15, 0.3, 0.5, 0.75, 1.0, 1.5])
    filled = ax.contourf(w1, w2, z, levels=levels, cmap="viridis", extend="max")
    ax.contour(w1, w2, z, levels=levels, colors="white", linewidths=0.5, alpha=0.6)
    colorbar = ax.figure.colorbar(filled, ax=ax, ticks=levels[[0, 2, 4, 6, 8]], format="%.3g")
    colorbar.ax.set_title("$L$", fontsize=10)
    shown = path[: min(len(path), 400)]
    ax.plot(shown[:, 0], shown[:, 1], ".-", color="white", lw=1.0, ms=3, label="gradient descent")
    if len(path) > len(shown):
        late = path[thinned(len(path))]
        ax.plot(late[:, 0], late[:, 1], "-", color="white", lw=1.0)
    ax.plot(*path[-1], "o", color="white", ms=5)
    plotting.mark(ax, w_min, "minimum", label="minimum $w^*$")
    ax.plot(*run["start"], "s", color=plotting.APPROX, ms=7, label="start")
    ax.set(xlabel=r"$w_1$", ylabel=r"$w_2$", title=title, xlim=(low[0], high[0]), ylim=(low[1], high[1]))
    if equal_aspect:
        ax.set_aspect("equal")
    ax.grid(False)


def steps_text(run: dict) -> str:
    """The steps a run took to reach the tolerance, in words."""
    return f"{run['reached']:,} steps" if run["reached"] is not None else f"not within {run['budget']:,} steps"


@figure("F44", "feature_scale_error_surface", title="Different feature scales: a long narrow valley",
        claim="with x₁ ≈ 1 and x₂ ≈ 100 the MSE surface over (w₁, w₂) is a narrow valley (Hessian condition "
              "number > 1000); gradient descent at the largest stable learning rate zig-zags across the steep "
              "direction and crawls along the flat one")
def feature_scale_error_surface(ctx: Context) -> Result:
    run = surface(ctx.seed, False, gd_budget(ctx))
    x, N = run["x"], len(run["x"])
    closed_form = 2 / N * x.T @ x                     # ∂²L/∂w∂wᵀ of L = 1/N ‖Xw + b − ŷ‖²
    lam_min, lam_max = run["eigenvalues"]
    components, excess = run["components"], relative_excess(run)
    steep, flat = components[:, 1], components[:, 0]
    zigzag = min(40, len(steep) - 1)
    steep_ratio = steep[1:zigzag + 1] / steep[:zigzag]            # 1 − ηλ_max = −0.9 per step
    late = slice(len(flat) // 2, None)
    flat_ratio = float(np.exp(np.mean(np.log(flat[late][1:] / flat[late][:-1]))))  # 1 − ηλ_min per step
    unstable = run["unstable_losses"] - run["loss_min"]

    fig = plotting.new_figure(height=4.4)
    ax_surface, ax_components, ax_loss = fig.subplots(1, 3, width_ratios=[1.3, 1, 1])
    draw_surface(ax_surface, run, "Raw features: $x_1 \\approx 1$, $x_2 \\approx 100$",
                 ctx.pick(full=201, quick=81), equal_aspect=False)
    ax_surface.legend(loc="upper right", fontsize=8)
    steps = np.arange(len(flat))
    shown = thinned(len(flat))
    ax_components.semilogy(steps[shown], np.abs(flat[shown]), color=plotting.MINIMUM,
                           label=f"flat direction (λ = {lam_min:.3g})")
    early = np.arange(min(len(steep), 120))
    ax_components.semilogy(early, np.abs(steep[early]), ".-", ms=3, color=plotting.SADDLE,
                           label=f"steep direction (λ = {lam_max:.3g})")
    ax_components.set_xscale("symlog", linthresh=100)
    ax_components.set(xlabel="step", ylabel=r"$|u^T(w - w^*)|$ along each eigenvector $u$",
                      title="Error along the two eigenvectors", ylim=(1e-7, 1e3))
    ax_components.legend(loc="center left", fontsize=9)
    plotting.note(ax_components, f"steep: × {plotting.number(np.median(steep_ratio), 2)} per step (zig-zag)\n"
                                 f"flat: × {flat_ratio:.5f} per step (crawl)", loc="upper right")
    ax_loss.loglog(steps[shown] + 1, excess[shown], color=plotting.PATH,
                   label=f"η = 1.9/{LAMBDA_MAX} = {run['lr']:.2g}")
    ax_loss.loglog(np.arange(len(unstable)) + 1, unstable / unstable[0], color=plotting.SADDLE, ls="--",
                   label=f"η = 2.1/{LAMBDA_MAX}: diverges")
    ax_loss.axhline(TOLERANCE, color=plotting.NEUTRAL, lw=1, ls=":", label="tolerance")
    ax_loss.set(xlabel="step + 1", ylabel=r"$(L - L^*) / (L_0 - L^*)$", title="Loss above the minimum",
                ylim=(TOLERANCE / 10, max(10.0, float(unstable.max() / unstable[0]) * 2)))
    ax_loss.legend(loc="lower left", fontsize=9)
    plotting.note(ax_loss, f"tolerance reached:\n{steps_text(run)}", loc="upper right")
    plotting.caption(fig, f"The Hessian of L over (w₁, w₂), from tinygrad_lite's double backward, is "
                          f"{plotting.matrix(run['H'], 4)} (= 2/N XᵀX): eigenvalues {lam_min:.3g} and "
                          f"{lam_max:.3g}, condition number {run['condition_number']:,.0f}. Gradient descent "
                          f"may not take η ≥ 2/{LAMBDA_MAX} (dashed: 2.1/{LAMBDA_MAX} diverges); at "
                          f"1.9/{LAMBDA_MAX} the steep direction flips sign every step (zig-zag, × "
                          f"{plotting.number(np.median(steep_ratio), 2)}) while the flat one shrinks by only "
                          f"{1 - flat_ratio:.1e} per step: tolerance {TOLERANCE:g} of the initial excess loss "
                          f"{steps_text(run)}. b is held at its least-squares value.")

    measured = {
        "H": run["H"], "H_closed_form": closed_form,
        "H_relative_error": float(np.max(np.abs(run["H"] - closed_form)) / np.max(np.abs(closed_form))),
        "eigenvalues": run["eigenvalues"], "eigenvectors": run["eigenvectors"],
        "condition_number": run["condition_number"], "lr": run["lr"], "bias": run["bias"],
        "start": run["start"], "w_min": run["w_min"], "loss_min": run["loss_min"], "loss_start": run["losses"][0],
        "budget": run["budget"], "steps_to_tolerance": run["reached"], "tolerance": TOLERANCE,
        "final_relative_excess": float(excess[-1]), "final_w": run["path"][-1], "steps_taken": len(run["path"]) - 1,
        "steep_ratio_per_step": steep_ratio, "flat_ratio_per_step": flat_ratio,
        "unstable_lr": UNSTABLE_FRACTION / lam_max, "unstable_excess": unstable,
    }
    checks = {
        "tl.hessian equals the closed form 2/N XᵀX": measured["H_relative_error"] < 1e-12,
        "a narrow valley: condition number > 1000": run["condition_number"] > 1000,
        "zig-zag: the steep component flips sign every step": bool(np.all(steep_ratio < 0)),
        "crawl: the flat component shrinks by less than 0.1% per step": 1 - flat_ratio < 1e-3,
        "a rate 10% above 2/λ_max diverges": bool(unstable[-1] > 100 * unstable[0]),
        "far from converged after 1000 steps": bool(excess[min(1000, len(excess) - 1)] > 1e3 * TOLERANCE),
    }
    summary = f"condition number {run['condition_number']:,.0f}; GD at 1.9/λ_max: tolerance {steps_text(run)}"
    plotted = {"steps": shown, "relative_excess": excess[shown], "path": run["path"][shown],
               "flat_component": flat[shown], "steep_component": steep[early]}
    return Result(fig, summary, checks, measured, plotted)


@figure("F45", "feature_normalization", title="Feature normalization makes the surface round",
        claim="with x̃ᵢ = (xᵢ − mᵢ)/σᵢ the same regression has a round surface (condition number < 1.5) and "
              "gradient descent reaches the tolerance in at least 10× fewer steps")
def feature_normalization(ctx: Context) -> Result:
    budget = gd_budget(ctx)
    runs = {name: surface(ctx.seed, name == "normalized features", budget) for name in SURFACES}
    raw, normalized = runs["raw features"], runs["normalized features"]
    x_tilde, N = normalized["x"], len(normalized["x"])
    closed_form = 2 / N * x_tilde.T @ x_tilde
    # raw GD that does not reach the tolerance counts as the whole budget: the ratio is then a lower bound
    raw_steps = raw["reached"] if raw["reached"] is not None else budget
    ratio = raw_steps / normalized["reached"] if normalized["reached"] else float("nan")

    fig = plotting.new_figure(height=4.4)
    ax_raw, ax_normalized, ax_loss = fig.subplots(1, 3, width_ratios=[1.15, 1.15, 1])
    resolution = ctx.pick(full=201, quick=81)
    draw_surface(ax_raw, raw, f"Raw features\ncondition number {raw['condition_number']:,.0f}", resolution, False)
    draw_surface(ax_normalized, normalized,
                 f"Normalized features\ncondition number {normalized['condition_number']:.2f}", resolution, True)
    ax_normalized.set(xlabel=r"$\tilde w_1$", ylabel=r"$\tilde w_2$")
    ax_raw.legend(loc="upper right", fontsize=8)
    for name, run in runs.items():
        excess = relative_excess(run)
        shown = thinned(len(excess))
        ax_loss.loglog(shown + 1, excess[shown], color=SURFACE_COLORS[name],
                       label=f"{name.split()[0]}: {steps_text(run)}")
    ax_loss.axhline(TOLERANCE, color=plotting.NEUTRAL, lw=1, ls=":", label="tolerance")
    ax_loss.set(xlabel="step + 1", ylabel=r"$(L - L^*) / (L_0 - L^*)$", ylim=(TOLERANCE / 10, 3),
                title=f"Gradient descent\nat η = 1.9/{LAMBDA_MAX} on each")
    ax_loss.legend(loc="lower left", fontsize=8)
    bound = "≥ " if raw["reached"] is None else ""
    plotting.note(ax_loss, f"{bound}{ratio:,.0f}× fewer steps", loc="upper right")
    plotting.caption(fig, f"Each input dimension rescaled over the training set, x̃ᵢ = (xᵢ − mᵢ)/σᵢ: the Hessian "
                          f"becomes {plotting.matrix(normalized['H'], 3)} (2 × the features' correlation "
                          f"matrix), condition number {normalized['condition_number']:.2f} instead of "
                          f"{raw['condition_number']:,.0f}. With the same rule for the learning rate, "
                          f"1.9/{LAMBDA_MAX}, every direction of the round surface shrinks by at least × 0.9 per "
                          f"step (it still zig-zags a little), and gradient descent reaches {TOLERANCE:g} of the "
                          f"initial excess loss in {normalized['reached']} steps instead of {steps_text(raw)}. "
                          f"Both surfaces have the same minimum loss: normalisation only re-parametrises the "
                          f"same linear model.")

    measured = {
        "normalized": {"H": normalized["H"], "H_closed_form": closed_form, "eigenvalues": normalized["eigenvalues"],
                       "condition_number": normalized["condition_number"], "lr": normalized["lr"],
                       "w_min": normalized["w_min"], "bias": normalized["bias"], "loss_min": normalized["loss_min"],
                       "steps_to_tolerance": normalized["reached"],
                       "feature_mean": x_tilde.mean(0), "feature_std": x_tilde.std(0)},
        "raw": {"H": raw["H"], "eigenvalues": raw["eigenvalues"], "condition_number": raw["condition_number"],
                "lr": raw["lr"], "w_min": raw["w_min"], "bias": raw["bias"], "loss_min": raw["loss_min"],
                "steps_to_tolerance": raw["reached"]},
        "start": normalized["start"], "budget": budget, "tolerance": TOLERANCE, "step_ratio": ratio,
        "step_ratio_is_lower_bound": raw["reached"] is None,
        "H_relative_error": float(np.max(np.abs(normalized["H"] - closed_form)) / np.max(np.abs(closed_form))),
    }
    checks = {
        "tl.hessian equals the closed form 2/N X̃ᵀX̃": measured["H_relative_error"] < 1e-12,
        "normalized features have mean 0 and standard deviation 1":
            bool(np.allclose(x_tilde.mean(0), 0, atol=1e-12) and np.allclose(x_tilde.std(0), 1, rtol=1e-12)),
        "a round surface: condition number < 1.5": normalized["condition_number"] < 1.5,
        "gradient descent converges on the normalized surface": normalized["reached"] is not None,
        "at least 10× fewer steps than on the raw surface": ratio >= 10,
        "the same minimum loss on both surfaces":
            abs(raw["loss_min"] - normalized["loss_min"]) <= 1e-9 * normalized["loss_min"],
    }
    summary = (f"condition number {raw['condition_number']:,.0f} → {normalized['condition_number']:.2f}; "
               f"GD {steps_text(raw)} → {normalized['reached']} steps ({bound}{ratio:,.0f}×)")
    plotted = {name: {"path": run["path"][thinned(len(run["path"]))],
                      "relative_excess": relative_excess(run)[thinned(len(run["losses"]))]}
               for name, run in runs.items()}
    return Result(fig, summary, checks, measured, plotted)


# --- F46: batch normalisation makes the batch one graph --------------------------------------------

BATCH, INPUTS, FEATURES = 4, 3, 3
EXAMPLE_LABELS = [f"{i + 1}" for i in range(BATCH)]


def batch_jacobian(f, x: tl.Tensor) -> np.ndarray:
    """∂ outputs / ∂ inputs of a whole batch, (N, F, N, D): J[i, k, j, l] = ∂yⁱₖ / ∂xʲₗ (``tl.jacobian``)."""
    return tl.jacobian(f, x).numpy()


def finite_difference_jacobian(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The same Jacobian by central differences, one input element at a time: (f(x + h e) − f(x − h e)) / 2h."""
    columns = np.zeros(f(tl.tensor(x)).shape + x.shape)
    with tl.no_grad():
        for index in np.ndindex(*x.shape):
            step = np.zeros_like(x)
            step[index] = h
            columns[(...,) + index] = (f(tl.tensor(x + step)).numpy() - f(tl.tensor(x - step)).numpy()) / (2 * h)
    return columns


def block_norms(J: np.ndarray) -> np.ndarray:
    """‖∂yⁱ/∂xʲ‖ (Frobenius) for every pair of examples (i, j): an (N, N) matrix."""
    return np.sqrt((J ** 2).sum(axis=(1, 3)))


def draw_batch_jacobian(ax, J: np.ndarray, title: str):
    """|J| as an image, rows = outputs of every example, columns = inputs of every example, one block per
    pair of examples, with the block's norm written on it."""
    n, k, _, d = J.shape
    image = np.abs(J.reshape(n * k, n * d))
    shown = ax.imshow(image, cmap="Blues", vmin=0, extent=(0, n * d, n * k, 0))
    ax.figure.colorbar(shown, ax=ax, label=r"$|\partial y^i_k / \partial x^j_l|$", shrink=0.85)
    for edge in range(1, n):
        ax.axvline(edge * d, color=plotting.SADDLE, lw=1.2)
        ax.axhline(edge * k, color=plotting.SADDLE, lw=1.2)
    for (i, j), value in np.ndenumerate(block_norms(J)):
        ax.text((j + 0.5) * d, (i + 0.5) * k, "0" if value == 0 else f"{value:.2f}", ha="center", va="center",
                fontsize=10, color="black",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.set_xticks([(j + 0.5) * d for j in range(n)], [f"$x^{{{label}}}$" for label in EXAMPLE_LABELS])
    ax.set_yticks([(i + 0.5) * k for i in range(n)], [f"$y^{{{label}}}$" for label in EXAMPLE_LABELS])
    ax.set(xlabel="inputs of example j", ylabel="outputs of example i", title=title)
    ax.grid(False)


@figure("F46", "batch_normalization_one_graph", title="Batch normalization: the batch becomes one graph",
        claim="with z̃ⁱ = (zⁱ − μ)/σ over the batch (BatchNorm1d, γ = 1, β = 0 at init) every output depends "
              "on every example's input: the batch Jacobian has nonzero off-diagonal blocks; without it "
              "(a plain Linear) the Jacobian is block-diagonal, off-diagonal exactly 0")
def batch_normalization_one_graph(ctx: Context) -> Result:
    x = ctx.rng().normal(size=(BATCH, INPUTS))
    linear = tl.nn.Linear(INPUTS, FEATURES, dtype=tl.float64)
    norm = tl.nn.BatchNorm1d(FEATURES, dtype=tl.float64)   # training mode: the batch's μ and σ

    def with_batch_norm(inputs: tl.Tensor) -> tl.Tensor:
        return norm(linear(inputs))          # z = Wx + b, then γ ⊙ (z − μ)/σ + β

    J_linear = batch_jacobian(linear, tl.tensor(x))
    J_norm = batch_jacobian(with_batch_norm, tl.tensor(x))
    J_fd = finite_difference_jacobian(with_batch_norm, x)
    fd_error = float(np.max(np.abs(J_norm - J_fd)))
    off_diagonal = ~np.eye(BATCH, dtype=bool)
    norms = {"Linear": block_norms(J_linear), "Linear + BatchNorm1d": block_norms(J_norm)}
    off_norm = {name: float(np.sqrt((b[off_diagonal] ** 2).sum())) for name, b in norms.items()}
    diag_norm = {name: float(np.sqrt((np.diag(b) ** 2).sum())) for name, b in norms.items()}
    weight = linear.weight.numpy()
    # Σᵢ z̃ⁱ = 0 for every feature, whatever the inputs: the outputs' rows of J sum to 0 over the batch
    column_sums = float(np.max(np.abs(J_norm.sum(axis=0))))

    fig = plotting.new_figure(height=4.6)
    ax_linear, ax_norm = fig.subplots(1, 2)
    draw_batch_jacobian(ax_linear, J_linear, "Linear alone: $y^i = Wx^i + b$")
    draw_batch_jacobian(ax_norm, J_norm, "Linear + BatchNorm1d: $y^i = γ ⊙ (z^i − μ)/σ + β$")
    plotting.caption(fig, f"The Jacobian of all {BATCH * FEATURES} outputs of a batch of {BATCH} examples with "
                          f"respect to all {BATCH * INPUTS} inputs, from tl.jacobian (blocks: pairs of examples, "
                          f"numbers: block norms). Without normalisation each example only sees its own input "
                          f"(off-diagonal blocks exactly 0, diagonal blocks = W). With batch normalisation μ and "
                          f"σ depend on every example, so changing x¹ changes y²: off-diagonal norm "
                          f"{off_norm['Linear + BatchNorm1d']:.3g} against {diag_norm['Linear + BatchNorm1d']:.3g} "
                          f"on the diagonal. tl.jacobian agrees with central finite differences to {fd_error:.0e}.")

    measured = {
        "x": x, "weight": weight, "bias": linear.bias.numpy(), "eps": norm.eps,
        "gamma_at_init": norm.weight.numpy(), "beta_at_init": norm.bias.numpy(),
        "jacobian_linear": J_linear, "jacobian_batch_norm": J_norm, "jacobian_finite_differences": J_fd,
        "finite_difference_max_error": fd_error, "block_norms": norms,
        "off_diagonal_norm": off_norm, "diagonal_norm": diag_norm, "max_column_sum_over_batch": column_sums,
    }
    checks = {
        "BatchNorm1d starts at γ = 1, β = 0": bool(np.all(norm.weight.numpy() == 1) and np.all(norm.bias.numpy() == 0)),
        "without BN: off-diagonal blocks exactly 0": off_norm["Linear"] == 0.0,
        "without BN: each diagonal block is W":
            all(np.array_equal(J_linear[i, :, i, :], weight) for i in range(BATCH)),
        "with BN: every off-diagonal block is nonzero":
            bool(np.all(norms["Linear + BatchNorm1d"][off_diagonal] > 1e-3)),
        "tl.jacobian equals finite differences (1e-6)": fd_error < 1e-6,
        "with BN: each feature's outputs sum to 0 over the batch, so do their derivatives": column_sums < 1e-10,
    }
    summary = (f"off-diagonal block norm: {off_norm['Linear']:g} (Linear) vs "
               f"{off_norm['Linear + BatchNorm1d']:.3g} (with BN); FD error {fd_error:.0e}")
    plotted = {"abs_jacobian_linear": np.abs(J_linear.reshape(BATCH * FEATURES, -1)),
               "abs_jacobian_batch_norm": np.abs(J_norm.reshape(BATCH * FEATURES, -1))}
    return Result(fig, summary, checks, measured, plotted)


# --- F47: testing with moving averages ---------------------------------------------------------------

TRUE_MEAN, TRUE_STD = np.array([2.0, -1.0, 0.5]), np.array([1.0, 2.0, 0.5])
TRAIN_BATCH, OTHER_BATCHES = 16, 20
FEATURE_COLORS = ("#0072B2", "#E69F00", "#009E73")


def moving_average(batch_values: np.ndarray, start: np.ndarray, p: float) -> np.ndarray:
    """μ̄ₜ = p μ̄ₜ₋₁ + (1 − p) μₜ for every step t, by hand, from μ̄₀ = ``start``: shape (T, features)."""
    averages, current = [], start.astype(float)
    for value in batch_values:
        current = p * current + (1 - p) * value
        averages.append(current)
    return np.array(averages)


@figure("F47", "batch_normalization_testing", title="Batch normalization at testing: moving averages",
        claim="during training BatchNorm1d keeps μ̄ ← p μ̄ + (1 − p) μ (PyTorch's momentum = 1 − p = 0.1, the "
              "unbiased variance for running_var, the biased one to normalise); in eval mode it normalises "
              "with μ̄, σ̄: outputs differ from train mode and no longer depend on the rest of the batch")
def batch_normalization_testing(ctx: Context) -> Result:
    steps = ctx.pick(full=300, quick=120)
    rng = ctx.rng()
    norm = tl.nn.BatchNorm1d(len(TRUE_MEAN), dtype=tl.float64)
    p = 1 - norm.momentum
    start_mean, start_var = norm.running_mean.numpy().copy(), norm.running_var.numpy().copy()
    batch_mean, biased_var, unbiased_var, running_mean, running_var = [], [], [], [], []
    for _ in range(steps):
        x = tl.tensor(rng.normal(TRUE_MEAN, TRUE_STD, size=(TRAIN_BATCH, len(TRUE_MEAN))))
        out = norm(x)
        batch_mean.append(x.mean(0).numpy())
        biased_var.append(x.var(0, correction=0).numpy())
        unbiased_var.append(x.var(0, correction=1).numpy())
        running_mean.append(norm.running_mean.numpy().copy())
        running_var.append(norm.running_var.numpy().copy())
    batches_tracked = int(norm.num_batches_tracked.item())
    # which variance normalised the last batch: z̃ = (z − μ)/√(var + eps) with the biased or the unbiased one
    normalized_with = {name: float(np.max(np.abs(out.numpy() - (x.numpy() - batch_mean[-1])
                                                 / np.sqrt(var[-1] + norm.eps))))
                       for name, var in (("biased", biased_var), ("unbiased", unbiased_var))}
    batch_mean, biased_var, unbiased_var = np.array(batch_mean), np.array(biased_var), np.array(unbiased_var)
    running_mean, running_var = np.array(running_mean), np.array(running_var)
    hand_mean = moving_average(batch_mean, start_mean, p)
    hand_var = {"unbiased": moving_average(unbiased_var, start_var, p),
                "biased": moving_average(biased_var, start_var, p)}
    mean_error = float(np.max(np.abs(running_mean - hand_mean)))
    var_error = {name: float(np.max(np.abs(running_var - v))) for name, v in hand_var.items()}
    # The moving average of batch means fluctuates around m with std σ/√B · √((1 − p)/(1 + p)).
    mean_noise = TRUE_STD / np.sqrt(TRAIN_BATCH) * np.sqrt((1 - p) / (1 + p))
    mean_deviation = (running_mean[-1] - TRUE_MEAN) / mean_noise
    var_noise = TRUE_STD ** 2 * np.sqrt(2 / (TRAIN_BATCH - 1)) * np.sqrt((1 - p) / (1 + p))
    var_deviation = (running_var[-1] - TRUE_STD ** 2) / var_noise

    # Testing: one batch, its first example alone, and that example among other companions.
    test = rng.normal(TRUE_MEAN, TRUE_STD, size=(TRAIN_BATCH, len(TRUE_MEAN)))
    companions = [np.vstack([test[:1], rng.normal(TRUE_MEAN, TRUE_STD, size=(TRAIN_BATCH - 1, len(TRUE_MEAN)))])
                  for _ in range(OTHER_BATCHES)]
    mean_used, var_used = norm.running_mean.numpy().copy(), norm.running_var.numpy().copy()
    norm.eval()
    with tl.no_grad():
        eval_out = norm(tl.tensor(test)).numpy()
        eval_alone = norm(tl.tensor(test[:1])).numpy()[0]
        eval_among = np.array([norm(tl.tensor(batch)).numpy()[0] for batch in companions])
    eval_formula = float(np.max(np.abs(eval_out - (test - mean_used) / np.sqrt(var_used + norm.eps))))
    norm.train()  # train mode from here on: these calls also move the running averages, which are no longer used
    with tl.no_grad():
        train_out = norm(tl.tensor(test)).numpy()
        train_among = np.array([norm(tl.tensor(batch)).numpy()[0] for batch in companions])
        try:
            norm(tl.tensor(test[:1]))
            batch_of_one_in_train = "no error"
        except ValueError as error:
            batch_of_one_in_train = str(error)
    eval_spread = float(max(np.max(np.abs(eval_among - eval_out[0])), np.max(np.abs(eval_alone - eval_out[0]))))
    train_spread = float(np.max(train_among.max(0) - train_among.min(0)))

    fig = plotting.new_figure(height=4.4)
    ax_mean, ax_var, ax_outputs = fig.subplots(1, 3)
    t = np.arange(1, steps + 1)
    for k, color in enumerate(FEATURE_COLORS):
        ax_mean.scatter(t, batch_mean[:, k], s=4, color=color, alpha=0.25)
        ax_mean.plot(t, running_mean[:, k], color=color, label=f"feature {k + 1}")
        ax_mean.axhline(TRUE_MEAN[k], color=color, lw=1, ls="--")
        ax_var.scatter(t, unbiased_var[:, k], s=4, color=color, alpha=0.25)
        ax_var.plot(t, running_var[:, k], color=color, label=f"feature {k + 1}")
        ax_var.axhline(TRUE_STD[k] ** 2, color=color, lw=1, ls="--")
    ax_mean.set(xlabel="training step", ylabel="mean", title="running_mean μ̄\n(dots: each batch's μ)")
    ax_mean.legend(loc="lower right", fontsize=9)
    ax_var.set(xlabel="training step", ylabel="variance", yscale="log",
               title="running_var\n(dots: each batch's unbiased variance)")
    features = np.arange(1, len(TRUE_MEAN) + 1)
    offsets = np.linspace(-0.25, 0.25, OTHER_BATCHES)
    for k in range(len(TRUE_MEAN)):
        ax_outputs.scatter(features[k] + offsets, train_among[:, k], s=14, color=plotting.SADDLE,
                           label="train mode" if k == 0 else None)
        ax_outputs.scatter(features[k] + offsets, eval_among[:, k], s=14, marker="_", color=plotting.PATH,
                           label="eval mode" if k == 0 else None)
        ax_outputs.scatter(features[k], eval_alone[k], s=90, marker="*", color="black", zorder=5,
                           label="eval mode, batch of one" if k == 0 else None)
    ax_outputs.set_xticks(features, [f"feature {k}" for k in features])
    ax_outputs.set(ylabel="BatchNorm1d output", title="One test example\nin 20 different batches")
    ax_outputs.legend(loc="best", fontsize=8)
    plotting.caption(fig, f"{steps} training batches of {TRAIN_BATCH} from N(m, s²) (dashed: m and s²). "
                          f"BatchNorm1d's running averages equal μ̄ ← {p:g} μ̄ + {1 - p:.1g} μ recomputed by hand "
                          f"({mean_error:.0e}); running_var averages the unbiased batch variance "
                          f"({var_error['unbiased']:.0e}; "
                          f"with the biased one it would be off by {var_error['biased']:.2g}), while the batch "
                          f"is normalised with the biased one, as in PyTorch. In eval mode an example's output is "
                          f"the same alone and in every batch (spread {eval_spread:g}); in train mode it moves "
                          f"with its companions (spread {train_spread:.2g}). A batch of one fails in train mode only.")

    measured = {
        "steps": steps, "batch_size": TRAIN_BATCH, "momentum": norm.momentum, "p": p, "eps": norm.eps,
        "true_mean": TRUE_MEAN, "true_var": TRUE_STD ** 2, "start_mean": start_mean, "start_var": start_var,
        "batch_mean": batch_mean, "batch_biased_var": biased_var, "batch_unbiased_var": unbiased_var,
        "running_mean": running_mean, "running_var": running_var,
        "running_mean_vs_hand": mean_error, "running_var_vs_hand": var_error,
        "first_batch_output_vs_normalized_with": normalized_with,
        "num_batches_tracked": batches_tracked,
        "final_mean_deviation_in_noise_std": mean_deviation, "final_var_deviation_in_noise_std": var_deviation,
        "eval_output_vs_formula": eval_formula, "max_train_minus_eval": float(np.max(np.abs(train_out - eval_out))),
        "eval_spread_of_one_example": eval_spread, "train_spread_of_one_example": train_spread,
        "test_batch": test, "eval_output": eval_out, "train_output": train_out,
        "eval_used_mean": mean_used, "eval_used_var": var_used,
        "batch_of_one_in_train_mode": batch_of_one_in_train,
    }
    checks = {
        "running_mean is μ̄ ← p μ̄ + (1 − p) μ with p = 1 − momentum = 0.9": mean_error < 1e-12,
        "running_var averages the unbiased batch variance": var_error["unbiased"] < 1e-12,
        "… not the biased one": var_error["biased"] > 1e-3,
        "the batch is normalised with the biased variance": normalized_with["biased"] < 1e-12
        and normalized_with["unbiased"] > 1e-3,
        "running mean and variance settle within 4 noise std of the true ones":
            bool(np.all(np.abs(mean_deviation) < 4) and np.all(np.abs(var_deviation) < 4)),
        "eval mode normalises with the running averages": eval_formula < 1e-12,
        "train- and eval-mode outputs differ": measured["max_train_minus_eval"] > 1e-2,
        "eval mode: an example's output does not depend on the rest of the batch (batch of one too)":
            eval_spread < 1e-15,
        "train mode: it does": train_spread > 1e-2,
        "train mode: a batch of one is an error": batch_of_one_in_train != "no error",
        "num_batches_tracked counts the training batches": batches_tracked == steps,
    }
    summary = (f"running stats = hand EMA to {max(mean_error, var_error['unbiased']):.0e} (unbiased var); "
               f"train vs eval differ by {measured['max_train_minus_eval']:.2f}; eval spread {eval_spread:g}")
    # the running and batch statistics drawn on the left are in ``measured``
    plotted = {"step": t, "train_among": train_among, "eval_among": eval_among, "eval_alone": eval_alone}
    return Result(fig, summary, checks, measured, plotted)
