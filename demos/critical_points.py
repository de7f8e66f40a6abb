"""Part A of the lecture: critical points (F01–F08).

When the training loss stops falling, the gradient g may be zero at a local minimum or at a saddle
point. The second-order Taylor expansion around θ′,

    L(θ) ≈ L(θ′) + (θ − θ′)ᵀ g + ½ (θ − θ′)ᵀ H (θ − θ′),

tells them apart: at g = 0 the Hessian H decides — all eigenvalues λ > 0: local minimum; all λ < 0:
local maximum; mixed signs: saddle point, which can be escaped along an eigenvector u of a λ < 0.

Most figures use the lecture's example network, "the most useless network ever": x →(w1)→(w2)→ y,
no bias, no activation, one training example x = 1, ŷ = 1, so L(w1, w2) = (ŷ − w1·w2·x)². Every
gradient and Hessian below comes from tinygrad_lite's double backward (``tl.grad`` with
``create_graph=True`` inside ``tl.hessian``), in float64 so "exactly" means exactly.
"""

from __future__ import annotations

import numpy as np

import tinygrad_lite as tl

from . import plotting
from .registry import Context, Result, figure

X, Y_HAT = 1.0, 1.0  # the example's single training pair


def example_loss(w: tl.Tensor) -> tl.Tensor:
    """L = (ŷ − y)² with y = w2·(w1·x). ``w`` has shape (2, ...): one point, or a whole grid of points."""
    y = w[1] * (w[0] * X)
    return (Y_HAT - y) ** 2


def bowl(w: tl.Tensor) -> tl.Tensor:
    """L = w1² + w2²: a local minimum at the origin (H = diag(2, 2))."""
    return w[0] ** 2 + w[1] ** 2


def cap(w: tl.Tensor) -> tl.Tensor:
    """L = −w1² − w2²: a local maximum at the origin (H = diag(−2, −2))."""
    return -(w[0] ** 2) - w[1] ** 2


def saddle(w: tl.Tensor) -> tl.Tensor:
    """L = w1² − w2²: a saddle point at the origin (H = diag(2, −2))."""
    return w[0] ** 2 - w[1] ** 2


def point(*coords: float) -> tl.Tensor:
    """A parameter vector θ in float64 that tinygrad_lite can differentiate with respect to."""
    return tl.tensor(np.array(coords, dtype=np.float64), requires_grad=True)


def gradient(f, w: tl.Tensor) -> np.ndarray:
    (g,) = tl.grad(f(w), w)
    return g.numpy()


def on_grid(f, span: float, steps: int):
    """f evaluated by tinygrad_lite on a steps × steps grid over [−span, span]², in one vectorised call."""
    axis = np.linspace(-span, span, steps)
    w1, w2 = np.meshgrid(axis, axis)
    with tl.no_grad():
        z = f(tl.tensor(np.stack([w1, w2]))).numpy()
    return w1, w2, z


def descend(f, start, lr: float, steps: int):
    """Plain gradient descent θ ← θ − η g with ``tl.optim.SGD``; returns the path, losses and ‖g‖."""
    theta = point(*start)
    opt = tl.optim.SGD([theta], lr=lr)
    path, losses, grad_norms = [theta.numpy().copy()], [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = f(theta)
        loss.backward()
        losses.append(loss.item())
        grad_norms.append(float(np.linalg.norm(theta.grad.numpy())))
        opt.step()
        path.append(theta.numpy().copy())
    return np.array(path), np.array(losses), np.array(grad_norms)


def signs(values: np.ndarray, tol: float = 0.0) -> str:
    """"+" when all values are positive, "−" when all are negative, "±" when both signs occur."""
    positive, negative = bool(np.any(values > tol)), bool(np.any(values < -tol))
    return "±" if positive and negative else "+" if positive else "−" if negative else "0"


EXAMPLE_LEVELS = [0, 0.05, 0.25, 0.5, 1, 2, 4, 8, 16, 25]
SURFACE_IN_F04 = "the contour grid is stored once, in f04_example_error_surface.json"
VALLEY_POINTS = [(0.5, 2.0), (1.0, 1.0), (2.0, 0.5), (-0.5, -2.0), (-1.0, -1.0), (-2.0, -0.5)]


def draw_example_surface(ax, ctx: Context, span: float = 2.0):
    """Contours of the example's loss with the valley of minima w1·w2 = 1 dashed; returns the grid."""
    w1, w2, z = on_grid(example_loss, span, ctx.pick(full=101, quick=41))
    plotting.loss_contour(ax, w1, w2, z, EXAMPLE_LEVELS)
    branch = np.linspace(1 / span, span, 100)
    for sign in (1, -1):
        ax.plot(sign * branch, sign / branch, color=plotting.MINIMUM, lw=1.2, ls="--")
    return w1, w2, z


# --- F01 ------------------------------------------------------------------------------------------


@figure("F01", "local_minimum_vs_saddle", title="Optimization fails because of critical points",
        claim="training can stall where the gradient is 0: a local minimum (all λ > 0) or a saddle "
              "point (λ of both signs)")
def local_minimum_vs_saddle(ctx: Context) -> Result:
    # A training run that stalls: gradient descent on the example network, started on the diagonal
    # w1 = −w2, slides into the saddle at the origin and stops there with L = 1, far from L = 0.
    steps = ctx.pick(full=200, quick=60)
    _, losses, grad_norms = descend(example_loss, (1.2, -1.2), lr=0.1, steps=steps)

    origin = point(0.0, 0.0)
    kinds = {name: tl.curvature.classify(f, origin) for name, f in (("bowl", bowl), ("saddle", saddle))}
    grads = {name: gradient(f, origin) for name, f in (("bowl", bowl), ("saddle", saddle))}
    with tl.no_grad():
        rises_along_w1 = saddle(tl.tensor([[1.0, -1.0], [0.0, 0.0]])).numpy()
        falls_along_w2 = saddle(tl.tensor([[0.0, 0.0], [1.0, -1.0]])).numpy()

    fig = plotting.new_figure(height=4.0)
    ax_loss = fig.add_subplot(1, 3, 1)
    ax_loss.plot(np.arange(steps), losses, color=plotting.PATH, label="training loss $L$")
    ax_loss.set_ylim(0, losses[0] * 1.25)
    ax_loss.set(xlabel="update", ylabel="loss $L$", title="Training loss stops falling")
    ax_grad = ax_loss.twinx()
    ax_grad.semilogy(np.arange(steps), grad_norms, color=plotting.SADDLE, ls="--", label=r"$\|g\|$")
    ax_grad.set_ylabel(r"gradient norm $\|g\|$ (log)")
    ax_grad.grid(False)
    ax_grad.spines["right"].set_visible(True)
    lines = ax_loss.get_lines() + ax_grad.get_lines()
    ax_loss.legend(lines, [line.get_label() for line in lines], loc="center right")
    plotting.note(ax_loss, f"stuck at L = {losses[-1]:.3f} (not small\nenough) while ‖g‖ → {grad_norms[-1]:.0e}",
                  loc="upper right")

    w1, w2, _ = on_grid(bowl, 2.0, ctx.pick(full=41, quick=21))
    for i, (name, f, kind, title) in enumerate((("bowl", bowl, "minimum", "Local minimum"),
                                                ("saddle", saddle, "saddle", "Saddle point"))):
        ax = fig.add_subplot(1, 3, i + 2, projection="3d", computed_zorder=False)  # the point stays on top
        with tl.no_grad():
            z = f(tl.tensor(np.stack([w1, w2]))).numpy()
        ax.plot_surface(w1, w2, z, cmap="viridis", alpha=0.8, linewidth=0, zorder=1)
        ax.scatter([0], [0], [0], s=70, c=plotting.MINIMUM if kind == "minimum" else plotting.SADDLE,
                   edgecolors="white", depthshade=False, zorder=2)
        ax.set_title(f"{title}: {'$w_1^2 + w_2^2$' if name == 'bowl' else '$w_1^2 - w_2^2$'}\n"
                     f"g = 0, λ = {plotting.numbers(kinds[name].eigenvalues)}", fontsize=11)
        ax.set(xlabel="$w_1$", ylabel="$w_2$")
        ax.set_zlabel("$L$", labelpad=-2)
    plotting.caption(fig, "Both surfaces have gradient exactly 0 at the marked critical point (computed by "
                          "double backward); only the Hessian's eigenvalues tell the bowl (escape impossible) "
                          "from the saddle (escape along w₂). Left: gradient descent on the lecture's example "
                          "network L = (1 − w₁w₂)², started on the diagonal w₁ = −w₂, stalls at its saddle.")

    measured = {
        "bowl": {"gradient": grads["bowl"], "eigenvalues": kinds["bowl"].eigenvalues, "kind": kinds["bowl"].kind},
        "saddle": {"gradient": grads["saddle"], "eigenvalues": kinds["saddle"].eigenvalues,
                   "kind": kinds["saddle"].kind},
        "stalled_loss": losses[-1],
        "stalled_grad_norm": grad_norms[-1],
        "saddle_along_w1": rises_along_w1,
        "saddle_along_w2": falls_along_w2,
    }
    checks = {
        "gradient is exactly 0 at both critical points": all(np.all(g == 0) for g in grads.values()),
        "bowl: λ = {2, 2}, local minimum": np.array_equal(kinds["bowl"].eigenvalues, [2, 2])
        and kinds["bowl"].kind == "local_min",
        "saddle: λ = {−2, 2}, saddle": np.array_equal(kinds["saddle"].eigenvalues, [-2, 2])
        and kinds["saddle"].kind == "saddle",
        "saddle rises along w1 and falls along w2": bool(np.all(rises_along_w1 > 0) and np.all(falls_along_w2 < 0)),
        "the training run stalls at L ≈ 1 with a vanishing gradient": abs(losses[-1] - 1) < 1e-3
        and grad_norms[-1] < 1e-3,
    }
    summary = (f"λ bowl = {plotting.numbers(kinds['bowl'].eigenvalues)}, "
               f"λ saddle = {plotting.numbers(kinds['saddle'].eigenvalues)}; stalled at L = {losses[-1]:.4f}")
    return Result(fig, summary, checks, measured,
                  plotted={"loss": losses, "grad_norm": grad_norms, "w1": w1[0], "w2": w2[:, 0]})


# --- F02 ------------------------------------------------------------------------------------------


@figure("F02", "taylor_approximation", title="Taylor series approximation around θ′",
        claim="L(θ) ≈ L(θ′) + (θ−θ′)ᵀg + ½(θ−θ′)ᵀH(θ−θ′): the 2nd-order error shrinks like ε³, the "
              "1st-order like ε², and double backward's H equals finite differences of g")
def taylor_approximation(ctx: Context) -> Result:
    theta0 = point(0.5, 1.5)  # not a critical point: g ≠ 0
    (g,) = tl.grad(example_loss(theta0), theta0)
    H = tl.hessian(example_loss, theta0)
    direction = ctx.rng().normal(size=2)
    d = tl.tensor(direction / np.linalg.norm(direction))

    def along(eps: np.ndarray):
        """L(θ′ + εd) and its first- and second-order Taylor predictions, for every ε at once."""
        with tl.no_grad():
            thetas = theta0.detach().reshape(2, 1) + d.reshape(2, 1) * tl.tensor(eps).reshape(1, -1)
            exact = example_loss(thetas).numpy()
            first = example_loss(theta0).item() + eps * (g * d).sum().item()  # L(θ′) + ε gᵀd
            second = first + 0.5 * eps ** 2 * (d @ H @ d).item()
        return exact, first, second

    eps_line = np.linspace(-1, 1, ctx.pick(full=201, quick=51))
    line_exact, line_first, line_second = along(eps_line)
    eps = 2.0 ** -np.arange(11)                  # 1, ½, …, 2⁻¹⁰
    exact, first, second = along(eps)
    err_first, err_second = np.abs(exact - first), np.abs(exact - second)
    small = eps <= 2.0 ** -3                     # fit the slopes where the Taylor terms dominate
    slope_first = np.polyfit(np.log(eps[small]), np.log(err_first[small]), 1)[0]
    slope_second = np.polyfit(np.log(eps[small]), np.log(err_second[small]), 1)[0]

    # Central finite differences of the gradient, column by column: H[:, j] ≈ (g(θ′+h eⱼ) − g(θ′−h eⱼ)) / 2h
    h = 1e-5
    columns = []
    for j in range(2):
        step = np.eye(2)[j] * h
        plus, minus = point(*(theta0.numpy() + step)), point(*(theta0.numpy() - step))
        columns.append((gradient(example_loss, plus) - gradient(example_loss, minus)) / (2 * h))
    H_fd = np.stack(columns, axis=1)
    H_np = H.numpy()
    fd_relative = float(np.max(np.abs(H_np - H_fd)) / np.max(np.abs(H_np)))

    fig = plotting.new_figure(height=4.3)
    ax_line, ax_err = fig.subplots(1, 2)
    ax_line.plot(eps_line, line_exact, color="black", label=r"$L(\theta' + \varepsilon d)$")
    ax_line.plot(eps_line, line_first, color=plotting.APPROX, ls=":", label=r"1st order: $+\ \varepsilon\, g^T d$")
    ax_line.plot(eps_line, line_second, color=plotting.PATH, ls="--",
                 label=r"2nd order: $+\ \frac{1}{2}\varepsilon^2 d^T H d$")
    loss0 = example_loss(theta0).item()
    ax_line.scatter([0], [loss0], color="black", zorder=5)
    ax_line.annotate(r"$\theta'$", (0, loss0), textcoords="offset points", xytext=(6, 8))
    ax_line.set(xlabel=r"step $\varepsilon$ along a random unit direction $d$", ylabel="loss $L$",
                title=r"$L$ around $\theta' = (0.5,\ 1.5)$")
    ax_line.legend(loc="upper center")
    ax_err.loglog(eps, err_first, "o-", color=plotting.APPROX, label=f"1st-order error (slope {slope_first:.2f})")
    ax_err.loglog(eps, err_second, "s-", color=plotting.PATH, label=f"2nd-order error (slope {slope_second:.2f})")
    for power, start in ((2, err_first[5]), (3, err_second[5])):
        ax_err.loglog(eps, start * (eps / eps[5]) ** power, color=plotting.NEUTRAL, lw=1, ls="--",
                      label=r"references $\propto \varepsilon^2,\ \varepsilon^3$" if power == 3 else None)
    ax_err.set(xlabel=r"step size $\varepsilon$", ylabel="|L − approximation|",
               title="Error of the Taylor approximation")
    ax_err.legend(loc="upper left")
    plotting.caption(fig, f"g = {plotting.matrix(g.numpy())[1:-1]} and H = {plotting.matrix(H_np)} come from "
                          f"tinygrad_lite's double backward; H matches central finite differences of g to "
                          f"{fd_relative:.0e} (relative). Adding ½(θ−θ′)ᵀH(θ−θ′) turns an error ∝ ε² into "
                          f"one ∝ ε³: the Hessian is the next term that matters near θ′.")

    measured = {"theta0": theta0.numpy(), "g": g.numpy(), "H": H_np, "H_finite_differences": H_fd,
                "fd_relative_error": fd_relative, "direction": d.numpy(),
                "slope_first_order": slope_first, "slope_second_order": slope_second}
    checks = {
        "1st-order error ∝ ε² (slope 2 ± 0.1)": abs(slope_first - 2) < 0.1,
        "2nd-order error ∝ ε³ (slope 3 ± 0.1)": abs(slope_second - 3) < 0.1,
        "H from double backward equals finite differences of g to 1e-6": fd_relative < 1e-6,
    }
    summary = f"error slopes {slope_first:.2f} (1st), {slope_second:.2f} (2nd); H vs FD {fd_relative:.0e}"
    return Result(fig, summary, checks, measured,
                  plotted={"eps": eps, "error_first_order": err_first, "error_second_order": err_second,
                           "eps_line": eps_line, "loss_line": line_exact, "first_order_line": line_first,
                           "second_order_line": line_second})


# --- F03 ------------------------------------------------------------------------------------------

KIND_NAMES = {"local_min": "local minimum", "local_max": "local maximum", "saddle": "saddle point",
              "degenerate": "degenerate (some λ = 0)"}


@figure("F03", "hessian_eigenvalue_test", title="Reading the Hessian at a critical point",
        claim="at g = 0: vᵀHv > 0 for every v ⇔ all λ > 0 (local minimum); < 0 ⇔ all λ < 0 (local "
              "maximum); both signs ⇔ mixed λ (saddle point)")
def hessian_eigenvalue_test(ctx: Context) -> Result:
    cases = (("$w_1^2 + w_2^2$", bowl), ("$-w_1^2 - w_2^2$", cap), ("$w_1^2 - w_2^2$", saddle),
             ("$(1 - w_1 w_2)^2$ (F05)", example_loss))
    n_v = ctx.pick(full=10_000, quick=2_000)
    v = tl.tensor(ctx.rng().normal(size=(n_v, 2)))   # random directions v = θ − θ′
    origin = point(0.0, 0.0)

    fig = plotting.new_figure(height=6.4)
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    measured, checks, plotted = {}, {}, {}
    for ax, (name, f) in zip(axes, cases):
        H = tl.hessian(f, origin)
        result = tl.curvature.classify(f, origin)
        with tl.no_grad():
            # the Rayleigh quotient vᵀHv / vᵀv: its sign is the sign of vᵀHv, its range is [λ_min, λ_max]
            quotient = (((v @ H) * v).sum(axis=1) / (v * v).sum(axis=1)).numpy()
        angle = np.degrees(np.arctan2(v.numpy()[:, 1], v.numpy()[:, 0]))
        from_samples, from_eigenvalues = signs(quotient, 1e-12), signs(result.eigenvalues, 1e-12)
        positive = quotient > 0
        ax.scatter(angle[positive], quotient[positive], s=3, color=plotting.MINIMUM, label="$v^THv > 0$")
        ax.scatter(angle[~positive], quotient[~positive], s=3, color=plotting.SADDLE, label="$v^THv < 0$")
        for lam in result.eigenvalues:
            ax.axhline(lam, color=plotting.NEUTRAL, lw=1, ls="--")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(f"{name}: λ = {plotting.numbers(result.eigenvalues)} → {KIND_NAMES[result.kind]}")
        plotting.note(ax, f"{np.sum(positive):,} of {n_v:,} v: $v^THv > 0$", loc="lower right")
        measured[name] = {"H": H.numpy(), "eigenvalues": result.eigenvalues, "kind": result.kind,
                          "sign_of_vHv": from_samples, "sign_of_eigenvalues": from_eigenvalues,
                          "fraction_positive": float(np.mean(positive))}
        checks[f"{name}: signs of vᵀHv ({from_samples}) match the eigenvalues ({from_eigenvalues})"] = (
            from_samples == from_eigenvalues)
        plotted[name] = {"angle_deg": angle[:500], "quotient": quotient[:500]}
    for ax in axes[2:]:
        ax.set_xlabel("direction of v (degrees)")
        ax.set_xticks([-180, -90, 0, 90, 180])
    for ax in axes[::2]:
        ax.set_ylabel(r"$v^THv\,/\,v^Tv$")
    axes[0].legend(loc="center right", markerscale=4)
    plotting.caption(fig, f"Near a critical point L(θ) ≈ L(θ′) + ½vᵀHv with v = θ − θ′. We cannot try every v "
                          f"(here {n_v:,} random ones); the eigenvalues of H (dashed lines, the range of "
                          f"vᵀHv/vᵀv) give the answer at once. The lecture's example (bottom right) is a "
                          f"saddle: λ = −2, 2.")
    summary = "; ".join(f"{KIND_NAMES[m['kind']]}: {m['sign_of_vHv']}" for m in measured.values())
    return Result(fig, summary, checks, measured, plotted)


# --- F04 ------------------------------------------------------------------------------------------


@figure("F04", "example_error_surface", title="The example network y = w1·w2·x and its error surface",
        claim="L(0,0) = 1 with gradient 0 (a saddle); L = 0 on the valley w1·w2 = 1; L rises along "
              "w1 = −w2 and falls along w1 = w2 from the origin")
def example_error_surface(ctx: Context) -> Result:
    origin = point(0.0, 0.0)
    loss_origin, grad_origin = example_loss(origin).item(), gradient(example_loss, origin)
    with tl.no_grad():
        loss_valley = example_loss(tl.tensor(np.array(VALLEY_POINTS).T)).numpy()
        branch = np.linspace(0.5, 2.0, 50)
        on_hyperbola = example_loss(tl.tensor(np.stack([branch, 1 / branch]))).numpy()
        t = np.linspace(0, 1, 11)[1:-1]
        along_up = example_loss(tl.tensor(np.stack([t, -t]))).numpy()      # (1 + t²)²
        along_down = example_loss(tl.tensor(np.stack([t, t]))).numpy()     # (1 − t²)²

    fig = plotting.new_figure(height=4.6)
    ax3d = fig.add_subplot(1, 2, 1, projection="3d", computed_zorder=False)
    ax = fig.add_subplot(1, 2, 2)
    w1, w2, z = draw_example_surface(ax, ctx)
    plotting.mark(ax, (0, 0), "saddle", label="saddle point (0, 0)")
    plotting.mark(ax, VALLEY_POINTS, "minimum", label="minima: $w_1 w_2 = 1$")
    ax.legend(loc="upper left", framealpha=0.9)
    ax.set_title("Error surface (contours)")
    near = np.abs(w1) <= 1.5 + 1e-9
    rows, cols = near.all(axis=1), near.all(axis=0)  # the 3-D view shows [−1.5, 1.5]², where L ≤ 10.6
    ax3d.plot_surface(w1[rows][:, cols], w2[rows][:, cols], z[rows][:, cols], cmap="viridis", alpha=0.85,
                      linewidth=0, zorder=1)
    ax3d.scatter([0], [0], [1], s=70, c=plotting.SADDLE, marker="X", depthshade=False, zorder=3)
    ax3d.scatter([1, -1], [1, -1], [0, 0], s=50, c=plotting.MINIMUM, depthshade=False, zorder=3)
    ax3d.set(xlabel="$w_1$", ylabel="$w_2$", title="$x \\to (w_1) \\to (w_2) \\to y$,   $L = (\\hat y - w_1 w_2 x)^2$,"
                                                  "\n$x = 1,\\ \\hat y = 1$")
    ax3d.set_zlabel("$L$", labelpad=-2)
    plotting.caption(fig, f"The lecture's 'most useless network': one training example, two weights. At the "
                          f"origin L = {loss_origin:g} and g = (0, 0); the two valleys w₁w₂ = 1 (dashed) are "
                          f"minima with L = 0. From the origin, loss rises along w₁ = −w₂ and falls along "
                          f"w₁ = w₂: a saddle.")

    measured = {"loss_origin": loss_origin, "grad_origin": grad_origin, "valley_points": VALLEY_POINTS,
                "loss_valley_points": loss_valley, "max_loss_on_hyperbola": float(on_hyperbola.max()),
                "loss_along_w1_eq_minus_w2": along_up, "loss_along_w1_eq_w2": along_down}
    checks = {
        "L(0,0) = 1 and g(0,0) = 0": loss_origin == 1.0 and np.all(grad_origin == 0),
        "L = 0 on the valley w1·w2 = 1": float(np.max(loss_valley)) == 0.0 and on_hyperbola.max() < 1e-12,
        "L rises along w1 = −w2": bool(np.all(np.diff(np.concatenate([[loss_origin], along_up])) > 0)),
        "L falls along w1 = w2 (towards the valley)": bool(np.all(np.diff(np.concatenate([[loss_origin],
                                                                                          along_down])) < 0)),
    }
    summary = (f"L(0,0) = {loss_origin:g}, g = {plotting.numbers(grad_origin)}; "
               f"max L on valley = {on_hyperbola.max():.0e}")
    return Result(fig, summary, checks, measured, plotted={"w1": w1[0], "w2": w2[:, 0], "loss": z})


# --- F05 ------------------------------------------------------------------------------------------


@figure("F05", "hessian_at_origin", title="Gradient and Hessian of the example at the origin",
        claim="at (0, 0): g = [0, 0], H = [[0, −2], [−2, 0]], eigenvalues −2 and 2 → saddle point; on the "
              "valley H is positive semi-definite with a flat direction (λ = 0)")
def hessian_at_origin(ctx: Context) -> Result:
    where = {"origin": (0.0, 0.0), "valley (1, 1)": (1.0, 1.0), "valley (2, 0.5)": (2.0, 0.5)}
    found = {}
    for name, coords in where.items():
        theta = point(*coords)
        result = tl.curvature.classify(example_loss, theta)
        found[name] = {"theta": np.array(coords), "g": gradient(example_loss, theta),
                       "H": tl.hessian(example_loss, theta).numpy(), "eigenvalues": result.eigenvalues,
                       "eigenvectors": result.eigenvectors, "kind": result.kind}

    fig = plotting.new_figure(height=4.6)
    ax, ax_text = fig.subplots(1, 2, width_ratios=[1.15, 1])
    draw_example_surface(ax, ctx)
    plotting.mark(ax, (0, 0), "saddle")
    plotting.mark(ax, VALLEY_POINTS[:2], "minimum")
    for name in ("origin", "valley (1, 1)"):
        spot = found[name]
        for lam, vec in zip(spot["eigenvalues"], spot["eigenvectors"].T):
            color = plotting.SADDLE if lam < -1e-9 else plotting.MINIMUM if lam > 1e-9 else "white"
            ax.annotate("", xy=spot["theta"] + 0.8 * vec, xytext=spot["theta"] - 0.8 * vec,
                        arrowprops=dict(arrowstyle="<->", color=color, lw=2))
            ax.annotate(f"λ = {plotting.number(lam)}", spot["theta"] + 0.85 * vec, fontsize=10, fontweight="bold",
                        color=plotting.NEUTRAL if color == "white" else color, ha="center",
                        va="bottom" if vec[1] > 0 else "top", bbox=dict(fc="white", ec="none", alpha=0.85, pad=1))
    ax.set_title("Eigenvectors of H (arrows)")
    ax_text.axis("off")
    lines = [r"$\partial L/\partial w_1 = -2(1 - w_1 w_2)\,w_2$,   $\partial L/\partial w_2 = -2(1 - w_1 w_2)\,w_1$",
             r"$\partial^2 L/\partial w_1^2 = 2w_2^2$,   $\partial^2 L/\partial w_2^2 = 2w_1^2$",
             r"$\partial^2 L/\partial w_1 \partial w_2 = -2 + 4 w_1 w_2$", ""]
    for spot in found.values():
        lines += [f"at θ′ = ({plotting.numbers(spot['theta'])}):  {KIND_NAMES[spot['kind']]}",
                  f"    g = [{plotting.numbers(spot['g'])}]",
                  f"    H = {plotting.matrix(spot['H'])}",
                  f"    λ = {plotting.numbers(spot['eigenvalues'])}", ""]
    ax_text.text(0.0, 1.0, "\n".join(lines), va="top", ha="left", fontsize=10.5, transform=ax_text.transAxes,
                 linespacing=1.45)
    ax_text.set_title("Computed by double backward", loc="left")
    plotting.caption(fig, "At the origin H has eigenvalues −2 and 2: a saddle point, and the eigenvector of "
                          "λ = −2, u = [1, 1]/√2, points down into the valleys (F06). On the valley the "
                          "eigenvalues are 0 (along the valley: flat) and 2(w₁² + w₂²) (across it).")

    origin = found["origin"]
    checks = {
        "g(0, 0) = [0, 0] exactly": bool(np.all(origin["g"] == 0)),
        "H(0, 0) = [[0, −2], [−2, 0]] exactly": np.array_equal(origin["H"], [[0.0, -2.0], [-2.0, 0.0]]),
        "eigenvalues at the origin are −2 and 2 (saddle)": np.allclose(origin["eigenvalues"], [-2, 2], atol=1e-12)
        and origin["kind"] == "saddle",
    }
    for name, (a, b) in (("valley (1, 1)", (1.0, 1.0)), ("valley (2, 0.5)", (2.0, 0.5))):
        expected = [0.0, 2 * (a * a + b * b)]
        checks[f"{name}: eigenvalues {{0, {expected[1]:g}}} (flat along the valley)"] = np.allclose(
            found[name]["eigenvalues"], expected, atol=1e-9)
    summary = (f"H(0,0) = {plotting.matrix(origin['H'])}, λ = {plotting.numbers(origin['eigenvalues'])}; "
               f"λ(1,1) = {plotting.numbers(found['valley (1, 1)']['eigenvalues'])}")
    return Result(fig, summary, checks, measured=found, plotted={"surface": SURFACE_IN_F04})


# --- F06 ------------------------------------------------------------------------------------------


@figure("F06", "escape_saddle", title="Don't be afraid of saddle points: move along the eigenvector",
        claim="at the saddle gradient descent cannot move (g = 0), but a step along the eigenvector u of "
              "λ = −2 lowers the loss, since uᵀHu = λ‖u‖² < 0; with u = [1, 1], L(θ′ + u) = 0")
def escape_saddle(ctx: Context) -> Result:
    stuck_path, _, _ = descend(example_loss, (0.0, 0.0), lr=0.1, steps=100)
    moved = float(np.max(np.linalg.norm(stuck_path, axis=1)))

    origin = point(0.0, 0.0)
    lam = tl.curvature.classify(example_loss, origin).eigenvalues[0]
    unit = tl.curvature.escape_direction(example_loss, origin).numpy()
    # An eigenvector's sign is arbitrary: take the one into the first quadrant, scaled to the lecture's [1, 1].
    u = np.sign(unit[0]) * unit * np.sqrt(2)
    H = tl.hessian(example_loss, origin)
    u_t = tl.tensor(u)
    uHu = (u_t @ H @ u_t).item()

    alpha = np.linspace(0, 1.5, ctx.pick(full=151, quick=31))
    with tl.no_grad():
        along = example_loss(tl.tensor(np.outer(u, alpha))).numpy()   # L(θ′ + αu) = (1 − α²)²
        loss_at_u = example_loss(u_t).item()
    taylor = 1.0 + 0.5 * alpha ** 2 * uHu                               # L(θ′) + ½α² uᵀHu = 1 − 2α²
    # The other sign of u escapes just as well: a short step along −u, then plain gradient descent again.
    resumed_path, resumed_losses, _ = descend(example_loss, -0.3 * u, lr=0.1, steps=ctx.pick(full=60, quick=30))

    fig = plotting.new_figure(height=4.6)
    ax, ax_line = fig.subplots(1, 2)
    draw_example_surface(ax, ctx)
    plotting.mark(ax, (0, 0), "saddle", label="θ′ = (0, 0): 100 GD steps, θ unchanged")
    ax.annotate("", xy=u, xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color=plotting.SADDLE, lw=2.5))
    plotting.outlined(ax.text(0.62, 0.3, "θ′ + u", color="white", fontweight="bold"))
    ax.plot(*resumed_path.T, "o-", color="#56B4E9", mec="black", mew=0.5, ms=4, lw=1.5,
            label="step −0.3u, then gradient descent again")
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    ax.set_title(f"Escape along u = [{plotting.numbers(u)}] (λ = {plotting.number(lam)})")
    inside = (alpha > 0) & (alpha < np.sqrt(2))
    ax_line.plot(alpha, along, color="black", label=r"$L(\theta' + \alpha u) = (1 - \alpha^2)^2$")
    ax_line.plot(alpha, taylor, color=plotting.APPROX, ls="--",
                 label=r"Taylor: $L(\theta') + \frac{1}{2}\alpha^2 u^THu = 1 - 2\alpha^2$")
    ax_line.axhline(1, color=plotting.NEUTRAL, lw=1, ls=":")
    ax_line.scatter([1], [loss_at_u], color=plotting.MINIMUM, s=70, zorder=5,
                    label=r"$\alpha = 1$: on the valley, $L = 0$")
    ax_line.set_ylim(-0.6, 1.7)
    ax_line.set(xlabel=r"step $\alpha$ along $u$", ylabel=r"$L(\theta' + \alpha u)$",
                title="Loss along the eigenvector u")
    ax_line.legend(loc="upper center", fontsize=9)
    plotting.caption(fig, f"Gradient descent started exactly at the saddle moves {moved:g}: g = 0. The Hessian "
                          f"knows the way out: uᵀHu = λ‖u‖² = {plotting.number(uHu)} < 0, so every step "
                          f"0 < α < √2 along u lowers L, and α = 1 lands on the valley. In practice H is rarely "
                          f"computed (far too expensive for millions of parameters); momentum and noisy "
                          f"mini-batches escape saddles more cheaply.")

    measured = {"gd_moved_from_origin": moved, "lambda": lam, "u": u, "uHu": uHu, "loss_at_u": loss_at_u,
                "resumed_final_loss": resumed_losses[-1]}
    small = (alpha > 0) & (alpha <= 0.1)
    checks = {
        "gradient descent at the saddle leaves θ unchanged": moved == 0.0,
        "u is the eigenvector of λ = −2, u ∝ [1, 1]": np.isclose(lam, -2) and np.allclose(u, [1, 1], atol=1e-12),
        "uᵀHu = λ‖u‖² = −4 < 0": np.isclose(uHu, lam * float(u @ u)) and uHu < 0,
        "L(θ′ + αu) < L(θ′) for 0 < α < √2": bool(np.all(along[inside] < 1)),
        "L(θ′ + u) = 0": loss_at_u < 1e-20,
        "Taylor 1 − 2α² agrees for small α (rel. 1e-3 at α ≤ 0.1)": bool(
            np.all(np.abs(along[small] - taylor[small]) / along[small] < 1e-3)),
        "gradient descent works again once off the saddle": resumed_losses[-1] < 1e-4,
    }
    summary = f"GD moved {moved:g}; u = [{plotting.numbers(u)}], uᵀHu = {plotting.number(uHu)}, L(u) = {loss_at_u:.0e}"
    return Result(fig, summary, checks, measured,
                  plotted={"alpha": alpha, "loss_along_u": along, "taylor": taylor, "resumed_path": resumed_path,
                           "surface": SURFACE_IN_F04})


# --- F07 ------------------------------------------------------------------------------------------


@figure("F07", "more_dimensions_more_ways_out",
        title="Saddle point vs local minima: higher dimensions have more ways out",
        claim="the same point (the origin) is a local minimum of a 1-D slice of the error surface and a "
              "saddle point of the 2-D surface: more dimensions, more ways out")
def more_dimensions_more_ways_out(ctx: Context) -> Result:
    origin = point(0.0, 0.0)
    result = tl.curvature.classify(example_loss, origin)
    H = tl.hessian(example_loss, origin)
    directions = {"across": np.array([1.0, -1.0]) / np.sqrt(2), "diagonal": np.array([1.0, 1.0]) / np.sqrt(2)}
    t = np.linspace(-1.6, 1.6, ctx.pick(full=161, quick=33))
    slices, curvature = {}, {}
    for name, d in directions.items():
        with tl.no_grad():
            slices[name] = example_loss(tl.tensor(np.outer(d, t))).numpy()
        d_t = tl.tensor(d)
        curvature[name] = (d_t @ H @ d_t).item()    # second derivative of the slice at t = 0: dᵀHd

    fig = plotting.new_figure(height=4.2)
    ax_min, ax_map, ax_max = fig.subplots(1, 3, width_ratios=[1, 1.25, 1])
    for ax, name, color, title in ((ax_min, "across", plotting.MINIMUM, "1-D view along [1, −1]:\na local minimum"),
                                   (ax_max, "diagonal", plotting.SADDLE, "1-D view along [1, 1]:\nthe way out")):
        ax.plot(t, slices[name], color=color)
        ax.scatter([0], [1], color="black", zorder=5)
        ax.set(xlabel="distance t from the origin", ylabel=r"$L(t\,d)$", title=title, ylim=(-0.2, 4.2))
        plotting.note(ax, f"$d^THd$ = {plotting.number(curvature[name])}",
                      loc="lower right" if name == "across" else "upper right")
    draw_example_surface(ax_map, ctx)
    for name, color in (("across", plotting.MINIMUM), ("diagonal", plotting.SADDLE)):
        ax_map.plot(*np.outer(directions[name], t[[0, -1]]), color=color, lw=2.5)
    plotting.mark(ax_map, (0, 0), "saddle")
    ax_map.set_title(f"2-D view: a saddle point\n(λ = {plotting.numbers(result.eigenvalues)})")
    plotting.caption(fig, "Seen along one line (left) the origin is a local minimum; the 2-D surface (middle) "
                          "shows it is a saddle, with a way down along [1, 1] (right). As in the lecture's "
                          "Three-Body story, a room sealed in 3-D is open in 4-D: a network has millions of "
                          "dimensions, so a point that is a minimum in every one of them is rare (F08).")

    measured = {"eigenvalues": result.eigenvalues, "kind": result.kind, "curvature_along": curvature,
                "loss_origin": 1.0}
    checks = {
        "the slice along [1, −1] has its minimum at the origin (dᵀHd > 0)":
            bool(np.all(slices["across"] >= 1.0)) and curvature["across"] > 0,
        "the slice along [1, 1] falls away from the origin (dᵀHd < 0)":
            bool(np.all(slices["diagonal"][np.abs(t) < 1.4] <= 1.0)) and curvature["diagonal"] < 0,
        "in 2-D the origin is a saddle point": result.kind == "saddle",
    }
    summary = (f"dᵀHd = {plotting.number(curvature['across'])} along [1, −1], "
               f"{plotting.number(curvature['diagonal'])} along [1, 1]; 2-D: {result.kind}")
    return Result(fig, summary, checks, measured,
                  plotted={"t": t, "slice_across": slices["across"], "slice_diagonal": slices["diagonal"],
                           "surface": SURFACE_IN_F04})


# --- F08 ------------------------------------------------------------------------------------------

LAYERS = ((1, 6), (6, 6), (6, 1))   # a 1-6-6-1 network: 61 parameters
NEAR_CRITICAL = 1e-2                # ‖∇L‖ below this (about 100× below its value at initialisation)


def tanh_mlp_loss(params: list[tl.Tensor], x: tl.Tensor, y: tl.Tensor) -> tl.Tensor:
    """Mean squared error of the 1-6-6-1 tanh network (tanh, not ReLU: its Hessian is smooth).

    The parameters may carry a leading "run" axis (R, fan_in, fan_out): then R networks are evaluated
    side by side and the result holds R losses, one per network."""
    h = x
    for i in range(0, len(params) - 2, 2):
        h = (h @ params[i] + params[i + 1]).tanh()
    out = h @ params[-2] + params[-1]
    return ((out - y) ** 2).mean(axis=(-2, -1))


def init_networks(rng: np.random.Generator, runs: int) -> list[tl.Tensor]:
    """``runs`` independent networks, stacked: uniform(±1/√fan_in) weights and biases, PyTorch's default."""
    params = []
    for fan_in, fan_out in LAYERS:
        bound = 1 / np.sqrt(fan_in)
        params += [rng.uniform(-bound, bound, (runs, fan_in, fan_out)), rng.uniform(-bound, bound, (runs, 1, fan_out))]
    return [tl.tensor(p, requires_grad=True) for p in params]


def per_run_grad_norm(grads) -> np.ndarray:
    """‖∇L_r‖ of every network r, from the gradients of the stacked parameters."""
    return np.sqrt(sum((g.numpy() ** 2).reshape(g.shape[0], -1).sum(axis=1) for g in grads))


@figure("F08", "minimum_ratio", title="Empirical study: training loss vs minimum ratio",
        claim="networks trained until the gradient is almost zero sit at saddle points, not local minima: "
              "minimum ratio = (#λ > 0) / (#λ) stays below 1 for every one of them")
def minimum_ratio(ctx: Context) -> Result:
    # The MLDS 2018 HW1-2 experiment: fit sin(5πx)/(5πx) with a small tanh network, for a random number
    # of Adam steps; then minimise ½‖∇L‖² instead of L, which drives the network onto a nearby critical
    # point (of any kind), and read the kind off the full 61 × 61 Hessian there.
    runs = ctx.pick(full=40, quick=12)
    rng = ctx.rng()
    grid = np.linspace(0.01, 1.0, 100)
    x = tl.tensor(grid.reshape(-1, 1))
    y = tl.tensor((np.sin(5 * np.pi * grid) / (5 * np.pi * grid)).reshape(-1, 1))
    fit_steps = rng.integers(*ctx.pick(full=(200, 3001), quick=(300, 1201)), size=runs)
    norm_steps = ctx.pick(full=1500, quick=400)

    # All networks train side by side as one stacked model: their losses add, so each network's
    # gradient is exactly its own, and Adam's update is elementwise, so each one trains as if alone.
    params = init_networks(rng, runs)
    opt = tl.optim.Adam(params, lr=1e-2)
    snapshot = [p.numpy().copy() for p in params]
    for step in ctx.progress(range(1, fit_steps.max() + 1), desc="F08: fit with Adam"):
        opt.zero_grad()
        tanh_mlp_loss(params, x, y).sum().backward()
        if step == 1:
            grad_norm_init = per_run_grad_norm([p.grad for p in params])
        opt.step()
        for r in np.flatnonzero(fit_steps == step):       # network r stops after its own number of steps
            for saved, p in zip(snapshot, params):
                saved[r] = p.numpy()[r]

    params = [tl.tensor(saved, requires_grad=True) for saved in snapshot]
    opt = tl.optim.Adam(params, lr=1e-3)
    for step in ctx.progress(range(norm_steps), desc="F08: minimise ½‖∇L‖²"):
        opt.zero_grad()
        grads = tl.grad(tanh_mlp_loss(params, x, y).sum(), params, create_graph=True)
        if step == 0:
            grad_norm_before = per_run_grad_norm(grads)
        half_squared_norm = 0.5 * sum((g * g).sum() for g in grads)   # Σ_r ½‖∇L_r‖², its gradient is H_r ∇L_r
        half_squared_norm.backward()
        opt.step()

    losses, grad_norms, ratios, spectra, kinds = [], [], [], [], []
    for r in ctx.progress(range(runs), desc="F08: Hessians"):
        network = [tl.tensor(p.numpy()[r], requires_grad=True) for p in params]
        result = tl.curvature.classify(lambda ps: tanh_mlp_loss(ps, x, y), network, grad_tol=NEAR_CRITICAL)
        losses.append(result.loss)
        grad_norms.append(result.grad_norm)
        spectra.append(result.eigenvalues)
        kinds.append(result.kind)
        ratios.append(result.minimum_ratio)   # the share of positive eigenvalues
    losses, grad_norms, ratios, spectra = map(np.array, (losses, grad_norms, ratios, spectra))
    clear = np.abs(spectra) > 1e-6                              # leave out λ ≈ 0 (flat directions)
    ratios_clear = np.sum((spectra > 0) & clear, axis=1) / np.sum(clear, axis=1)
    correlation = float(np.corrcoef(ratios, np.log10(losses))[0, 1])

    fig = plotting.new_figure(height=4.4)
    ax, ax_spec = fig.subplots(1, 2, width_ratios=[1.2, 1])
    ax.scatter(ratios, losses, s=36, color=plotting.PATH, edgecolors="white", linewidths=0.6, zorder=3,
               label=f"{runs} trained networks")
    ax.axvline(1.0, color=plotting.MINIMUM, ls="--", lw=1.5, label="local minimum: ratio 1")
    ax.set_yscale("log")
    ax.set_xlim(0.4, 1.05)
    ax.set(xlabel="minimum ratio = #(λ > 0) / #λ", ylabel="training loss (MSE, log)",
           title="Near-critical points: all are saddle points")
    ax.legend(loc="upper right")
    plotting.note(ax, f"largest ratio {ratios.max():.2f}\ncorrelation with log loss "
                      f"{plotting.number(correlation, 2)}", loc="lower right")
    best = int(np.argmax(ratios))
    order = np.arange(1, spectra.shape[1] + 1)
    lam = spectra[best]
    ax_spec.bar(order, lam, color=np.where(lam > 0, plotting.MINIMUM, plotting.SADDLE), width=0.8)
    ax_spec.set_yscale("symlog", linthresh=1e-7)  # log scale on both sides of 0, linear within ±1e-7
    ax_spec.axhline(0, color="black", lw=0.8)
    ax_spec.set_ylim(-10 * max(-lam.min(), 1e-7), 10 * lam.max())
    ax_spec.set_yticks([-1e-4, -1e-6, 0, 1e-6, 1e-4, 1e-2, 1, 1e2])
    ax_spec.set(xlabel="eigenvalue index (ascending)", ylabel="λ (symmetric log)",
                title=f"Hessian of the most minimum-like network\n"
                      f"{np.sum(lam > 0)} of {lam.size} λ > 0 (ratio {ratios[best]:.2f})")
    plotting.caption(fig, f"Each dot: a 1-6-6-1 tanh network fitted to sin(5πx)/(5πx) with Adam for a random "
                          f"{fit_steps.min()}–{fit_steps.max()} steps, then trained on ½‖∇L‖² for {norm_steps} "
                          f"steps (gradient norm, median: {np.median(grad_norm_init):.1e} at initialisation, "
                          f"{np.median(grad_norms):.1e} at the end). Its full 61 × 61 Hessian always has negative "
                          f"eigenvalues: no network reached a local minimum (ratio 1). Minimum ratios "
                          f"{ratios.min():.2f}–{ratios.max():.2f} ({ratios_clear.min():.2f}–"
                          f"{ratios_clear.max():.2f} without the flat |λ| < 10⁻⁶). The negative eigenvalues are "
                          f"small (right): gentle, but real, ways down.")

    measured = {"runs": runs, "fit_steps": fit_steps, "grad_norm_steps": norm_steps, "loss": losses,
                "minimum_ratio": ratios, "minimum_ratio_without_flat": ratios_clear,
                "grad_norm_init": grad_norm_init, "grad_norm_before": grad_norm_before, "grad_norm_after": grad_norms,
                "kinds": kinds,
                "correlation_ratio_vs_log_loss": correlation, "eigenvalues_most_minimum_like": lam}
    checks = {
        "every minimum ratio < 1 (no local minimum)": bool(np.all(ratios < 1)),
        f"every network is near-critical: ‖∇L‖ < {NEAR_CRITICAL:g}": bool(np.all(grad_norms < NEAR_CRITICAL)),
        "the gradient is almost zero: median ‖∇L‖ ≥ 100× below initialisation": bool(
            np.median(grad_norms) <= 0.01 * np.median(grad_norm_init)),
    }
    if not ctx.quick:  # a trend over a dozen quick networks would be noise; the full run tests it
        checks["more minimum-like points have lower loss (negative correlation)"] = correlation < 0
    summary = (f"minimum ratio {ratios.min():.2f}–{ratios.max():.2f} (all < 1); median ‖∇L‖ "
               f"{np.median(grad_norm_init):.1e} → {np.median(grad_norms):.1e}")
    return Result(fig, summary, checks, measured,
                  plotted={"minimum_ratio": ratios, "loss": losses, "eigenvalues_most_minimum_like": lam})
