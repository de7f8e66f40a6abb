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
# # The engine from a scalar up
#
# Reverse-mode automatic differentiation fits on one screen when every value is a single number.
# This notebook builds that scalar engine, traces one backward pass by hand, and then checks every
# number against `tinygrad_lite` (`tl`), whose Tensors do the same on whole arrays.
#
# The example is the lecture's network y = w₁·w₂·x with one training example (x = 1, ŷ = 1), so the
# loss is L = (ŷ − w₁w₂x)².

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_lite as tl

# %% [markdown]
# ## A value that remembers how it was made
#
# Each `Scalar` keeps its number, its gradient, the values it was computed from and, for each of
# them, the *local derivative* ∂out/∂input. That local derivative is all an op has to know.

# %%
class Scalar:
    def __init__(self, value, parents=(), local_grads=(), op=""):
        self.value, self.grad = float(value), 0.0
        self.parents, self.local_grads, self.op = parents, local_grads, op

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.value + other.value, (self, other), (1.0, 1.0), "+")        # ∂(a+b)/∂a = 1

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.value * other.value, (self, other), (other.value, self.value), "*")  # ∂(ab)/∂a = b

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other if isinstance(other, Scalar) else Scalar(-other))

    def __rsub__(self, other):
        return Scalar(other) - self

    def __pow__(self, n):
        return Scalar(self.value ** n, (self,), (n * self.value ** (n - 1),), f"**{n}")  # ∂aⁿ/∂a = n·aⁿ⁻¹

    def tanh(self):
        t = math.tanh(self.value)
        return Scalar(t, (self,), (1 - t * t,), "tanh")                              # ∂tanh(a)/∂a = 1 − tanh²

    def backward(self):
        """Chain rule from the output back: visit nodes in reverse topological order (no recursion)."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad                                   # accumulate: a value used twice

    def __repr__(self):
        return f"Scalar({self.value:.4g}, grad={self.grad:.4g})"


# %% [markdown]
# ## One backward pass, traced by hand
#
# At w₁ = 0.5, w₂ = −1.5 (x = 1): the forward pass gives z = w₁w₂ = −0.75, r = 1 − z = 1.75, L = r² = 3.0625.
# Backward, one local derivative at a time:
#
# | node | value | ∂L/∂node | why |
# |---|---|---|---|
# | L = r² | 3.0625 | 1 | start |
# | r = 1 − z | 1.75 | 2r = 3.5 | ∂r²/∂r = 2r |
# | z = w₁·w₂ | −0.75 | 3.5 · (−1) = −3.5 | ∂(1−z)/∂z = −1 |
# | w₁ | 0.5 | −3.5 · w₂ = 5.25 | ∂(w₁w₂)/∂w₁ = w₂ |
# | w₂ | −1.5 | −3.5 · w₁ = −1.75 | ∂(w₁w₂)/∂w₂ = w₁ |

# %%
w1, w2 = Scalar(0.5), Scalar(-1.5)
z = w1 * w2 * 1.0
r = 1.0 - z
L = r ** 2
L.backward()
print(L, w1, w2)
by_hand = {"w1": 5.25, "w2": -1.75}
assert abs(w1.grad - by_hand["w1"]) < 1e-12 and abs(w2.grad - by_hand["w2"]) < 1e-12

# %% [markdown]
# ## The same with `tl`
#
# `tl.tensor(..., requires_grad=True)` makes a leaf; ops record the graph; `backward()` fills `.grad`.
# `tl.viz.graph` prints the graph that was recorded (Graphviz DOT text; `tl.viz.draw_graph` renders it
# where Graphviz is installed).

# %%
w = tl.tensor([0.5, -1.5], requires_grad=True)
L_tl = (1.0 - w[0] * w[1] * 1.0) ** 2
L_tl.backward()
print(L_tl.item(), w.grad)
np.testing.assert_allclose(w.grad.numpy(), [w1.grad, w2.grad], rtol=1e-6)
print(tl.viz.graph(L_tl)[:400], "...")

# %% [markdown]
# ## Checking a derivative by finite differences
#
# The derivative is the slope of L along w₁: (L(w₁ + ε) − L(w₁ − ε)) / 2ε. `tl.gradcheck` does this for
# every input in float64. Below, the slope from the engine against the finite difference along a line.

# %%
def loss_at(a, b):
    return (1.0 - a * b) ** 2


grid = np.linspace(-2, 2, 41)
engine_slopes, fd_slopes = [], []
for a in grid:
    s1, s2 = Scalar(a), Scalar(-1.5)
    out = (1.0 - s1 * s2) ** 2
    out.backward()
    engine_slopes.append(s1.grad)
    fd_slopes.append((loss_at(a + 1e-6, -1.5) - loss_at(a - 1e-6, -1.5)) / 2e-6)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(grid, [loss_at(a, -1.5) for a in grid], label="L(w₁, w₂ = −1.5)")
ax.plot(grid, engine_slopes, label="∂L/∂w₁ (engine)")
ax.plot(grid, fd_slopes, "k.", markersize=4, label="finite difference")
ax.set_xlabel("w₁")
ax.legend()
plt.show()
assert np.allclose(engine_slopes, fd_slopes, atol=1e-5)
assert tl.gradcheck(lambda v: (1.0 - v[0] * v[1]) ** 2, [tl.tensor([0.5, -1.5], dtype=tl.float64, requires_grad=True)])

# %% [markdown]
# ## Second derivatives: differentiate the backward pass
#
# `tl`'s backward is written in Tensor ops, so with `create_graph=True` the gradient is itself a graph,
# and differentiating it again gives the Hessian. At the origin: g = 0, H = [[0, −2], [−2, 0]] — a saddle.

# %%
w0 = tl.tensor([0.0, 0.0], requires_grad=True)
(g,) = tl.grad((1.0 - w0[0] * w0[1]) ** 2, w0, create_graph=True)
H = tl.stack([tl.grad(g[i], w0, allow_unused=True)[0] for i in range(2)])
print(g, H, sep="\n")
assert np.allclose(H.numpy(), tl.hessian(lambda v: (1.0 - v[0] * v[1]) ** 2, w0).numpy())

# %% [markdown]
# ## Exercises
#
# Each answer cell holds one solution so the notebook runs from top to bottom; replace it with your own
# and run the check below it.
#
# 1. For L = tanh(w₁·w₂)² at w₁ = 0.3, w₂ = 2, compute ∂L/∂w₁ **by hand** (chain rule: 2·tanh(u)·(1 − tanh²u)·w₂).
# 2. A value used twice: for f(a) = a·a + a at a = 3, what gradient does the engine accumulate in `a`?
# 3. With `tl`, what is the Hessian of L = w₁²·w₂ at (1, 2)?

# %%
u = 0.3 * 2
answer_1 = 2 * math.tanh(u) * (1 - math.tanh(u) ** 2) * 2
answer_2 = 2 * 3 + 1
answer_3 = np.array([[2 * 2.0, 2 * 1.0], [2 * 1.0, 0.0]])

# %%
a1, a2 = Scalar(0.3), Scalar(2.0)
((a1 * a2).tanh() ** 2).backward()
assert abs(answer_1 - a1.grad) < 1e-9, "exercise 1: compare with the table of local derivatives above"
a = Scalar(3.0)
(a * a + a).backward()
assert answer_2 == a.grad, "exercise 2: every use of a value adds its share to .grad"
H3 = tl.hessian(lambda v: v[0] ** 2 * v[1], tl.tensor([1.0, 2.0], dtype=tl.float64)).numpy()
assert np.allclose(answer_3, H3), "exercise 3: H[i, j] = ∂²L/∂wᵢ∂wⱼ"
print("all three correct")
