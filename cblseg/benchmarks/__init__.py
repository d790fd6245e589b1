# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark helpers and the GPU report.

Not imported by ``import cblseg`` (nothing here registers modules):

* :mod:`.inputs`: synthetic inputs of the CBL and of ``train_step``;
* :mod:`.peers`: independent implementations we compare with (a plain
  autograd CBL, per-class OpenCV metric counts);
* :mod:`.loss_cases` / :mod:`.train_cost`: what the GPU report checks, by
  name (register new losses and model pairs there);
* :mod:`.gpu_report`: ``tools/benchmarks/gpu_report.py``.
"""
