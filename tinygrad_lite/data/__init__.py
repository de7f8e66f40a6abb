"""Data (``tl.data``): datasets, a DataLoader that batches and reshuffles them, and ready-made data sets.

>>> import tinygrad_lite as tl
>>> X, y = tl.data.datasets.two_gaussians(n_per_class=50, seed=0)
>>> loader = tl.data.DataLoader(tl.data.TensorDataset(X, y), batch_size=32, shuffle=True, seed=0)
>>> [len(yb) for xb, yb in loader]                  # one epoch: 100 examples in batches of 32
[32, 32, 32, 4]
"""

from . import datasets
from .dataloader import DataLoader, collate
from .dataset import Dataset, TensorDataset
from .mnist import MNIST, FashionMNIST

__all__ = ["Dataset", "TensorDataset", "DataLoader", "collate", "datasets", "MNIST", "FashionMNIST"]
