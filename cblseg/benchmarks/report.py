# Copyright (c) cblseg contributors. All rights reserved.
"""The record of a GPU report: machine, parts, checks and figures, written
as ``gpu_report.json`` and ``gpu_report.md``.

JSON schema (``schema_version`` 1)::

    {"schema_version": 1, "command": str, "started": str (UTC ISO),
     "finished": str, "seconds": float, "device": "cuda" | "cpu",
     "quick": bool, "passed": bool,
     "machine": {"gpu": str | null, "gpu_memory_gib": float | null,
                 "driver": str | null, "cuda": str | null,
                 "cudnn": int | null, "torch": str, "mmcv": str,
                 "mmengine": str, "mmseg": str, "cblseg": str,
                 "python": str, "numpy": str, "opencv": str,
                 "cpu": str, "cpu_count": int, "torch_threads": int},
     "parts": [{"name", "title", "status": "ran" | "skipped" | "crashed",
                "reason": str | null, "seconds": float}],
     "checks": [{"name", "part", "status": "passed" | "failed" | "skipped",
                 "detail": str, "value": float | null,
                 "tolerance": float | null}],
     "figures": [{"name", "part", "value": float | null, "unit": str,
                  "goal": str | null,
                  "goal_met": true | false | null, "note": str}]}

``passed`` is true when no check failed and no part crashed (skipped
checks do not count); the tool exits non-zero otherwise. Speed and memory
goals are figures, not checks: a goal not met is reported, not fatal.
"""
import datetime
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

import torch

from cblseg.utils.benchmark_timing import cpu_name

__all__ = [
    'Report', 'machine_info', 'command_line', 'SCHEMA_VERSION',
    'CHECK_STATUSES'
]

SCHEMA_VERSION = 1
CHECK_STATUSES = ('passed', 'failed', 'skipped')


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except Exception as err:  # noqa: BLE001 (report, do not fail)
        return f'not importable ({type(err).__name__})'


def _nvidia_driver() -> Optional[str]:
    try:
        out = subprocess.run([
            'nvidia-smi', '--query-gpu=driver_version', '--format=csv,noheader'
        ],
                             capture_output=True,
                             text=True,
                             timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.strip().splitlines()
    return lines[0].strip() if out.returncode == 0 and lines else None


def machine_info(device: torch.device) -> Dict[str, Any]:
    """GPU, driver, CUDA and library versions, CPU."""
    import cv2
    import numpy as np
    info: Dict[str, Any] = dict(
        gpu=None,
        gpu_memory_gib=None,
        driver=None,
        cuda=torch.version.cuda,
        cudnn=None,
        torch=torch.__version__,
        mmcv=_version('mmcv'),
        mmengine=_version('mmengine'),
        mmseg=_version('mmseg'),
        cblseg=_version('cblseg'),
        python=platform.python_version(),
        numpy=np.__version__,
        opencv=cv2.__version__,
        cpu=cpu_name(),
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        float32_matmul_precision=torch.get_float32_matmul_precision())
    if device.type == 'cuda':
        props = torch.cuda.get_device_properties(device)
        info['gpu'] = props.name
        info['gpu_memory_gib'] = round(props.total_memory / 2**30, 1)
        info['driver'] = _nvidia_driver()
        info['cudnn'] = torch.backends.cudnn.version()
    return info


def _utc_now() -> str:
    return datetime.datetime.now(
        datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _cell(text) -> str:
    """Text for a Markdown table cell (pipes escaped)."""
    return str(text).replace('|', '\\|')


def _fmt(value: Optional[float]) -> str:
    if value is None:
        return '-'
    if isinstance(value, bool) or isinstance(value, int):
        return str(value)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-3 or magnitude >= 1e5):
        return f'{value:.3g}'
    return f'{value:.4g}'


class Report:
    """Collects what a GPU report finds and writes it after every part, so
    that a run cut short still leaves its results.

    Args:
        out_dir (str): Where ``gpu_report.json`` / ``.md`` go.
        device (torch.device): The device under test.
        quick (bool): Tiny sizes.
        command (str): The command line, for the report.
        log (callable, optional): Progress printer; defaults to printing
            ``[HH:MM:SS +seconds] message``.
    """

    def __init__(self,
                 out_dir: str,
                 device: torch.device,
                 quick: bool,
                 command: str,
                 log=None) -> None:
        self.out_dir = out_dir
        self.device = device
        self.quick = quick
        self.command = command
        self.started = _utc_now()
        self._start = time.perf_counter()
        self.machine = machine_info(device)
        self.parts: List[Dict[str, Any]] = []
        self.checks: List[Dict[str, Any]] = []
        self.figures: List[Dict[str, Any]] = []
        self.part = ''
        self._log = log

    # ---- progress ---------------------------------------------------------
    def log(self, message: str) -> None:
        """Print a progress line with the wall clock and elapsed seconds."""
        if self._log is not None:
            self._log(message)
            return
        elapsed = time.perf_counter() - self._start
        clock = datetime.datetime.now().strftime('%H:%M:%S')
        print(f'[{clock} +{elapsed:6.1f}s] {message}', flush=True)

    # ---- records ----------------------------------------------------------
    def check(self,
              name: str,
              passed: Optional[bool],
              detail: str,
              value: Optional[float] = None,
              tolerance: Optional[float] = None) -> bool:
        """Record a check; ``passed=None`` records it as skipped (``detail``
        says why). Returns ``passed`` (False for skipped)."""
        status = ('skipped'
                  if passed is None else 'passed' if passed else 'failed')
        self.checks.append(
            dict(
                name=name,
                part=self.part,
                status=status,
                detail=detail,
                value=None if value is None else float(value),
                tolerance=None if tolerance is None else float(tolerance)))
        self.log(f'check {name}: {status.upper()} ({detail})')
        return bool(passed)

    def figure(self,
               name: str,
               value: Optional[float],
               unit: str,
               goal: Optional[str] = None,
               goal_met: Optional[bool] = None,
               note: str = '') -> None:
        """Record a measured figure (``value=None``: not measured, ``note``
        says why) and, if it has one, whether its goal was met."""
        self.figures.append(
            dict(
                name=name,
                part=self.part,
                value=None if value is None else float(value),
                unit=unit,
                goal=goal,
                goal_met=goal_met,
                note=note))
        goal_text = '' if goal is None else (
            f' (goal {goal}: '
            f'{ {True: "met", False: "NOT met", None: "n/a"}[goal_met]})')
        self.log(f'figure {name}: {_fmt(value)} {unit}{goal_text}'
                 f'{"; " + note if note else ""}')

    def add_part(self, name: str, title: str, status: str,
                 reason: Optional[str], seconds: float) -> None:
        self.parts.append(
            dict(
                name=name,
                title=title,
                status=status,
                reason=reason,
                seconds=round(seconds, 2)))

    # ---- results ----------------------------------------------------------
    @property
    def passed(self) -> bool:
        return (all(c['status'] != 'failed' for c in self.checks)
                and all(p['status'] != 'crashed' for p in self.parts))

    def to_dict(self) -> Dict[str, Any]:
        return dict(
            schema_version=SCHEMA_VERSION,
            command=self.command,
            started=self.started,
            finished=_utc_now(),
            seconds=round(time.perf_counter() - self._start, 2),
            device=self.device.type,
            quick=self.quick,
            passed=self.passed,
            machine=self.machine,
            parts=self.parts,
            checks=self.checks,
            figures=self.figures)

    def to_markdown(self) -> str:
        data = self.to_dict()
        verdict = ('all checks passed' if data['passed'] else
                   'SOME CHECKS FAILED (or a part crashed)')
        lines = [
            '# cblseg GPU report', '', f'`{data["command"]}`', '',
            f'- device: **{data["device"]}**'
            f'{" (--quick: tiny sizes)" if self.quick else ""}',
            f'- started {data["started"]}, {data["seconds"]:.1f} s',
            f'- result: **{verdict}**', '', '## Machine', ''
        ]
        lines += [f'- {key}: {value}' for key, value in self.machine.items()]
        lines += [
            '', '## Parts', '', '| part | status | seconds | note |',
            '| --- | --- | ---: | --- |'
        ]
        for part in self.parts:
            lines.append(f'| {part["title"]} | {part["status"]} | '
                         f'{part["seconds"]:.1f} | '
                         f'{_cell(part["reason"] or "")} |')
        lines += [
            '', '## Checks', '', '| check | status | value | tolerance | '
            'detail |', '| --- | --- | ---: | ---: | --- |'
        ]
        for check in self.checks:
            lines.append(f'| {check["name"]} | {check["status"]} | '
                         f'{_fmt(check["value"])} | '
                         f'{_fmt(check["tolerance"])} | '
                         f'{_cell(check["detail"])} |')
        lines += [
            '', '## Figures', '', '| figure | value | unit | goal | met | '
            'note |', '| --- | ---: | --- | --- | --- | --- |'
        ]
        for fig in self.figures:
            met = {True: 'yes', False: '**no**', None: '-'}[fig['goal_met']]
            lines.append(f'| {fig["name"]} | {_fmt(fig["value"])} | '
                         f'{fig["unit"]} | {_cell(fig["goal"] or "-")} | '
                         f'{met} | {_cell(fig["note"])} |')
        return '\n'.join(lines) + '\n'

    def write(self) -> None:
        """Write (or rewrite) ``gpu_report.json`` and ``gpu_report.md``."""
        os.makedirs(self.out_dir, exist_ok=True)
        for name, text in (('gpu_report.json',
                            json.dumps(self.to_dict(), indent=2) + '\n'),
                           ('gpu_report.md', self.to_markdown())):
            tmp = osp.join(self.out_dir, name + '.tmp')
            with open(tmp, 'w') as f:
                f.write(text)
            os.replace(tmp, osp.join(self.out_dir, name))


def command_line(argv: Optional[List[str]]) -> str:
    """The command as typed, for the report header."""
    args = sys.argv[1:] if argv is None else list(argv)
    return ' '.join(['python tools/benchmarks/gpu_report.py'] + args)
