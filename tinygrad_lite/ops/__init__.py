"""Every differentiable op of tinygrad_lite, forward and backward side by side, one family per file."""

from .aliases import dot, index_select, mm, movedim, narrow, reciprocal, rsqrt, square, t, unbind
from .broadcast import broadcast_to, expand, sum_to
from .compare import allclose, equal, greater, greater_equal, less, less_equal, not_equal
from .convert import cast, clone, to_device
from .cumsum import cumsum
from .einsum import einsum
from .elementwise import (
                          abs,
                          add,
                          clamp,
                          clamp_max,
                          clamp_min,
                          clip,
                          cos,
                          div,
                          exp,
                          expm1,
                          log,
                          log1p,
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
from .gather import gather
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
from .mask import masked_fill, tril, triu
from .norm import norm
from .reduce import all, amax, amin, any, argmax, argmin, logsumexp, max, mean, min, std, sum, var
from .results import ValuesIndices
from .rounding import ceil, floor, round, sign, trunc
from .shape import (
                          cat,
                          chunk,
                          concat,
                          concatenate,
                          flatten,
                          flip,
                          getitem,
                          permute,
                          repeat,
                          reshape,
                          split,
                          squeeze,
                          stack,
                          swapaxes,
                          transpose,
                          unsqueeze,
)
from .softmax import log_softmax, softmax
from .sort import argsort, sort, topk
