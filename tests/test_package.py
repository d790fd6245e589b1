"""The package installs, registers itself and fails helpfully."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

import cblseg
from cblseg.utils import (adapt_cfg_to_hardware, check_data_roots,
                          imports_cblseg, load_config, replace_sync_bn)
from helpers import DEMO_BASELINE_CONFIG, copy_checkout, run_tool

# Every config builds and trains one step: tests/test_model_zoo_configs.py.


def test_version():
    assert isinstance(cblseg.__version__, str)
    assert cblseg.version_info[0] >= 0


@pytest.mark.slow
def test_custom_imports_alone_registers_everything():
    """A fresh interpreter that imports only mmseg, as MMSeg's own tools do:
    custom_imports in the config is all it takes."""
    code = ('from mmengine.config import Config\n'
            'from mmseg.registry import MODELS\n'
            'from mmseg.utils import register_all_modules\n'
            'register_all_modules()\n'
            f'cfg = Config.fromfile({DEMO_BASELINE_CONFIG!r})\n'
            'import sys; assert "cblseg" in sys.modules\n'
            'model = MODELS.build(cfg.model)\n'
            'print("built", type(model).__name__)\n')
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'built CascadeEncoderDecoder' in out.stdout


def test_missing_custom_import_says_how_to_install(tmp_path):
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(
        "custom_imports = dict(imports=['cblseg_not_installed'], "
        'allow_failed_imports=False)\nmodel = dict(type="X")\n')
    with pytest.raises(ImportError) as err:
        load_config(str(cfg_file))
    message = str(err.value)
    assert str(cfg_file) in message and 'cblseg_not_installed' in message
    assert 'pip install -e' in message and 'make setup' in message


def test_imports_cblseg():
    assert imports_cblseg(Config.fromfile(DEMO_BASELINE_CONFIG))
    assert not imports_cblseg(Config(dict(model=dict())))


def test_missing_data_root_names_path_and_remedy(tmp_path):
    cfg = Config.fromfile(DEMO_BASELINE_CONFIG)
    missing = str(tmp_path / 'nowhere')
    cfg.train_dataloader.dataset.data_root = missing
    with pytest.raises(FileNotFoundError) as err:
        check_data_roots(cfg, ['train'])
    message = str(err.value)
    assert missing in message and 'train_dataloader' in message
    assert 'generate_synthetic_data.py' in message
    assert 'docs/datasets.md' in message


@pytest.mark.slow
def test_train_tool_reports_missing_data(tmp_path):
    out = run_tool([
        sys.executable, 'tools/train.py', DEMO_BASELINE_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options',
        f'train_dataloader.dataset.data_root={tmp_path}/none'
    ])
    assert out.returncode != 0
    assert f'{tmp_path}/none' in out.stdout
    assert 'generate_synthetic_data.py' in out.stdout


def test_sync_bn_falls_back_on_cpu():
    cfg = Config(
        dict(
            launcher='pytorch',
            model=dict(
                backbone=dict(norm_cfg=dict(type='SyncBN')),
                decode_head=[
                    dict(norm_cfg=dict(type='SyncBN')),
                    dict(norm_cfg=dict(type='BN'))
                ])))
    with pytest.warns(UserWarning, match='2 SyncBN'):
        adapt_cfg_to_hardware(cfg)
    assert cfg.model.backbone.norm_cfg.type == 'BN'
    assert cfg.model.decode_head[0].norm_cfg.type == 'BN'
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.device_ids is None
    assert replace_sync_bn(cfg.model) == 0


@pytest.mark.slow
def test_pip_install_non_editable(tmp_path):
    target = tmp_path / 'site'
    # a copy: pip builds in place and would leave cblseg/.mim copies (in
    # place of the editable links) and build/ in the checkout
    source = copy_checkout(str(tmp_path / 'src'))
    out = subprocess.run([
        sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
        '--no-build-isolation', '--target',
        str(target), source
    ],
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    check = subprocess.run([
        sys.executable, '-c',
        'import cblseg, sys; print(cblseg.__file__, cblseg.__version__)'
    ],
                           capture_output=True,
                           text=True,
                           env=dict(
                               PYTHONPATH=str(target), PATH='/usr/bin:/bin'),
                           cwd=str(tmp_path))
    assert check.returncode == 0, check.stderr[-3000:]
    assert check.stdout.startswith(str(target))


def test_amp_flag_and_cpu_fallback():
    from cblseg.apis.runner_setup import enable_amp
    cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper', optimizer={})))
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    # mmengine's AmpOptimWrapper refuses to run without a GPU
    with pytest.warns(UserWarning, match='AmpOptimWrapper'):
        adapt_cfg_to_hardware(cfg)
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper
    other = Config(dict(optim_wrapper=dict(type='ColossalAIOptimWrapper')))
    with pytest.raises(ValueError, match='ColossalAIOptimWrapper'):
        enable_amp(other)


@pytest.mark.slow
def test_train_tool_amp_runs_on_cpu(synthetic_cityscapes_root, tmp_path):
    from helpers import tiny_train_options
    out = run_tool([
        sys.executable, 'tools/train.py', DEMO_BASELINE_CONFIG, '--amp',
        '--work-dir',
        str(tmp_path), '--cfg-options'
    ] + tiny_train_options(synthetic_cityscapes_root, max_iters=1))
    assert out.returncode == 0, out.stdout[-3000:]
    assert 'training runs in fp32' in out.stdout
    assert osp.exists(tmp_path / 'iter_1.pth')
