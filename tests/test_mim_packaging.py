"""MIM packaging: a wheel ships configs/, model-index.yml and tools/ under
cblseg/.mim/ (where OpenMIM looks in an installed package), and an
editable build links them instead.

Both builds run offline on a copy of the checkout in a temporary directory,
so the checkout itself gets no build/, egg-info or .mim copies (about
3 s together: not marked slow)."""
import os
import os.path as osp
import subprocess
import sys
import zipfile

import pytest
import yaml

from helpers import copy_checkout

# pip builds in a subprocess: slow, as other tool runs are
# (docs/testing.md).
pytestmark = pytest.mark.slow

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# What MANIFEST.in ships of each folder.
SHIPPED = dict(configs=('.py', '.yml', '.yaml'), tools=('.py', '.sh'))


def _files(root, top):
    """Paths of the files of ``root/top`` that MANIFEST.in ships, relative
    to ``root``."""
    found = set()
    for folder, dirs, names in os.walk(osp.join(root, top)):
        dirs[:] = [d for d in dirs if d != '__pycache__']
        for name in names:
            if name.endswith(SHIPPED[top]):
                found.add(osp.relpath(osp.join(folder, name), root))
    return found


def _run(args, cwd):
    proc = subprocess.run(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc


def test_wheel_ships_mim_files(tmp_path):
    src = copy_checkout(str(tmp_path / 'src'))
    out = str(tmp_path / 'wheels')
    _run([
        sys.executable, '-m', 'pip', 'wheel', '--no-deps',
        '--no-build-isolation', '--no-index', '-q', '-w', out, '.'
    ], src)
    wheels = [name for name in os.listdir(out) if name.endswith('.whl')]
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(osp.join(out, wheels[0])) as wheel:
        names = set(wheel.namelist())
        index = yaml.safe_load(wheel.read('cblseg/.mim/model-index.yml'))
        for name in names:
            info = wheel.getinfo(name)
            # a link in an archive would point nowhere once installed
            assert (info.external_attr >> 16) & 0o170000 != 0o120000, name
    # every config, metafile and tool of the checkout, nothing else added
    expected = {
        f'cblseg/.mim/{path}'
        for top in SHIPPED
        for path in _files(REPO_ROOT, top)
    }
    shipped = {name for name in names if name.startswith('cblseg/.mim/')}
    assert expected - shipped == set()
    assert shipped - expected == {'cblseg/.mim/model-index.yml'}
    assert 'cblseg/.mim/configs/cbl/' \
        'cbl-ocrnet_hr48_4xb2-80k_cityscapes-512x1024.py' in names
    # model-index.yml's metafiles resolve inside the shipped .mim folder
    assert index['Import']
    for metafile in index['Import']:
        assert f'cblseg/.mim/{metafile}' in names, metafile
    # the package itself is still there, and no test or doc
    assert 'cblseg/__init__.py' in names
    assert not any(name.startswith(('tests/', 'docs/')) for name in names)


def test_editable_build_links_mim_files(tmp_path):
    """``pip install -e .`` runs setup.py's ``editable_wheel``: links, so
    that edits to the checkout's configs show in the installed package."""
    src = copy_checkout(str(tmp_path / 'src'))
    _run([
        sys.executable, 'setup.py', '-q', 'editable_wheel', '--dist-dir',
        str(tmp_path / 'wheels')
    ], src)
    mim = osp.join(src, 'cblseg', '.mim')
    for name in ('configs', 'model-index.yml', 'tools'):
        path = osp.join(mim, name)
        assert osp.islink(path), path
        assert os.readlink(path) == osp.join('..', '..', name)
        assert osp.samefile(path, osp.join(src, name))
