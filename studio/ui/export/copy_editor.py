"""The Copy tab: each placement's copy checks, and an editor for the campaign's copy per scope
(every placement, a platform, one placement) and field, one text per line, with live counts
against the placements' limits. Saves are core ops: undoable, and the dialog re-checks after.
A save names the line versions the pane loaded: if a colleague changed the field's copy since, it
is refused (ConflictError), the typing stays, and the main window asks whose lines to keep."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput, ConflictError
from studio.core.export.plan import CopyCheck
from studio.core.ops.copy import campaign_copy, copy_for, copy_versions, set_copy
from studio.core.ops.tx import edited_from
from studio.core.specs.model import Spec, TextField
from studio.core.specs.text import char_count
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.export.findings import findings_html, status_of
from studio.ui.shell.theme import theme
from studio.ui.widgets.copy_highlighter import CopyHighlighter, campaign_rules

ALL = ""  # the scope combo's data for "every placement" (copy scope None)


def line_report(text: str, limits: list[tuple[Spec, TextField]]) -> tuple[str, str, str]:
    """(count, what it is measured against, state "ok" | "warning" | "error") for one text: the
    tightest hard limit among the placements is an error past it; a placement that cuts the text
    off in view is a warning."""
    hard = [(tf.max_chars - char_count(text, tf.wide_counts_double), spec, tf) for spec, tf in limits if tf.max_chars]
    headroom, count, against = 0, f"{len(text)} characters", ""
    if hard:
        headroom, spec, tf = min(hard, key=lambda h: h[0])
        n = char_count(text, tf.wide_counts_double)
        count, against = f"{n} / {tf.max_chars}", spec.name + (" (wide characters count twice)" if n != len(text) else "")
    cut = [f"{spec.name} shows the first {tf.truncates_at}" for spec, tf in limits
           if tf.truncates_at and char_count(text, tf.wide_counts_double) > tf.truncates_at]
    against = "; ".join([against] * bool(against) + cut)
    return count, against, "error" if headroom < 0 else "warning" if cut else "ok"


class CopyPane(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.campaign_id: int | None = None
        self.specs: list[Spec] = []  # the chosen placements that take copy
        self.copy: dict = {}
        self.seen: dict = {}  # the versions of the lines self.copy was read at
        self.checks = QTextBrowser(accessibleName="Copy checks")
        self.scope = QComboBox(accessibleName="Copy scope")
        self.field = QComboBox(accessibleName="Copy field")
        self.editor = QPlainTextEdit(accessibleName="Copy texts")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.highlighter = CopyHighlighter(self.editor)  # compliance findings underlined as the user types
        self.counts = QLabel(textFormat=Qt.RichText, wordWrap=True, alignment=Qt.AlignTop | Qt.AlignLeft)
        self.counts.setAccessibleName("Character counts")
        self.status = QLabel(objectName="Muted", wordWrap=True)
        self.revert_button = QPushButton("Revert", clicked=self.show_texts)
        self.save_button = QPushButton("Save copy", clicked=self.save)
        self.save_button.setProperty("primary", True)
        self.scope.currentIndexChanged.connect(self._on_scope_changed)
        self.field.currentIndexChanged.connect(self._on_field_changed)
        self.editor.textChanged.connect(self._on_editor_changed)

        form = QFormLayout()
        form.addRow("Scope", self.scope)
        form.addRow("Field", self.field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        editor_box = QWidget()
        column = QVBoxLayout(editor_box)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(QLabel("Edit copy", objectName="PanelTitle"))
        column.addLayout(form)
        column.addWidget(self.editor, 1)
        column.addWidget(self.counts, 1)
        column.addLayout(buttons)
        checks_box = QWidget()
        left = QVBoxLayout(checks_box)
        left.setContentsMargins(0, 0, 8, 0)
        left.addWidget(QLabel("Copy checks", objectName="PanelTitle"))
        left.addWidget(self.checks)
        split = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        split.addWidget(checks_box)
        split.addWidget(editor_box)
        split.setSizes([420, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(split)

    # ---- what the pane shows ---------------------------------------------------------------
    def set_context(self, campaign_id: int | None, specs: list[Spec]) -> None:
        """The campaign and the chosen placements; keeps the scope, the field and unsaved
        edits where it can (ticking a placement must not throw away what is being typed)."""
        editing = (self.campaign_id, self.scope.currentData(), self.field.currentData())
        self.campaign_id, self.specs = campaign_id, [s for s in specs if s.text_fields]
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem("All placements", ALL)
        for platform in dict.fromkeys(s.platform for s in self.specs):
            self.scope.addItem(f"{PLATFORM_NAMES[platform]}: all placements", platform)
        for spec in self.specs:
            self.scope.addItem(spec.name, spec.id)
        self.scope.setCurrentIndex(max(0, self.scope.findData(editing[1])))
        self.scope.blockSignals(False)
        if editing[0] != campaign_id:
            self.reload_copy()
            return
        self._fill_fields()
        if (campaign_id, self.scope.currentData(), self.field.currentData()) == editing:
            self._check_as_typed()
            self._on_editor_changed()  # the same texts, measured against the placements now chosen
        else:
            self._on_field_changed()

    def set_checks(self, checks: list[CopyCheck], names: dict[str, str]) -> None:
        if not checks:
            self.checks.setHtml("<p>None of the chosen placements takes copy.</p>")
            return
        parts = []
        for check in checks:
            status = status_of(check.findings)
            label = {"ok": "fits", "warning": "warnings", "error": "errors"}[status]
            parts.append(findings_html(f"{names.get(check.spec_id, check.spec_id)} — {label}", check.findings, "All copy fits this placement."))
        self.checks.setHtml("".join(parts))

    def reload_copy(self) -> None:
        """Re-read the campaign's copy (after a save, an undo, another campaign)."""
        loaded = self.campaign_id is not None
        self.seen = copy_versions(self.ctx.lib, self.campaign_id) if loaded else {}  # before the texts
        self.copy = campaign_copy(self.ctx.lib, self.campaign_id) if loaded else {}
        self.status.clear()  # a "not saved" is answered by what is stored now
        self._fill_fields()
        self.show_texts()

    def current_scope(self) -> str | None:
        return self.scope.currentData() or None

    def _specs_in_scope(self) -> list[Spec]:
        scope = self.current_scope()
        return [s for s in self.specs if scope is None or scope in (s.id, s.platform)]

    def _limits(self) -> list[tuple[Spec, TextField]]:
        name = self.field.currentData()
        return [(s, tf) for s in self._specs_in_scope() if (tf := s.text_field(name))]

    def _fill_fields(self) -> None:
        fields = {tf.name: tf.label for s in self._specs_in_scope() for tf in s.text_fields}
        for name in self.copy.get(self.current_scope(), {}):
            fields.setdefault(name, name.replace("_", " ").capitalize())
        current = self.field.currentData()
        self.field.blockSignals(True)
        self.field.clear()
        for name, label in fields.items():
            self.field.addItem(label, name)
        self.field.setCurrentIndex(max(0, self.field.findData(current)))
        self.field.blockSignals(False)

    def _stored(self) -> list[str]:
        return self.copy.get(self.current_scope(), {}).get(self.field.currentData(), [])

    def show_texts(self) -> None:
        """The scope's own texts of the field; a narrower scope shows what it inherits as a hint."""
        scope, name = self.current_scope(), self.field.currentData()
        inherited = copy_for(self.copy, scope).get(name, []) if scope else []
        self.editor.setPlaceholderText(
            "Uses the wider scope's texts:\n" + "\n".join(inherited) if inherited else "One text per line.")
        self._check_as_typed()
        self.editor.setPlainText("\n".join(self._stored()))
        self.editor.setEnabled(self.campaign_id is not None and name is not None)

    def _check_as_typed(self) -> None:
        """The underlines follow the platforms of the placements in scope, the field and the brand."""
        scope = self.current_scope()
        platforms = dict.fromkeys(s.platform for s in self._specs_in_scope()) or ([scope.split(".", 1)[0]] if scope else [])
        ruleset, context = campaign_rules(self.ctx.lib, self.campaign_id)
        self.highlighter.set_target(platforms, self.field.currentData() or "", ruleset=ruleset, context=context)

    # ---- editing ---------------------------------------------------------------------------
    def texts(self) -> list[str]:
        return [t.strip() for t in self.editor.toPlainText().splitlines() if t.strip()]

    def _on_scope_changed(self, _index) -> None:
        self._fill_fields()
        self._on_field_changed()

    def _on_field_changed(self, _index=None) -> None:
        self.show_texts()
        self.status.clear()

    def _on_editor_changed(self) -> None:
        dirty = self.texts() != self._stored()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        self.counts.setText(self._counts_html())

    def _counts_html(self) -> str:
        texts, limits = self.texts(), self._limits()
        if not texts:
            return ""
        c = theme().colors
        colours = {"ok": c.success, "warning": c.warning, "error": c.danger}
        rows = []
        for n, text in enumerate(texts, 1):
            count, against, state = line_report(text, limits)
            shown = text if len(text) <= 32 else text[:31] + "…"
            rows.append(f"<tr><td style='color:{c.muted}'>{n}</td><td style='white-space:nowrap'>{escape(shown)}</td>"
                        f"<td align='right' style='color:{colours[state]}; white-space:nowrap'><b>{count}</b></td>"
                        f"<td style='color:{c.muted}'>{escape(against)}</td></tr>")
        return f"<table cellspacing='0' cellpadding='3'>{''.join(rows)}</table>"

    def save(self) -> None:
        name = self.field.currentData()
        if self.campaign_id is None or name is None:
            return
        try:
            with edited_from(self.seen):
                set_copy(self.ctx.lib, self.campaign_id, name, self.texts(), self.current_scope(), loaded=self._stored())
        except ConflictError:  # the main window asks whose lines to keep; the typing stays meanwhile
            self.status.setText("Not saved: someone else changed this copy; choose whose lines to keep.")
            return
        except BadInput as exc:
            self.status.setText(str(exc))
            return
        self.reload_copy()
        self.status.setText("Saved. Edit ▸ Undo takes it back; the package is checked again.")
