# Copyright (c) cblseg contributors. All rights reserved.
"""CBLMask2FormerHead and CBLMaskFormerHead: MMSeg's heads (built from
MMSeg's own configs, shrunk) plus the mask-classification CBL.

With the CBL weights at 0 the losses, every parameter gradient and the
predictions equal MMSeg's head bit for bit under the same seed; checkpoints
load strictly both ways; the CBL terms reach the pixel decoder and the
queries; a missing ``gt_edge_map`` is computed on the fly with a warning.
"""
import copy
import os.path as osp

import mmseg
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from cblseg.models.decode_heads import CBLMask2FormerHead, CBLMaskFormerHead
from cblseg.ops import label_to_boundary_torch, radius_from_dilation
from helpers.labels import synthetic_label
from helpers.models import CBL_KEYS, make_batch

pytest.importorskip('mmdet')
import mmdet.models  # noqa: F401,E402 (registers mmdet's modules)

NUM_CLASSES = 5
DIMS = 32
SIZE = (64, 96)
MMSEG_CONFIGS = {
    'Mask2FormerHead':
    'mask2former/mask2former_r50_8xb2-90k_cityscapes-512x1024.py',
    'MaskFormerHead':
    'maskformer/maskformer_r50-d32_8xb2-160k_ade20k-512x512.py',
}
CBL_TYPES = {
    'Mask2FormerHead': CBLMask2FormerHead,
    'MaskFormerHead': CBLMaskFormerHead
}
_HEAD_CFGS = {}


@pytest.fixture(autouse=True)
def mmseg_scope_and_one_thread(mmseg_scope_and_seed):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_head_cfg(kind):
    """MMSeg's head config with small widths, few queries and layers."""
    if kind not in _HEAD_CFGS:
        path = osp.join(
            osp.dirname(mmseg.__file__), '.mim', 'configs',
            MMSEG_CONFIGS[kind])
        head = Config.fromfile(path).model.decode_head
        head.update(
            in_channels=[8, 16, 32, 64],
            feat_channels=DIMS,
            out_channels=DIMS,
            num_classes=NUM_CLASSES,
            num_queries=4)
        head.loss_cls.class_weight = [1.0] * NUM_CLASSES + [0.1]
        head.positional_encoding.num_feats = DIMS // 2
        head.pixel_decoder.norm_cfg.num_groups = 8
        layers = [head.transformer_decoder.layer_cfg]
        head.transformer_decoder.num_layers = 2
        if kind == 'Mask2FormerHead':
            encoder = head.pixel_decoder.encoder
            encoder.num_layers = 1
            layers.append(encoder.layer_cfg)
            head.pixel_decoder.positional_encoding.num_feats = DIMS // 2
            head.train_cfg.num_points = 256
        for layer in layers:
            for key in ('self_attn_cfg', 'cross_attn_cfg'):
                if key in layer:
                    layer[key].update(embed_dims=DIMS, num_heads=4)
            layer.ffn_cfg.update(embed_dims=DIMS, feedforward_channels=64)
        _HEAD_CFGS[kind] = head
    return copy.deepcopy(_HEAD_CFGS[kind])


def build_pair(kind, **cbl_kwargs):
    """MMSeg's head and the CBL head with the same weights."""
    torch.manual_seed(0)
    mmseg_head = MODELS.build(tiny_head_cfg(kind))
    cfg = tiny_head_cfg(kind)
    cfg.update(type=CBL_TYPES[kind].__name__, **cbl_kwargs)
    cbl_head = MODELS.build(cfg)
    cbl_head.load_state_dict(mmseg_head.state_dict(), strict=True)
    mmseg_head.train()
    cbl_head.train()
    return mmseg_head, cbl_head


def make_inputs(bsz=2, with_edges=True, seed=0):
    labels = [
        synthetic_label(*SIZE, seed=seed + i, num_classes=NUM_CLASSES)
        for i in range(bsz)
    ]
    samples = make_batch(labels, with_edges=with_edges)['data_samples']
    gen = torch.Generator().manual_seed(seed)
    feats = [
        torch.randn(
            bsz, ch, SIZE[0] // stride, SIZE[1] // stride, generator=gen)
        for ch, stride in zip([8, 16, 32, 64], [4, 8, 16, 32])
    ]
    return feats, samples


def run_loss(head, feats, samples, seed=1):
    feats = [f.clone().requires_grad_() for f in feats]
    head.zero_grad()
    torch.manual_seed(seed)
    losses = head.loss(feats, copy.deepcopy(samples), dict())
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    grads = {n: p.grad for n, p in head.named_parameters()}
    return losses, grads, [f.grad for f in feats]


@pytest.mark.parametrize('kind', sorted(MMSEG_CONFIGS))
def test_zero_weights_equal_mmseg_bit_for_bit(kind):
    zero = dict(
        type='MaskConditionalBoundaryLoss',
        loss_weight_context=0.0,
        loss_weight_nce=0.0,
        loss_weight_cn=0.0)
    mmseg_head, cbl_head = build_pair(kind, cbl_loss=zero)
    feats, samples = make_inputs()
    ref_losses, ref_grads, ref_input_grads = run_loss(mmseg_head, feats,
                                                      samples)
    losses, grads, input_grads = run_loss(cbl_head, feats, samples)
    assert set(losses) == set(ref_losses) | set(CBL_KEYS)
    for key, value in ref_losses.items():
        assert torch.equal(losses[key], value), key
    for key in CBL_KEYS:
        assert float(losses[key].detach()) == 0
    assert set(grads) == set(ref_grads)
    for name, grad in ref_grads.items():
        if grad is None:
            assert grads[name] is None, name
        else:
            assert torch.equal(grads[name], grad), name
    for a, b in zip(input_grads, ref_input_grads):
        assert torch.equal(a, b)
    # predictions: the same code (MMSeg's predict), the same outputs
    mmseg_head.eval()
    cbl_head.eval()
    metas = [s.metainfo for s in samples]
    with torch.no_grad():
        ref = mmseg_head.predict(feats, copy.deepcopy(metas), dict())
        out = cbl_head.predict(feats, copy.deepcopy(metas), dict())
    assert torch.equal(out, ref)


@pytest.mark.parametrize('kind', sorted(MMSEG_CONFIGS))
def test_checkpoints_load_strictly_both_ways(kind):
    mmseg_head, cbl_head = build_pair(kind)
    assert list(cbl_head.state_dict()) == list(mmseg_head.state_dict())
    torch.manual_seed(5)
    other = MODELS.build(tiny_head_cfg(kind))
    other.load_state_dict(cbl_head.state_dict(), strict=True)
    for a, b in zip(other.state_dict().values(),
                    cbl_head.state_dict().values()):
        assert torch.equal(a, b)


@pytest.mark.parametrize('kind', sorted(MMSEG_CONFIGS))
def test_cbl_terms_train_features_and_queries(kind):
    mmseg_head, cbl_head = build_pair(kind)
    assert (cbl_head.cbl_loss.loss_weight_context,
            cbl_head.cbl_loss.loss_weight_nce,
            cbl_head.cbl_loss.loss_weight_cn) == (2.0, 0.4, 4.0)
    feats, samples = make_inputs(seed=3)
    feats = [f.requires_grad_() for f in feats]
    losses = cbl_head.loss(feats, samples, dict())
    for key in CBL_KEYS:
        value = losses[key].detach()
        assert torch.isfinite(value) and float(value) > 0, key
    grads = torch.autograd.grad(
        sum(losses[key] for key in CBL_KEYS),
        [cbl_head.mask_embed[0].weight, cbl_head.cls_embed.weight],
        allow_unused=True)
    # NCE reaches the queries: mask embeddings and class logits
    assert all(g is not None and float(g.abs().sum()) > 0 for g in grads)


@pytest.mark.parametrize('kind', sorted(MMSEG_CONFIGS))
def test_captured_tensors_are_the_last_layer(kind):
    """The recorded embeddings, features and logits belong together: the
    embeddings times the mask features are the last layer's mask logits,
    and the class logits are the last layer's."""
    _, cbl_head = build_pair(kind)
    feats, samples = make_inputs()
    for sample in samples:  # (MMSeg's MaskFormerHead adds it in loss())
        sample.set_metainfo(dict(batch_input_shape=SIZE))
    with cbl_head._cbl_capture() as captured:
        all_cls, all_masks = cbl_head(feats, samples)
    assert captured['mask_embed'].shape == (2, 4, DIMS)
    assert torch.equal(captured['cls_logits'], all_cls[-1])
    assert torch.equal(captured['mask_logits'], all_masks[-1])
    torch.testing.assert_close(
        torch.einsum('bqd,bdhw->bqhw', captured['mask_embed'],
                     captured['mask_feats']), all_masks[-1])
    assert captured['mask_feats'].shape[-2:] == (SIZE[0] // 4, SIZE[1] // 4)


@pytest.mark.parametrize('kind', sorted(MMSEG_CONFIGS))
def test_ignore_only_batch(kind):
    _, cbl_head = build_pair(kind)
    feats, samples = make_inputs()
    for sample in samples:
        sample.gt_sem_seg.data.fill_(255)
        sample.gt_edge_map.data.fill_(255)
    losses = cbl_head.loss(feats, samples, dict())
    for key in CBL_KEYS:
        assert float(losses[key].detach()) == 0 and losses[key].requires_grad


@pytest.mark.parametrize('kind', sorted(MMSEG_CONFIGS))
def test_missing_edge_map_computed_with_warning(kind):
    _, cbl_head = build_pair(kind)
    feats, samples = make_inputs(with_edges=False, seed=4)
    with pytest.warns(UserWarning, match='no gt_edge_map'):
        torch.manual_seed(0)
        losses = cbl_head.loss(feats, copy.deepcopy(samples), dict())
    # the same as samples carrying the boundary at dilation 0.02
    gt = torch.stack([s.gt_sem_seg.data for s in samples])
    edges = label_to_boundary_torch(gt, radius_from_dilation(0.02, *SIZE), 255)
    for sample, edge in zip(samples, edges):
        sample.gt_edge_map = type(sample.gt_sem_seg)(data=edge.long())
    torch.manual_seed(0)
    expected = cbl_head.loss(feats, samples, dict())
    for key in CBL_KEYS:
        assert torch.equal(losses[key], expected[key]), key


def test_bad_label_named_before_any_loss():
    _, cbl_head = build_pair('Mask2FormerHead')
    feats, samples = make_inputs()
    samples[1].gt_sem_seg.data[0, 0, 0] = 40
    with pytest.raises(ValueError, match='CBLMask2FormerHead.*40'):
        cbl_head.loss(feats, samples, dict())


# --------------------------------------------------------------------------
# DDP
# --------------------------------------------------------------------------
class _LossOf(torch.nn.Module):
    """What a segmentor's train step does with the head: loss() summed."""

    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, feats, samples):
        losses = self.head.loss(feats, samples, dict())
        return sum(v for k, v in losses.items() if 'loss' in k)


def _ddp_worker(rank, world_size, out_dir):
    import datetime
    import gc

    import torch.distributed as dist
    from mmengine.registry import init_default_scope
    from torch.nn.parallel import DistributedDataParallel

    from helpers import gloo_thread_count

    # A file store, not a TCP port: a port picked as free can be taken by
    # another test process before rank 0 binds it, and a rank that reaches
    # a foreign store waits forever; the timeout turns any hang into an error
    dist.init_process_group(
        'gloo',
        init_method=f'file://{out_dir}/store',
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=300))
    try:
        torch.set_num_threads(1)
        init_default_scope('mmseg')
        for kind in sorted(MMSEG_CONFIGS):
            torch.manual_seed(0)
            cfg = tiny_head_cfg(kind)
            cfg.type = CBL_TYPES[kind].__name__
            model = DistributedDataParallel(
                _LossOf(MODELS.build(cfg)), find_unused_parameters=False)
            # DDP raises in a step's forward if a parameter was not reduced
            # in the step before
            for step in range(2):
                feats, samples = make_inputs(seed=10 * rank + step)
                if rank == 1 and step == 0:
                    # no boundary pixel on this rank: zero CBL terms, still
                    # connected to what the terms reach
                    for sample in samples:
                        sample.gt_edge_map.data.zero_()
                torch.manual_seed(step)
                model.zero_grad()
                model(feats, samples).backward()
            grads = torch.cat([
                p.grad.flatten() for p in model.parameters()
                if p.grad is not None
            ])
            torch.save(grads, f'{out_dir}/{kind}_{rank}.pt')
            # The wrapper holds the process group: while it lives, gloo's
            # threads outlive destroy_process_group and end in the
            # interpreter's shutdown, where one that needs the GIL deadlocks
            # or aborts the rank (as close_distributed explains).
            del model
        gc.collect()  # DDP's hooks keep the wrapper in reference cycles
        dist.barrier()
    finally:
        dist.destroy_process_group()
    with open(f'{out_dir}/gloo_threads_{rank}.txt', 'w') as f:
        f.write(str(gloo_thread_count()))


@pytest.mark.slow
def test_two_process_ddp_without_unused_parameters(tmp_path):
    """2-process gloo DDP with ``find_unused_parameters=False``, both heads:
    every step reduces every parameter (DDP raises otherwise), also on a
    step where one rank has no boundary pixel, and the ranks end with equal
    gradients."""
    import time

    import torch.multiprocessing as mp
    context = mp.spawn(
        _ddp_worker, args=(2, str(tmp_path)), nprocs=2, join=False)
    # a hung rank fails this test instead of stalling the whole suite
    deadline = time.monotonic() + 300
    while not context.join(timeout=5):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail('the 2-process DDP run did not end within 300 s')
    for kind in sorted(MMSEG_CONFIGS):
        grads = [torch.load(tmp_path / f'{kind}_{r}.pt') for r in range(2)]
        assert torch.equal(grads[0], grads[1]), kind
    if osp.isdir('/proc/self/task'):
        # gloo's threads ended before each rank's interpreter shut down
        for rank in range(2):
            assert (tmp_path / f'gloo_threads_{rank}.txt').read_text() == '0'


@pytest.mark.parametrize('doc', ['README.md', 'docs/cbl.md'])
def test_documented_mask2former_config_builds(doc, tmp_path):
    """The few config lines that the README and docs/cbl.md show a
    Mask2Former user build the CBL model from MMSeg's config."""
    import re

    from helpers import REPO_ROOT
    with open(osp.join(REPO_ROOT, doc), encoding='utf-8') as f:
        blocks = re.findall(r'```python\n(.*?)```', f.read(), re.S)
    snippet, = [b for b in blocks if "type='CBLMask2FormerHead'" in b]
    path = tmp_path / 'cbl_mask2former.py'
    path.write_text(snippet)
    cfg = Config.fromfile(str(path))
    assert cfg.custom_imports.imports == ['mmdet.models', 'cblseg']
    cfg.model.backbone.init_cfg = None  # no download
    model = MODELS.build(cfg.model)
    assert type(model.decode_head) is CBLMask2FormerHead
    assert model.decode_head.num_classes == 150
    assert model.decode_head.num_queries == 100
    if doc == 'README.md':
        # and a training forward of the whole segmentor gives the terms
        labels = [synthetic_label(64, 64, seed=i) for i in range(2)]
        cfg.model.data_preprocessor.size = None
        cfg.model.data_preprocessor.size_divisor = 32
        model = MODELS.build(cfg.model).train()
        data = model.data_preprocessor(make_batch(labels), True)
        losses = model(**data, mode='loss')
        for key in CBL_KEYS:  # (NCE / CN need right predictions)
            assert losses[f'decode.{key}'].requires_grad, key
            assert torch.isfinite(losses[f'decode.{key}']), key
        assert float(losses['decode.loss_cbl_context'].detach()) > 0
