"""Timing helpers: run a function many times and report the median and percentiles."""

import statistics
import time
from collections.abc import Callable


def measure(function: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    """Seconds per call, one sample per call."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def report(name: str, samples: list[float], unit: str = "ms") -> None:
    scale = {"ms": 1e3, "us": 1e6, "s": 1.0}[unit]
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:52} median {statistics.median(samples) * scale:9.3f} {unit}   "
        f"p99 {p99 * scale:9.3f} {unit}   n={len(samples)}"
    )


def machine_reference() -> float:
    """Milliseconds for a fixed pure-Python loop, pinned like the caller: these shared machines
    run from one to three times slower from one hour to the next, so figures are quoted with it."""
    start = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i * i
    return (time.perf_counter() - start) * 1e3
