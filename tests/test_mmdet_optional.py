# Copyright (c) cblseg contributors. All rights reserved.
"""mmdet is optional: without it cblseg imports, the mask-classification
loss works, the demo model builds and runs, and building a CBL mask head
raises an ImportError that says what to install; with it, MMSeg's
Mask2Former head (which the CBL mask heads build on) imports.

"Without mmdet" is a fresh interpreter whose import system refuses
``mmdet`` (a ``sys.meta_path`` finder inserted before anything else is
imported), so the test needs no second environment.
"""
import sys

import pytest

from helpers import DEMO_BASELINE_CONFIG, run_tool

REFUSE_MMDET = '''
import importlib.abc
import sys


class RefuseMMDet(importlib.abc.MetaPathFinder):

    def find_spec(self, name, path=None, target=None):
        if name == 'mmdet' or name.startswith('mmdet.'):
            raise ModuleNotFoundError(
                f'No module named {name!r} (refused by the test)', name=name)
        return None


sys.meta_path.insert(0, RefuseMMDet())
'''

WITHOUT_MMDET = REFUSE_MMDET + f'''
import torch
from mmengine.config import Config
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules

import cblseg
from cblseg.models.losses import mask_conditional_boundary_loss

register_all_modules(init_default_scope=True)
try:
    import mmdet  # noqa: F401
except ModuleNotFoundError:
    print('mmdet refused')
cfg = Config.fromfile({DEMO_BASELINE_CONFIG!r})
model = MODELS.build(cfg.model).eval()
with torch.no_grad():
    out = model(torch.rand(1, 3, 64, 128), mode='tensor')
print('demo model output', tuple(out.shape))
gt = torch.randint(0, 3, (1, 1, 32, 32))
terms = mask_conditional_boundary_loss(
    torch.randn(1, 8, 8, 8), torch.randn(1, 4, 8), torch.randn(1, 4, 4), gt,
    torch.ones_like(gt))
print('mask loss', sorted(terms))
from cblseg.models.decode_heads import CBLMask2FormerHead, CBLMaskFormerHead
for head in ('CBLMask2FormerHead', 'CBLMaskFormerHead'):
    try:
        MODELS.build(dict(type=head, num_classes=3, feat_channels=8))
    except ImportError as err:
        print(head, 'ImportError:', err)
loaded = [m for m in sys.modules if m == 'mmdet' or m.startswith('mmdet.')]
print('mmdet modules loaded:', loaded)
'''


@pytest.mark.slow
def test_cblseg_works_without_mmdet():
    proc = run_tool([sys.executable, '-c', WITHOUT_MMDET], timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:]
    out = proc.stdout
    assert 'mmdet refused' in out, out[-3000:]
    assert 'demo model output (1, 19, 16, 32)' in out, out[-3000:]
    assert "mask loss ['cn', 'context', 'nce']" in out, out[-3000:]
    assert 'mmdet modules loaded: []' in out, out[-3000:]
    for head in ('CBLMask2FormerHead', 'CBLMaskFormerHead'):
        assert f'{head} ImportError: {head} is built on' in out, out[-3000:]
    assert 'pip install --no-deps "mmdet==3.3.0"' in out, out[-3000:]


def test_mmdet_heads_import_with_mmdet():
    """The installed stack has mmdet (scripts/setup_env.sh), and MMSeg's
    mask heads are built on it rather than on its fallback."""
    import mmdet
    from mmseg.models.decode_heads import mask2former_head

    assert mmdet.__version__ == '3.3.0'
    assert mask2former_head.MMDET_Mask2FormerHead.__module__.startswith(
        'mmdet.')
