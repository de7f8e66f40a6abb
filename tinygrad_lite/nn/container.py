"""Containers of modules: Sequential, a chain of layers each feeding the next; ModuleList and
ModuleDict, which only hold modules (and so register their parameters) for a forward of your own."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping

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


def _check_module(module, who: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{who}: every entry must be a Module, got {type(module).__name__}")
    return module


class ModuleList(Module):
    """A list of modules whose parameters are registered, named "0", "1", … (so a state dict has
    "0.weight", "1.weight", …), as PyTorch's ``ModuleList``. It has no forward: call its entries in
    the forward of the module that holds it. A plain Python list would hide them from
    ``parameters()``, so an optimizer would never train them.

    >>> import tinygrad_lite as tl
    >>> layers = tl.nn.ModuleList([tl.nn.Linear(2, 2) for _ in range(3)])
    >>> layers.append(tl.nn.Linear(2, 1))
    ModuleList(
      (0): Linear(in_features=2, out_features=2, bias=True)
      (1): Linear(in_features=2, out_features=2, bias=True)
      (2): Linear(in_features=2, out_features=2, bias=True)
      (3): Linear(in_features=2, out_features=1, bias=True)
    )
    >>> len(layers), list(layers.state_dict())[:3]
    (4, ['0.weight', '0.bias', '1.weight'])
    """

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _position(self, index) -> int:
        """``index`` (negative counts from the end) as a position in [0, len)."""
        index, count = operator.index(index), len(self._modules)
        if not -count <= index < count:
            raise IndexError(f"ModuleList: index {index} is out of range for {count} modules")
        return index % count

    def _replace_all(self, modules: list[Module]) -> None:
        """Register ``modules`` afresh, so the names stay "0", "1", … after an insertion or deletion."""
        for name in list(self._modules):
            delattr(self, name)
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self._modules)), _check_module(module, "ModuleList"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add every module of ``modules`` at the end, in order; returns self."""
        if not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList.extend: expected an iterable of Modules, got a {type(modules).__name__}")
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index`` (as ``list.insert``)."""
        modules = list(self._modules.values())
        modules.insert(operator.index(index), _check_module(module, "ModuleList"))
        self._replace_all(modules)

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return self._modules[str(self._position(index))]

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, str(self._position(index)), _check_module(module, "ModuleList"))

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        del modules[index if isinstance(index, slice) else self._position(index)]
        self._replace_all(modules)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))


class ModuleDict(Module):
    """A dict of modules whose parameters are registered under their keys (a state dict has
    "encoder.weight", …), in insertion order, as PyTorch's ``ModuleDict``. Keys are strings without
    dots that are not already attributes of a Module (such as "train" or "forward"). It has no forward.

    >>> import tinygrad_lite as tl
    >>> heads = tl.nn.ModuleDict({"digit": tl.nn.Linear(4, 10), "parity": tl.nn.Linear(4, 2)})
    >>> heads["digit"](tl.zeros(3, 4)).shape
    (3, 10)
    >>> list(heads), list(heads.state_dict())
    (['digit', 'parity'], ['digit.weight', 'digit.bias', 'parity.weight', 'parity.bias'])
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict: no module named {key!r} (keys: {list(self._modules)})") from None

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, "ModuleDict"))

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(f"ModuleDict: no module named {key!r} (keys: {list(self._modules)})")
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """(key, module) pairs, in insertion order."""
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove the module under ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        for key in list(self._modules):
            delattr(self, key)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping, or from an iterable of (key, module) pairs, in order."""
        pairs = modules.items() if isinstance(modules, (Mapping, ModuleDict)) else modules
        for number, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update: entry {number} should be a (key, module) pair, got {pair!r}")
            self[pair[0]] = pair[1]
