# Copyright (c) cblseg contributors. All rights reserved.
"""Fixtures shared by the test modules. Shared functions and constants live
in the ``helpers`` package next to this file (``from helpers import ...``);
test modules never import ``conftest`` or each other."""
import pytest


@pytest.fixture
def mmseg_scope_and_seed():
    """MMSeg's default registry scope and torch seed 0 for each test that
    builds models. Use with ``pytestmark``."""
    import torch
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    torch.manual_seed(0)


@pytest.fixture(scope='module')
def one_torch_thread():
    """The 2 cores are shared with data loaders and subprocesses: extra
    intra-op threads only contend. Use with ``pytestmark``."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='session')
def synthetic_cityscapes_root(tmp_path_factory):
    """The root (str) of a small synthetic Cityscapes-layout dataset: 8
    train and 4 val images of 64x128, seed 0."""
    from cblseg.datasets import generate_synthetic_cityscapes
    root = tmp_path_factory.mktemp('data') / 'cityscapes'
    generate_synthetic_cityscapes(
        str(root), num_train=8, num_val=4, height=64, width=128, seed=0)
    return str(root)
