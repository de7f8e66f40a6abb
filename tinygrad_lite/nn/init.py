"""Weight initialisation: where training starts on the error surface.

The scale of the first weights decides whether signals (and gradients) keep their size through many
layers. Xavier/Glorot keeps the variance of a tanh/sigmoid network's activations about constant,
Kaiming/He does the same for ReLU networks (which zero half of their inputs, hence the factor 2):

    xavier:  Var(w) = gain² · 2 / (fan_in + fan_out)
    kaiming: Var(w) = gain² / fan          (gain = √2 for ReLU)

Every function fills its tensor in place (the trailing ``_`` says so, as in PyTorch) and returns it.
The numbers come from the one host generator that ``tl.manual_seed`` seeds and are then moved to the
tensor's device, so a seed gives the same network on "cpu" and "cuda".
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend, versions
from ..tensor import Tensor

_LINEAR_GAINS = ("linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance after ``nonlinearity`` (PyTorch's values):
    1 for linear and sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + a²)) for leaky_relu of slope a."""
    if nonlinearity in _LINEAR_GAINS:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; expected one of "
                     f"{_LINEAR_GAINS + ('tanh', 'relu', 'leaky_relu')}")


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """How many inputs feed one output unit, and how many outputs one input feeds.

    A Linear weight ``(out, in)`` has fan_in = in, fan_out = out; a Conv2d weight
    ``(out, in, kh, kw)`` counts every position of the kernel: fan_in = in·kh·kw, fan_out = out·kh·kw.
    """
    if tensor.ndim < 2:
        raise ValueError(f"init: fan in and fan out need a weight of at least 2 dimensions, got shape "
                         f"{tensor.shape}")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def check_size(who: str, name: str, value) -> int:
    """A layer size (features, channels) as an int, or a clear error: sizes are integers >= 1."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{who}: invalid {name} {value!r}; expected an integer >= 1")
    return int(value)


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    """Replace the tensor's values with host ``values``, on its device and in its dtype."""
    if tensor.dtype.kind != "f":
        raise TypeError(f"init: can only fill floating-point tensors, got {tensor.dtype}")
    tensor.data = backend.to_device(values.astype(tensor.dtype), tensor.device)  # not an op: no graph
    versions.mark_modified(tensor, "init")
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples of U(a, b)."""
    return _fill(tensor, backend.host_rng().uniform(a, b, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples of N(mean, std²).

    >>> import tinygrad_lite as tl
    >>> w = tl.nn.init.normal_(tl.zeros(1000), std=0.01)
    >>> bool(abs(float(w.numpy().std()) - 0.01) < 0.002)
    True
    """
    return _fill(tensor, backend.host_rng().normal(mean, std, size=tensor.shape))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros."""
    return _fill(tensor, np.zeros(tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Xavier/Glorot uniform: U(−a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Xavier/Glorot normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """Kaiming/He uniform: U(−b, b) with b = gain · √(3 / fan) (the same variance as kaiming_normal_).

    ``a`` is the negative slope of a leaky ReLU (0: plain ReLU, gain √2). PyTorch's default Linear and
    Conv2d weights are ``kaiming_uniform_(w, a=√5)``, which works out to b = 1/√fan_in.
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """Kaiming/He normal: N(0, std²) with std = gain / √fan."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))


def default_layer_init_(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and Conv2d: weight and bias both uniform in ±1/√fan_in."""
    kaiming_uniform_(weight, a=math.sqrt(5.0))
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in_and_fan_out(weight)[0])
        uniform_(bias, -bound, bound)
