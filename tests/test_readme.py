"""The README's "add CBL to an existing config" snippet works as printed."""
import os.path as osp
import re

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from cblseg.utils import adapt_cfg_to_hardware
from helpers import REPO_ROOT


def _readme_snippet():
    with open(osp.join(REPO_ROOT, 'README.md'), encoding='utf-8') as f:
        blocks = re.findall(r'```python\n(.*?)```', f.read(), re.S)
    snippets = [b for b in blocks if 'CBLASPPHead' in b]
    assert len(snippets) == 1
    return snippets[0]


def test_readme_cbl_snippet_builds(tmp_path):
    path = tmp_path / 'my_deeplabv3_cbl.py'
    path.write_text(_readme_snippet())
    cfg = Config.fromfile(str(path))
    init_default_scope('mmseg')
    assert cfg.model.decode_head.type == 'CBLASPPHead'
    # everything else of MMSeg's head is kept by the dict merge
    assert cfg.model.decode_head.dilations == (1, 12, 24, 36)
    assert cfg.val_evaluator == dict(type='BoundaryIoUMetric')
    pipeline = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert pipeline[1:3] == ['LoadAnnotations', 'GenerateBoundary']
    adapt_cfg_to_hardware(cfg)
    model = MODELS.build(cfg.model)
    assert type(model.decode_head).__name__ == 'CBLASPPHead'


def readme_python_block(marker):
    """The one ```python block of README.md that contains ``marker``."""
    with open(osp.join(REPO_ROOT, 'README.md'), encoding='utf-8') as f:
        blocks = re.findall(r'```python\n(.*?)```', f.read(), re.S)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f'{len(found)} README blocks contain {marker!r}'
    return found[0]


def test_readme_plain_pytorch_step_trains():
    """The "CBL in a plain PyTorch model" step runs and moves the
    backbone by the CBL's gradient (not only the cross-entropy's)."""
    import torch
    snippet = readme_python_block('conditional_boundary_loss(')
    torch.manual_seed(0)
    scope = {}
    exec(compile(snippet, 'README.md', 'exec'), scope)
    terms = scope['terms']
    assert set(terms) == {'context', 'nce', 'cn'}
    assert all(float(t.detach()) > 0 for t in terms.values())
    # the CBL terms reach the backbone
    feats = scope['backbone'](scope['images'])
    again = scope['conditional_boundary_loss'](feats,
                                               scope['classifier'](feats),
                                               scope['labels'],
                                               scope['boundaries'],
                                               scope['classifier'].weight)
    grad = torch.autograd.grad(
        sum(again.values()), scope['backbone'][0].weight)[0]
    assert float(grad.abs().sum()) > 0
