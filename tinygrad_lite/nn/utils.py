"""Helpers on a model's parameters: gradient clipping (by norm or by value) and viewing all parameters as one vector.

The lecture treats the parameters θ as one long vector (θ = θ′ + u, the Hessian as an n × n matrix);
``parameters_to_vector`` and ``vector_to_parameters`` convert between that view and the model's tensors.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from .. import backend
from ..autograd import no_grad
from ..ops import concatenate
from ..tensor import Tensor


def _as_list(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Rescale the gradients so their total norm is at most ``max_norm``; returns the norm before clipping.

    The total norm treats all gradients as one vector, ‖g‖ = (Σ |gᵢ|^p)^(1/p) (p = ``norm_type``, ``inf``
    for the largest |gᵢ|). If it exceeds ``max_norm``, every gradient is multiplied by
    max_norm / (‖g‖ + 1e-6): the direction is kept, only the step shrinks. Parameters without a gradient
    are skipped. Each ``.grad`` is replaced by a new tensor, never written into (gradient arrays may be
    shared with other tensors).

    >>> import tinygrad_lite as tl
    >>> w = tl.nn.Parameter(tl.zeros(2))
    >>> w.grad = tl.tensor([3.0, 4.0])
    >>> tl.nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(5.)
    >>> w.grad.numpy().round(4)
    array([0.6, 0.8], dtype=float32)
    """
    parameters = _as_list(parameters)  # once: model.parameters() is a generator, good for one pass only
    grads = [p.grad for p in parameters if p.grad is not None]
    if not isinstance(max_norm, numbers.Real) or isinstance(max_norm, bool) or not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be non-negative, got {max_norm!r}")
    if not isinstance(norm_type, numbers.Real) or isinstance(norm_type, bool) or not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be a number > 0 or inf, got {norm_type!r}")
    if not grads:
        return Tensor(0.0)
    xp = backend.get_array_module(grads[0].data)
    if norm_type == math.inf:
        total = max((float(xp.abs(g.data).max()) for g in grads if g.numel()), default=0.0)
    else:
        total = sum(float((xp.abs(g.data) ** norm_type).sum()) for g in grads) ** (1.0 / norm_type)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        with no_grad():
            for p in parameters:
                if p.grad is not None:
                    p.grad = p.grad * scale
    return Tensor(total, dtype=grads[0].dtype)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element into [−clip_value, clip_value] (PyTorch's ``clip_grad_value_``).

    Unlike :func:`clip_grad_norm_`, each coordinate is clipped on its own, so the direction of the step
    can change. Parameters without a gradient are skipped. Each ``.grad`` is replaced by a new clipped
    tensor, never written into: a gradient array may be shared with other tensors (``a + b`` hands both
    the same one), and they must not change.

    >>> import tinygrad_lite as tl
    >>> w = tl.nn.Parameter(tl.zeros(3))
    >>> w.grad = tl.tensor([-3.0, 0.5, 4.0])
    >>> tl.nn.utils.clip_grad_value_([w], clip_value=1.0)
    >>> w.grad
    tensor([-1. ,  0.5,  1. ])
    """
    parameters = _as_list(parameters)
    if not isinstance(clip_value, numbers.Real) or isinstance(clip_value, bool) or not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be a number >= 0, got {clip_value!r}")
    with no_grad():
        for p in parameters:
            if p.grad is not None:
                p.grad = p.grad.clamp(-clip_value, clip_value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D tensor θ, in order (differentiable).

    >>> import tinygrad_lite as tl
    >>> tl.nn.utils.parameters_to_vector(tl.nn.Linear(2, 1).parameters()).shape
    (3,)
    """
    parameters = _as_list(parameters)
    if not parameters:
        raise ValueError("parameters_to_vector: got no parameters")
    return concatenate([p.reshape(-1) for p in parameters])


def vector_to_parameters(vector: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive pieces of the 1-D ``vector`` into the parameters, in order (the inverse of
    :func:`parameters_to_vector`). The sizes must add up exactly; nothing is copied otherwise."""
    parameters = _as_list(parameters)
    needed = sum(p.numel() for p in parameters)
    if vector.ndim != 1 or vector.numel() != needed:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector of {needed} elements (the parameters' "
                         f"total size), got shape {vector.shape}")
    pieces, start = [], 0
    for p in parameters:
        piece = vector.data[start:start + p.numel()].reshape(p.shape)
        pieces.append(backend.to_device(piece, p.device).astype(p.dtype, copy=True))
        start += p.numel()
    for p, piece in zip(parameters, pieces):
        p.data = piece
