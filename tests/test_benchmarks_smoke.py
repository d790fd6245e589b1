"""Smoke tests: every benchmark script runs end to end with --quick and prints
its ratio after checking that the methods it compares agree (no timing
checks: timings are for the docs, not for tests)."""
import sys

import pytest

from helpers import run_tool

pytestmark = pytest.mark.slow

BENCHMARKS = {
    'benchmark_bf_per_image.py': ['ratio', 'identical counts'],
    'benchmark_boundary.py': ['ratio'],
    'benchmark_cbl_loss.py': ['ratio', 'same values'],
    'benchmark_mask_cbl_loss.py': ['ratio', 'same values'],
    'benchmark_cbl_train_step.py': ['ratio', 'loss_cbl_context'],
    'benchmark_metrics.py': ['ratio', 'all methods produced identical counts'],
    'boundary_placement.py': ['ratio full / crop'],
}


@pytest.mark.parametrize('script', sorted(BENCHMARKS))
def test_benchmark_quick(script):
    proc = run_tool([sys.executable, f'tools/benchmarks/{script}', '--quick'],
                    timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:]
    for expected in BENCHMARKS[script]:
        assert expected in proc.stdout, proc.stdout[-5000:]


def test_train_step_benchmark_mask2former_quick():
    """--model mask2former: the tiny Mask2Former with and without CBL."""
    proc = run_tool([
        sys.executable, 'tools/benchmarks/benchmark_cbl_train_step.py',
        '--quick', '--model', 'mask2former'
    ],
                    timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:]
    for expected in ('Mask2Former + CBL (CBLMask2FormerHead)',
                     'ratio CBL / Mask2Former', 'decode.loss_cbl_nce'):
        assert expected in proc.stdout, proc.stdout[-5000:]
