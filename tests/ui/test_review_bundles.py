"""Review bundles through the studio's windows, between two real libraries: the sender (A) exports
a brief and an image from the Briefs workspace's Send for review…; the reviewer's studio (B) opens the
bundle in the review window, replies to a thread, comments and approves, and saves a reply; A imports
it and the Briefs workspace shows the comments and the approval. Tampered bundles and replies are
refused with the core's message, and nothing opens or changes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from studio.core.assets import importer
from studio.core.briefs.sections import list_comments
from studio.core.jobs import JobRunner, JobState
from studio.core.library import Library
from studio.core.ops import briefs, organize
from studio.core.review import (
    NewComment,
    NewDecision,
    export_bundle,
    open_bundle,
    reply_bundle,
)
from studio.ui.review.export_dialog import ReviewExportDialog
from studio.ui.review.import_reply import start_import
from studio.ui.review.review_window import REVIEWER_KEY, ReviewWindow, open_review
from studio.ui.shell import registry
from tests import media
from tests.ui.creative_fixtures import make_wav

JOB_MS = 90_000  # a worker process on a busy 2-core machine


@pytest.fixture(scope="module")
def shot(tmp_path_factory) -> Path:
    """A real 2400×1800 JPEG, made once (a second of work): the import copies it into each library."""
    return media.jpeg(tmp_path_factory.mktemp("files") / "shot.jpg", size=(2400, 1800))


@pytest.fixture
def sent(ctx, shot):
    """A brief in library A (sections, a deliverable, a version, a comment) and a real 2400×1800 JPEG."""
    lib = ctx.lib
    brand = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Roast").value
    campaign = organize.create_campaign(lib, brand, "Autumn").value
    brief_id = briefs.create_brief(lib, brand, "Autumn launch", campaign).value
    briefs.save_section(lib, brief_id, "objective", "Make **students** pick Roast.")
    briefs.save_section(lib, brief_id, "insight", "Mornings are a *rush*.")
    briefs.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "count": 2, "notes": "hero"}])
    briefs.save_version(lib, brief_id, "first draft", author="Ana")
    comment = briefs.add_comment(lib, brief_id, "Is the insight strong enough?", section="insight", author="Ana").value
    report = importer.run(importer.ImportParams(str(lib.root), [str(shot)]), JobState(), lib=lib)
    ctx.current_campaign_id = campaign
    return {"brief": brief_id, "comment": comment, "image": report.imported[0]["id"]}


@pytest.fixture
def sender(sent, make_window):
    import studio.ui.workspaces.briefs  # noqa: F401 - registers the workspace

    return make_window(workspaces=[s for s in registry.workspaces() if s.key == "briefs"], initial_workspace="briefs")


@pytest.fixture
def reviewer(tmp_path, make_window):
    """The reviewer's own studio: another library, its own job runner and window."""
    from studio.ui.context import ChangeBus, StudioContext

    lib, runner = Library.open(tmp_path / "b"), JobRunner(io_threads=2, cpu_processes=1)
    window = make_window(context=StudioContext(lib, runner, ChangeBus(lib, runner)))
    yield window
    window.close()
    runner.shutdown()
    lib.close()


@pytest.fixture
def messages(ctx):
    said = []
    ctx.bus.notification.connect(lambda level, text: said.append((level, text)))
    return said


@pytest.fixture
def bundle_file(ctx, sent, tmp_path) -> Path:
    out = tmp_path / "made" / "review.zip"
    out.parent.mkdir()
    export_bundle(ctx.lib, [sent["brief"]], [sent["image"]], out)
    return out


def open_in(qtbot, window, path) -> ReviewWindow:
    job = open_review(window.ctx, path, window)
    qtbot.waitUntil(lambda: job.finished and bool(window.findChildren(ReviewWindow)), timeout=JOB_MS)
    review = window.findChildren(ReviewWindow)[0]
    qtbot.waitExposed(review)
    return review


def rewrite_manifest(path: Path, change) -> None:
    """Edit the manifest in place, keeping every other member: what a tamperer would do."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_the_file_menu_has_the_review_actions(reviewer):
    texts = [a.text() for a in reviewer.menuBar().actions()[0].menu().actions()]
    assert {"Export Review Bundle…", "Open Review Bundle…", "Import Review Reply…"} <= set(texts)


def test_a_review_round_trip_between_two_libraries(qtbot, ctx, sent, sender, reviewer, messages, tmp_path):
    view = sender.views["briefs"]
    view.list.select(sent["brief"])
    qtbot.waitUntil(lambda: view.brief is not None and view.brief.id == sent["brief"])
    qtbot.mouseClick(view.send_review_button, Qt.LeftButton)
    dialog = view.findChild(ReviewExportDialog)
    assert dialog.isVisible() and dialog.export_button.isEnabled()  # the current brief is ticked already
    dialog.check(asset_ids=[sent["image"]])
    out = tmp_path / "outbox" / "autumn.zip"
    out.parent.mkdir()
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert not dialog.export_button.isEnabled() and dialog.progress.isVisible()
    qtbot.waitUntil(lambda: any("Review bundle saved" in text for _level, text in messages), timeout=JOB_MS)
    assert out.is_file() and ("info", f"Review bundle saved to {out}: 1 brief, 1 asset, {out.stat().st_size / 1e6:.1f} MB.") in messages

    review = open_in(qtbot, reviewer, out)
    items = [review.contents.item(n).text() for n in range(review.contents.count())]
    assert items == ["BRIEFS (1)", "Autumn launch", "ASSETS (1)", "shot.jpg"]
    page = review.brief_view
    text = page.document.toPlainText()
    assert "Make students pick Roast." in text and "**" not in text  # Markdown rendered, not shown raw
    assert "2 × Meta Reels — hero" in text and "first draft" in text
    assert page.document.isReadOnly()
    review.show_item("asset", 0)
    picture = review.media.picture.picture()
    assert review.pages.currentIndex() == 1 and (picture.width(), picture.height()) == (1600, 1200)  # the proxy, not the original
    review.show_item("brief", sent["brief"])

    page.select(sent["comment"])
    qtbot.keyClicks(page.text, "Yes: the 7am rush is real.")
    qtbot.mouseClick(page.reply_button, Qt.LeftButton)
    page.section.setCurrentIndex(page.section.findData("objective"))
    qtbot.keyClicks(page.text, "Name the campus cafes.")
    qtbot.mouseClick(page.comment_button, Qt.LeftButton)
    qtbot.keyClicks(page.note, "Good to go")
    qtbot.mouseClick(page.approve_button, Qt.LeftButton)
    thread = page.threads.topLevelItem(0)
    assert thread.childCount() == 1 and thread.child(0).text(0).startswith("Yes: the 7am rush is real.\nYou")
    assert review.pending_label.text() == "Your reply: 2 comments, 1 decision · not saved yet"

    QSettings().setValue(REVIEWER_KEY, "Rita Reviewer")
    reply = tmp_path / "outbox" / "reply.zip"
    assert review.save_reply(reply, review.reviewer()) is not None
    assert reply.is_file() and "saved" in review.pending_label.text()
    review.close()
    qtbot.waitUntil(lambda: not reviewer.findChildren(ReviewWindow))

    job = start_import(ctx, reply, sender)
    qtbot.waitUntil(lambda: job.finished and any("Review reply" in t for _l, t in messages), timeout=JOB_MS)
    assert ("info", "Review reply from Rita Reviewer: 2 comments and 1 decision added (0 already there).") in messages
    qtbot.waitUntil(lambda: view.chip.text() == "Approved · Rita Reviewer")
    shown = [view.comments.tree.topLevelItem(n) for n in range(view.comments.tree.topLevelItemCount())]
    texts = [item.text(0) for item in shown] + [item.child(n).text(0) for item in shown for n in range(item.childCount())]
    assert any(t.startswith("Name the campus cafes.\nRita Reviewer") for t in texts)
    assert any(t.startswith("Yes: the 7am rush is real.\nRita Reviewer") for t in texts)


def test_an_export_can_be_cancelled_and_writes_nothing(qtbot, ctx, sent, sender, tmp_path):
    dialog = ReviewExportDialog(ctx, [sent["brief"]], parent=sender)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.check(asset_ids=[sent["image"]])
    dialog.path.setText(str(tmp_path / "cancelled.zip"))
    job = dialog.export()
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)  # Cancel stops the job, and leaves the dialog open
    qtbot.waitUntil(lambda: job.finished and dialog.job is None, timeout=JOB_MS)
    assert job.status == "cancelled" and dialog.isVisible()
    assert dialog.status.text() == "Cancelled; no bundle was written." and dialog.export_button.isEnabled()
    assert list(tmp_path.glob("*cancelled.zip*")) == []


def test_export_needs_a_brief(qtbot, ctx, sent, sender):
    dialog = ReviewExportDialog(ctx, parent=sender)
    qtbot.addWidget(dialog)
    assert not dialog.export_button.isEnabled() and dialog.status.text() == "Tick at least one brief to send; assets are optional."
    dialog.check(brief_ids=[sent["brief"]])
    assert dialog.export_button.isEnabled()


def test_importing_a_reply_twice_adds_nothing_more(qtbot, ctx, sent, sender, messages, bundle_file, tmp_path):
    reply = tmp_path / "reply.zip"
    with open_bundle(bundle_file) as bundle:
        reply_bundle(bundle, reply, reviewer="Rita", comments=[NewComment(sent["brief"], "Fine.")],
                     decisions=[NewDecision(sent["brief"], "rejected", "Too long")])
    for _ in range(2):
        job = start_import(ctx, reply, sender)
        qtbot.waitUntil(lambda job=job: job.finished, timeout=JOB_MS)
    qtbot.waitUntil(lambda: len([t for _l, t in messages if "Review reply" in t]) == 2)
    texts = [t for _l, t in messages if "Review reply" in t]
    assert texts == ["Review reply from Rita: 1 comment and 1 decision added (0 already there).",
                     "Review reply from Rita: 0 comments and 0 decisions added (2 already there)."]
    assert sender.views["briefs"].chip.text() == "Draft"  # a rejection sends the brief back to draft


def test_a_tampered_bundle_is_refused_and_opens_nothing(qtbot, reviewer, bundle_file):
    said = []
    reviewer.ctx.bus.notification.connect(lambda level, text: said.append((level, text)))
    rewrite_manifest(bundle_file, lambda m: m["briefs"][0].update(title="Winter launch"))
    job = open_review(reviewer.ctx, bundle_file, reviewer)
    qtbot.waitUntil(lambda: job.finished and bool(said), timeout=JOB_MS)
    assert said == [("error", ("Open review bundle review.zip failed. review.zip is not a review bundle the studio can open: its manifest "
                               "was changed after the bundle was made (the signature does not match). Nothing was imported; ask the "
                               "sender for a fresh copy."))]
    assert not reviewer.findChildren(ReviewWindow)


def test_a_tampered_reply_is_refused_and_nothing_is_merged(qtbot, ctx, sent, sender, messages, bundle_file, tmp_path):
    reply = tmp_path / "reply.zip"
    with open_bundle(bundle_file) as bundle:
        reply_bundle(bundle, reply, reviewer="Rita", comments=[NewComment(sent["brief"], "Fine.")])
    rewrite_manifest(reply, lambda m: m["briefs"][0]["comments"][0].update(text="Ship it without legal."))
    before = list_comments(ctx.lib, sent["brief"])
    job = start_import(ctx, reply, sender)
    qtbot.waitUntil(lambda: job.finished and bool(messages), timeout=JOB_MS)
    level, text = messages[-1]
    assert level == "error" and text.startswith("Import review reply reply.zip failed. reply.zip does not carry this library's signature") and "Nothing was imported" in text
    assert list_comments(ctx.lib, sent["brief"]) == before


def test_a_reply_opened_as_a_bundle_says_to_import_it(qtbot, reviewer, sent, bundle_file, tmp_path):
    reply = tmp_path / "reply.zip"
    with open_bundle(bundle_file) as bundle:
        reply_bundle(bundle, reply, reviewer="Rita", comments=[NewComment(sent["brief"], "Fine.")])
    said = []
    reviewer.ctx.bus.notification.connect(lambda level, text: said.append((level, text)))
    job = open_review(reviewer.ctx, reply, reviewer)
    qtbot.waitUntil(lambda: job.finished and bool(said), timeout=JOB_MS)
    assert said == [("error", "reply.zip is a reviewer's reply, not a bundle to review; File ▸ Import Review Reply… merges it.")]
    assert not reviewer.findChildren(ReviewWindow)


def test_the_reviewers_name_is_asked_once_and_remembered(qtbot, reviewer, bundle_file, tmp_path):
    review = open_in(qtbot, reviewer, bundle_file)

    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("  Rita Reviewer ")
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert review.reviewer() == "Rita Reviewer"
    assert QSettings().value(REVIEWER_KEY) == "Rita Reviewer"
    assert review.reviewer() == "Rita Reviewer"  # no dialog the second time: nothing would answer it
    review.saved = True
    review.close()


def test_nothing_to_save_until_the_reviewer_adds_something(qtbot, reviewer, bundle_file, tmp_path):
    review = open_in(qtbot, reviewer, bundle_file)
    assert not review.save_button.isEnabled() and review.pending_label.text() == ""
    page = review.brief_view
    assert not page.comment_button.isEnabled() and not page.reply_button.isEnabled()
    qtbot.mouseClick(page.reject_button, Qt.LeftButton)
    assert review.save_button.isEnabled() and page.decision.text() == "In your reply: rejected"
    assert review.save_reply(tmp_path / "missing" / "reply.zip", "Rita") is None
    assert review.statusBar().currentMessage().startswith("The reply was not saved: The folder")
    review.saved = True
    review.close()


def test_a_video_shows_its_poster_frame_and_plays_its_proxy_and_a_sound_plays(qtbot, ctx, sent, reviewer, tmp_path):
    files = [media.mp4(tmp_path / "files" / "spot.mp4", size=(320, 180)), make_wav(tmp_path / "files" / "jingle.wav")]
    report = importer.run(importer.ImportParams(str(ctx.lib.root), [str(f) for f in files]), JobState(), lib=ctx.lib)
    ids = {row["name"]: row["id"] for row in report.imported}
    out = tmp_path / "media.zip"
    export_bundle(ctx.lib, [sent["brief"]], [ids["spot.mp4"], ids["jingle.wav"]], out)
    review = open_in(qtbot, reviewer, out)
    media_view = review.media
    review.show_item("asset", 0)
    poster = media_view.picture.picture()
    assert (poster.width(), poster.height()) == (320, 180)
    assert media_view.play_button.isVisible()
    qtbot.mouseClick(media_view.play_button, Qt.LeftButton)
    assert media_view.player.source().toLocalFile() == str(review.bundle.assets[0].proxy)
    assert media_view.stack.currentWidget() is media_view.video and media_view.play_button.text() == "Pause"
    review.show_item("asset", 1)  # the sound: an icon, and Play plays its proxy
    assert media_view.player.source().isEmpty() and media_view.stack.currentWidget() is media_view.picture
    assert not media_view.picture.picture().isNull() and media_view.play_button.isVisible()
    qtbot.mouseClick(media_view.play_button, Qt.LeftButton)
    assert media_view.player.source().toLocalFile() == str(review.bundle.assets[1].proxy)
    assert media_view.stack.currentWidget() is media_view.picture
    review.show_item("brief", sent["brief"])  # leaving an asset stops it
    assert media_view.player.source().isEmpty()
    review.close()
