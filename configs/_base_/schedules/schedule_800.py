# The CPU schedule of the tiny synthetic-data configs: 800 iterations of SGD
# (lr 0.05, 50 warm-up iterations, then poly decay) from scratch, one
# validation at the end, a checkpoint every 400 iterations. Short enough for
# a 2-core machine (docs/demo.md), long enough for the large classes to learn.
_base_ = ['mmseg::_base_/schedules/schedule_20k.py']

max_iters = 800
optimizer = dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=0.0005)
optim_wrapper = dict(optimizer=optimizer)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=50,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters // 2, max_keep_ckpts=2))
