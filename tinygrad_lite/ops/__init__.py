"""Every differentiable op of tinygrad_lite, forward and backward side by side, one family per file."""

from .broadcast import broadcast_to, sum_to
from .compare import equal, greater, greater_equal, less, less_equal, not_equal
from .convert import cast, to_device
from .elementwise import (
                          abs,
                          add,
                          clip,
                          cos,
                          div,
                          exp,
                          log,
                          maximum,
                          minimum,
                          mul,
                          neg,
                          pow,
                          pow_constant,
                          relu,
                          sigmoid,
                          sin,
                          sqrt,
                          sub,
                          tanh,
                          where,
)
from .erf import erf
from .inplace import (
                          add_,
                          clamp_,
                          copy_,
                          div_,
                          fill_,
                          masked_fill_,
                          mul_,
                          normal_,
                          relu_,
                          setitem_,
                          sub_,
                          uniform_,
                          zero_,
)
from .linalg import matmul
from .reduce import all, amax, amin, any, argmax, argmin, logsumexp, max, mean, min, std, sum, var
from .results import ValuesIndices
from .shape import concatenate, flatten, getitem, reshape, squeeze, stack, swapaxes, transpose, unsqueeze
