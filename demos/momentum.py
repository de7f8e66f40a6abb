"""Part C of the lecture: momentum (F19–F22).

Gradient descent stops wherever the gradient is 0. A ball rolling down a slope does not: its inertia
carries it through a saddle point or a small local minimum, and it may climb a small hill to a better
valley. Momentum gives the parameters that inertia. With m⁰ = 0, at every step

    mᵗ⁺¹ = λ mᵗ − η gᵗ          (movement: last movement minus the gradient)
    θᵗ⁺¹ = θᵗ + mᵗ⁺¹

so mᵗ = −η Σᵢ λ^(t−1−i) gⁱ is a weighted sum of all past gradients. ``tl.optim.Momentum`` is exactly
this rule (``momentum`` is λ); ``tl.optim.SGD(momentum=λ)`` is PyTorch's form v ← λv + g, θ ← θ − ηv,
the same path while η is constant.

Two loss functions, both computed by tinygrad_lite in float64:

- F20, F21: an elongated bowl L(θ) = ½(θ₁² + 10θ₂²), steep along θ₂, flat along θ₁.
- F19, F22: a 1-D loss with a small local minimum behind a hill, L(w) = (w² − 1)² − 0.3w.
"""

from __future__ import annotations

import contourpy
import numpy as np
from matplotlib import transforms

import tinygrad_lite as tl

from . import plotting
from .registry import Context, Result, figure

# --- the bowl of F20 and F21 ----------------------------------------------------------------------

BOWL_START = (-4.0, 1.5)
BOWL_LR = 0.09          # η
BOWL_LAMBDA = 0.9       # λ
BOWL_LEVELS = [0, 0.25, 0.5, 1, 2, 4, 6, 8, 12, 16, 20, 25, 30]
BOWL_SPAN = {"center": (-1.5, 0.0), "span": (3.2, 2.7)}   # θ₁ ∈ [−4.7, 1.7], θ₂ ∈ [−2.7, 2.7]


def bowl_loss(theta: tl.Tensor) -> tl.Tensor:
    """L(θ) = ½(θ₁² + 10θ₂²) for one θ of shape (2,) or a batch of shape (m, 2); ∇L = (θ₁, 10θ₂)."""
    return 0.5 * (theta[..., 0] ** 2 + 10 * theta[..., 1] ** 2)


def agreement(error: float) -> str:
    """How closely two computations agree, in words: "exactly" or "to 2e-16"."""
    return "exactly" if error == 0 else f"to {error:.0e}"


def start_point(coords) -> tl.Tensor:
    """θ⁰ as a float64 parameter, so that "exactly" in the checks means to rounding error."""
    return tl.tensor(np.array(coords, dtype=np.float64), requires_grad=True)


def descend_bowl(optimizer_class, steps: int, **hyper):
    """Run ``optimizer_class`` on the bowl from θ⁰; returns the path θ⁰…θˢᵗᵉᵖˢ (a Trajectory's rows), the
    gradients gᵗ and, for the lecture's Momentum, the movements mᵗ⁺¹ read from ``opt.state[θ]["m"]``."""
    theta = start_point(BOWL_START)
    opt = optimizer_class([theta], **hyper)
    gradients, movements = [], []
    with tl.viz.Trajectory(theta, optimizer=opt) as trajectory:
        for _ in range(steps):
            opt.zero_grad()
            loss = bowl_loss(theta)
            loss.backward()
            trajectory.record(loss)
            gradients.append(theta.grad.numpy().copy())
            opt.step()
            if "m" in opt.state.get(theta, {}):
                movements.append(opt.state[theta]["m"].copy())
    trajectory.record(bowl_loss(theta))  # the last point, where no step follows
    return trajectory, np.array(gradients), np.array(movements)


def bowl_surface(ctx: Context):
    """θ₁, θ₂ and L on a grid, one batched tinygrad_lite call through ``tl.viz.loss_surface``."""
    steps = ctx.pick(full=241, quick=121)
    offset_1, offset_2, z = tl.viz.loss_surface(bowl_loss, tl.tensor(BOWL_SPAN["center"]), span=BOWL_SPAN["span"],
                                                steps=steps, batched=True)
    return offset_1 + BOWL_SPAN["center"][0], offset_2 + BOWL_SPAN["center"][1], z


def draw_bowl(ax, grid):
    plotting.loss_contour(ax, *grid, BOWL_LEVELS, xlabel=r"$\theta_1$", ylabel=r"$\theta_2$")
    plotting.mark(ax, (0, 0), "minimum")


def arrow(ax, start, end, color, **style):
    """An arrow from ``start`` to ``end`` in data coordinates."""
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=2.2, shrinkA=0, shrinkB=0,
                                mutation_scale=14, **style))


def label_points(ax, points, offsets):
    """Write θ⁰, θ¹, … next to the points of a path (``offsets[t]`` in points), outlined so they read on
    the contours."""
    for t, p in enumerate(points):
        text = ax.annotate(rf"$\theta^{{{t}}}$", p, textcoords="offset points", xytext=offsets[t], color="white",
                           fontsize=12, ha="center", zorder=7)
        plotting.outlined(text)


def angle_to_contour(f, theta: np.ndarray, step: np.ndarray, span: float = 0.02) -> float:
    """The angle (degrees) between ``step`` and the contour line of ``f`` through ``theta``.

    The line is traced on a small grid around θ (computed by tinygrad_lite): so small that the piece of
    contour through θ is straight to well under a degree, and its direction is the chord across it."""
    offsets_1, offsets_2, z = tl.viz.loss_surface(f, tl.tensor(theta), span=span, steps=21, batched=True)
    with tl.no_grad():
        level = f(tl.tensor(theta)).item()
    pieces = contourpy.contour_generator(offsets_1, offsets_2, z).lines(level)
    piece = min(pieces, key=lambda line: np.min(np.linalg.norm(line, axis=1)))   # the one through θ
    chord = piece[-1] - piece[0]
    cosine = abs(chord @ step) / (np.linalg.norm(chord) * np.linalg.norm(step))
    return float(np.degrees(np.arccos(min(cosine, 1.0))))


# --- the hill of F19 and F22 ----------------------------------------------------------------------

HILL_START = -2.0
HILL_LR = 0.01          # η
LECTURE_LAMBDAS = (0.0, 0.5, 0.8, 0.9)


def hill_loss(w: tl.Tensor) -> tl.Tensor:
    """L(w) = (w² − 1)² − 0.3w: a shallow local minimum (w ≈ −0.96), a hill (w ≈ −0.08), a deeper
    minimum (w ≈ 1.04). Elementwise: a vector of w gives a vector of losses."""
    return (w ** 2 - 1) ** 2 - 0.3 * w


def critical_point(guess: float, iterations: int = 30) -> float:
    """Newton's method on L′(w) = 0, w ← w − L′(w)/L″(w), both derivatives by (double) backward."""
    w = guess
    for _ in range(iterations):
        point = tl.tensor(np.array(w), requires_grad=True)
        (slope,) = tl.grad(hill_loss(point), point, create_graph=True)
        (curvature,) = tl.grad(slope, point)
        w = w - slope.item() / curvature.item()
    return w


def hill_landmarks() -> dict[str, float]:
    return {"local minimum": critical_point(-1.0), "hill top": critical_point(0.0),
            "better minimum": critical_point(1.0)}


def roll(lambdas, steps: int):
    """Momentum from w⁰ = −2 with η = 0.01, one run per λ, all side by side: one parameter group per λ
    (each w is its own parameter, so the runs do not interact). Returns w, g and m over time, each
    of shape (steps + 1, runs), (steps, runs) and (steps, runs)."""
    ws = [tl.tensor(np.array([HILL_START]), requires_grad=True) for _ in lambdas]
    opt = tl.optim.Momentum([{"params": [w], "momentum": lam} for w, lam in zip(ws, lambdas)], lr=HILL_LR)
    gradients, movements = [], []
    with tl.viz.Trajectory(ws, optimizer=opt) as trajectory:
        for _ in range(steps):
            opt.zero_grad()
            hill_loss(tl.concatenate(ws)).sum().backward()  # the sum's gradient for w_k is L′(w_k)
            gradients.append([w.grad.item() for w in ws])
            opt.step()
            movements.append([opt.state[w]["m"].item() for w in ws])
    trajectory.record()
    return trajectory.params, np.array(gradients), np.array(movements)


def hill_curve(w: np.ndarray) -> np.ndarray:
    with tl.no_grad():
        return hill_loss(tl.tensor(w)).numpy()


def draw_hill(ax, landmarks, span=(-2.4, 1.7)):
    grid = np.linspace(*span, 300)
    ax.plot(grid, hill_curve(grid), color=plotting.NEUTRAL, lw=2.5, zorder=1)
    heights = hill_curve(np.array(list(landmarks.values())))
    for (name, w), height in zip(landmarks.items(), heights):
        plotting.mark(ax, (w, height), "maximum" if name == "hill top" else "minimum", size=60, label=name)
    ax.set(xlabel="parameter $w$", ylabel="loss $L(w)$")


def draw_balls(ax, path: np.ndarray, color, first_steps: int = 25, spacing: float = 0.16):
    """Draw the ball during the first steps, wherever it has moved ``spacing`` since the last drawn one
    (faint early, solid later), and at the end; each ball rests on the curve."""
    shown, last = [0], path[0]
    for t in range(1, first_steps):
        if abs(path[t] - last) >= spacing:
            shown.append(t)
            last = path[t]
    shown.append(len(path) - 1)
    on_curve = transforms.offset_copy(ax.transData, fig=ax.figure, y=7, units="points")  # sit on top
    for i, t in enumerate(shown):
        alpha = 0.25 + 0.75 * i / (len(shown) - 1)
        ax.plot(path[t], hill_curve(np.array(path[t])), "o", ms=13, color=color, alpha=alpha, mec="black",
                mew=0.8, transform=on_curve, zorder=4)


def mark_start_above(ax, top: float):
    """The start w⁰ = −2 lies far above the drawn part of the curve: point up to it."""
    start_loss = plotting.number(hill_curve(np.array(HILL_START)), 2)
    ax.annotate(f"start $w^0$ = {plotting.number(HILL_START)}\n(L = {start_loss})", xy=(HILL_START, top),
                xytext=(HILL_START - 0.38, 0.75), ha="left", fontsize=10,
                arrowprops={"arrowstyle": "->", "color": "black"})


# --- F19 ------------------------------------------------------------------------------------------


@figure("F19", "ball_rolling_with_momentum", title="Small gradient… think of the physical world",
        claim="gradient descent stops in the first local minimum (g = 0); a ball with momentum (λ = 0.9) "
              "rolls on through it, climbs the hill and ends in the better minimum")
def ball_rolling_with_momentum(ctx: Context) -> Result:
    steps = ctx.pick(full=2000, quick=600)
    landmarks = hill_landmarks()
    path, gradients, movements = roll((0.0, 0.9), steps)
    plain, heavy = path[:, 0], path[:, 1]
    # The step at which the heavy ball is nearest the bottom of the small valley, where the slope is 0.
    t_pass = int(np.argmin(np.abs(heavy[:-1] - landmarks["local minimum"])))
    t_top = int(np.argmax(heavy > landmarks["hill top"]))

    fig = plotting.new_figure(height=4.3)
    ax_gd, ax_mom = fig.subplots(1, 2, sharey=True)
    for ax, run, color, title in ((ax_gd, plain, plotting.SADDLE, "Gradient descent ($\\lambda$ = 0)"),
                                  (ax_mom, heavy, plotting.PATH, "With momentum ($\\lambda$ = 0.9)")):
        draw_hill(ax, landmarks)
        draw_balls(ax, run, color)
        ax.set_title(title)
        ax.set_ylim(-0.6, 3.2)
        mark_start_above(ax, 3.2)
    plotting.note(ax_gd, f"stops at w = {plotting.number(plain[-1])}\nwhere g = {plotting.number(gradients[-1, 0], 2)}",
                  loc="upper right")
    plotting.note(ax_mom, f"hill top crossed at step {t_top}\nends at w = {plotting.number(heavy[-1])}",
                  loc="upper right")
    w_pass = heavy[t_pass]
    ax_mom.annotate(f"step {t_pass}: g = {plotting.number(gradients[t_pass, 1], 2)},\n"
                    f"but m = {plotting.number(movements[t_pass, 1], 2)} keeps it rolling",
                    (w_pass, hill_curve(np.array(w_pass))), xytext=(-1.2, 2.0),
                    arrowprops={"arrowstyle": "->", "color": "black"}, fontsize=10,
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#bbbbbb"})
    handles = ax_gd.get_legend_handles_labels()[0]
    fig.legend(handles[:2], ["local minima (g = 0)", "hill top (g = 0)"], loc="outside upper center", ncols=2)
    plotting.caption(fig, f"L(w) = (w² − 1)² − 0.3w, start w⁰ = −2, η = {HILL_LR}, {steps} steps; each ball is "
                          f"the parameter after some steps (faint: early, solid: last). At the bottom of the first "
                          f"valley the gradient is 0: without momentum the parameter stops there; with momentum the "
                          f"movement left from earlier steps carries it on, over the hill "
                          f"(w = {plotting.number(landmarks['hill top'], 2)}), to the lower minimum.")

    at_local = abs(plain[-1] - landmarks["local minimum"])
    at_better = abs(heavy[-1] - landmarks["better minimum"])
    measured = {"landmarks": landmarks, "steps": steps, "final_w_gradient_descent": plain[-1],
                "final_w_momentum": heavy[-1], "final_gradient_gradient_descent": gradients[-1, 0],
                "max_w_gradient_descent": plain.max(), "step_hill_top_crossed": t_top,
                "passing_local_minimum": {"step": t_pass, "w": w_pass, "g": gradients[t_pass, 1],
                                          "m": movements[t_pass, 1]}}
    checks = {
        "gradient descent stops in the local minimum (|w − w*| < 1e-3, |g| < 1e-6)":
            at_local < 1e-3 and abs(gradients[-1, 0]) < 1e-6,
        "gradient descent never reaches the hill top": plain.max() < landmarks["hill top"],
        "momentum passes the local minimum with |m| > 10·η|g|":
            abs(movements[t_pass, 1]) > 10 * HILL_LR * abs(gradients[t_pass, 1]),
        "momentum crosses the hill and ends in the better minimum (|w − w*| < 1e-3)": at_better < 1e-3,
    }
    summary = (f"GD stops at w = {plain[-1]:.3f}; momentum (λ = 0.9) crosses the hill at step {t_top}, "
               f"ends at w = {heavy[-1]:.3f}")
    return Result(fig, summary, checks, measured,
                  plotted={"step": np.arange(0, steps + 1, 5), "w_gradient_descent": plain[::5],
                           "w_momentum": heavy[::5]})


# --- F20 ------------------------------------------------------------------------------------------


@figure("F20", "vanilla_gradient_descent", title="(Vanilla) gradient descent",
        claim="every step is θᵗ⁺¹ = θᵗ − ηgᵗ: the arrow −ηgᵗ points straight down the slope, "
              "perpendicular to the contour line through θᵗ")
def vanilla_gradient_descent(ctx: Context) -> Result:
    steps = 6
    trajectory, gradients, _ = descend_bowl(tl.optim.SGD, steps, lr=BOWL_LR)
    path = trajectory.params
    moves = np.diff(path, axis=0)
    step_error = float(np.max(np.abs(moves - (-BOWL_LR * gradients))))
    analytic_error = float(np.max(np.abs(gradients - path[:-1] * [1.0, 10.0])))   # ∇L = (θ₁, 10θ₂)

    angles = np.array([angle_to_contour(bowl_loss, path[t], moves[t]) for t in range(steps)])

    fig = plotting.new_figure(height=4.6)
    ax, ax_table = fig.subplots(1, 2, width_ratios=[1.35, 1])
    grid = bowl_surface(ctx)
    draw_bowl(ax, grid)
    # the contour line through every θᵗ, to see that each arrow crosses it at a right angle
    ax.contour(*grid, levels=np.sort(trajectory.losses[:steps]), colors="black", linewidths=1.1, linestyles="--")
    for t in range(steps):
        arrow(ax, path[t], path[t + 1], plotting.SADDLE)
    ax.plot(*path.T, "o", color="white", ms=5, mec="black", zorder=6)
    label_points(ax, path[:4], offsets={0: (-12, 8), 1: (-14, 6), 2: (2, 10), 3: (10, 8)})
    ax.set_xlim(-4.7, 1.7)
    ax.set_ylim(-2.2, 2.2)
    ax.set_title(rf"$L = \frac{{1}}{{2}}(\theta_1^2 + 10\,\theta_2^2)$, $\eta$ = {BOWL_LR}")
    arrow_handle = ax.plot([], [], color=plotting.SADDLE, label=r"step $-\eta g^t$")[0]
    line_handle = ax.plot([], [], color="black", lw=1.1, ls="--", label=r"contour through $\theta^t$")[0]
    ax.legend(handles=[arrow_handle, line_handle], loc="lower left")

    ax_table.axis("off")
    rows = [[str(t), plotting.numbers(path[t], 3), plotting.numbers(gradients[t], 3), f"{angles[t]:.1f}°"]
            for t in range(steps)] + [[str(steps), plotting.numbers(path[steps], 3), "", ""]]
    table = ax_table.table(cellText=rows, colLabels=["t", "θᵗ", "gᵗ = ∇L(θᵗ)", "∠ to contour"],
                           loc="center", cellLoc="center", colWidths=[0.08, 0.34, 0.32, 0.3])
    table.auto_set_font_size(False)
    table.set_fontsize(9.5)
    table.scale(1.0, 2.0)
    ax_table.set_title("tl.optim.SGD: θᵗ⁺¹ = θᵗ − ηgᵗ")
    plotting.caption(fig, f"Start at θ⁰ = ({plotting.numbers(BOWL_START)}); compute g⁰ by backward; move to "
                          f"θ¹ = θ⁰ − ηg⁰; compute g¹; … Each step (red) equals −ηgᵗ {agreement(step_error)} and "
                          f"crosses the contour line through θᵗ at a right angle "
                          f"(within {np.max(np.abs(angles - 90)):.1g}°, the line traced on a fine grid around θᵗ). "
                          f"The steep θ₂ shrinks by a factor 1 − 10η = {1 - 10 * BOWL_LR:.1f} per step, "
                          f"the flat θ₁ by only 1 − η = {1 - BOWL_LR:.2f}.")

    measured = {"theta": path, "gradient": gradients, "lr": BOWL_LR,
                "max_step_minus_eta_g": step_error, "max_gradient_error_vs_analytic": analytic_error,
                "angle_to_contour_deg": angles, "loss": trajectory.losses}
    checks = {
        "every step equals −ηgᵗ (to 1e-12)": step_error < 1e-12,
        "backward's gᵗ equals the analytic (θ₁, 10θ₂) (to 1e-12)": analytic_error < 1e-12,
        "every step is perpendicular to the contour through θᵗ (90° ± 1°)": bool(np.all(np.abs(angles - 90) < 1)),
        "the loss falls at every step": bool(np.all(np.diff(trajectory.losses) < 0)),
    }
    summary = (f"step = −ηg {agreement(step_error)}; angle to contour 90° ± {np.max(np.abs(angles - 90)):.0e}°; "
               f"L {trajectory.losses[0]:.2f} → {trajectory.losses[-1]:.2f}")
    return Result(fig, summary, checks, measured, plotted={"theta": path, "contour_levels": trajectory.losses[:steps]})


# --- F21 ------------------------------------------------------------------------------------------


@figure("F21", "gradient_descent_with_momentum", title="Gradient descent + momentum",
        claim="movement = last movement minus gradient: mᵗ⁺¹ = λmᵗ − ηgᵗ, θᵗ⁺¹ = θᵗ + mᵗ⁺¹ "
              "(tl.optim.Momentum), the same path as PyTorch's form SGD(momentum=λ)")
def gradient_descent_with_momentum(ctx: Context) -> Result:
    shown, steps = 4, 40
    trajectory, gradients, movements = descend_bowl(tl.optim.Momentum, steps, lr=BOWL_LR, momentum=BOWL_LAMBDA)
    pytorch_form, _, _ = descend_bowl(tl.optim.SGD, steps, lr=BOWL_LR, momentum=BOWL_LAMBDA)
    plain, _, _ = descend_bowl(tl.optim.SGD, steps, lr=BOWL_LR)
    path = trajectory.params
    last_movements = np.vstack([np.zeros(2), movements[:-1]])                  # mᵗ, with m⁰ = 0
    rule_error = float(np.max(np.abs(movements - (BOWL_LAMBDA * last_movements - BOWL_LR * gradients))))
    position_error = float(np.max(np.abs(np.diff(path, axis=0) - movements)))
    forms_difference = float(np.max(np.abs(path - pytorch_form.params)))
    first_crossing = int(np.argmax(path[:, 0] > 0))          # the first step with θ₁ past the minimum

    fig = plotting.new_figure(height=4.6)
    ax, ax_flat = fig.subplots(1, 2, width_ratios=[1.25, 1])
    draw_bowl(ax, bowl_surface(ctx))
    # The first steps, drawn as on the slide: last movement (scaled by λ) then minus the gradient.
    for t in range(shown):
        carried = path[t] + BOWL_LAMBDA * last_movements[t]
        if t > 0:
            arrow(ax, path[t], carried, plotting.PATH, linestyle=(0, (2, 1.5)))
        arrow(ax, carried, carried - BOWL_LR * gradients[t], plotting.SADDLE)
        arrow(ax, path[t], path[t + 1], "white")
    ax.plot(*path[:shown + 1].T, "o", color="white", ms=5, mec="black", zorder=6)
    label_points(ax, path[:shown + 1], offsets={0: (-12, 8), 1: (-16, 0), 2: (-16, -10), 3: (4, -16), 4: (12, 6)})
    ax.set_xlim(-4.7, 0.7)
    ax.set_ylim(-2.6, 2.0)
    ax.set_title(f"First {shown} steps, $\\lambda$ = {BOWL_LAMBDA}, $\\eta$ = {BOWL_LR}")
    handles = [ax.plot([], [], color=plotting.PATH, ls=(0, (2, 1.5)), label=r"$\lambda m^t$ (last movement)")[0],
               ax.plot([], [], color=plotting.SADDLE, label=r"$-\eta g^t$ (minus gradient)")[0],
               ax.plot([], [], color="white", label=r"$m^{t+1} = \lambda m^t - \eta g^t$")[0]]
    ax.legend(handles=handles, loc="upper right", facecolor="#cccccc", fontsize=9)

    t_axis = np.arange(steps + 1)
    ax_flat.plot(t_axis, plain.params[:, 0], color=plotting.SADDLE, label="gradient descent (F20)")
    ax_flat.plot(t_axis, path[:, 0], color=plotting.PATH, label="tl.optim.Momentum (lecture's form)")
    ax_flat.plot(t_axis, pytorch_form.params[:, 0], "x", color="black", ms=5,
                 label="tl.optim.SGD(momentum=λ) (PyTorch's form)")
    ax_flat.axhline(0, color=plotting.MINIMUM, lw=1.2, ls="--", label=r"minimum $\theta_1 = 0$")
    ax_flat.set(xlabel="step t", ylabel=r"$\theta_1^t$ (the flat direction)",
                title=r"Along the flat direction $\theta_1$")
    ax_flat.set_ylim(-7.2, 2.9)
    ax_flat.legend(loc="lower right", fontsize=9)
    plotting.note(ax_flat, f"the two forms differ by\nat most {forms_difference:.0e}", loc="upper right")
    plotting.caption(fig, f"Each movement is λ·(last movement, dashed blue) plus −η·(gradient, red); the sum "
                          f"(white) is the new movement. mᵗ⁺¹ read from the optimizer's state equals λmᵗ − ηgᵗ "
                          f"{agreement(rule_error)}. "
                          f"The movement it keeps carries θ₁ across the flat direction: "
                          f"past the minimum at step {first_crossing}, where gradient descent is still at θ₁ = "
                          f"{plotting.number(plain.params[first_crossing, 0])}; but on this bowl it also overshoots "
                          f"and swings back (loss after {steps} steps: {trajectory.losses[-1]:.2g} with momentum, "
                          f"{plain.losses[-1]:.2g} without). PyTorch's form (v ← λv + g, θ ← θ − ηv) walks the same "
                          f"path while η is constant (m = −ηv).")

    measured = {"lambda": BOWL_LAMBDA, "lr": BOWL_LR, "theta": path[:shown + 1], "gradient": gradients[:shown],
                "movement": movements[:shown], "max_rule_error": rule_error, "max_position_error": position_error,
                "max_difference_lecture_vs_pytorch_form": forms_difference,
                "first_step_theta1_past_minimum": first_crossing,
                "final_loss": {"momentum": trajectory.losses[-1], "gradient_descent": plain.losses[-1]}}
    checks = {
        "mᵗ⁺¹ = λmᵗ − ηgᵗ at every step (to 1e-12)": rule_error < 1e-12,
        "θᵗ⁺¹ = θᵗ + mᵗ⁺¹ at every step (to 1e-12)": position_error < 1e-12,
        "Momentum and SGD(momentum=λ) walk the same path (to 1e-12)": forms_difference < 1e-12,
    }
    summary = (f"m rule holds {agreement(rule_error)}; lecture vs PyTorch form differ by {forms_difference:.0e}")
    return Result(fig, summary, checks, measured,
                  plotted={"theta_momentum": path, "theta_gradient_descent": plain.params})


# --- F22 ------------------------------------------------------------------------------------------


def weighted_sum_of_gradients(gradients: np.ndarray, lam: float, lr: float) -> np.ndarray:
    """mᵗ = −η Σᵢ₌₀^(t−1) λ^(t−1−i) gⁱ for t = 1 … T, written out as a sum (not as the recursion)."""
    t = np.arange(1, len(gradients) + 1)[:, None]
    i = np.arange(len(gradients))[None, :]
    weights = np.where(i < t, lam ** np.clip(t - 1 - i, 0, None), 0.0)   # λ⁰ = 1, also for λ = 0
    return -lr * weights @ gradients


@figure("F22", "momentum_over_the_hill", title="Momentum: a weighted sum of all past gradients",
        claim="mᵗ = −η Σᵢ λ^(t−1−i) gⁱ; on L(w) = (w² − 1)² − 0.3w from w = −2, momentum λ = 0.8 and 0.9 "
              "cross the hill to the better minimum, λ = 0 and 0.5 (every λ ≤ 0.5) do not")
def momentum_over_the_hill(ctx: Context) -> Result:
    steps = ctx.pick(full=2000, quick=600)
    lambdas = np.round(np.arange(0, 0.991, ctx.pick(full=0.01, quick=0.1)), 2)
    landmarks = hill_landmarks()
    path, gradients, movements = roll(lambdas, steps)
    final, farthest = path[-1], path.max(axis=0)
    crossed = np.abs(final - landmarks["better minimum"]) < 1e-3
    stuck = np.abs(final - landmarks["local minimum"]) < 1e-3
    column = {lam: int(np.flatnonzero(lambdas == lam)[0]) for lam in LECTURE_LAMBDAS}
    sum_error = max(float(np.max(np.abs(movements[:, k] - weighted_sum_of_gradients(gradients[:, k], lam, HILL_LR))))
                    for lam, k in column.items())
    lowest_crossing = float(lambdas[crossed].min()) if crossed.any() else None
    swings_back = lambdas[~crossed & (farthest > landmarks["better minimum"])]   # crossed, then rolled back

    fig = plotting.new_figure(height=7.8)
    (ax_weights, ax_time), (ax_curve, ax_sweep) = fig.subplots(2, 2)
    colors = {0.0: plotting.SADDLE, 0.5: plotting.APPROX, 0.8: plotting.PATH, 0.9: plotting.MAXIMUM}

    age = np.arange(0, 25)
    for lam in LECTURE_LAMBDAS:
        ax_weights.plot(age, lam ** age, "o-", ms=4, color=colors[lam], label=f"λ = {lam:g}")
    ax_weights.set(xlabel="age of the gradient: t − 1 − i (steps ago)",
                   ylabel=r"weight $\lambda^{t-1-i}$ of $g^i$ in $m^t$",
                   title=r"$m^t = -\eta\,(g^{t-1} + \lambda g^{t-2} + \lambda^2 g^{t-3} + \dots)$")
    ax_weights.legend(loc="center right")
    plotting.note(ax_weights, f"optimizer's mᵗ vs the sum:\nequal {agreement(sum_error)}", loc="upper right")

    shown = np.arange(0, 151)
    for lam, k in column.items():
        ax_time.plot(shown, path[shown, k], color=colors[lam], label=f"λ = {lam:g}")
    for name, style in (("local minimum", ":"), ("hill top", "--"), ("better minimum", ":")):
        ax_time.axhline(landmarks[name], color=plotting.MAXIMUM if name == "hill top" else plotting.MINIMUM,
                        lw=1.2, ls=style)
        ax_time.text(shown[-1], landmarks[name], name, ha="right", va="bottom", fontsize=9, color=plotting.NEUTRAL)
    ax_time.set(xlabel="step t", ylabel="parameter $w^t$", title=f"The runs ($\\eta$ = {HILL_LR}, $w^0$ = −2)")
    ax_time.legend(loc="lower right", ncols=2, fontsize=9)

    draw_hill(ax_curve, landmarks)
    ax_curve.set_ylim(-0.6, 3.2)
    on_curve = transforms.offset_copy(ax_curve.transData, fig=fig, y=6, units="points")
    for lam, k in column.items():
        ax_curve.plot(final[k], hill_curve(np.array(final[k])), "o", ms=11, color=colors[lam], mec="black",
                      transform=on_curve, zorder=4)
        ax_curve.annotate(f"λ = {lam:g}", (final[k], hill_curve(np.array(final[k]))), textcoords="offset points",
                          xytext=(0, 20 + 15 * (lam in (0.5, 0.9))), ha="center", fontsize=10, color=colors[lam],
                          fontweight="bold")
    ax_curve.set_title(f"Where each run ends after {steps} steps")

    ax_sweep.plot(lambdas, final, color=plotting.NEUTRAL, lw=1, zorder=1)
    ax_sweep.plot(lambdas[crossed], final[crossed], "o", color=plotting.MINIMUM, ms=5,
                  label="final $w$: better minimum")
    ax_sweep.plot(lambdas[~crossed], final[~crossed], "o", color=plotting.SADDLE, ms=5,
                  label="final $w$: local minimum")
    ax_sweep.plot(lambdas, farthest, "^", color=plotting.NEUTRAL, ms=4, label="farthest $w$ reached")
    ax_sweep.axhline(landmarks["hill top"], color=plotting.MAXIMUM, lw=1.2, ls="--", label="hill top")
    ax_sweep.set(xlabel="momentum λ", ylabel="parameter $w$", title=f"Outcome against λ (step {steps})")
    ax_sweep.legend(loc="upper left", fontsize=9)
    band = f"from λ = {lowest_crossing:g} on" if lowest_crossing is not None else "for no λ"
    too_much = (f" Too much momentum (λ = {plotting.numbers(swings_back, 2)}) carries the ball so far up the far "
                f"wall that it rolls back over the hill." if swings_back.size else "")
    plotting.caption(fig, f"Top left: unrolling mᵗ⁺¹ = λmᵗ − ηgᵗ from m⁰ = 0 gives m¹ = −ηg⁰, m² = −ληg⁰ − ηg¹, …: "
                          f"every past gradient counts, discounted by λ per step. Right and bottom: on L(w) = "
                          f"(w² − 1)² − 0.3w, λ = 0 and 0.5 settle in the local minimum w = "
                          f"{plotting.number(landmarks['local minimum'])}; λ = 0.8 and 0.9 carry the movement over "
                          f"the hill (w = {plotting.number(landmarks['hill top'], 2)}) into the better minimum w = "
                          f"{plotting.number(landmarks['better minimum'])}. Over the sweep (bottom right) the ball "
                          f"crosses {band}.{too_much}")

    measured = {"landmarks": landmarks, "steps": steps, "lr": HILL_LR,
                "lecture": {f"{lam:g}": {"final_w": final[k], "farthest_w": farthest[k],
                                         "final_loss": hill_curve(np.array(final[k]))} for lam, k in column.items()},
                "max_error_weighted_sum": sum_error, "lambdas": lambdas, "final_w": final, "farthest_w": farthest,
                "crossed": crossed, "lowest_crossing_lambda": lowest_crossing, "swings_back_lambdas": swings_back}
    checks = {
        "the optimizer's mᵗ equals −η Σ λ^(t−1−i) gⁱ (to 1e-12)": sum_error < 1e-12,
        "λ = 0 and 0.5 stay in the local minimum, never reaching the hill top": all(
            stuck[column[lam]] and farthest[column[lam]] < landmarks["hill top"] for lam in (0.0, 0.5)),
        "λ = 0.8 and 0.9 cross the hill and end in the better minimum": all(crossed[column[lam]] for lam in (0.8, 0.9)),
        "every λ ≤ 0.5 of the sweep stays in the local minimum": bool(np.all(stuck[lambdas <= 0.5])),
        "every run ends in one of the two minima": bool(np.all(crossed | stuck)),
    }
    summary = ("λ = 0, 0.5 stop at w = " + ", ".join(f"{final[column[lam]]:.3f}" for lam in (0.0, 0.5))
               + "; λ = 0.8, 0.9 end at w = " + ", ".join(f"{final[column[lam]]:.3f}" for lam in (0.8, 0.9))
               + (f"; lowest λ that crosses: {lowest_crossing:g}" if lowest_crossing is not None else ""))
    return Result(fig, summary, checks, measured,
                  plotted={"lambdas": lambdas, "final_w": final, "farthest_w": farthest, "step": shown,
                           "w": {f"{lam:g}": path[shown, k] for lam, k in column.items()}})
