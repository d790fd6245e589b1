# Copyright (c) cblseg contributors. All rights reserved.
"""The command-line options the benchmark scripts under tools/benchmarks/
share, so that each script only lists its own."""
import argparse
from typing import Mapping, Optional, Sequence, Tuple

__all__ = [
    'add_size', 'add_repeats', 'add_quick', 'add_threads', 'add_device',
    'parse_with_quick'
]


def add_size(parser: argparse.ArgumentParser,
             default: Tuple[int, int],
             help: Optional[str] = None,
             flag: str = '--size') -> None:
    """``--size H W`` (two ints)."""
    parser.add_argument(
        flag,
        type=int,
        nargs=2,
        default=tuple(default),
        metavar=('H', 'W'),
        help=help or f'image size (default: {default[0]} {default[1]})')


def add_repeats(parser: argparse.ArgumentParser,
                default: Optional[int],
                help: Optional[str] = None,
                flag: str = '--repeats') -> None:
    """``--repeats N``: timed runs."""
    parser.add_argument(
        flag,
        type=int,
        default=default,
        help=help or f'timed repeats (default: {default})')


def add_quick(
        parser: argparse.ArgumentParser,
        help: str = 'small sizes and few repeats, for a smoke test') -> None:
    """``--quick``: a smoke test."""
    parser.add_argument('--quick', action='store_true', help=help)


def add_threads(parser: argparse.ArgumentParser) -> None:
    """``--threads N``: ``torch.set_num_threads``, default 1."""
    parser.add_argument(
        '--threads', type=int, default=1, help='torch CPU threads (default 1)')


def add_device(parser: argparse.ArgumentParser,
               choices: Sequence[str] = ('cpu', 'cuda'),
               default: str = 'cpu',
               help: Optional[str] = None) -> None:
    """``--device``."""
    parser.add_argument(
        '--device', default=default, choices=list(choices), help=help)


def parse_with_quick(
        parser: argparse.ArgumentParser,
        argv: Optional[Sequence[str]] = None,
        quick: Optional[Mapping[str, object]] = None) -> argparse.Namespace:
    """Parse ``argv``; with ``--quick``, the ``quick`` settings replace
    the parsed ones (``--size`` etc.)."""
    args = parser.parse_args(argv)
    if args.quick and quick:
        vars(args).update(quick)
    return args
