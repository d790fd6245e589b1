# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark the mask-classification CBL against the authors' structure.

Times forward + backward (w.r.t. mask features, mask embeddings and class
logits) of

(a) ours: ``mask_conditional_boundary_loss(..., reference_quirks=True)``;
(b) ``cblseg.benchmarks.mask_cbl.authors_mask_cbl``: the loss computed
    the way the authors' Mask2Former criterion does (per-class depthwise
    neighbour sums of the D-channel mask features, per-image loops),

checks that both give the same values and gradients, and prints the ratio.
Inputs: ADE20K-like labels (K = 150, B = 2, 512 x 512, boundaries from
``GenerateBoundary(dilation=0.02)``), mask features 2 x 256 x 128 x 128,
Q = 100 queries (see ``make_mask_inputs``).

Example::

    python tools/benchmarks/benchmark_mask_cbl_loss.py
    python tools/benchmarks/benchmark_mask_cbl_loss.py --quick  # smoke test
    python tools/benchmarks/benchmark_mask_cbl_loss.py --device cuda
"""
import argparse
import statistics

import torch

from cblseg.benchmarks.mask_cbl import (authors_mask_cbl, forward_backward,
                                        make_mask_inputs, max_relative_error)
from cblseg.models.losses import mask_conditional_boundary_loss
from cblseg.utils.benchmark_timing import cpu_name, time_cuda_ms, time_ms


def parse_args():
    parser = argparse.ArgumentParser(
        description='Benchmark the mask-classification CBL (fwd + bwd)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='small sizes (D=32, 32x32 features, Q=10, K=20): smoke test')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument(
        '--repeats', type=int, default=5, help='timed runs of ours')
    parser.add_argument(
        '--threads', type=int, default=1, help='torch CPU threads (default 1)')
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if args.quick:
        size = dict(size=128, dims=32, queries=10, num_classes=20, cells=12)
    else:
        size = dict(size=512, dims=256, queries=100, num_classes=150)
    inputs = [t.to(device) for t in make_mask_inputs(batch=2, **size)]
    feats, gt_sem_seg, gt_edge_map = inputs[0], inputs[3], inputs[4]
    edge = gt_edge_map[..., ::4, ::4].eq(1).float().mean()
    classes = len([c for c in gt_sem_seg.unique().tolist() if c != 255])
    print(f'CPU: {cpu_name()}; {torch.get_num_threads()} thread(s); '
          f'torch {torch.__version__}; device {device}')
    print(f'mask features {tuple(feats.shape)}, Q={inputs[1].shape[1]}, '
          f'K={inputs[2].shape[2] - 1}, k=5; labels '
          f'{tuple(gt_sem_seg.shape[-2:])} with {classes} classes, '
          f'{float(edge) * 100:.1f}% boundary pixels at 1/4')

    def ours():
        return forward_backward(
            mask_conditional_boundary_loss, inputs, reference_quirks=True)

    def theirs():
        return forward_backward(authors_mask_cbl, inputs)

    errors = max_relative_error(ours(), theirs())
    worst = max(errors.values())
    print('same values: max relative difference ' +
          ', '.join(f'{k} {v:.1e}' for k, v in errors.items()))
    assert worst < 1e-4, f'ours and the authors\' structure differ: {errors}'
    timer = time_cuda_ms if device.type == 'cuda' else time_ms
    base_repeats = 1 if args.quick else max(1, args.repeats // 5)
    ours_ms = statistics.median(timer(ours, args.repeats))
    # (b) already ran once for the comparison: no warm-up
    base_ms = statistics.median(timer(theirs, base_repeats, warmup=0))
    print(f'(a) ours                 fwd+bwd: {ours_ms:10.1f} ms '
          f'(median of {args.repeats})')
    print(f'(b) authors\' structure   fwd+bwd: {base_ms:10.1f} ms '
          f'(median of {base_repeats})')
    target = 'quick sizes, no target' if args.quick else 'target >= 30x'
    print(f'ratio (b) / (a): {base_ms / ours_ms:.1f}x ({target})')


if __name__ == '__main__':
    main()
