"""The GPU check: on a machine with an NVIDIA GPU, run the test suite on cuda, then time one training step of the
784-256-256-10 ReLU MLP (cross-entropy, SGD with momentum) and print one report, all in under 4 minutes.

It needs what such a machine has already: NumPy, CuPy, pytest (with hypothesis and matplotlib for the whole
suite) and, when installed, PyTorch; nothing is installed and nothing is downloaded. From the repository root:

    PYTHONPATH=$PWD python3 benchmarks/gpu_check.py [--test-timeout 150] [--no-tests]

1. ``TL_TEST_DEVICE=cuda python3 -m pytest -q -x`` under a time limit (the suite on the GPU alone);
2. the step at B = 1024 and 8192: tinygrad_lite on cuda against the same step written by hand with CuPy
   (benchmarks/bench_mlp.py's reference) and PyTorch on cuda where it sees the GPU; and tinygrad_lite on one
   CPU thread at B = 8192, for the speed-up. Every GPU step ends with a device wait.

Without a GPU, ``TL_CUDASIM=1`` runs it all on the CUDA simulator (CPU arrays with CuPy's rules): the check
of the script itself, whose figures are then simulated and say nothing about a GPU.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

BATCHES = (1024, 8192)
CPU_BATCH = 8192
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_tests(timeout: float) -> tuple[bool, str]:
    """The suite on cuda, stopped at the first failure or after ``timeout`` seconds: (passed, how it went)."""
    env = dict(os.environ, TL_TEST_DEVICE="cuda")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=-ra"]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as stopped:
        output = stopped.stdout or b""  # bytes, even with text=True
        tail = output.decode(errors="replace") if isinstance(output, bytes) else output
        last = [line for line in tail.splitlines() if line.strip()][-1:] or ["(no output)"]
        return False, f"TIMED OUT after {timeout:.0f} s (last line: {last[0]})"
    seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1] if lines else "(no output)"
    failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    verdict = "passed" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
    details = "".join(f"\n    {line}" for line in failures[:5])
    return done.returncode == 0, f"{verdict} in {seconds:.0f} s: {summary}{details}"


def benchmark(steps: int) -> dict:
    """Median seconds per step of each implementation at each batch size, and its first loss (to compare)."""
    import numpy as np
    from bench_mlp import SIZES, FrameworkStep, NumpyStep, TorchStep, initial_weights, torch

    import tinygrad_lite as tl

    if not tl.cuda.is_available():
        raise SystemExit("gpu_check: no CUDA GPU with CuPy here (TL_CUDASIM=1 checks the script on the simulator)")
    cupy = tl.backend.array_module("cuda")  # CuPy, or the simulator's stand-in for it
    torch_cuda = torch is not None and torch.cuda.is_available()
    if torch is not None:
        torch.set_num_threads(1)
    weights = initial_weights()
    rng = np.random.default_rng(1)
    results: dict = {}
    for batch in BATCHES:
        x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
        labels = rng.integers(0, SIZES[-1], batch)
        runs = {
            "cupy": (NumpyStep(weights, cupy), (cupy.asarray(x), cupy.asarray(labels)), cupy.cuda.Device().synchronize),
            "tinygrad_lite": (FrameworkStep(weights, "cuda"),
                              (tl.tensor(x, device="cuda"), tl.tensor(labels, device="cuda")),
                              cupy.cuda.Device().synchronize),
        }
        if torch_cuda:
            runs["torch"] = (TorchStep(weights, "cuda"), (torch.from_numpy(x).cuda(), torch.from_numpy(labels).cuda()),
                             torch.cuda.synchronize)
        if batch == CPU_BATCH:
            runs["tinygrad_lite cpu"] = (FrameworkStep(weights), (tl.tensor(x), tl.tensor(labels)), lambda: None)
        results[batch] = {name: time_steps(step, args, wait, steps) for name, (step, args, wait) in runs.items()}
    return results


def time_steps(step, args, wait, steps: int) -> tuple[float, float]:
    """(median seconds per step after two warm-up steps, the loss of the first step)."""
    import numpy as np

    first_loss = float(step(*args))
    wait()
    step(*args)
    wait()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step(*args)
        wait()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), first_loss


def device_name() -> str:
    import tinygrad_lite as tl

    if tl.cuda.is_simulated():
        return "the CUDA simulator (TL_CUDASIM=1) on the CPU"
    cupy = tl.backend.array_module("cuda")
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def report(results: dict, simulated: bool) -> list[str]:
    lines = [f"{'batch':>6} {'implementation':>18} {'ms/step':>10} {'first loss':>11}"]
    for batch, medians in results.items():
        for name, (seconds, loss) in medians.items():
            lines.append(f"{batch:>6} {name:>18} {seconds * 1e3:>10.2f} {loss:>11.5f}")
    for batch, medians in results.items():
        ours = medians["tinygrad_lite"][0]
        ratios = [f"tl/cupy {ours / medians['cupy'][0]:.2f}"]
        if "torch" in medians:
            ratios.append(f"tl/torch {ours / medians['torch'][0]:.2f}")
        if "tinygrad_lite cpu" in medians:
            ratios.append(f"cpu/cuda {medians['tinygrad_lite cpu'][0] / ours:.1f}")
        losses = [loss for _, loss in medians.values()]
        ratios.append(f"first losses agree to {max(losses) - min(losses):.1e}")
        lines.append(f"B = {batch}: " + ", ".join(ratios))
    if not any("torch" in medians for medians in results.values()):
        lines.append("(no PyTorch with CUDA here: no comparison with it)")
    if simulated:
        lines.append("SIMULATED: these figures come from the CUDA simulator on the CPU and say nothing about a GPU")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-timeout", type=float, default=150, help="seconds the test suite may take")
    parser.add_argument("--benchmark-timeout", type=float, default=70, help="seconds the benchmark may take")
    parser.add_argument("--no-tests", action="store_true", help="the benchmark alone")
    parser.add_argument("--steps", type=int, default=7, help="timed steps per implementation and batch size")
    parser.add_argument("--benchmark-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.benchmark_only:  # one BLAS thread for the CPU step: set before NumPy starts, so in a child process
        import tinygrad_lite as tl

        for line in report(benchmark(args.steps), tl.cuda.is_simulated()):
            print(line)
        return
    start = time.perf_counter()
    import tinygrad_lite as tl

    print(f"tinygrad_lite GPU check on {device_name() if tl.cuda.is_available() else 'a machine without cuda'}")
    passed = True
    if not args.no_tests:
        passed, outcome = run_tests(args.test_timeout)
        print("tests on cuda:", outcome, flush=True)
    env = dict(os.environ, **{name: "1" for name in THREAD_VARIABLES})
    command = [sys.executable, os.path.abspath(__file__), "--benchmark-only", "--steps", str(args.steps)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=args.benchmark_timeout)
        print(done.stdout, end="")
        if done.returncode != 0:
            print(f"benchmark FAILED (exit {done.returncode}):\n{done.stderr[-2000:]}")
        passed = passed and done.returncode == 0
    except subprocess.TimeoutExpired:
        print(f"benchmark TIMED OUT after {args.benchmark_timeout:.0f} s")
        passed = False
    print(f"total {time.perf_counter() - start:.0f} s: {'OK' if passed else 'PROBLEMS, see above'}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
