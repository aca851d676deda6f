"""One frame of a composition as a PNG or JPEG, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from studio.core.errors import BadInput
from studio.core.render.encode import check_media, temp_beside
from studio.core.render.evaluate import FrameEvaluator
from studio.core.timeline.model import Composition

FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def write_still(composition: Composition, resolver, frame_index: int, out_path, backend: str = "auto") -> Path:
    out = Path(out_path).expanduser().absolute()
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise BadInput(f"A still is written as .png or .jpg, not {out.suffix or 'a file without an extension'} ({out.name}).")
    if not 0 <= frame_index < composition.duration:
        raise BadInput(f"Frame {frame_index} is outside {composition.name!r}, which has frames 0 to {composition.duration - 1}.")
    check_media(composition, resolver)
    evaluator = FrameEvaluator(composition, resolver, backend=backend)
    try:
        image = Image.fromarray(evaluator.frame(frame_index), "RGBA")
    finally:
        evaluator.close()
    temp = temp_beside(out)
    try:
        if kind == "JPEG":
            image.convert("RGB").save(temp, kind, quality=92)
        else:
            image.save(temp, kind)
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return out
