"""Datasets: a length and a way to get example i. A DataLoader turns one into batches (F09)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


class Dataset:
    """An indexable collection of examples: subclasses implement ``__len__`` and ``__getitem__(i)``.

    ``__getitem__`` returns one example, usually a tuple such as ``(x, y)`` of arrays, tensors or numbers;
    a DataLoader stacks the examples of a batch field by field.

    >>> import tinygrad_lite as tl
    >>> class Squares(tl.data.Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return float(i), float(i * i)
    >>> Squares()[3]
    (3.0, 9.0)
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}.__len__")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.__getitem__")


def _as_tensor(value: Any, i: int) -> Tensor:
    """Input ``i`` of a TensorDataset as a Tensor; a refusal says which input it was."""
    if isinstance(value, Tensor):
        return value
    try:
        return Tensor(value)
    except (TypeError, ValueError) as error:
        raise type(error)(f"TensorDataset: input {i}: {error}") from None


class TensorDataset(Dataset):
    """Examples stored as whole tensors of the same length: example i is ``(t[i] for t in tensors)``.

    Arrays, lists and tensors are all accepted (each becomes a Tensor under ``tl.tensor``'s dtype rules).
    A DataLoader batches a TensorDataset by indexing each whole array once per batch.

    >>> import numpy as np
    >>> import tinygrad_lite as tl
    >>> data = tl.data.TensorDataset(np.arange(6.0).reshape(3, 2), [0, 1, 0])
    >>> len(data), data[1]
    (3, (tensor([2., 3.], dtype=float64), tensor(1)))
    """

    def __init__(self, *arrays_or_tensors: Any):
        if not arrays_or_tensors:
            raise ValueError("TensorDataset: expected at least one array or tensor")
        tensors = tuple(_as_tensor(t, i) for i, t in enumerate(arrays_or_tensors))
        for i, t in enumerate(tensors):
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: input {i} is a scalar (shape ()); every input needs a first "
                                 "axis that indexes the examples")
        lengths = [len(t) for t in tensors]
        if len(set(lengths)) > 1:
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError(f"TensorDataset: the inputs have different lengths {lengths} (shapes {shapes}); "
                             "every input needs one entry per example")
        devices = {t.device for t in tensors}
        if len(devices) > 1:
            raise RuntimeError(f"TensorDataset: the inputs are on different devices ({', '.join(sorted(devices))}); "
                               "move them to one device with .to(device)")
        self.tensors = tensors

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(Tensor(t.data[index]) for t in self.tensors)
