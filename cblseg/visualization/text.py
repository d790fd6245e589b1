# Copyright (c) cblseg contributors. All rights reserved.
"""Titles on the pictures: OpenCV text cut to the room it has."""
import cv2
import numpy as np

__all__ = ['FONT', 'FONT_SCALE', 'TEXT_COLOR', 'fit_text', 'put_text']

FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_SCALE = 0.45
TEXT_COLOR = (0, 0, 0)


def fit_text(text: str, max_width: int, scale: float = FONT_SCALE) -> str:
    """``text``, cut short with '..' until it is at most ``max_width``
    pixels wide in :data:`FONT` at ``scale`` (may become empty)."""

    def width(value: str) -> int:
        return cv2.getTextSize(value, FONT, scale, 1)[0][0]

    if width(text) <= max_width:
        return text
    while text and width(text + '..') > max_width:
        text = text[:-1]
    return text + '..' if text else ''


def put_text(canvas: np.ndarray,
             text: str,
             x: int,
             baseline: int,
             max_width: int,
             scale: float = FONT_SCALE) -> None:
    """Draw ``text`` (cut by :func:`fit_text`) in black at ``(x,
    baseline)``, anti-aliased, in place."""
    text = fit_text(text, max_width, scale)
    if text:
        cv2.putText(canvas, text, (x, baseline), FONT, scale, TEXT_COLOR, 1,
                    cv2.LINE_AA)
