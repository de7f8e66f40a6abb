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
# # Part 1: critical points and the Hessian
#
# When the training loss stops falling the gradient may be zero — at a local minimum, or at a saddle
# point. Near a critical point θ′ the second-order Taylor expansion
#
#   L(θ) ≈ L(θ′) + (θ − θ′)ᵀg + ½ (θ − θ′)ᵀ H (θ − θ′)
#
# has g = 0, so the Hessian H decides: all eigenvalues positive → local minimum, all negative → local
# maximum, mixed signs → saddle point. `tl.hessian` computes H by double backward, and `tl.curvature`
# turns the test into function calls.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_lite as tl


def L(w):
    """The lecture's network y = w₁·w₂·x on one example (x = 1, ŷ = 1)."""
    return (1.0 - w[0] * w[1] * 1.0) ** 2


# %% [markdown]
# ## The error surface
#
# `tl.viz.loss_surface` evaluates L on a grid; `tl.viz.plot_contour` draws it. The origin is a critical
# point, and so is every point of the valley w₁w₂ = 1.

# %%
A, B, Z = tl.viz.loss_surface(L, tl.tensor([0.0, 0.0]), span=2.0, steps=41)
fig, ax = plt.subplots(figsize=(5, 4.5))
tl.viz.plot_contour(A, B, Z, ax=ax, log=True)
w1 = np.linspace(0.5, 2, 50)
ax.plot(w1, 1 / w1, "w--", label="w₁w₂ = 1 (minima)")
ax.plot(-w1, -1 / w1, "w--")
ax.plot(0, 0, "rX", markersize=12, label="origin")
ax.legend(loc="lower right")
ax.set_xlabel("w₁")
ax.set_ylabel("w₂")
plt.show()

# %% [markdown]
# ## Gradient and Hessian at the origin

# %%
origin = tl.tensor([0.0, 0.0], dtype=tl.float64, requires_grad=True)
(g,) = tl.grad(L(origin), origin)
H = tl.hessian(L, origin)
print("g =", g.numpy(), " H =", H.numpy().tolist(), " eigenvalues", np.linalg.eigvalsh(H.numpy()))

point = tl.curvature.classify(L, origin)
print(point.kind, point.eigenvalues)
assert point.kind == "saddle"

# %% [markdown]
# ## Escaping along an eigenvector of a negative eigenvalue
#
# With u an eigenvector of λ < 0, uᵀHu = λ‖u‖² < 0, so θ = θ′ + u lowers the loss.
# `tl.curvature.escape_direction` returns that unit eigenvector.

# %%
u = tl.curvature.escape_direction(L, origin)
print("u =", u.numpy())
steps = np.linspace(0, 1.5, 31)
along = [L(tl.tensor(s * u.numpy())).item() for s in steps]
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(steps, along)
ax.set_xlabel("α in θ′ + α·u")
ax.set_ylabel("L")
plt.show()
assert along[10] < along[0]

# %% [markdown]
# ## A local minimum, for contrast
#
# On the valley, at (1, 1), one eigenvalue is positive and one is zero (the valley runs flat): the
# Hessian alone says "degenerate", not "minimum".

# %%
print(tl.curvature.classify(L, tl.tensor([1.0, 1.0], dtype=tl.float64)))
print(tl.curvature.classify(lambda w: (w ** 2).sum(), tl.tensor([0.0, 0.0], dtype=tl.float64)).kind)

# %% [markdown]
# ## Exercises
#
# Each answer cell holds one solution; replace it with your own and run the check.
#
# 1. What are the Hessian's eigenvalues of L(w) = w₁² − w₂² at the origin, and what kind of point is it?
# 2. For L(w) = w₁² + 3w₁w₂ + w₂², is the origin a minimum, a maximum or a saddle? (Hint: H = [[2, 3], [3, 2]].)
# 3. For the lecture's L, what is L(θ′ + u) at the origin with u = (1, 1)/√2, to three decimals?

# %%
answer_1 = ([-2.0, 2.0], "saddle")
answer_2 = "saddle"
answer_3 = (1 - 0.5) ** 2

# %%
x0 = tl.tensor([0.0, 0.0], dtype=tl.float64)
p1 = tl.curvature.classify(lambda w: w[0] ** 2 - w[1] ** 2, x0)
assert np.allclose(answer_1[0], p1.eigenvalues) and answer_1[1] == p1.kind, "exercise 1"
p2 = tl.curvature.classify(lambda w: w[0] ** 2 + 3 * w[0] * w[1] + w[1] ** 2, x0)
assert answer_2 == p2.kind, "exercise 2: the eigenvalues of [[2, 3], [3, 2]] are 5 and −1"
assert abs(answer_3 - L(tl.tensor([1.0, 1.0]) / np.sqrt(2)).item()) < 1e-3, "exercise 3"
print("all three correct")
