# Copyright (c) cblseg contributors. All rights reserved.
"""GPU validation of cblseg in one command: CUDA correctness (boundary
ground truth, metric counts, CBL loss in fp32 and fp16/bf16 autocast), the
boundary/metric/loss speed targets and the training cost of CBL (time and
peak memory of an OCRNet HRNet-W48 step, fp16). Writes
``OUT_DIR/gpu_report.md`` and ``OUT_DIR/gpu_report.json``; exits 1 if a
check fails. No pretrained weights, no data files, no network.

Run from the repository root (this checkout's ``cblseg`` is used)::

    python tools/benchmarks/gpu_report.py --out-dir work_dirs/gpu_report
    python tools/benchmarks/gpu_report.py --device cpu --quick \\
        --out-dir work_dirs/gpu_report_cpu

Logic: :mod:`cblseg.benchmarks.gpu_report`; figures explained in
docs/benchmarks.md ("GPU report").
"""
import os.path as osp
import sys
import warnings

# this checkout's package first, installed or not
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

# noise from mmengine's imports, printed once per config load
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

try:
    from cblseg.benchmarks.gpu_report import main
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Install the stack (torch, '
             'mmcv 2.1.0 with ops, mmengine 0.10.7, mmsegmentation 1.2.2; '
             '`make setup` or README "GPU clusters") and run this with its '
             'python from the repository root.')

if __name__ == '__main__':
    sys.exit(main())
