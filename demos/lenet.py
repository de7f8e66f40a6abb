"""Beyond the lecture: a convolutional network, LeNet-5, trained end to end (F50).

LeNet-5 (LeCun et al. 1998) reads a 1×28×28 image through two convolution + ReLU + max-pool stages and
three fully connected layers:

    1×28×28 → Conv2d(1, 6, 5, padding=2) → 6×28×28 → MaxPool2d(2) → 6×14×14
            → Conv2d(6, 16, 5)           → 16×10×10 → MaxPool2d(2) → 16×5×5 → 400 → 120 → 84 → 10

Every part is ``tl.nn`` (Conv2d and MaxPool2d by im2col), the loss is ``F.cross_entropy``, the optimizer
Adam with a cosine learning-rate decay, and batches come from ``tl.data.DataLoader``. The data is
scikit-learn's 8×8 digits (offline), upsampled ×3 and padded to MNIST's 28×28, with a held-out test
split; each training batch is shifted by up to two pixels, the cheapest augmentation there is. When
the MNIST files are on disk (``tl.data.MNIST(root)`` finds them under ``$TL_DATA_ROOT``, default
``data/``), the same code also trains one epoch on MNIST itself.
"""

from __future__ import annotations

import os
import time

import numpy as np

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from tinygrad_lite import nn
from tinygrad_lite.data import DataLoader, TensorDataset, datasets

from . import plotting
from .registry import Context, Result, figure

TARGET_ACCURACY = 0.97


class LeNet5(nn.Module):
    """LeNet-5 with ReLU and max-pooling (the modern reading of the 1998 network) for 1×28×28 images."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes))

    def forward(self, x: tl.Tensor) -> tl.Tensor:
        return self.classifier(self.features(x))


def digits_as_images() -> tuple[np.ndarray, np.ndarray]:
    """The 8×8 digits as (n, 1, 28, 28) images: each pixel repeated 3×3 (24×24), then 2 pixels of padding."""
    X, y = datasets.load_digits()
    images = X.reshape(-1, 1, 8, 8).repeat(3, axis=2).repeat(3, axis=3)
    return np.pad(images, ((0, 0), (0, 0), (2, 2), (2, 2))), y


def random_shift(images: np.ndarray, rng: np.random.Generator, max_shift: int = 2) -> np.ndarray:
    """Each image moved by its own random offset of up to ``max_shift`` pixels in both directions (zeros fill in)."""
    n, _, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    rows = rng.integers(0, 2 * max_shift + 1, n)[:, None] + np.arange(h)
    cols = rng.integers(0, 2 * max_shift + 1, n)[:, None] + np.arange(w)
    return padded[np.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]][:, None]


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, batch_size: int = 500) -> float:
    """The fraction of ``X`` the model classifies as ``y`` (eval mode, no graph)."""
    model.eval()
    with tl.no_grad():
        predicted = np.concatenate([model(tl.tensor(X[i:i + batch_size])).argmax(dim=1).numpy()
                                    for i in range(0, len(X), batch_size)])
    model.train()
    return float((predicted == y).mean())


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, *,
          epochs: int, lr: float = 2e-3, batch_size: int = 32, seed: int = 0, progress=None) -> dict:
    """Adam with cosine decay over every step, shifted batches; returns the loss of every step and the
    test accuracy after every epoch. ``progress(iterable, desc, total)`` wraps the steps in a bar (tqdm)."""
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, seed=seed)
    optimizer = tl.optim.Adam(model.parameters(), lr=lr)
    schedule = tl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(loader))
    rng = np.random.default_rng(seed)
    steps = ((epoch, batch) for epoch in range(epochs) for batch in loader)
    bar = progress(steps, desc="LeNet-5", total=epochs * len(loader)) if progress else steps
    losses, test_accuracy = [], []
    for step, (epoch, (xb, yb)) in enumerate(bar, 1):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(tl.tensor(random_shift(xb.numpy(), rng))), yb)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if hasattr(bar, "set_postfix") and step % 10 == 0:
            bar.set_postfix(loss=f"{losses[-1]:.3f}", epoch=epoch + 1)
        if step % len(loader) == 0:
            test_accuracy.append(accuracy(model, X_test, y_test))
    return {"losses": losses, "test_accuracy": test_accuracy, "steps_per_epoch": len(loader)}


def standardize(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Every array shifted and scaled by the training set's mean and standard deviation (float32)."""
    mean, std = train.mean(), train.std()
    return [((a - mean) / std).astype(np.float32) for a in (train, *others)]


def mnist_if_present(root: str | None = None):
    """MNIST's training and test sets as arrays (n, 1, 28, 28) in [0, 1], or None when the files are not there."""
    root = root if root is not None else os.environ.get("TL_DATA_ROOT", "data")
    try:
        train, test = tl.data.MNIST(root, train=True), tl.data.MNIST(root, train=False)
    except FileNotFoundError:
        return None
    return [(d.data[:, None] / np.float32(255), d.targets) for d in (train, test)]


@figure("F50", "lenet_on_digits", title="LeNet-5 on the handwritten digits",
        claim="a LeNet-5 built from tl.nn (Conv2d, MaxPool2d, ReLU, Linear) reaches at least 97% accuracy on "
              "held-out digits in under a minute on a CPU")
def lenet_on_digits(ctx: Context) -> Result:
    images, labels = digits_as_images()
    (X, y), _, (X_test, y_test) = datasets.train_val_test_split(images, labels, val_fraction=0.0,
                                                                test_fraction=0.2, seed=ctx.seed)
    X, X_test = standardize(X, X_test)
    epochs = ctx.pick(full=12, quick=10)
    model = LeNet5()
    start = time.perf_counter()
    run = train(model, X, y, X_test, y_test, epochs=epochs, seed=ctx.seed, progress=ctx.progress)
    seconds = time.perf_counter() - start
    final = run["test_accuracy"][-1]

    mnist = mnist_if_present()
    mnist_accuracy = None
    if mnist is not None:
        (M, m), (M_test, m_test) = mnist
        M, M_test = standardize(M, M_test)
        mnist_accuracy = train(LeNet5(), M, m, M_test, m_test, epochs=1, batch_size=64, seed=ctx.seed,
                               progress=ctx.progress)["test_accuracy"][-1]

    fig = plotting.new_figure(height=4.4)
    loss_ax, acc_ax, sample_ax = fig.subplots(1, 3, width_ratios=[1.2, 1.0, 1.0])
    steps = np.arange(1, len(run["losses"]) + 1)
    loss_ax.semilogy(steps, run["losses"], color=plotting.PATH, linewidth=1, alpha=0.5, label="each batch")
    window = run["steps_per_epoch"]
    smooth = np.convolve(run["losses"], np.ones(window) / window, mode="valid")
    loss_ax.semilogy(steps[window - 1:], smooth, color=plotting.PATH, label="mean of one epoch")
    loss_ax.set(xlabel="update", ylabel="training loss (cross-entropy)", title="training loss")
    loss_ax.legend()
    epochs_axis = np.arange(1, epochs + 1)
    acc_ax.plot(epochs_axis, run["test_accuracy"], "o-", color=plotting.MINIMUM, label="held-out test")
    acc_ax.axhline(TARGET_ACCURACY, color=plotting.NEUTRAL, linestyle="--", linewidth=1, label="97%")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="test accuracy", ylim=(0.8, 1.0))
    acc_ax.legend(loc="lower right")
    sample_ax.set_title("test digits: predicted (true)")
    model.eval()
    with tl.no_grad():
        predicted = model(tl.tensor(X_test[:16])).argmax(dim=1).numpy()
    tiles = np.ones((4 * 30, 4 * 30)) * X_test.max()
    for k in range(16):
        r, c = divmod(k, 4)
        tiles[r * 30 + 1:r * 30 + 29, c * 30 + 1:c * 30 + 29] = X_test[k, 0]
        colour = "black" if predicted[k] == y_test[k] else plotting.SADDLE
        sample_ax.text(c * 30 + 2, r * 30 + 7, f"{predicted[k]} ({y_test[k]})", color=colour, fontsize=8,
                       bbox={"fc": "white", "ec": "none", "pad": 0.5, "alpha": 0.8})
    sample_ax.imshow(tiles, cmap="gray_r")
    sample_ax.set_axis_off()
    mnist_text = (f" On MNIST (files found), one epoch of the same code: {mnist_accuracy:.3f}."
                  if mnist_accuracy is not None else " MNIST files not found: MNIST was not trained.")
    plotting.caption(fig, f"{len(X)} training / {len(X_test)} held-out digits, 8×8 upsampled to 28×28; Adam "
                          f"η = 2e-3 with cosine decay, batches of 32 shifted by ≤ 2 px, {epochs} epochs in "
                          f"{seconds:.1f} s. Test accuracy {final:.3f} (goal ≥ {TARGET_ACCURACY}).{mnist_text}")
    measured = {"test_accuracy": run["test_accuracy"], "final_test_accuracy": final, "seconds": seconds,
                "epochs": epochs, "train_examples": len(X), "test_examples": len(X_test),
                "parameters": sum(p.numel() for p in model.parameters()), "mnist_test_accuracy": mnist_accuracy}
    checks = {f"held-out accuracy ≥ {TARGET_ACCURACY}": final >= TARGET_ACCURACY,
              "trained in under a minute": seconds < 60}
    return Result(fig, f"test accuracy {final:.3f} after {epochs} epochs in {seconds:.1f} s", checks, measured,
                  plotted={"losses": run["losses"], "test_accuracy": run["test_accuracy"]})
