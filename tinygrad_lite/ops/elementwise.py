"""Elementwise ops: each forward on arrays, its derivative right below it, written in Tensor ops.

Binary ops broadcast like NumPy; their backward sums each gradient back to its input's shape
(``sum_to``). Edge cases are decided on purpose, as in PyTorch:

* ``abs`` and ``relu`` have derivative 0 at 0; ``clamp``/``clip`` have derivative 1 on their closed interval
  (so at either bound too), and tensor bounds get the gradient where they win, as PyTorch's ``clamp``.
* ``maximum``/``minimum`` split the gradient equally between tied inputs.
* ``sqrt`` at 0 has an infinite derivative; ``x ** 0`` has derivative 0 everywhere (also at 0);
  ``0 ** p`` has derivative 0 for p > 1, 1 for p = 1 and inf for 0 < p < 1.
* ``a ** b`` with a tensor exponent: d/db = a^b·ln a, taken as 0 where a = 0.

Piecewise-linear ops (abs, relu, clip, maximum, minimum) have second derivative 0 wherever they are
differentiable: their Hessian contributions vanish almost everywhere.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from .broadcast import broadcast_to, sum_to, sum_to_array
from .convert import cast
from .operands import as_tensor, binary_operands, floating


def _constant(array, like: Tensor) -> Tensor:
    """A mask or sign array as a Tensor outside the graph (NumPy hands back scalars for 0-d inputs)."""
    return Tensor._make(backend.get_array_module(like.data).asarray(array, dtype=like.dtype), False)


# --- arithmetic ---------------------------------------------------------------------------------


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1."""

    reads_inputs = False

    def forward(self, a, b):
        return a + b

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = sum_to(grad_output, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(grad_output, b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b

    def backward_arrays(self, grad_output):
        a, b = self.inputs
        return (sum_to_array(grad_output, a.data.shape) if self.needs_input_grad[0] else None,
                sum_to_array(grad_output, b.data.shape) if self.needs_input_grad[1] else None)


class Sub(Function):
    """y = a − b;  dy/da = 1, dy/db = −1."""

    reads_inputs = False

    def forward(self, a, b):
        return a - b

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = sum_to(grad_output, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(-grad_output, b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b

    def backward_arrays(self, grad_output):
        a, b = self.inputs
        return (sum_to_array(grad_output, a.data.shape) if self.needs_input_grad[0] else None,
                sum_to_array(-grad_output, b.data.shape) if self.needs_input_grad[1] else None)


class Mul(Function):
    """y = a · b;  dy/da = b, dy/db = a."""

    def forward(self, a, b):
        return a * b

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = sum_to(grad_output * b, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(grad_output * a, b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b

    def backward_arrays(self, grad_output):
        a, b = self.inputs[0].data, self.inputs[1].data
        return (sum_to_array(grad_output * b, a.shape) if self.needs_input_grad[0] else None,
                sum_to_array(grad_output * a, b.shape) if self.needs_input_grad[1] else None)


class Div(Function):
    """y = a / b;  dy/da = 1/b, dy/db = −a/b²."""

    def forward(self, a, b):
        return a / b

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = sum_to(grad_output / b, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(-grad_output * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b

    def backward_arrays(self, grad_output):
        a, b = self.inputs[0].data, self.inputs[1].data
        return (sum_to_array(grad_output / b, a.shape) if self.needs_input_grad[0] else None,
                sum_to_array(-grad_output * a / (b * b), b.shape) if self.needs_input_grad[1] else None)


class PowConstant(Function):
    """y = x ** p for a Python number p;  dy/dx = p · x^(p−1)  (0 everywhere when p = 0)."""

    def forward(self, x, exponent):
        self.exponent = exponent
        return x ** exponent

    def backward(self, grad_output):
        return _power_backward(grad_output, self.inputs[0], self.exponent)

    def backward_arrays(self, grad_output):
        return _power_backward(grad_output, self.inputs[0].data, self.exponent)


def _power_backward(g, x, p):
    """g · p · x^(p−1), written once for Tensors (PowConstant's backward) and arrays (its backward_arrays)."""
    if p == 0:
        return g * 0
    if p == 1:
        return g
    if p == 2:
        return g * (2 * x)
    return g * (p * x ** (p - 1))


class Pow(Function):
    """y = a ** b;  dy/da = b · a^(b−1),  dy/db = a^b · ln a  (taken as 0 where a = 0)."""

    saves_output = True

    def forward(self, a, b):
        return a ** b

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to(grad_output * b * a ** (b - 1), a.shape)
        if self.needs_input_grad[1]:
            safe_a = where(a == 0, 1, a)  # 0^b · ln 0 → 0 instead of 0 · (−inf) = nan
            grad_b = sum_to(grad_output * self.output() * log(safe_a), b.shape)
        return grad_a, grad_b


class Neg(Function):
    """y = −x;  dy/dx = −1."""

    reads_inputs = False

    def forward(self, x):
        return -x

    def backward(self, grad_output):
        return -grad_output


# --- unary functions ----------------------------------------------------------------------------


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)  (0 at x = 0)."""

    reads_inputs = False

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.sign = xp.sign(x)
        return xp.abs(x)

    def backward(self, grad_output):
        return grad_output * _constant(self.sign, grad_output)


class Exp(Function):
    """y = eˣ;  dy/dx = eˣ = y."""

    saves_output = True
    reads_inputs = False

    def forward(self, x):
        return backend.get_array_module(x).exp(x)

    def backward(self, grad_output):
        return grad_output * self.output()

    def backward_arrays(self, grad_output):
        return grad_output * self._output_data


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    def forward(self, x):
        return backend.get_array_module(x).log(x)

    def backward(self, grad_output):
        (x,) = self.inputs
        return grad_output / x

    def backward_arrays(self, grad_output):
        return grad_output / self.inputs[0].data


class Log1p(Function):
    """y = ln(1 + x), exact for tiny x where 1 + x would round to 1;  dy/dx = 1/(1 + x)."""

    def forward(self, x):
        return backend.get_array_module(x).log1p(x)

    def backward(self, grad_output):
        (x,) = self.inputs
        return grad_output / (x + 1)


class Expm1(Function):
    """y = eˣ − 1, exact for tiny x;  dy/dx = eˣ = y + 1."""

    saves_output = True
    reads_inputs = False

    def forward(self, x):
        return backend.get_array_module(x).expm1(x)

    def backward(self, grad_output):
        return grad_output * (self.output() + 1)


class Sqrt(Function):
    """y = √x;  dy/dx = 1 / (2√x) = 1 / (2y)  (inf at x = 0)."""

    saves_output = True
    reads_inputs = False

    def forward(self, x):
        return backend.get_array_module(x).sqrt(x)

    def backward(self, grad_output):
        return grad_output / (2 * self.output())


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    def forward(self, x):
        return backend.get_array_module(x).sin(x)

    def backward(self, grad_output):
        (x,) = self.inputs
        return grad_output * cos(x)


class Cos(Function):
    """y = cos x;  dy/dx = −sin x."""

    def forward(self, x):
        return backend.get_array_module(x).cos(x)

    def backward(self, grad_output):
        (x,) = self.inputs
        return -grad_output * sin(x)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 − y²."""

    saves_output = True
    reads_inputs = False

    def forward(self, x):
        return backend.get_array_module(x).tanh(x)

    def backward(self, grad_output):
        return TanhGrad.apply(grad_output, self.output())

    def backward_arrays(self, grad_output):
        y = self._output_data
        return grad_output * (1 - y * y)


class TanhGrad(Function):
    """z = g · (1 − y²): tanh's backward as one op, for g = dL/dy and y = tanh x (PyTorch's tanh_backward).

    Written as ``g * (1 - y * y)`` it would be three ops; as one it is a third of the work per tanh in
    every backward pass. It is an op like any other, so a Hessian can differentiate it again:
    dz/dg = 1 − y²,  dz/dy = −2 g y."""

    def forward(self, g, y):
        return g * (1 - y * y)

    def backward(self, grad_output):
        g, y = self.inputs
        grad_g = TanhGrad.apply(grad_output, y) if self.needs_input_grad[0] else None
        grad_y = -2 * grad_output * g * y if self.needs_input_grad[1] else None
        return grad_g, grad_y


class Sigmoid(Function):
    """y = σ(x) = 1 / (1 + e⁻ˣ);  dy/dx = y (1 − y).

    Computed without overflow for any finite x: with e = e^(−|x|) ≤ 1,
    σ(x) = 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x < 0.
    """

    saves_output = True
    reads_inputs = False

    def forward(self, x):
        xp = backend.get_array_module(x)
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, grad_output):
        return SigmoidGrad.apply(grad_output, self.output())

    def backward_arrays(self, grad_output):
        y = self._output_data
        return grad_output * (y * (1 - y))


class SigmoidGrad(Function):
    """z = g · y (1 − y): sigmoid's backward as one op, for g = dL/dy and y = σ(x) (as TanhGrad);
    dz/dg = y (1 − y),  dz/dy = g (1 − 2y)."""

    def forward(self, g, y):
        return g * (y * (1 - y))

    def backward(self, grad_output):
        g, y = self.inputs
        grad_g = SigmoidGrad.apply(grad_output, y) if self.needs_input_grad[0] else None
        grad_y = grad_output * g * (1 - 2 * y) if self.needs_input_grad[1] else None
        return grad_g, grad_y


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0, else 0 (also at x = 0)."""

    reads_inputs = False

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.mask = xp.asarray(x > 0)  # an array even for a 0-d x, where NumPy's comparison gives a scalar
        return xp.maximum(x, 0)

    def backward(self, grad_output):
        # the mask stays boolean: a float array times a bool array is a float array, with no float copy
        return Mul.apply(grad_output, Tensor._make(self.mask, False))

    def backward_arrays(self, grad_output):
        return grad_output * self.mask


class Clip(Function):
    """y = min(max(x, low), high);  dy/dx = 1 where low ≤ x ≤ high, else 0."""

    reads_inputs = False

    def forward(self, x, low, high):
        xp = backend.get_array_module(x)
        inside = xp.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        self.inside = inside
        return xp.clip(x, low, high)

    def backward(self, grad_output):
        return grad_output * _constant(self.inside, grad_output)


class ClampTensors(Function):
    """y = min(max(x, low), high) with tensor bounds (all three of one shape);  dy/dx = 1 where low ≤ x ≤ high,
    dy/dlow = 1 where x < low < high, dy/dhigh = 1 where x > high or high < low (PyTorch's rule, so the
    bound that sets y gets its gradient, and x keeps it at a tie)."""

    def forward(self, x, *bounds, has_low, has_high):
        xp = backend.get_array_module(x)
        low = bounds[0] if has_low else None
        high = bounds[-1] if has_high else None
        inside = xp.ones(x.shape, dtype=bool)
        y = x
        if low is not None:
            inside &= x >= low
            y = xp.maximum(y, low)
        if high is not None:
            inside &= x <= high
            y = xp.minimum(y, high)
        self.masks = [inside]
        if low is not None:
            self.masks.append((x < low) & (low < high) if high is not None else x < low)
        if high is not None:
            self.masks.append((x > high) | (high < low) if low is not None else x > high)
        return y

    def backward(self, grad_output):
        return tuple(Mul.apply(grad_output, Tensor._make(mask, False)) if needs else None
                     for mask, needs in zip(self.masks, self.needs_input_grad, strict=True))


class Maximum(Function):
    """y = max(a, b);  the gradient goes to the larger input, split in half on ties."""

    reads_inputs = False

    def forward(self, a, b):
        xp = backend.get_array_module(a)
        self.share_a = (a > b) + 0.5 * (a == b)  # 1, ½ or 0: a's share of the gradient
        return xp.maximum(a, b)

    def backward(self, grad_output):
        return _split_gradient(self, grad_output)


class Minimum(Function):
    """y = min(a, b);  the gradient goes to the smaller input, split in half on ties."""

    reads_inputs = False

    def forward(self, a, b):
        xp = backend.get_array_module(a)
        self.share_a = (a < b) + 0.5 * (a == b)
        return xp.minimum(a, b)

    def backward(self, grad_output):
        return _split_gradient(self, grad_output)


def _split_gradient(fn, grad_output):
    a, b = fn.inputs
    share_a = _constant(fn.share_a, grad_output)
    grad_a = sum_to(grad_output * share_a, a.shape) if fn.needs_input_grad[0] else None
    grad_b = sum_to(grad_output * (1 - share_a), b.shape) if fn.needs_input_grad[1] else None
    return grad_a, grad_b


class Where(Function):
    """y = a where the condition holds, else b;  the gradient goes to the chosen input."""

    reads_inputs = False

    def forward(self, a, b, condition):
        self.condition = condition
        return backend.get_array_module(a).where(condition, a, b)

    def backward(self, grad_output):
        a, b = self.inputs
        zero = _constant(0, grad_output)
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to(Where.apply(grad_output, zero, condition=self.condition), a.shape)
        if self.needs_input_grad[1]:
            grad_b = sum_to(Where.apply(zero, grad_output, condition=self.condition), b.shape)
        return grad_a, grad_b


# --- public functions ---------------------------------------------------------------------------


def add(a, b, *, alpha=1) -> Tensor:
    """a + alpha · b, broadcasting."""
    a, b = binary_operands(a, b if alpha == 1 else b * alpha, "add")
    return Add.apply(a, b)


def sub(a, b, *, alpha=1) -> Tensor:
    """a − alpha · b, broadcasting."""
    a, b = binary_operands(a, b if alpha == 1 else b * alpha, "sub")
    return Sub.apply(a, b)


def mul(a, b) -> Tensor:
    """a · b elementwise, broadcasting."""
    a, b = binary_operands(a, b, "mul")
    return Mul.apply(a, b)


def div(a, b) -> Tensor:
    """a / b, broadcasting; true division, so integer inputs give a float result."""
    a, b = binary_operands(a, b, "div")
    if a.dtype.kind != "f":
        a, b = floating(a), floating(b)
    return Div.apply(a, b)


def pow_constant(x: Tensor, exponent) -> Tensor:
    """x ** p for a Python number p."""
    return PowConstant.apply(x, exponent=exponent)


def pow(base, exponent) -> Tensor:
    """base ** exponent, broadcasting; a Python-number exponent keeps the base's dtype."""
    if isinstance(base, Tensor) and isinstance(exponent, numbers.Real) and not isinstance(exponent, bool):
        if base.dtype.kind != "f" and (not float(exponent).is_integer() or exponent < 0):
            base = floating(base)
        return pow_constant(base, exponent)
    return Pow.apply(*binary_operands(base, exponent, "pow"))


def neg(x: Tensor) -> Tensor:
    """−x."""
    return Neg.apply(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001  (the math name)
    """|x|, with derivative sign(x) (0 at 0)."""
    return Abs.apply(x)


def exp(x: Tensor) -> Tensor:
    """eˣ."""
    return Exp.apply(floating(x))


def log(x: Tensor) -> Tensor:
    """Natural logarithm ln x."""
    return Log.apply(floating(x))


def log1p(x: Tensor) -> Tensor:
    """ln(1 + x), accurate where x is tiny."""
    return Log1p.apply(floating(x))


def expm1(x: Tensor) -> Tensor:
    """eˣ − 1, accurate where x is tiny."""
    return Expm1.apply(floating(x))


def sqrt(x: Tensor) -> Tensor:
    """√x."""
    return Sqrt.apply(floating(x))


def sin(x: Tensor) -> Tensor:
    """sin x."""
    return Sin.apply(floating(x))


def cos(x: Tensor) -> Tensor:
    """cos x."""
    return Cos.apply(floating(x))


def tanh(x: Tensor) -> Tensor:
    """tanh x."""
    return Tanh.apply(floating(x))


def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e⁻ˣ), stable for any finite x (no overflow at ±1e4)."""
    return Sigmoid.apply(floating(x))


def relu(x: Tensor) -> Tensor:
    """max(x, 0), with derivative 0 at 0."""
    return ReLU.apply(x)


def _clamp(x: Tensor, min, max, op: str) -> Tensor:  # noqa: A002  (PyTorch's names)
    if min is None and max is None:
        raise ValueError(f"{op}: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        operands = [x] + [as_tensor(b, x, op) for b in (min, max) if b is not None]
        dtype = operands[0].dtype
        for t in operands[1:]:
            dtype = dtypes.promote(dtype, t.dtype)
        try:
            shape = np.broadcast_shapes(*(t.shape for t in operands))
        except ValueError:
            shapes = ", ".join(str(t.shape) for t in operands)
            raise ValueError(f"{op}: the tensor and its bounds have shapes {shapes}, which do not broadcast") from None
        operands = [broadcast_to(cast(t, dtype), shape) for t in operands]
        return ClampTensors.apply(*operands, has_low=min is not None, has_high=max is not None)
    if min is not None and max is not None and min > max:
        raise ValueError(f"{op}: min ({min}) is larger than max ({max})")
    return Clip.apply(x, low=min, high=max)


def clamp(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002  (PyTorch's names)
    """x limited to [min, max], as PyTorch's ``clamp``: min(max(x, min), max). Either bound may be None, a
    number or a tensor (broadcasting). The gradient passes where min ≤ x ≤ max (the bounds included);
    a tensor bound gets it where it sets the result. Number bounds with min > max are refused.

    >>> import tinygrad_lite as tl
    >>> tl.tensor([-2.0, 0.5, 3.0]).clamp(-1, 1)
    tensor([-1. ,  0.5,  1. ])
    """
    return _clamp(x, min, max, "clamp")


def clip(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002  (NumPy's and PyTorch's names)
    """The same as :func:`clamp` (PyTorch's alias, NumPy's name)."""
    return _clamp(x, min, max, "clip")


def clamp_min(x: Tensor, min) -> Tensor:  # noqa: A002
    """max(x, min): :func:`clamp` with a lower bound only."""
    return _clamp(x, min, None, "clamp_min")


def clamp_max(x: Tensor, max) -> Tensor:  # noqa: A002
    """min(x, max): :func:`clamp` with an upper bound only."""
    return _clamp(x, None, max, "clamp_max")


def maximum(a, b) -> Tensor:
    """Elementwise max(a, b), broadcasting; ties split the gradient."""
    return Maximum.apply(*binary_operands(a, b, "maximum"))


def minimum(a, b) -> Tensor:
    """Elementwise min(a, b), broadcasting; ties split the gradient."""
    return Minimum.apply(*binary_operands(a, b, "minimum"))


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (all three broadcast); differentiable in a and b."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a, b = binary_operands(a, b, "where")
    else:
        raise TypeError("where: at least one of a and b must be a Tensor")
    if isinstance(condition, Tensor):
        if condition.device != a.device:
            raise RuntimeError(f"where: condition is on {condition.device} but the values are on {a.device}")
        condition = condition.data
    else:
        condition = as_tensor(condition, a, "where").data
    if condition.dtype.kind != "b":
        condition = condition.astype(bool)
    return Where.apply(a, b, condition=condition)


__all__ = ["add", "sub", "mul", "div", "pow", "pow_constant", "neg", "abs", "exp", "log", "sqrt", "sin",
           "cos", "tanh", "sigmoid", "relu", "clip", "clamp", "clamp_min", "clamp_max", "maximum", "minimum", "where"]
