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
    - ``state_dict()`` / ``load_state_dict()`` save and restore where the loader is: the epoch counter,
      the order of the epoch in progress and how many of its batches were handed out, and the private
      generator of a seeded loader. A fresh loader given that state yields exactly the batches the
      first one would have yielded next, also in the middle of an epoch (an unseeded loader draws from
      the generator ``tl.manual_seed`` seeds: save ``tl.get_rng_state()`` with it, see docs/checkpoints.md).

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
        self._epochs = 0  # epochs started
        self._order: np.ndarray | None = None  # the order of the epoch in progress, None between epochs
        self._position = 0  # batches of that epoch handed out
        self._resume = False  # set by load_state_dict: the next iteration continues that epoch

    @property
    def epoch(self) -> int:
        """The number of epochs started so far (1 during the first ``for`` loop over the loader)."""
        return self._epochs

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self._resume and self._order is not None and self._position < len(self):
            order, first = self._order, self._position  # the epoch a checkpoint was taken in
        else:
            order, first = self._epoch_order(), 0
            self._epochs += 1
        self._resume = False
        self._order = order
        for batch in range(first, len(self)):
            indices = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            # counted before the batch is handed out: a checkpoint taken while it is in use resumes after it
            self._position = batch + 1
            if isinstance(self.dataset, TensorDataset):
                yield self._slice(self.dataset, indices)
            else:
                yield self._to_device(collate([self.dataset[int(i)] for i in indices]))
        self._order, self._position = None, 0

    def state_dict(self) -> dict[str, Any]:
        """Where the loader is (of its most recent ``for`` loop), for a checkpoint; see ``load_state_dict``.

        >>> import numpy as np
        >>> import tinygrad_lite as tl
        >>> data = tl.data.TensorDataset(np.arange(6))
        >>> loader = tl.data.DataLoader(data, batch_size=2, shuffle=True, seed=0)
        >>> batches = iter(loader)
        >>> first = next(batches)
        >>> fresh = tl.data.DataLoader(data, batch_size=2, shuffle=True, seed=0)
        >>> fresh.load_state_dict(loader.state_dict())
        >>> [x.tolist() for (x,) in fresh] == [x.tolist() for (x,) in batches]    # the rest of the epoch
        True
        """
        return {"epoch": self._epochs, "position": self._position,
                "order": None if self._order is None else self._order.copy(),
                "generator": None if self._rng is None else self._rng.bit_generator.state,
                "dataset_length": len(self.dataset), "batch_size": self.batch_size}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Continue from ``state_dict()`` of a loader over the same dataset with the same batch size and seed
        kind: the next ``for`` loop finishes the epoch the snapshot was taken in (or starts the next one)."""
        who = "DataLoader.load_state_dict"
        expected = {"epoch", "position", "order", "generator", "dataset_length", "batch_size"}
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"{who}: expected a dict with the keys {sorted(expected)}, got {keys}")
        n = len(self.dataset)
        if state_dict["dataset_length"] != n or state_dict["batch_size"] != self.batch_size:
            raise ValueError(f"{who}: the snapshot is of a loader over {state_dict['dataset_length']} examples in "
                             f"batches of {state_dict['batch_size']}; this one has {n} in batches of {self.batch_size}")
        epoch, position, order = state_dict["epoch"], state_dict["position"], state_dict["order"]
        if not _is_count(epoch) or not _is_count(position) or position > len(self):
            raise ValueError(f"{who}: invalid epoch {epoch!r} or position {position!r} (at most {len(self)} batches)")
        if order is not None:
            order = backend.to_host(order.data if isinstance(order, Tensor) else np.asarray(order))
            if order.shape != (n,) or order.dtype.kind not in "iu" or not np.array_equal(np.sort(order), np.arange(n)):
                raise ValueError(f"{who}: the saved order is not a permutation of the {n} examples")
        generator = state_dict["generator"]
        if (generator is None) != (self._rng is None):
            raise ValueError(f"{who}: the snapshot is of a loader {'without' if generator is None else 'with'} a "
                             f"seed; this one has seed={self.seed!r}")
        if generator is not None:
            rng = np.random.default_rng()
            try:
                rng.bit_generator.state = generator
            except (TypeError, ValueError, KeyError, OverflowError) as error:
                raise ValueError(f"{who}: invalid generator state ({error})") from None
            self._rng = rng
        self._epochs, self._position, self._order, self._resume = epoch, position, order, True

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


def _is_count(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and bool(value >= 0)


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
        shapes = sorted({str(tuple(a.shape) if hasattr(a, "shape") else np.shape(a)) for a in arrays})  # any device
        raise ValueError(f"collate: cannot stack {what} (shapes {', '.join(shapes)}): {error}") from None
