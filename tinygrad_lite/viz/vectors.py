"""Parameters as one flat vector: the view in which loss surfaces and trajectories are drawn.

A model's parameters are several tensors; a point of its loss surface is one vector θ, their
flattened concatenation in order. These helpers convert between the two on the host (float64), and
load a vector back into the tensors for evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import backend
from ..tensor import Tensor


def as_tensor_list(value) -> list[Tensor] | None:
    """``value`` as a list of Tensors if it is a Tensor or a non-empty list/tuple of Tensors, else None."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(t, Tensor) for t in value):
        return list(value)
    return None


def flat_vector(value, who: str, what: str) -> np.ndarray:
    """A float64 host copy of ``value`` flattened: a Tensor, a list of Tensors (concatenated in order),
    a NumPy/CuPy array, or numbers."""
    tensors = as_tensor_list(value)
    if tensors is not None:
        return np.concatenate([backend.to_host(t.data).astype(np.float64).ravel() for t in tensors])
    if isinstance(value, (list, tuple)) and value and all(backend.is_backend_array(v) for v in value):
        return np.concatenate([backend.to_host(v).astype(np.float64).ravel() for v in value])
    if backend.is_backend_array(value):
        value = backend.to_host(value)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {what} must be a Tensor, a list of Tensors or an array of numbers, "
                        f"got a {type(value).__name__}") from None
    if array.size == 0:
        raise ValueError(f"{who}: {what} is empty")
    return array.ravel()


def load_vector(tensors: Sequence[Tensor], vector: np.ndarray) -> None:
    """Give ``tensors`` the values of the flat ``vector``, each keeping its shape, dtype and device.

    Each tensor gets a new array rather than being written into: the old array may be shared with
    a ``.detach()``-ed copy or a saved state, which must not change.
    """
    start = 0
    for t in tensors:
        values = vector[start:start + t.numel()].reshape(t.shape).astype(t.dtype)
        t.data = backend.to_device(values, t.device)
        start += t.numel()
