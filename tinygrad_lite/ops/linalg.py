"""Matrix multiplication, the op where almost all of a network's time goes, and the linear layer built on it."""

from __future__ import annotations

from ..autograd import Function
from ..tensor import Tensor
from .broadcast import sum_to
from .operands import binary_operands
from .reduce import Sum
from .shape import Transpose, unsqueeze


class MatMul(Function):
    """Y = A @ B (batched over leading axes, which broadcast);
    dL/dA = dL/dY @ Bᵀ,  dL/dB = Aᵀ @ dL/dY  (each summed over the batch axes it was broadcast along)."""

    def forward(self, a, b):
        return matrix_product(a, b)

    def backward(self, grad_output):
        a, b = self.inputs
        if a.ndim == 1 or b.ndim == 1:
            return _vector_matmul_backward(a, b, grad_output, self.needs_input_grad)
        grad_a = grad_b = None
        plain_matrices = a.ndim == 2 and b.ndim == 2  # no batch axes, so nothing to sum over
        if self.needs_input_grad[0]:
            if plain_matrices and _is_transposed_matrix(a):
                # (dL/dY @ Bᵀ)ᵀ = B @ dL/dYᵀ: the same numbers, computed in a's own (transposed) layout
                grad_a = _matrix_transpose(MatMul.apply(b, _matrix_transpose(grad_output)))
            else:
                grad_a = sum_to(MatMul.apply(grad_output, _matrix_transpose(b)), a.shape)
        if self.needs_input_grad[1]:
            if plain_matrices and _is_transposed_matrix(b):
                # (Aᵀ @ dL/dY)ᵀ = dL/dYᵀ @ A: the same numbers, computed in b's own (transposed) layout
                grad_b = _matrix_transpose(MatMul.apply(_matrix_transpose(grad_output), a))
            else:
                grad_b = sum_to(MatMul.apply(_matrix_transpose(a), grad_output), b.shape)
        return grad_a, grad_b


def matrix_product(a, b):
    """a @ b on arrays (MatMul's forward, also the Linear op's backward on arrays)."""
    if a.shape[-1] == 1 and a.ndim > 1 and b.ndim > 1:
        # inner size 1 (the weight gradient of a batch of one): an outer product, where a
        # broadcast multiply gives the same numbers several times faster than a matrix product
        return a * b
    return a @ b


def _vector_matmul_backward(a: Tensor, b: Tensor, grad_output: Tensor, needs: tuple[bool, ...]):
    """The backward of a product with a 1-D operand: the vector taken as a row (a) or a column (b), as
    NumPy's forward does, the matrix rule applied, and the gradient reshaped back to the vector."""
    a_matrix = unsqueeze(a, 0) if a.ndim == 1 else a
    b_matrix = unsqueeze(b, 1) if b.ndim == 1 else b
    grad_matrix = grad_output
    if a.ndim == 1:  # the row axis the forward removed
        grad_matrix = unsqueeze(grad_matrix, -1 if b.ndim == 1 else -2)
    if b.ndim == 1:  # the column axis the forward removed
        grad_matrix = unsqueeze(grad_matrix, -1)
    grad_a = grad_b = None
    if needs[0]:
        grad_a = sum_to(MatMul.apply(grad_matrix, _matrix_transpose(b_matrix)), a_matrix.shape).reshape(a.shape)
    if needs[1]:
        grad_b = sum_to(MatMul.apply(_matrix_transpose(a_matrix), grad_matrix), b_matrix.shape).reshape(b.shape)
    return grad_a, grad_b


def _is_transposed_matrix(t: Tensor) -> bool:
    """True for a view of a transposed matrix, such as the Wᵀ of ``x @ W.T`` in a linear layer.

    Its gradient is then computed transposed too, so that W's own gradient comes out contiguous: the
    optimizer reads it several times per step, and a transposed (strided) gradient makes those reads
    several times slower on large weights."""
    flags = t.data.flags
    return flags.f_contiguous and not flags.c_contiguous


def _matrix_transpose(t: Tensor) -> Tensor:
    """Swap the last two axes (each matrix of a batch transposed): a view, no copy."""
    n = t.ndim
    return Transpose.apply(t, axes=(*range(n - 2), n - 1, n - 2))


def matmul(a, b) -> Tensor:
    """Matrix product with NumPy's rules: 1-D operands are treated as a row (left) or column (right)
    vector and that axis is removed from the result; leading (batch) axes broadcast."""
    a, b = binary_operands(a, b, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape}: 0-d tensors cannot be multiplied "
                         "as matrices; use * instead")
    inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align ({inner_a} != {inner_b})")
    return MatMul.apply(a, b)  # 1-D operands too: NumPy's @ treats them as matrix products already


class Linear(Function):
    """Y = X Wᵀ + b for a batch of rows X (N, in), with W (out, in) and b (out,) as in ``nn.Linear``;
    dL/dX = dL/dY W,  dL/dW = dL/dYᵀ X,  dL/db = Σₙ dL/dYₙ (summed over the batch).

    The same numbers as ``x @ W.T + b`` built from MatMul, Transpose and Add, as one node instead of
    three (PyTorch's ``addmm``): a layer is one box in the graph, and a training step runs fewer ops.
    The backward is made of Tensor ops, so it can be differentiated again (Hessians of networks)."""

    def forward(self, x, weight, *bias):
        y = x @ weight.T
        if bias:
            y += bias[0]  # y is a new array: adding in place saves allocating another
        return y

    def backward(self, grad_output):
        x, weight = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        grad_x = MatMul.apply(grad_output, weight) if needs[0] else None
        grad_weight = MatMul.apply(_matrix_transpose(grad_output), x) if needs[1] else None
        if len(self.inputs) == 2:
            return grad_x, grad_weight
        grad_bias = Sum.apply(grad_output, axes=(0,), keepdims=False) if needs[2] else None
        return grad_x, grad_weight, grad_bias

    def backward_arrays(self, grad_output):
        x, weight = self.inputs[0].data, self.inputs[1].data
        needs = self.needs_input_grad
        grad_x = matrix_product(grad_output, weight) if needs[0] else None
        grad_weight = matrix_product(grad_output.T, x) if needs[1] else None
        if len(self.inputs) == 2:
            return grad_x, grad_weight
        return grad_x, grad_weight, grad_output.sum(axis=0) if needs[2] else None


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x Wᵀ + b. A batch of rows (2-D ``x`` of ``weight``'s dtype) is one Linear node; any other input
    (one vector, extra batch axes, mixed dtypes) is composed from matmul and add, with their rules."""
    x_array, dtype = x.data, weight.data.dtype  # the arrays' attributes: this runs in every layer of every step
    if bias is None:
        if x_array.ndim == 2 and x_array.dtype == dtype:
            return Linear.apply(x, weight)
        return matmul(x, _matrix_transpose(weight))
    if x_array.ndim == 2 and x_array.dtype == dtype and bias.data.ndim == 1 and bias.data.dtype == dtype:
        return Linear.apply(x, weight, bias)
    return matmul(x, _matrix_transpose(weight)) + bias
