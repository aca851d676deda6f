"""Compliance findings underlined as the user types: each line (block) of a text editor goes
through the copy rules for its platforms and field, shortly after typing pauses; spans are
underlined red (error) or amber (warning) and the finding's message is the tooltip.

    CopyHighlighter(editor, platforms=["google"], field="headline")

Works on a QPlainTextEdit or a QTextEdit. Lines are checked in a batch when the editor has
been quiet for DEBOUNCE_MS; a line seen before is underlined at once from the cache.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import QToolTip

from studio.core.compliance.engine import Context, check_copy
from studio.core.compliance.model import Finding
from studio.core.compliance.rules import PLATFORMS, RuleSet, load_rules
from studio.core.compliance.store import check_everywhere
from studio.core.queries import client_tree
from studio.ui.shell.theme import theme

DEBOUNCE_MS = 300
CACHE_LINES = 500  # checked lines kept, so scrolling and re-typing do not check again


def campaign_rules(lib, campaign_id: int | None) -> tuple[RuleSet | None, Context]:
    """The rules and the brand context a campaign's copy is checked with (its brand's own rules,
    its brand name allowed in capitals), as the stored checks use them."""
    for client in client_tree(lib) if campaign_id is not None else []:
        for brand in client.brands:
            if any(c.id == campaign_id for c in brand.campaigns):
                return load_rules(lib, brand.id), Context(brand_names=(brand.name,), palette=tuple(brand.palette))
    return None, Context()


class CopyHighlighter(QSyntaxHighlighter):
    def __init__(self, editor, platforms=PLATFORMS, field: str = "headline", *,
                 ruleset: RuleSet | None = None, context: Context | None = None):
        super().__init__(editor.document())
        self.editor = editor
        self.platforms, self.field = tuple(platforms), field
        self.ruleset, self.context = ruleset, context or Context()
        self._cache: OrderedDict[str, list[Finding]] = OrderedDict()
        self._pending: set[str] = set()
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.check_pending)
        editor.viewport().installEventFilter(self)

    def set_target(self, platforms, field: str, *, ruleset: RuleSet | None = None, context: Context | None = None) -> None:
        """Check for other platforms, another field or another brand: every line again."""
        self.platforms, self.field = tuple(platforms) or PLATFORMS, field
        self.ruleset, self.context = ruleset, context or Context()
        self._cache.clear()
        self.rehighlight()

    # ---- checking ------------------------------------------------------------------------------
    def _check(self, text: str) -> list[Finding]:
        def on(platform):
            return check_copy(text, platform, self.field, ruleset=self.ruleset,
                              context=dataclasses.replace(self.context, platform=platform))
        return [f for f in check_everywhere(on, self.platforms) if f.span]

    def check_pending(self) -> None:
        """Check the lines typed since the last check and underline them (the debounce timer's end)."""
        self._timer.stop()
        pending, self._pending = self._pending, set()
        for text in pending:
            self._cache[text] = self._check(text)
        while len(self._cache) > CACHE_LINES:
            self._cache.popitem(last=False)
        block = self.document().firstBlock()
        while block.isValid():
            if block.text() in pending:
                self.rehighlightBlock(block)
            block = block.next()

    def findings(self, block) -> list[Finding]:
        """The findings of one line as last checked (none while its check is still pending)."""
        return self._cache.get(block.text(), [])

    def highlightBlock(self, text: str) -> None:
        if not text.strip():
            return  # a blank line between texts is not a text
        if text not in self._cache:
            self._pending.add(text)
            self._timer.start()
            return
        self._cache.move_to_end(text)
        colours = theme().colors
        for f in sorted(self._cache[text], key=lambda f: f.severity == "error"):  # errors drawn last, on top
            start, end = f.span
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.SpellCheckUnderline)
            fmt.setUnderlineColor(QColor(colours.danger if f.severity == "error" else colours.warning))
            self.setFormat(start, max(1, end - start), fmt)

    # ---- tooltips --------------------------------------------------------------------------
    def finding_at(self, pos) -> list[Finding]:
        """The findings under a point of the editor's viewport."""
        cursor = self.editor.cursorForPosition(pos)
        at = cursor.positionInBlock()
        return [f for f in self.findings(cursor.block()) if f.span[0] <= at < max(f.span[1], f.span[0] + 1)]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.ToolTip:
            found = self.finding_at(event.pos())
            if found:
                QToolTip.showText(event.globalPos(), "\n".join(f"{f.message} {f.hint}" for f in found), self.editor)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)
