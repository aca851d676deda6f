"""Brand rules…: the brand's banned words, the words and disclaimers its copy must carry (and
where), its voice (its own texts, with a live score of the campaign's copy and the sentences
furthest from it) and its palette. Save is one core op, one step of Edit ▸ Undo; the Compliance
workspace checks the campaign's copy again when the brand's rules change.

Save writes only what was changed here, from the row versions the dialog opened with: if a colleague
saved one of those rules in between, nothing is written (ConflictError), the window asks whose to
keep, and the dialog stays open with every edit; that rule then shows what the window's answer left
stored, and Save writes the rest."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextBlockFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.compliance.rules import TEXT_FIELDS
from studio.core.compliance.voice import MIN_SAMPLES, VoiceReport, voice_score
from studio.core.errors import BadInput, ConflictError
from studio.core.ops import brand_rules as ops
from studio.core.ops.copy import campaign_copy
from studio.core.ops.tx import edited_from, row_versions
from studio.ui.shell.theme import theme
from studio.ui.widgets.flow_layout import FlowLayout
from studio.ui.widgets.latest_only import LatestOnly

SCORE_DELAY_MS = 400  # typing in the samples re-scores once the typing pauses
FURTHEST_SHOWN = 3
LINE_GAP = 5  # pixels under each entry in the one-per-line boxes
RULE_PARTS = {ops.BANNED_ID: "banned", ops.REQUIRED_ID: "required", ops.VOICE_ID: "voice"}  # the dialog's part of each common rule
PART_FIELDS = {"banned": ("banned",), "required": ("required", "required_fields"), "voice": ("voice_samples",),
               "palette": ("palette",)}  # the BrandGuidelines fields each part shows


def field_name(field: str) -> str:
    return field.replace("_", " ").capitalize()


def lines_of(edit: QTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


def read_guidelines(lib, brand_id: int, *rows: tuple[str, int]) -> tuple[dict, ops.BrandGuidelines]:
    """The brand's rules and the versions of their rows (`rows`; none given: the brand and all its
    rule rows), the versions read first: a save slipping in between makes a needless question, never
    a lost change."""
    rows = rows or (("brands", brand_id), *(("brand_rules", r.row_id) for r in ops.list_brand_rules(lib, brand_id)))
    return row_versions(lib, *rows), ops.brand_guidelines(lib, brand_id)


def score_copy(samples: list[str], texts: list[str]) -> VoiceReport | str:
    """The voice report, or what to do instead (runs off the GUI thread)."""
    if len(samples) < MIN_SAMPLES:
        return f"Add at least {MIN_SAMPLES} of the brand's own texts, one per line, to score the copy against its voice."
    if not texts:
        return "The campaign has no copy to score yet."
    try:
        return voice_score(samples, texts)
    except BadInput as exc:
        return str(exc)


class BrandRulesDialog(QDialog):
    scored = Signal()  # the voice score shown is up to date

    def __init__(self, ctx, brand_id: int, campaign_id: int | None = None, parent=None):
        super().__init__(parent)
        self.ctx, self.brand_id = ctx, brand_id
        self.seen, guidelines = read_guidelines(ctx.lib, brand_id)
        self.loaded = guidelines  # what Save compares with: only what was changed here is written
        self.lost: ConflictError | None = None  # the save that lost a race, until the window's answer is stored
        self.setWindowTitle(f"Brand rules · {guidelines.name}")
        self.setAttribute(Qt.WA_DeleteOnClose)  # opened afresh each time, with the rules as they are then
        self.setMinimumWidth(820)
        self.colours = list(guidelines.palette)
        self.copy_texts = self._campaign_texts(campaign_id)

        self.banned = self._lines("Banned words", guidelines.banned, "One word or phrase per line, e.g. cheap")
        self.required = self._lines("Required words and disclaimers", guidelines.required, "One per line, e.g. Terms apply")
        self.fields = {f: QCheckBox(field_name(f), checked=f in guidelines.required_fields) for f in TEXT_FIELDS}
        self.samples = self._lines("Voice samples", guidelines.voice_samples,
                                   "Texts the brand has published, one per line (at least 3)")
        self.score = QLabel()
        self.furthest = QLabel(wordWrap=True, objectName="Muted")
        self.swatches = QWidget()
        swatch_row = QHBoxLayout(self.swatches)
        swatch_row.setContentsMargins(0, 0, 0, 0)
        swatch_row.setSpacing(6)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(f"color: {theme().colors.danger}")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._build(guidelines.name)
        self._show_swatches()

        self._scorer = LatestOnly(self)
        self._scorer.finished.connect(self._show_score)
        self._timer = QTimer(self, singleShot=True, interval=SCORE_DELAY_MS)
        self._timer.timeout.connect(self.rescore)
        self.samples.textChanged.connect(self._timer.start)
        ctx.bus.changed.connect(self._on_library_changed)
        self.rescore()

    def _lines(self, name: str, lines, placeholder: str) -> QTextEdit:
        """Plain text, one entry per line; a gap under each line tells a wrapped entry from the next."""
        edit = QTextEdit(accessibleName=name, placeholderText=placeholder, acceptRichText=False, tabChangesFocus=True)
        self._set_lines(edit, lines)
        return edit

    @staticmethod
    def _set_lines(edit: QTextEdit, lines) -> None:
        edit.setPlainText("\n".join(lines))
        cursor = edit.textCursor()
        cursor.select(QTextCursor.Document)
        gap = QTextBlockFormat()
        gap.setBottomMargin(LINE_GAP)
        cursor.mergeBlockFormat(gap)  # new lines typed or pasted take the format of the line they come from

    def _campaign_texts(self, campaign_id: int | None) -> list[str]:
        """The campaign's copy in the fields the voice is checked in, each text once."""
        if campaign_id is None:
            return []
        texts = [t for fields in campaign_copy(self.ctx.lib, campaign_id).values()
                 for field, lines in fields.items() if field in ops.VOICE_FIELDS for t in lines]
        return list(dict.fromkeys(texts))

    def _build(self, brand: str) -> None:
        intro = QLabel(f"Every campaign of <b>{html.escape(brand)}</b> is checked against these rules, "
                       "along with the platforms' own.", wordWrap=True)
        where = QWidget()
        where_layout = FlowLayout(where, spacing=10)
        for box in self.fields.values():
            where_layout.addWidget(box)
        add_colour = QToolButton(icon=theme().icon("mdi6.plus"), toolTip="Add a colour to the palette", accessibleName="Add colour")
        add_colour.clicked.connect(lambda: self.pick_colour())
        palette_row = QHBoxLayout()
        palette_row.addWidget(self.swatches)
        palette_row.addWidget(add_colour)
        palette_row.addStretch(1)

        left = QVBoxLayout()
        for title, widget, height in (("BANNED WORDS", self.banned, 120), ("REQUIRED WORDS AND DISCLAIMERS", self.required, 80)):
            widget.setMinimumHeight(height)
            widget.setMaximumHeight(height + 40)
            left.addWidget(QLabel(title, objectName="PanelTitle"))
            left.addWidget(widget)
            left.addSpacing(6)
        left.addWidget(QLabel("Required in", objectName="Muted"))
        left.addWidget(where)
        left.addSpacing(10)
        left.addWidget(QLabel("PALETTE", objectName="PanelTitle"))
        left.addLayout(palette_row)
        left.addStretch(1)

        right = QVBoxLayout()
        right.addWidget(QLabel("VOICE", objectName="PanelTitle"))
        right.addWidget(QLabel("The brand's own texts, one per line: copy that sounds unlike them is flagged.", wordWrap=True,
                               objectName="Muted"))
        self.samples.setMinimumHeight(150)
        right.addWidget(self.samples, 1)
        right.addWidget(self.score)
        right.addWidget(self.furthest)

        columns = QGridLayout()
        columns.setHorizontalSpacing(20)
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    # ---- palette ----------------------------------------------------------------------------
    def _show_swatches(self) -> None:
        row = self.swatches.layout()
        while row.count():
            row.takeAt(0).widget().deleteLater()
        for i, colour in enumerate(self.colours):
            swatch = QToolButton(toolTip=f"{colour}: click to change or remove", accessibleName=f"Colour {colour}")
            swatch.setFixedSize(30, 30)
            swatch.setStyleSheet(f"QToolButton {{ background: {colour}; border: 1px solid {theme().colors.border}; border-radius: 6px; }}"
                                 "QToolButton::menu-indicator { image: none; }")
            menu = QMenu(swatch)
            menu.addAction("Change…", lambda *_, i=i: self.pick_colour(i))
            menu.addAction("Remove", lambda *_, i=i: self.remove_colour(i))
            swatch.setMenu(menu)
            swatch.setPopupMode(QToolButton.InstantPopup)
            row.addWidget(swatch)
        if not self.colours:
            row.addWidget(QLabel("No colours yet: add the brand's colours with +.", objectName="Muted"))

    def pick_colour(self, index: int | None = None) -> QColorDialog:
        """A colour dialog (not modal to the app); the chosen colour is added, or replaces the one at index."""
        dialog = QColorDialog(QColor(self.colours[index]) if index is not None else QColor(theme().colors.accent), self)
        dialog.colorSelected.connect(lambda colour: self.set_colour(colour.name().upper(), index))
        dialog.open()
        return dialog

    def set_colour(self, colour: str, index: int | None = None) -> None:
        if index is None:
            self.colours.append(colour)
        else:
            self.colours[index] = colour
        self._show_swatches()

    def remove_colour(self, index: int) -> None:
        del self.colours[index]
        self._show_swatches()

    # ---- voice ------------------------------------------------------------------------------
    def rescore(self) -> None:
        samples, texts = lines_of(self.samples), list(self.copy_texts)
        self.score.setText("Scoring the campaign's copy…")
        self._scorer.submit(lambda: score_copy(samples, texts))

    def _show_score(self, report) -> None:
        c = theme().colors
        if isinstance(report, str):
            self.score.setText("")
            self.furthest.setText(html.escape(report))
        else:
            colour = c.success if report.score >= 70 else c.warning if report.score >= 40 else c.danger
            self.score.setText(f"Voice score of the campaign's copy: <b style='color:{colour}; font-size:16px'>{report.score}</b>/100")
            rows = [f"<li>“{html.escape(s.text)}”<br><span style='color:{c.muted}'>{html.escape(s.why)}</span></li>"
                    for s in report.sentences[:FURTHEST_SHOWN]]
            self.furthest.setText("Furthest from the voice:<ul style='margin-left:-20px'>" + "".join(rows) + "</ul>")
        self.scored.emit()

    # ---- saving -----------------------------------------------------------------------------
    def changes(self) -> dict:
        """save_brand_guidelines' arguments for what differs from the rules as opened: what was not
        touched here is left as it is stored (a colleague may have changed it meanwhile)."""
        loaded, out = self.loaded, {}
        required, fields = lines_of(self.required), [f for f, box in self.fields.items() if box.isChecked()]
        if (banned := lines_of(self.banned)) != list(loaded.banned):
            out["banned"] = banned
        if required != list(loaded.required) or fields != list(loaded.required_fields):
            out.update(required=required, required_fields=fields or None)
        if (samples := lines_of(self.samples)) != list(loaded.voice_samples):
            out["voice_samples"] = samples
        if self.colours != list(loaded.palette):
            out["palette"] = self.colours
        return out

    def accept(self) -> None:
        """Save through one core op (one undoable step); a refusal is shown and the dialog stays."""
        if lines_of(self.required) and not any(box.isChecked() for box in self.fields.values()):
            self.error.setText("Tick where the required words must appear (Primary text, Description…).")
            return
        try:
            with edited_from(self.seen):
                result = ops.save_brand_guidelines(self.ctx.lib, self.brand_id, **self.changes(), label="Change brand rules")
        except ConflictError as exc:  # the window asks whose to keep; every edit stays here meanwhile
            self.lost = exc
            self.error.setText("Not saved: someone else changed these rules since you opened them. Choose whose to keep "
                               "in the window that asks, then Save again to write the rest of your changes.")
            return
        except BadInput as exc:
            self.error.setText(str(exc))
            return
        if result.changes:
            self.ctx.notify("Brand rules saved; the campaign's copy is checked again. Edit ▸ Undo takes them back.")
        super().accept()

    def _on_library_changed(self, result) -> None:
        """The row a save lost on changed (the window's Keep mine or Take theirs): show its part as
        stored now, from its version now, so Save goes on from there."""
        lost = self.lost
        if lost is None or lost.table not in result.changes:
            return
        part = "palette" if lost.table == "brands" else next(
            (RULE_PARTS.get(r.rule_id) for r in self.loaded.rules if r.row_id == lost.pk[0]), None)
        seen, now = read_guidelines(self.ctx.lib, self.brand_id, (lost.table, lost.pk))
        self.lost = None
        self.seen.update(seen)
        self.loaded = replace(self.loaded, rules=now.rules, **{f: getattr(now, f) for f in PART_FIELDS.get(part, ())})
        if part in ("banned", "voice"):
            self._set_lines(self.banned if part == "banned" else self.samples, getattr(now, PART_FIELDS[part][0]))
        elif part == "required":
            self._set_lines(self.required, now.required)
            for field, box in self.fields.items():
                box.setChecked(field in now.required_fields)
        elif part == "palette":
            self.colours = list(now.palette)
            self._show_swatches()
