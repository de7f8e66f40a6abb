"""Short programs in the style of PyTorch's beginner tutorials, written once against a module called ``torch``.

Each program takes the library as its ``torch`` argument, so its body reads as the PyTorch program it is:
tinygrad_lite runs it as ``program(tinygrad_lite)``, PyTorch as ``program(torch)``. ``start`` holds the
initial weights as NumPy arrays (a ``state_dict``), so that both libraries begin at the same point; each
program returns what it measured (losses, accuracies) as Python numbers.
"""

from __future__ import annotations

import math

import numpy as np


def synthetic_images(n: int, size: int, classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` float32 images (n, 1, size, size) with integer labels: each class a bright blob in its own place."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=n)
    rows, cols = np.mgrid[0:size, 0:size]
    centres = [(size * (0.25 + 0.5 * (c % 2)), size * (0.2 + 0.6 * c / max(classes - 1, 1))) for c in range(classes)]
    images = np.empty((n, 1, size, size), dtype=np.float32)
    for i, label in enumerate(labels):
        r, c = centres[label]
        images[i, 0] = np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / (0.08 * size * size))
    images += rng.normal(scale=0.3, size=images.shape).astype(np.float32)
    return images, labels.astype(np.int64)


def quickstart(torch, start: dict | None, images: np.ndarray, labels: np.ndarray, epochs: int = 2) -> dict:
    """The quickstart: a Flatten-Linear-ReLU network, a DataLoader, a train loop and a test loop."""
    from_numpy = torch.from_numpy
    nn = torch.nn
    DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset

    size = images.shape[-1]
    train = TensorDataset(from_numpy(images[:96]), from_numpy(labels[:96]))
    test = TensorDataset(from_numpy(images[96:]), from_numpy(labels[96:]))
    train_dataloader = DataLoader(train, batch_size=16)
    test_dataloader = DataLoader(test, batch_size=16)

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(size * size, 32),
                nn.ReLU(),
                nn.Linear(32, 32),
                nn.ReLU(),
                nn.Linear(32, 4),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork()
    if start is not None:
        model.load_state_dict(start)
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    losses, accuracies = [], []
    for _ in range(epochs):
        model.train()
        for X, y in train_dataloader:
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())

        model.eval()
        size_of_test, correct = len(test_dataloader.dataset), 0
        with torch.no_grad():
            for X, y in test_dataloader:
                pred = model(X)
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        accuracies.append(correct / size_of_test)
    return {"initial": initial, "losses": losses, "accuracies": accuracies}


def logistic_regression(torch, start: dict | None, images: np.ndarray, labels: np.ndarray, epochs: int = 3) -> dict:
    """Logistic regression from scratch: hand-made weights, log-softmax, negative log-likelihood with
    ``input[range(n), target]`` and a manual update under ``no_grad``, then the gradients zeroed in place."""
    x_train = torch.tensor(images.reshape(len(images), -1))
    y_train = torch.tensor(labels)
    n, features = x_train.shape

    if start is None:
        weights = torch.randn(features, 4) / math.sqrt(features)
    else:
        weights = torch.tensor(start["weights"])
    weights.requires_grad_()
    bias = torch.zeros(4, requires_grad=True)
    initial = {"weights": weights.detach().numpy().copy()}

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):  # noqa: A002  (the tutorial's names)
        return -input[range(target.shape[0]), target].mean()

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    loss_func, lr, bs = nll, 0.5, 16
    losses = []
    for _ in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
            losses.append(loss.item())
    final_accuracy = accuracy(model(x_train), y_train).item()
    return {"initial": initial, "losses": losses, "accuracy": final_accuracy, "bias": bias.detach().numpy().copy()}


def small_cnn(torch, start: dict | None, images: np.ndarray, labels: np.ndarray, steps: int = 6) -> dict:
    """A small CNN in the style of the CIFAR tutorial: conv, pool, ``x.view(-1, ...)``, then
    ``torch.flatten(x, 1)``, and SGD with momentum."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(4, 8, 3)
            self.fc1 = nn.Linear(8 * 1 * 1, 16)
            self.fc2 = nn.Linear(16, 4)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))     # (N, 4, 5, 5)
            x = self.pool(F.relu(self.conv2(x)))     # (N, 8, 1, 1)
            x = x.view(-1, 8 * 1 * 1)
            x = torch.flatten(x, 1)                  # already flat: flatten from dim 1 keeps it
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    net = Net()
    if start is not None:
        net.load_state_dict(start)
    initial = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)

    inputs, targets = torch.from_numpy(images[:32]), torch.from_numpy(labels[:32])
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {"initial": initial, "losses": losses}


def batchnorm_mlp(torch, start: dict | None, images: np.ndarray, labels: np.ndarray, steps: int = 8) -> dict:
    """An MLP with BatchNorm1d trained with Adam; then eval mode, which uses the running statistics."""
    nn = torch.nn
    features = images[0].size
    model = nn.Sequential(
        nn.Flatten(),
        # no bias before BatchNorm: the batch mean removes it, so its gradient is rounding noise, which
        # Adam (dividing by the gradient's own size) would turn into full-size steps in random directions
        nn.Linear(features, 24, bias=False),
        nn.BatchNorm1d(24),
        nn.ReLU(),
        nn.Linear(24, 4),
    )
    if start is not None:
        model.load_state_dict(start)
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()

    x, y = torch.from_numpy(images[:64]), torch.from_numpy(labels[:64])
    losses = []
    model.train()
    for step in range(steps):
        batch = slice(16 * (step % 4), 16 * (step % 4 + 1))
        loss = loss_fn(model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    model.eval()
    with torch.no_grad():
        eval_logits = model(x[:8]).numpy().copy()
    norm = model[2]
    return {"initial": initial, "losses": losses, "eval_logits": eval_logits,
            "running_mean": norm.running_mean.numpy().copy(), "running_var": norm.running_var.numpy().copy(),
            "batches_tracked": int(norm.num_batches_tracked.item())}
