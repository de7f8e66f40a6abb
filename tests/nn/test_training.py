"""End to end: small networks learn, trained with plain gradient descent written out by hand
(θ ← θ − η·g for every parameter), so these tests depend on nothing but nn and autograd."""

import numpy as np

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
import tinygrad_lite.nn.functional as F


def train(model, loss_fn, x, y, lr, steps):
    """Full-batch gradient descent; returns the last loss."""
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        model.zero_grad()
        loss.backward()
        with tl.no_grad():
            for p in model.parameters():
                p.data -= lr * p.grad.data
    return loss.item()


def test_mlp_learns_xor(device):
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).to(device)
    x = tl.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device=device)
    y = tl.tensor([[0.0], [1.0], [1.0], [0.0]], device=device)
    first = F.binary_cross_entropy_with_logits(model(x), y).item()
    final = train(model, F.binary_cross_entropy_with_logits, x, y, lr=1.0, steps=400)
    assert first > 0.6 and final < 0.05
    np.testing.assert_array_equal(model(x).cpu().numpy() > 0, y.cpu().numpy() > 0.5)


def bars(n, size, rng):
    """Images with one bright vertical (class 0) or horizontal (class 1) bar, plus noise."""
    images = 0.1 * rng.standard_normal((n, 1, size, size))
    labels = rng.integers(0, 2, n)
    positions = rng.integers(0, size, n)
    for image, label, position in zip(images, labels, positions):
        if label == 0:
            image[0, :, position] += 1.0
        else:
            image[0, position, :] += 1.0
    return images.astype(np.float32), labels


def test_cnn_learns_bar_orientation(device):
    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 4, 3, 3)
        nn.Flatten(), nn.Linear(36, 2),
    ).to(device)
    images, labels = bars(48, 6, rng)
    x, y = tl.tensor(images, device=device), tl.tensor(labels, device=device)
    first = F.cross_entropy(model(x), y).item()
    final = train(model, F.cross_entropy, x, y, lr=0.5, steps=150)
    assert first > 0.5 and final < 0.05

    test_images, test_labels = bars(48, 6, rng)
    predictions = model.eval()(tl.tensor(test_images, device=device)).argmax(axis=1).cpu().numpy()
    assert (predictions == test_labels).mean() >= 0.95
