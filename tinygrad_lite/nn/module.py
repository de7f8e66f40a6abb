"""Module and Parameter: how a network keeps track of its weights.

A network is a tree of Modules. Assigning a :class:`Parameter` or another Module as an attribute inside
``__init__`` registers it, in the order of assignment, so ``model.parameters()`` can hand every weight
to an optimizer and ``state_dict()`` can name each one (``"0.weight"``, ``"encoder.fc1.bias"``) without
the author writing any bookkeeping. The names and meanings are PyTorch's.

A *buffer* (``register_buffer``) is state that is not learned but belongs to the model all the same,
such as BatchNorm's running mean: it is saved in ``state_dict()``, moved by ``to()``, and never handed
to an optimizer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import backend, versions
from ..autograd import no_grad
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a learnable weight of a Module: it requires grad, and a Module registers it.

    >>> import tinygrad_lite as tl
    >>> w = tl.nn.Parameter(tl.zeros(2))
    >>> w.requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype=None, device: str | None = None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, device=device)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` skipped: keys the model has but the dict lacks, and back."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer and network: subclass it, assign layers and Parameters in ``__init__``,
    and write ``forward``. Calling the module calls ``forward``.

    >>> import tinygrad_lite as tl
    >>> class MLP(tl.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = tl.nn.Linear(2, 3)
    ...         self.out = tl.nn.Linear(3, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> model = MLP()
    >>> [name for name, _ in model.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> model(tl.zeros(5, 2)).shape
    (5, 1)
    """

    _parameters: dict[str, Parameter]  # this module's own weights, by attribute name, in assignment order
    _modules: dict[str, Module]  # its direct sub-modules, likewise
    _buffers: dict[str, Tensor | None]  # its buffers (None: registered but unset, as BatchNorm's without stats)
    _non_persistent_buffers: set[str]  # buffers left out of state_dict()
    training: bool

    def __init__(self) -> None:
        # object.__setattr__ because our own __setattr__ needs these registries to exist already
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "training", True)

    # --- registration -----------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, (Parameter, Module)) and "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: cannot assign {name!r} before Module.__init__() "
                                 "has run; call super().__init__() first in your __init__")
        parameters, modules = self.__dict__.get("_parameters", {}), self.__dict__.get("_modules", {})
        # as in PyTorch: `self.weight = self.weight * 2` would silently stop training the weight, so refuse it
        if name in parameters and not isinstance(value, Parameter) and value is not None:
            raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to parameter {name!r} "
                            "(a Parameter or None expected); wrap it in nn.Parameter, or update .data under no_grad")
        if name in modules and not isinstance(value, Module) and value is not None:
            raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to sub-module {name!r} "
                            "(a Module or None expected)")
        buffers = self.__dict__.get("_buffers", {})
        if name in buffers and not isinstance(value, (Tensor, Module)) and value is not None:
            raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to buffer {name!r} "
                            "(a Tensor or None expected)")
        # a name belongs to at most one registry; replacing an entry keeps its place in the order
        if isinstance(value, Parameter):
            modules.pop(name, None)
            self._forget_buffer(name)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters.pop(name, None)
            self._forget_buffer(name)
            modules[name] = value
        elif name in buffers:  # a new value (a Tensor or None) for a registered buffer
            buffers[name] = value
        else:
            parameters.pop(name, None)
            modules.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._forget_buffer(name)
        object.__delattr__(self, name)

    def _forget_buffer(self, name: str) -> None:
        if "_buffers" in self.__dict__:
            self._buffers.pop(name, None)
            self._non_persistent_buffers.discard(name)

    def _check_new_name(self, name: Any, kind: str, registry: str) -> None:
        """A name for ``register_buffer`` / ``add_module``: a non-empty string without dots that is not
        already an attribute of another kind (which the registration would silently replace)."""
        who = type(self).__name__
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{who}: cannot register a {kind} before Module.__init__() has run; "
                                 "call super().__init__() first in your __init__")
        if not isinstance(name, str):
            raise TypeError(f"{who}: a {kind} name must be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f"{who}: invalid {kind} name {name!r}: it must be non-empty and contain no '.' "
                           "(dots separate the levels of state_dict keys)")
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"{who}: attribute {name!r} already exists; choose another {kind} name")

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register ``tensor`` as a buffer: state that is not learned but belongs to the module, such as
        BatchNorm's running mean. It becomes the attribute ``name``, is moved by ``to()``, is listed by
        ``buffers()`` and, if ``persistent``, saved by ``state_dict()``; it is never a parameter. ``None``
        registers the name without a value (it is then skipped everywhere). Assigning a Tensor to the
        attribute later replaces the buffer's value.

        >>> import tinygrad_lite as tl
        >>> class Counter(tl.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.register_buffer("count", tl.tensor(0))
        >>> Counter().state_dict()
        {'count': tensor(0)}
        """
        self._check_new_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"{type(self).__name__}: cannot register a {type(tensor).__name__} as buffer {name!r} "
                            "(a Tensor or None expected)")
        if isinstance(tensor, Parameter):
            raise TypeError(f"{type(self).__name__}: buffer {name!r} cannot be a Parameter (assign it as an "
                            "attribute to make it a parameter)")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the sub-module ``name`` (what ``self.name = module`` does, for names
        that are not Python identifiers, such as ModuleDict's keys)."""
        self._check_new_name(name, "module", "_modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: {type(module).__name__} is not a Module (sub-module {name!r})")
        setattr(self, name, module)

    # --- walking the tree -------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not written: a Module subclass must "
                                  "define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their attribute names, in the order they were assigned."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, in the order they were assigned."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``, "" by default) and every module below it, each once, depth first."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child}" if name else child, m) for child, m in module._modules.items()]
            stack.extend(reversed(children))  # reversed so the first child is visited first

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, each once, depth first."""
        for _, module in self.named_modules():
            yield module

    def _all_named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every (dotted name, Parameter) pair; a shared Parameter (or module) comes once under each name."""
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, module in self._modules.items():
            yield from module._all_named_parameters(f"{prefix}{name}.")

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) for every learnable weight, each once, in registration order."""
        seen: set[int] = set()
        for name, p in self._all_named_parameters():
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def parameters(self) -> Iterator[Parameter]:
        """Every learnable weight, each once (what an optimizer is given)."""
        for _, p in self.named_parameters():
            yield p

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, Tensor) for every buffer that holds a value, each once, in registration order."""
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, buffer in module._buffers.items():
                if buffer is not None and id(buffer) not in seen:
                    seen.add(id(buffer))
                    yield (f"{prefix}.{name}" if prefix else name), buffer

    def buffers(self) -> Iterator[Tensor]:
        """Every buffer that holds a value, each once (running statistics and the like)."""
        for _, buffer in self.named_buffers():
            yield buffer

    def _all_named_state(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """What ``state_dict`` saves, in PyTorch's order: each module's parameters, then its persistent
        buffers, then its sub-modules'; a shared tensor (or module) comes once under each name."""
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers:
                yield prefix + name, buffer
        for name, module in self._modules.items():
            yield from module._all_named_state(f"{prefix}{name}.")

    # --- modes and gradients ----------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Switch this module and all below it to training mode (Dropout active); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (Dropout passes inputs through); returns self."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``.grad = None``), so the next backward starts from zero."""
        for p in self.parameters():
            p.grad = None

    # --- devices and dtypes -----------------------------------------------------------------------
    def to(self, device: str | None = None, dtype=None) -> Module:
        """Move every parameter (and its gradient) and every buffer to ``device`` and/or cast them to a
        float ``dtype``, in place; returns self. The Parameter objects stay the same, so an optimizer
        built before still holds them. ``model.to(tl.float64)`` works too, as in PyTorch. As there,
        a dtype casts only floating-point buffers: a counter such as ``num_batches_tracked`` stays int64.
        ``model.to(tensor)`` takes the tensor's device and dtype."""
        if isinstance(device, Tensor):
            device, dtype = device.device, device.dtype
        elif device is not None and not isinstance(device, str):
            device, dtype = None, device
        if device is not None:
            backend.check_device(device)
        if dtype is not None and np.dtype(dtype).kind != "f":
            raise TypeError(f"{type(self).__name__}.to: parameters must stay floating point, got dtype {dtype}")

        def convert(array):
            if dtype is not None:
                array = array.astype(dtype, copy=False)
            return array if device is None else backend.to_device(array, device)

        for p in self.parameters():
            p.data = convert(p.data)
            versions.mark_modified(p, f"{type(self).__name__}.to")
            if p.grad is not None:
                p.grad = Tensor._make(convert(p.grad.data), False)
        for buffer in self.buffers():
            if buffer.dtype.kind == "f":
                buffer.data = convert(buffer.data)
            elif device is not None:
                buffer.data = backend.to_device(buffer.data, device)
        return self

    def double(self) -> Module:
        """Cast every parameter and float buffer to float64 (for gradient checks); returns self."""
        return self.to(dtype=np.float64)

    def float(self) -> Module:
        """Cast every parameter and float buffer to float32; returns self."""
        return self.to(dtype=np.float32)

    # --- saving and loading -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by its dotted name, as detached copies (a snapshot).

        Unlike PyTorch, whose state dict shares memory with the model, these are copies: keeping
        ``best = model.state_dict()`` during training really keeps the best weights.
        """
        return {name: Tensor._make(t.data.copy(), False) for name, t in self._all_named_state()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` (Tensors or arrays, by dotted name) into the parameters and
        persistent buffers, each cast to the dtype it has in the model.

        Every key and shape is checked before anything is copied, so on an error the model is left
        unchanged. With ``strict=False`` missing and unexpected keys are allowed and returned.
        """
        own = dict(self._all_named_state())
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        problems = []
        if strict and missing:
            problems.append(f"missing keys {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys {unexpected}")
        arrays = {}
        for name, p in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            array = value.data if isinstance(value, Tensor) else value
            if not backend.is_backend_array(array):
                array = np.asarray(array)
            if array.dtype.kind not in "biuf":
                problems.append(f"{name!r} holds values of dtype {array.dtype}, expected numbers")
            elif tuple(array.shape) != p.shape:
                problems.append(f"shape mismatch for {name!r}: the state dict has {tuple(array.shape)}, "
                                f"the model has {p.shape}")
            else:
                arrays[name] = array
        if problems:
            raise RuntimeError(f"load_state_dict into {type(self).__name__}: " + "; ".join(problems)
                               + " (nothing was loaded)")
        # convert everything first, then assign: a failure while converting must not leave half a model
        converted = {name: backend.to_device(array, own[name].device).astype(own[name].dtype, copy=True)
                     for name, array in arrays.items()}
        with no_grad():
            for name, array in converted.items():
                own[name].data = array
                versions.mark_modified(own[name], "load_state_dict")
        return IncompatibleKeys(missing, unexpected)

    # --- printing ---------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The layer's settings shown inside its parentheses, e.g. ``in_features=2, out_features=3``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + "\n" + "\n".join(lines) + "\n)"
