"""The CUDA simulator (tinygrad_lite/_cudasim.py): each rule of CuPy it enforces, one test each.

These tests import the simulator directly, so they run the same with or without a GPU."""

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import _cudasim as cupy


@pytest.fixture
def x():
    return cupy.arange(6.0).reshape(2, 3)


def test_a_device_array_is_not_a_numpy_array(x):
    assert not isinstance(x, np.ndarray) and isinstance(x, cupy.ndarray)
    assert cupy.get_array_module(x) is cupy and cupy.get_array_module(np.zeros(1)) is np


@pytest.mark.parametrize("convert", [np.asarray, np.array, lambda a: np.array([a, a]), np.ascontiguousarray],
                         ids=["asarray", "array", "array_of_list", "ascontiguousarray"])
def test_implicit_conversion_to_numpy_is_a_type_error(x, convert):
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        convert(x)


@pytest.mark.parametrize("numpy_call", [np.exp, np.sqrt, lambda a: np.add(a, 1)], ids=["exp", "sqrt", "add"])
def test_numpy_ufuncs_refuse_device_arrays(x, numpy_call):
    with pytest.raises(TypeError):
        numpy_call(x)


@pytest.mark.parametrize("numpy_call", [np.sum, np.mean, np.shape, np.linalg.norm, lambda a: np.concatenate([a, a])],
                         ids=["sum", "mean", "shape", "norm", "concatenate"])
def test_numpy_array_functions_refuse_device_arrays(x, numpy_call):
    with pytest.raises(TypeError, match="cannot take a device array"):
        numpy_call(x)


@pytest.mark.parametrize("mix", [
    lambda a, h: a + h, lambda a, h: h + a, lambda a, h: a * h, lambda a, h: h @ a.T, lambda a, h: a < h,
    lambda a, h: a + h.tolist(), lambda a, h: cupy.maximum(a, h), lambda a, h: cupy.exp(h),
    lambda a, h: cupy.concatenate([a, h]), lambda a, h: cupy.where(a > 1, a, h),
], ids=["add", "radd", "mul", "rmatmul", "less", "add_list", "ufunc", "ufunc_host_only", "concatenate", "where"])
def test_mixing_with_host_arrays_is_a_type_error(x, mix):
    with pytest.raises(TypeError, match="Unsupported type"):
        mix(x, np.ones((2, 3)))


def test_in_place_with_a_host_array_is_a_type_error(x):
    with pytest.raises(TypeError, match="Unsupported type"):
        x += np.ones((2, 3))
    with pytest.raises(TypeError, match="Unsupported type"):
        x[...] = np.ones((2, 3))
    with pytest.raises(TypeError, match="Unsupported type"):
        cupy.add.at(x, (0, 0), np.ones(1))


def test_python_and_numpy_scalars_mix_freely(x):
    for result in (x + 1, 2.5 * x, np.float32(2) * x, x / np.float64(2), x ** 2, 1 - x, -x, abs(x)):
        assert isinstance(result, cupy.ndarray) and result.shape == (2, 3)
    assert (np.float32(2) * x).dtype == np.float64


def test_get_and_asnumpy_give_numpy_copies(x):
    for host in (x.get(), cupy.asnumpy(x)):
        assert type(host) is np.ndarray
        np.testing.assert_array_equal(host, np.arange(6.0).reshape(2, 3))
        host[0, 0] = 99
        assert x[0, 0].item() == 0


def test_asarray_copies_host_data_to_the_device():
    host = np.arange(3.0)
    device = cupy.asarray(host)
    host[0] = 7
    assert device[0].item() == 0
    assert cupy.asarray(device) is device and cupy.array(device) is not device


def test_set_copies_a_host_array_of_the_same_shape_and_dtype(x):
    x.set(np.ones((2, 3)))
    assert x.sum().item() == 6
    with pytest.raises(TypeError, match="cannot be set"):
        x.set(np.ones((2, 3), dtype=np.float32))


@pytest.mark.parametrize("reduce", [
    lambda a: a.sum(), lambda a: a.max(), lambda a: a.mean(), lambda a: cupy.sum(a), lambda a: a[0, 1],
    lambda a: a[1][2], lambda a: a.argmax(), lambda a: cupy.exp(a[0, 0]), lambda a: (a > 1).any(),
    lambda a: next(iter(a[0])),
], ids=["sum", "max", "mean", "cupy.sum", "index", "index_twice", "argmax", "ufunc_of_0d", "any", "iterate"])
def test_reductions_and_indexing_give_0d_device_arrays(x, reduce):
    result = reduce(x)
    assert isinstance(result, cupy.ndarray) and result.shape == ()


def test_size_1_arrays_convert_to_python_numbers(x):
    total = x.sum()
    assert float(total) == 15.0 and int(total) == 15 and total.item() == 15.0 and bool(total)
    assert x[0, 1:2].item() == 1.0
    assert isinstance(total.item(), float) and isinstance(x.astype(np.int64).sum().item(), int)
    with pytest.raises(ValueError, match="size 1"):
        x.item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x)


def test_a_0d_array_is_not_a_python_int(x):
    count = x.astype(np.int64).max()
    with pytest.raises(TypeError):
        range(count)
    with pytest.raises(TypeError):
        [0, 1, 2, 3, 4, 5][count]
    assert range(int(count)) == range(5)


def test_integer_array_indices_out_of_bounds_wrap_around():
    a = cupy.arange(3)
    np.testing.assert_array_equal(a[cupy.asarray([1, 3])].get(), [1, 0])
    np.testing.assert_array_equal(a[[-1, 4]].get(), [2, 1])
    a[[1, 3]] = 10
    np.testing.assert_array_equal(a.get(), [10, 10, 2])
    with pytest.raises(IndexError):
        a[3]  # a plain integer is still checked


def test_indexing_with_device_and_host_index_arrays_and_masks(x):
    np.testing.assert_array_equal(x[:, cupy.asarray([2, 0])].get(), [[2, 0], [5, 3]])
    np.testing.assert_array_equal(x[np.array([1]), [0]].get(), [3])
    np.testing.assert_array_equal(x[x > 3].get(), [4, 5])
    np.testing.assert_array_equal(x[..., cupy.asarray([4])].get(), [[1], [4]])


def test_views_and_in_place_operators_share_memory(x):
    row = x[0]
    row += 1
    flat = x.reshape(-1)
    flat[5] = -1
    x *= 2
    np.testing.assert_array_equal(x.get(), [[2, 4, 6], [6, 8, -2]])
    out = cupy.zeros(3)
    assert cupy.add(x[0], 1, out=out) is out


def test_ufunc_at_accumulates_repeated_indices():
    a = cupy.zeros(3)
    cupy.add.at(a, cupy.asarray([0, 0, 2]), cupy.asarray([1.0, 2.0, 5.0]))
    np.testing.assert_array_equal(a.get(), [3, 0, 5])


def test_random_is_seeded_and_takes_a_dtype():
    cupy.random.seed(0)
    first = cupy.random.randn(3, dtype=np.float32)
    cupy.random.seed(0)
    again = cupy.random.randn(3, dtype=np.float32)
    assert isinstance(first, cupy.ndarray) and first.dtype == np.float32
    np.testing.assert_array_equal(first.get(), again.get())
    assert cupy.random.uniform(0, 1, (2, 2)).shape == (2, 2)
    assert cupy.random.RandomState(1).randint(0, 5, size=4).dtype.kind == "i"


@pytest.mark.parametrize("kernel", [cupy.RawKernel, cupy.ElementwiseKernel, cupy.ReductionKernel, cupy.RawModule])
def test_custom_cuda_kernels_are_refused(kernel):
    with pytest.raises(NotImplementedError, match="cannot run CUDA C"):
        kernel("float32 x", "float32 y", "y = x", "copy")


def test_the_cuda_namespace_has_one_device_and_waits_return():
    assert cupy.cuda.runtime.getDeviceCount() == 1
    cupy.cuda.Device().synchronize()
    cupy.cuda.Stream.null.synchronize()
    start, end = cupy.cuda.Event(), cupy.cuda.Event()
    start.record()
    end.record()
    assert cupy.cuda.get_elapsed_time(start, end) >= 0


def test_an_operand_of_higher_array_priority_handles_mixed_operators():
    class Wrapper:  # as Tensor, whose __array_priority__ is 1000
        __array_priority__ = 1000

        def __rmul__(self, other):
            return "handled by the wrapper"

    assert cupy.ones(2) * Wrapper() == "handled by the wrapper"


def test_the_library_selects_the_simulator_with_tl_cudasim(monkeypatch):
    from tinygrad_lite import backend

    monkeypatch.setenv("TL_CUDASIM", "1")
    monkeypatch.setattr(backend, "_cupy", None)
    monkeypatch.setattr(backend, "_cupy_error", None)
    assert tl.cuda.is_available() and tl.cuda.is_simulated()
    assert isinstance(tl.ones(2, device="cuda").data, cupy.ndarray)


def test_a_view_has_the_owner_of_its_memory_as_base():
    """As in CuPy (and NumPy): every view, also a view of a view, names the array that owns the memory."""
    x = cupy.zeros((2, 3))
    row, transposed = x[0], x.T
    assert x.base is None and row.base is x and transposed.base is x
    assert row[1:].base is x and x.reshape(3, 2).base is x
    assert (x + 1).base is None and x.copy().base is None
    row[0] = 7.0
    assert float(x[0, 0]) == 7.0
