"""Settings ▸ AI: the model each provider is asked for (a library setting, undoable) and what the
AI calls of this month used and cost, per provider and model."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.ai.costs import PRICES, totals
from studio.core.ai.providers import (
    DEFAULT_MODELS,
    MODEL_SETTING,
    PROVIDERS,
    default_model,
)
from studio.core.ops.settings import set_setting
from studio.core.secrets import SERVICES

USAGE_COLUMNS = ("Provider", "Model", "Calls", "Tokens in", "Tokens out", "Cost")


class AIPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.models: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.setSpacing(10)
        for provider in PROVIDERS:
            combo = self.models[provider] = QComboBox(editable=True, accessibleName=f"{SERVICES[provider].title} model")
            prefix = "claude" if provider == "anthropic" else "gpt"
            combo.addItems(sorted({DEFAULT_MODELS[provider], *(m for m in PRICES if m.startswith(prefix))}))
            combo.setCurrentText(default_model(provider, ctx.lib))
            combo.lineEdit().editingFinished.connect(lambda p=provider: self._set_model(p))
            combo.activated.connect(lambda _i, p=provider: self._set_model(p))
            form.addRow(f"{SERVICES[provider].title} model", combo)
        note = QLabel("Without a key, AI features use offline templates filled from the brand's knowledge base.",
                      objectName="Muted", wordWrap=True)
        form.addRow("", note)
        self.usage = QTreeWidget(rootIsDecorated=False, uniformRowHeights=True)
        self.usage.setHeaderLabels(USAGE_COLUMNS)
        self.usage_note = QLabel(objectName="Muted", wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(QLabel("AI use this month", objectName="PanelTitle"))
        layout.addWidget(self.usage, 1)
        layout.addWidget(self.usage_note)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.refresh_usage()

    def _set_model(self, provider: str) -> None:
        chosen = self.models[provider].currentText().strip()
        if chosen and chosen != default_model(provider, self.ctx.lib):
            set_setting(self.ctx.lib, MODEL_SETTING + provider, chosen)

    def _on_bus_changed(self, result) -> None:
        if "ai_calls" in result.changes:
            self.refresh_usage()
        if "settings" in result.changes:  # an undo of a model choice
            for provider, combo in self.models.items():
                combo.setCurrentText(default_model(provider, self.ctx.lib))

    def refresh_usage(self) -> None:
        rows = totals(self.ctx.lib)
        self.usage.clear()
        for row in rows:
            cost = f"${row.cost_usd:,.2f}" + (f" + {row.unpriced} unpriced" if row.unpriced else "")
            item = QTreeWidgetItem([SERVICES[row.provider].title if row.provider in SERVICES else row.provider.title(),
                                    row.model, f"{row.calls:,}", f"{row.input_tokens:,}", f"{row.output_tokens:,}", cost])
            self.usage.addTopLevelItem(item)
        calls, spent = sum(r.calls for r in rows), sum(r.cost_usd for r in rows)
        self.usage_note.setText(f"{calls:,} call{'s' if calls != 1 else ''}, ${spent:,.2f} this month. Offline templates cost nothing."
                                if rows else "No AI calls yet this month.")
        for column in range(len(USAGE_COLUMNS)):
            self.usage.resizeColumnToContents(column)
