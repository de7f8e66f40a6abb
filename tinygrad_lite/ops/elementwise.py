"""Elementwise ops: each forward on arrays, its derivative right below it, written in Tensor ops.

Binary ops broadcast like NumPy; their backward sums each gradient back to its input's shape
(``sum_to``). Edge cases are decided on purpose, as in PyTorch:

* ``abs`` and ``relu`` have derivative 0 at 0; ``clip`` has derivative 1 on its closed interval.
* ``maximum``/``minimum`` split the gradient equally between tied inputs.
* ``sqrt`` at 0 has an infinite derivative; ``x ** 0`` has derivative 0 everywhere (also at 0);
  ``0 ** p`` has derivative 0 for p > 1, 1 for p = 1 and inf for 0 < p < 1.
* ``a ** b`` with a tensor exponent: d/db = a^b·ln a, taken as 0 where a = 0.

Piecewise-linear ops (abs, relu, clip, maximum, minimum) have second derivative 0 wherever they are
differentiable: their Hessian contributions vanish almost everywhere.
"""

from __future__ import annotations

import numbers

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .broadcast import sum_to
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


class Mul(Function):
    """y = a · b;  dy/da = b, dy/db = a."""

    def forward(self, a, b):
        return a * b

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = sum_to(grad_output * b, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(grad_output * a, b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    """y = a / b;  dy/da = 1/b, dy/db = −a/b²."""

    def forward(self, a, b):
        return a / b

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = sum_to(grad_output / b, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(-grad_output * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


class PowConstant(Function):
    """y = x ** p for a Python number p;  dy/dx = p · x^(p−1)  (0 everywhere when p = 0)."""

    def forward(self, x, exponent):
        self.exponent = exponent
        return x ** exponent

    def backward(self, grad_output):
        (x,) = self.inputs
        p = self.exponent
        if p == 0:
            return grad_output * 0
        if p == 1:
            return grad_output
        if p == 2:
            return grad_output * (2 * x)
        return grad_output * (p * pow_constant(x, p - 1))


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


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    def forward(self, x):
        return backend.get_array_module(x).log(x)

    def backward(self, grad_output):
        (x,) = self.inputs
        return grad_output / x


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


def add(a, b) -> Tensor:
    """a + b, broadcasting."""
    return Add.apply(*binary_operands(a, b, "add"))


def sub(a, b) -> Tensor:
    """a − b, broadcasting."""
    return Sub.apply(*binary_operands(a, b, "sub"))


def mul(a, b) -> Tensor:
    """a · b elementwise, broadcasting."""
    return Mul.apply(*binary_operands(a, b, "mul"))


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


def clip(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002  (NumPy's names)
    """x limited to [min, max] (either may be None); bounds may be numbers or tensors."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if min is not None:
            x = maximum(x, min)
        return x if max is None else minimum(x, max)
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip: min ({min}) is larger than max ({max})")
    return Clip.apply(x, low=min, high=max)


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
           "cos", "tanh", "sigmoid", "relu", "clip", "maximum", "minimum", "where"]
