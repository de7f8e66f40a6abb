"""Backend parity: with the same seed, a short training run gives the same loss curve on "cpu" and
"cuda" (random numbers are drawn on the host, so both devices start from the same weights and batches)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F

pytestmark = pytest.mark.skipif(not tl.cuda.is_available(), reason="needs a CUDA GPU with CuPy")


def _loss_curve(device: str, steps: int = 60) -> np.ndarray:
    tl.manual_seed(0)
    model = tl.nn.Sequential(tl.nn.Linear(2, 32), tl.nn.Tanh(), tl.nn.Dropout(0.1), tl.nn.Linear(32, 3)).to(device)
    X, y = tl.data.datasets.spirals(n_per_class=64, n_classes=3, seed=0)
    loader = tl.data.DataLoader(tl.data.TensorDataset(X, y), batch_size=32, shuffle=True, seed=0, device=device)
    opt = tl.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    while len(losses) < steps:
        for x, target in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), target)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return np.array(losses[:steps])


def test_the_same_seed_gives_the_same_loss_curve_on_cpu_and_cuda():
    cpu, cuda = _loss_curve("cpu"), _loss_curve("cuda")
    print(f"\nlargest loss difference between cpu and cuda over {len(cpu)} steps: {np.abs(cpu - cuda).max():.3g}")
    np.testing.assert_allclose(cuda, cpu, rtol=1e-4, atol=1e-5)
