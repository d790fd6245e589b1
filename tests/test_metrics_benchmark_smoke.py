# Copyright (c) cblseg contributors. All rights reserved.
"""Smoke test: the metrics benchmark runs end to end (no timing checks)."""
import os
import os.path as osp
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_metrics_benchmark_quick():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO_ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools/benchmarks/benchmark_metrics.py'), '--quick'
    ],
                          cwd=REPO_ROOT,
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout
    assert 'ratio' in proc.stdout, proc.stdout
    assert 'all methods produced identical counts' in proc.stdout
