"""Part D of the lecture: adaptive learning rate (F23–F36).

A loss that stops falling is not always at a critical point: the gradient can stay large while the
parameters bounce between the walls of a valley. One learning rate η cannot serve a steep and a flat
direction at once, so each parameter gets its own rate η/σᵢᵗ, where σᵢᵗ measures the size of its past
gradients:

    Adagrad:  σᵢᵗ = √( 1/(t+1) · Σⱼ₌₀ᵗ (gᵢʲ)² )                (root mean square of all past gradients)
    RMSProp:  σᵢᵗ = √( α (σᵢᵗ⁻¹)² + (1 − α) (gᵢᵗ)² )          (recent gradients weigh more)
    Adam:     RMSProp + Momentum

and η itself changes with time (decay, warm-up). Together: θᵢᵗ⁺¹ ← θᵢᵗ − (ηᵗ/σᵢᵗ)·mᵢᵗ.

Every run below uses tinygrad_lite's optimizers (``tl.optim``, with ``form="lecture"`` where the
slide's formula differs from PyTorch's), reads σ from ``opt.state[p]`` and η/σ from
``opt.effective_lr(p)``, and schedules η with ``tl.optim.lr_scheduler``. Parameters are float64: the
Pokémon surface of F25 is so stretched that float32 cannot resolve its slow direction.
"""

from __future__ import annotations

import functools
import math

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite.optim import lr_scheduler

from . import plotting
from .registry import Context, Result, figure

OPTIMUM = "#E69F00"  # orange: the lecture marks the minimum of the error surface with an orange X


def point(*coords: float) -> tl.Tensor:
    """A parameter vector θ in float64."""
    return tl.tensor(np.array(coords, dtype=np.float64), requires_grad=True)


def run(loss, start, make_optimizer, steps: int, make_scheduler=None, progress=None):
    """Optimise ``loss`` from ``start`` for ``steps`` updates; returns the path θ⁰ … θᵀ, the gradients
    gᵗ at θᵗ, the losses L(θᵗ), and σᵗ and η/σᵗ as the optimizer's state holds them after each step."""
    theta = point(*start)
    opt = make_optimizer([theta])
    scheduler = make_scheduler(opt) if make_scheduler else None
    path, grads, losses, sigmas, rates = [theta.numpy().copy()], [], [], [], []
    loop = range(steps) if progress is None else progress(range(steps))
    for _ in loop:
        opt.zero_grad()
        value = loss(theta)
        value.backward()
        grads.append(theta.grad.numpy().copy())
        losses.append(value.item())
        opt.step()
        if scheduler is not None:
            scheduler.step()
        path.append(theta.numpy().copy())
        sigmas.append(np.array(opt.state[theta].get("sigma", np.nan)))
        rates.append(np.asarray(opt.effective_lr(theta)).copy())
    return {"path": np.array(path), "grads": np.array(grads), "losses": np.array(losses),
            "sigma": np.array(sigmas), "effective_lr": np.array(rates)}


def every(values: np.ndarray, n: int) -> np.ndarray:
    """Every n-th row (and the last), to keep long paths light in the plot and the JSON file."""
    picked = values[::n]
    return picked if (len(values) - 1) % n == 0 else np.concatenate([picked, values[-1:]])


# --- the F23/F24 valley: gentle along w1, steep walls along w2 --------------------------------------


def log_cosh(z: tl.Tensor) -> tl.Tensor:
    """log cosh z = |z| + log(1 + e^(−2|z|)) − log 2, written so that it never overflows."""
    return z.abs() + (1 + (-2 * z.abs()).exp()).log() - math.log(2)


def valley(w: tl.Tensor) -> tl.Tensor:
    """L(w1, w2) = 0.005·(w1 + 3)² + log cosh(100·w2): convex, minimum 0 at (−3, 0); across the valley
    the slope is ±100 everywhere except within ~0.01 of its floor."""
    return 0.005 * (w[0] + 3) ** 2 + log_cosh(100 * w[1])


VALLEY_START = (3.0, 1.2345)  # w2 not a whole number of steps (η·100 = 1) from 0, else GD lands on 0


@functools.cache
def valley_run(lr: float, steps: int):
    return run(valley, VALLEY_START, lambda p: tl.optim.SGD(p, lr=lr), steps)


def steep_part(path: np.ndarray) -> np.ndarray:
    """log cosh(100·w2) along a path: the loss from the steep direction alone."""
    with tl.no_grad():
        return log_cosh(100 * tl.tensor(path[:, 1])).numpy()


# --- the F25 surface: the Pokémon regression of the lecture's demo ----------------------------------

CP_BEFORE, CP_AFTER = (column.ravel() for column in tl.data.datasets.pokemon_cp())
POKEMON_START = (-120.0, -4.0)  # (b, w), as in the demo
B_RANGE, W_RANGE = (-200.0, -100.0), (-5.0, 5.0)


def pokemon_loss(theta: tl.Tensor) -> tl.Tensor:
    """L(b, w) = Σₙ (ŷₙ − (b + w·xₙ))²: the sum over the 10 Pokémon, whose gradient the demo used."""
    return ((tl.tensor(CP_AFTER) - (theta[0] + theta[1] * tl.tensor(CP_BEFORE))) ** 2).sum()


def pokemon_loss_batch(points: tl.Tensor) -> tl.Tensor:
    """L at many points (b, w) at once: ``points`` has shape (m, 2)."""
    predictions = points[:, 0:1] + points[:, 1:2] * tl.tensor(CP_BEFORE).reshape(1, -1)
    return ((tl.tensor(CP_AFTER).reshape(1, -1) - predictions) ** 2).sum(axis=1)


@functools.cache
def pokemon_optimum() -> np.ndarray:
    """(b*, w*) from the normal equations XᵀX θ = Xᵀŷ with X = [1, x], solved by Cramer's rule."""
    X = tl.tensor(np.stack([np.ones_like(CP_BEFORE), CP_BEFORE], axis=1))
    XtX, Xty = (X.T @ X).numpy(), (X.T @ tl.tensor(CP_AFTER)).numpy()
    det = XtX[0, 0] * XtX[1, 1] - XtX[0, 1] * XtX[1, 0]
    return np.array([Xty[0] * XtX[1, 1] - XtX[0, 1] * Xty[1], XtX[0, 0] * Xty[1] - XtX[1, 0] * Xty[0]]) / det


# Every optimizer the part runs on the Pokémon surface, by name (runs are cached: F36 reuses F25/F32/F33).
POKEMON_OPTIMIZERS = {
    "GD η=1.1e-6": (lambda p: tl.optim.SGD(p, lr=1.1e-6), None),
    "GD η=1e-7": (lambda p: tl.optim.SGD(p, lr=1e-7), None),
    "Momentum η=1e-7, λ=0.9": (lambda p: tl.optim.Momentum(p, lr=1e-7, momentum=0.9), None),
    "Adagrad η=1": (lambda p: tl.optim.Adagrad(p, lr=1.0, form="lecture"), None),
    "Adagrad η=1/√(t+1)": (lambda p: tl.optim.Adagrad(p, lr=1.0, form="lecture"),
                          lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1 / math.sqrt(t + 1))),
    "Adagrad (PyTorch's sum form) η=1": (lambda p: tl.optim.Adagrad(p, lr=1.0), None),
    "RMSProp η=0.1, α=0.9": (lambda p: tl.optim.RMSProp(p, lr=0.1, alpha=0.9, form="lecture"), None),
    "Adam η=1": (lambda p: tl.optim.Adam(p, lr=1.0), None),
    "Adam η=1, warm-up + 1/√t decay": (
        lambda p: tl.optim.Adam(p, lr=1.0),
        lambda opt: lr_scheduler.LinearWarmup(opt, 1000,
                                              after=lr_scheduler.LambdaLR(opt, lambda k: 1 / math.sqrt(k + 1)))),
}


@functools.cache
def pokemon_run(name: str, steps: int):
    make_optimizer, make_scheduler = POKEMON_OPTIMIZERS[name]
    return run(pokemon_loss, POKEMON_START, make_optimizer, steps, make_scheduler)


def draw_pokemon_surface(ax, ctx: Context):
    """Contours of the Pokémon loss over b ∈ [−200, −100], w ∈ [−5, 5], the minimum an orange X."""
    span = ((B_RANGE[1] - B_RANGE[0]) / 2, (W_RANGE[1] - W_RANGE[0]) / 2)
    center = tl.tensor([sum(B_RANGE) / 2, sum(W_RANGE) / 2], dtype=tl.float64)
    A, B, Z = tl.viz.loss_surface(pokemon_loss_batch, center, span=span, steps=ctx.pick(full=101, quick=41),
                                  batched=True)
    levels = [1e5, 1.1e5, 1.25e5, 1.5e5, 2e5, 3e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8]
    plotting.loss_contour(ax, A + center.numpy()[0], B + center.numpy()[1], Z, levels, xlabel="bias $b$",
                          ylabel="weight $w$", colorbar_label="loss $L(b, w)$")
    ax.set_aspect("auto")
    ax.scatter(*pokemon_optimum(), marker="x", s=140, linewidths=3.5, color=OPTIMUM, zorder=6, label="minimum")
    ax.set_xlim(*B_RANGE)
    ax.set_ylim(*W_RANGE)


def draw_pokemon_path(ax, path: np.ndarray, n: int, label: str, color: str = "black"):
    ax.plot(*every(path, n).T, "o-", color=color, markersize=2.5, lw=1, label=label, zorder=4)
    ax.plot(*path[0], "o", color=color, markersize=8, zorder=5)


# --- F23 ------------------------------------------------------------------------------------------


@figure("F23", "stuck_is_not_small_gradient", title="Training stuck ≠ small gradient",
        claim="the loss stops falling while the gradient norm stays large (no critical point): with η = 10⁻² "
              "‖∇L‖ stays ≈ 100 and the loss stays far from its minimum; a smaller η makes ‖∇L‖ fall")
def stuck_is_not_small_gradient(ctx: Context) -> Result:
    steps = ctx.pick(full=5000, quick=1000)
    stuck, converging = valley_run(1e-2, steps), valley_run(1e-4, steps)
    late = slice(steps // 10, None)  # after the loss has stopped falling
    steep_late = steep_part(stuck["path"])[late]

    fig = plotting.new_figure(height=4.0)
    ax_loss, ax_grad = fig.subplots(1, 2)
    t = np.arange(steps)
    for result, eta, color in ((stuck, "10^{-2}", plotting.SADDLE), (converging, "10^{-4}", plotting.PATH)):
        ax_loss.plot(t, result["losses"], color=color, lw=0.5, alpha=0.35)
        # the mean over each 2-cycle, the level a smoothed training curve would show
        ax_loss.plot(t[1:], (result["losses"][1:] + result["losses"][:-1]) / 2, color=color,
                     label=rf"$\eta = {eta}$ (mean of 2 steps)")
        ax_grad.plot(t, np.linalg.norm(result["grads"], axis=1), color=color, lw=0.8, label=rf"$\eta = {eta}$")
    ax_loss.set(xlabel="iteration", ylabel="loss $L$", title="Loss: falls, then stays flat", ylim=(0, 130))
    ax_grad.set(xlabel="iteration", ylabel=r"norm of gradient $\|\nabla L\|$", title="…but the gradient is not small",
                ylim=(0, 115))
    ax_loss.legend(loc="upper right")
    ax_grad.legend(loc="center right")
    plotting.note(ax_loss, f"η = 10⁻²: L jumps between\n{steep_late.min():.1f} and {steep_late.max():.1f} forever",
                  loc="lower left")
    plotting.caption(fig, "L(w₁, w₂) = 0.005(w₁ + 3)² + log cosh(100 w₂), plain gradient descent from (3, 1.2345). "
                          "With η = 10⁻² the loss is stuck although ‖∇L‖ ≈ 100 at every step: the parameters "
                          "bounce between the valley walls (F24), not at a critical point. With η = 10⁻⁴ the "
                          "gradient does shrink.")

    stuck_norms = np.linalg.norm(stuck["grads"], axis=1)
    converging_norms = np.linalg.norm(converging["grads"], axis=1)
    measured = {"steps": steps, "stuck_grad_norm_min_late": stuck_norms[late].min(),
                "stuck_steep_loss_range_late": [steep_late.min(), steep_late.max()],
                "stuck_final_w": stuck["path"][-1], "converging_final_grad_norm": converging_norms[-1],
                "converging_final_w": converging["path"][-1]}
    checks = {
        "η = 10⁻²: ‖∇L‖ ≥ 99 at every step after the loss stopped falling": stuck_norms[late].min() >= 99,
        "η = 10⁻²: the loss stays ≥ 20 (its minimum is 0)": stuck["losses"][late].min() >= 20,
        "η = 10⁻⁴: ‖∇L‖ falls below 1": converging_norms[-1] < 1,
    }
    summary = (f"η=1e-2: ‖∇L‖ ≥ {stuck_norms[late].min():.1f} while L stuck in [{steep_late.min():.1f}, "
               f"{steep_late.max():.1f}]; η=1e-4: ‖∇L‖ → {converging_norms[-1]:.2g}")
    return Result(fig, summary, checks, measured,
                  plotted={"loss_eta_1e-2": every(stuck["losses"], 10), "grad_norm_eta_1e-2": every(stuck_norms, 10),
                           "loss_eta_1e-4": every(converging["losses"], 10),
                           "grad_norm_eta_1e-4": every(converging_norms, 10), "every": 10})


# --- F24 ------------------------------------------------------------------------------------------


@figure("F24", "oscillation_between_walls", title="Oscillation between the two walls of a valley",
        claim="gradient descent bounces across the valley (w2 changes sign every step, a 2-cycle) while w1 "
              "only drifts slowly along it")
def oscillation_between_walls(ctx: Context) -> Result:
    steps = ctx.pick(full=5000, quick=1000)
    path = valley_run(1e-2, steps)["path"]
    first = 30
    cycle = path[first // 2:]  # once the 2-cycle has set in
    alternates = bool(np.all(np.sign(cycle[1:, 1]) == -np.sign(cycle[:-1, 1])))

    fig = plotting.new_figure(height=4.2)
    ax_surface, ax_steps = fig.subplots(1, 2, width_ratios=[1.3, 1])
    A, B, Z = tl.viz.loss_surface(valley, tl.tensor([0.0, 0.0], dtype=tl.float64), span=(4.5, 1.5),
                                  steps=ctx.pick(full=121, quick=51))
    plotting.loss_contour(ax_surface, A, B, Z, [0, 0.1, 1, 5, 10, 20, 40, 60, 80, 100, 150])
    ax_surface.set_aspect("auto")
    ax_surface.plot(*path[:first + 1].T, "o-", color="white", markersize=3, lw=0.8, label=f"first {first} steps")
    ax_surface.plot(*path[first:].T, "-", color=plotting.SADDLE, lw=0.3, alpha=0.6, label=f"steps {first}…{steps}")
    ax_surface.scatter(-3, 0, marker="x", s=120, linewidths=3, color=OPTIMUM, zorder=6, label="minimum")
    ax_surface.set_title("Gradient descent, η = 10⁻², on the valley of F23")
    ax_surface.legend(loc="lower left", fontsize=9)

    t = np.arange(first + 1)
    ax_steps.plot(t, path[:first + 1, 1], "o-", color=plotting.SADDLE, markersize=3, label="$w_2$ (across)")
    ax_steps.axhline(0, color=plotting.NEUTRAL, lw=1)
    ax_steps.set(xlabel="iteration", ylabel="$w_2$ (across the valley)", title="Across: a 2-cycle. Along: a crawl")
    ax_along = ax_steps.twinx()
    ax_along.plot(t, path[:first + 1, 0], "s-", color=plotting.PATH, markersize=3, label="$w_1$ (along)")
    ax_along.set_ylabel("$w_1$ (along the valley)")
    ax_along.grid(False)
    ax_along.spines["right"].set_visible(True)
    lines = ax_steps.get_lines()[:1] + ax_along.get_lines()
    ax_steps.legend(lines, [line.get_label() for line in lines], loc="upper right")
    plotting.caption(fig, f"From step {first // 2} on, w₂ alternates between {path[-2, 1]:+.3f} and {path[-1, 1]:+.3f} "
                          f"(the slope ±100 times η is a jump of 1), while w₁ drifts from {path[0, 0]:g} to "
                          f"{path[-1, 0]:.2f} in {steps} steps, "
                          f"{abs(path[-1, 0] - path[0, 0]) / 6:.0%} of the way to −3.")
    measured = {"w2_cycle": [path[-2, 1], path[-1, 1]], "w1_start": path[0, 0], "w1_end": path[-1, 0],
                "w1_move_per_step_max": np.abs(np.diff(path[:, 0])).max()}
    checks = {
        "w2 changes sign every step once the cycle has set in": alternates,
        "w1 moves less than 0.001 per step": measured["w1_move_per_step_max"] < 1e-3,
        "w1 has not reached the minimum at −3": path[-1, 0] > -2.5,
    }
    summary = (f"w2 ↔ {plotting.numbers(measured['w2_cycle'])} every step; w1 {path[0, 0]:g} → {path[-1, 0]:.2f} "
               f"in {steps} steps")
    return Result(fig, summary, checks, measured, plotted={"path_first": path[:first + 1], "path": every(path, 10)})


# --- F25 ------------------------------------------------------------------------------------------


def zigzags(path: np.ndarray, steps: int) -> int:
    """How often the step in w reverses direction during the first ``steps`` updates."""
    dw = np.diff(path[:steps + 1, 1])
    return int(np.sum(np.sign(dw[1:]) != np.sign(dw[:-1])))


@figure("F25", "convex_surface_fixed_rate", title="Training can be difficult even without critical points",
        claim="on a convex surface no single η works: the largest stable η zig-zags across the steep direction "
              "and η = 10⁻⁷ stops zig-zagging but, after 100,000 updates, is still far from the minimum")
def convex_surface_fixed_rate(ctx: Context) -> Result:
    steps = ctx.pick(full=100_000, quick=2000)
    runs = {name: pokemon_run(name, steps) for name in ("GD η=1.1e-6", "GD η=1e-7")}
    optimum = pokemon_optimum()
    with tl.no_grad():
        best_loss = pokemon_loss(tl.tensor(optimum)).item()
    curvature = tl.curvature.classify(pokemon_loss, point(*optimum))
    stable_limit = 2 / curvature.eigenvalues[-1]  # GD on a quadratic diverges for η > 2/λ_max
    lecture_rate = run(pokemon_loss, POKEMON_START, lambda p: tl.optim.SGD(p, lr=1e-2), 5)["losses"]

    fig = plotting.new_figure(height=4.3)
    axes = fig.subplots(1, 2)
    n = max(1, steps // 1000)
    for ax, (name, result) in zip(axes, runs.items()):
        draw_pokemon_surface(ax, ctx)
        draw_pokemon_path(ax, result["path"], n, label=f"{steps:,} updates (a dot every {n})")
        final = result["path"][-1]
        ax.set_title(f"{name.replace('GD ', '')}: {zigzags(result['path'], 2000)} zig-zags in 2000 steps")
        plotting.note(ax, f"end ({plotting.number(final[0], 4)}, {plotting.number(final[1])})\n"
                          f"L = {result['losses'][-1]:,.0f} (min {best_loss:,.0f})", loc="lower left")
        ax.legend(loc="upper right", fontsize=9)
    plotting.caption(fig, f"L(b, w) = Σ (ŷ − (b + w·x))² over the lecture's 10 Pokémon, gradient descent from "
                          f"(−120, −4). The Hessian's eigenvalues are {plotting.numbers(curvature.eigenvalues)}, so "
                          f"GD is stable only for η < 2/λ_max = {stable_limit:.3g}; the lecture's η = 10⁻² diverges "
                          f"here (L = {lecture_rate[-1]:.1e} after 4 steps), so the left panel uses η = 1.1·10⁻⁶.")

    (fast, slow) = runs.values()
    needed_b = abs(POKEMON_START[0] - optimum[0])
    measured = {"steps": steps, "optimum": optimum, "optimum_loss": best_loss,
                "hessian_eigenvalues": curvature.eigenvalues, "stable_limit": stable_limit,
                "lr_1e-2_losses": lecture_rate,
                "zigzags_first_2000": {name: zigzags(r["path"], 2000) for name, r in runs.items()},
                "final": {name: r["path"][-1] for name, r in runs.items()},
                "final_loss": {name: r["losses"][-1] for name, r in runs.items()},
                "slow_fraction_of_b_covered": abs(slow["path"][-1, 0] - POKEMON_START[0]) / needed_b}
    checks = {
        "η = 10⁻² diverges on this surface": lecture_rate[-1] > 1e3 * lecture_rate[0],
        "the largest stable η zig-zags (≥ 100 reversals of Δw in 2000 steps)": zigzags(fast["path"], 2000) >= 100,
        "η = 10⁻⁷ does not zig-zag (≤ 5 reversals)": zigzags(slow["path"], 2000) <= 5,
        "η = 10⁻⁷ covers < 20% of the way along b": measured["slow_fraction_of_b_covered"] < 0.2,
        "neither reaches the minimum (|b − b*| > 10)":
            all(abs(r["path"][-1, 0] - optimum[0]) > 10 for r in runs.values()),
    }
    summary = (f"η=1.1e-6: {zigzags(fast['path'], 2000)} zig-zags, ends b={fast['path'][-1, 0]:.1f}; η=1e-7 ends "
               f"b={slow['path'][-1, 0]:.1f} (b*={optimum[0]:.1f}) after {steps:,} steps")
    return Result(fig, summary, checks, measured,
                  plotted={name: every(r["path"], n) for name, r in runs.items()})


# --- F26 ------------------------------------------------------------------------------------------


@figure("F26", "root_mean_square", title="Different parameters need different learning rates: root mean square",
        claim="θᵢᵗ⁺¹ ← θᵢᵗ − (η/σᵢᵗ)gᵢᵗ with σᵢᵗ = √(1/(t+1) Σⱼ (gᵢʲ)²): the first step moves every parameter by "
              "exactly η, and the flat parameter b gets a much larger η/σ than the steep w")
def root_mean_square(ctx: Context) -> Result:
    steps = ctx.pick(full=100, quick=100)
    result = run(pokemon_loss, POKEMON_START, lambda p: tl.optim.Adagrad(p, lr=1.0, form="lecture"), steps)
    grads, sigma, rates = result["grads"], result["sigma"], result["effective_lr"]
    # σᵢᵗ recomputed from the recorded gradients: √(mean of gᵢ⁰² … gᵢᵗ²)
    rms = np.sqrt(np.cumsum(grads ** 2, axis=0) / np.arange(1, steps + 1)[:, None])
    first_step = result["path"][1] - result["path"][0]

    fig = plotting.new_figure(height=4.0)
    ax_sigma, ax_rate = fig.subplots(1, 2)
    t = np.arange(steps)
    for i, (name, color) in enumerate((("b", plotting.PATH), ("w", plotting.SADDLE))):
        ax_sigma.semilogy(t, np.abs(grads[:, i]), color=color, lw=0.8, alpha=0.5, label=rf"$|g_{name}^t|$")
        ax_sigma.semilogy(t, sigma[:, i], color=color, label=rf"$\sigma_{name}^t$ (Adagrad)")
        ax_rate.semilogy(t, rates[:, i], color=color, label=rf"$\eta / \sigma_{name}^t$")
    ax_sigma.set(xlabel="iteration $t$", ylabel="gradient size (log)",
                 title=r"$\sigma_i^t$ = root mean square of $g_i^0 … g_i^t$")
    ax_rate.set(xlabel="iteration $t$", ylabel="learning rate of the parameter (log)",
                title=r"Each parameter's own rate $\eta/\sigma_i^t$ ($\eta = 1$)")
    ax_sigma.legend(loc="center right", fontsize=9)
    ax_rate.legend(loc="center right")
    plotting.caption(fig, f"Adagrad (the lecture's RMS form) on the Pokémon surface of F25. First step: Δb = "
                          f"{plotting.number(first_step[0])}, Δw = {plotting.number(first_step[1])}, exactly ±η. "
                          f"After {steps} steps η/σ_b = {rates[-1, 0]:.2g} vs η/σ_w = {rates[-1, 1]:.2g}: the flat "
                          f"direction b gets a {rates[-1, 0] / rates[-1, 1]:.0f}× larger rate.")
    measured = {"first_step": first_step, "sigma_final": sigma[-1], "effective_lr_final": rates[-1],
                "rate_ratio_b_over_w": rates[-1, 0] / rates[-1, 1],
                "sigma_vs_rms_max_relative_error": np.max(np.abs(sigma - rms) / rms)}
    checks = {
        "first step moves each parameter by exactly η = 1":
            bool(np.allclose(np.abs(first_step), 1.0, rtol=0, atol=1e-9)),
        "σ equals the RMS of the recorded gradients": measured["sigma_vs_rms_max_relative_error"] < 1e-12,
        "η/σ_b > 100 · η/σ_w at every step": bool(np.all(rates[:, 0] > 100 * rates[:, 1])),
    }
    summary = (f"first step ±{plotting.numbers(np.abs(first_step))}; "
               f"η/σ_b = {measured['rate_ratio_b_over_w']:.0f}× η/σ_w")
    return Result(fig, summary, checks, measured, plotted={"sigma": sigma, "effective_lr": rates, "grads": grads})


# --- F27 ------------------------------------------------------------------------------------------

GENTLE, STEEP = 0.01, 10.0  # curvatures of θ1 and θ2


def two_slopes(theta: tl.Tensor) -> tl.Tensor:
    """L = ½(0.01·θ1² + 10·θ2²): a gentle parameter θ1 and a steep parameter θ2."""
    return 0.5 * (GENTLE * theta[0] ** 2 + STEEP * theta[1] ** 2)


@figure("F27", "adagrad_gentle_vs_steep", title="Adagrad: small gradients get large steps",
        claim="the gentle θ1 (small gradients, small σ) gets a large step and the steep θ2 a small one: Adagrad "
              "moves both at the same pace, where one shared η leaves θ1 far behind")
def adagrad_gentle_vs_steep(ctx: Context) -> Result:
    steps = 200
    adagrad = run(two_slopes, (5.0, 5.0), lambda p: tl.optim.Adagrad(p, lr=0.1, form="lecture"), steps)
    plain = run(two_slopes, (5.0, 5.0), lambda p: tl.optim.SGD(p, lr=0.19), steps)  # just below 2/10

    fig = plotting.new_figure(height=4.0)
    ax_theta, ax_sigma = fig.subplots(1, 2)
    t = np.arange(steps + 1)
    for result, style, name in ((plain, "--", "GD, η = 0.19"), (adagrad, "-", "Adagrad, η = 0.1")):
        for i, color in ((0, plotting.PATH), (1, plotting.SADDLE)):
            ax_theta.semilogy(t, np.abs(result["path"][:, i]), style, color=color, label=rf"$|\theta_{i + 1}|$, {name}")
    ax_theta.set(xlabel="iteration $t$", ylabel=r"distance to the minimum $|\theta_i|$ (log)",
                 title=r"$L = \frac{1}{2}(0.01\,\theta_1^2 + 10\,\theta_2^2)$", ylim=(1e-9, 20))
    ax_theta.legend(loc="lower left", fontsize=9)
    for i, (color, name) in enumerate(((plotting.PATH, r"gentle $\theta_1$"), (plotting.SADDLE, r"steep $\theta_2$"))):
        ax_sigma.semilogy(t[:-1], adagrad["sigma"][:, i], color=color, label=rf"$\sigma^t$ of {name}")
        ax_sigma.semilogy(t[:-1], adagrad["effective_lr"][:, i], ":", color=color, label=rf"$\eta/\sigma^t$ of {name}")
    ax_sigma.set(xlabel="iteration $t$", ylabel="(log)", title=r"Adagrad's $\sigma^t$ and step size $\eta/\sigma^t$")
    ax_sigma.legend(loc="center right", fontsize=9)
    first_ratio = adagrad["sigma"][0, 0] / adagrad["sigma"][0, 1]
    paths = np.abs(adagrad["path"])
    plotting.caption(fig, f"Start (5, 5). σ₁/σ₂ = {first_ratio:.3g} at the first step (gradients "
                          f"{plotting.numbers(np.abs(adagrad['grads'][0]))}), "
                          f"so θ1's rate is 1000× θ2's and the two solid lines coincide: "
                          f"|θ| = {paths[50, 0]:.3g} at step 50, {paths[-1, 0]:.2g} at step {steps}. "
                          f"With one η (dashed), θ2 is done while θ1 is still at {abs(plain['path'][-1, 0]):.2f}.")
    measured = {"sigma_ratio_first_step": first_ratio, "adagrad_abs_theta_50": paths[50],
                "adagrad_abs_theta_final": paths[-1],
                "adagrad_path_max_relative_gap": np.max(np.abs(paths[:, 0] - paths[:, 1]) / paths[:, 1]),
                "gd_final": plain["path"][-1]}
    checks = {
        "σ1/σ2 = 0.001 at the first step": abs(first_ratio - 1e-3) < 1e-9,
        "Adagrad: θ1 and θ2 follow the same path": measured["adagrad_path_max_relative_gap"] < 1e-6,
        "GD: θ2 has converged while θ1 is still over half way out": abs(plain["path"][-1, 1]) < 1e-6
        and abs(plain["path"][-1, 0]) > 2.5,
    }
    summary = (f"σ1/σ2 = {first_ratio:.3g}; Adagrad |θ1| = |θ2| = {paths[-1, 0]:.2g}; GD θ1 = "
               f"{plain['path'][-1, 0]:.2f}, θ2 = {plain['path'][-1, 1]:.1e}")
    return Result(fig, summary, checks, measured,
                  plotted={"adagrad_path": adagrad["path"], "gd_path": plain["path"],
                           "adagrad_sigma": adagrad["sigma"]})


# --- F28 ------------------------------------------------------------------------------------------


def crescent(theta: tl.Tensor) -> tl.Tensor:
    """Rosenbrock's banana f(x, y) = (1 − x)² + 100(y − x²)²: a crescent-shaped valley, minimum at (1, 1)."""
    return (1 - theta[0]) ** 2 + 100 * (theta[1] - theta[0] ** 2) ** 2


def crescent_batch(points: tl.Tensor) -> tl.Tensor:
    return (1 - points[:, 0]) ** 2 + 100 * (points[:, 1] - points[:, 0] ** 2) ** 2


@figure("F28", "crescent_surface", title="The learning rate must adapt dynamically (crescent-shaped surface)",
        claim="along one path the slope of the same parameter changes by orders of magnitude (steep at first, "
              "then flat), so its learning rate must change over time, not only across parameters")
def crescent_surface(ctx: Context) -> Result:
    steps = ctx.pick(full=3000, quick=1500)
    result = run(crescent, (-1.5, 2.0), lambda p: tl.optim.Adam(p, lr=0.01), steps)
    slope_x = np.abs(result["grads"][:, 0])
    steepest, flattest = int(np.argmax(slope_x)), int(np.argmin(slope_x[steps // 10:]) + steps // 10)
    path, rate_x = result["path"], result["effective_lr"][:, 0]

    fig = plotting.new_figure(height=4.2)
    ax_surface, ax_slope = fig.subplots(1, 2, width_ratios=[1.2, 1])
    A, B, Z = tl.viz.loss_surface(crescent_batch, tl.tensor([0.0, 1.25], dtype=tl.float64), span=(2.0, 1.75),
                                  steps=ctx.pick(full=121, quick=61), batched=True)
    plotting.loss_contour(ax_surface, A, B + 1.25, Z, [0, 0.5, 2, 5, 10, 25, 50, 100, 200, 400, 800],
                          xlabel="$x$", ylabel="$y$", colorbar_label="$f(x, y)$")
    ax_surface.set_aspect("auto")
    ax_surface.plot(*path.T, color="white", lw=1.2, label=f"Adam, η = 0.01, {steps} steps")
    ax_surface.plot(*path[0], "o", color="white", markersize=7)
    ax_surface.scatter(1, 1, marker="x", s=120, linewidths=3, color=OPTIMUM, zorder=6, label="minimum (1, 1)")
    for index, color, name in ((steepest, plotting.MINIMUM, "steep"), (flattest, plotting.SADDLE, "flat")):
        ax_surface.scatter(*path[index], s=90, color=color, edgecolors="white", zorder=7,
                           label=rf"{name}: $|\partial f/\partial x|$ = {slope_x[index]:.2g}")
    ax_surface.set_title(r"$f = (1-x)^2 + 100\,(y - x^2)^2$")
    ax_surface.legend(loc="lower right", fontsize=8.5)

    t = np.arange(steps)
    ax_slope.semilogy(t, slope_x, color="black", lw=1, label=r"slope $|\partial f / \partial x|$")
    ax_slope.semilogy(t, rate_x, color=plotting.PATH, lw=1.5, label=r"Adam's rate $\eta/\sigma_x^t$")
    for index, color in ((steepest, plotting.MINIMUM), (flattest, plotting.SADDLE)):
        ax_slope.scatter(index, slope_x[index], s=70, color=color, edgecolors="white", zorder=5)
    ax_slope.set(xlabel="iteration $t$", ylabel="(log)", title="The same parameter $x$, over time")
    ax_slope.legend(loc="lower right", fontsize=9)
    ratio = slope_x[steepest] / np.median(slope_x)
    plotting.caption(fig, f"The slope along x is {slope_x[steepest]:.0f} at its steepest (green) and "
                          f"{np.median(slope_x):.2g} typically: {ratio:.0f}× apart on one path, "
                          f"so x needs a small rate at first and a large one later. "
                          f"Adam's η/σₓᵗ follows (from {rate_x.min():.2g} to "
                          f"{rate_x.max():.2g}); it ends at ({path[-1, 0]:.3f}, {path[-1, 1]:.3f}).")
    measured = {"max_slope_x": slope_x[steepest], "median_slope_x": np.median(slope_x), "ratio": ratio,
                "steepest_step": steepest, "flattest_step": flattest, "final": path[-1],
                "adam_rate_x_range": [rate_x.min(), rate_x.max()]}
    checks = {
        "|∂f/∂x| varies ≥ 100× along the path (max / median)": ratio >= 100,
        "Adam's η/σₓ changes ≥ 10× over time": rate_x.max() / rate_x.min() >= 10,
        "Adam keeps moving down the crescent (final f < 1% of the start)":
            result["losses"][-1] < 0.01 * result["losses"][0],
    }
    summary = (f"|∂f/∂x| max {slope_x[steepest]:.0f} vs median {np.median(slope_x):.2g} ({ratio:.0f}×); "
               f"end {plotting.numbers(path[-1])}")
    return Result(fig, summary, checks, measured,
                  plotted={"path": every(path, 5), "slope_x": every(slope_x, 5), "adam_rate_x": every(rate_x, 5)})


# --- F29 ------------------------------------------------------------------------------------------


def feed_gradients(make_optimizer, gradients: np.ndarray) -> np.ndarray:
    """Give an optimizer a fixed sequence of gradients (as ``p.grad``) and return σᵗ after each step."""
    theta = tl.zeros(gradients.shape[1], dtype=tl.float64, requires_grad=True)
    opt = make_optimizer([theta])
    sigmas = []
    for g in gradients:
        theta.grad = tl.tensor(g)
        opt.step()
        sigmas.append(opt.state[theta]["sigma"].copy())
    return np.array(sigmas)


@figure("F29", "rmsprop", title="RMSProp: σ follows the recent gradients",
        claim="σᵢᵗ = √(α(σᵢᵗ⁻¹)² + (1−α)(gᵢᵗ)²), σᵢ⁰ = |gᵢ⁰|: tl.optim.RMSProp(form=\"lecture\") reproduces the "
              "recursion exactly; small α tracks |gᵗ|, α → 1 reacts slowly")
def rmsprop(ctx: Context) -> Result:
    # 20 random gradients whose size jumps up and back down, so the reaction of σ is visible
    size = np.repeat([0.1, 2.0, 0.1], [6, 7, 7])
    gradients = (size * ctx.rng().normal(1.0, 0.3, size=20))[:, None]
    alphas = (0.1, 0.5, 0.9)
    sigmas = {a: feed_gradients(functools.partial(tl.optim.RMSProp, lr=0.1, alpha=a, form="lecture"), gradients)[:, 0]
              for a in alphas}

    def by_hand(alpha):  # the slide's recursion, written out as a reference
        sigma = [abs(gradients[0, 0])]
        for g in gradients[1:, 0]:
            sigma.append(math.sqrt(alpha * sigma[-1] ** 2 + (1 - alpha) * g ** 2))
        return np.array(sigma)

    errors = {a: np.max(np.abs(sigmas[a] - by_hand(a))) for a in alphas}
    tracking = {a: np.mean(np.abs(sigmas[a] - np.abs(gradients[:, 0]))) for a in alphas}

    fig = plotting.new_figure(height=4.0)
    ax = fig.subplots()
    t = np.arange(20)
    ax.bar(t, np.abs(gradients[:, 0]), color="#cccccc", label=r"$|g^t|$")
    for a, color in zip(alphas, (plotting.SADDLE, plotting.APPROX, plotting.PATH)):
        ax.plot(t, sigmas[a], "o-", color=color, markersize=4, label=rf"$\sigma^t$, $\alpha = {a}$")
    ax.set(xlabel="iteration $t$", ylabel="gradient size", xticks=t,
           title=r"$\sigma^t = \sqrt{\alpha(\sigma^{t-1})^2 + (1-\alpha)(g^t)^2}$, $\sigma^0 = |g^0|$")
    ax.legend(loc="upper right")
    plotting.caption(fig, f"σᵗ from tl.optim.RMSProp(form=\"lecture\") fed 20 gradients; it matches the slide's "
                          f"recursion written by hand to {max(errors.values()):.0e}. Mean |σᵗ − |gᵗ||: "
                          + ", ".join(f"{tracking[a]:.2f} (α = {a})" for a in alphas)
                          + ": a small α reacts at once, α = 0.9 lags behind the jumps.")
    measured = {"gradients": gradients[:, 0], "sigma": {str(a): sigmas[a] for a in alphas},
                "max_error_vs_hand_loop": {str(a): errors[a] for a in alphas},
                "mean_abs_sigma_minus_g": {str(a): tracking[a] for a in alphas}}
    checks = {
        "σ equals the hand-written recursion (≤ 1e-12)": max(errors.values()) <= 1e-12,
        "σ⁰ = |g⁰|": all(sigmas[a][0] == abs(gradients[0, 0]) for a in alphas),
        "smaller α tracks |gᵗ| more closely": tracking[0.1] < tracking[0.5] < tracking[0.9],
    }
    summary = "mean |σ − |g||: " + ", ".join(f"α={a}: {tracking[a]:.2f}" for a in alphas) + \
              f"; exact to {max(errors.values()):.0e}"
    return Result(fig, summary, checks, measured, plotted={"t": t})


# --- F30 ------------------------------------------------------------------------------------------

CLIFF = (3.0, 4.0)  # where the 1-D surface is steep


def softplus(z: tl.Tensor) -> tl.Tensor:
    """log(1 + eᶻ) = relu(z) + log(1 + e^(−|z|)), without overflow."""
    return z.relu() + (1 + (-z.abs()).exp()).log()


def flat_steep_flat(w: tl.Tensor) -> tl.Tensor:
    """A 1-D loss falling to the right with slope 0.1 on the flats and 10 on the cliff w ∈ [3, 4]:
    −L′(w) = 0.1 + 9.9·(s(20(w − 3)) − s(20(w − 4))), s the logistic function (softplus' derivative)."""
    cliff = (softplus(20 * (w - CLIFF[0])) - softplus(20 * (w - CLIFF[1]))) * (9.9 / 20)
    return -(0.1 * w + cliff).sum()


@figure("F30", "rmsprop_flat_steep_flat", title="RMSProp brakes on the cliff and speeds up after it",
        claim="on a flat–steep–flat surface RMSProp's σ grows fast on the cliff (small steps, it brakes) and "
              "shrinks fast after it (large steps again), where Adagrad's σ, an average over all the past, "
              "flies off the cliff and then stays slow")
def rmsprop_flat_steep_flat(ctx: Context) -> Result:
    steps = ctx.pick(full=300, quick=300)
    runs = {"Adagrad": run(flat_steep_flat, (0.0,), lambda p: tl.optim.Adagrad(p, lr=0.05, form="lecture"), steps),
            "RMSProp, α = 0.5": run(flat_steep_flat, (0.0,),
                                    lambda p: tl.optim.RMSProp(p, lr=0.05, alpha=0.5, form="lecture"), steps)}

    def stats(result):
        w = result["path"][:-1, 0]
        step = np.abs(np.diff(result["path"][:, 0]))
        on_cliff = (w >= CLIFF[0]) & (w <= CLIFF[1])
        after = np.flatnonzero(w > CLIFF[1])
        return {"largest_step_on_cliff": step[on_cliff].max(),
                "mean_step_after_cliff": step[after].mean() if len(after) else np.nan,
                "final_w": result["path"][-1, 0]}

    measured = {name: stats(result) for name, result in runs.items()}
    adagrad, rms = measured.values()

    fig = plotting.new_figure(height=4.4)
    ax_curve, ax_step = fig.subplots(1, 2)
    w_axis = np.linspace(-0.5, 12, 400)
    with tl.no_grad():
        curve = np.array([flat_steep_flat(tl.tensor([v], dtype=tl.float64)).item() for v in w_axis])
    ax_curve.plot(w_axis, curve, color="black", lw=1.5, label="loss $L(w)$")
    for (name, result), color, marker in zip(runs.items(), (plotting.SADDLE, plotting.PATH), ("o", "s")):
        ws = result["path"][::3, 0]
        with tl.no_grad():
            losses = np.array([flat_steep_flat(tl.tensor([v], dtype=tl.float64)).item() for v in ws])
        ax_curve.plot(ws, losses, marker, color=color, markersize=4, alpha=0.8, label=f"{name} (every 3rd step)",
                      zorder=4 if name == "Adagrad" else 3)
        step = np.abs(np.diff(result["path"][:, 0]))
        ax_step.semilogy(result["path"][:-1, 0], step, marker + "-", color=color, markersize=3, lw=1, label=name)
    for ax in (ax_curve, ax_step):
        ax.axvspan(*CLIFF, color=plotting.NEUTRAL, alpha=0.12, lw=0)
    ax_curve.set(xlabel="parameter $w$", ylabel="loss $L(w)$", title="flat → steep (w ∈ [3, 4]) → flat, η = 0.05")
    ax_curve.legend(loc="lower left", fontsize=9)
    ax_step.set(xlabel="parameter $w$", ylabel=r"step size $|\Delta w| = \eta\,|g| / \sigma$ (log)",
                title="Step size where the ball is")
    ax_step.legend(loc="lower right")
    plotting.caption(fig, f"Largest step on the cliff (grey band): Adagrad {adagrad['largest_step_on_cliff']:.3f} vs "
                          f"RMSProp {rms['largest_step_on_cliff']:.3f} (brakes). Mean step after it (w > 4): "
                          f"Adagrad {adagrad['mean_step_after_cliff']:.4f} (its σ still remembers the cliff) vs "
                          f"RMSProp {rms['mean_step_after_cliff']:.3f} (σ forgets, the step grows back). "
                          f"{steps} steps from w = 0.")
    checks = {
        "on the cliff Adagrad's largest step is ≥ 3× RMSProp's": adagrad["largest_step_on_cliff"]
        >= 3 * rms["largest_step_on_cliff"],
        "after the cliff RMSProp's mean step is ≥ 5× Adagrad's": rms["mean_step_after_cliff"]
        >= 5 * adagrad["mean_step_after_cliff"],
    }
    summary = (f"cliff: max step {adagrad['largest_step_on_cliff']:.3f} (Adagrad) "
               f"vs {rms['largest_step_on_cliff']:.3f}; "
               f"after: {adagrad['mean_step_after_cliff']:.4f} vs {rms['mean_step_after_cliff']:.3f}")
    return Result(fig, summary, checks, measured, plotted={name: r["path"][:, 0] for name, r in runs.items()})


# --- F31 ------------------------------------------------------------------------------------------

ADAM_BOX = [
    ("Require: α (stepsize), β₁, β₂ ∈ [0, 1), f(θ), θ₀", None),
    ("m₀ ← 0, v₀ ← 0, t ← 0", None),
    ("while θₜ not converged do", None),
    ("    t ← t + 1", None),
    ("    gₜ ← ∇θ fₜ(θₜ₋₁)", None),
    ("    mₜ ← β₁·mₜ₋₁ + (1 − β₁)·gₜ", "momentum"),
    ("    vₜ ← β₂·vₜ₋₁ + (1 − β₂)·gₜ²", "rmsprop"),
    ("    m̂ₜ ← mₜ / (1 − β₁ᵗ)", "momentum"),
    ("    v̂ₜ ← vₜ / (1 − β₂ᵗ)", "rmsprop"),
    ("    θₜ ← θₜ₋₁ − α·m̂ₜ / (√v̂ₜ + ε)", None),
    ("end while", None),
    ("Defaults: α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸", None),
]


def quadratic_bowl(theta: tl.Tensor) -> tl.Tensor:
    """A fixed quadratic, L = ½θᵀAθ − bᵀθ, for checking Adam step by step."""
    A = tl.tensor([[3.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.05]])
    b = tl.tensor([1.0, -2.0, 0.5])
    return 0.5 * (theta @ (A @ theta)) - (b * theta).sum()


def adam_by_hand(start, gradients_of, steps, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Algorithm 1 of Kingma & Ba, line by line, as a reference."""
    theta, m, v = np.array(start, dtype=np.float64), 0.0, 0.0
    path = [theta.copy()]
    for t in range(1, steps + 1):
        g = gradients_of(theta)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta.copy())
    return np.array(path)


def torch_adam_path(start, steps, lr):
    """The same run with ``torch.optim.Adam``, when PyTorch is installed (an optional cross-check)."""
    try:
        import torch
    except ImportError:
        return None
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    A = torch.tensor([[3.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.05]], dtype=torch.float64)
    b = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    opt = torch.optim.Adam([theta], lr=lr)
    path = [theta.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * theta @ (A @ theta) - b @ theta).backward()
        opt.step()
        path.append(theta.detach().numpy().copy())
    return np.array(path)


@figure("F31", "adam_algorithm", title="Adam = RMSProp + Momentum",
        claim="tl.optim.Adam is Kingma & Ba's Algorithm 1 (the lecture's box): its first step is α·g/(|g| + ε) ≈ "
              "α·sign(g) and 5 steps on a fixed quadratic equal the algorithm written by hand to 1e-12")
def adam_algorithm(ctx: Context) -> Result:
    start, steps, lr = [1.0, -1.0, 2.0], 5, 0.1
    result = run(quadratic_bowl, start, lambda p: tl.optim.Adam(p, lr=lr), steps)

    def gradients_of(theta):
        t = tl.tensor(theta, requires_grad=True)
        return tl.grad(quadratic_bowl(t), t)[0].numpy()

    by_hand = adam_by_hand(start, gradients_of, steps, lr=lr)
    torch_path = None if ctx.quick else torch_adam_path(start, steps, lr)  # importing torch takes seconds
    g0 = result["grads"][0]
    first_expected = np.array(start) - lr * g0 / (np.abs(g0) + 1e-8)
    error_hand = np.max(np.abs(result["path"] - by_hand))
    error_torch = None if torch_path is None else np.max(np.abs(result["path"] - torch_path))

    fig = plotting.new_figure(height=4.6)
    ax_box, ax_path = fig.subplots(1, 2, width_ratios=[1.35, 1])
    ax_box.axis("off")
    colors = {"momentum": plotting.PATH, "rmsprop": plotting.SADDLE, None: "black"}
    for i, (line, part) in enumerate(ADAM_BOX):
        ax_box.text(0.02, 0.93 - i * 0.075, line, transform=ax_box.transAxes, fontsize=11.5, color=colors[part],
                    family="DejaVu Sans", weight="bold" if part else "normal")
    ax_box.text(0.70, 0.93 - 5.5 * 0.075, "← Momentum", transform=ax_box.transAxes, color=plotting.PATH, fontsize=11)
    ax_box.text(0.70, 0.93 - 6.5 * 0.075, "← RMSProp", transform=ax_box.transAxes, color=plotting.SADDLE, fontsize=11)
    ax_box.set_title("Algorithm 1 (Kingma & Ba, 2015)", loc="left")
    t = np.arange(steps + 1)
    for i in range(3):
        ax_path.plot(t, result["path"][:, i], "o-", label=rf"$\theta_{i + 1}$, tl.optim.Adam")
        ax_path.plot(t, by_hand[:, i], "k+", markersize=12, mew=1.5, label="by hand" if i == 0 else None)
    ax_path.set(xlabel="step $t$", ylabel=r"$\theta_t$", title=f"5 steps on a quadratic, α = {lr}")
    ax_path.legend(loc="best", fontsize=9)
    torch_text = "PyTorch not compared" if error_torch is None else f"torch.optim.Adam to {error_torch:.0e}"
    plotting.caption(fig, f"The momentum part (blue) averages the gradients with their sign; the RMSProp part (red) "
                          f"averages their squares. "
                          f"First step: θ₁ − θ₀ = {plotting.numbers(result['path'][1] - start)} ≈ −α·sign(g₀). "
                          f"tl.optim.Adam matches the algorithm by hand to {error_hand:.0e} and {torch_text}.")
    measured = {"first_step": result["path"][1] - start,
                "first_step_error": np.max(np.abs(result["path"][1] - first_expected)),
                "max_error_vs_hand": error_hand, "max_error_vs_torch": error_torch}
    checks = {
        "first step = θ₀ − α·g/(|g| + ε)": measured["first_step_error"] < 1e-12,
        "5 steps equal the hand-written algorithm (≤ 1e-12)": error_hand < 1e-12,
    }
    if error_torch is not None:  # PyTorch orders the bias corrections differently: equal up to rounding
        checks["5 steps equal torch.optim.Adam (≤ 1e-9)"] = error_torch < 1e-9
    summary = f"Adam vs Algorithm 1 by hand: {error_hand:.0e}; {torch_text}"
    return Result(fig, summary, checks, measured, plotted={"path": result["path"], "by_hand": by_hand})


# --- F32, F33 -------------------------------------------------------------------------------------


def settled_after(steps: int) -> int:
    """The step from which a run has reached the minimum's neighbourhood (a fifth of the run)."""
    return steps // 5


def valley_floor(b: np.ndarray) -> np.ndarray:
    """The best w for each b, ∂L/∂w = 0: w = Σ x(ŷ − b) / Σ x², the floor of the long valley."""
    x, y = tl.tensor(CP_BEFORE), tl.tensor(CP_AFTER)
    return ((x * y).sum().item() - b * x.sum().item()) / (x * x).sum().item()


def excursions(path: np.ndarray, start: int) -> np.ndarray:
    """|w − floor(b)| from step ``start`` on: how far the path jumps off the valley floor (across it)."""
    return np.abs(path[start:, 1] - valley_floor(path[start:, 0]))


def draw_run_over_time(ax, path: np.ndarray, label: str, color: str):
    ax.plot(np.arange(len(path)), path[:, 1], color=color, lw=0.8, label=label)
    ax.axhline(pokemon_optimum()[1], color=OPTIMUM, lw=1.5, ls="--", label="$w^*$")
    ax.set(xlabel="iteration $t$", ylabel="weight $w$", ylim=(-5, 5))


@figure("F32", "adagrad_explodes", title="Adagrad on the convex surface: close, then bursts",
        claim="Adagrad (σ = RMS of all past gradients, η = 1) passes the turn where GD stalled and gets close to "
              "the minimum, then bursts up and down: after many small gradients σ_w has shrunk and the step is huge")
def adagrad_explodes(ctx: Context) -> Result:
    steps = ctx.pick(full=100_000, quick=5000)
    path = pokemon_run("Adagrad η=1", steps)["path"]
    optimum = pokemon_optimum()
    late = excursions(path, settled_after(steps))

    fig = plotting.new_figure(height=4.3)
    ax_surface, ax_time = fig.subplots(1, 2)
    draw_pokemon_surface(ax_surface, ctx)
    draw_pokemon_path(ax_surface, path, max(1, steps // 5000), label=f"Adagrad, η = 1, {steps:,} steps")
    ax_surface.legend(loc="upper right", fontsize=9)
    ax_surface.set_title("The path on the surface of F25")
    draw_run_over_time(ax_time, path, r"$w^t$", plotting.PATH)
    ax_time.axvline(settled_after(steps), color=plotting.NEUTRAL, lw=1, ls=":")
    ax_time.legend(loc="lower right")
    ax_time.set_title("Bursts long after reaching the minimum")
    plotting.caption(fig, f"Adagrad, σᵢᵗ = √(mean of (gᵢ⁰)² … (gᵢᵗ)²). "
                          f"It ends at ({plotting.number(path[-1, 0], 5)}, {plotting.number(path[-1, 1])}), "
                          f"near the X ({plotting.number(optimum[0], 5)}, {plotting.number(optimum[1])}), "
                          f"but after step {settled_after(steps):,} it is more than 0.5 off the valley floor in w "
                          f"for {int(np.sum(late > 0.5)):,} steps (up to {late.max():.2f}): "
                          f"near the minimum the gradients are small, σ shrinks, η/σ grows until a step overshoots, "
                          f"σ jumps up, and again.")
    measured = {"steps": steps, "final": path[-1], "optimum": optimum,
                "steps_far_in_w_late": int(np.sum(late > 0.5)),
                "max_excursion_late": late.max(), "from_step": settled_after(steps)}
    checks = {
        "ends close to the minimum (|b − b*| < 1)": abs(path[-1, 0] - optimum[0]) < 1,
        "bursts: ≥ 100 late steps with |w − floor(b)| > 0.5": measured["steps_far_in_w_late"] >= 100,
        "largest late excursion |w − floor(b)| > 1": late.max() > 1,
    }
    summary = (f"ends ({path[-1, 0]:.2f}, {path[-1, 1]:.3f}); {measured['steps_far_in_w_late']:,} late steps with "
               f"|w − floor| > 0.5, max {late.max():.2f}")
    return Result(fig, summary, checks, measured, plotted={"path": every(path, max(1, steps // 5000))})


@figure("F33", "learning_rate_decay", title="Learning-rate scheduling: learning-rate decay",
        claim="with ηᵗ = η/√(t+1) the same Adagrad run reaches the minimum smoothly (no bursts); this is exactly "
              "PyTorch's sum-form Adagrad")
def learning_rate_decay(ctx: Context) -> Result:
    steps = ctx.pick(full=100_000, quick=5000)
    decayed = pokemon_run("Adagrad η=1/√(t+1)", steps)["path"]
    constant = pokemon_run("Adagrad η=1", steps)["path"]
    check_steps = min(steps, 2000)
    pytorch_form = pokemon_run("Adagrad (PyTorch's sum form) η=1", check_steps)["path"]
    same_as_pytorch = np.max(np.abs(decayed[:check_steps + 1] - pytorch_form))
    optimum = pokemon_optimum()
    late = excursions(decayed, settled_after(steps))
    t, eta = tl.viz.schedule_values(lambda k: 1 / math.sqrt(k + 1), range(steps))

    fig = plotting.new_figure(height=4.3)
    ax_surface, ax_time, ax_eta = fig.subplots(1, 3, width_ratios=[1.25, 1, 0.8])
    draw_pokemon_surface(ax_surface, ctx)
    draw_pokemon_path(ax_surface, decayed, max(1, steps // 5000), label=r"Adagrad, $\eta^t = 1/\sqrt{t+1}$")
    ax_surface.legend(loc="upper right", fontsize=9)
    ax_surface.set_title("Arrives smoothly")
    ax_time.plot(np.arange(len(constant)), constant[:, 1], color="#bbbbbb", lw=0.6, label="η = 1 (F32)")
    draw_run_over_time(ax_time, decayed, r"$\eta^t = 1/\sqrt{t+1}$", plotting.PATH)
    ax_time.legend(loc="lower right", fontsize=9)
    ax_time.set_title("$w^t$: no bursts")
    ax_eta.loglog(t + 1, eta, color="black")
    ax_eta.set(xlabel="iteration $t + 1$", ylabel=r"$\eta^t$",
               title=r"$\theta_i^{t+1} \leftarrow \theta_i^t - \frac{\eta^t}{\sigma_i^t} g_i^t$")
    plotting.caption(fig, f"The run of F32 with the rate decayed as ηᵗ = 1/√(t+1) (LambdaLR). It ends at "
                          f"({plotting.number(decayed[-1, 0], 5)}, {plotting.number(decayed[-1, 1], 4)}); "
                          f"after step {settled_after(steps):,} it stays within {late.max():.3f} of the valley floor "
                          f"in w. Since the RMS over t+1 steps is √(Σg²)/√(t+1), "
                          f"this equals tl.optim.Adagrad's default (PyTorch's) form with η = 1: "
                          f"the first {check_steps:,} steps agree to {same_as_pytorch:.0e}.")
    measured = {"steps": steps, "final": decayed[-1], "max_excursion_late": late.max(),
                "max_difference_to_pytorch_form": same_as_pytorch, "compared_steps": check_steps}
    checks = {
        "no bursts: |w − floor(b)| < 0.05 after the approach": late.max() < 0.05,
        "keeps moving towards b* (b falls at every step after the approach)":
            bool(np.all(np.diff(decayed[settled_after(steps):, 0]) < 0)) or abs(decayed[-1, 0] - optimum[0]) < 1,
        "equals PyTorch's sum-form Adagrad (≤ 1e-9)": same_as_pytorch < 1e-9,
    }
    if not ctx.quick:  # the decayed rate needs the lecture's 100,000 steps to arrive
        checks["ends close to the minimum (|b − b*| < 1, |w − w*| < 0.01)"] = (
            abs(decayed[-1, 0] - optimum[0]) < 1 and abs(decayed[-1, 1] - optimum[1]) < 0.01)
    summary = f"ends ({decayed[-1, 0]:.2f}, {decayed[-1, 1]:.3f}); late max |w − floor(b)| = {late.max():.3f}"
    return Result(fig, summary, checks, measured,
                  plotted={"path": every(decayed, max(1, steps // 5000)), "eta": every(eta, max(1, steps // 5000))})


# --- F34 ------------------------------------------------------------------------------------------


def resnet_factor(k):
    """ResNet-110 on CIFAR-10 (He et al. §4.2), as a multiple of its base rate 0.1: warm up at 0.01 for
    400 iterations, then 0.1, divided by 10 at 32k and 48k iterations."""
    k = np.asarray(k)
    return np.where(k < 400, 0.1, 0.1 ** ((k >= 32_000).astype(float) + (k >= 48_000)))


def scheduler_on_dummy(make_scheduler, lr: float):
    """A scheduler attached to an Adam optimizer, to record the rate the optimizer would use."""
    opt = tl.optim.Adam([tl.zeros(1, requires_grad=True)], lr=lr, betas=(0.9, 0.98), eps=1e-9)
    return make_scheduler(opt)


@figure("F34", "warmup", title="Warm-up: ηᵗ first rises, then falls",
        claim="the Transformer's rate d^−0.5·min(t^−0.5, t·w^−1.5) (d = 512, w = 4000) rises linearly to 6.99e-4 "
              "at t = 4000 and halves by t = 16,000; ResNet-110 warms up at 0.01 for 400 iterations; the "
              "schedulers' rates equal the formulas at every step")
def warmup(ctx: Context) -> Result:
    transformer_steps, resnet_steps = 20_000, 64_000
    t, formula = tl.viz.schedule_values(
        lambda step: lr_scheduler.transformer_lr(step, d_model=512, warmup_steps=4000), transformer_steps)
    _, used = tl.viz.schedule_values(
        scheduler_on_dummy(lambda opt: lr_scheduler.TransformerLR(opt, d_model=512, warmup_steps=4000), 1.0),
        transformer_steps)
    k = np.arange(resnet_steps)
    _, resnet_used = tl.viz.schedule_values(
        scheduler_on_dummy(lambda opt: lr_scheduler.LambdaLR(opt, lambda step: float(resnet_factor(step))), 0.1), k)
    resnet_formula = 0.1 * resnet_factor(k)
    peak = int(t[np.argmax(used)])

    fig = plotting.new_figure(height=4.0)
    ax_transformer, ax_resnet = fig.subplots(1, 2)
    ax_transformer.plot(t, used, color=plotting.PATH, label="TransformerLR (what Adam used)")
    ax_transformer.plot(t[::500], formula[::500], "k+", markersize=9, label="formula, every 500 steps")
    ax_transformer.axvline(4000, color=plotting.NEUTRAL, ls=":", lw=1)
    ax_transformer.annotate(f"peak {used.max():.3g}\nat t = {peak}", (peak, used.max()), xytext=(8000, 6.2e-4),
                            arrowprops=dict(arrowstyle="->", color=plotting.NEUTRAL))
    ax_transformer.set(xlabel="step $t$", ylabel=r"learning rate $\eta^t$",
                       title="Transformer: $d^{-0.5}\\min(t^{-0.5},\\ t\\,w^{-1.5})$, $d = 512$, $w = 4000$")
    ax_transformer.legend(loc="upper right", fontsize=9)
    ax_resnet.semilogy(k, resnet_used, color=plotting.SADDLE, label="LambdaLR (what the optimizer used)")
    ax_resnet.set(xlabel="iteration", ylabel=r"learning rate $\eta^t$ (log)",
                  title="ResNet-110 on CIFAR-10 (He et al.)", ylim=(5e-4, 0.3))
    ax_resnet.annotate("0.01 for 400 iterations\n(warm-up), then 0.1", (400, 0.01), xytext=(8000, 0.0015),
                       arrowprops=dict(arrowstyle="->", color=plotting.NEUTRAL))
    ax_resnet.legend(loc="upper right", fontsize=9)
    plotting.caption(fig, f"Both rates start small while σ (a statistic of the gradients) is still a poor estimate. "
                          f"Transformer (Vaswani et al., eq. 3): peak {used.max():.4g} at t = {peak}, "
                          f"η(16,000)/η(4000) = {used[15999] / used[3999]:.3f}. ResNet (§4.2): ×10 at iteration 400, "
                          f"÷10 at 32k and 48k, stop at 64k.")
    measured = {"transformer_peak": used.max(), "transformer_peak_step": peak,
                "transformer_ratio_16000_4000": used[15999] / used[3999],
                "transformer_max_error": np.max(np.abs(used - formula)),
                "resnet_max_error": np.max(np.abs(resnet_used - resnet_formula)),
                "resnet_rates_at": {str(i): resnet_used[i] for i in (0, 399, 400, 31999, 32000, 48000)}}
    checks = {
        "Transformer: peak 6.99e-4 at t = 4000": peak == 4000 and abs(used.max() - 6.988e-4) < 1e-6,
        "Transformer: η(16,000) = η(4000)/2": abs(measured["transformer_ratio_16000_4000"] - 0.5) < 1e-12,
        "Transformer: rises linearly during warm-up": bool(np.allclose(used[:4000], used[0] * t[:4000], rtol=1e-12)),
        "ResNet: ×10 at 400, ÷10 at 32k and 48k": bool(np.isclose(resnet_used[400] / resnet_used[399], 10)
                                                       and np.isclose(resnet_used[31999] / resnet_used[32000], 10)
                                                       and np.isclose(resnet_used[47999] / resnet_used[48000], 10)),
        "the schedulers' rates equal the formulas at every step": measured["transformer_max_error"] < 1e-15
        and measured["resnet_max_error"] < 1e-15,
    }
    summary = (f"Transformer peak {used.max():.4g} at t={peak}, "
               f"η(16k)/η(4k) = {measured['transformer_ratio_16000_4000']:.3f}")
    return Result(fig, summary, checks, measured,
                  plotted={"transformer_t": t[::50], "transformer_lr": used[::50], "resnet_lr": resnet_used[::200]})


# --- F35 ------------------------------------------------------------------------------------------


def radam_rectifier(t: np.ndarray, beta2: float) -> tuple[float, np.ndarray]:
    """RAdam's ρ∞ = 2/(1−β2) − 1, ρₜ = ρ∞ − 2tβ2ᵗ/(1−β2ᵗ) and rₜ = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)),
    undefined (NaN) where ρₜ ≤ 4: there the variance of the adaptive rate is infinite."""
    rho_inf = 2 / (1 - beta2) - 1
    tt = tl.tensor(t.astype(np.float64))
    decay = tl.tensor(np.full(t.shape, beta2)) ** tt
    rho = rho_inf - 2 * tt * decay / (1 - decay)
    ratio = (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
    r = tl.where(rho > 4, ratio.clip(0, None).sqrt(), tl.tensor(np.full(t.shape, np.nan)))
    return rho_inf, r.numpy()


@figure("F35", "radam_variance", title="RAdam: why warm-up — the adaptive rate's variance",
        claim="with β2 = 0.999 the adaptive rate ψₜ = 1/√v̂ₜ has a huge variance in the first steps (only a few "
              "gradients in σ) that falls by orders of magnitude over time; RAdam's rectifier rₜ is undefined for "
              "t ≤ 4 and rises slowly: an automatic warm-up")
def radam_variance(ctx: Context) -> Result:
    streams, steps, beta2 = ctx.pick(full=20_000, quick=5000), ctx.pick(full=2000, quick=1000), 0.999
    gradients = ctx.rng().normal(size=(steps, streams))  # independent gradient streams gₜ ~ N(0, 1)
    theta = tl.zeros(streams, dtype=tl.float64, requires_grad=True)
    opt = tl.optim.Adam([theta], lr=0.0, betas=(0.9, beta2))  # lr 0: only the statistics are wanted
    variance = []
    for g in ctx.progress(gradients, desc="F35 streams"):
        theta.grad = tl.tensor(g)
        opt.step()
        psi = 1 / tl.tensor(opt.state[theta]["v_hat"]).sqrt()
        variance.append(psi.var(correction=0).item())  # over the streams, not a sample estimate
    variance = np.array(variance)
    t = np.arange(1, steps + 1)
    rho_inf, r = radam_rectifier(t, beta2)

    fig = plotting.new_figure(height=4.0)
    ax_var, ax_r = fig.subplots(1, 2)
    ax_var.loglog(t, variance, color=plotting.SADDLE)
    for step in (1, 10, 100, 1000):
        ax_var.scatter(step, variance[step - 1], color="black", zorder=5, s=20)
        ax_var.annotate(f"{variance[step - 1]:.2g}", (step, variance[step - 1]),
                        textcoords="offset points", xytext=(6, 4))
    ax_var.set(xlabel="step $t$", ylabel=r"Var[$\psi_t$] over streams (log)",
               title=rf"Adaptive rate $\psi_t = 1/\sqrt{{\hat v_t}}$, $\beta_2 = {beta2}$")
    ax_r.plot(t, r, color=plotting.PATH, label=r"RAdam rectifier $r_t$")
    ax_r.plot(t, np.minimum(t / 1000, 1), color=plotting.NEUTRAL, ls="--", lw=1.2, label="linear warm-up, 1000 steps")
    ax_r.axvspan(0, 4.5, color=plotting.SADDLE, alpha=0.2, lw=0, label=r"$\rho_t \leq 4$: $r_t$ undefined")
    ax_r.set(xlabel="step $t$", ylabel="multiplier of η", title=rf"RAdam: $\rho_\infty = {rho_inf:.0f}$",
             ylim=(0, 1.05))
    ax_r.legend(loc="lower right")
    plotting.caption(fig, f"{streams:,} gradient streams of N(0, 1) fed to tl.optim.Adam (β2 = {beta2}); "
                          f"ψₜ from its state v̂ₜ. With one gradient, v̂₁ = g² can be tiny, "
                          f"so 1/√v̂ is wild (variance {variance[0]:.2g}); it settles as v̂ averages more steps. "
                          f"RAdam (Liu et al., 2020) multiplies η by rₜ: "
                          f"{r[4]:.3f} at t = 5, {r[99]:.3f} at t = 100, {r[999]:.3f} at t = 1000.")
    measured = {"variance_at": {str(s): variance[s - 1] for s in (1, 3, 10, 100, 1000) if s <= steps},
                "rho_inf": rho_inf, "r_at": {str(s): r[s - 1] for s in (4, 5, 100, 1000, 2000) if s <= steps},
                "streams": streams}
    checks = {
        "Var[ψ] falls ≥ 100× from t = 3 to t = 100": variance[2] >= 100 * variance[99],
        "Var[ψ] at t = 1 is the largest": variance[0] == variance.max(),
        "rₜ undefined for t ≤ 4, defined from t = 5": bool(np.all(np.isnan(r[:4])) and not np.isnan(r[4])),
        "rₜ rises from ≈ 0.017 (t = 5) to ≈ 0.645 (t = 1000)":
            abs(r[4] - 0.017) < 0.001 and abs(r[999] - 0.645) < 0.001,
    }
    summary = (f"Var[ψ]: {variance[0]:.2g} (t=1), {variance[9]:.2g} (t=10), {variance[99]:.2g} (t=100); "
               f"r5 = {r[4]:.3f}, r1000 = {r[999]:.3f}")
    return Result(fig, summary, checks, measured,
                  plotted={"variance": variance, "r": r})


# --- F36 ------------------------------------------------------------------------------------------

# Each optimizer as a choice of movement m, scale σ and schedule ηᵗ in θ ← θ − (ηᵗ/σᵗ)·mᵗ.
SUMMARY_RUNS = {
    "GD η=1e-7": "m = g, σ = 1",
    "Momentum η=1e-7, λ=0.9": "m = Σ λᵏ g (sign kept), σ = 1",
    "Adagrad η=1": "m = g, σ = RMS of all g",
    "RMSProp η=0.1, α=0.9": "m = g, σ = moving RMS",
    "Adam η=1": "m = m̂, σ = √v̂",
    "Adam η=1, warm-up + 1/√t decay": "m = m̂, σ = √v̂, ηᵗ scheduled",
}


def summary_update_error(make_optimizer, movement_and_scale, steps: int = 5) -> float:
    """Run ``steps`` updates on the Pokémon loss and compare each with θ − (η/σ)·m computed from the
    optimizer's own state (``movement_and_scale(g, state)`` gives m and σ); returns the largest gap."""
    theta = point(*POKEMON_START)
    opt = make_optimizer([theta])
    gap = 0.0
    for _ in range(steps):
        opt.zero_grad()
        pokemon_loss(theta).backward()
        before, g = tl.tensor(theta.numpy().copy()), theta.grad.detach()  # a copy: step() updates θ in place
        opt.step()
        m, sigma = movement_and_scale(g, opt.state[theta])
        expected = before - opt.lr / sigma * m
        gap = max(gap, float(np.max(np.abs((expected - theta.detach()).numpy()))))
    return gap


SUMMARY_CASES = {
    "SGD: m = g, σ = 1": (lambda p: tl.optim.SGD(p, lr=1e-7), lambda g, s: (g, 1.0)),
    "Adagrad: m = g, σ = RMS": (lambda p: tl.optim.Adagrad(p, lr=1.0, form="lecture"),
                                lambda g, s: (g, tl.tensor(s["sigma"]) + 1e-10)),
    "RMSProp: m = g, σ = moving RMS": (lambda p: tl.optim.RMSProp(p, lr=0.1, alpha=0.9, form="lecture"),
                                       lambda g, s: (g, tl.tensor(s["sigma"]) + 1e-8)),
    "Adam: m = m̂, σ = √v̂": (lambda p: tl.optim.Adam(p, lr=1.0),
                            lambda g, s: (tl.tensor(s["m_hat"]), tl.tensor(s["v_hat"]).sqrt() + 1e-8)),
}


@figure("F36", "summary_of_optimization", title="Summary of optimization: θ ← θ − (ηᵗ/σᵗ)·mᵗ",
        claim="every optimizer is a choice of mᵗ (keeps the gradients' sign), σᵗ (only their size) and ηᵗ; the "
              "special cases reproduce the dedicated optimizers exactly, m and σ do not cancel, and Adam reaches "
              "the minimum that plain GD is far from")
def summary_of_optimization(ctx: Context) -> Result:
    steps = ctx.pick(full=20_000, quick=1000)
    runs = {name: pokemon_run(name, steps)["path"] for name in ctx.progress(SUMMARY_RUNS, desc="F36 optimizers")}
    optimum = pokemon_optimum()
    errors = {name: np.abs(path - optimum) for name, path in runs.items()}
    gaps = {case: summary_update_error(*SUMMARY_CASES[case]) for case in SUMMARY_CASES}

    # m and σ do not cancel: alternating gradients +1, −1, … give m̂ ≈ 0 but σ ≈ 1
    w = tl.zeros(1, dtype=tl.float64, requires_grad=True)
    adam = tl.optim.Adam([w], lr=0.0)
    for t in range(100):
        w.grad = tl.tensor(np.array([(-1.0) ** t]))
        adam.step()
    alternating = {"m_hat": float(adam.state[w]["m_hat"][0]), "sigma": float(np.sqrt(adam.state[w]["v_hat"][0]))}

    fig = plotting.new_figure(height=5.4)
    ax_surface, ax_error = fig.subplots(1, 2, width_ratios=[1.1, 1])
    draw_pokemon_surface(ax_surface, ctx)
    colors = ["black", "#56B4E9", plotting.SADDLE, plotting.MAXIMUM, plotting.PATH, plotting.MINIMUM]
    n = max(1, steps // 2000)
    for (name, path), color in zip(runs.items(), colors):
        ax_surface.plot(*every(path, n).T, "-", color=color, lw=1.3)
        distance = np.linalg.norm(errors[name], axis=1)
        ax_error.loglog(np.arange(1, len(path) + 1), distance, color=color, lw=1.2,
                        label=f"{name}: {SUMMARY_RUNS[name]}")
    ax_surface.plot(*runs["GD η=1e-7"][0], "o", color="black", markersize=8)
    ax_surface.set_title(f"{steps:,} steps from (−120, −4)")
    ax_error.set(xlabel="iteration $t + 1$", ylabel=r"distance to the minimum $\|\theta^t - \theta^*\|$ (log)",
                 title=r"$\theta_i^{t+1} \leftarrow \theta_i^t - \frac{\eta^t}{\sigma_i^t} m_i^t$")
    ax_error.set_ylim(1e-8, 1e3)
    fig.legend(*ax_error.get_legend_handles_labels(), loc="outside upper center", fontsize=8.5, ncols=2)
    plotting.caption(fig, f"After {steps:,} steps: GD is {errors['GD η=1e-7'][-1, 0]:.0f} away in b; Adam "
                          f"{plotting.numbers(errors['Adam η=1'][-1], 2)}, with warm-up and decay "
                          f"{plotting.numbers(errors['Adam η=1, warm-up + 1/√t decay'][-1], 2)} (|b − b*|, |w − w*|). "
                          f"θ − (η/σ)·m from each optimizer's own state equals its step to {max(gaps.values()):.0e}. "
                          f"Gradients +1, −1, … give m̂ = {plotting.number(alternating['m_hat'])} "
                          f"but σ = {alternating['sigma']:.2f}: m keeps the sign, σ only the size.")
    measured = {"steps": steps, "final_error": {name: e[-1] for name, e in errors.items()},
                "summary_update_gap": gaps, "alternating_gradients": alternating}
    adam_done = errors["Adam η=1, warm-up + 1/√t decay"][-1]
    checks = {
        "θ − (η/σ)·m reproduces SGD, Adagrad, RMSProp and Adam (≤ 1e-9)": max(gaps.values()) <= 1e-9,
        "alternating gradients: |m̂| < 0.1 while σ ≈ 1":
            abs(alternating["m_hat"]) < 0.1 and abs(alternating["sigma"] - 1) < 1e-9,
        "Adam is closer to the minimum than GD by ≥ 5×": np.linalg.norm(errors["Adam η=1"][-1]) * 5
        < np.linalg.norm(errors["GD η=1e-7"][-1]),
        "GD η = 1e-7 is still > 50 away in b": errors["GD η=1e-7"][-1, 0] > 50,
    }
    if not ctx.quick:
        checks["Adam with warm-up and decay ends within 1e-3 of (b*, w*)"] = bool(np.all(adam_done < 1e-3))
    summary = (f"GD |b−b*| = {errors['GD η=1e-7'][-1, 0]:.0f}; Adam+warm-up+decay {plotting.numbers(adam_done, 2)}; "
               f"summary rule exact to {max(gaps.values()):.0e}")
    return Result(fig, summary, checks, measured, plotted={name: every(path, n) for name, path in runs.items()})
