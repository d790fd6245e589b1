"""The synthetic generator's output, byte for byte.

Small datasets of every layout the generator writes (Cityscapes, VOC 2012,
ADE20K, Pascal Context) and scenes of every renderer are hashed (sha256)
and compared with the digests recorded below, so that a refactor of the
generator cannot change a single pixel, file name, metadata field or the
number of random draws a scene takes (each scene digest also covers the
next draw of its generator after rendering).

The digests belong to the pinned numpy, OpenCV and Pillow (JPEG encoder)
of the test set-up. Where the output changes on purpose (and the layout's
format version is bumped), print the new table with
``python tests/test_synthetic_checksums.py`` and paste it here.
"""
import hashlib
import os
import os.path as osp

import numpy as np
import pytest

from cblseg.datasets import (generate_synthetic_ade20k,
                             generate_synthetic_cityscapes,
                             generate_synthetic_pascal_context,
                             generate_synthetic_voc, render_ade20k_scene,
                             render_class_scene, render_pascal_context_scene,
                             render_street_scene, render_voc_scene)

# layout -> (generator, arguments); small and odd sizes, a few images each.
DATASETS = dict(
    cityscapes=(generate_synthetic_cityscapes,
                dict(num_train=4, num_val=2, height=47, width=90, seed=3)),
    voc=(generate_synthetic_voc,
         dict(num_train=6, num_val=2, height=45, width=51, seed=5)),
    ade20k=(generate_synthetic_ade20k,
            dict(num_train=4, num_val=2, height=39, width=57, seed=7)),
    pascal_context=(generate_synthetic_pascal_context,
                    dict(num_train=4, num_val=2, height=41, width=53,
                         seed=11)),
)

_CLASSES = ('person', 'car', 'chair', 'sky', 'floor', 'lamp', 'window')

# renderer -> (render(rng, height, width), size, number of seeds); enough
# seeds that every shape family and street element is drawn at least once.
SCENES = dict(
    street=(render_street_scene, (61, 117), 24),
    voc=(render_voc_scene, (57, 63), 48),
    ade20k=(render_ade20k_scene, (50, 66), 16),
    pascal_context=(render_pascal_context_scene, (44, 70), 16),
    class_list=(lambda rng, height, width: render_class_scene(
        rng, height, width, _CLASSES, max_objects=4), (33, 35), 16),
    one_pixel=(render_voc_scene, (1, 1), 4),
)

# Hex digits kept of each sha256 (128 bits).
DIGEST_LENGTH = 32
EXPECTED_FILES = {
    'ade20k': {
        'annotations': 'ec1802b467c5812e23c6c2e5d20d9f10',
        'images': 'a69cdcda45b490f41d22703d4f5aa923',
        'synthetic_meta.json': '68619608ccf11ec00edd850d7a305f6a',
    },
    'cityscapes': {
        'gtFine': 'a821d220daed7f86665488fbde3959d8',
        'leftImg8bit': '19e9420e535f267293c14ecb36480eb2',
        'synthetic_meta.json': '6af3ff4216416efce6db364c436993f4',
    },
    'pascal_context': {
        'ImageSets': 'f554a2eaa08cc5b0ddd9970d81649267',
        'JPEGImages': '64645043f8e50178d9065f2129318044',
        'SegmentationClassContext': '341980b2dd50de6e08ff8b01fce39601',
        'synthetic_meta.json': 'caff16887c2bf4554ae465eb2e460755',
    },
    'voc': {
        'ImageSets': 'ef5c458a6f985e12bc34cf78210f3ce5',
        'JPEGImages': '7e23870fecffc3c2b830bdc735b91bba',
        'SegmentationClass': '95b94a72029ba63229b7484c60aed169',
        'synthetic_meta.json': 'f4bb3dc631287b0721b117139a914009',
    },
}
EXPECTED_SCENES = {
    'ade20k': '3bb98cb95fe17dc2981c6c436b543e87',
    'class_list': 'cf343cb772ba658783d6959e3bb0ee91',
    'one_pixel': '1aa2abb265d1c9cb0f0ab53f286a4c86',
    'pascal_context': '246f521a3dcedc49ea7b30ca5b5ab88a',
    'street': '3a5d71b1679331d32f1b22d6c64244f8',
    'voc': 'c8906080a5fb79fc48442b6ae474cdfd',
}


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def dataset_digests(root):
    """sha256 per group of files (top folder or file) over the
    sorted relative paths and contents of the files below ``root``."""
    files = []
    for parent, _, names in os.walk(root):
        for name in names:
            path = osp.join(parent, name)
            files.append(osp.relpath(path, root).replace(os.sep, '/'))
    groups = {}
    for relative in sorted(files):
        group = relative.split('/')[0]
        with open(osp.join(root, relative), 'rb') as file:
            content = file.read()
        groups.setdefault(group, hashlib.sha256()).update(
            f'{relative}\0{_sha256(content)}\n'.encode())
    return {
        group: digest.hexdigest()[:DIGEST_LENGTH]
        for group, digest in groups.items()
    }


def scene_digest(render, size, num_seeds):
    """sha256 over the images, labels and next random draw of the scenes
    of seeds 0..num_seeds-1."""
    digest = hashlib.sha256()
    for seed in range(num_seeds):
        rng = np.random.default_rng([seed, 99])
        image, label = render(rng, *size)
        assert image.dtype == np.uint8 and label.dtype == np.uint8
        digest.update(repr((image.shape, label.shape)).encode())
        digest.update(image.tobytes())
        digest.update(label.tobytes())
        digest.update(rng.integers(2**63, dtype=np.int64).tobytes())
    return digest.hexdigest()[:DIGEST_LENGTH]


def generate_all(out_dir):
    """Write every dataset below ``out_dir``; returns their digests."""
    digests = {}
    for layout, (generate, kwargs) in DATASETS.items():
        root = osp.join(str(out_dir), layout)
        summary = generate(root, **kwargs)
        assert not summary['skipped']
        digests[layout] = dataset_digests(root)
    return digests


@pytest.mark.parametrize('layout', sorted(DATASETS))
def test_written_files_are_unchanged(tmp_path, layout):
    generate, kwargs = DATASETS[layout]
    root = osp.join(str(tmp_path), layout)
    generate(root, **kwargs)
    assert dataset_digests(root) == EXPECTED_FILES[layout]


@pytest.mark.parametrize('scene', sorted(SCENES))
def test_rendered_scenes_are_unchanged(scene):
    assert scene_digest(*SCENES[scene]) == EXPECTED_SCENES[scene]


if __name__ == '__main__':
    import pprint
    import tempfile
    with tempfile.TemporaryDirectory() as directory:
        print('EXPECTED_FILES = ', end='')
        pprint.pprint(generate_all(directory))
    print('EXPECTED_SCENES = ', end='')
    pprint.pprint({name: scene_digest(*args) for name, args in SCENES.items()})
