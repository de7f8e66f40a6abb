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
# # Part 3: adaptive learning rate and warm-up
#
# One learning rate cannot serve a steep and a flat direction at once. Adaptive methods divide η by a
# per-parameter σᵢ: Adagrad (root mean square of all past gradients), RMSProp (σ² ← ασ² + (1−α)g²),
# Adam (RMSProp + momentum). On top, a schedule changes η over time: decay, and warm-up.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_lite as tl


def valley(w):
    """A long narrow valley: curvature 1 along w₁, 100 along w₂."""
    return 0.5 * w[0] ** 2 + 50.0 * w[1] ** 2


def run(make_optimizer, steps=100):
    w = tl.tensor([-8.0, 0.8], requires_grad=True)
    opt = make_optimizer([w])
    traj = tl.viz.Trajectory(w, optimizer=opt)
    with traj:
        for _ in range(steps):
            opt.zero_grad()
            loss = valley(w)
            loss.backward()
            traj.record(loss)
            opt.step()
    return traj


# %% [markdown]
# ## One rate for both directions, against a rate per direction

# %%
runs = {
    "SGD η = 0.019 (near the steep limit 0.02)": run(lambda p: tl.optim.SGD(p, lr=0.019)),
    "SGD η = 0.002": run(lambda p: tl.optim.SGD(p, lr=0.002)),
    "RMSProp η = 0.1": run(lambda p: tl.optim.RMSProp(p, lr=0.1)),
    "Adam η = 0.5": run(lambda p: tl.optim.Adam(p, lr=0.5)),
}
A, B, Z = tl.viz.loss_surface(valley, tl.tensor([0.0, 0.0]), span=(9.0, 1.0), steps=61)
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
tl.viz.plot_contour(A, B, Z, ax=ax, log=True, colorbar=False)
for name, traj in runs.items():
    ax.plot(traj.params[:, 0], traj.params[:, 1], ".-", markersize=2, label=name)
    ax2.semilogy(traj.losses, label=name)
ax.set_aspect("auto")
ax.legend(fontsize=7, loc="lower right")
ax2.set_xlabel("step")
ax2.set_ylabel("loss")
ax2.legend(fontsize=7)
plt.show()
final = {name: traj.losses[-1] for name, traj in runs.items()}
print({name: f"{loss:.2e}" for name, loss in final.items()})

# %% [markdown]
# ## Learning-rate schedules: decay and warm-up
#
# `LinearWarmup` raises η linearly over the first steps (then another scheduler takes over);
# `TransformerLR` is the schedule of "Attention is all you need". `tl.viz.plot_schedule` draws either.

# %%
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.2))
opt = tl.optim.SGD([tl.tensor([0.0], requires_grad=True)], lr=0.1)
cosine = tl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=900)
tl.viz.plot_schedule(tl.optim.lr_scheduler.LinearWarmup(opt, warmup_steps=100, after=cosine), 1000, ax=a1)
a1.set_title("linear warm-up, then cosine decay")
opt2 = tl.optim.SGD([tl.tensor([0.0], requires_grad=True)], lr=1.0)
tl.viz.plot_schedule(tl.optim.lr_scheduler.TransformerLR(opt2, d_model=512, warmup_steps=4000), 20000, ax=a2)
a2.set_title("Transformer: d^-0.5 · min(t^-0.5, t · w^-1.5)")
plt.show()

# %% [markdown]
# ## Exercises
#
# 1. For the valley above, gradient descent diverges along w₂ when η > 2/100. Which of the runs ended
#    with the lowest loss?
# 2. Adagrad in the lecture's form divides by the root *mean* square of the past gradients. With
#    gradients 3 and 4 in two steps, what is σ after the second step?
# 3. The Transformer schedule with d = 512 and w = 4000 peaks at step t = w. What is its peak rate
#    (base_lr = 1), to four significant digits?

# %%
answer_1 = min(final, key=final.get)
answer_2 = np.sqrt((3 ** 2 + 4 ** 2) / 2)
answer_3 = 512 ** -0.5 * 4000 ** -0.5

# %%
assert answer_1 == min(final, key=final.get), "exercise 1: compare the last losses printed above"
assert abs(answer_2 - 3.5355) < 1e-3, "exercise 2: σ = sqrt((g₁² + g₂²) / 2)"
opt3 = tl.optim.SGD([tl.tensor([0.0], requires_grad=True)], lr=1.0)
schedule = tl.optim.lr_scheduler.TransformerLR(opt3, d_model=512, warmup_steps=4000)
rates = []
for _ in range(4000):
    rates.append(opt3.lr)
    opt3.step()
    schedule.step()
assert abs(answer_3 - max(rates)) / max(rates) < 1e-3, "exercise 3"
print("all three correct")
