# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Part 5: batch normalization
#
# Instead of a better way through a hard error surface, change the surface. Inputs on very different
# scales make a long narrow valley; normalising each input dimension, x̃ᵢ = (xᵢ − mᵢ)/σᵢ, makes it
# round. Batch normalization does the same to the hidden values inside the network, with the batch's
# mean μ and standard deviation σ, z̃ⁱ = (zⁱ − μ)/σ, then γ ⊙ z̃ⁱ + β. At test time it uses moving
# averages of μ and σ collected while training.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn
from tinygrad_lite.data import DataLoader, TensorDataset, datasets

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Two features on different scales: a narrow valley
#
# y = b + w₁x₁ + w₂x₂ with x₁ ≈ 1 and x₂ ≈ 100, fitted by the mean squared error. Both features matter
# as much (ŷ = 1 + 2x₁ + 0.03x₂), but a change of w₂ moves y a hundred times more than the same change
# of w₁. b is held at its least-squares value, so the loss is a surface over (w₁, w₂). `tl.hessian`
# gives its curvature: for this quadratic, H = 2/N XᵀX everywhere.

# %%
N = 200
x_raw = rng.normal([1.0, 100.0], [0.5, 50.0], size=(N, 2))
targets = tl.tensor(x_raw @ np.array([2.0, 0.03]) + 1.0 + rng.normal(0, 0.1, N))


def least_squares_bias(x):
    """b* of the full least-squares fit (the surface is drawn with b fixed there)."""
    design = np.c_[x, np.ones(len(x))]
    return np.linalg.lstsq(design, targets.numpy(), rcond=None)[0][2]


def mse_surface(x):
    """L(w) = 1/N Σ (b* + wᵀxₙ − ŷₙ)² over (w₁, w₂), for features x (N, 2)."""
    features, bias = tl.tensor(x), least_squares_bias(x)

    def loss(w):                       # w of shape (2,), or (2, k) for k points at once
        residual = features @ w + bias - (targets if w.ndim == 1 else targets.reshape(-1, 1))
        return (residual * residual).mean(0)

    return loss


raw_loss = mse_surface(x_raw)
H_raw = tl.hessian(raw_loss, tl.tensor([0.0, 0.0], dtype=tl.float64)).numpy()
eigenvalues_raw = np.linalg.eigvalsh(H_raw)
print("H =", H_raw.round(2))
print("closed form 2/N XᵀX =", (2 / N * x_raw.T @ x_raw).round(2))
print(f"eigenvalues {eigenvalues_raw.round(3)}, condition number {eigenvalues_raw[-1] / eigenvalues_raw[0]:,.0f}")

# %% [markdown]
# Gradient descent may not take η ≥ 2/λ_max (the steep direction would grow every step). At
# η = 1.9/λ_max the steep direction flips sign every step, × (1 − ηλ_max) = −0.9, while the flat one
# shrinks by only ηλ_min per step: the path zig-zags across the valley and crawls along it.

# %%
def descend(loss, lr, steps):
    w = tl.tensor([0.0, 0.0], dtype=tl.float64, requires_grad=True)
    opt = tl.optim.SGD([w], lr=lr)
    path, losses = [w.numpy().copy()], []
    for _ in range(steps):
        opt.zero_grad()
        value = loss(w)
        value.backward()
        opt.step()
        losses.append(value.item())
        path.append(w.numpy().copy())
    return np.array(path), np.array(losses)


def minimum(loss):
    """w* = −H⁻¹ g(0): one Newton step from the origin is exact for a quadratic."""
    w = tl.tensor([0.0, 0.0], dtype=tl.float64, requires_grad=True)
    (g,) = tl.grad(loss(w), w)
    return -np.linalg.solve(tl.hessian(loss, w).numpy(), g.numpy())


def draw(ax, loss, path, w_star, title):
    low, high = np.minimum(path.min(0), w_star), np.maximum(path.max(0), w_star)
    pad = 0.2 * (high - low) + 1e-3
    w1, w2 = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], 121),
                         np.linspace(low[1] - pad[1], high[1] + pad[1], 121))
    with tl.no_grad():
        Z = loss(tl.tensor(np.stack([w1.ravel(), w2.ravel()]))).numpy().reshape(w1.shape)
    ax.contourf(w1, w2, Z, levels=30, cmap="viridis")
    ax.plot(path[:, 0], path[:, 1], ".-", color="white", markersize=2, linewidth=0.8)
    ax.plot(*w_star, "*", color="red", markersize=12)
    ax.set(xlabel="w₁", ylabel="w₂", title=title)


lr_raw = 1.9 / eigenvalues_raw[-1]
path_raw, losses_raw = descend(raw_loss, lr_raw, steps=2000)
w_star_raw = minimum(raw_loss)
print(f"η = {lr_raw:.3g}; loss after 2000 steps {losses_raw[-1]:.4f}, "
      f"minimum {raw_loss(tl.tensor(w_star_raw)).item():.4f}; w = {path_raw[-1].round(3)}, w* = {w_star_raw.round(3)}")

# %% [markdown]
# ## Feature normalization: the same model on a round surface
#
# Each dimension i is rescaled over the training set, x̃ᵢ = (xᵢ − mᵢ)/σᵢ. The model is the same (any
# line in x is a line in x̃), so the minimum loss is the same; only its parameters change meaning.

# %%
x_normalized = (x_raw - x_raw.mean(0)) / x_raw.std(0)
normalized_loss = mse_surface(x_normalized)
H_normalized = tl.hessian(normalized_loss, tl.tensor([0.0, 0.0], dtype=tl.float64)).numpy()
eigenvalues_normalized = np.linalg.eigvalsh(H_normalized)
print("H =", H_normalized.round(3),
      f" condition number {eigenvalues_normalized[-1] / eigenvalues_normalized[0]:.3f}")

lr_normalized = 1.9 / eigenvalues_normalized[-1]   # the same rule for the learning rate
path_normalized, losses_normalized = descend(normalized_loss, lr_normalized, steps=2000)
w_star_normalized = minimum(normalized_loss)
loss_min = normalized_loss(tl.tensor(w_star_normalized)).item()
print(f"minimum loss: raw {raw_loss(tl.tensor(w_star_raw)).item():.6f}, normalized {loss_min:.6f}")


def steps_to_tolerance(losses, tolerance=1e-6):
    """The first step t with L(wₜ) − L* ≤ tolerance · (L(w₀) − L*), or None within the run."""
    excess = (losses - loss_min) / (losses[0] - loss_min)
    reached = np.flatnonzero(excess <= tolerance)
    return int(reached[0]) if len(reached) else None


print("steps to 1e-6 of the initial excess loss: raw", steps_to_tolerance(losses_raw),
      " normalized", steps_to_tolerance(losses_normalized))

fig, axes = plt.subplots(1, 3, figsize=(14, 4))
draw(axes[0], raw_loss, path_raw, w_star_raw, "raw features (2000 steps)")
draw(axes[1], normalized_loss, path_normalized[:60], w_star_normalized, "normalized features (60 steps)")
axes[2].loglog(np.arange(1, 2001), losses_raw - loss_min, label="raw features")
axes[2].loglog(np.arange(1, 2001), np.maximum(losses_normalized - loss_min, 1e-16), label="normalized features")
axes[2].set(xlabel="step", ylabel="L − L*", title="gradient descent at η = 1.9/λ_max")
axes[2].legend()
plt.show()

# %% [markdown]
# ## Batch normalization: the batch becomes one graph
#
# Inside a network the values z = Wx + b feeding the next layer have their own scales, changing as W
# is trained. `nn.BatchNorm1d` normalises each of them over the batch, z̃ⁱ = (zⁱ − μ)/σ, then
# γ ⊙ z̃ⁱ + β (γ = 1, β = 0 at first, learned). μ and σ depend on every example, so example 2's output
# depends on example 1's input: `tl.jacobian` of the whole batch is no longer block-diagonal.

# %%
tl.manual_seed(0)
linear = nn.Linear(3, 3, dtype=tl.float64)
norm = nn.BatchNorm1d(3, dtype=tl.float64)
batch = tl.tensor(rng.normal(size=(4, 3)))

J_linear = tl.jacobian(linear, batch).numpy()                           # (4, 3, 4, 3): ∂yⁱₖ / ∂xʲₗ
J_norm = tl.jacobian(lambda x: norm(linear(x)), batch).numpy()
block_norms = {name: np.sqrt((J ** 2).sum(axis=(1, 3))) for name, J in (("Linear", J_linear),
                                                                          ("Linear + BatchNorm1d", J_norm))}
for name, blocks in block_norms.items():
    print(name, "— ‖∂yⁱ/∂xʲ‖ for every pair of examples (i, j):\n", blocks.round(3))

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, (name, J) in zip(axes, (("Linear", J_linear), ("Linear + BatchNorm1d", J_norm))):
    ax.imshow(np.abs(J.reshape(12, 12)), cmap="Blues")
    ax.set(title=name, xlabel="inputs of examples 1…4", ylabel="outputs of examples 1…4")
plt.show()

# %% [markdown]
# Each feature's outputs z̃ sum to 0 over the batch, whatever the inputs, so the derivatives of that sum
# are 0 too: another way to see that the examples are tied together.

# %%
print("largest |Σᵢ ∂yⁱₖ/∂xʲₗ| over the batch:", np.abs(J_norm.sum(axis=0)).max())

# %% [markdown]
# ## Testing: running averages, train mode and eval mode
#
# At test time there may be a single example, so there is no batch to take μ and σ from. During
# training `BatchNorm1d` keeps moving averages μ̄ ← p μ̄ + (1 − p) μ. PyTorch (and tinygrad_lite) call
# 1 − p the `momentum`, 0.1 by default, so p = 0.9. The batch is normalised with its biased variance
# (dividing by n), while `running_var` averages the unbiased one (dividing by n − 1). We check both by
# hand.

# %%
true_mean, true_std = np.array([2.0, -1.0, 0.5]), np.array([1.0, 2.0, 0.5])
bn = nn.BatchNorm1d(3, dtype=tl.float64)
p = 1 - bn.momentum
mean_by_hand, var_by_hand = np.zeros(3), np.ones(3)          # the buffers' starting values
history = []
for _ in range(200):
    x = rng.normal(true_mean, true_std, size=(16, 3))
    out = bn(tl.tensor(x))
    mean_by_hand = p * mean_by_hand + (1 - p) * x.mean(0)
    var_by_hand = p * var_by_hand + (1 - p) * x.var(0, ddof=1)
    history.append(bn.running_mean.numpy().copy())

print("running_mean", bn.running_mean.numpy().round(4), " by hand", mean_by_hand.round(4))
print("running_var ", bn.running_var.numpy().round(4), " by hand", var_by_hand.round(4))
print("last batch normalised with the biased variance:",
      np.abs(out.numpy() - (x - x.mean(0)) / np.sqrt(x.var(0) + bn.eps)).max())

fig, ax = plt.subplots(figsize=(6, 3.5))
for k, values in enumerate(np.array(history).T):
    ax.plot(values, label=f"feature {k + 1}")
    ax.axhline(true_mean[k], color="gray", linestyle=":")
ax.set(xlabel="training batch", ylabel="running_mean", title="μ̄ ← 0.9 μ̄ + 0.1 μ")
ax.legend()
plt.show()

# %% [markdown]
# In eval mode (`model.eval()`) the running averages replace the batch's statistics: an example's output
# is then the same alone and in any batch. In train mode it moves with its companions.

# %%
example = rng.normal(true_mean, true_std, size=(1, 3))
companions = [np.vstack([example, rng.normal(true_mean, true_std, size=(15, 3))]) for _ in range(5)]
bn.eval()
with tl.no_grad():
    eval_alone = bn(tl.tensor(example)).numpy()[0]
    eval_among = np.array([bn(tl.tensor(b)).numpy()[0] for b in companions])
by_formula = (example[0] - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + bn.eps)
bn.train()
with tl.no_grad():
    train_among = np.array([bn(tl.tensor(b)).numpy()[0] for b in companions])
print("eval, alone:     ", eval_alone.round(4), " formula:", by_formula.round(4))
print("eval, 5 batches: spread", np.ptp(eval_among, axis=0))
print("train, 5 batches: spread", np.ptp(train_among, axis=0).round(3))


# %% [markdown]
# ## With and without batch normalization, on the digits
#
# A 64-100-100-100-10 ReLU network, plain SGD on batches of 60, with and without a `BatchNorm1d` after
# each hidden `Linear`: from the same initial weights and the same batches, at η = 0.1 and at a 20×
# larger η = 2. The held-out accuracy is measured in eval mode.

# %%
X, y = datasets.load_digits()
(X_train, y_train), _, (X_test, y_test) = datasets.train_val_test_split(X, y, val_fraction=0.0,
                                                                        test_fraction=0.2, seed=0)


def network(batch_norm):
    layers, width = [], 64
    for _ in range(3):
        layers += [nn.Linear(width, 100), *([nn.BatchNorm1d(100)] if batch_norm else []), nn.ReLU()]
        width = 100
    return nn.Sequential(*layers, nn.Linear(width, 10))


def accuracy(model):
    model.eval()
    with tl.no_grad():
        predicted = model(tl.tensor(X_test)).argmax(dim=1).numpy()
    model.train()
    return float((predicted == y_test).mean())


def train(batch_norm, lr, updates=300, every=20):
    tl.manual_seed(0)                  # BatchNorm1d draws nothing: both networks get the same Linear weights
    model = network(batch_norm)
    opt = tl.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=60, shuffle=True, seed=0)
    steps, accuracies, step = [], [], 0
    while step < updates:
        for xb, yb in loader:
            if step % every == 0:
                steps.append(step)
                accuracies.append(accuracy(model))
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
            step += 1
            if step == updates:
                break
    return steps + [step], accuracies + [accuracy(model)]


curves = {(lr, bn): train(bn, lr) for lr in (0.1, 2.0) for bn in (True, False)}
fig, ax = plt.subplots(figsize=(7, 4))
for (lr, bn), (steps, accuracies) in curves.items():
    ax.plot(steps, accuracies, "-" if lr == 0.1 else "--", color="C0" if bn else "C1",
            label=f"η = {lr:g}, {'with' if bn else 'without'} BN")
ax.axhline(0.1, color="gray", linestyle=":")
ax.set(xlabel="SGD update", ylabel="held-out accuracy", ylim=(0, 1.02))
ax.legend()
plt.show()
final_accuracy = {key: accuracies[-1] for key, (_, accuracies) in curves.items()}
print({f"η = {lr:g}, {'with' if bn else 'without'} BN": round(a, 3) for (lr, bn), a in final_accuracy.items()})

# %% [markdown]
# ## Exercises
#
# 1. A `BatchNorm1d(1)` in train mode (γ = 1, β = 0) gets the batch z = 1, 3, 5. What does it output?
#    (Normalise with the biased variance; eps = 1e-5 is too small to matter at 1e-3.)
# 2. Starting from running_mean = 0 and running_var = 1 with momentum 0.1, what are running_mean and
#    running_var after that one batch? Give [running_mean, running_var].
# 3. On the raw surface of the first section, above which learning rate does gradient descent diverge?

# %%
answer_1 = (np.array([1.0, 3.0, 5.0]) - 3.0) / np.sqrt(8 / 3)
answer_2 = [0.9 * 0 + 0.1 * 3.0, 0.9 * 1 + 0.1 * 4.0]
answer_3 = 2 / np.linalg.eigvalsh(H_raw)[-1]

# %%
check = nn.BatchNorm1d(1, dtype=tl.float64)
output = check(tl.tensor([[1.0], [3.0], [5.0]])).numpy().ravel()
assert np.allclose(answer_1, output, atol=1e-3), "exercise 1: (z − μ) / σ with σ² = Σ(z − μ)² / n"
assert np.allclose(answer_2, [check.running_mean.item(), check.running_var.item()]), "exercise 2: unbiased var"
_, below = descend(raw_loss, 0.98 * answer_3, steps=300)
_, above = descend(raw_loss, 1.02 * answer_3, steps=300)
assert below[-1] < below[0] and above[-1] > 100 * above[0], "exercise 3: 2 / λ_max of the Hessian"
print("all three correct")
