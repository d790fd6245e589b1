# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark logic, the comparison implementations and the GPU report.

Not imported by ``import cblseg`` (nothing here registers modules):

* :mod:`.reference_methods`: per-class label-map methods we compare the
  boundary op and the metrics with (the CBL reference's one-hot + erosion,
  per-class erosion, GSCNN-style boundary F-score counts);
* :mod:`.peers`: independent implementations we compare with (a plain
  autograd CBL, per-class OpenCV metric counts);
* :mod:`.cbl_baseline` / :mod:`.mask_cbl`: the CBL losses computed with the
  reference's / the authors' structure, and their benchmarks;
* :mod:`.boundary_benchmark`, :mod:`.metric_benchmark`,
  :mod:`.bf_benchmark`, :mod:`.train_step`: what the scripts under
  ``tools/benchmarks/`` check, time and print;
* :mod:`.compare`, :mod:`.cli`, :mod:`.inputs`: relative errors and one
  forward + backward, the scripts' shared options, synthetic inputs;
* :mod:`.loss_cases` / :mod:`.train_cost`: what the GPU report checks, by
  name (register new losses and model pairs there);
* :mod:`.gpu_report`: ``tools/benchmarks/gpu_report.py``.
"""
