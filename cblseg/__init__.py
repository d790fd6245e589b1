"""cblseg: boundary-aware semantic segmentation for MMSegmentation 1.x.

Importing the package registers its modules in MMSeg's registries (scope
``mmseg``) and makes mmengine load checkpoints safely on torch >= 2.6, so a
config needs only::

    custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

Without MMSeg installed, ``import cblseg`` still works and gives the maths,
which needs torch, numpy and OpenCV only: ``cblseg.ops`` (boundaries),
``cblseg.models.losses.functional`` (the CBL as functions) and
``cblseg.evaluation.functional`` (the boundary metric's counts); see
docs/standalone.md.
"""
from ._optional import mmseg_installed
from .version import __version__, version_info

if mmseg_installed():
    # cblseg's modules register into mmseg's registries; an mmseg that is
    # installed but broken raises its own error here.
    import mmseg  # noqa: F401

    # yapf: disable
    from . import (apis, datasets, evaluation, models, ops,  # noqa: F401
                   utils, visualization)
    # yapf: enable
    from .utils import register_safe_checkpoint_loader

    register_safe_checkpoint_loader()
else:
    from . import evaluation, models, ops  # noqa: F401  (the maths only)

__all__ = ['__version__', 'version_info']
