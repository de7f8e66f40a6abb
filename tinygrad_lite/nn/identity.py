"""Identity: a layer that does nothing, a placeholder where a layer is optional."""

from __future__ import annotations

from typing import Any

from .module import Module


class Identity(Module):
    """Returns its input unchanged (e.g. to switch a layer off without changing the model's structure).

    >>> import tinygrad_lite as tl
    >>> tl.nn.Identity()(tl.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """

    def forward(self, x: Any) -> Any:
        return x
