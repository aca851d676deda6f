"""Compliance underlines as the user types: in the Export dialog's copy editor (real specs, a
real campaign whose brand name may be written in capitals) and on any text edit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QColor, QHelpEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit, QToolTip

from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.core.specs.catalog import load_catalog
from studio.ui.export.copy_editor import CopyPane
from studio.ui.shell.theme import theme
from studio.ui.widgets.copy_highlighter import DEBOUNCE_MS, CopyHighlighter
from tests.ui.creative_fixtures import assets, creative, new_comp  # noqa: F401 - fixtures


@pytest.fixture
def pane(ctx, lib, qtbot):
    client = create_client(lib, "Kestrel Coffee").value
    campaign = create_campaign(lib, create_brand(lib, client, "KESTREL").value, "Autumn").value
    widget = CopyPane(ctx)
    qtbot.addWidget(widget)
    widget.set_context(campaign, [load_catalog(lib).entries["google.rsa"]])
    widget.field.setCurrentIndex(widget.field.findData("headline"))
    widget.show()
    return widget


def underlines(editor, line: int) -> list[tuple[int, int, str]]:
    """(start, end, colour) of the underlined ranges of a line."""
    block = editor.document().findBlockByNumber(line)
    return sorted((r.start, r.start + r.length, r.format.underlineColor().name().upper()) for r in block.layout().formats()
                  if r.format.underlineStyle() == QTextCharFormat.SpellCheckUnderline)


def point_at(editor, position: int) -> QPoint:
    cursor = QTextCursor(editor.document())
    cursor.setPosition(position)
    return editor.cursorRect(cursor).center() + QPoint(2, 0)


def test_the_export_copy_editor_underlines_the_exact_spans_after_a_pause(pane, qtbot):
    red, amber = (QColor(c).name().upper() for c in (theme().colors.danger, theme().colors.warning))
    pane.editor.setPlainText("FREE shipping!!\nKESTREL roast is back")
    assert underlines(pane.editor, 0) == []  # checked once typing pauses, not on every key
    qtbot.waitUntil(lambda: bool(underlines(pane.editor, 0)), timeout=DEBOUNCE_MS * 20)
    lines = underlines(pane.editor, 0)
    assert (0, 4, red) in lines  # "FREE": capitals
    assert (13, 15, red) in lines  # "!!": repeated punctuation, drawn over the amber of each "!"
    assert all(colour in (red, amber) for *_, colour in lines)
    assert underlines(pane.editor, 1) == []  # the brand declares KESTREL in capitals

    found = pane.highlighter.finding_at(point_at(pane.editor, 1))
    assert [f.rule_id for f in found] == ["google.capitals"]
    viewport = pane.editor.viewport()
    event = QHelpEvent(QEvent.ToolTip, point_at(pane.editor, 1), viewport.mapToGlobal(point_at(pane.editor, 1)))
    assert pane.highlighter.eventFilter(viewport, event)
    assert QToolTip.text().startswith(found[0].message)


def test_the_underlines_follow_the_field(pane, qtbot):
    pane.editor.setPlainText("FREE shipping!!")
    qtbot.waitUntil(lambda: bool(pane.highlighter.findings(pane.editor.document().firstBlock())), timeout=DEBOUNCE_MS * 20)
    assert "google.exclamation_headline" in {f.rule_id for f in pane.highlighter.findings(pane.editor.document().firstBlock())}
    pane.field.setCurrentIndex(pane.field.findData("description"))
    pane.editor.setPlainText("FREE shipping!!")
    qtbot.waitUntil(lambda: bool(pane.highlighter.findings(pane.editor.document().firstBlock())), timeout=DEBOUNCE_MS * 20)
    rules = {f.rule_id for f in pane.highlighter.findings(pane.editor.document().firstBlock())}
    assert "google.punctuation" in rules and "google.exclamation_headline" not in rules  # a headline-only rule


def test_any_text_edit_can_have_underlines(qtbot):
    editor = QTextEdit()
    qtbot.addWidget(editor)
    highlighter = CopyHighlighter(editor, field="image_text")
    editor.setPlainText("Fresh roast")
    highlighter.check_pending()
    assert underlines(editor, 0) == []
    editor.setPlainText("Fresh roast GUARANTEED RESULTS")
    highlighter.check_pending()
    assert underlines(editor, 0) and all(start >= 12 for start, _, _ in underlines(editor, 0))


def test_the_creative_inspector_underlines_a_text_clip(qtbot, creative):  # noqa: F811 - the fixture
    new_comp(creative)
    creative.controller.add_text("Fresh roast")
    editor = creative.inspector.text_edit
    editor.setPlainText("Fresh roast, guaranteed results")
    qtbot.waitUntil(lambda: bool(underlines(editor, 0)), timeout=DEBOUNCE_MS * 20)
    assert [start for start, _, _ in underlines(editor, 0)] == [13]  # the claim, on every platform (on-screen text gets the policy rules)


def test_the_creative_inspector_uses_the_brand_of_the_composition(qtbot, creative, ctx, lib):  # noqa: F811 - the fixture
    client = create_client(lib, "Kestrel Coffee").value
    brand = create_brand(lib, client, "KESTREL").value
    with lib.write("Add brand rule") as tx:  # the brand bans a word of its own
        tx.insert("brand_rules", brand_id=brand, document={
            "id": "brand.banned", "check": "brand_words", "params": {"banned": ["cheap"]}, "fields": ["image_text"],
            "severity": "error", "message": "“{excerpt}” is not a word Kestrel uses.", "hint": "Say “good value”."})
    ctx.set_campaign(create_campaign(lib, brand, "Autumn").value)
    new_comp(creative)
    creative.controller.add_text("x")
    editor = creative.inspector.text_edit
    editor.setPlainText("KESTREL beans, cheap")
    qtbot.waitUntil(lambda: bool(underlines(editor, 0)), timeout=DEBOUNCE_MS * 20)
    # the brand's banned word is underlined as an error (without the brand's rules nothing is)
    assert underlines(editor, 0) == [(15, 20, QColor(theme().colors.danger).name().upper())]
