# The CPU setup of the tiny configs (*_1xb4-800_synthetic-cityscapes-
# 128x256.py): the embedded synthetic street scenes
# (datasets/synthetic_cityscapes_128x256.py, batches of 4), MMSeg's runtime
# without the cuDNN benchmark, and the 800-iteration schedule
# (schedules/schedule_800.py). The configs add a model base and shrink it.
_base_ = [
    './datasets/synthetic_cityscapes_128x256.py',
    'mmseg::_base_/default_runtime.py',
    './schedules/schedule_800.py',
]

env_cfg = dict(cudnn_benchmark=False)
