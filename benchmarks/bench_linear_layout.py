"""The two ways round of a linear layer's product: X Wᵀ as written, or (W Xᵀ)ᵀ made contiguous again.

Both give the same numbers (the same dot products, with the roles of the two operands swapped), and
NumPy hands both to one BLAS call (sgemm or dgemm) with different transpose flags. Which one is faster
is up to the BLAS library's kernels, the CPU, the dtype and the shapes, so this script measures it, on
one thread: a ratio below 1 means (W Xᵀ)ᵀ is faster there. X is (batch, in), W is (out, in) as in
``nn.Linear``.

tinygrad_lite's ``Linear`` op computes X Wᵀ, as the hand-written NumPy reference of ``bench_mlp.py`` and
PyTorch's layer do: the performance page says why it does not switch by shape. Run:

    python benchmarks/bench_linear_layout.py [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np
import threadpoolctl
from timing import QUICK_HELP, time_interleaved

BATCHES = (1, 4, 8, 16, 32, 64, 128, 256, 1024)
WIDTHS = ((16, 64), (256, 10), (256, 256), (784, 64), (784, 256), (784, 512))  # (in, out)


def ratio(batch: int, n_in: int, n_out: int, dtype, repeats: int) -> float:
    """time((W Xᵀ)ᵀ, made C-contiguous) / time(X Wᵀ); checks that both give the same numbers."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, n_in)).astype(dtype)
    weight = rng.standard_normal((n_out, n_in)).astype(dtype)
    as_written, swapped = x @ weight.T, np.ascontiguousarray((weight @ x.T).T)
    np.testing.assert_allclose(swapped, as_written, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)
    medians = time_interleaved({"as written": lambda: x @ weight.T,
                                "swapped": lambda: np.ascontiguousarray((weight @ x.T).T)}, repeats)
    return medians["swapped"] / medians["as written"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP)
    args = parser.parse_args()
    batches, widths, repeats = ((1, 8), WIDTHS[:2], 2) if args.quick else (BATCHES, WIDTHS, 40)
    for dtype in (np.float32, np.float64):
        print(f"\n{np.dtype(dtype).name}: time of (W Xᵀ)ᵀ / time of X Wᵀ (below 1: the swapped product is faster)")
        print("   in   out | " + " ".join(f"{batch:>6d}" for batch in batches) + "   (batch)")
        for n_in, n_out in widths:
            row = [ratio(batch, n_in, n_out, dtype, repeats) for batch in batches]
            print(f"{n_in:5d} {n_out:5d} | " + " ".join(f"{value:6.2f}" for value in row))


if __name__ == "__main__":
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        main()
