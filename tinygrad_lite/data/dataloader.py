"""DataLoader: split a dataset into batches, reshuffled every epoch (the lecture's F09).

One epoch is one pass over every batch; with ``shuffle=True`` each epoch uses a fresh random order, so
the batches (and the losses L¹, L², ... they define) differ from epoch to epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor
from .dataset import Dataset, TensorDataset


class DataLoader:
    """Iterate over a dataset in batches: ``for x, y in DataLoader(data, batch_size=32, shuffle=True)``.

    - ``shuffle=False`` walks the examples in order; ``shuffle=True`` draws a new permutation at the start
      of every epoch (every ``for`` loop over the loader).
    - ``seed`` makes the sequence of permutations reproducible and private to this loader: two loaders
      with the same seed walk the same permutations, whatever their batch sizes (so batch-size
      experiments see the data in the same order). ``seed=None`` draws each permutation from the
      generator ``tl.manual_seed`` seeds.
    - ``drop_last=True`` leaves out a last batch smaller than ``batch_size``; ``len(loader)`` is the number
      of batches per epoch either way.
    - ``device`` moves every batch there ("cpu" or "cuda"); ``None`` keeps the dataset's device.

    Each batch mirrors an example: a tuple of Tensors for examples that are tuples (a TensorDataset's
    always are), one Tensor otherwise. A TensorDataset is batched by indexing each whole array once
    per batch; other datasets are read example by example and stacked field by field (``collate``).

    >>> import numpy as np
    >>> import tinygrad_lite as tl
    >>> data = tl.data.TensorDataset(np.arange(5))
    >>> [x.tolist() for (x,) in tl.data.DataLoader(data, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    >>> len(tl.data.DataLoader(data, batch_size=2, drop_last=True))
    2
    """

    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 seed: int | None = None, device: str | None = None):
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__ (a tl.data.Dataset), "
                            f"got a {type(dataset).__name__}")
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"DataLoader: invalid batch_size {batch_size!r}; expected an integer >= 1")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self.device = None if device is None else backend.check_device(device)
        self._rng = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        order = self._epoch_order()
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            if isinstance(self.dataset, TensorDataset):
                yield self._slice(self.dataset, indices)
            else:
                yield self._to_device(collate([self.dataset[int(i)] for i in indices]))

    def _epoch_order(self) -> np.ndarray:
        """The order of the example indices for one epoch: a fresh permutation when shuffling."""
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = backend.host_rng() if self._rng is None else self._rng
        return rng.permutation(n)

    def _slice(self, dataset: TensorDataset, indices: np.ndarray) -> tuple[Tensor, ...]:
        """One batch of a TensorDataset: each whole array indexed once (no loop over examples)."""
        arrays = dataset.tensors
        xp = backend.get_array_module(arrays[0].data)
        index = xp.asarray(indices)  # on the data's device, so CuPy indexes without a host round trip
        return tuple(self._to_device(Tensor(t.data[index])) for t in arrays)

    def _to_device(self, batch):
        if self.device is None:
            return batch
        if isinstance(batch, tuple):
            return tuple(t.to(self.device) for t in batch)
        return batch.to(self.device)

    def __repr__(self) -> str:
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed}, device={self.device})")


def collate(examples: list) -> Any:
    """Stack a list of examples into one batch, field by field: tuples of fields give a tuple of Tensors.

    Each field may be a Tensor, an array or a number; fields are stacked along a new first axis and keep
    their dtype (Python floats become float64 and ints int64, as NumPy and PyTorch's default collate do).

    >>> import tinygrad_lite as tl
    >>> x, y = tl.data.collate([(1.0, 0), (2.0, 1)])
    >>> x, y
    (tensor([1., 2.], dtype=float64), tensor([0, 1]))
    """
    first = examples[0]
    if isinstance(first, (tuple, list)):
        return tuple(_stack([example[i] for example in examples], i) for i in range(len(first)))
    return _stack(examples, None)


def _stack(values: list, field: int | None) -> Tensor:
    arrays = [v.data if isinstance(v, Tensor) else v for v in values]
    if any(backend.is_backend_array(a) and backend.device_of(a) == "cuda" for a in arrays):
        xp = backend.array_module("cuda")
        arrays = [xp.asarray(a) for a in arrays]
    else:
        xp = np
    try:
        return Tensor(xp.stack([xp.asarray(a) for a in arrays]))
    except (ValueError, TypeError) as error:
        what = "the examples" if field is None else f"field {field} of the examples"
        shapes = sorted({str(np.shape(a)) for a in arrays})
        raise ValueError(f"collate: cannot stack {what} (shapes {', '.join(shapes)}): {error}") from None
