# Copyright (c) cblseg contributors. All rights reserved.
"""Config loading and comparison for the config tests.

Every ``mmseg::`` base costs mmengine a scan of MMSeg's 50 metafiles and a
``pkg_resources`` reload (0.15 s on an idle core, several times that on a
busy machine), and a config of ours has up to four: :func:`load_config`
loads each file once per test process (public ``Config`` API only) and
hands out copies.
"""
import copy
import functools

from mmengine.config import Config


@functools.lru_cache(maxsize=None)
def _load_config_once(path):
    return Config.fromfile(path)


def load_config(path):
    """``Config.fromfile(path)``, parsed once per process; each call gets
    its own deep copy, so tests may change it. Only for files that do not
    change during the run (the repo's and MMSeg's configs)."""
    return copy.deepcopy(_load_config_once(str(path)))


def unscope(x):
    """``x`` without mmengine's ``_scope_`` keys, at any depth."""
    if isinstance(x, dict):
        return {k: unscope(v) for k, v in x.items() if k != '_scope_'}
    if isinstance(x, (list, tuple)):
        return type(x)(unscope(v) for v in x)
    return x


def unchecked(x):
    """LoadCheckedAnnotations (our dataset configs' label check) back to
    MMSeg's LoadAnnotations, wherever it is (TestTimeAug included), and
    LoadAnnotations' reduce_zero_label dropped: MMSeg's ADE20K configs pass
    it, our loaders take it from the dataset (ADE20KDataset sets it; the
    dataset dicts are compared as they are)."""
    if isinstance(x, dict):
        if x.get('type') in ('LoadCheckedAnnotations', 'LoadAnnotations'):
            return dict(type='LoadAnnotations')
        return {k: unchecked(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(unchecked(v) for v in x)
    return x


def without_cbl(cfg: Config) -> dict:
    """The config with the CBL changes undone: head types, cbl_loss,
    GenerateBoundary (and PadSegFields for Pad), AMP, custom_imports, the
    label check and boundary evaluator of our dataset configs and
    mmengine's _scope_ marks."""
    d = unchecked(unscope(copy.deepcopy(cfg.to_dict())))
    d.pop('custom_imports', None)
    for key in ('val_evaluator', 'test_evaluator'):
        if d.get(key) == dict(type='BoundaryIoUMetric'):
            d[key] = dict(type='IoUMetric', iou_metrics=['mIoU'])
    heads = d['model']['decode_head']
    for head in heads if isinstance(heads, list) else [heads]:
        if head['type'].startswith('CBL'):
            head['type'] = head['type'][len('CBL'):]
            head.pop('cbl_loss', None)
    if d.get('optim_wrapper', {}).get('type') == 'AmpOptimWrapper':
        d['optim_wrapper']['type'] = 'OptimWrapper'
        d['optim_wrapper'].pop('loss_scale')

    def no_boundary(pipeline):
        # PadSegFields is mmcv's Pad that also pads gt_edge_map
        pipeline = [t for t in pipeline if t['type'] != 'GenerateBoundary']
        return [
            dict(t, type='Pad') if t['type'] == 'PadSegFields' else t
            for t in pipeline
        ]

    dataset = d['train_dataloader']['dataset']
    for leaf in dataset.get('datasets', [dataset]):
        leaf['pipeline'] = no_boundary(leaf['pipeline'])
    for key in ('train_pipeline', ):
        d[key] = no_boundary(d[key])
    for key in ('dataset_train', 'dataset_aug'):
        if key in d:
            d[key]['pipeline'] = no_boundary(d[key]['pipeline'])
    return d
