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
# # A convolutional network: LeNet-5 on handwritten digits
#
# Everything from the lecture in one training run: batches from a `DataLoader`, Adam with a cosine
# learning-rate decay, softmax cross-entropy. The network is LeNet-5 built from `tl.nn`: two
# convolution + ReLU + max-pool stages and three linear layers, for 1×28×28 images.
#
# The data is scikit-learn's bundled 8×8 digits (offline), upsampled to 28×28. When the MNIST files
# are on disk (in `data/MNIST/raw/`, or fetched with `tl.data.MNIST("data", download=True)`), the last
# section trains the same code on MNIST.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from tqdm import tqdm

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn
from tinygrad_lite.data import DataLoader, TensorDataset, datasets

tl.manual_seed(0)


# %%
class LeNet5(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # 6×28×28 → 6×14×14
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2))             # 16×10×10 → 16×5×5
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


model = LeNet5()
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")

# %% [markdown]
# ## The data: 8×8 digits as 28×28 images, and a held-out test split

# %%
X, y = datasets.load_digits()
images = np.pad(X.reshape(-1, 1, 8, 8).repeat(3, axis=2).repeat(3, axis=3), ((0, 0), (0, 0), (2, 2), (2, 2)))
(X_train, y_train), _, (X_test, y_test) = datasets.train_val_test_split(images, y, val_fraction=0.0,
                                                                        test_fraction=0.2, seed=0)
mean, std = X_train.mean(), X_train.std()
X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
print(X_train.shape, X_test.shape)

fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, image, label in zip(axes, X_train, y_train):
    ax.imshow(image[0], cmap="gray_r")
    ax.set_title(int(label))
    ax.axis("off")
plt.show()


# %% [markdown]
# ## Training, with a progress bar
#
# Each batch is shifted by up to two pixels (a cheap augmentation that helps a lot on 1438 images).

# %%
def random_shift(batch, rng, max_shift=2):
    n, _, h, w = batch.shape
    padded = np.pad(batch, ((0, 0), (0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    rows = rng.integers(0, 2 * max_shift + 1, n)[:, None] + np.arange(h)
    cols = rng.integers(0, 2 * max_shift + 1, n)[:, None] + np.arange(w)
    return padded[np.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]][:, None]


def accuracy(model, X, y):
    model.eval()
    with tl.no_grad():
        predicted = model(tl.tensor(X.astype(np.float32))).argmax(dim=1).numpy()
    model.train()
    return float((predicted == y).mean())


def train(model, X, y, X_test, y_test, epochs, lr=2e-3, batch_size=32, seed=0):
    loader = DataLoader(TensorDataset(X.astype(np.float32), y), batch_size=batch_size, shuffle=True, seed=seed)
    opt = tl.optim.Adam(model.parameters(), lr=lr)
    schedule = tl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * len(loader))
    rng = np.random.default_rng(seed)
    losses, accuracies = [], []
    with tqdm(total=epochs * len(loader), desc="LeNet-5", mininterval=2.0) as bar:
        for epoch in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                loss = F.cross_entropy(model(tl.tensor(random_shift(xb.numpy(), rng))), yb)
                loss.backward()
                opt.step()
                schedule.step()
                losses.append(loss.item())
                bar.set_postfix(loss=f"{losses[-1]:.3f}", epoch=epoch + 1, refresh=False)
                bar.update()
            accuracies.append(accuracy(model, X_test, y_test))
    return losses, accuracies


losses, accuracies = train(model, X_train, y_train, X_test, y_test, epochs=8)
print(f"held-out test accuracy: {accuracies[-1]:.3f}")

# %%
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
a1.semilogy(losses, linewidth=0.8)
a1.set_xlabel("update")
a1.set_ylabel("training loss")
a2.plot(range(1, len(accuracies) + 1), accuracies, "o-")
a2.axhline(0.97, color="gray", linestyle="--")
a2.set_xlabel("epoch")
a2.set_ylabel("test accuracy")
plt.show()
assert accuracies[-1] >= 0.97

# %% [markdown]
# ## What the first layer learned: its six 5×5 filters

# %%
filters = model.features[0].weight.numpy()
fig, axes = plt.subplots(1, 6, figsize=(9, 1.8))
for ax, f in zip(axes, filters):
    ax.imshow(f[0], cmap="RdBu")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## The same code on MNIST, when its files are there
#
# `tl.data.MNIST(root)` reads `root/MNIST/raw/*-ubyte.gz` (checking each file's SHA-256) and never
# downloads unless asked. One epoch on the 60,000 images takes about half a minute on a CPU.

# %%
root = os.environ.get("TL_DATA_ROOT", "data")
try:
    mnist_train, mnist_test = tl.data.MNIST(root, train=True), tl.data.MNIST(root, train=False)
except FileNotFoundError as missing:
    print("MNIST not found, skipped:", missing)
else:
    M, M_test = mnist_train.data[:, None] / 255.0, mnist_test.data[:, None] / 255.0
    m_mean, m_std = M.mean(), M.std()
    _, mnist_accuracy = train(LeNet5(), (M - m_mean) / m_std, mnist_train.targets, (M_test - m_mean) / m_std,
                              mnist_test.targets, epochs=1, batch_size=64)
    print(f"MNIST test accuracy after one epoch: {mnist_accuracy[-1]:.3f}")

# %% [markdown]
# ## Exercises
#
# 1. What is the output shape of `model.features` for one 1×28×28 image?
# 2. How many parameters does the first convolution have (weights and biases)?
# 3. How many digits of the held-out test split did the model get wrong?

# %%
answer_1 = (1, 16, 5, 5)
answer_2 = 6 * 1 * 5 * 5 + 6
answer_3 = round((1 - accuracies[-1]) * len(y_test))

# %%
assert answer_1 == model.features(tl.zeros(1, 1, 28, 28)).shape, "exercise 1: follow the shapes in the comments"
assert answer_2 == sum(p.numel() for p in model.features[0].parameters()), "exercise 2"
model.eval()
with tl.no_grad():
    wrong = int((model(tl.tensor(X_test.astype(np.float32))).argmax(dim=1).numpy() != y_test).sum())
assert answer_3 == wrong, "exercise 3: (1 − accuracy) · the number of test digits"
print("all three correct")
