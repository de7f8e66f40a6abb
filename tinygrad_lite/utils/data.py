"""PyTorch's spelling of :mod:`tinygrad_lite.data`: ``from tinygrad_lite.utils.data import DataLoader, TensorDataset``
(as ``from torch.utils.data import ...``) gives the same classes as ``tl.data``."""

from ..data import DataLoader, Dataset, TensorDataset

__all__ = ["Dataset", "TensorDataset", "DataLoader"]
