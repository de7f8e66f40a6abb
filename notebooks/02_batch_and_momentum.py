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
# # Part 2: batch and momentum
#
# Training splits each epoch into shuffled batches and makes one update per batch. Small batches give
# noisy gradients, large ones accurate gradients but fewer updates per epoch. Momentum,
# m ← λm − ηg, θ ← θ + m, adds inertia: each step is a weighted sum of all past gradients.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite.data import DataLoader, TensorDataset, datasets

# %% [markdown]
# ## Batches and epochs
#
# `DataLoader(..., shuffle=True)` draws a fresh permutation every epoch; `len(loader)` is the number of
# updates per epoch.

# %%
x, y = datasets.linear_regression(n=20, seed=0)
for batch_size in (20, 5, 1):
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True, seed=0)
    print(f"B = {batch_size:2d}: {len(loader):2d} updates per epoch")

# %% [markdown]
# ## Small versus large batch on the line y = 2x + 1
#
# The same number of epochs, the same learning rate: full batch makes one smooth step per epoch,
# batch size 1 twenty noisy ones.

# %%
def fit(batch_size, epochs=10, lr=0.1):
    tl.manual_seed(0)
    model = tl.nn.Linear(1, 1)
    opt = tl.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True, seed=0)
    traj = tl.viz.Trajectory(list(model.parameters()))
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            traj.record(loss)
            opt.step()
    return traj


full, single = fit(20), fit(1)
fig, ax = plt.subplots(figsize=(5, 4))
for traj, name in ((full, "B = 20 (full batch)"), (single, "B = 1")):
    ax.plot(traj.params[:, 1], traj.params[:, 0], ".-", markersize=3, label=f"{name}: {len(traj.losses)} updates")
ax.plot(1, 2, "k*", markersize=12, label="y = 2x + 1")
ax.set_xlabel("bias b")
ax.set_ylabel("weight w")
ax.legend()
plt.show()

# %% [markdown]
# ## Momentum over a hill
#
# A 1-D loss with a local minimum before a deeper one. Plain gradient descent settles in the first
# valley; `tl.optim.Momentum` (the lecture's form) rolls over the bump.

# %%
def bumpy(w):
    return 0.05 * w ** 4 - 0.6 * w ** 2 + 0.6 * w   # a shallow minimum near 2.2, a deep one near −2.7


def descend(optimizer_class, steps=200, **kwargs):
    w = tl.tensor([3.5], requires_grad=True)
    opt = optimizer_class([w], **kwargs)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        loss = bumpy(w).sum()
        loss.backward()
        path.append(w.item())
        opt.step()
    return np.array(path)


plain = descend(tl.optim.SGD, lr=0.05)
heavy = descend(tl.optim.Momentum, lr=0.05, momentum=0.9)
grid = np.linspace(-3.5, 3.8, 200)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
a1.plot(grid, [bumpy(tl.tensor(v)).item() for v in grid], color="gray")
a1.plot(plain[-1], bumpy(tl.tensor(plain[-1])).item(), "o", label="gradient descent ends")
a1.plot(heavy[-1], bumpy(tl.tensor(heavy[-1])).item(), "s", label="momentum ends")
a1.legend()
a1.set_xlabel("w")
a2.plot(plain, label="gradient descent")
a2.plot(heavy, label="momentum λ = 0.9")
a2.set_xlabel("step")
a2.set_ylabel("w")
a2.legend()
plt.show()
print(f"gradient descent stops at w = {plain[-1]:.2f}, momentum at w = {heavy[-1]:.2f}")

# %% [markdown]
# ## Exercises
#
# 1. How many updates per epoch does a loader make for 1000 examples with `batch_size=64` (and with
#    `drop_last=True`)?
# 2. The lecture's momentum with λ = 0.9: starting from m⁰ = 0, with a constant gradient g = 1 and
#    η = 0.1, what is m³?
# 3. Does momentum end in the deeper valley (w < 0) above? Answer True or False.

# %%
answer_1 = (16, 15)
answer_2 = -0.1 * (1 + 0.9 + 0.81)
answer_3 = True

# %%
loader = DataLoader(TensorDataset(np.zeros((1000, 1))), batch_size=64)
assert answer_1 == (len(loader), len(DataLoader(loader.dataset, batch_size=64, drop_last=True))), "exercise 1"
w = tl.tensor([0.0], requires_grad=True)
opt = tl.optim.Momentum([w], lr=0.1, momentum=0.9)
positions = [w.item()]
for _ in range(3):
    opt.zero_grad()
    w.sum().backward()   # the gradient of w is 1
    opt.step()
    positions.append(w.item())
assert abs(answer_2 - (positions[3] - positions[2])) < 1e-6, "exercise 2: m³ = θ³ − θ² = λm² − ηg"
assert answer_3 == bool(heavy[-1] < 0), "exercise 3"
print("all three correct")
