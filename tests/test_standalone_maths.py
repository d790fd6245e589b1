"""The maths imports and runs with torch, numpy and OpenCV only.

A subprocess installs a meta-path finder that refuses mmseg, mmcv,
mmengine and mmdet (as if they were not installed), then imports
``cblseg``, ``cblseg.ops``, the functional CBL losses and the boundary
metric's count function and runs each on a tiny tensor.
"""
import os.path as osp
import re
import subprocess
import sys
import textwrap

import pytest

from helpers import REPO_ROOT

# Each test runs a fresh interpreter (OpenMMLab blocked): slow, as other
# subprocess tests are (docs/testing.md).
pytestmark = pytest.mark.slow

_BLOCKER = '''
import sys

BLOCKED = ('mmseg', 'mmcv', 'mmengine', 'mmdet')


class Refuse:
    """Meta-path finder: the OpenMMLab packages are "not installed"."""

    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ModuleNotFoundError(f'No module named {name!r} (blocked)',
                                      name=name)
        return None


sys.meta_path.insert(0, Refuse())
'''

_SCRIPT = '''
import numpy as np
import torch

import cblseg
from cblseg.evaluation.functional import boundary_counts, count_row_names
from cblseg.models.losses.functional import (conditional_boundary_loss,
                                             mask_conditional_boundary_loss)
from cblseg.ops import label_to_boundary, label_to_boundary_torch

for name in ('mmseg', 'mmcv', 'mmengine', 'mmdet'):
    try:
        __import__(name)
    except ModuleNotFoundError:
        pass
    else:
        raise AssertionError(name + ' was importable')
loaded = sorted(m for m in sys.modules
                if m.split('.')[0] in ('mmseg', 'mmcv', 'mmengine', 'mmdet'))
assert not loaded, loaded
assert not hasattr(cblseg.models, 'ConditionalBoundaryLoss')

torch.manual_seed(0)
label = torch.zeros(1, 8, 8, dtype=torch.long)
label[:, :, 4:] = 1
label[0, 0, 0] = 255
edge = label_to_boundary_torch(label, 1)
assert (label_to_boundary(label[0].numpy(), 1) == edge[0].numpy()).all()

feats = torch.randn(1, 4, 8, 8, requires_grad=True)
weight = torch.randn(2, 4)
logits = torch.einsum('kc,bchw->bkhw', weight, feats.detach())
terms = conditional_boundary_loss(feats, logits, label, edge, weight)
sum(terms.values()).backward()
assert feats.grad is not None and torch.isfinite(feats.grad).all()
assert float(terms['context'].detach()) > 0

mask_feats = torch.randn(1, 4, 8, 8, requires_grad=True)
mask_embed = torch.randn(1, 3, 4, requires_grad=True)
cls_logits = torch.randn(1, 3, 3, requires_grad=True)
mask_terms = mask_conditional_boundary_loss(mask_feats, mask_embed,
                                            cls_logits, label, edge)
sum(mask_terms.values()).backward()
assert mask_embed.grad is not None

pred = torch.zeros(1, 8, 8, dtype=torch.long)
pred[:, :, 5:] = 1
counts = boundary_counts(pred, label, num_classes=2, radius=1)
assert counts.counts.shape == (1, len(count_row_names()), 2)
assert int(counts.counts[0, 0].sum()) == 63  # area_gt: one pixel ignored
print('standalone ok')
'''


def _run_blocked(code):
    """Run ``code`` in a fresh interpreter with OpenMMLab blocked."""
    return subprocess.run([sys.executable, '-c', _BLOCKER + code],
                          cwd=REPO_ROOT,
                          env=_env(),
                          capture_output=True,
                          text=True,
                          timeout=120)


def test_maths_imports_and_runs_without_openmmlab():
    result = _run_blocked(textwrap.dedent(_SCRIPT))
    assert result.returncode == 0, result.stderr
    assert 'standalone ok' in result.stdout


def test_readme_step_runs_without_openmmlab():
    """README's "CBL in a plain PyTorch model" step, with OpenMMLab
    blocked."""
    with open(osp.join(REPO_ROOT, 'README.md'), encoding='utf-8') as f:
        blocks = re.findall(r'```python\n(.*?)```', f.read(), re.S)
    snippet, = [b for b in blocks if 'conditional_boundary_loss(' in b]
    result = _run_blocked(snippet + textwrap.dedent('''
        assert not [m for m in sys.modules if m.split('.')[0] in BLOCKED]
        print('readme ok', float(loss))
        '''))
    assert result.returncode == 0, result.stderr
    assert 'readme ok' in result.stdout


def test_blocker_blocks():
    """The finder really hides mmseg (the test above could not fail
    otherwise): ``import mmseg`` fails under it."""
    result = _run_blocked('import mmseg\n')
    assert result.returncode != 0
    assert "No module named 'mmseg' (blocked)" in result.stderr


def _env():
    import os
    env = dict(os.environ)
    # this checkout first, whatever is installed
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO_ROOT)] + [p for p in [env.get('PYTHONPATH')] if p])
    return env
