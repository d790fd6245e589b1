"""cblseg: boundary-aware semantic segmentation for MMSegmentation 1.x.

Importing the package registers its modules in MMSeg's registries (scope
``mmseg``) and makes mmengine load checkpoints safely on torch >= 2.6, so a
config needs only::

    custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)
"""
import mmseg  # noqa: F401  (cblseg's modules register into mmseg's registries)

from . import (apis, datasets, evaluation, models, ops, utils,  # noqa: F401
               visualization)
from .utils import register_safe_checkpoint_loader
from .version import __version__, version_info

register_safe_checkpoint_loader()

__all__ = ['__version__', 'version_info']
