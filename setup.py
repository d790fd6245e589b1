"""cblseg: Conditional Boundary Loss and boundary metrics for MMSeg 1.x."""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


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
