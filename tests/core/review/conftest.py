"""A sending library with a brief (sections, a deliverable, a version, a comment thread) and two
real assets (a 2400×1800 JPEG and a short MP4), and a review bundle of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.library import Library
from studio.core.ops import briefs, organize
from studio.core.review import export_bundle
from tests import media


@dataclass(frozen=True)
class Sender:
    lib: Library
    brief_id: int
    comment_uid: str
    image_id: int
    video_id: int


def make_sender(open_library, root: Path, files: Path) -> Sender:
    lib = open_library(root)
    brand = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Roast").value
    brief_id = briefs.create_brief(lib, brand, "Autumn launch", organize.create_campaign(lib, brand, "Autumn").value).value
    briefs.save_section(lib, brief_id, "objective", "Make **students** pick Roast.")
    briefs.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "count": 2, "notes": "hero"}])
    briefs.save_version(lib, brief_id, "first draft", author="Ana")
    comment_uid = briefs.add_comment(lib, brief_id, "Is the insight strong enough?", section="insight", author="Ana").value
    report = importer.run(importer.ImportParams(str(lib.root), [str(media.jpeg(files / "shot.jpg", size=(2400, 1800))),
                                                                str(media.mp4(files / "spot.mp4", size=(960, 540), seconds=1.0))]),
                          JobState(), lib=lib)
    ids = {row["name"]: row["id"] for row in report.imported}
    return Sender(lib, brief_id, comment_uid, ids["shot.jpg"], ids["spot.mp4"])


@pytest.fixture
def sender(tmp_path, new_library):
    made = make_sender(new_library, tmp_path / "a", tmp_path / "files")
    yield made
    made.lib.close()


@pytest.fixture
def bundle_file(sender, tmp_path) -> Path:
    out = tmp_path / "out" / "review.zip"
    out.parent.mkdir()
    export_bundle(sender.lib, [sender.brief_id], [sender.image_id, sender.video_id], out)
    return out
