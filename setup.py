"""cblseg: Conditional Boundary Loss and boundary metrics for MMSeg 1.x."""
import os
import os.path as osp
import platform
import shutil
import sys
import warnings
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
# What MMSeg's model zoo and OpenMIM look for under <package>/.mim/.
MIM_FILES = ('configs', 'model-index.yml', 'tools')


def get_version():
    scope = {}
    with open(osp.join(HERE, 'cblseg', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(path):
    reqs = []
    with open(osp.join(HERE, path)) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line and not line.startswith('-'):
                reqs.append(line)
    return reqs


def mim_mode(argv):
    """How :func:`add_mim_extension` ships the MIM files for this setup.py
    command: ``'symlink'`` for an editable install (``pip install -e .``
    runs ``editable_wheel``; older pips ``develop``), so that edits to the
    checkout show; ``'copy'`` for a wheel or sdist (a link in an archive
    points nowhere; Windows cannot link); None for anything else."""
    if 'develop' in argv or 'editable_wheel' in argv:
        return 'copy' if platform.system() == 'Windows' else 'symlink'
    if 'sdist' in argv or 'bdist_wheel' in argv:
        return 'copy'
    return None


def add_mim_extension(mode, root=HERE):
    """Put ``configs/``, ``model-index.yml`` and ``tools/`` under
    ``cblseg/.mim/``, where OpenMIM (``mim search``, ``mim train cblseg``)
    looks for them in an installed package (as MMSeg's own setup.py does
    for ``mmseg``)."""
    if mode is None:
        return
    if mode not in ('symlink', 'copy'):
        raise ValueError(f"mode must be 'symlink' or 'copy', got {mode!r}")
    mim_path = osp.join(root, 'cblseg', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(root, name)
        dst = osp.join(mim_path, name)
        if not osp.exists(src):
            warnings.warn(f'{src} not found: not shipped under cblseg/.mim')
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(src, dst)


add_mim_extension(mim_mode(sys.argv))

with open(osp.join(HERE, 'README.md'), encoding='utf-8') as f:
    long_description = f.read()

setup(
    name='cblseg',
    version=get_version(),
    description='Conditional Boundary Loss, boundary ground truth and '
    'boundary metrics as an MMSegmentation 1.x plugin',
    long_description=long_description,
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    # cblseg/.mim (see add_mim_extension), as listed in MANIFEST.in
    include_package_data=True,
    python_requires='>=3.8',
    # torch and mmcv (with ops, built against the installed torch) are left
    # to the user or scripts/setup_env.sh: declaring them would let pip pull
    # a CUDA torch or start an mmcv source build in the middle of an install.
    install_requires=parse_requirements('requirements/runtime.txt') +
    ['mmsegmentation>=1.2.2,<1.3'],
    # mask: MMSeg's Mask2Former / MaskFormer heads and the CBL mask heads
    # are built on mmdet 3.x (3.3.0 accepts mmcv 2.1 and mmengine 0.10).
    extras_require=dict(
        tests=parse_requirements('requirements/tests.txt'),
        mask=['mmdet>=3.3.0,<3.4'] +
        parse_requirements('requirements/mask.txt')),
    zip_safe=False)
