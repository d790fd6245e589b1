"""The GPU report (tools/benchmarks/gpu_report.py) on the CPU.

``--device cpu --quick`` runs every part at tiny sizes, as a subprocess of
the tool: the report files, their schema, every check passed (the
CUDA-vs-CPU ones skipped with a reason, never faked). A planted wrong
device result must be reported as failed, with a non-zero exit status.
The plain autograd CBL peer must agree with ours (float64).
"""
import json
import sys

import pytest
import torch

from cblseg.benchmarks import gpu_checks
from cblseg.benchmarks.gpu_checks import PLANT_NAMES
from cblseg.benchmarks.gpu_report import PARTS, main, run_gpu_report
from cblseg.benchmarks.inputs import cbl_loss_inputs
from cblseg.benchmarks.peers import plain_autograd_cbl
from cblseg.benchmarks.report import CHECK_STATUSES, SCHEMA_VERSION
from cblseg.models.losses import conditional_boundary_loss
from helpers import run_tool

MACHINE_KEYS = {
    'gpu', 'gpu_memory_gib', 'driver', 'cuda', 'cudnn', 'torch', 'mmcv',
    'mmengine', 'mmseg', 'cblseg', 'python', 'numpy', 'opencv', 'cpu',
    'cpu_count', 'torch_threads', 'float32_matmul_precision'
}
# figures every --quick CPU run must report with a value
CPU_FIGURES = {
    'boundary_gt.ms_per_label', 'metric.ms_per_image',
    'metric.boundary_counts_ms', 'cbl_loss.ocr.cpu.ours_ms',
    'cbl_loss.ocr.cpu.peer_ms', 'cbl_loss.ocr.cpu.ratio',
    'train_cost.ocrnet_hr48.base_ms', 'train_cost.ocrnet_hr48.cbl_ms',
    'train_cost.ocrnet_hr48.time_ratio',
    'cbl_loss.mask_classification.cpu.ours_ms',
    'cbl_loss.mask_classification.cpu.peer_ms',
    'cbl_loss.mask_classification.cpu.ratio',
    'train_cost.mask2former_swin-b.base_ms',
    'train_cost.mask2former_swin-b.cbl_ms',
    'train_cost.mask2former_swin-b.time_ratio'
}
# checks that must pass on the CPU (independent CPU references, autocast)
CPU_PASSED = {
    'boundary_gt.vs_numpy', 'metric_counts.vs_opencv',
    'cbl_loss.ocr.fp32.vs_peer.values', 'cbl_loss.ocr.fp32.vs_peer.grads',
    'cbl_loss.ocr.bf16.dtype', 'cbl_loss.ocr.bf16.finite',
    'cbl_loss.ocr.bf16.fp32_inside', 'cbl_loss.ocr.bf16.close_to_fp32.values',
    'cbl_loss.ocr.bf16.close_to_fp32.grads',
    'train_cost.ocrnet_hr48.finite_losses', 'train_cost.ocrnet_hr48.cbl_active'
} | {
    f'cbl_loss.mask_classification.{check}'
    for check in ('fp32.vs_peer.values', 'fp32.vs_peer.grads', 'bf16.dtype',
                  'bf16.finite', 'bf16.fp32_inside',
                  'bf16.close_to_fp32.values', 'bf16.close_to_fp32.grads')
} | {
    'train_cost.mask2former_swin-b.finite_losses',
    'train_cost.mask2former_swin-b.cbl_active'
}
CUDA_ONLY = {
    'boundary_gt.cuda_vs_cpu', 'metric_counts.cuda_vs_cpu',
    'cbl_loss.ocr.fp32.cuda_vs_cpu',
    'cbl_loss.mask_classification.fp32.cuda_vs_cpu'
}


def check_schema(data):
    assert data['schema_version'] == SCHEMA_VERSION
    for key in ('command', 'started', 'finished'):
        assert isinstance(data[key], str) and data[key]
    assert isinstance(data['seconds'], float)
    assert data['device'] in ('cpu', 'cuda')
    assert isinstance(data['quick'], bool)
    assert isinstance(data['passed'], bool)
    assert set(data['machine']) == MACHINE_KEYS
    assert data['machine']['torch'] == torch.__version__
    for part in data['parts']:
        assert set(part) == {'name', 'title', 'status', 'reason', 'seconds'}
        assert part['name'] in PARTS
        assert part['status'] in ('ran', 'skipped', 'crashed')
    for check in data['checks']:
        assert set(check) == {
            'name', 'part', 'status', 'detail', 'value', 'tolerance'
        }
        assert check['status'] in CHECK_STATUSES
        assert check['part'] in PARTS
        assert isinstance(check['detail'], str) and check['detail']
    for fig in data['figures']:
        assert set(fig) == {
            'name', 'part', 'value', 'unit', 'goal', 'goal_met', 'note'
        }
        assert fig['goal_met'] in (True, False, None)
        assert fig['value'] is None or isinstance(fig['value'], float)
    names = [c['name']
             for c in data['checks']] + [f['name'] for f in data['figures']]
    assert len(names) == len(set(names)), 'duplicate names'


@pytest.mark.slow
def test_quick_cpu_report(tmp_path):
    out = tmp_path / 'report'
    proc = run_tool([
        sys.executable, 'tools/benchmarks/gpu_report.py', '--device', 'cpu',
        '--quick', '--out-dir',
        str(out)
    ],
                    timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:]
    data = json.loads((out / 'gpu_report.json').read_text())
    check_schema(data)
    assert data['device'] == 'cpu' and data['quick'] and data['passed']
    assert [p['name'] for p in data['parts']] == list(PARTS)
    assert all(p['status'] == 'ran' for p in data['parts']), data['parts']
    checks = {c['name']: c for c in data['checks']}
    assert not [c for c in checks.values() if c['status'] == 'failed']
    for name in CPU_PASSED:
        assert checks[name]['status'] == 'passed', checks.get(name)
    for name in CUDA_ONLY:
        assert checks[name]['status'] == 'skipped'
        assert 'needs a GPU' in checks[name]['detail']
    figures = {f['name']: f for f in data['figures']}
    for name in CPU_FIGURES:
        assert figures[name]['value'] > 0, figures[name]
        assert figures[name]['goal_met'] is None  # no verdict on quick CPU
    memory = figures['train_cost.ocrnet_hr48.memory_ratio']
    assert memory['value'] is None and 'CUDA only' in memory['note']
    markdown = (out / 'gpu_report.md').read_text()
    for heading in ('## Machine', '## Checks', '## Figures'):
        assert heading in markdown
    assert 'all checks passed' in markdown
    # progress lines with timestamps
    assert '] == correctness' in proc.stdout
    assert 'done: PASSED' in proc.stdout


@pytest.mark.parametrize(
    'plant,failed,family',
    [
        ('boundary_gt', 'boundary_gt.vs_numpy', ('boundary_gt.', )),
        ('metric_counts', 'metric_counts.vs_opencv', ('metric_counts.', )),
        # the loss plants corrupt every registered loss case's result
        ('cbl_fp32', 'cbl_loss.ocr.fp32.vs_peer.values',
         ('cbl_loss.ocr.fp32.', 'cbl_loss.mask_classification.fp32.')),
        ('cbl_autocast', 'cbl_loss.ocr.bf16.close_to_fp32.values',
         ('cbl_loss.ocr.bf16.', 'cbl_loss.ocr.fp16.',
          'cbl_loss.mask_classification.bf16.',
          'cbl_loss.mask_classification.fp16.')),
    ])
def test_planted_error_is_reported(tmp_path, plant, failed, family):
    assert plant in PLANT_NAMES
    report = run_gpu_report(
        str(tmp_path),
        device='cpu',
        quick=True,
        parts=['correctness'],
        plant=plant,
        log=lambda message: None)
    assert not report.passed
    data = json.loads((tmp_path / 'gpu_report.json').read_text())
    check_schema(data)
    assert not data['passed']
    statuses = {c['name']: c['status'] for c in data['checks']}
    assert statuses[failed] == 'failed'
    # only the corrupted result fails
    wrong = {name for name, status in statuses.items() if status == 'failed'}
    assert all(name.startswith(family) for name in wrong), wrong
    assert '| failed |' in (tmp_path / 'gpu_report.md').read_text()


@pytest.mark.slow
def test_planted_error_exit_status(tmp_path):
    proc = run_tool([
        sys.executable, 'tools/benchmarks/gpu_report.py', '--device', 'cpu',
        '--quick', '--parts', 'boundary_speed', 'correctness', '--plant-error',
        'boundary_gt', '--out-dir',
        str(tmp_path)
    ],
                    timeout=300)
    assert proc.returncode == 1, proc.stdout[-4000:]
    assert 'check boundary_gt.vs_numpy: FAILED' in proc.stdout
    data = json.loads((tmp_path / 'gpu_report.json').read_text())
    assert [p['name']
            for p in data['parts']] == ['boundary_speed', 'correctness']


def test_cuda_requested_without_gpu(tmp_path):
    if torch.cuda.is_available():
        pytest.skip('a GPU is present')
    with pytest.raises(RuntimeError, match='torch.cuda.is_available'):
        run_gpu_report(str(tmp_path), device='cuda', quick=True)
    assert main(['--quick', '--out-dir', str(tmp_path)]) == 2


def test_cross_device_comparisons_run(tmp_path, monkeypatch):
    """The CUDA-vs-CPU comparison code, exercised with the CPU on both
    sides (so that it cannot rot while no GPU is around); the report of a
    real --device cpu run skips these checks instead."""
    monkeypatch.setattr(gpu_checks, '_cuda_note', lambda device: None)
    report = run_gpu_report(
        str(tmp_path),
        device='cpu',
        quick=True,
        parts=['correctness'],
        log=lambda message: None)
    statuses = {c['name']: c['status'] for c in report.checks}
    for name in ('boundary_gt.cuda_vs_cpu', 'metric_counts.cuda_vs_cpu',
                 'cbl_loss.ocr.fp32.cuda_vs_cpu.values',
                 'cbl_loss.ocr.fp32.cuda_vs_cpu.grads'):
        assert statuses[name] == 'passed'
    assert report.passed


def test_full_size_training_skipped_on_cpu(tmp_path):
    report = run_gpu_report(
        str(tmp_path),
        device='cpu',
        quick=False,
        parts=['train_cost'],
        log=lambda message: None)
    data = report.to_dict()
    assert data['passed']
    part, = data['parts']
    assert part['status'] == 'skipped' and 'needs CUDA' in part['reason']


@pytest.mark.parametrize('case', ['street', 'no_boundary', 'all_ignore'])
def test_plain_autograd_peer_matches_ours(case):
    feats, logits, gt, edge, weight, bias = cbl_loss_inputs(
        2, 32, 64, 6, 2, seed=3)
    feats, logits = feats.double(), logits.double()
    weight, bias = weight.double(), bias.double()
    if case == 'no_boundary':
        edge = torch.zeros_like(edge)
    elif case == 'all_ignore':
        gt = torch.full_like(gt, 255)
    results = []
    for fn in (conditional_boundary_loss, plain_autograd_cbl):
        leaf = feats.clone().requires_grad_()
        terms = fn(leaf, logits, gt, edge, weight, bias)
        (terms['context'] + 0.2 * terms['nce'] + 2.0 * terms['cn']).backward()
        results.append((terms, leaf.grad))
    (ours, ours_grad), (peer, peer_grad) = results
    for name in ('context', 'nce', 'cn'):
        torch.testing.assert_close(
            peer[name].double(), ours[name].double(), rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(peer_grad, ours_grad, rtol=1e-5, atol=1e-9)
    if case == 'street':
        assert float(ours['nce'].detach()) > 0
        assert float(ours['context'].detach()) > 0
    else:
        assert float(ours['nce'].detach()) == 0
        assert float(ours['context'].detach()) == 0
