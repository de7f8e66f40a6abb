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
# # Part 4: classification and its loss
#
# A class becomes a one-hot vector ŷ, the network gets one output per class, softmax turns the outputs
# into probabilities y′, and cross-entropy e = −Σ ŷᵢ ln y′ᵢ compares them. Cross-entropy is easier to
# optimise than the mean squared error: where MSE is flat, cross-entropy still has a slope.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F

# %% [markdown]
# ## Softmax: 3, 1, −3 → 0.88, 0.12, 0.00

# %%
logits = tl.tensor([3.0, 1.0, -3.0])
print(F.softmax(logits))
two = tl.tensor([2.0, 0.0])
print("sigmoid(2) =", F.sigmoid(tl.tensor(2.0)).item(), " softmax([2, 0])[0] =", F.softmax(two)[0].item())

# %% [markdown]
# ## The lecture's surfaces: MSE against cross-entropy
#
# Outputs y₁, y₂ ∈ [−10, 10], y₃ = −1000, target class 1. Both are large top left and small bottom
# right; MSE is flat top left, cross-entropy is not.

# %%
target = tl.tensor([0])
one_hot = tl.tensor([[1.0, 0.0, 0.0]])


def outputs(w):
    return tl.stack([w[0], w[1], tl.tensor(-1000.0)]).reshape(1, 3)


def mse(w):
    return ((F.softmax(outputs(w)) - one_hot) ** 2).sum()


def ce(w):
    return F.cross_entropy(outputs(w), target)


fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, (name, f) in zip(axes, (("MSE", mse), ("cross-entropy", ce))):
    A, B, Z = tl.viz.loss_surface(f, tl.tensor([0.0, 0.0]), span=10.0, steps=31)
    tl.viz.plot_contour(A, B, Z, ax=ax, cmap="coolwarm")
    ax.set_title(name)
    ax.set_xlabel("y₁")
    ax.set_ylabel("y₂")
plt.show()

start = tl.tensor([-8.0, 8.0], requires_grad=True)
slopes = {name: tl.grad(f(start), start)[0].numpy() for name, f in (("MSE", mse), ("CE", ce))}
print({name: float(np.linalg.norm(g)) for name, g in slopes.items()})

# %% [markdown]
# ## Gradient descent from the top-left corner

# %%
def descend(f, lr, steps=300):
    w = tl.tensor([-8.0, 8.0], requires_grad=True)
    opt = tl.optim.SGD([w], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        f(w).backward()
        opt.step()
    return f(w).item()


results = {"MSE, GD η = 1": descend(mse, 1.0), "CE, GD η = 1": descend(ce, 1.0)}
print(results)

# %% [markdown]
# ## Exercises
#
# 1. What is softmax([0, ln 3])? Give both probabilities.
# 2. At y = (−8, 8, −1000), is the gradient norm of MSE smaller than 1e-5? (True/False)
# 3. The cross-entropy of logits (2, 0) with target class 0 equals −ln σ(2). Compute it.

# %%
answer_1 = [0.25, 0.75]
answer_2 = True
answer_3 = -np.log(1 / (1 + np.exp(-2.0)))

# %%
assert np.allclose(answer_1, F.softmax(tl.tensor([0.0, np.log(3.0)])).numpy(), atol=1e-6), "exercise 1"
assert answer_2 == bool(np.linalg.norm(slopes["MSE"]) < 1e-5), "exercise 2"
assert abs(answer_3 - F.cross_entropy(tl.tensor([[2.0, 0.0]]), tl.tensor([0])).item()) < 1e-6, "exercise 3"
print("all three correct")
