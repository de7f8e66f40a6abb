"""``tl.utils``: where PyTorch keeps its data tools, so ``from tinygrad_lite.utils.data import DataLoader``
works as ``from torch.utils.data import DataLoader`` does."""

from . import data
