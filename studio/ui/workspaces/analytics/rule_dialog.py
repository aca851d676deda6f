"""The decision rule dialog: a name, the rule kind, a field per parameter of that kind (built from its
Param spec: the range and unit beside it, the default as a placeholder) and the scope (platform and
a campaign name glob). OK checks the rule with core's validate_rule and hands it to the tab, which
saves it through the op; a refusal from either is shown here and nothing is saved."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics.decisions import KINDS, Param, Rule, validate_rule
from studio.core.errors import BadInput
from studio.ui.export.choices import PLATFORM_NAMES

KIND_NAMES = {"cpa_above": "CPA above target", "roas_streak": "ROAS streak",
              "max_daily_change": "Max daily budget change", "spend_cap": "Spend cap"}
PARAM_NAMES = {"target_cpa": "Target CPA", "factor": "Factor", "min_conversions": "Min. conversions",
               "window_days": "Window", "target_roas": "Target ROAS", "days": "Days running",
               "raise_pct": "Raise by", "max_pct": "Max change", "cap": "Cap", "period": "Period", "per": "Per"}
UNITS = {"target_cpa": "in the campaign's currency", "factor": "× target", "min_conversions": "conversions",
         "window_days": "days", "target_roas": "value ÷ spend", "days": "days", "raise_pct": "%", "max_pct": "%",
         "cap": "in the campaign's currency"}
SHORT_UNITS = {"factor": "×", "window_days": " days", "days": " days", "raise_pct": " %", "max_pct": " %"}
SCOPE_PLATFORMS = ("meta", "google", "tiktok", "linkedin")


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("_", " "))


def param_name(name: str) -> str:
    return PARAM_NAMES.get(name, name.replace("_", " ").capitalize())


def _range_text(spec: Param) -> str:
    if spec.whole:
        return f"a whole number, at least {spec.minimum:g}"
    return f"more than {spec.minimum:g}"


def rule_words(rule: Rule) -> str:
    """The rule's parameters and scope in a line: "Target CPA 20 · Factor 1.5× · … — Meta, campaigns Brand*"."""
    parts = [f"{param_name(k)} {v:g}{SHORT_UNITS.get(k, '')}" if isinstance(v, (int, float)) else f"{param_name(k)} {v}"
             for k, v in rule.params.items()]
    return " · ".join(parts) + " — " + scope_words(rule.scope)


def scope_words(scope: dict) -> str:
    where = [PLATFORM_NAMES.get(scope["platform"], scope["platform"])] if "platform" in scope else ["every platform"]
    where += [f"account {scope['account']}"] if "account" in scope else []
    where += [f"campaigns {scope['campaign']}"] if "campaign" in scope else []
    where += [scope["currency"]] if "currency" in scope else []
    return ", ".join(where)


@dataclass(frozen=True)
class RuleDraft:
    """What the dialog hands over, already checked by validate_rule."""

    name: str
    kind: str
    params: dict
    scope: dict


class RuleDialog(QDialog):
    submitted = Signal(object)  # RuleDraft; the tab saves it, then accept() or show_error()

    def __init__(self, rule: Rule | None = None, parent=None):
        super().__init__(parent)
        self.rule = rule
        self.setWindowTitle(f"Edit rule {rule.name}" if rule else "Add a decision rule")
        self.setMinimumWidth(520)
        self.name = QLineEdit(rule.name if rule else "", accessibleName="Rule name",
                              placeholderText="What the rule is for, e.g. Pause expensive search")
        self.kind = QComboBox(accessibleName="Rule kind")
        for kind, (description, _specs) in KINDS.items():
            self.kind.addItem(kind_name(kind), kind)
            self.kind.setItemData(self.kind.count() - 1, description, Qt.ToolTipRole)
        self.description = QLabel(wordWrap=True, objectName="Muted")
        self.params_box = QWidget()
        self.params_form = QFormLayout(self.params_box)
        self.params_form.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self.platform = QComboBox(editable=True, accessibleName="Scope platform")
        self.platform.addItem("Every platform", "")
        for platform in SCOPE_PLATFORMS:
            self.platform.addItem(PLATFORM_NAMES.get(platform, platform), platform)
        self.campaign = QLineEdit(accessibleName="Scope campaigns",
                                  placeholderText="A name or a pattern such as Brand* (blank: every campaign)")
        self.error = QLabel(wordWrap=True)
        self.error.setProperty("state", "bad")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText("Save rule")
        self.ok_button.setProperty("primary", True)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind)
        form.addRow("", self.description)
        scope = QFormLayout()
        scope.addRow("Platform", self.platform)
        scope.addRow("Campaigns", self.campaign)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(QLabel("PARAMETERS", objectName="PanelTitle"))
        layout.addWidget(self.params_box)
        layout.addWidget(QLabel("SCOPE", objectName="PanelTitle"))
        layout.addLayout(scope)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._show_params)
        if rule:
            self.kind.setCurrentIndex(self.kind.findData(rule.kind))
            self._show_params()
            self._fill(rule)
        else:
            self._show_params()

    # ---- the parameter fields ------------------------------------------------------------------
    def _show_params(self) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.fields.clear()
        description, specs = KINDS[self.kind.currentData()]
        self.description.setText(description[0].upper() + description[1:] + ".")
        for name, spec in specs.items():
            self.params_form.addRow(param_name(name), self._field(name, spec))

    def _field(self, name: str, spec: Param) -> QWidget:
        if spec.choices:
            combo = QComboBox(accessibleName=param_name(name), toolTip=spec.help)
            combo.addItems(spec.choices)
            combo.setCurrentText(str(spec.default))
            self.fields[name] = combo
            return combo
        edit = QLineEdit(accessibleName=param_name(name), toolTip=spec.help)
        edit.setPlaceholderText("required" if spec.default is None else f"{spec.default:g} (default)")
        self.fields[name] = edit
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("0" * 16))
        line.addWidget(edit)
        unit = UNITS.get(name, "")
        line.addWidget(QLabel(f"{unit} · {_range_text(spec)}" if unit else _range_text(spec), objectName="Muted"), 1)
        return row

    def _fill(self, rule: Rule) -> None:
        for name, value in rule.params.items():
            field = self.fields.get(name)
            if isinstance(field, QComboBox):
                field.setCurrentText(str(value))
            elif field is not None:
                field.setText(f"{value:g}")
        platform = rule.scope.get("platform", "")
        index = self.platform.findData(platform)
        if index >= 0:
            self.platform.setCurrentIndex(index)
        else:
            self.platform.setCurrentText(platform)
        self.campaign.setText(rule.scope.get("campaign", ""))

    def set_param(self, name: str, text: str) -> None:
        """Type a value into a parameter's field (or pick a choice)."""
        field = self.fields[name]
        field.setCurrentText(text) if isinstance(field, QComboBox) else field.setText(text)

    # ---- OK --------------------------------------------------------------------------------------
    def _scope(self) -> dict:
        index = self.platform.findText(self.platform.currentText())
        platform = self.platform.itemData(index) if index >= 0 else self.platform.currentText()
        # keys this dialog does not show (account, currency: set from the command line) are kept
        kept = {k: v for k, v in (self.rule.scope if self.rule else {}).items() if k not in ("platform", "campaign")}
        return {**kept, "platform": platform, "campaign": self.campaign.text()}

    def draft(self) -> RuleDraft:
        """The rule as entered, checked; BadInput saying what is wrong."""
        name = self.name.text().strip()
        if not name:
            raise BadInput("Give the rule a name that says what it is for, e.g. Pause expensive search.")
        kind = self.kind.currentData()
        params = {}
        for key, field in self.fields.items():
            text = field.currentText() if isinstance(field, QComboBox) else field.text().strip()
            if text:  # blank: the kind's default (or "needs …" for a required one)
                params[key] = text
        params, scope = validate_rule(kind, params, self._scope())
        return RuleDraft(name, kind, params, scope)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _on_ok(self) -> None:
        try:
            draft = self.draft()
        except BadInput as exc:
            return self.show_error(str(exc))
        self.error.hide()
        self.submitted.emit(draft)
