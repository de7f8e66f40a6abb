"""Sequential: a network that is a chain of layers, each feeding the next."""

from __future__ import annotations

from collections.abc import Iterator

from .module import Module


class Sequential(Module):
    """Calls its layers in order: ``Sequential(a, b, c)(x) == c(b(a(x)))``. Layers are named "0", "1", …
    (so parameters are "0.weight", "0.bias", …).

    >>> import tinygrad_lite as tl
    >>> model = tl.nn.Sequential(tl.nn.Linear(2, 8), tl.nn.ReLU(), tl.nn.Linear(8, 1))
    >>> model
    Sequential(
      (0): Linear(in_features=2, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=1, bias=True)
    )
    >>> model(tl.zeros(5, 2)).shape
    (5, 1)
    """

    def __init__(self, *layers: Module):
        super().__init__()
        for layer in layers:
            self.append(layer)

    def append(self, layer: Module) -> Sequential:
        """Add ``layer`` at the end; returns self."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential: every layer must be a Module, got {type(layer).__name__}")
        setattr(self, str(len(self._modules)), layer)
        return self

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice):
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        try:
            return layers[index]
        except IndexError:
            raise IndexError(f"Sequential: index {index} is out of range for {len(layers)} layers") from None
