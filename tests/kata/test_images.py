import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from studio.core.errors import BadInput
from studio.kata.images import MAX_PIXELS, MIN_SIDE, load_rgb, load_rgba


def _marked(w=160, h=100):
    """Red image with a white block in the top-left corner, so orientation is visible."""
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[..., 0] = 200
    rgb[:20, :30] = 255
    return rgb


def test_cmyk_jpeg_comes_out_rgb(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.fromarray(_marked()).convert("CMYK").save(path, quality=95)
    rgb = load_rgb(path)
    assert rgb.dtype == np.uint8 and rgb.shape == (100, 160, 3)
    assert np.abs(rgb[60, 100].astype(int) - (200, 0, 0)).max() < 20
    assert rgb[5, 5].min() > 230


def test_16_bit_png_is_scaled_to_8_bit(tmp_path):
    deep = np.zeros((80, 90, 3), np.uint16)
    deep[..., 2] = 40000  # red in BGR order
    deep[..., 1] = 1000
    cv2.imwrite(str(tmp_path / "deep.png"), deep)
    grey = np.full((80, 90), 65535, np.uint16)
    grey[:, :45] = 32768
    cv2.imwrite(str(tmp_path / "grey.png"), grey)
    rgb = load_rgb(tmp_path / "deep.png")
    assert rgb.dtype == np.uint8
    assert np.abs(rgb[0, 0].astype(int) - (40000 // 257, 1000 // 257, 0)).max() <= 1
    grey8 = load_rgb(tmp_path / "grey.png")
    assert grey8.shape == (80, 90, 3)
    assert abs(int(grey8[0, 0, 0]) - 128) <= 1 and grey8[0, 89, 0] == 255


def test_exif_rotated_jpeg_comes_out_upright(tmp_path):
    upright = _marked()
    # Stored turned 90° clockwise, with EXIF orientation 8 telling viewers to turn it back.
    stored = Image.fromarray(np.rot90(upright, -1).copy())
    exif = Image.Exif()
    exif[0x0112] = 8
    stored.save(tmp_path / "rotated.jpg", exif=exif, quality=95)
    rgb = load_rgb(tmp_path / "rotated.jpg")
    assert rgb.shape == upright.shape
    assert rgb[5, 5].min() > 230 and rgb[95, 155, 1] < 40


def test_alpha_is_kept_and_added(tmp_path):
    rgba = np.zeros((70, 70, 4), np.uint8)
    rgba[10:60, 10:60] = (10, 200, 30, 255)
    Image.fromarray(rgba).save(tmp_path / "cut.png")
    Image.fromarray(rgba[..., :3].copy()).save(tmp_path / "flat.png")
    Image.fromarray(rgba[..., :3].copy()).convert("P", palette=Image.Palette.ADAPTIVE).save(tmp_path / "palette.png")
    assert load_rgba(tmp_path / "cut.png")[0, 0, 3] == 0
    assert load_rgba(tmp_path / "cut.png")[30, 30].tolist() == [10, 200, 30, 255]
    assert (load_rgba(tmp_path / "flat.png")[..., 3] == 255).all()
    assert load_rgb(tmp_path / "palette.png")[30, 30].tolist() == [10, 200, 30]


def _png_header_only(path, w, h):
    """A valid-looking PNG whose IHDR claims w×h but whose data is a few bytes: cheap to write,
    and it would take gigabytes to decode."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_over_50_mp_is_refused_from_the_header(tmp_path):
    path = tmp_path / "huge.png"
    _png_header_only(path, 8000, 7000)
    assert path.stat().st_size < 200 and 8000 * 7000 > MAX_PIXELS
    with pytest.raises(BadInput, match=r"8000×7000 .*over the 50 MP limit.*Downscale"):
        load_rgb(path)


def test_too_small_is_refused(tmp_path):
    Image.new("RGB", (MIN_SIDE - 1, 300)).save(tmp_path / "thin.png")
    with pytest.raises(BadInput, match=r"too small.*at least 64 px"):
        load_rgba(tmp_path / "thin.png")


def test_missing_and_unreadable_files_say_what_to_do(tmp_path):
    with pytest.raises(BadInput, match="not found"):
        load_rgb(tmp_path / "nope.jpg")
    (tmp_path / "notes.jpg").write_text("not an image")
    with pytest.raises(BadInput, match="not an image we can read.*JPEG or PNG"):
        load_rgb(tmp_path / "notes.jpg")
