# Copyright (c) cblseg contributors. All rights reserved.
from .mask_tta import (MaskAwareSegTTAModel, average_score_maps,
                       predicts_class_scores)

__all__ = [
    'MaskAwareSegTTAModel', 'average_score_maps', 'predicts_class_scores'
]
