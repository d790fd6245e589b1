# Copyright (c) cblseg contributors. All rights reserved.
"""OpenCV's thread count for forked worker pools."""
from contextlib import contextmanager
from typing import Iterator

import cv2


@contextmanager
def single_opencv_thread_for_fork() -> Iterator[None]:
    """Set OpenCV to one thread in this process while a pool forks.

    The worker processes already share the cores, so each should run
    OpenCV on one thread. That must be set here, before the fork: a forked
    child inherits OpenCV's thread pool without its threads, and
    reconfiguring it there (``cv2.setNumThreads`` in a pool initializer)
    hangs for good in ``pthread_cond_destroy`` once this process has run a
    parallel OpenCV call. The parent's setting is restored on exit.
    """
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(threads)
