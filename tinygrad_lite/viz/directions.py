"""Filter-normalised random directions (Li et al., "Visualizing the Loss Landscape of Neural Nets", 2018).

A random direction in parameter space is a poor axis for a loss-surface plot: a layer whose weights are
small gets the same step as one whose weights are large, and networks that compute the same function
with rescaled weights look different. Li et al. rescale each *filter* of the direction (a row of a
weight matrix: the weights into one output unit) to the norm of the same filter of the parameters,
dᵢ ← dᵢ · ‖θᵢ‖ / ‖dᵢ‖, and set the directions of biases to zero.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from .vectors import as_tensor_list


def filter_normalized_directions(params, seed: int | None = None,
                                 ignore_1d: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Two random directions for :func:`loss_surface`, filter-normalised to the scale of ``params``.

    ``params`` is a Tensor or a list of Tensors (``list(model.parameters())``); each direction is a flat
    float64 array over their concatenation. Tensors with two or more axes are normalised per filter
    (per index along the first axis, the output unit of a Linear weight); 1-D tensors (biases) get a
    zero direction, as in Li et al., or with ``ignore_1d=False`` are normalised as one filter. The
    numbers come from the generator that ``tl.manual_seed`` seeds, or from ``seed`` when given.

    >>> import numpy as np
    >>> import tinygrad_lite as tl
    >>> W = tl.tensor([[3.0, 4.0], [0.6, 0.8]])
    >>> d1, d2 = filter_normalized_directions(W, seed=0)
    >>> np.linalg.norm(d1.reshape(2, 2), axis=1).round(4)          # the norms of W's rows
    array([5., 1.])
    """
    tensors = as_tensor_list(params)
    if tensors is None:
        raise TypeError(f"filter_normalized_directions: params must be a Tensor or a list of Tensors, "
                        f"got a {type(params).__name__}")
    rng = backend.host_rng() if seed is None else np.random.default_rng(seed)
    arrays = [backend.to_host(t.data).astype(np.float64) for t in tensors]
    d1, d2 = (np.concatenate([_normalized(rng, p, ignore_1d).ravel() for p in arrays]) for _ in range(2))
    if not d1.any():
        raise ValueError("filter_normalized_directions: every tensor is 1-D (biases), so with ignore_1d=True "
                         "both directions are zero; pass ignore_1d=False")
    return d1, d2


def _normalized(rng: np.random.Generator, p: np.ndarray, ignore_1d: bool) -> np.ndarray:
    """One random direction shaped like ``p``, each filter scaled to the norm of ``p``'s filter."""
    d = rng.standard_normal(p.shape)
    if p.ndim <= 1:
        if ignore_1d:
            return np.zeros_like(p)
        return d * (np.linalg.norm(p) / np.linalg.norm(d))
    filters = (p.shape[0], -1)  # one row per output unit
    p_norms = np.linalg.norm(p.reshape(filters), axis=1)
    d_norms = np.linalg.norm(d.reshape(filters), axis=1)
    return (d.reshape(filters) * (p_norms / d_norms)[:, None]).reshape(p.shape)
