"""The A/B test tab: a calculator that reads a finished (or running) test from the conversions
and visitors of A and B, and a planner for the next one. Pure math from core's abtest module,
recomputed on every keystroke (no job: it takes milliseconds)."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics.abtest import (
    bayesian,
    minimum_detectable_effect,
    sample_ratio_mismatch,
    sample_size,
    two_proportion_ztest,
)
from studio.core.errors import BadInput
from studio.ui.workspaces.analytics.attribution_tab import show_message

MAX_COUNT = 2_000_000_000


def _count(name: str, value: int) -> QSpinBox:
    return QSpinBox(maximum=MAX_COUNT, value=value, groupSeparatorShown=True, accessibleName=name, maximumWidth=160)


def _percent(name: str, value: float, low: float, high: float, decimals: int = 2) -> QDoubleSpinBox:
    return QDoubleSpinBox(minimum=low, maximum=high, value=value, decimals=decimals, suffix=" %", accessibleName=name,
                          maximumWidth=160)


def _pp(x: float) -> str:
    """A difference of rates in percentage points."""
    return f"{x * 100:+.2f} pp"


def check_arms(conv_a: int, n_a: int, conv_b: int, n_b: int) -> None:
    for arm, conv, n in (("A", conv_a, n_a), ("B", conv_b, n_b)):
        if n == 0:
            raise BadInput(f"Enter how many visitors {arm} had: a test needs at least one visitor in each arm.")
        if conv > n:
            raise BadInput(f"{arm} has more conversions ({conv:,}) than visitors ({n:,}): conversions count the visitors "
                           "who converted, so they cannot outnumber them. Check the two numbers.")


def verdict(z, bayes, srm, rate_a: float, n_a: int, n_b: int, alpha: float, planned_a: float) -> str:
    """One paragraph a client can read: can we trust the split, who won, and what to do next."""
    if srm.mismatch:
        return (f"Don't act on this yet: A got {n_a:,} visitors and B {n_b:,}, far from the planned "
                f"{planned_a:g}/{100 - planned_a:g} split (p = {srm.p_value:.2g}). Something in how visitors are "
                "assigned is broken; fix it and restart the test.")
    lift = f"{z.relative_lift:+.1%}" if math.isfinite(z.relative_lift) else _pp(z.effect)
    if z.significant:
        winner, loser = ("B", "A") if z.effect > 0 else ("A", "B")
        chance = bayes.chance_to_beat_control if winner == "B" else 1 - bayes.chance_to_beat_control
        return (f"{winner} wins: B converts {lift} against A, and a difference this big would come by chance only "
                f"{z.p_value:.2%} of the time (below α = {alpha:g}). {winner} beats {loser} with {chance:.1%} chance.")
    text = f"No clear winner yet: the difference ({lift}) could well be chance (p = {z.p_value:.2f}, not below α = {alpha:g})."
    if z.effect and rate_a > 0:
        try:
            needed = sample_size(rate_a, z.relative_lift, alpha=alpha)
        except BadInput:
            return text
        if needed > min(n_a, n_b):
            text += f" To tell a {lift} change apart, keep it running to about {needed:,} visitors per arm."
        else:
            text += " The test is already big enough to see a change this size; the arms are most likely alike."
    return text


class ABTestTab(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._build()
        self.update_reading()
        self.update_plan()

    def _build(self) -> None:
        self.conv_a, self.visitors_a = _count("A conversions", 300), _count("A visitors", 10_000)
        self.conv_b, self.visitors_b = _count("B conversions", 345), _count("B visitors", 10_000)
        self.alpha = QDoubleSpinBox(minimum=0.001, maximum=0.5, value=0.05, decimals=3, singleStep=0.01,
                                    accessibleName="Significance level", toolTip="α: the false-positive rate you accept (0.05 is usual)")
        self.planned_a = _percent("Planned share of A", 50.0, 1.0, 99.0, 1)
        self.planned_a.setToolTip("The share of visitors meant to see A (50 % for an even split)")
        counts = QGridLayout()
        counts.addWidget(QLabel("Conversions"), 0, 1)
        counts.addWidget(QLabel("Visitors"), 0, 2)
        counts.setColumnStretch(3, 1)
        for row, (arm, conv, visitors) in enumerate((("A (control)", self.conv_a, self.visitors_a),
                                                     ("B (variant)", self.conv_b, self.visitors_b)), start=1):
            counts.addWidget(QLabel(arm), row, 0)
            counts.addWidget(conv, row, 1)
            counts.addWidget(visitors, row, 2)
        settings = QHBoxLayout()
        for widget in (QLabel("α"), self.alpha, QLabel("Planned share of A"), self.planned_a):
            settings.addWidget(widget)
        settings.addStretch(1)
        self.rates, self.uplift, self.ztest, self.bayes, self.srm = (QLabel(wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
                                                                     for _ in range(5))
        results = QFormLayout()
        for name, label in (("Conversion rates", self.rates), ("Uplift", self.uplift), ("z-test", self.ztest),
                            ("Bayesian", self.bayes), ("Split check", self.srm)):
            results.addRow(name, label)
        self.verdict = QLabel(wordWrap=True)
        self.verdict.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.error = QLabel(objectName="Muted", wordWrap=True, visible=False)
        reading = QGroupBox("Read a test")
        column = QVBoxLayout(reading)
        column.addLayout(counts)
        column.addLayout(settings)
        column.addWidget(self.error)
        column.addLayout(results)
        column.addWidget(self.verdict)
        column.addStretch(1)
        for spin in (self.conv_a, self.visitors_a, self.conv_b, self.visitors_b):
            spin.valueChanged.connect(self.update_reading)
        self.alpha.valueChanged.connect(self.update_reading)
        self.planned_a.valueChanged.connect(self.update_reading)

        self.baseline = _percent("Baseline conversion rate", 3.0, 0.01, 99.99)
        self.mde = _percent("Minimum detectable lift", 10.0, 0.1, 1000.0, 1)
        self.mde.setToolTip("The smallest relative lift worth finding (10 % takes 3.0 % to 3.3 %)")
        self.power = _percent("Power", 80.0, 50.0, 99.0, 0)
        self.visitors = _count("Visitors per arm", 20_000)
        self.size_result, self.mde_result = QLabel(wordWrap=True), QLabel(wordWrap=True)
        self.plan_error = QLabel(objectName="Muted", wordWrap=True, visible=False)
        planning = QGroupBox("Plan a test")
        form = QFormLayout(planning)
        form.addRow("Baseline conversion rate", self.baseline)
        form.addRow("Power", self.power)
        form.addRow("Lift to detect", self.mde)
        form.addRow("Sample size", self.size_result)
        form.addRow("Visitors per arm", self.visitors)
        form.addRow("Detectable lift", self.mde_result)
        form.addRow(self.plan_error)
        for spin in (self.baseline, self.mde, self.power, self.visitors):
            spin.valueChanged.connect(self.update_plan)
        self.alpha.valueChanged.connect(self.update_plan)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(reading, 3)
        layout.addWidget(planning, 2)

    # ---- reading ---------------------------------------------------------------------------------
    def update_reading(self) -> None:
        conv_a, n_a, conv_b, n_b = (s.value() for s in (self.conv_a, self.visitors_a, self.conv_b, self.visitors_b))
        alpha, planned_a = self.alpha.value(), self.planned_a.value()
        try:
            check_arms(conv_a, n_a, conv_b, n_b)
            z = two_proportion_ztest(conv_a, n_a, conv_b, n_b, alpha=alpha)
            bayes = bayesian(conv_a, n_a, conv_b, n_b)
            srm = sample_ratio_mismatch([n_a, n_b], [planned_a, 100 - planned_a])
        except BadInput as exc:
            show_message(self.error, str(exc), "bad")
            for label in (self.rates, self.uplift, self.ztest, self.bayes, self.srm, self.verdict):
                label.clear()
            return
        show_message(self.error, "")
        level = 1 - alpha
        self.rates.setText(f"A {conv_a / n_a:.2%} ({conv_a:,} of {n_a:,}) · B {conv_b / n_b:.2%} ({conv_b:,} of {n_b:,})")
        lift = f"{z.relative_lift:+.1%} · " if math.isfinite(z.relative_lift) else ""
        self.uplift.setText(f"{lift}difference {_pp(z.effect)} ({level:.0%} CI {_pp(z.ci_low)} to {_pp(z.ci_high)})")
        self.ztest.setText(f"z = {z.statistic:.2f}, p = {z.p_value:.4f}: "
                           f"{'significant' if z.significant else 'not significant'} at α = {alpha:g}")
        self.bayes.setText(f"B beats A with {bayes.chance_to_beat_control:.1%} chance; expected loss "
                           f"{bayes.expected_loss_b * 100:.3f} pp choosing B, {bayes.expected_loss_a * 100:.3f} pp keeping A")
        if srm.mismatch:
            self.srm.setText(f"⚠ Sample-ratio mismatch (p = {srm.p_value:.2g}): expected about {srm.expected[0]:,.0f} / "
                             f"{srm.expected[1]:,.0f} visitors. Check the assignment before reading the result.")
        else:
            self.srm.setText(f"Fine (p = {srm.p_value:.2g})")
        self.srm.setProperty("state", "bad" if srm.mismatch else "ok")
        self.srm.style().polish(self.srm)
        self.verdict.setText(verdict(z, bayes, srm, conv_a / n_a, n_a, n_b, alpha, planned_a))

    # ---- planning --------------------------------------------------------------------------------
    def update_plan(self) -> None:
        baseline, mde, power, alpha = self.baseline.value() / 100, self.mde.value() / 100, self.power.value() / 100, self.alpha.value()
        problems = []
        try:
            n = sample_size(baseline, mde, alpha=alpha, power=power)
            self.size_result.setText(f"{n:,} visitors per arm ({2 * n:,} in all) to find {baseline:.2%} → {baseline * (1 + mde):.2%}")
        except BadInput as exc:
            self.size_result.clear()
            problems.append(str(exc))
        try:
            lift = minimum_detectable_effect(baseline, self.visitors.value(), alpha=alpha, power=power)
            self.mde_result.setText(f"{lift:+.1%} ({baseline:.2%} → {baseline * (1 + lift):.2%})")
        except BadInput as exc:
            self.mde_result.clear()
            problems.append(str(exc))
        show_message(self.plan_error, " ".join(problems), "bad" if problems else "")
