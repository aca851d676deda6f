"""The Briefs workspace's Copy tab as a user works it: Generate as a job, the variants' length bars
and finding icons, Keep selected into the campaign's ad copy, Ctrl+Z, Cancel, and the messages."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from studio.core.ops import briefs, organize
from studio.core.ops.brand_rules import set_brand_words
from studio.core.ops.copy import campaign_copy
from studio.ui.workspaces.briefs.copy_panel import (
    CHECKS,
    KEEP,
    LENGTH,
    MEASURE,
    TEXT,
    CopyPanel,
)

WIDE = "毎朝 焼きたての 豆を 駅前の 店で お届けします"


def make_place(lib):
    brand = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Roast").value
    return brand, organize.create_campaign(lib, brand, "Autumn").value


def make_brief(lib, brand, campaign, deliverables=("meta.feed_image", "google.rsa")) -> int:
    brief_id = briefs.create_brief(lib, brand, "Autumn launch", campaign).value
    briefs.save_section(lib, brief_id, "proposition", f"{WIDE}\n\nFresh coffee roasted every morning. The cheap cup that tastes like a treat.")
    briefs.save_section(lib, brief_id, "reasons_to_believe", "Roasted daily in our own roastery.")
    briefs.set_deliverables(lib, brief_id, [{"spec_id": s} for s in deliverables])
    return brief_id


def make_panel(ctx, qtbot, brief_id) -> CopyPanel:
    panel = CopyPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 900)
    panel.show()
    panel.set_brief(brief_id)
    panel.provider.setCurrentIndex(panel.provider.findData("offline"))
    return panel


def generate(panel, qtbot):
    with qtbot.waitSignal(panel.generated, timeout=30_000) as done:
        qtbot.mouseClick(panel.generate_button, Qt.LeftButton)
        assert panel.cancel_button.isVisible() and not panel.generate_button.isEnabled()
    return done.args[0]


def test_generate_shows_variants_with_length_bars_and_findings(ctx, qtbot, lib, tmp_path):
    brand, campaign = make_place(lib)
    set_brand_words(lib, brand, banned=["cheap"])
    panel = make_panel(ctx, qtbot, make_brief(lib, brand, campaign))
    assert "Press Generate" in panel.empty.text() and not panel.keep_button.isEnabled()
    panel.count.setValue(4)

    job = generate(panel, qtbot)
    assert job.status == "done" and not panel.cancel_button.isVisible() and panel.keep_button.isEnabled()
    tables = {(t.field.spec_id, t.field.field): t for t in panel.tables}
    assert list(tables) == [("meta.feed_image", "primary_text"), ("meta.feed_image", "headline"), ("meta.feed_image", "description"),
                            ("google.rsa", "headline"), ("google.rsa", "description")]
    google = tables["google.rsa", "headline"]
    assert google.rowCount() == 4
    texts = [google.item(r, TEXT).text() for r in range(google.rowCount())]
    assert texts == [WIDE, "Fresh coffee roasted every", "The cheap cup that tastes like", "Roasted daily in our own"]

    # the wide line: 45 as Google counts it, a red (over) bar and a ruler icon saying so
    assert google.item(0, LENGTH).data(MEASURE) == (45, 30)
    tips = [icon.toolTip() for icon in google.cellWidget(0, CHECKS).icons]
    assert tips[0] == "45 characters; the limit is 30. Shorten it, or pick another variant." and "The headline is 45 characters" in tips[1]
    # the banned word: an error icon with the brand rule's message; a clean line gets a tick
    assert any("“cheap” is a word the brand does not use" in icon.toolTip() for icon in google.cellWidget(2, CHECKS).icons)
    assert [icon.toolTip() for icon in google.cellWidget(1, CHECKS).icons] == ["Within the limit, and no compliance findings."]
    assert google.item(1, LENGTH).data(MEASURE) == (26, 30)
    assert "fail a limit or a check" in panel.status.text()

    shot = tmp_path / "copy_panel.png"
    assert panel.grab().save(str(shot)) and shot.stat().st_size > 10_000


def test_keep_selected_stores_the_ad_copy_and_ctrl_z_removes_it(ctx, qtbot, lib, make_window):
    brand, campaign = make_place(lib)
    window = make_window()
    panel = make_panel(ctx, qtbot, make_brief(lib, brand, campaign))
    generate(panel, qtbot)
    meta = next(t for t in panel.tables if (t.field.spec_id, t.field.field) == ("meta.feed_image", "headline"))
    google = next(t for t in panel.tables if (t.field.spec_id, t.field.field) == ("google.rsa", "headline"))

    meta.item(0, KEEP).setCheckState(Qt.Checked)
    meta.item(2, KEEP).setCheckState(Qt.Checked)  # Meta takes one headline: refused, nothing written
    qtbot.mouseClick(panel.keep_button, Qt.LeftButton)
    assert "takes at most 1 headline" in panel.status.text() and campaign_copy(lib, campaign) == {}

    meta.item(2, KEEP).setCheckState(Qt.Unchecked)
    for row in range(3):
        google.item(row, KEEP).setCheckState(Qt.Checked)
    with qtbot.waitSignal(panel.kept):
        qtbot.mouseClick(panel.keep_button, Qt.LeftButton)
    assert panel.status.text() == "Kept 4 variants as the campaign's ad copy (Ctrl+Z undoes it)."
    kept = campaign_copy(lib, campaign)
    assert kept["meta.feed_image"]["headline"] == [meta.item(0, TEXT).text()]
    assert kept["google.rsa"]["headline"] == [google.item(r, TEXT).text() for r in range(3)]

    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Keep copy for Autumn launch")
    window.activateWindow()  # the studio's window, where Ctrl+Z lives (the panel was shown on its own)
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: campaign_copy(lib, campaign) == {})


def test_cancel_and_the_messages_for_bad_input(ctx, qtbot, lib, runner):
    brand, campaign = make_place(lib)
    panel = make_panel(ctx, qtbot, None)
    assert panel.empty.text() == "Pick a brief to write copy for its deliverables." and not panel.generate_button.isEnabled()

    # Cancel while the job waits for a free worker: it never writes
    release = threading.Event()
    blockers = [runner.submit(lambda _p, _s: release.wait(10), title="busy") for _ in range(2)]
    panel.set_brief(make_brief(lib, brand, campaign))
    qtbot.mouseClick(panel.generate_button, Qt.LeftButton)
    with qtbot.waitSignal(panel.generated, timeout=10_000) as done:
        qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
        release.set()
    assert done.args[0].status == "cancelled" and panel.status.text() == "Cancelled; nothing was written."
    assert panel.tables == [] and panel.generate_button.isEnabled()
    for job in blockers:
        runner.wait(job, 10)

    panel.set_brief(briefs.create_brief(lib, brand, "Empty", campaign).value)
    job = generate(panel, qtbot)
    assert job.status == "failed"
    assert panel.status.text().startswith("No copy was written: 'Empty' has no deliverables yet; add placements")
