"""Side-by-side pictures: image | ground truth | prediction."""
import os
import os.path as osp
from typing import List, Sequence

import cv2
import numpy as np

from .colorize import colorize_label
from .text import put_text

__all__ = ['colorize_label', 'make_prediction_panel', 'save_prediction_panels']

_GAP = 4
_TITLE_HEIGHT = 18


def _titled(image: np.ndarray, title: str) -> np.ndarray:
    bar = np.full((_TITLE_HEIGHT, image.shape[1], 3), 255, dtype=np.uint8)
    put_text(bar, title, 3, _TITLE_HEIGHT - 5, image.shape[1] - 3)
    return np.concatenate([bar, image], axis=0)


def make_prediction_panel(image_rgb: np.ndarray,
                          gt: np.ndarray,
                          pred: np.ndarray,
                          palette: Sequence[Sequence[int]],
                          ignore_index: int = 255) -> np.ndarray:
    """Compose ``image | ground truth | prediction`` with titles.

    Returns:
        np.ndarray: RGB uint8 image of height ``H + 18`` and width
        ``3 * W + 8``.
    """
    if gt.shape != image_rgb.shape[:2] or pred.shape != image_rgb.shape[:2]:
        raise ValueError(
            f'image {image_rgb.shape[:2]}, ground truth {gt.shape} and '
            f'prediction {pred.shape} must have the same height and width')
    tiles = [
        _titled(image_rgb, 'image'),
        _titled(colorize_label(gt, palette, ignore_index), 'ground truth'),
        _titled(colorize_label(pred, palette, ignore_index), 'prediction'),
    ]
    gap = np.full((tiles[0].shape[0], _GAP, 3), 255, dtype=np.uint8)
    return np.concatenate([tiles[0], gap, tiles[1], gap, tiles[2]], axis=1)


def save_prediction_panels(config,
                           checkpoint: str,
                           out_dir: str,
                           num_images: int = 4,
                           device: str = 'cpu',
                           split: str = 'test') -> List[str]:
    """Run a model on the first images of a split and save panels as PNGs.

    Args:
        config (str | Config): Model config.
        checkpoint (str): Checkpoint file.
        out_dir (str): Where the PNGs go (created).
        num_images (int): How many images.
        device (str): Inference device.
        split (str): ``'test'`` or ``'val'`` dataloader of the config.

    Returns:
        list[str]: Paths of the written files.
    """
    from mmengine.config import Config
    from mmseg.apis import inference_model, init_model

    from cblseg.datasets.dataset_samples import (build_split_dataset,
                                                 load_dataset_sample)

    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = init_model(cfg, checkpoint, device=device)
    dataset = build_split_dataset(cfg, split)
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for index in range(min(num_images, len(dataset))):
        sample = load_dataset_sample(dataset, index)
        image_rgb = sample['image']
        pred = inference_model(model, image_rgb[..., ::-1].copy())
        panel = make_prediction_panel(image_rgb, sample['label'],
                                      pred.pred_sem_seg.data[0].cpu().numpy(),
                                      sample['palette'],
                                      sample['ignore_index'])
        path = osp.join(out_dir, f"{index:02d}_{sample['stem']}.png")
        cv2.imwrite(path, panel[..., ::-1])
        paths.append(path)
    return paths
