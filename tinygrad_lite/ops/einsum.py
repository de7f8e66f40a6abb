"""Einstein summation: ``einsum("ij,jk->ik", A, B)`` multiplies the operands elementwise over every letter
and sums over the letters missing from the output (PyTorch's and NumPy's ``einsum``).

    y[out] = Σ over the other letters of  x₁[s₁] · x₂[s₂] · …

Its gradient is an einsum again. y is linear in each operand, so dL/dxᵢ[sᵢ] is the same product with xᵢ
replaced by dL/dy, summed down to xᵢ's letters:  dL/dxᵢ = einsum("out,s₁,…(without sᵢ)…->sᵢ", g, …).
Two cases need a constant operand so that this is still one einsum:

* a letter that only xᵢ has (summed out, as j in "ij->i") is not in any other operand: a vector of ones
  over it broadcasts the gradient back along it;
* a repeated letter (the trace "ii->", the diagonal "ii->i") cannot be repeated in an output: the second
  copy gets a fresh letter and an identity matrix over the two puts the gradient on the diagonal.

Because the backward is the Einsum op itself, it is differentiable again, to any order.
"""

from __future__ import annotations

import string

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from .broadcast import broadcast_to
from .convert import cast

_LETTERS = string.ascii_letters


class Einsum(Function):
    """y = einsum(s₁,s₂,…->out);  dL/dxᵢ = einsum(out, s_j (j ≠ i), ones, eyes -> sᵢ) with g = dL/dy."""

    def forward(self, *arrays, subscripts, output, sizes):
        self.subscripts, self.result, self.sizes = subscripts, output, sizes
        equation = ",".join(subscripts) + "->" + output
        return backend.get_array_module(arrays[0]).einsum(equation, *arrays, optimize=len(arrays) > 1)

    def backward(self, grad_output):
        grads = []
        for i, needs in enumerate(self.needs_input_grad):
            grads.append(self._operand_grad(i, grad_output) if needs else None)
        return tuple(grads)

    def _operand_grad(self, i: int, grad_output: Tensor) -> Tensor:
        xp = backend.get_array_module(grad_output.data)
        dtype = grad_output.dtype
        target = self.subscripts[i]
        others = [j for j in range(len(self.subscripts)) if j != i]
        subscripts = [self.result] + [self.subscripts[j] for j in others]
        operands = [grad_output] + [self.inputs[j] for j in others]
        available = set("".join(subscripts))
        used = set("".join(self.subscripts)) | set(self.result)
        fresh = (c for c in _LETTERS if c not in used)
        result, seen = [], set()
        for c in target:
            n = self.sizes[c]
            if c in seen:  # a repeated letter: the gradient lies on the diagonal of (c, c')
                other = next(fresh)
                subscripts.append(c + other)
                operands.append(Tensor._make(xp.eye(n, dtype=dtype), False))
                result.append(other)
                continue
            seen.add(c)
            result.append(c)
            if c not in available:  # summed within this operand alone: broadcast the gradient back along c
                subscripts.append(c)
                operands.append(Tensor._make(xp.ones(n, dtype=dtype), False))
                available.add(c)
        return Einsum.apply(*operands, subscripts=subscripts, output="".join(result), sizes=self.sizes)


def _expand_ellipsis(term: str, ndim: int, ellipsis: str, equation: str, position: str) -> str:
    if "." not in term:
        return term
    if term.count("...") != 1 or term.count(".") != 3:
        raise ValueError(f"einsum: equation {equation!r}: {position} {term!r} has a '.' that is not one '...'")
    named = len(term) - 3
    if ndim < named:
        return term.replace("...", "")  # reported as a dim mismatch below
    return term.replace("...", ellipsis[len(ellipsis) - (ndim - named):] if ndim > named else "")


def _parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """The subscripts of each operand and of the output, with '...' spelled out as letters, checked."""
    text = equation.replace(" ", "")
    described = ", ".join(str(s) for s in shapes)
    if text.count("->") > 1:
        raise ValueError(f"einsum: equation {equation!r} has more than one '->'")
    left, arrow, right = text.partition("->")
    terms = left.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: equation {equation!r} names {len(terms)} operands but {len(shapes)} tensors "
                         f"were given (shapes {described})")
    for term in terms + [right]:
        bad = [c for c in term if c not in _LETTERS and c != "."]
        if bad:
            raise ValueError(f"einsum: equation {equation!r} has the character {bad[0]!r}; subscripts are letters "
                             "a-z, A-Z and '...'")
    ellipsis_dims = max((len(s) - (len(t) - 3) for t, s in zip(terms, shapes, strict=True) if "..." in t), default=0)
    ellipsis = "".join([c for c in _LETTERS if c not in text][:max(ellipsis_dims, 0)])
    subscripts = [_expand_ellipsis(t, len(s), ellipsis, equation, f"operand {i}")
                  for i, (t, s) in enumerate(zip(terms, shapes, strict=True))]
    for i, (term, shape) in enumerate(zip(subscripts, shapes, strict=True)):
        if len(term) != len(shape):
            raise ValueError(f"einsum: equation {equation!r}: operand {i} has {len(shape)} dims (shape {shape}) "
                             f"but its subscripts {terms[i]!r} name {len(term)}")
    if arrow:
        output = _expand_ellipsis(right, len(ellipsis) + len(right.replace(".", "")), ellipsis, equation,
                                  "the output")
    else:  # implicit output: the broadcast dims, then the letters seen once, in alphabetical order
        counts = "".join(subscripts)
        output = ellipsis + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ellipsis))
    for c in output:
        if output.count(c) > 1:
            raise ValueError(f"einsum: equation {equation!r}: the output repeats the subscript {c!r}")
        if c not in "".join(subscripts):
            raise ValueError(f"einsum: equation {equation!r}: the output subscript {c!r} is in no operand")
    return subscripts, output


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation over the operands (Tensors, or one list of them) as PyTorch's ``einsum``:
    ``"ij,jk->ik"`` matrix product, ``"bij,bjk->bik"`` batched, ``"i,j->ij"`` outer, ``"ii->"`` trace,
    ``"ij->ji"`` transpose, ``"ij->"`` sum, ``"i,i->"`` dot, ``"i,ij,j->"`` a bilinear form, ``"...ij->...ji"``
    over any leading dims. Without ``->`` the output is the letters seen once, in alphabetical order. Dims
    of size 1 broadcast.

    >>> import tinygrad_lite as tl
    >>> A = tl.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> tl.einsum("ij,jk->ik", A, A)
    tensor([[ 7., 10.],
            [15., 22.]])
    >>> tl.einsum("ii", A)
    tensor(5.)
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the first argument must be the equation string, got {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError(f"einsum: equation {equation!r} needs at least one operand")
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum: operand {i} is a {type(t).__name__}, expected a Tensor")
    shapes = [t.shape for t in operands]
    subscripts, output = _parse(equation, shapes)
    sizes: dict[str, int] = {}
    for i, (term, shape) in enumerate(zip(subscripts, shapes, strict=True)):
        for c, n in zip(term, shape, strict=True):
            if term.count(c) > 1 and n != shape[term.index(c)]:
                raise ValueError(f"einsum: equation {equation!r}: operand {i} of shape {shape} repeats the "
                                 f"subscript {c!r} over dims of different sizes")
            known = sizes.get(c, 1)
            if n != known and 1 not in (n, known):
                raise ValueError(f"einsum: equation {equation!r}: subscript {c!r} has size {known} in one operand "
                                 f"and {n} in operand {i} (shapes {', '.join(str(s) for s in shapes)})")
            sizes[c] = max(n, known) if n and known else 0
    dtype = operands[0].dtype
    for t in operands[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
    tensors = [broadcast_to(cast(t, dtype), tuple(sizes[c] for c in term))
               for t, term in zip(operands, subscripts, strict=True)]  # size-1 dims broadcast, as in PyTorch
    return Einsum.apply(*tensors, subscripts=subscripts, output=output, sizes=sizes)
