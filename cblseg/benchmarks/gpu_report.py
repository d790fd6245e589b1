# Copyright (c) cblseg contributors. All rights reserved.
"""The GPU report: CUDA correctness and the GPU speed and memory targets
in one command (``tools/benchmarks/gpu_report.py``).

Parts (each can be chosen with ``--parts``; all by default):

* ``correctness``: CUDA against CPU (and independent CPU peers) for the
  boundary ground truth, the metric counts and every registered loss in
  fp32, fp16 / bf16 autocast (:mod:`.gpu_checks`);
* ``boundary_speed``, ``metric_speed``, ``loss_speed``
  (:mod:`.gpu_speed`);
* ``train_cost``: a training step with / without CBL (:mod:`.train_cost`).

Every part writes its results into the report files as soon as it ends
(a run cut short keeps what it measured); a part that raises is recorded
as crashed with the error and the others still run. The exit status is 0
only if every check passed and no part crashed; goals (speed, memory) are
reported but do not change it.
"""
import argparse
import os
import time
import traceback
from typing import Callable, Dict, List, Optional

import torch

from .gpu_checks import PLANT_NAMES, run_correctness
from .gpu_speed import run_boundary_speed, run_loss_speed, run_metric_speed
from .report import Report, command_line
from .train_cost import run_train_cost

__all__ = ['PARTS', 'run_gpu_report', 'parse_args', 'main']

PARTS: Dict[str, str] = {
    'correctness': 'correctness (device vs CPU, autocast)',
    'boundary_speed': 'boundary GT speed',
    'metric_speed': 'metric speed',
    'loss_speed': 'CBL loss speed (ours vs plain autograd peer)',
    'train_cost': 'training step cost with / without CBL',
}


def _part_runner(name: str, device: torch.device, quick: bool,
                 plant: Optional[str], cpu_threads: int) -> Callable:
    if name == 'correctness':
        return lambda report: run_correctness(report, device, quick, plant)
    if name == 'boundary_speed':
        return lambda report: run_boundary_speed(report, device, quick)
    if name == 'metric_speed':
        return lambda report: run_metric_speed(report, device, quick)
    if name == 'loss_speed':
        return lambda report: run_loss_speed(report, device, quick, cpu_threads
                                             )
    if name == 'train_cost':
        return lambda report: run_train_cost(report, device, quick)
    raise ValueError(f'unknown part {name!r}; choose from {list(PARTS)}')


def _skip_reason(name: str, device: torch.device, quick: bool):
    if name == 'train_cost' and device.type != 'cuda' and not quick:
        return ('full-size training needs CUDA (fp16 AmpOptimWrapper, '
                'HRNet-W48 at 512x1024); --quick runs the tiny model on the '
                'CPU')
    return None


def run_gpu_report(out_dir: str,
                   device: str = 'cuda',
                   quick: bool = False,
                   parts: Optional[List[str]] = None,
                   plant: Optional[str] = None,
                   cpu_threads: int = 1,
                   command: str = '',
                   log=None) -> Report:
    """Run the report and write ``out_dir/gpu_report.{json,md}``.

    Args:
        out_dir (str): Output folder (created).
        device (str): ``'cuda'`` or ``'cpu'``.
        quick (bool): Tiny sizes (a few tens of seconds on a CPU).
        parts (list[str], optional): Subset of :data:`PARTS`, in order.
        plant (str, optional): Corrupt one device result (see
            :data:`cblseg.benchmarks.gpu_checks.PLANT_NAMES`): for testing
            that a wrong result is reported as failed.
        cpu_threads (int): torch threads for CPU timings.
        command (str): Command line for the report header.
        log (callable, optional): Progress printer.

    Returns:
        Report: ``report.passed`` is the verdict.
    """
    dev = torch.device(device)
    if dev.type == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError(
            '--device cuda: torch.cuda.is_available() is False (torch '
            f'{torch.__version__}, built for CUDA {torch.version.cuda}); '
            'install a CUDA build of torch, or run with --device cpu')
    if dev.type not in ('cuda', 'cpu'):
        raise ValueError(f'device must be cuda or cpu, got {device!r}')
    parts = list(PARTS) if parts is None else list(parts)
    for name in parts:
        if name not in PARTS:
            raise ValueError(
                f'unknown part {name!r}; choose from {list(PARTS)}')
    if dev.type == 'cuda':
        dev = torch.device('cuda', torch.cuda.current_device())
    threads = torch.get_num_threads()
    if dev.type == 'cpu':
        # CPU timings on cpu_threads threads (1: as in docs/benchmarks.md)
        torch.set_num_threads(cpu_threads)
    try:
        return _run_parts(out_dir, dev, quick, parts, plant, cpu_threads,
                          command, log)
    finally:
        torch.set_num_threads(threads)


def _run_parts(out_dir, dev, quick, parts, plant, cpu_threads, command, log):
    report = Report(out_dir, dev, quick, command or 'run_gpu_report()', log)
    report.log(f'GPU report on {dev} ({report.machine["gpu"] or "no GPU"}), '
               f'quick={quick}, parts: {", ".join(parts)}; writing to '
               f'{os.path.abspath(out_dir)}')
    report.write()
    for name in parts:
        report.part = name
        start = time.perf_counter()
        reason = _skip_reason(name, dev, quick)
        if reason is not None:
            report.log(f'== {PARTS[name]}: skipped ({reason})')
            report.add_part(name, PARTS[name], 'skipped', reason, 0.0)
            report.write()
            continue
        report.log(f'== {PARTS[name]}')
        status, reason = 'ran', None
        try:
            _part_runner(name, dev, quick, plant, cpu_threads)(report)
        except Exception as err:  # noqa: BLE001 (record, run the others)
            status = 'crashed'
            reason = f'{type(err).__name__}: {err}'
            report.log(f'{name} CRASHED:\n{traceback.format_exc()}')
        finally:
            if dev.type == 'cuda':
                torch.cuda.empty_cache()
        seconds = time.perf_counter() - start
        report.add_part(name, PARTS[name], status, reason, seconds)
        report.log(f'== {PARTS[name]}: {status} in {seconds:.1f} s')
        report.write()
    report.log(f'done: {"PASSED" if report.passed else "FAILED"}; '
               f'{os.path.join(out_dir, "gpu_report.md")}')
    return report


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='GPU validation report of cblseg: CUDA correctness, '
        'boundary/metric/loss speed, training cost with and without CBL.')
    parser.add_argument(
        '--device',
        default='cuda',
        choices=['cuda', 'cpu'],
        help='device under test (default cuda)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='tiny sizes: every part in a few tens of seconds on a CPU')
    parser.add_argument(
        '--out-dir', required=True, help='folder for gpu_report.md/.json')
    parser.add_argument(
        '--parts',
        nargs='+',
        choices=list(PARTS),
        default=None,
        help='run only these parts (default: all)')
    parser.add_argument(
        '--cpu-threads',
        type=int,
        default=1,
        help='torch threads for the CPU timings (default 1, as in '
        'docs/benchmarks.md)')
    parser.add_argument(
        '--plant-error',
        choices=PLANT_NAMES,
        default=None,
        help='testing only: corrupt this device result, to see the check '
        'fail')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.device == 'cuda' and not torch.cuda.is_available():
        print(f'--device cuda: torch.cuda.is_available() is False (torch '
              f'{torch.__version__}, built for CUDA {torch.version.cuda}). '
              'Install a CUDA build of torch, or run with --device cpu.')
        return 2
    report = run_gpu_report(
        args.out_dir,
        device=args.device,
        quick=args.quick,
        parts=args.parts,
        plant=args.plant_error,
        cpu_threads=args.cpu_threads,
        command=command_line(argv))
    return 0 if report.passed else 1
