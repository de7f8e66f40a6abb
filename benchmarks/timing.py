"""Timing shared by the benchmarks: workloads run in turn, so all of them see the same machine state."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

QUICK_HELP = "a smoke run: tiny sizes and one or two repeats, to check that the script works (not a measurement)"


def time_interleaved(workloads: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each workload, running them in turn ``repeats`` times."""
    times: dict[str, list[float]] = {name: [] for name in workloads}
    for _ in range(repeats):
        for name, run in workloads.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}
