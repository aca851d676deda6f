"""Settings ▸ Accounts & keys against the real encrypted-file keyring (keyrings.cryptfile),
and key tests through the real OpenAI SDK against a fake server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from studio.core.secrets import SecretStore
from tests.fakes import fake_services

GOOD_KEY = "sk-test-good-123456"


@pytest.fixture
def fake_openai():
    with fake_services(GOOD_KEY) as (base, _seen):
        yield f"{base}/v1"


def accounts_page(qtbot, window):
    dialog = window.open_settings("Accounts & keys")
    qtbot.addWidget(dialog)
    page = dialog.accounts
    qtbot.waitUntil(lambda: page.store is not None and page._busy == 0, timeout=15000)
    return page


def wait_idle(qtbot, page):
    qtbot.waitUntil(lambda: page._busy == 0, timeout=20000)


def fill_key(qtbot, page, value, endpoint=None):
    dialog = page.key_dialog
    field = dialog.fields["api_key"]
    assert field.echoMode() == QLineEdit.Password
    field.clear()
    qtbot.keyClicks(field, value)
    if endpoint is not None:
        dialog.endpoint.setText(endpoint)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)


def test_master_password_then_add_replace_and_remove_a_key(qtbot, window, keyring_file):
    page = accounts_page(qtbot, window)
    row = page.rows["openai"]
    assert page.banner.isVisible() and "Set a master password" in page.banner_text.text()
    assert row.status.text() == "Locked"

    # Add asks for a master password first (set + confirm).
    qtbot.mouseClick(row.set_button, Qt.LeftButton)
    pw = page.password_dialog
    assert pw.isVisible() and pw.first_time
    qtbot.keyClicks(pw.password, "correct horse")
    qtbot.keyClicks(pw.confirm, "correct hose")
    qtbot.mouseClick(pw.ok_button, Qt.LeftButton)
    assert "differ" in pw.error.text() and pw.isVisible()
    pw.confirm.clear()
    qtbot.keyClicks(pw.confirm, "correct horse")
    qtbot.mouseClick(pw.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not pw.isVisible(), timeout=20000)
    assert keyring_file.exists()

    # ...then goes on to the Add dialog.
    qtbot.waitUntil(lambda: page.key_dialog is not None and page.key_dialog.isVisible())
    assert page.key_dialog.windowTitle() == "Add OpenAI key"
    fill_key(qtbot, page, "sk-first-key-1111")
    wait_idle(qtbot, page)
    assert row.status.text() == "Set" and row.set_button.text() == "Replace…"

    qtbot.mouseClick(row.set_button, Qt.LeftButton)
    assert page.key_dialog.windowTitle() == "Replace OpenAI key"
    fill_key(qtbot, page, "sk-second-key-2222")
    wait_idle(qtbot, page)

    check = SecretStore(file_path=keyring_file)
    check.unlock("correct horse")
    assert check.get("openai") == "sk-second-key-2222"
    assert "sk-second-key-2222" not in keyring_file.read_text(errors="replace")  # encrypted on disk

    qtbot.mouseClick(row.remove_button, Qt.LeftButton)
    box = page.confirm_box
    assert box.isVisible() and "Remove the OpenAI key" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.Yes), Qt.LeftButton)
    qtbot.waitUntil(lambda: row.status.text() == "Not set", timeout=20000)
    wait_idle(qtbot, page)
    assert check.get("openai") is None


def test_wrong_master_password_says_so_and_the_right_one_unlocks(qtbot, window, keyring_file):
    store = SecretStore(file_path=keyring_file)
    store.unlock("the right password")
    store.set("anthropic", "sk-ant-kept-123456")

    page = accounts_page(qtbot, window)
    assert "locked" in page.banner_text.text().lower()
    qtbot.mouseClick(page.unlock_button, Qt.LeftButton)
    pw = page.password_dialog
    assert not pw.first_time and not pw.confirm.isVisible()
    qtbot.keyClicks(pw.password, "a wrong password")
    qtbot.mouseClick(pw.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: pw.ok_button.isEnabled(), timeout=20000)
    assert pw.isVisible()
    assert "That master password is not right" in pw.error.text()

    pw.password.clear()
    qtbot.keyClicks(pw.password, "the right password")
    qtbot.mouseClick(pw.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not pw.isVisible(), timeout=20000)
    wait_idle(qtbot, page)
    assert page.rows["anthropic"].status.text() == "Set"
    assert page.rows["openai"].status.text() == "Not set"
    assert not page.banner.isVisible()


def test_test_button_checks_the_key_with_the_service(qtbot, window, ctx, key_store, fake_openai):
    ctx.secrets = key_store  # already unlocked this session
    page = accounts_page(qtbot, window)
    row = page.rows["openai"]
    assert not row.test_button.isEnabled()  # nothing to test yet

    qtbot.mouseClick(row.set_button, Qt.LeftButton)
    fill_key(qtbot, page, GOOD_KEY, endpoint=fake_openai)
    wait_idle(qtbot, page)
    qtbot.mouseClick(row.test_button, Qt.LeftButton)
    wait_idle(qtbot, page)
    assert row.message.text() == "OpenAI accepted the key (3 models visible)."
    assert row.message.property("state") == "ok"

    qtbot.mouseClick(row.set_button, Qt.LeftButton)
    assert page.key_dialog.endpoint.text() == fake_openai  # remembered
    fill_key(qtbot, page, "sk-test-revoked-999")
    wait_idle(qtbot, page)
    qtbot.mouseClick(row.test_button, Qt.LeftButton)
    wait_idle(qtbot, page)
    assert row.message.text().startswith("OpenAI did not accept the key")
    assert "sk-test-revoked-999" not in row.message.text()
    assert row.message.property("state") == "bad"
    assert not window.toasts.toasts  # an answer, not a failed job


def test_theme_choice_applies_and_is_remembered(qtbot, window):
    from PySide6.QtCore import QSettings

    from studio.ui.shell.theme import theme

    dialog = window.open_settings("Appearance")
    qtbot.addWidget(dialog)
    combo = dialog.appearance.theme_combo
    combo.setCurrentIndex(combo.findData("light"))
    assert theme().colors.name == "light" and QSettings().value("appearance/theme") == "light"
    combo.setCurrentIndex(combo.findData("dark"))
    assert theme().colors.name == "dark"
    combo.setCurrentIndex(combo.findData("system"))
    assert theme().choice == "system"


def test_compositing_backend_applies_to_the_viewer_and_exports_and_a_missing_gpu_is_said_once(qtbot, window, ctx, tmp_path):
    import torch
    from PySide6.QtCore import QSettings

    from studio.core.ops.compositions import create_composition
    from studio.core.timeline.model import Composition, ShapeClip, Track
    from studio.ui.workspaces.creative.view import CreativeView

    view = CreativeView(ctx)
    qtbot.addWidget(view)
    view.show()
    spot = Composition(name="Tiny spot", width=160, height=284, duration=15,
                       tracks=[Track(kind="overlay", clips=[ShapeClip(start=0, duration=15, fill="#FF0000", size=(1.0, 1.0))])])
    view.controller.load(create_composition(ctx.lib, spot).value)
    viewer = view.viewer
    qtbot.waitUntil(lambda: viewer.shown_frame == 0, timeout=20000)
    notes = []
    ctx.bus.notification.connect(lambda level, text: notes.append((level, text)))

    dialog = window.open_settings("Preview & render")
    qtbot.addWidget(dialog)
    page = dialog.preview_render
    assert dialog.pages.currentWidget().isAncestorOf(page)
    combo = page.backend_combo
    assert combo.currentData() == "auto" and [combo.itemData(i) for i in range(combo.count())] == ["auto", "cpu", "gpu"]
    qtbot.waitUntil(lambda: page.gpu_label.text() != "GPU: checking…", timeout=20000)
    if torch.cuda.is_available():
        assert page.gpu_label.text().startswith("GPU: available — ")
    else:
        assert page.gpu_label.text() == f"GPU: not available — torch {torch.__version__.split('+')[0]} installed, no CUDA device"

    combo.setCurrentIndex(combo.findData("gpu"))
    assert QSettings().value("render/backend") == "gpu"
    missing_gpu = ("warning", "No CUDA GPU was found; compositing with torch on the CPU.")
    if not torch.cuda.is_available():  # the open viewer switched at once: its new evaluator said so
        qtbot.waitUntil(lambda: missing_gpu in notes, timeout=20000)
    for frame in (3, 7, 11):  # more frames (and evaluators for other sizes) do not say it again
        view.controller.set_playhead(frame)
        qtbot.waitUntil(lambda frame=frame: viewer.shown_frame == frame, timeout=20000)
    viewer.zoom_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: viewer.shown_frame == 11 and viewer.property("rendering") is False, timeout=20000)
    assert notes.count(missing_gpu) == (0 if torch.cuda.is_available() else 1)
    assert viewer.canvas.image.pixelColor(10, 10).name() == "#ff0000"  # and it composites all the same

    params = view.exporter.render_params(tmp_path / "spot.mp4")
    assert params.backend == "gpu"
    job = view.exporter.start(tmp_path / "spot.mp4")
    qtbot.waitUntil(lambda: job.finished, timeout=60000)
    assert job.status == "done", job.error

    combo.setCurrentIndex(combo.findData("cpu"))
    assert view.exporter.render_params(tmp_path / "spot.mp4").backend == "cpu"
    view.viewer.shutdown()


def test_ai_page_sets_the_model_undoably_and_shows_this_months_use(qtbot, window, ctx):
    from datetime import datetime

    from studio.core.ai.costs import record_call
    from studio.core.ai.providers import default_model

    dialog = window.open_settings("AI")
    qtbot.addWidget(dialog)
    page = dialog.ai
    assert page.usage.topLevelItemCount() == 0 and page.usage_note.text() == "No AI calls yet this month."

    combo = page.models["openai"]
    combo.setCurrentText("gpt-5-mini")
    combo.lineEdit().editingFinished.emit()
    assert default_model("openai", ctx.lib) == "gpt-5-mini"
    ctx.lib.undo.undo()
    assert default_model("openai", ctx.lib) != "gpt-5-mini"
    qtbot.waitUntil(lambda: combo.currentText() == default_model("openai", ctx.lib))  # the page follows the undo

    now = datetime.now(UTC).replace(tzinfo=None)
    record_call(ctx.lib, provider="anthropic", model="claude-sonnet-4-6", purpose="Brief: improve Insight",
                input_tokens=1_000_000, output_tokens=100_000, status="done", error=None, started_at=now, seconds=3.0)
    qtbot.waitUntil(lambda: page.usage.topLevelItemCount() == 1)
    row = page.usage.topLevelItem(0)
    assert [row.text(i) for i in range(6)] == ["Anthropic", "claude-sonnet-4-6", "1", "1,000,000", "100,000", "$4.50"]
    assert page.usage_note.text().startswith("1 call, $4.50 this month")
