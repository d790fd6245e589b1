# Copyright (c) cblseg contributors. All rights reserved.
"""Parameter counts of a segmentor, per part, from its config."""
from collections import OrderedDict

import torch.nn as nn

__all__ = ['count_parameters', 'count_config_parameters']


def count_parameters(model: nn.Module) -> 'OrderedDict[str, int]':
    """Parameters per top-level part of a segmentor, and totals.

    Args:
        model (nn.Module): E.g. an MMSeg ``EncoderDecoder``.

    Returns:
        OrderedDict: one entry per direct child with parameters
        (``backbone``, ``decode_head``, ``auxiliary_head``, ...), then
        ``total`` and ``inference`` (the total without the auxiliary head,
        which is used in training only).
    """
    counts = OrderedDict()
    for name, child in model.named_children():
        size = sum(p.numel() for p in child.parameters())
        if size:
            counts[name] = size
    total = sum(p.numel() for p in model.parameters())
    counts['total'] = total
    counts['inference'] = total - counts.get('auxiliary_head', 0)
    return counts


def count_config_parameters(config) -> 'OrderedDict[str, int]':
    """Build the model of a config (no weights are loaded) and count it.

    Args:
        config (str | Config): A config file or a loaded config.

    Returns:
        OrderedDict: see :func:`count_parameters`.
    """
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from .config import load_config
    from .distributed import adapt_cfg_to_hardware
    cfg = load_config(config) if isinstance(config, str) else config.copy()
    # SyncBN has the same parameters as BN and needs no process group.
    adapt_cfg_to_hardware(cfg)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    return count_parameters(MODELS.build(cfg.model))
