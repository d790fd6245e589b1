"""Making MMSeg configs written for GPU clusters run on CPU-only machines.

mmengine assumes CUDA once a launcher is given: ``init_dist`` calls
``torch.cuda.set_device`` and the Runner wraps the model in DDP with
``device_ids=[LOCAL_RANK]``; SyncBN refuses CPU tensors. On a machine without
CUDA the helpers here pick the gloo backend, open the process group before the
Runner does (mmengine then skips its own ``init_dist``), wrap the model in DDP
without device ids and fall back from SyncBN to BN with a warning. With CUDA
nothing changes: nccl, SyncBN and mmengine's defaults as configured.
"""
import os
import warnings
from typing import Any

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

__all__ = [
    'distributed_backend', 'replace_sync_bn', 'init_cpu_distributed',
    'adapt_cfg_to_hardware'
]

_SYNC_BN_TYPES = ('SyncBN', 'MMSyncBN', 'SyncBatchNorm')
# AmpOptimWrapper's arguments that OptimWrapper does not take.
_AMP_ONLY_KEYS = ('loss_scale', 'dtype', 'use_fsdp')


def distributed_backend() -> str:
    """The torch.distributed backend that fits this machine.

    Returns:
        str: ``'nccl'`` with CUDA, else ``'gloo'``.
    """
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def replace_sync_bn(node: Any) -> int:
    """Replace every ``type='SyncBN'``-like norm config in place by ``BN``.

    Args:
        node: A config (dict/list tree) to walk.

    Returns:
        int: How many norm configs were replaced.
    """
    replaced = 0
    if isinstance(node, dict):
        if node.get('type') in _SYNC_BN_TYPES:
            node['type'] = 'BN'
            replaced += 1
        for value in node.values():
            replaced += replace_sync_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            replaced += replace_sync_bn(value)
    return replaced


def init_cpu_distributed(launcher: str, timeout_s: int = 1800) -> bool:
    """Open a gloo process group for a CPU run started by torchrun or slurm.

    mmengine's ``init_dist`` would call ``torch.cuda.set_device``, which fails
    without CUDA. The Runner skips ``init_dist`` when a group already exists.

    Args:
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        timeout_s (int): Process group timeout in seconds.

    Returns:
        bool: Whether this call created the process group.
    """
    if (launcher == 'none' or torch.cuda.is_available()
            or torch_dist.is_initialized()):
        return False
    if launcher == 'slurm':
        # Translate slurm's view of the job into torchrun's variables.
        os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
        os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
        os.environ.setdefault('LOCAL_RANK', os.environ['SLURM_LOCALID'])
        os.environ.setdefault('MASTER_PORT', '29500')
        if 'MASTER_ADDR' not in os.environ:
            import subprocess
            nodes = os.environ['SLURM_NODELIST']
            os.environ['MASTER_ADDR'] = subprocess.getoutput(
                f'scontrol show hostname {nodes} | head -n1')
    elif launcher != 'pytorch':
        raise ValueError(
            f'launcher={launcher!r} on a machine without CUDA: use '
            "--launcher pytorch (tools/dist_train.sh) or 'slurm'.")
    from datetime import timedelta
    torch_dist.init_process_group(
        backend='gloo', timeout=timedelta(seconds=timeout_s))
    return True


def adapt_cfg_to_hardware(cfg: Config) -> Config:
    """Adjust a config in place so it runs on this machine.

    With CUDA the config is left as it is. Without CUDA: the distributed
    backend becomes gloo, SyncBN becomes BN and AMP becomes fp32 training
    (each with a warning; mmengine's ``AmpOptimWrapper`` refuses to run
    without a GPU), and DDP wraps the model without ``device_ids``.

    Args:
        cfg (Config): The full config, with ``cfg.launcher`` set.

    Returns:
        Config: The same config.
    """
    if torch.cuda.is_available():
        return cfg
    # Config.setdefault returns the argument, not the stored ConfigDict.
    if cfg.get('env_cfg') is None:
        cfg.env_cfg = dict()
    if cfg.env_cfg.get('dist_cfg') is None:
        cfg.env_cfg.dist_cfg = dict()
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    if 'model' in cfg:
        replaced = replace_sync_bn(cfg.model)
        if replaced:
            warnings.warn(
                f'No CUDA device: replaced {replaced} SyncBN norm config(s) '
                'by BN. Statistics are per process, not synchronised.')
    optim_wrapper = cfg.get('optim_wrapper')
    if optim_wrapper and optim_wrapper.get('type') == 'AmpOptimWrapper':
        warnings.warn('No CUDA device: AmpOptimWrapper (mixed precision) '
                      'replaced by OptimWrapper; training runs in fp32.')
        optim_wrapper.type = 'OptimWrapper'
        for key in _AMP_ONLY_KEYS:
            optim_wrapper.pop(key, None)
    if cfg.get('launcher', 'none') != 'none':
        wrapper = cfg.get('model_wrapper_cfg') or dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
        # DDP on CPU modules takes no device ids; an explicit None keeps
        # mmengine from filling in [LOCAL_RANK].
        wrapper['device_ids'] = None
        cfg.model_wrapper_cfg = wrapper
    return cfg
