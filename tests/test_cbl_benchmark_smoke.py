# Copyright (c) cblseg contributors. All rights reserved.
"""Smoke test: the CBL loss benchmark runs end to end (no timing checks)."""
import os
import os.path as osp
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_cbl_benchmark_quick():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO_ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools/benchmarks/benchmark_cbl_loss.py'),
        '--quick', '--device', 'cpu'
    ],
                          cwd=REPO_ROOT,
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout
    assert 'ratio' in proc.stdout, proc.stdout
    assert 'same values' in proc.stdout, proc.stdout
