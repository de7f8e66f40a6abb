"""Every benchmark script runs end to end (``--quick``: tiny sizes, one or two repeats) and prints its table,
so a change to the API cannot break a benchmark unnoticed. Nothing here looks at the timings."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# script: lines its table must print (the workloads it measures)
EXPECTED = {
    "bench_mlp.py": ["tinygrad_lite ms", "tl/numpy"],
    "bench_ops.py": ["add", "matmul (dot)", "fwd+bwd µs"],
    "bench_engine.py": ["W2: a chain", "W7: a chain", "W5: a chain", "tinygrad_lite"],
    "bench_curvature.py": ["tl grad", "tl hvp", "tl hessian", "HVP / grad"],
    "bench_lenet.py": ["one LeNet-5 training step", "where tinygrad_lite's time goes", "Adam step"],
    "bench_optim.py": ["SGD momentum=0.9", "Momentum (lecture)", "Adagrad", "RMSProp", "Adam", "AdamW"],
    "bench_linear_layout.py": ["float32: time of (W Xᵀ)ᵀ", "float64: time of (W Xᵀ)ᵀ", "  256    10 |"],
}
WITHOUT_PLOT = {"bench_optim.py", "bench_linear_layout.py"}  # their tables are the whole report


def run_script(script: str, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("script", list(EXPECTED))
def test_the_benchmark_runs_and_prints_its_table(script):
    stdout = run_script(script, *(() if script in WITHOUT_PLOT else ("--plot", "")))
    for line in EXPECTED[script]:
        assert line in stdout, f"{script} did not print {line!r}:\n{stdout}"


def test_a_benchmark_writes_its_plot(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "bench_mlp.png"
    run_script("bench_mlp.py", "--plot", str(path))
    assert path.stat().st_size > 10_000


def test_the_mlp_phase_table_splits_each_step():
    stdout = run_script("bench_mlp.py", "--phases", "--plot", "")
    table = stdout.split("phase by phase")[1].splitlines()[2:]  # after the title and the column names
    rows = [line.split() for line in table if line.strip()]
    assert {" ".join(row[1:-4]) for row in rows} == {"numpy", "tinygrad_lite", "numpy, tl's array ops"}
    assert {row[0] for row in rows} == {"1", "8"}  # --quick's batches
    for row in rows:
        forward, backward, update, step = map(float, row[-4:])
        assert min(forward, backward, update) > 0 and abs(forward + backward + update - step) <= 2


def test_the_same_array_ops_step_computes_the_reference_step():
    """The --phases comparison is only fair if both NumPy steps compute the same training step."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_mlp
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    import numpy as np

    weights = bench_mlp.initial_weights()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, bench_mlp.SIZES[0])).astype(np.float32)
    labels = rng.integers(0, bench_mlp.SIZES[-1], 5)
    reference, same_ops = bench_mlp.NumpyStep(weights), bench_mlp.SameOpsNumpyStep(weights)
    for _ in range(3):
        np.testing.assert_allclose(same_ops(x, labels), reference(x, labels), rtol=1e-5)
    for a, b in zip(same_ops.params, reference.params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert not np.allclose(reference.params[0], weights[0])  # the steps moved the weights


def test_every_benchmark_script_is_run_here():
    scripts = {p.name for p in (ROOT / "benchmarks").glob("bench_*.py")}  # gpu_check.py: its own test below
    assert scripts == set(EXPECTED)


def test_the_gpu_check_runs_on_the_cuda_simulator():
    """benchmarks/gpu_check.py, the one script a GPU machine runs: here on the simulator, its benchmark alone."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]), TL_CUDASIM="1",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"), "--no-tests", "--steps", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "B = 1024" in done.stdout and "SIMULATED" in done.stdout and "OK" in done.stdout
