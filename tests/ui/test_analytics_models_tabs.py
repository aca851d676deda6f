"""The Analytics workspace's model tabs on real data: Attribution (a journeys file opened or dropped,
the models run as a job and agreeing with core), Budget (a library of daily spend and value, the
split planned as a job and agreeing with `studio analytics budget`'s core path) and the A/B test
calculator and planner (cross-checked against core's functions), each with its bad input."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from studio.core.analytics import abtest
from studio.core.analytics.attribution import attribute, read_journeys
from studio.core.analytics.budget import ResponseCurve, plan_budget
from studio.core.analytics.kpis import kpis
from studio.ui.workspaces.analytics.abtest_tab import ABTestTab
from studio.ui.workspaces.analytics.attribution_tab import AttributionTab
from studio.ui.workspaces.analytics.budget_tab import BudgetTab
from studio.ui.workspaces.analytics.filters import FiltersBar
from studio.ui.workspaces.analytics.view import AnalyticsView
from tests.core.analytics.test_ingest import meta_csv, run_ingest, write

JOB_MS = 120_000  # jobs (a worker process for the budget) on a busy 2-core machine

PATHS = """path,total_conversions,total_conversion_value,total_null
facebook > search > email,20,1000,10
search,10,300,20
facebook > email,10,500,5
email > search > search > facebook,5,200,0
display > facebook,3,90,40
display,1,20,60
"""


def cells(table, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def values(table, column: int) -> list[float]:
    return [table.item(r, column).data(Qt.UserRole) for r in range(table.rowCount())]


# ---- attribution ------------------------------------------------------------------------------------
@pytest.fixture
def attribution(ctx, qtbot) -> AttributionTab:
    tab = AttributionTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    for key, button in tab.model_buttons.items():  # Markov (order 2), Linear and ordered Shapley
        button.setChecked(key in ("linear", "markov", "shapley"))
    tab.order.setValue(2)
    tab.ordered.setCurrentIndex(tab.ordered.findData(True))
    return tab


def attribute_file(tab, qtbot, start):
    with qtbot.waitSignal(tab.finished, timeout=JOB_MS) as blocker:
        start()
    return blocker.args[0]


def test_attribution_runs_the_chosen_models_as_a_job_and_agrees_with_core(attribution, qtbot, tmp_path):
    path = write(tmp_path / "paths.csv", PATHS)
    job = attribute_file(attribution, qtbot, lambda: attribution.choose_file(str(path)))
    assert job.status == "done", job.error
    journeys = read_journeys(path)
    expected = {"Linear": attribute(journeys, "linear"), "Markov (order 2)": attribute(journeys, "markov", order=2),
                "Shapley (ordered)": attribute(journeys, "shapley", ordered=True)}
    assert list(attribution.tables) == list(expected)
    combo = attribution.table_model
    for name, result in expected.items():
        combo.setCurrentIndex(combo.findText(name))
        truth = result.table.sort_values("conversions", ascending=False)
        assert cells(attribution.table, 0) == list(truth.index), name
        assert values(attribution.table, 1) == pytest.approx(truth["conversions"].tolist()), name
        assert values(attribution.table, 2) == pytest.approx(truth["value"].tolist()), name
        assert sum(values(attribution.table, 3)) == pytest.approx(1.0)
    assert sum(values(attribution.table, 1)) == pytest.approx(49)  # every conversion is credited once
    # the chart: one bar series per model, the channels in the first model's order
    chart = attribution.chart
    assert [b.opts["name"] for b in chart.bars] == list(expected)
    channels = list(attribution.tables["Linear"].index)
    for bars, result in zip(chart.bars, expected.values()):
        assert list(bars.opts["height"]) == pytest.approx(result.table["conversions"].reindex(channels).tolist())
    png = chart.export(tmp_path / "attribution.png")
    with Image.open(png) as picture:
        assert picture.width >= 800 and len(picture.convert("RGB").getcolors(1 << 16) or range(5)) > 4
    exported = pd.read_csv(attribution.export_table(tmp_path / "attribution.csv"))
    assert list(exported.columns) == ["model", "channel", "conversions", "value", "share"]
    markov = exported[exported["model"] == "Markov (order 2)"].set_index("channel")
    assert markov["conversions"].to_dict() == pytest.approx(expected["Markov (order 2)"].table["conversions"].to_dict())


def test_changing_the_models_runs_again_and_nothing_chosen_is_said(attribution, qtbot, tmp_path):
    path = write(tmp_path / "paths.csv", PATHS)
    attribute_file(attribution, qtbot, lambda: attribution.choose_file(str(path)))
    job = attribute_file(attribution, qtbot, lambda: attribution.model_buttons["first"].setChecked(True))
    assert job.status == "done" and next(iter(attribution.tables)) == "First touch"
    first = attribute(read_journeys(path), "first").table["conversions"]
    assert attribution.tables["First touch"]["conversions"].to_dict() == pytest.approx(first.to_dict())
    for button in attribution.model_buttons.values():
        button.setChecked(False)
    assert attribution.message.text() == "Pick at least one model to compare." and attribution.job is None


def test_a_dropped_journeys_file_is_attributed(attribution, qtbot, tmp_path):
    path = write(tmp_path / "dropped.csv", PATHS)
    assert attribution.stack.currentIndex() == 0  # says to drop a file first
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.pdf"))])
    enter = QDragEnterEvent(QPoint(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(attribution, enter)
    assert not enter.isAccepted()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(attribution, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    job = attribute_file(attribution, qtbot, lambda: QApplication.sendEvent(attribution, drop))
    assert job.status == "done" and attribution.file_label.text() == "dropped.csv"
    assert attribution.stack.currentIndex() == 1 and attribution.table.rowCount() == 4


@pytest.mark.parametrize("content, says", [
    ("", "is empty"),
    ("campaign,total_conversions\nA,3\n", "has neither a path column nor a channel column"),
    ("path,nulls\nfacebook > search,3\n", "has paths but no conversions column"),
])
def test_a_bad_journeys_file_shows_what_is_wrong(attribution, qtbot, tmp_path, content, says):
    path = write(tmp_path / "bad.csv", content)
    job = attribute_file(attribution, qtbot, lambda: attribution.choose_file(str(path)))
    assert job.status == "failed"
    text = attribution.message.text()
    assert text.startswith("The journeys could not be attributed:") and says in text and attribution.message.isVisible()
    assert attribution.message.property("state") == "bad" and attribution.tables == {}


# ---- budget -----------------------------------------------------------------------------------------
TRUTH = {"Search": (0.3, 300.0, 1.5, 1200.0), "Social": (0.5, 450.0, 2.0, 1600.0)}  # decay, half, shape, ceiling
DAYS = [date(2026, 6, 1) + timedelta(days=i) for i in range(120)]


@pytest.fixture
def spend_library(ctx, tmp_path):
    """120 days of two Meta campaigns whose value follows known response curves (3 % noise)."""
    rng = np.random.default_rng(5)
    rows = []
    for campaign, (decay, half, shape, beta) in TRUTH.items():
        spend = np.round(rng.uniform(0.05, 1.0, len(DAYS)) * half * (1 - decay) * 3, 2)
        value = ResponseCurve(campaign, decay, half, shape, beta).predict(spend) * (1 + rng.normal(0, 0.03, len(DAYS)))
        rows += [(campaign, "Set", "Ad", d.isoformat(), float(s), 5000, 3000, 40, 80, 4, round(float(v), 2))
                 for d, s, v in zip(DAYS, spend, value)]
    run_ingest(ctx.lib, meta_csv(tmp_path / "meta.csv", rows, currency="EUR"))
    return ctx.lib


@pytest.fixture
def budget(ctx, qtbot, spend_library) -> BudgetTab:
    filters = FiltersBar()
    filters.set_choices(["meta"], ["EUR"], DAYS[-1])
    filters.preset.setCurrentIndex(filters.preset.findData("30"))
    tab = BudgetTab(ctx, filters)
    qtbot.addWidget(filters)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    tab.by.setCurrentIndex(tab.by.findData("campaign"))
    return tab


def plan(tab, qtbot):
    with qtbot.waitSignal(tab.finished, timeout=JOB_MS) as blocker:
        assert tab.start_plan() is not None
    return blocker.args[0]


def test_the_budget_tab_shows_channels_with_today_spend(budget, spend_library):
    last30 = kpis(spend_library, "campaign", DAYS[-30], DAYS[-1], compare=False).set_index("campaign")
    assert cells(budget.limits, 0) == ["Search", "Social"]
    assert values(budget.limits, 1) == pytest.approx((last30["spend"] / 30).tolist())
    assert budget.total.value() == pytest.approx(round(last30["spend"].sum() / 30, 2))
    assert budget.currency_label.text() == "EUR"


def test_the_plan_runs_as_a_job_and_matches_the_cli_path(budget, qtbot, spend_library):
    budget.total.setValue(500.0)
    budget.limits.item(1, 2).setText("150")  # Social gets at least 150 a day
    job = plan(budget, qtbot)
    assert job.status == "done", job.error
    daily = kpis(spend_library, ("campaign", "day"), compare=False)
    expected = plan_budget(daily, 500.0, minimum={"Social": 150.0}, date="day", channel="campaign", spend="spend",
                           revenue="conversion_value")
    got = budget.plan
    assert got.spend == pytest.approx(expected.spend, rel=1e-6) and sum(got.spend.values()) == pytest.approx(500.0)
    assert got.spend["Social"] >= 150.0 - 1e-6
    assert (got.revenue_low, got.total_revenue, got.revenue_high) == pytest.approx(
        (expected.revenue_low, expected.total_revenue, expected.revenue_high), rel=1e-6)
    rows = dict(zip(cells(budget.split, 0), range(budget.split.rowCount())))
    for channel, row in rows.items():
        assert budget.split.item(row, 2).data(Qt.UserRole) == pytest.approx(got.spend[channel])
        assert budget.split.item(row, 4).data(Qt.UserRole) == pytest.approx(got.revenue[channel])
    assert "Expected revenue" in budget.summary.text() and "EUR a day" in budget.summary.text()
    assert len(budget.chart.plot.getPlotItem().listDataItems()) == 6  # a curve, a ring and a dot per channel
    png = budget.chart.export(budget.ctx.lib.root / "curves.png")
    with Image.open(png) as picture:
        assert len(picture.convert("RGB").getcolors(1 << 16) or range(5)) > 4


def test_a_target_roas_spends_less_and_keeps_the_return(budget, qtbot):
    budget.total.setValue(900.0)
    budget.use_target.setChecked(True)
    budget.target.setValue(2.5)
    assert plan(budget, qtbot).status == "done"
    assert budget.plan.total_spend < 900.0 and budget.plan.roas >= 2.5 - 1e-3


def test_an_unticked_channel_is_left_out(budget, qtbot):
    budget.limits.item(0, 0).setCheckState(Qt.Unchecked)
    budget.total.setValue(200.0)
    assert plan(budget, qtbot).status == "done"
    assert list(budget.plan.spend) == ["Social"] and cells(budget.split, 0) == ["Social"]


def test_bad_budget_input_says_what_to_fix(budget, qtbot):
    budget.limits.item(0, 2).setText("lots")
    assert budget.start_plan() is None and budget.job is None
    assert budget.message.text() == ("The minimum for Search, 'lots', is not an amount: write e.g. 200, "
                                     "or leave it empty for no limit.")
    assert budget.message.property("state") == "bad"
    budget.limits.item(0, 2).setText("400")
    budget.limits.item(1, 2).setText("300")
    budget.total.setValue(500.0)
    job = plan(budget, qtbot)
    assert job.status == "failed"
    assert budget.message.text() == ("The budget was not planned: A budget of 500.00 cannot cover the minimums, "
                                     "which add up to 700.00.")
    assert budget.plan is None and budget.split.rowCount() == 0
    for row in range(2):
        budget.limits.item(row, 0).setCheckState(Qt.Unchecked)
    assert budget.start_plan() is None and budget.message.text() == "Tick at least one channel to split the budget across."


def test_in_the_workspace_the_budget_follows_the_view_filters_and_new_imports(ctx, qtbot, spend_library, tmp_path):
    view = AnalyticsView(ctx)
    tab = BudgetTab(ctx, view.filters)
    qtbot.addWidget(view)
    index = view.add_tab(tab, "Budget", "mdi6.cash-multiple")
    view.filters.preset.setCurrentIndex(view.filters.preset.findData("7"))
    view.show()
    view.tabs.setCurrentIndex(index)
    qtbot.waitUntil(lambda: tab.limits.rowCount() == 1)  # by platform: Meta
    week = kpis(spend_library, "platform", DAYS[-7], DAYS[-1], compare=False)
    assert cells(tab.limits, 0) == ["Meta"] and values(tab.limits, 1) == pytest.approx([week["spend"].sum() / 7])
    later = [DAYS[-1] + timedelta(days=i) for i in range(1, 8)]  # a week more of 1000 a day
    run_ingest(ctx.lib, meta_csv(tmp_path / "more.csv", [("Search", "Set", "Ad", d.isoformat(), 1000.0, 9, 9, 1, 1, 1, 9.0)
                                                         for d in later], currency="EUR"))  # the library tells the views
    qtbot.waitUntil(lambda: values(tab.limits, 1) == pytest.approx([1000.0]))  # the period moved to the new last week


def test_an_empty_library_says_to_import_first(ctx, qtbot):
    filters = FiltersBar()
    tab = BudgetTab(ctx, filters)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.message.text().startswith("No spend in the library yet") and not tab.plan_button.isEnabled()


# ---- A/B test ---------------------------------------------------------------------------------------
@pytest.fixture
def calculator(qtbot) -> ABTestTab:
    tab = ABTestTab()
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    return tab


def enter(tab, conv_a, n_a, conv_b, n_b, alpha=0.05):
    for spin, value in ((tab.visitors_a, n_a), (tab.visitors_b, n_b), (tab.conv_a, conv_a), (tab.conv_b, conv_b),
                        (tab.alpha, alpha)):
        spin.setValue(value)


def test_a_significant_win_is_read_as_core_reads_it(calculator):
    enter(calculator, 400, 10_000, 480, 10_000)
    z = abtest.two_proportion_ztest(400, 10_000, 480, 10_000)
    bayes = abtest.bayesian(400, 10_000, 480, 10_000)
    assert calculator.rates.text() == "A 4.00% (400 of 10,000) · B 4.80% (480 of 10,000)"
    assert calculator.uplift.text() == (f"+20.0% · difference +0.80 pp (95% CI {z.ci_low * 100:+.2f} pp to "
                                        f"{z.ci_high * 100:+.2f} pp)")
    assert calculator.ztest.text() == f"z = {z.statistic:.2f}, p = {z.p_value:.4f}: significant at α = 0.05"
    assert f"{bayes.chance_to_beat_control:.1%} chance" in calculator.bayes.text()
    assert calculator.srm.text().startswith("Fine") and calculator.srm.property("state") == "ok"
    assert calculator.verdict.text().startswith("B wins: B converts +20.0% against A")


def test_a_small_difference_says_how_long_to_run(calculator):
    enter(calculator, 300, 10_000, 315, 10_000)
    needed = abtest.sample_size(0.03, 0.05)
    z = abtest.two_proportion_ztest(300, 10_000, 315, 10_000)
    assert not z.significant
    assert calculator.verdict.text() == (f"No clear winner yet: the difference (+5.0%) could well be chance "
                                         f"(p = {z.p_value:.2f}, not below α = 0.05). To tell a +5.0% change apart, "
                                         f"keep it running to about {needed:,} visitors per arm.")


def test_a_broken_split_is_flagged_before_any_verdict(calculator):
    enter(calculator, 300, 10_000, 360, 11_000)
    srm = abtest.sample_ratio_mismatch([10_000, 11_000])
    assert srm.mismatch
    assert calculator.srm.text().startswith("⚠ Sample-ratio mismatch") and calculator.srm.property("state") == "bad"
    assert calculator.verdict.text().startswith("Don't act on this yet: A got 10,000 visitors and B 11,000")
    calculator.planned_a.setValue(100 * 10 / 21)  # planned that way: no mismatch
    assert calculator.srm.text().startswith("Fine")


def test_impossible_counts_say_what_is_wrong(calculator):
    enter(calculator, 300, 10_000, 500, 400)
    assert calculator.error.isVisible() and calculator.error.property("state") == "bad"
    assert calculator.error.text().startswith("B has more conversions (500) than visitors (400)")
    assert calculator.verdict.text() == "" and calculator.ztest.text() == ""
    calculator.visitors_b.setValue(0)
    assert calculator.error.text().startswith("Enter how many visitors B had")
    calculator.visitors_b.setValue(10_000)
    assert not calculator.error.isVisible() and calculator.verdict.text()


def test_the_planner_agrees_with_core_and_explains_impossible_plans(calculator):
    calculator.baseline.setValue(3.0)
    calculator.mde.setValue(10.0)
    calculator.power.setValue(80.0)
    calculator.alpha.setValue(0.05)
    n = abtest.sample_size(0.03, 0.10, alpha=0.05, power=0.8)
    assert calculator.size_result.text().startswith(f"{n:,} visitors per arm ({2 * n:,} in all)")
    calculator.visitors.setValue(n)
    lift = abtest.minimum_detectable_effect(0.03, n, alpha=0.05, power=0.8)
    assert lift == pytest.approx(0.10, abs=1e-3) and calculator.mde_result.text().startswith(f"{lift:+.1%}")
    calculator.baseline.setValue(60.0)
    calculator.mde.setValue(100.0)  # 60 % cannot double
    assert calculator.size_result.text() == "" and calculator.plan_error.property("state") == "bad"
    assert "rate the variant should reach must be a rate between 0 and 1" in calculator.plan_error.text()
