"""Faces: OpenCV's shipped Haar cascades (frontal and both profiles), or a user YuNet ONNX."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

from studio.core.errors import BadInput

from .scene import Face

_CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml")
_HAAR_LONG_SIDE = 640  # cascades are the slowest step; faces under ~30 px at 1024 are not worth it


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    return cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / name))


def detect_faces(rgb: np.ndarray, scale: float, face_model: Path | None = None) -> list[Face]:
    """Faces in the analysis-scale image rgb, with boxes in full-res pixels (divided by scale)."""
    if face_model:
        boxes, scores = _yunet(rgb, face_model)
    else:
        k = min(1.0, _HAAR_LONG_SIDE / max(rgb.shape[:2]))
        small = cv2.resize(rgb, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else rgb
        boxes, scores = _haar(small)
        scale *= k
    keep = cv2.dnn.NMSBoxes([list(map(int, b)) for b in boxes], scores, 0.0, 0.3) if boxes else []
    return [Face(tuple(round(v / scale) for v in boxes[i]), float(scores[i])) for i in np.ravel(keep)]


def _haar(rgb: np.ndarray):
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    min_side = max(20, min(gray.shape) // 40)
    boxes, scores = [], []
    for name in _CASCADES:
        for flipped in (False, True) if "profile" in name else (False,):  # the profile cascade sees left-facing only
            img = gray[:, ::-1] if flipped else gray
            found, hits = _cascade(name).detectMultiScale2(img, 1.15, 5, minSize=(min_side, min_side))
            for (x, y, w, h), n in zip(found, hits):
                boxes.append((gray.shape[1] - x - w if flipped else x, y, w, h))
                scores.append(min(1.0, float(n) / 20.0))  # more overlapping hits, more confidence
    return boxes, scores


def _yunet(rgb: np.ndarray, face_model: Path):
    path = Path(face_model)
    if not path.is_file():
        raise BadInput(f"Face model not found: {path}. Pick a YuNet .onnx file or leave the face model empty.")
    h, w = rgb.shape[:2]
    try:
        detector = cv2.FaceDetectorYN.create(str(path), "", (w, h), 0.6)
        _, rows = detector.detect(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    except cv2.error as exc:
        raise BadInput(f"{path.name} does not work as a YuNet face model ({exc.err}). Use OpenCV Zoo's face_detection_yunet ONNX.") from exc
    rows = [] if rows is None else rows
    return [tuple(r[:4]) for r in rows], [float(r[14]) for r in rows]
