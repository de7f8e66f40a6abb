"""Part E of the lecture: classification and its loss (F37–F43).

Classification as regression would compare the network's scalar output y with a class *number*, which
claims that class 1 is closer to class 2 than to class 3. Instead the target ŷ becomes a one-hot vector
and the network gets one output per class; softmax turns those outputs (logits) into probabilities,

    y′ᵢ = exp(yᵢ) / Σⱼ exp(yⱼ),

and cross-entropy e = −Σᵢ ŷᵢ ln y′ᵢ compares y′ with ŷ. Minimising cross-entropy maximises the likelihood
of the labels, and it is easier to optimise than the mean squared error e = Σᵢ (ŷᵢ − y′ᵢ)²: where all
probability sits on a wrong class, MSE is flat and cross-entropy still has a slope.

Every softmax, loss and gradient below is computed by tinygrad_lite (``tl.nn.functional``, ``tl.grad``,
``tl.optim``); NumPy only draws the data.
"""

from __future__ import annotations

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite.nn import functional as F

from . import plotting
from .registry import Context, Result, figure

# One colour per class in every figure of this part: class 1, class 2, class 3.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73")
DIAGRAM_COLORS = {"data": "#DDEEFF", "layer": "#FFF1D6", "softmax": "#FFD9C7", "target": "#DDF2E8"}


def float64(values) -> tl.Tensor:
    """A float64 tensor: the identities of this part hold to rounding error, 1e-12 and below."""
    return tl.tensor(np.asarray(values, dtype=np.float64))


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """ŷ as a one-hot row per example: label k → [0, …, 1 (at k), …, 0]."""
    return np.eye(classes)[labels]


def train(model: tl.nn.Module, loss_fn, steps: int, lr: float) -> None:
    """Full-batch Adam: ``steps`` updates of the model's parameters on ``loss_fn(model)``."""
    opt = tl.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model).backward()
        opt.step()


def box(ax, xy, text: str, kind: str = "layer", fontsize: float = 11):
    """A labelled box of a block diagram, centred at ``xy`` (data coordinates); returns its Text artist."""
    return ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=3,
                   bbox={"boxstyle": "round,pad=0.35", "fc": DIAGRAM_COLORS[kind], "ec": "#666666"})


def arrow(ax, source, target, text: str = "", color: str = "#444444"):
    """An arrow from box ``source`` to box ``target`` (Text artists of :func:`box`), clipped at their
    edges, with an optional label above its middle."""
    start, end = source.get_position(), target.get_position()
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.5, "shrinkA": 3, "shrinkB": 3,
                            "patchA": source.get_bbox_patch(), "patchB": target.get_bbox_patch()})
    if text:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12, text, ha="center", va="bottom",
                fontsize=10, color=color)


def diagram_axes(ax, xlim, ylim):
    """Turn an Axes into a blank canvas for a block diagram."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.axis("off")


# --- F37 ------------------------------------------------------------------------------------------

# The three classes sit at these positions x; the class *numbers* follow the positions (ordered) or do
# not (unrelated): class 3 lies between classes 1 and 2.
ORDERED = {1: 0.0, 2: 1.0, 3: 2.0}
UNRELATED = {1: 0.0, 3: 1.0, 2: 2.0}
SPREAD = 0.15


def one_dimensional_classes(rng: np.random.Generator, centres: dict, per_class: int):
    """Feature x ~ N(centre, 0.15²) for each class; returns x and the class numbers (1, 2, 3)."""
    x = np.concatenate([rng.normal(centre, SPREAD, per_class) for centre in centres.values()])
    numbers = np.repeat(list(centres), per_class)
    return x.astype(np.float32), numbers


def fit_class_number(x: np.ndarray, numbers: np.ndarray, steps: int) -> tuple[tl.nn.Linear, np.ndarray]:
    """Regression: y = wx + b fitted to the class number by MSE; the prediction is y rounded to 1, 2 or 3."""
    model = tl.nn.Linear(1, 1)
    inputs, targets = tl.tensor(x.reshape(-1, 1)), tl.tensor(numbers.reshape(-1, 1).astype(np.float32))
    train(model, lambda m: F.mse_loss(m(inputs), targets), steps, lr=0.05)
    with tl.no_grad():
        predicted = np.clip(np.rint(model(inputs).numpy().ravel()), 1, 3)
    return model, predicted


def fit_softmax_classifier(x: np.ndarray, numbers: np.ndarray, steps: int) -> tuple[tl.nn.Linear, np.ndarray]:
    """Classification: three logits y = Wx + b, softmax and cross-entropy against the class (one-hot)."""
    model = tl.nn.Linear(1, 3)
    inputs, labels = tl.tensor(x.reshape(-1, 1)), tl.tensor(numbers - 1)
    train(model, lambda m: F.cross_entropy(m(inputs), labels), steps, lr=0.05)
    with tl.no_grad():
        predicted = model(inputs).numpy().argmax(axis=1) + 1
    return model, predicted


def draw_regression(ax, x, numbers, model, accuracy: float, title: str):
    """Data at height = class number, the fitted line, and the rounding bands that decide the class."""
    grid = np.linspace(-0.6, 2.6, 100)
    with tl.no_grad():
        line = model(tl.tensor(grid.reshape(-1, 1))).numpy().ravel()
    for boundary in (1.5, 2.5):
        ax.axhline(boundary, color=plotting.NEUTRAL, lw=0.8, ls=":")
    for k in (1, 2, 3):
        ax.scatter(x[numbers == k], numbers[numbers == k], s=14, alpha=0.5, color=CLASS_COLORS[k - 1],
                   label=f"class {k}")
    ax.plot(grid, line, color="black", label="regression y = wx + b")
    ax.set(xlabel="feature x", ylabel="class number ŷ, prediction y", title=title, ylim=(0.4, 3.6),
           yticks=[1, 2, 3])
    plotting.note(ax, f"round(y) is right for\n{accuracy:.0%} of the points", loc="lower right")


@figure("F37", "classification_as_regression", title="Classification as regression?",
        claim="a class number implies closeness: when the numbering does not follow the data, a line "
              "fitted to the class number fails (≤ 70% accuracy) where three logits + softmax succeed (≥ 95%)")
def classification_as_regression(ctx: Context) -> Result:
    per_class = ctx.pick(full=100, quick=60)
    steps = ctx.pick(full=2000, quick=400)
    rng = ctx.rng()
    x_ordered, numbers_ordered = one_dimensional_classes(rng, ORDERED, per_class)
    x, numbers = one_dimensional_classes(rng, UNRELATED, per_class)

    line_ordered, predicted_ordered = fit_class_number(x_ordered, numbers_ordered, steps)
    line, predicted_regression = fit_class_number(x, numbers, steps)
    classifier, predicted_softmax = fit_softmax_classifier(x, numbers, steps)
    accuracy = {"regression, ordered classes": float(np.mean(predicted_ordered == numbers_ordered)),
                "regression, unrelated classes": float(np.mean(predicted_regression == numbers)),
                "softmax classifier, unrelated classes": float(np.mean(predicted_softmax == numbers))}

    fig = plotting.new_figure(height=4.3)
    ax_ordered, ax_regression, ax_softmax = fig.subplots(1, 3, sharex=True)
    draw_regression(ax_ordered, x_ordered, numbers_ordered, line_ordered,
                    accuracy["regression, ordered classes"], "Ordered classes:\nthe numbers follow x")
    draw_regression(ax_regression, x, numbers, line, accuracy["regression, unrelated classes"],
                    "Unrelated classes:\nclass 3 lies between 1 and 2")
    ax_ordered.legend(loc="upper left", fontsize=9)
    grid = np.linspace(-0.6, 2.6, 200)
    with tl.no_grad():
        probabilities = F.softmax(classifier(tl.tensor(grid.reshape(-1, 1))), axis=-1).numpy()
    for k in (1, 2, 3):
        ax_softmax.plot(grid, probabilities[:, k - 1], color=CLASS_COLORS[k - 1], label=f"$y'_{k}$")
        ax_softmax.scatter(x[numbers == k], np.full(per_class, -0.06), s=10, alpha=0.5, color=CLASS_COLORS[k - 1])
    ax_softmax.set(xlabel="feature x", ylabel="softmax output y′", ylim=(-0.12, 1.08),
                   title="Same data, one-hot target:\n3 logits + softmax + cross-entropy")
    ax_softmax.legend(loc="center left", fontsize=9, title_fontsize=9, framealpha=0.95,
                      title=f"argmax y′ right:\n{accuracy['softmax classifier, unrelated classes']:.0%} of points")
    plotting.caption(fig, "Regression against the class number works when the numbers follow the data (left, "
                          "e.g. school grade from height and weight). When they do not (middle: class 3 lies "
                          "between 1 and 2), no line maps the positions to 1, 3, 2: the least-squares line "
                          "hedges towards 2. With one output per class and no order among them (right), "
                          f"the same data is separated. Each model: one Linear layer, {steps} Adam steps.")

    measured = {"accuracy": accuracy, "per_class": per_class, "steps": steps,
                "line_unrelated": {"w": line.weight.item(), "b": line.bias.item()}}
    checks = {
        "a line fits ordered class numbers (≥ 95%)": accuracy["regression, ordered classes"] >= 0.95,
        "a line fails on unrelated class numbers (≤ 70%)": accuracy["regression, unrelated classes"] <= 0.70,
        "three logits + softmax + cross-entropy succeed (≥ 95%)":
            accuracy["softmax classifier, unrelated classes"] >= 0.95,
    }
    summary = ", ".join(f"{name}: {value:.0%}" for name, value in accuracy.items())
    return Result(fig, summary, checks, measured,
                  plotted={"x": x, "class_number": numbers, "x_ordered": x_ordered,
                           "grid": grid, "softmax_output": probabilities})


# --- F38 ------------------------------------------------------------------------------------------


def pairwise_distances(points: tl.Tensor) -> np.ndarray:
    """‖pᵢ − pⱼ‖ for every pair of rows (points of shape (n, d))."""
    difference = points.unsqueeze(1) - points.unsqueeze(0)
    return (difference * difference).sum(axis=-1).sqrt().numpy()


def draw_distances(ax, distances: np.ndarray, title: str, ticks: list[str], vmax: float = 2.0):
    ax.imshow(distances, cmap="Blues", vmin=0, vmax=vmax)
    for (i, j), value in np.ndenumerate(distances):
        text = "0" if value == 0 else ("√2" if np.isclose(value, np.sqrt(2)) else plotting.number(value))
        ax.text(j, i, text, ha="center", va="center", fontsize=13,
                color="white" if value > 0.6 * vmax else "black")
    ax.set_xticks(range(3), ticks)
    ax.set_yticks(range(3), ticks)
    ax.set_title(title)
    ax.grid(False)


def draw_head(ax, weight: np.ndarray, target: np.ndarray):
    """The last layer a → y: three weighted sums of a₁, a₂, a₃ (one colour per output), and the target ŷ."""
    diagram_axes(ax, (-0.6, 3.5), (-0.5, 3.0))
    rows = [2.4, 1.2, 0.0]
    scale = 3.0 / np.abs(weight).max()
    for k, y_row in enumerate(rows):
        for j, a_row in enumerate(rows):
            ax.plot([0, 1.6], [a_row, y_row], color=CLASS_COLORS[k], lw=0.5 + scale * abs(weight[k, j]),
                    alpha=0.8, zorder=1)
    for j, a_row in enumerate(rows):
        box(ax, (0, a_row), f"$a_{j + 1}$")
    for k, y_row in enumerate(rows):
        box(ax, (1.6, y_row), f"$y_{k + 1}$")
        ax.text(2.15, y_row, "↔", ha="center", va="center", fontsize=16)
        box(ax, (2.75, y_row), f"$\\hat y_{k + 1}$ = {target[k]:g}", kind="target")
    ax.text(0.8, -0.55, "$y_k = b_k + \\sum_j w_{kj}\\, a_j$: the scalar head, three times", ha="center",
            fontsize=10)
    ax.set_title("Three outputs, one weight set each")


@figure("F38", "class_as_one_hot_vector", title="Class as one-hot vector",
        claim="one-hot targets make every pair of classes equally far apart (√2), unlike class numbers "
              "(1 or 2); the network gets a head with one output per class, shape (batch, 3)")
def class_as_one_hot_vector(ctx: Context) -> Result:
    number_distances = pairwise_distances(float64([[1.0], [2.0], [3.0]]))
    one_hot_distances = pairwise_distances(tl.eye(3, dtype=tl.float64))
    batch = ctx.pick(full=8, quick=4)
    network = tl.nn.Sequential(tl.nn.Linear(2, 3), tl.nn.Sigmoid(), tl.nn.Linear(3, 3))
    with tl.no_grad():
        output = network(tl.tensor(ctx.rng().normal(size=(batch, 2)).astype(np.float32)))
    head = network[2].weight.numpy()

    fig = plotting.new_figure(height=4.0)
    ax_numbers, ax_one_hot, ax_head = fig.subplots(1, 3, width_ratios=[1, 1, 1.35])
    draw_distances(ax_numbers, number_distances, "Class as a number: |ŷᵢ − ŷⱼ|", ["1", "2", "3"])
    draw_distances(ax_one_hot, one_hot_distances, "Class as one-hot: ‖ŷᵢ − ŷⱼ‖",
                   ["[1,0,0]", "[0,1,0]", "[0,0,1]"])
    draw_head(ax_head, head, target=np.array([1, 0, 0]))
    plotting.caption(fig, "With class numbers 1, 2, 3, class 1 is twice as far from class 3 as from class 2: a "
                          "claim about the classes the data may not support. One-hot vectors ŷ = [1, 0, 0], "
                          "[0, 1, 0], [0, 0, 1] are all √2 apart. The network repeats its scalar output three "
                          f"times (right, line width ∝ |w|): a Linear(3, 3) head maps a batch of {batch} "
                          f"examples to logits of shape {output.shape}.")

    off_diagonal = ~np.eye(3, dtype=bool)
    measured = {"class_number_distances": number_distances, "one_hot_distances": one_hot_distances,
                "head_output_shape": list(output.shape), "batch": batch, "network": repr(network)}
    checks = {
        "class numbers give unequal distances (1 and 2)": set(np.unique(number_distances[off_diagonal])) == {1.0, 2.0},
        "one-hot distances are all √2": bool(
            np.allclose(one_hot_distances[off_diagonal], np.sqrt(2), rtol=0, atol=1e-15)),
        "the head's output has shape (batch, 3)": output.shape == (batch, 3),
    }
    summary = f"class-number distances 1 and 2; one-hot all √2; head output {output.shape}"
    return Result(fig, summary, checks, measured, plotted={"head_weight": head})


# --- F39 ------------------------------------------------------------------------------------------

DIGITS = 10


def draw_pipelines(ax):
    """The lecture's two pipelines, regression above and classification below."""
    diagram_axes(ax, (-0.5, 11.6), (-0.1, 2.6))
    rows = {"Regression": 2.0, "Classification": 0.6}
    outputs = {}
    for label, row in rows.items():
        ax.text(-0.4, row + 0.3, label, fontsize=12, fontweight="bold", va="bottom")
        x = box(ax, (0.3, row), "x", kind="data")
        hidden, head = box(ax, (2.3, row), "W, b, σ"), box(ax, (4.4, row), "W′, b′")
        arrow(ax, x, hidden)
        arrow(ax, hidden, head, "a")
        outputs[label] = head
    y = box(ax, (6.6, rows["Regression"]), "y: a number", kind="data")
    arrow(ax, outputs["Regression"], y)
    ax.text(7.95, rows["Regression"], "↔", ha="center", va="center", fontsize=18)
    box(ax, (9.2, rows["Regression"]), "ŷ: a number", kind="target")
    y = box(ax, (6.6, rows["Classification"]), "y: a vector", kind="data")
    softmax = box(ax, (8.4, rows["Classification"]), "softmax", kind="softmax")
    compared = box(ax, (10.5, rows["Classification"]), "y′ ↔ ŷ (one-hot)", kind="target")
    arrow(ax, outputs["Classification"], y)
    arrow(ax, y, softmax)
    arrow(ax, softmax, compared)
    ax.text(8.4, 0.0, "any real numbers → 0 < y′ᵢ < 1, Σᵢ y′ᵢ = 1", ha="center", fontsize=9.5, color="#444444")


def draw_matrix(ax, values: np.ndarray, title: str, cmap: str, vmin: float, vmax: float, show_y: bool):
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(DIGITS))
    ax.set_yticks(range(values.shape[0]))
    ax.set_xlabel("class (digit)")
    ax.set_ylabel("example" if show_y else "")
    if not show_y:
        ax.set_yticklabels([])
    ax.set_title(title)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, shrink=0.9)


@figure("F39", "regression_vs_classification_pipelines", title="Regression vs classification",
        claim="classification passes the network's output y through softmax before comparing with ŷ: "
              "y is unconstrained, y′ = softmax(y) lies in (0, 1) and sums to 1, like the one-hot ŷ")
def regression_vs_classification_pipelines(ctx: Context) -> Result:
    X, labels = tl.data.datasets.load_digits()
    shown = ctx.pick(full=8, quick=6)
    steps = ctx.pick(full=150, quick=40)
    body = tl.nn.Sequential(tl.nn.Linear(64, 32), tl.nn.Sigmoid())        # x → a: W, b, σ
    regression = tl.nn.Sequential(body, tl.nn.Linear(32, 1))              # a → y, a number
    classification = tl.nn.Sequential(body, tl.nn.Linear(32, DIGITS))    # a → y, a vector (the logits)
    inputs, targets = tl.tensor(X), tl.tensor(labels)
    train(classification, lambda m: F.cross_entropy(m(inputs), targets), steps, lr=0.02)

    with tl.no_grad():
        batch = tl.tensor(X[:shown])
        y = classification(batch)
        y_prime = F.softmax(y, axis=-1)
        y_regression = regression(batch).numpy().ravel()
    y, y_prime = y.numpy(), y_prime.numpy()
    row_sums = y_prime.sum(axis=1)

    fig = plotting.new_figure(height=6.4)
    top, bottom = fig.subfigures(2, 1, height_ratios=[0.7, 1.25])
    draw_pipelines(top.subplots())
    ax_y, ax_prime, ax_target = bottom.subplots(1, 3)
    limit = float(np.abs(y).max())
    draw_matrix(ax_y, y, "logits y: any real number", "RdBu_r", -limit, limit, show_y=True)
    draw_matrix(ax_prime, y_prime, "y′ = softmax(y): in (0, 1)", "Greens", 0, 1, show_y=False)
    draw_matrix(ax_target, one_hot(labels[:shown], DIGITS), "target ŷ: one-hot", "Greens", 0, 1, show_y=False)
    plotting.caption(fig, f"Both pipelines share the body x → a (Linear(64, 32), sigmoid) on the 8×8 digits; "
                          f"the classification head Linear(32, 10) was trained for {steps} Adam steps with "
                          f"cross-entropy. Its logits range over [{plotting.number(y.min())}, "
                          f"{plotting.number(y.max())}]; softmax maps each row into (0, 1) with sum 1 "
                          f"(largest deviation {np.abs(row_sums - 1).max():.0e}), comparable with the one-hot ŷ.")

    measured = {"logits_min": float(y.min()), "logits_max": float(y.max()), "softmax_min": float(y_prime.min()),
                "softmax_max": float(y_prime.max()), "row_sums": row_sums, "regression_output": y_regression,
                "labels": labels[:shown], "predicted": y_prime.argmax(axis=1), "steps": steps,
                "regression_pipeline": repr(regression), "classification_pipeline": repr(classification)}
    checks = {
        "the logits y are unconstrained (negative values and values above 1)": y.min() < 0 and y.max() > 1,
        "softmax outputs lie strictly inside (0, 1)": bool(np.all((y_prime > 0) & (y_prime < 1))),
        "each row of y′ sums to 1 (float32, 1e-6)": bool(np.allclose(row_sums, 1, rtol=0, atol=1e-6)),
    }
    summary = (f"y ∈ [{y.min():.1f}, {y.max():.1f}] → y′ ∈ [{y_prime.min():.1e}, {y_prime.max():.3f}], "
               f"row sums 1 ± {np.abs(row_sums - 1).max():.0e}")
    return Result(fig, summary, checks, measured, plotted={"logits": y, "softmax": y_prime})


# --- F40 ------------------------------------------------------------------------------------------

LECTURE_LOGITS = (3.0, 1.0, -3.0)
SHIFT_COLORS = ("#56B4E9", "#0072B2", "#E69F00", "#CC79A7")


def draw_softmax_block(ax, y: np.ndarray, exp: np.ndarray, total: float, y_prime: np.ndarray):
    """The lecture's softmax block: y → exp(y) → divide by the sum → y′, with the computed numbers."""
    diagram_axes(ax, (-0.7, 8.6), (-0.9, 3.2))
    rows = [2.4, 1.2, 0.0]
    for i, row in enumerate(rows):
        logit = box(ax, (0, row), f"$y_{i + 1}$ = {plotting.number(y[i])}", kind="data")
        exponential = box(ax, (3.0, row), f"$e^{{y_{i + 1}}}$ = {plotting.number(exp[i], 4)}", kind="softmax")
        probability = box(ax, (6.6, row), f"$y'_{i + 1}$ = {y_prime[i]:.4f}", kind="target")
        arrow(ax, logit, exponential, "exp" if i == 0 else "")
        arrow(ax, exponential, probability, f"÷ Σ = {total:.2f}" if i == 0 else "")
    ax.text(3.3, -0.75, r"$y'_i = \frac{e^{y_i}}{\sum_j e^{y_j}}$,   $0 < y'_i < 1$,   $\sum_i y'_i = 1$",
            ha="center", fontsize=12)
    ax.set_title("Softmax: logits y → probabilities y′")


@figure("F40", "softmax_block", title="Softmax",
        claim="softmax(3, 1, −3): exp = (20.09, 2.718, 0.0498) → y′ = (0.88, 0.12, ≈0); y′ᵢ ∈ (0, 1), Σ = 1; "
              "gaps grow (y′₁/y′₂ = e² ≈ 7.39 vs 3/1); adding a constant to all logits changes nothing")
def softmax_block(ctx: Context) -> Result:
    y = float64(LECTURE_LOGITS)
    exp = y.exp()
    total = exp.sum()
    y_prime = F.softmax(y, axis=-1)
    by_hand = (exp / total).numpy()
    exp, total, y_prime = exp.numpy(), total.item(), y_prime.numpy()
    ratio = y_prime[0] / y_prime[1]
    shifts = (-1000.0, 0.0, 10.0, 1000.0)
    shifted = np.stack([F.softmax(y + shift, axis=-1).numpy() for shift in shifts])
    invariance = float(np.abs(shifted - y_prime).max())

    fig = plotting.new_figure(height=4.0)
    ax_block, ax_bars = fig.subplots(1, 2, width_ratios=[1.9, 1])
    draw_softmax_block(ax_block, y.numpy(), exp, total, y_prime)
    width = 0.8 / len(shifts)
    for k, (shift, values) in enumerate(zip(shifts, shifted)):
        label = f"y {'+' if shift > 0 else '−'} {abs(shift):g}" if shift else "y = (3, 1, −3)"
        bars = ax_bars.bar(np.arange(3) + (k - 1.5) * width, values, width=width, color=SHIFT_COLORS[k], label=label)
        if shift == 0:
            ax_bars.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=2, fontsize=9)
    ax_bars.set_xticks(range(3), ["$y'_1$", "$y'_2$", "$y'_3$"])
    ax_bars.set(ylabel="softmax output y′", ylim=(0, 1.05), title="Shifting every logit changes nothing")
    ax_bars.legend(loc="upper right", fontsize=9)
    plotting.caption(fig, f"Computed by tinygrad_lite in float64: Σ exp = {total:.4f}, y′ = ({y_prime[0]:.4f}, "
                          f"{y_prime[1]:.4f}, {y_prime[2]:.4f}). Softmax enlarges gaps: logits 3 and 1 (ratio 3) "
                          f"become probabilities with ratio e² = {ratio:.3f}. Only differences between logits "
                          f"matter: y + c gives the same y′ (largest change {plotting.number(invariance, 2)} for "
                          f"c = ±1000, "
                          f"where exp alone would overflow).")

    measured = {"logits": LECTURE_LOGITS, "exp": exp, "sum_exp": total, "softmax": y_prime,
                "softmax_by_hand": by_hand, "ratio_1_to_2": ratio, "shifts": shifts,
                "max_change_under_shift": invariance}
    checks = {
        "exp(y) = (20.09, 2.718, 0.0498)": bool(np.allclose(exp, [20.0855, 2.71828, 0.0497871], rtol=1e-5)),
        "y′ = (0.8789, 0.1189, 0.0022)": bool(np.allclose(y_prime, [0.8789, 0.1189, 0.0022], atol=5e-5)),
        "F.softmax equals exp(y)/Σexp(y)": bool(np.allclose(y_prime, by_hand, rtol=1e-14, atol=0)),
        "0 < y′ᵢ < 1 and Σ y′ᵢ = 1": bool(np.all((y_prime > 0) & (y_prime < 1))) and abs(y_prime.sum() - 1) < 1e-15,
        "y′₁/y′₂ = e² ≈ 7.389": abs(ratio - np.e ** 2) < 1e-12,
        "softmax(y + c) = softmax(y) for c up to ±1000": invariance < 1e-12,
    }
    summary = (f"y′ = ({y_prime[0]:.4f}, {y_prime[1]:.4f}, {y_prime[2]:.4f}); y′₁/y′₂ = {ratio:.3f}; "
               f"shift Δ {plotting.number(invariance, 2)}")
    return Result(fig, summary, checks, measured, plotted={"shifted_softmax": shifted})


# --- F41 ------------------------------------------------------------------------------------------


def two_class_logits(z: tl.Tensor) -> tl.Tensor:
    """Logits [z, 0] per example: softmax over two classes, where only the difference z matters."""
    return tl.stack([z, tl.zeros_like(z)], axis=-1)


@figure("F41", "sigmoid_equals_two_class_softmax", title="Two classes: sigmoid instead of softmax",
        claim="with two classes, sigmoid and softmax are the same: softmax([z, 0])₁ = σ(z) and the "
              "two-class cross-entropy equals binary cross-entropy, to < 1e-12 for z ∈ [−20, 20]")
def sigmoid_equals_two_class_softmax(ctx: Context) -> Result:
    z = float64(np.linspace(-20, 20, ctx.pick(full=401, quick=81)))
    ones, zeros = tl.ones_like(z), tl.zeros_like(z)
    class_one, class_two = tl.tensor(np.zeros(z.shape, dtype=np.int64)), tl.tensor(np.ones(z.shape, dtype=np.int64))
    sigmoid = F.sigmoid(z).numpy()
    softmax = F.softmax(two_class_logits(z), axis=-1).numpy()[:, 0]
    # target "class 1" is t = 1 for the sigmoid, label 0 for the softmax; "class 2" is t = 0, label 1
    bce = {t: F.binary_cross_entropy_with_logits(z, target, reduction="none").numpy()
           for t, target in ((1, ones), (0, zeros))}
    ce = {t: F.cross_entropy(two_class_logits(z), labels, reduction="none").numpy()
          for t, labels in ((1, class_one), (0, class_two))}
    # any two logits: softmax([y₁, y₂])₁ = σ(y₁ − y₂)
    pairs = float64(ctx.rng().normal(scale=10, size=(200, 2)))
    general = float(np.abs(F.softmax(pairs, axis=-1).numpy()[:, 0]
                           - F.sigmoid(pairs[:, 0] - pairs[:, 1]).numpy()).max())
    probability_gap = float(np.abs(sigmoid - softmax).max())
    loss_gap = max(float(np.abs(bce[t] - ce[t]).max()) for t in (0, 1))

    z_np = z.numpy()
    every = slice(None, None, max(1, len(z_np) // 40))
    fig = plotting.new_figure(height=4.2)
    ax_p, ax_loss = fig.subplots(1, 2)
    ax_p.plot(z_np, sigmoid, color=CLASS_COLORS[0], label=r"$\sigma(z) = 1/(1 + e^{-z})$")
    ax_p.plot(z_np[every], softmax[every], "o", ms=5, mfc="none", color=plotting.SADDLE,
              label=r"softmax$([z, 0])_1 = e^z/(e^z + e^0)$")
    ax_p.set(xlabel="logit z = $y_1 - y_2$", ylabel="probability of class 1", title="Probability of class 1")
    ax_p.legend(loc="upper left", fontsize=9)
    plotting.note(ax_p, f"largest difference\n{probability_gap:.1e}", loc="lower right")
    for t, color in ((1, CLASS_COLORS[0]), (0, CLASS_COLORS[1])):
        ax_loss.plot(z_np, bce[t], color=color, label=f"binary CE of σ(z), target t = {t}")
        ax_loss.plot(z_np[every], ce[t][every], "o", ms=5, mfc="none", color=plotting.SADDLE,
                     label="two-class softmax CE" if t == 1 else None)
    ax_loss.set(xlabel="logit z", ylabel="loss e", title="Binary cross-entropy = two-class cross-entropy")
    ax_loss.legend(loc="upper center", fontsize=9, title_fontsize=9, title=f"largest difference {loss_gap:.1e}")
    plotting.caption(fig, "eᶻ/(eᶻ + e⁰) = 1/(1 + e⁻ᶻ): a softmax over two logits is the sigmoid of their "
                          "difference, so one logit suffices for two classes. Lines: sigmoid and "
                          "binary_cross_entropy_with_logits; circles: softmax and cross_entropy over [z, 0]. "
                          f"Float64; for 200 random logit pairs, softmax([y₁, y₂])₁ − σ(y₁ − y₂) ≤ {general:.0e}.")

    measured = {"max_probability_difference": probability_gap, "max_loss_difference": loss_gap,
                "max_difference_random_pairs": general, "z_range": [z_np.min(), z_np.max()]}
    checks = {
        "softmax([z, 0])₁ = σ(z) to < 1e-12": probability_gap < 1e-12,
        "two-class cross-entropy = binary cross-entropy to < 1e-12": loss_gap < 1e-12,
        "softmax([y₁, y₂])₁ = σ(y₁ − y₂) for random logits": general < 1e-12,
    }
    summary = f"max |softmax − σ| = {probability_gap:.1e}, max |CE − BCE| = {loss_gap:.1e}"
    return Result(fig, summary, checks, measured,
                  plotted={"z": z_np, "sigmoid": sigmoid, "softmax": softmax, "bce_t1": bce[1], "bce_t0": bce[0]})


# --- F42 ------------------------------------------------------------------------------------------


def squared_error(y_prime: tl.Tensor, target: tl.Tensor) -> tl.Tensor:
    """e = Σᵢ (ŷᵢ − y′ᵢ)² per example, the lecture's MSE (a sum over the classes)."""
    return F.mse_loss(y_prime, target, reduction="none").sum(axis=-1)


def negative_log_likelihood(logits: tl.Tensor, labels: np.ndarray) -> tl.Tensor:
    """−(1/N) ln Πₙ y′ₙ[ŷₙ]: the likelihood of the labels under the softmax probabilities, as a loss."""
    probabilities = F.softmax(logits, axis=-1)
    return -probabilities[np.arange(len(labels)), labels].log().sum() / len(labels)


@figure("F42", "mse_vs_cross_entropy", title="Loss of classification",
        claim="MSE e = Σᵢ(ŷᵢ − y′ᵢ)² or cross-entropy e = −Σᵢ ŷᵢ ln y′ᵢ; minimising cross-entropy is "
              "maximising likelihood (equal to 1e-10), its gradient w.r.t. the logits is y′ − ŷ, and it "
              "takes logits and stays finite at ±1000")
def mse_vs_cross_entropy(ctx: Context) -> Result:
    # (a) both losses for the target [1, 0, 0] as the probability p of the right class grows
    p = np.linspace(0.002, 0.998, 250)   # 0 < p < 1: every ln y′ᵢ finite
    y_prime = float64(np.stack([p, (1 - p) / 2, (1 - p) / 2], axis=1))
    target = float64(np.tile([1.0, 0.0, 0.0], (len(p), 1)))
    mse_curve = squared_error(y_prime, target).numpy()
    ce_curve = (-(target * y_prime.log()).sum(axis=-1)).numpy()

    # (b) a linear softmax classifier on the digits: cross-entropy vs likelihood at every step
    X, labels = tl.data.datasets.load_digits()
    steps = ctx.pick(full=150, quick=40)
    inputs, targets = float64(X), tl.tensor(labels)
    model = tl.nn.Linear(64, DIGITS, dtype=tl.float64)
    opt = tl.optim.Adam(model.parameters(), lr=0.05)
    cross_entropies, likelihood_losses = [], []
    for _ in range(steps):
        opt.zero_grad()
        logits = model(inputs)
        loss = F.cross_entropy(logits, targets)
        loss.backward()
        cross_entropies.append(loss.item())
        with tl.no_grad():
            likelihood_losses.append(negative_log_likelihood(logits, labels).item())
        opt.step()
    cross_entropies, likelihood_losses = np.array(cross_entropies), np.array(likelihood_losses)
    likelihood_gap = float(np.abs(cross_entropies - likelihood_losses).max())

    # (c) the gradient of cross-entropy∘softmax with respect to the logits is (y′ − ŷ)/N
    batch = ctx.pick(full=64, quick=32)
    logits = model(inputs[:batch]).detach()
    logits.requires_grad = True
    (autograd,) = tl.grad(F.cross_entropy(logits, targets[:batch]), logits)
    closed_form = (F.softmax(logits, axis=-1).numpy() - one_hot(labels[:batch], DIGITS)) / batch
    gradient_gap = float(np.abs(autograd.numpy() - closed_form).max())

    # logits far apart: F.cross_entropy takes logits (log-softmax inside); ln(softmax) underflows
    extreme = tl.tensor(np.array([[1000.0, -1000.0, 0.0]]), requires_grad=True)
    stable = F.cross_entropy(extreme, tl.tensor([1]))
    (stable_grad,) = tl.grad(stable, extreme)
    with np.errstate(divide="ignore"), tl.no_grad():
        naive = -F.softmax(extreme, axis=-1)[0, 1].log().item()
    small = float64(ctx.rng().normal(size=(4, 3)))
    small.requires_grad = True
    small_labels, small_target = tl.tensor([0, 2, 1, 0]), float64(one_hot(np.array([0, 2, 1, 0]), 3))
    derivative_checks = {
        "cross_entropy": (tl.gradcheck(lambda y: F.cross_entropy(y, small_labels), [small])
                          and tl.gradgradcheck(lambda y: F.cross_entropy(y, small_labels), [small])),
        "mse of softmax": (tl.gradcheck(lambda y: squared_error(F.softmax(y, axis=-1), small_target).mean(), [small])
                           and tl.gradgradcheck(lambda y: squared_error(F.softmax(y, axis=-1), small_target).mean(),
                                                [small])),
    }

    fig = plotting.new_figure(height=4.3)
    ax_curve, ax_train, ax_grad = fig.subplots(1, 3)
    ax_curve.plot(p, mse_curve, color=plotting.APPROX, label=r"MSE $\sum_i (\hat y_i - y'_i)^2$")
    ax_curve.plot(p, ce_curve, color=plotting.PATH, label=r"cross-entropy $-\sum_i \hat y_i \ln y'_i$")
    ax_curve.set(xlabel="$y'_1$, probability of the right class", ylabel="loss e", ylim=(0, 5),
                 title="ŷ = [1, 0, 0] and\ny′ = [y′₁, (1 − y′₁)/2, (1 − y′₁)/2]")
    ax_curve.legend(loc="upper right", fontsize=9)
    step_axis = np.arange(steps)
    ax_train.plot(step_axis, cross_entropies, color=plotting.PATH, label="F.cross_entropy(logits, ŷ)")
    ax_train.plot(step_axis[::4], likelihood_losses[::4], "o", ms=4, mfc="none", color=plotting.SADDLE,
                  label=r"$-\frac{1}{N}\ln \prod_n y'_n[\hat y_n]$")
    ax_train.set(xlabel="Adam step", ylabel="loss (nats per example)", title="Digits: CE = −log-likelihood / N")
    ax_train.legend(loc="upper right", fontsize=9, title_fontsize=9,
                    title=f"largest difference {plotting.number(likelihood_gap, 2)}\nlikelihood per example "
                          f"{np.exp(-cross_entropies[0]):.2f} → {np.exp(-cross_entropies[-1]):.2f}")
    ax_grad.scatter(closed_form.ravel(), autograd.numpy().ravel(), s=10, color=plotting.PATH, alpha=0.6)
    limit = np.abs(closed_form).max() * 1.1
    ax_grad.plot([-limit, limit], [-limit, limit], color=plotting.NEUTRAL, lw=1, ls="--")
    ax_grad.set(xlabel="(y′ − ŷ) / N, closed form", ylabel="∂e/∂y by backward", title="Gradient w.r.t. the logits")
    plotting.note(ax_grad, f"largest difference {plotting.number(gradient_gap, 2)}", loc="upper left")
    plotting.caption(fig, "Left: as the right class's probability falls, cross-entropy grows without bound while "
                          "MSE saturates. Middle: training a linear classifier on the 8×8 digits, cross-entropy and "
                          "the negative log-likelihood of the labels are the same curve, so minimising one maximises "
                          "the other. Right: backward through log-softmax gives y′ − ŷ. Logits (1000, −1000, 0), "
                          f"right class the second: F.cross_entropy = {stable.item():g} (finite), "
                          f"ln of softmax = {naive:g}.")

    measured = {"max_ce_minus_nll": likelihood_gap, "max_gradient_difference": gradient_gap,
                "cross_entropy_first_last": [cross_entropies[0], cross_entropies[-1]], "steps": steps,
                "extreme_logits_loss": stable.item(), "extreme_logits_grad": stable_grad.numpy(),
                "extreme_logits_naive_loss": naive, "gradchecks": derivative_checks}
    checks = {
        "cross-entropy = −mean log-likelihood of the labels (1e-10)": likelihood_gap < 1e-10,
        "training lowers cross-entropy (raises the likelihood)": cross_entropies[-1] < cross_entropies[0],
        "∂CE/∂logits = (y′ − ŷ)/N (1e-10)": gradient_gap < 1e-10,
        "cross-entropy is finite with finite gradient at logits ±1000": bool(
            abs(stable.item() - 2000.0) < 1e-9 and np.all(np.isfinite(stable_grad.numpy()))),
        "first and second derivatives of both losses pass gradcheck": all(derivative_checks.values()),
        "MSE stays ≤ 1.5 while CE grows past 5 as y′₁ → 0": mse_curve.max() <= 1.5 and ce_curve.max() > 5,
    }
    summary = (f"|CE − NLL| ≤ {plotting.number(likelihood_gap, 2)}; "
               f"|∇ − (y′−ŷ)/N| ≤ {plotting.number(gradient_gap, 2)}; "
               f"CE at ±1000 = {stable.item():g}")
    return Result(fig, summary, checks, measured,
                  plotted={"p": p, "mse": mse_curve, "cross_entropy": ce_curve, "train_cross_entropy": cross_entropies,
                           "train_negative_log_likelihood": likelihood_losses})


# --- F43 ------------------------------------------------------------------------------------------

Y3 = -1000.0                 # the third logit, held so low that y′₃ ≈ 0: the surface lives on (y₁, y₂)
SPAN = 10.0                  # y₁, y₂ ∈ [−10, 10], as on the slide
START = (-8.0, 8.0)          # top left: y₂ large, y₁ small, all probability on the wrong class 2
TARGET = (1.0, 0.0, 0.0)     # ŷ: class 1


def three_logits(y12: tl.Tensor) -> tl.Tensor:
    """(y₁, y₂) → (y₁, y₂, −1000), for one point of shape (2,) or a batch of shape (m, 2)."""
    fixed = tl.full(y12.shape[:-1] + (1,), Y3, dtype=y12.dtype)
    return tl.concatenate([y12, fixed], axis=-1)


def mse_of_softmax(y12: tl.Tensor) -> tl.Tensor:
    """e = Σᵢ (ŷᵢ − y′ᵢ)² with y′ = softmax(y₁, y₂, −1000); one loss per point."""
    y_prime = F.softmax(three_logits(y12), axis=-1)
    return squared_error(y_prime, float64(TARGET).broadcast_to(y_prime.shape))


def cross_entropy_of_logits(y12: tl.Tensor) -> tl.Tensor:
    """e = −ln y′₁ with y′ = softmax(y₁, y₂, −1000); one loss per point."""
    logits = three_logits(y12)
    labels = tl.tensor(np.zeros(logits.shape[:-1], dtype=np.int64))
    return F.cross_entropy(logits, labels, reduction="none")


LOSSES = {"MSE": mse_of_softmax, "cross-entropy": cross_entropy_of_logits}


def loss_and_gradient(loss_fn, point) -> tuple[float, np.ndarray]:
    y12 = tl.tensor(np.array(point, dtype=np.float64), requires_grad=True)
    loss = loss_fn(y12)
    (g,) = tl.grad(loss, y12)
    return loss.item(), g.numpy()


def descend(loss_fn, optimizer: str, lr: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Optimise (y₁, y₂) from START with ``tl.optim.SGD`` or ``Adam``; returns the path and the losses."""
    y12 = tl.tensor(np.array(START), requires_grad=True)
    opt = {"GD": tl.optim.SGD, "Adam": tl.optim.Adam}[optimizer]([y12], lr=lr)
    trajectory = tl.viz.Trajectory(y12)
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(y12)
        loss.backward()
        trajectory.record(loss)
        opt.step()
    with tl.no_grad():
        final = loss_fn(y12).item()
    return np.vstack([trajectory.params, y12.numpy()]), np.append(trajectory.losses, final)


RUNS = (("MSE", "GD", 0.1), ("MSE", "GD", 1.0), ("MSE", "Adam", 0.1),
        ("cross-entropy", "GD", 0.1), ("cross-entropy", "GD", 1.0))
RUN_STYLE = {("GD", 0.1): ("#56B4E9", "o"), ("GD", 1.0): ("#0072B2", "s"), ("Adam", 0.1): ("#CC79A7", "^")}
SURFACE_LEVELS = {"MSE": np.linspace(0, 2, 21), "cross-entropy": np.linspace(0, 20, 21)}


def run_label(optimizer: str, lr: float) -> str:
    return f"{optimizer}, η = {lr:g}"


def draw_surface_3d(ax, A, B, Z, name: str):
    tl.viz.plot_surface(A, B, Z, ax=ax, rcount=120, ccount=120, shade=False)
    ax.set(xlabel="$y_1$", ylabel="$y_2$", title=f"{name}: e over ($y_1$, $y_2$)")
    ax.set_zlabel("")   # the title names the axis: a z label would crowd the next panel
    ax.view_init(elev=30, azim=-55)


def draw_contour_with_paths(ax, A, B, Z, name: str, paths: dict):
    tl.viz.plot_contour(A, B, Z, ax=ax, levels=SURFACE_LEVELS[name], colorbar=False)
    for (optimizer, lr), path in paths.items():
        color, marker = RUN_STYLE[(optimizer, lr)]
        ax.plot(*path.T, color=color, lw=2, label=run_label(optimizer, lr))
        ax.plot(*path[-1], marker=marker, color=color, mec="black", ms=8, ls="none")
    ax.plot(*START, "*", color="white", mec="black", ms=15, label="start (−8, 8)")
    stuck = [f"{lr:g}" for (optimizer, lr), path in paths.items()
             if optimizer == "GD" and np.abs(path[-1] - START).max() < 0.01]
    if stuck:
        plotting.outlined(ax.text(START[0] + 1.0, START[1] - 0.4, f"GD, η = {', '.join(stuck)}:\nstuck here",
                                  color="white", fontsize=9, fontweight="bold", va="top"))
    ax.set(xlabel="$y_1$", ylabel="$y_2$", title=f"{name}: paths from the top left", aspect="equal")
    ax.grid(False)
    ax.legend(loc="lower left", fontsize=8.5, framealpha=0.9)


@figure("F43", "mse_vs_cross_entropy_error_surface",
        title="Changing the loss changes the difficulty of optimization",
        claim="for ŷ = [1, 0, 0], y₃ = −1000: starting where e is large (top left), MSE is flat (gradient "
              "orders of magnitude smaller than cross-entropy's) and gradient descent stays stuck, while "
              "cross-entropy has a slope and descends; Adam on MSE gets out slowly")
def mse_vs_cross_entropy_error_surface(ctx: Context) -> Result:
    steps = ctx.pick(full=1000, quick=300)
    grid = ctx.pick(full=201, quick=41)
    surfaces = {name: tl.viz.loss_surface(loss_fn, float64([0.0, 0.0]), span=SPAN, steps=grid, batched=True)
                for name, loss_fn in LOSSES.items()}
    at_corner = {name: loss_and_gradient(loss_fn, (-SPAN, SPAN)) for name, loss_fn in LOSSES.items()}
    at_start = {name: loss_and_gradient(loss_fn, START) for name, loss_fn in LOSSES.items()}
    start_norm = {name: float(np.linalg.norm(g)) for name, (_, g) in at_start.items()}
    gradient_ratio = start_norm["MSE"] / start_norm["cross-entropy"]
    runs = {(name, optimizer, lr): descend(LOSSES[name], optimizer, lr, steps) for name, optimizer, lr in RUNS}

    final = {f"{name}, {run_label(optimizer, lr)}": losses[-1] for (name, optimizer, lr), (_, losses) in runs.items()}
    moved = {f"{name}, {run_label(optimizer, lr)}": float(np.abs(path[-1] - START).max())
             for (name, optimizer, lr), (path, _) in runs.items()}
    mse_gd_moved = max(moved[f"MSE, {run_label('GD', lr)}"] for lr in (0.1, 1.0))

    # ‖∇e‖ along the diagonal from the top-left corner to the bottom-right one
    t = np.linspace(-SPAN, SPAN, ctx.pick(full=201, quick=81))
    diagonal = tl.tensor(np.stack([t, -t], axis=1), requires_grad=True)
    diagonal_norm = {}
    for name, loss_fn in LOSSES.items():
        (g,) = tl.grad(loss_fn(diagonal).sum(), diagonal)   # the points are independent: one backward
        diagonal_norm[name] = np.linalg.norm(g.numpy(), axis=1)

    fig = plotting.new_figure(height=8.4)
    top, bottom = fig.subfigures(2, 1)
    ax_mse3d = top.add_subplot(1, 3, 1, projection="3d")
    ax_ce3d = top.add_subplot(1, 3, 2, projection="3d")
    ax_norm = top.add_subplot(1, 3, 3)
    ax_mse, ax_ce, ax_curves = bottom.subplots(1, 3)
    for ax3d, ax, name in ((ax_mse3d, ax_mse, "MSE"), (ax_ce3d, ax_ce, "cross-entropy")):
        draw_surface_3d(ax3d, *surfaces[name], name)
        paths = {(optimizer, lr): path for (loss, optimizer, lr), (path, _) in runs.items() if loss == name}
        draw_contour_with_paths(ax, *surfaces[name], name, paths)
    for name, color in (("MSE", plotting.APPROX), ("cross-entropy", plotting.PATH)):
        ax_norm.semilogy(t, diagonal_norm[name], color=color,
                         label=f"{name}: {plotting.number(start_norm[name], 2)} at the start")
    ax_norm.axvline(START[0], color=plotting.NEUTRAL, ls=":", lw=1)
    ax_norm.set(xlabel="$y_1$ on the diagonal $y_2 = -y_1$", ylabel=r"$\|\nabla e\|$ (log)",
                title="Slope along the diagonal")
    ax_norm.legend(loc="lower left", fontsize=9)
    for (name, optimizer, lr), (_, losses) in runs.items():
        color, _ = RUN_STYLE[(optimizer, lr)]
        ax_curves.semilogy(np.arange(len(losses)), losses, color=color, ls="-" if name == "MSE" else "--",
                           label=f"{name}, {run_label(optimizer, lr)}")
    ax_curves.set(xlabel="update", ylabel="loss e (log)", title="Loss during training")
    ax_curves.set_ylim(top=1e4)   # room for the legend above the curves
    ax_curves.legend(loc="upper right", fontsize=8)
    plotting.caption(fig, f"Red: large loss, blue: small. Both surfaces are high top left (y₁ small, y₂ large: "
                          f"y′ ≈ [0, 1, 0]) and low bottom right. At (−10, 10) MSE = "
                          f"{at_corner['MSE'][0]:.4f} with ‖∇‖ = {np.linalg.norm(at_corner['MSE'][1]):.1e}, "
                          f"cross-entropy = {at_corner['cross-entropy'][0]:.2f} with ‖∇‖ = "
                          f"{np.linalg.norm(at_corner['cross-entropy'][1]):.3f}. From (−8, 8), {steps} steps of "
                          f"gradient descent on MSE move y by at most {mse_gd_moved:.0e}; on cross-entropy they "
                          f"reach the blue region. Adam rescales the tiny MSE gradient "
                          f"(η/σ) and escapes, but starts slowly.")

    measured = {
        "corner (−10, 10)": {name: {"loss": loss, "grad_norm": float(np.linalg.norm(g))}
                              for name, (loss, g) in at_corner.items()},
        "start (−8, 8)": {name: {"loss": loss, "grad_norm": start_norm[name]} for name, (loss, _) in at_start.items()},
        "gradient_ratio_mse_to_ce_at_start": gradient_ratio, "final_loss": final, "moved": moved, "steps": steps,
    }
    checks = {
        "at the start, ‖∇MSE‖ is ≥ 4 orders of magnitude below ‖∇CE‖": gradient_ratio < 1e-4,
        "both surfaces are large top left and small bottom right": all(
            Z[-1, 0] > 0.99 * Z.max() and Z[0, -1] < 1e-3 * Z.max() for _, _, Z in surfaces.values()),
        "gradient descent on MSE stays stuck (loss still ≈ 2 at η = 0.1 and 1)": all(
            final[f"MSE, {run_label('GD', lr)}"] > 1.99 for lr in (0.1, 1.0)),
        "gradient descent on cross-entropy descends (loss < 0.05 at η = 0.1 and 1)": all(
            final[f"cross-entropy, {run_label('GD', lr)}"] < 0.05 for lr in (0.1, 1.0)),
        "Adam on MSE escapes the plateau (loss < 0.01)": final[f"MSE, {run_label('Adam', 0.1)}"] < 0.01,
    }
    every = max(1, grid // 50)   # the JSON keeps a ~50 × 50 copy of each surface, enough to redraw it
    summary = (f"‖∇‖ at (−8, 8): MSE {start_norm['MSE']:.1e} vs CE {start_norm['cross-entropy']:.2f} "
               f"(ratio {gradient_ratio:.0e}); GD final e: MSE {final['MSE, GD, η = 1']:.3f}, "
               f"CE {final['cross-entropy, GD, η = 1']:.1e}")
    return Result(fig, summary, checks, measured,
                  plotted={"y1": surfaces["MSE"][0][0, ::every], "y2": surfaces["MSE"][1][::every, 0],
                           "mse_surface": surfaces["MSE"][2][::every, ::every],
                           "cross_entropy_surface": surfaces["cross-entropy"][2][::every, ::every],
                           "diagonal_y1": t, "diagonal_grad_norm": diagonal_norm,
                           "paths_every_10th_step": {f"{name}, {run_label(o, lr)}": path[::10]
                                                     for (name, o, lr), (path, _) in runs.items()}})
