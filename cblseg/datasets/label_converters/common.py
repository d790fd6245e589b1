"""Shared machinery of the label converters.

* :class:`ColorLookup`: vectorised colour -> value mapping of RGB images.
* :class:`FileResult` / :class:`ConversionSummary`: what happened to each
  file, and the totals a folder walker reports.
* :func:`run_conversions`: convert many files, optionally in worker
  processes, with a progress bar; an exception in one file is recorded as a
  failure of that file instead of stopping the run.
* :func:`is_up_to_date` / :func:`save_png`: the skip rule (the output exists
  and is newer than its input) and atomic writes, so an interrupted run never
  leaves a truncated output that would later look up to date.
"""
import os
import os.path as osp
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import Pool
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.utils import ProgressBar

CONVERTED = 'converted'
SKIPPED = 'skipped'
FAILED = 'failed'
STATUSES = (CONVERTED, SKIPPED, FAILED)

# How many unknown values of one file are spelled out in messages.
MAX_REPORTED_VALUES = 10


def pack_rgb(image):
    """Pack the RGB channels of an image into one integer per pixel.

    Args:
        image (np.ndarray): HxWx3 or HxWx4 uint8 array (a 4th channel, e.g.
            alpha, is ignored).

    Returns:
        np.ndarray: HxW uint32 array of ``r << 16 | g << 8 | b``.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] < 3 or image.dtype != np.uint8:
        raise ValueError('expected an HxWx3 (or HxWx4) uint8 image, got '
                         f'shape {image.shape} and dtype {image.dtype}')
    packed = image[..., 0].astype(np.uint32)
    packed <<= 8
    packed |= image[..., 1]
    packed <<= 8
    packed |= image[..., 2]
    return packed


def unpack_rgb(packed):
    """Inverse of :func:`pack_rgb` for one value.

    Args:
        packed (int): ``r << 16 | g << 8 | b``.

    Returns:
        tuple[int, int, int]: ``(r, g, b)``.
    """
    packed = int(packed)
    return (packed >> 16) & 255, (packed >> 8) & 255, packed & 255


def count_values(values):
    """Count the distinct values of an array.

    Args:
        values (np.ndarray): Any integer array.

    Returns:
        dict: ``{value (int): pixel count (int)}``, in increasing value
        order.
    """
    found, counts = np.unique(np.asarray(values), return_counts=True)
    return {int(v): int(c) for v, c in zip(found, counts)}


class ColorLookup:
    """Map RGB colours to uint8 values with a table of all 2^24 colours.

    The table (16 MiB) is built once per instance; looking an image up is
    then three shifts/ors to pack the channels and one gather, i.e. linear in
    the number of pixels and independent of the number of colours.

    Args:
        color_to_value (dict): ``{(r, g, b): value}`` with values in
            0..255. At most 255 distinct values, so that one uint8 value is
            left to mark unknown colours.
    """

    def __init__(self, color_to_value):
        self.color_to_value = {
            tuple(int(c) for c in color): int(value)
            for color, value in color_to_value.items()
        }
        values = set(self.color_to_value.values())
        if not values <= set(range(256)):
            raise ValueError(f'values must be in 0..255, got {sorted(values)}')
        free = sorted(set(range(256)) - values)
        if not free:
            raise ValueError('at most 255 distinct values are supported')
        self.unknown_marker = free[0]
        self.table = np.full(1 << 24, self.unknown_marker, dtype=np.uint8)
        for color, value in self.color_to_value.items():
            self.table[(color[0] << 16) | (color[1] << 8) | color[2]] = value

    def __call__(self, image):
        """Look the colours of an image up.

        Args:
            image (np.ndarray): HxWx3 (or HxWx4, alpha ignored) uint8 RGB.

        Returns:
            tuple[np.ndarray, dict]: The HxW uint8 values (pixels of unknown
            colours hold an unspecified value) and ``{(r, g, b): pixel
            count}`` of the colours that are not in the table (empty when
            all are known).
        """
        packed = pack_rgb(image)
        values = self.table[packed]
        unknown = {}
        unknown_mask = values == self.unknown_marker
        if unknown_mask.any():
            unknown = {
                unpack_rgb(color): count
                for color, count in count_values(packed[unknown_mask]).items()
            }
        return values, unknown


@dataclass
class FileResult:
    """What happened to one file.

    Attributes:
        src (str): Input file.
        dst (str): Output file (the same as ``src`` when converted in
            place).
        status (str): ``'converted'``, ``'skipped'`` or ``'failed'``.
        reason (str): Why it was skipped or failed (e.g. ``'up to date'``,
            ``'already indexed'``, ``'unknown label ids'``).
        unknown (dict): For failures caused by values that are not in the
            label table: ``{value: pixel count}``; values are ints (label
            ids, indices) or ``(r, g, b)`` tuples.
    """
    src: str
    dst: str
    status: str
    reason: str = ''
    unknown: Dict[Any, int] = field(default_factory=dict)

    def describe(self):
        """One line for reports, e.g. ``path: unknown colours:
        (1, 2, 3) x 40 px, (4, 5, 6) x 2 px``.

        Returns:
            str
        """
        text = f'{self.src}: {self.reason or self.status}'
        if self.unknown:
            items = sorted(self.unknown.items(), key=lambda kv: -kv[1])
            shown = ', '.join(f'{value} x {count} px'
                              for value, count in items[:MAX_REPORTED_VALUES])
            more = len(items) - MAX_REPORTED_VALUES
            text += f': {shown}' + (f', ... ({more} more)' if more > 0 else '')
        return text


@dataclass
class ConversionSummary:
    """Results of converting a set of files.

    Attributes:
        name (str): What was converted, for reports.
        results (list[FileResult]): One per input file, in input order.
        seconds (float): Wall time of the run.
        notes (list[str]): Extra lines for the report (e.g. list files
            written by the SBD merge).
    """
    name: str
    results: List[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    notes: List[str] = field(default_factory=list)

    def with_status(self, status):
        """Results with one status.

        Args:
            status (str): ``'converted'``, ``'skipped'`` or ``'failed'``.

        Returns:
            list[FileResult]
        """
        return [result for result in self.results if result.status == status]

    @property
    def converted(self):
        """list[FileResult]: Files written."""
        return self.with_status(CONVERTED)

    @property
    def skipped(self):
        """list[FileResult]: Files left alone (up to date, already
        indexed)."""
        return self.with_status(SKIPPED)

    @property
    def failed(self):
        """list[FileResult]: Files that could not be converted; their output
        was not written."""
        return self.with_status(FAILED)

    @property
    def counts(self):
        """dict: ``{'converted': n, 'skipped': n, 'failed': n}``."""
        return {status: len(self.with_status(status)) for status in STATUSES}

    @property
    def ok(self):
        """bool: True when no file failed."""
        return not self.failed

    def format(self):
        """A printable report: one line per failed file, the notes, then the
        totals.

        Returns:
            str
        """
        lines = [f'FAILED {result.describe()}' for result in self.failed]
        lines += self.notes
        parts = []
        for status in (CONVERTED, SKIPPED, FAILED):
            results = self.with_status(status)
            reasons = {}
            for result in results:
                if result.reason and status != FAILED:
                    reasons[result.reason] = reasons.get(result.reason, 0) + 1
            detail = ', '.join(f'{count} {reason}'
                               for reason, count in reasons.items())
            parts.append(f'{status} {len(results)}' +
                         (f' ({detail})' if detail else ''))
        lines.append(f'{self.name}: {len(self.results)} files: ' +
                     ', '.join(parts) + f' in {self.seconds:.1f} s')
        return '\n'.join(lines)


def is_up_to_date(src, dst):
    """The skip rule: ``dst`` exists and was modified after ``src``.

    The comparison is strict, so an output written within the file system's
    timestamp resolution of its input is redone rather than trusted.

    Args:
        src (str): Input file.
        dst (str): Output file.

    Returns:
        bool
    """
    try:
        return os.stat(dst).st_mtime_ns > os.stat(src).st_mtime_ns
    except FileNotFoundError:
        return False


def save_png(image, path):
    """Save a PIL image as PNG atomically (temporary file, then rename).

    Args:
        image (PIL.Image.Image): Image to save.
        path (str): Destination; its folder is created if needed.
    """
    directory = osp.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    temporary = f'{path}.tmp{os.getpid()}'
    try:
        image.save(temporary, format='PNG')
        os.replace(temporary, path)
    finally:
        if osp.exists(temporary):
            os.remove(temporary)


def write_text_if_changed(path, text):
    """Write a text file atomically unless it already holds ``text``.

    Args:
        path (str): Destination.
        text (str): Content.

    Returns:
        bool: True when the file was (re)written.
    """
    try:
        with open(path) as file:
            if file.read() == text:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    temporary = f'{path}.tmp{os.getpid()}'
    with open(temporary, 'w') as file:
        file.write(text)
    os.replace(temporary, path)
    return True


def _guarded_call(func, options, task):
    """Run ``func(*task, **options)``; an exception becomes a failure of
    that file (reading a corrupt PNG must not stop the whole run)."""
    try:
        return func(*task, **options)
    except Exception as error:  # noqa: BLE001 (reported per file)
        return FileResult(
            src=str(task[0]),
            dst=str(task[1]) if len(task) > 1 else '',
            status=FAILED,
            reason=f'{type(error).__name__}: {error}')


def run_conversions(func: Callable[..., FileResult],
                    tasks: Sequence[Tuple],
                    name: str,
                    nproc: int = 1,
                    progress: bool = True,
                    file=None,
                    **options) -> ConversionSummary:
    """Convert many files, in parallel when ``nproc > 1``, with a progress
    bar.

    Args:
        func (callable): ``func(*task, **options) -> FileResult``; must be a
            module-level function so that worker processes can receive it.
        tasks (Sequence[tuple]): One tuple of positional arguments per file,
            starting with the input path (then the output path).
        name (str): What is converted, for the summary.
        nproc (int): Number of worker processes; 1 converts in this process.
        progress (bool): Show mmengine's progress bar.
        file (file-like, optional): Where the progress bar goes; defaults to
            ``sys.stdout``.
        **options: Keyword arguments passed to every call of ``func``.

    Returns:
        ConversionSummary: Results in task order.
    """
    if int(nproc) != nproc or nproc < 1:
        raise ValueError(f'nproc must be an integer >= 1, got {nproc!r}')
    start = time.perf_counter()
    worker = partial(_guarded_call, func, options)
    bar: Optional[ProgressBar] = None
    if progress and tasks:
        bar = ProgressBar(len(tasks), file=file or sys.stdout)
    results: List[FileResult] = []
    if nproc == 1 or len(tasks) <= 1:
        for task in tasks:
            results.append(worker(task))
            if bar is not None:
                bar.update()
    else:
        processes = min(int(nproc), len(tasks))
        chunksize = max(1, min(16, len(tasks) // (4 * processes)))
        with Pool(processes) as pool:
            for result in pool.imap(worker, tasks, chunksize):
                results.append(result)
                if bar is not None:
                    bar.update()
    if bar is not None:
        bar.file.write('\n')
        bar.file.flush()
    return ConversionSummary(
        name=name, results=results, seconds=time.perf_counter() - start)
