"""Timing helpers shared by the benchmark scripts in tools/benchmarks/."""
import platform
import time
from typing import Callable, List, Optional

import torch

__all__ = ['time_ms', 'time_cuda_ms', 'cpu_name']


def time_ms(fn: Callable[[], object],
            repeats: int,
            warmup: int = 1,
            cpu_times: Optional[List[float]] = None) -> List[float]:
    """Wall-clock milliseconds per call of ``fn``.

    Args:
        fn (Callable): What to time.
        repeats (int): Timed calls.
        warmup (int): Untimed calls first.
        cpu_times (list, optional): If given, this process's CPU ms per call
            are appended to it (on a shared machine the wall clock also
            counts the time spent waiting for a core).

    Returns:
        list[float]: One wall-clock time per timed call.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        cpu = time.process_time()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
        if cpu_times is not None:
            cpu_times.append((time.process_time() - cpu) * 1e3)
    return times


def time_cuda_ms(fn: Callable[[], object],
                 repeats: int,
                 warmup: int = 3) -> List[float]:
    """Milliseconds per call of ``fn`` on the current CUDA stream, measured
    with CUDA events after warm-up and synchronisation."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return times


def cpu_name() -> str:
    """The CPU model, for the header of a benchmark's output."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'
