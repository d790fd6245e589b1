# Copyright (c) cblseg contributors. All rights reserved.
"""Whether MMSegmentation is installed, decided without importing it.

The maths (``cblseg.ops``, ``cblseg.models.losses.functional``,
``cblseg.evaluation.functional``) needs torch, numpy and OpenCV only; the
registered modules need MMSeg. The package ``__init__`` files import the
registered modules when MMSeg is installed, so that their real import errors
(a broken mmcv, say) propagate, and only the maths when it is not.
"""
import importlib.util

__all__ = ['mmseg_installed']


def mmseg_installed() -> bool:
    """True if ``mmseg`` can be found on the import path (not imported)."""
    try:
        return importlib.util.find_spec('mmseg') is not None
    except (ImportError, ValueError):
        # A meta-path hook that refuses mmseg (ImportError), or an mmseg
        # module left without a spec in sys.modules (ValueError).
        return False
