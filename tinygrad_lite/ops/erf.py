"""The error function erf x = 2/√π ∫₀ˣ e^(−t²) dt, the heart of the exact GELU.

NumPy has no erf, so the forward evaluates S. L. Moshier's rational approximations from the Cephes
library (the ones SciPy uses), written once with array operations so the same code runs on NumPy and
CuPy. They are accurate to float64 precision:

    |x| ≤ 1:   erf x = x · T(x²) / U(x²)
    |x| > 1:   erf x = sign(x) · (1 − erfc |x|),   erfc x = e^(−x²) · P(x) / Q(x)   (1 ≤ x ≤ 8)

Beyond |x| = 8, erfc x < 1e-29 and erf x is ±1 in float64, so the second branch is evaluated at
min(|x|, 8). The derivative d erf / dx = 2/√π · e^(−x²) is written in Tensor ops, so erf can be
differentiated again.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .elementwise import exp
from .operands import floating

# coefficients from the highest power down
_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3, 7.00332514112805075473e3,
      5.55923013010394962768e4)
_U = (1.0, 3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3, 2.26290000613890934246e4,
      4.92673942608635921086e4)
_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0, 4.86371970985681366614e1,
      1.96520832956077098242e2, 5.26445194995477358631e2, 9.34528527171957607540e2, 1.02755188689515710272e3,
      5.57535335369399327526e2)
_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2, 9.75708501743205489753e2,
      1.82390916687909736289e3, 2.24633760818710981792e3, 1.65666309194161350182e3, 5.57535340817727675546e2)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _polynomial(x, coefficients):
    """Σ cₖ xᵏ by Horner's rule (a Python-float start keeps the array's dtype, float32 or float64)."""
    result = coefficients[0]
    for c in coefficients[1:]:
        result = result * x + c
    return result


class Erf(Function):
    """y = erf x;  dy/dx = 2/√π · e^(−x²)."""

    def forward(self, x):
        xp = backend.get_array_module(x)
        magnitude = xp.abs(x)
        # each branch sees inputs inside its own range only, so neither overflows where it is not used
        small = xp.clip(x, -1.0, 1.0)
        squared = small * small
        near = small * _polynomial(squared, _T) / _polynomial(squared, _U)
        large = xp.clip(magnitude, 1.0, 8.0)
        erfc = xp.exp(-large * large) * _polynomial(large, _P) / _polynomial(large, _Q)
        far = xp.sign(x) * (1.0 - erfc)
        return xp.where(magnitude <= 1.0, near, far)

    def backward(self, grad_output):
        (x,) = self.inputs
        return grad_output * (_TWO_OVER_SQRT_PI * exp(-(x * x)))


def erf(x: Tensor) -> Tensor:
    """The error function erf x = 2/√π ∫₀ˣ e^(−t²) dt, accurate to float64 precision.

    >>> import tinygrad_lite as tl
    >>> tl.erf(tl.tensor([0.0, 0.5, -3.0], dtype=tl.float64))
    tensor([ 0.        ,  0.52049988, -0.99997791], dtype=float64)
    """
    return Erf.apply(floating(x))
