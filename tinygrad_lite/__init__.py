"""tinygrad_lite: a reverse-mode autograd framework on NumPy (CuPy on a GPU), written to be read.

>>> import tinygrad_lite as tl
>>> w = tl.tensor([0.0, 0.0], requires_grad=True)
>>> L = (1 - w[0] * w[1]) ** 2                       # the lecture's error surface
>>> (g,) = tl.grad(L, w, create_graph=True)          # gradient, itself a graph
>>> H = tl.stack([tl.grad(g[i], w)[0] for i in range(2)])
>>> H                                                # a saddle: eigenvalues ±2
tensor([[ 0., -2.],
        [-2.,  0.]])
"""

# tensor comes first: it defines Tensor, then imports autograd and ops, which both build on Tensor
from .tensor import Tensor, as_tensor, is_tensor, tensor  # isort: skip

from . import cuda
from .autograd import (Function, backward, detect_anomaly, enable_grad, grad, inference_mode, is_grad_enabled, no_grad,
                       set_grad_enabled)
from .backend import device, get_rng_state, manual_seed, set_rng_state
from .dtypes import bool_, float16, float32, float64, get_default_dtype, int32, int64, set_default_dtype
from .dtypes import double, half, int8, int16, long, short, uint8
from .factories import arange, eye, full, ones, ones_like, rand, randn, zeros, zeros_like
from .factories import empty, empty_like, from_numpy, full_like, linspace, rand_like, randint, randn_like
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .memory import live_graph_nodes, live_tensors
from .functional import hessian, hvp, jacobian
from . import curvature  # isort: skip  (curvature builds on functional)
from .ops import (abs, clip, concatenate, cos, erf, exp, log, logsumexp, matmul, maximum, minimum, relu,
                  sigmoid, sin, sqrt, stack, tanh, where)
from .ops import (allclose, argsort, cat, chunk, clamp, clamp_max, clamp_min, clone, concat, cumsum, einsum, flatten,
                  flip, gather, log_softmax, masked_fill, norm, permute, softmax, sort, split, topk, tril, triu)
from .ops import (add, all, amax, amin, any, argmax, argmin, ceil, div, dot, expm1, floor, index_select, log1p, max,
                  mean, min, mm, movedim, mul, narrow, neg, pow, reciprocal, reshape, round, rsqrt, sign, square,
                  squeeze, std, sub, sum, t, trunc, unbind, unsqueeze, var)
from .ops import swapaxes, swapaxes as transpose  # torch.transpose(x, dim0, dim1) swaps two dims
from .ops import equal as eq, greater as gt, greater_equal as ge, less as lt, less_equal as le, not_equal as ne
from .serialization import load, save
from . import data, optim, utils  # isort: skip  (optim and data build on Tensor; utils.data is data)

from . import nn  # isort: skip  (nn builds on everything above)
from . import viz  # isort: skip  (viz draws graphs, surfaces and paths; matplotlib/Graphviz load lazily)

bool = bool_  # noqa: A001  (tl.bool, as torch.bool)
float = float32  # noqa: A001  (tl.float, as torch.float)
int = int32  # noqa: A001  (tl.int, as torch.int)

__version__ = "0.1.0"
