"""Text in pictures, read offline by the PP-OCRv4 models that ship inside rapidocr-onnxruntime.

Lines are found on the picture scaled down to DET_SIDE (finding is the slow step, and big ad
text survives the scaling) and read from full-size crops (small print does not). rapidocr's
own pipeline can't split the two, so its detector and recogniser are called in turn here
(rapidocr is pinned in bootstrap.sh).

A single picture is read by one engine whose ONNX sessions use every core, made on first use
(loading the models takes about a second) and shared by every thread, one picture at a time
(the detector keeps per-call state). Many pictures (a video's frames) are read side by side,
one per core by engines that each use one thread: these small models gain little from a
second thread inside one run, so separate runs on separate cores go faster. Those engines
live in the reader threads and are kept for the next video.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from studio.core.errors import StudioError

MIN_SCORE = 0.5  # lines read with less confidence are noise (textures, foliage)
DET_SIDE = 736  # rapidocr's own default detection size

READERS = max(1, min(4, os.cpu_count() or 1))  # pictures read side by side

_engine = None
_engine_lock = threading.Lock()
_call_lock = threading.Lock()
_readers: ThreadPoolExecutor | None = None
_reader = threading.local()  # a reader thread's own engine


@dataclass(frozen=True)
class TextLine:
    text: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the picture's pixels
    score: float
    frame: int | None = None  # the video frame it was read on; None for a still image


def engine():
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = _new_engine()
    return _engine


def _new_engine(**options):
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise StudioError(f"Text in images cannot be read: the OCR package is missing ({exc}). "
                          "Run ./bootstrap.sh again to install it.") from None
    # det "max": a picture of DET_SIDE or less is detected at its own size (the default scales
    # small ones up). Lines read one at a time: in a batch each is padded to the longest,
    # which made reading ad text (a long headline, short lines) twice as slow.
    return RapidOCR(det_limit_type="max", use_cls=False, rec_batch_num=1, **options)


def read_many(pictures: Sequence[tuple[np.ndarray, int | None]]) -> list[list[TextLine]]:
    """read_lines on each (rgb, frame) picture, READERS at a time; results in the given order."""
    global _readers
    if len(pictures) < 2 or READERS < 2:
        return [read_lines(rgb, frame) for rgb, frame in pictures]
    with _engine_lock:
        if _readers is None:
            _readers = ThreadPoolExecutor(READERS, thread_name_prefix="ocr")
    return list(_readers.map(lambda picture: _read(_own_engine(), *picture), pictures))


def _own_engine():
    if getattr(_reader, "engine", None) is None:
        _reader.engine = _new_engine(intra_op_num_threads=1, inter_op_num_threads=1)
    return _reader.engine


def read_lines(rgb: np.ndarray, frame: int | None = None) -> list[TextLine]:
    """The lines of text in an (h, w, 3) RGB picture, top to bottom."""
    eng = engine()
    with _call_lock:
        return _read(eng, rgb, frame)


def _read(eng, rgb: np.ndarray, frame: int | None) -> list[TextLine]:
    h, w = rgb.shape[:2]
    bgr = np.ascontiguousarray(rgb[..., ::-1])  # the models were trained on BGR
    scale = min(1.0, DET_SIDE / max(h, w))
    small = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else bgr
    found, _ = eng.text_det(small)
    if found is None or len(found) == 0:
        return []
    quads = [np.asarray(q, np.float32) / scale for q in eng.sorted_boxes(found)]
    read, _ = eng.text_rec(eng.get_crop_img_list(bgr, [q.copy() for q in quads]))
    lines = []
    for quad, (text, score, *_rest) in zip(quads, read):
        x0, y0 = np.floor(quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
        box = (max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1)))
        if score >= MIN_SCORE and text.strip() and box[2] > box[0] and box[3] > box[1]:
            lines.append(TextLine(text.strip(), box, round(float(score), 3), frame))
    return lines
