"""Writing synthetic datasets to disk: what every layout shares.

Every image has its own random generator seeded from ``(seed, dataset
stream, split, index)`` (:func:`image_rng`), so the output does not depend
on ``nproc`` or on the order in which images are written. A
``synthetic_meta.json`` records the arguments; a second call with the same
arguments finds it, checks that all files exist and returns without
rewriting anything (:func:`write_dataset`). Files are written atomically,
and the metadata marks the data incomplete until the last file is written,
so an interrupted run is redone next time.

The layouts: :mod:`.cityscapes`, :mod:`.voc`, :mod:`.ade20k` and
:mod:`.pascal_context`.
"""
import json
import os
import os.path as osp
import re
import time
from multiprocessing import Pool
from typing import Callable, List, NamedTuple

import numpy as np
from PIL import Image

from cblseg.utils import single_opencv_thread_for_fork

META_FILENAME = 'synthetic_meta.json'
SPLITS = ('train', 'val')


def image_rng(seed, stream, split_index, image_index):
    """The random generator of one image.

    Args:
        seed (int): Dataset seed (>= 0).
        stream (int): Which dataset layout (each has its own stream, so
            layouts never share scenes).
        split_index (int): Index of the split in :data:`SPLITS`.
        image_index (int): Index of the image within the split.

    Returns:
        np.random.Generator
    """
    return np.random.default_rng([seed, stream, split_index, image_index])


def save_image(image, path, **params):
    """Save a PIL image atomically (temporary file, then rename), so an
    interrupted run never leaves a truncated file behind."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    extension = osp.splitext(path)[1].lower()
    image_format = {'.png': 'PNG', '.jpg': 'JPEG'}[extension]
    temporary = f'{path}.tmp{os.getpid()}'
    image.save(temporary, format=image_format, **params)
    os.replace(temporary, path)


def write_jpeg_sample(task):
    """Render one scene; save the image as JPEG (quality 95) and the label
    as PNG ('P' mode when a palette is given). Runs in worker processes.

    Args:
        task (tuple): ``(root, render, rng_key, height, width, image_path,
            label_path, palette)``: ``render(rng, height, width)`` returns
            image and label, ``rng_key`` are the arguments of
            :func:`image_rng`, the paths are relative to ``root`` and
            ``palette`` is None or the bytes of ``putpalette``.

    Returns:
        int: Number of files written (2).
    """
    root, render, rng_key, height, width, image_path, label_path, \
        palette = task
    image, label = render(image_rng(*rng_key), height, width)
    save_image(Image.fromarray(image), osp.join(root, image_path), quality=95)
    label_image = Image.fromarray(label)
    if palette is not None:
        # putpalette turns the 'L' image into a 'P' image.
        label_image.putpalette(palette)
    save_image(label_image, osp.join(root, label_path))
    return 2


def _run(worker, tasks, nproc):
    """Run ``worker`` over ``tasks``; returns the sum of its results."""
    if nproc <= 1 or len(tasks) <= 1:
        return sum(worker(task) for task in tasks)
    with single_opencv_thread_for_fork(), Pool(min(nproc, len(tasks))) as pool:
        return sum(
            pool.imap_unordered(
                worker, tasks, chunksize=max(1,
                                             len(tasks) // (4 * nproc))))


def _read_meta(root):
    try:
        with open(osp.join(root, META_FILENAME)) as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def _write_meta(root, meta):
    os.makedirs(root, exist_ok=True)
    path = osp.join(root, META_FILENAME)
    temporary = f'{path}.tmp{os.getpid()}'
    with open(temporary, 'w') as file:
        json.dump(meta, file, indent=2, sort_keys=True)
        file.write('\n')
    os.replace(temporary, path)


def dataset_meta(generator, format_version, layout, num_train, num_val, height,
                 width, seed, nproc):
    """Check the arguments of a dataset request; returns its metadata.

    Args:
        generator (str): Name of the generator, recorded in the metadata.
        format_version (int): Version of the layout's output; bumped when
            the output for the same arguments changes.
        layout (str): Name of the layout.
        num_train, num_val, height, width, seed, nproc (int): The
            arguments of the request (``nproc`` is only checked).

    Returns:
        dict: The metadata (without ``complete``).
    """
    for name, value, minimum in (('num_train', num_train, 0), ('num_val',
                                                               num_val, 0),
                                 ('height', height, 1), ('width', width, 1),
                                 ('seed', seed, 0), ('nproc', nproc, 1)):
        if int(value) != value or value < minimum:
            raise ValueError(
                f'{name} must be an integer >= {minimum}, got {value!r}')
    return dict(
        generator=generator,
        format_version=format_version,
        layout=layout,
        num_train=int(num_train),
        num_val=int(num_val),
        height=int(height),
        width=int(width),
        seed=int(seed))


def split_image_ids(meta, image_id):
    """Ids of the images of each split, numbered over the train images,
    then the val images: ``{split: [image_id(0), ...]}``."""
    ids, offset = {}, 0
    for split in SPLITS:
        count = meta[f'num_{split}']
        ids[split] = [image_id(offset + index) for index in range(count)]
        offset += count
    return ids


def numbered_sample_files(ids, img_dir, ann_dir, id_pattern):
    """The expected image and label files of VOC-style numbered ids, and
    whether a relative path is named like one of them.

    Args:
        ids (dict): Split -> image ids (:func:`.writer.split_image_ids`).
        img_dir (str): Folder of the ``<id>.jpg`` images.
        ann_dir (str): Folder of the ``<id>.png`` labels.
        id_pattern (str): Regular expression of the ids.

    Returns:
        tuple[list[str], callable]: Expected files and ``owns_file``.
    """
    folders = ((img_dir, '.jpg'), (ann_dir, '.png'))
    pattern = re.compile(id_pattern)
    expected = [
        osp.join(directory, image_id + extension) for split in SPLITS
        for image_id in ids[split] for directory, extension in folders
    ]

    def owns_file(relative_path):
        directory, name = osp.split(relative_path)
        stem, extension = osp.splitext(name)
        return (directory, extension) in folders and bool(pattern.match(stem))

    return expected, owns_file


class DatasetFiles(NamedTuple):
    """The files a dataset request writes, and what is ours to manage.

    Attributes:
        expected (list[str]): Files the request produces, relative to the
            root.
        guarded_dirs (list[str]): Directories that must be empty unless the
            root holds our metadata (protects real datasets).
        managed_dirs (list[str]): Directories whose files named like ours
            (``owns_file``) are removed when the dataset is regenerated.
        owns_file (callable): Whether a relative path is named like a file
            this generator writes.
    """
    expected: List[str]
    guarded_dirs: List[str]
    managed_dirs: List[str]
    owns_file: Callable[[str], bool]


def _prepare_root(root, meta, files, overwrite):
    """Decide whether to (re)generate; clean up files of an older run.

    Returns:
        bool: True when the existing data is complete and up to date.
    """
    existing = _read_meta(root)
    if (not overwrite and existing is not None
            and existing == dict(meta, complete=True) and all(
                osp.isfile(osp.join(root, path)) for path in files.expected)):
        return True
    if existing is None and not overwrite:
        for directory in files.guarded_dirs:
            path = osp.join(root, directory)
            if osp.isdir(path) and os.listdir(path):
                raise FileExistsError(
                    f'{path} is not empty and has no {META_FILENAME}: it '
                    'does not look like synthetic data written by cblseg. '
                    'Use another output directory, or overwrite=True '
                    '(--overwrite) to write into it anyway.')
    if existing is not None:
        # Our own data from other arguments: drop samples the new
        # arguments do not produce, so that directory scans (Cityscapes)
        # see exactly the new dataset.
        expected = {osp.normpath(path) for path in files.expected}
        for directory in files.managed_dirs:
            for parent, _, names in os.walk(osp.join(root, directory)):
                for name in names:
                    relative = osp.normpath(
                        osp.relpath(osp.join(parent, name), root))
                    if relative not in expected and files.owns_file(relative):
                        os.remove(osp.join(root, relative))
    # Mark the data incomplete until every file is written, so an
    # interrupted run is redone next time.
    _write_meta(root, dict(meta, complete=False))
    return False


def write_dataset(out_dir,
                  meta,
                  files,
                  worker,
                  tasks,
                  nproc,
                  overwrite,
                  split_lists=None):
    """Write a dataset unless up-to-date data is there.

    Args:
        out_dir (str): Dataset root.
        meta (dict): From :func:`dataset_meta`.
        files (DatasetFiles): What the request writes.
        worker (callable): Writes the files of one task, returns their
            number; runs in worker processes.
        tasks (list): One task per image.
        nproc (int): Number of worker processes.
        overwrite (bool): Regenerate even if up-to-date data exists, and
            write into a non-empty directory that has no metadata file.
        split_lists (dict, optional): Text files (relative path -> image
            ids, one a line) written after the images.

    Returns:
        dict: Summary with ``layout``, ``root``, ``skipped`` (True when
        existing data was up to date), ``num_images`` per split,
        ``files_written``, ``seconds`` and ``meta_file``.
    """
    start = time.perf_counter()
    root = str(out_dir)
    skipped = _prepare_root(root, meta, files, overwrite)
    files_written = 0
    if not skipped:
        files_written = _run(worker, tasks, int(nproc))
        for path, image_ids in (split_lists or {}).items():
            os.makedirs(osp.dirname(osp.join(root, path)), exist_ok=True)
            with open(osp.join(root, path), 'w') as file:
                file.write(''.join(f'{image_id}\n' for image_id in image_ids))
            files_written += 1
        _write_meta(root, dict(meta, complete=True))
    return dict(
        layout=meta['layout'],
        root=root,
        skipped=skipped,
        num_images=dict(train=meta['num_train'], val=meta['num_val']),
        files_written=files_written,
        seconds=time.perf_counter() - start,
        meta_file=osp.join(root, META_FILENAME))
