from .arguments import accepted_arguments, check_int, reject_unknown_kwargs
from .checkpoint import (UnsafeCheckpointError, load_checkpoint_safely,
                         mmengine_checkpoint_safe_globals,
                         register_safe_checkpoint_loader)
from .config import CUSTOM_IMPORTS_HINT, imports_cblseg, load_config
from .data_root import DATA_HINT, check_data_roots, iter_dataset_cfgs
from .distributed import (adapt_cfg_to_hardware, distributed_backend,
                          init_cpu_distributed, replace_sync_bn)
from .model_size import count_config_parameters, count_parameters
from .worker_threads import single_opencv_thread_for_fork

__all__ = [
    'check_int', 'accepted_arguments', 'reject_unknown_kwargs',
    'UnsafeCheckpointError', 'load_checkpoint_safely',
    'mmengine_checkpoint_safe_globals', 'register_safe_checkpoint_loader',
    'CUSTOM_IMPORTS_HINT', 'imports_cblseg', 'load_config', 'DATA_HINT',
    'check_data_roots', 'iter_dataset_cfgs', 'adapt_cfg_to_hardware',
    'distributed_backend', 'init_cpu_distributed', 'replace_sync_bn',
    'count_parameters', 'count_config_parameters',
    'single_opencv_thread_for_fork'
]
