"""The Analytics workspace over a real library: reports imported as jobs (through the Import slot
and by dropping files), tiles and the breakdown table agreeing with core's KPIs, the column-mapping
dialog for an unknown report (and the mapping remembered), Remove import, chart exports that are
real pictures, the crosshair read-out, response curves fitted as a job, and the layout remembered."""

from __future__ import annotations

import gc
import sys
from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QMouseEvent,
    QPainter,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton

from studio.core.analytics import store
from studio.core.analytics.kpis import kpis
from studio.ui.shell import registry
from studio.ui.workspaces.analytics.models import SHOWN
from studio.ui.workspaces.analytics.view import AnalyticsView
from tests.core.analytics.test_ingest import count, meta_csv, write

JOB_MS = 60_000  # jobs on a busy 2-core machine
NOV = [date(2026, 11, d) for d in range(1, 31)]
OCT = [date(2026, 10, d) for d in range(2, 32)]  # the 30 days before November


def meta_rows(days, campaign: str, spend: float, clicks: int, purchases: int, value: float):
    """(campaign, ad set, ad, day, spend, impressions, reach, link clicks, clicks, purchases, value) per day."""
    return [(campaign, "Set", "Ad", d.isoformat(), spend, clicks * 50, clicks * 30, clicks // 2, clicks, purchases, value)
            for d in days]


SNAP_HEADER = "Start time,Campaign name,Amount Spent,Paid Impressions,Swipe Ups,Purchases,Purchase value"


def snap_csv(path, days, campaign="Snap Launch", spend=7.5):
    lines = [SNAP_HEADER] + [f"{d:%d/%m/%Y},{campaign},{spend},900,12,1,30" for d in days]
    return write(path, "\n".join(lines) + "\n")


@pytest.fixture
def window(make_window):
    import studio.ui.workspaces.analytics  # noqa: F401 - registers the workspace

    return make_window(workspaces=[s for s in registry.workspaces() if s.key == "analytics"], initial_workspace="analytics")


@pytest.fixture
def view(window) -> AnalyticsView:
    return window.views["analytics"]


def run_import(view, qtbot, start):
    """start() begins an import; returns the finished job."""
    with qtbot.waitSignal(view.import_finished, timeout=JOB_MS) as blocker:
        start()
    job = blocker.args[0]
    assert job.status == "done", job.error
    qtbot.waitUntil(lambda: view.stack.currentWidget() is not view.empty or not store.fact_count(view.ctx.lib), timeout=JOB_MS)
    return job


@pytest.fixture
def two_months(view, qtbot, tmp_path):
    """October and November for two campaigns; in November Brand spends more and converts less."""
    rows = (meta_rows(OCT, "Brand", 10.0, 40, 4, 80.0) + meta_rows(OCT, "Promo", 5.0, 30, 2, 30.0)
            + meta_rows(NOV, "Brand", 12.0, 44, 3, 90.0) + meta_rows(NOV, "Promo", 5.0, 30, 2, 30.0))
    path = meta_csv(tmp_path / "meta.csv", rows, currency="EUR")
    run_import(view, qtbot, lambda: view.choose_files([str(path)]))
    view.filters.preset.setCurrentIndex(view.filters.preset.findData("30"))  # Nov 1-30 against Oct 2-31
    return path


def test_the_workspace_registers_under_ctrl_5(window):
    spec = next(s for s in registry.workspaces() if s.key == "analytics")
    assert (spec.title, spec.order, spec.shortcut) == ("Analytics", 50, "Ctrl+5")
    view = window.views["analytics"]
    assert view.stack.currentWidget() is view.empty  # says what to do first
    # attribution and the A/B calculator need no reports: the empty state opens them
    tools = {b.text(): b for b in view.empty.findChildren(QPushButton)}
    tools["Attribution…"].click()
    assert view.stack.currentIndex() == 0 and view.tabs.currentWidget() is view.attribution
    view.stack.setCurrentWidget(view.empty)
    tools["A/B test…"].click()
    assert view.tabs.currentWidget() is view.abtest


def test_import_shows_its_report_and_the_tiles_match_the_kpis(view, two_months):
    lib = view.ctx.lib
    text = view.report_dialog.text.toPlainText()
    assert view.report_dialog.isVisible()
    assert "meta.csv" in text and "120 rows added" in text and "1 skipped" in text and "2026-10-02 to 2026-11-30" in text
    assert "€" in text  # totals in their currency
    expected = kpis(lib, "platform", date(2026, 11, 1), date(2026, 11, 30)).iloc[0]
    tiles = view.overview.tiles.tiles
    for metric in ("spend", "impressions", "clicks", "conversions", "conversion_value", "ctr", "cpc", "cpm", "cpa", "roas", "frequency"):
        assert tiles[metric].value == pytest.approx(expected[metric]), metric
    assert tiles["spend"].number.text() == "€510.00"
    assert tiles["cpa"].change == pytest.approx(expected["cpa_change"])
    # CPA went up: bad news in red; ROAS went down: red too; spend went up: neither
    colours = view.overview.tiles.tiles
    assert "F0616D".lower() in colours["cpa"].delta.styleSheet().lower() and colours["cpa"].delta.text().startswith("+")
    assert "F0616D".lower() in colours["roas"].delta.styleSheet().lower() and colours["roas"].delta.text().startswith("−")
    assert "9A9CA5".lower() in colours["spend"].delta.styleSheet().lower()


def test_the_breakdown_table_matches_the_kpis_by_campaign(view, two_months):
    view.breakdown.by.setCurrentIndex(view.breakdown.by.findData("campaign"))
    model = view.breakdown.model
    expected = kpis(view.ctx.lib, "campaign", date(2026, 11, 1), date(2026, 11, 30)).set_index("campaign")
    assert model.rowCount() == 2
    header = [model.headerData(c, Qt.Horizontal) for c in range(model.columnCount())]
    assert header[:4] == ["Campaign", "Currency", "Spend", "Impressions"] and "ROAS Δ" in header
    for row in range(2):
        campaign = model.index(row, 0).data()
        for column, metric in enumerate(SHOWN, start=2):
            assert model.frame.at[row, metric] == pytest.approx(expected.at[campaign, metric], nan_ok=True)
    brand = next(r for r in range(2) if model.index(r, 0).data() == "Brand")
    assert model.index(brand, 2).data() == "€360.00"
    view.breakdown.table.sortByColumn(2, Qt.AscendingOrder)  # the header click: cheapest first
    assert [model.index(r, 0).data() for r in range(2)] == ["Promo", "Brand"]
    view.breakdown.by.setCurrentIndex(view.breakdown.by.findData("day"))
    assert model.rowCount() == 30


def drag(view, mime: QMimeData) -> bool:
    """Enter and move over the workspace with this; whether it would take the drop."""
    accepted = []
    for cls in (QDragEnterEvent, QDragMoveEvent):
        event = cls(QPoint(60, 60), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(view, event)
        accepted.append(event.isAccepted())
    return all(accepted)


def test_a_dropped_report_is_imported(view, qtbot, tmp_path):
    path = meta_csv(tmp_path / "dropped.csv", meta_rows(NOV, "Drop", 3.0, 10, 1, 9.0))
    pdf = QMimeData()
    pdf.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.pdf"))])
    assert not drag(view, pdf)  # nothing here to import
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)), QUrl.fromLocalFile(str(tmp_path / "notes.pdf"))])
    assert drag(view, mime)
    drop = QDropEvent(QPointF(60, 60), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    run_import(view, qtbot, lambda: QApplication.sendEvent(view, drop))
    assert drop.isAccepted()
    assert [b.file_name for b in view.imports.model.batches] == ["dropped.csv"]  # the PDF was left out
    assert store.fact_count(view.ctx.lib) == 30
    assert view.stack.currentWidget() is not view.empty


def test_an_unknown_report_asks_for_a_mapping_which_is_remembered(view, qtbot, tmp_path):
    lib = view.ctx.lib
    first = snap_csv(tmp_path / "snap-november.csv", NOV)
    with qtbot.waitSignal(view.mapping_requested, timeout=JOB_MS) as asked:
        view.choose_files([str(first)])
    dialog = asked.args[0]
    assert store.fact_count(lib) == 0  # nothing imported without a mapping
    assert dialog.isVisible() and dialog.table.columnCount() == 7 and dialog.table.rowCount() == 8
    assert dialog.table.item(0, 1).text() == "Snap Launch"
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert dialog.combos["campaign"].currentText() == "Campaign name"  # guessed from the known spellings
    assert not ok.isEnabled() and "date" in dialog.problem.text() and "platform" in dialog.problem.text()
    dialog.choose("date", "Start time")
    dialog.choose("spend", "Amount Spent")
    dialog.choose("impressions", "Paid Impressions")
    dialog.choose("clicks", "Swipe Ups")
    dialog.choose("conversions", "Purchases")
    dialog.choose("conversion_value", "Purchase value")
    dialog.platform.setCurrentText("snapchat")
    assert not ok.isEnabled() and "currency" in dialog.problem.text()  # the file never says its currency
    dialog.currency.setCurrentText("GBP")
    assert ok.isEnabled()
    with qtbot.waitSignal(view.import_finished, timeout=JOB_MS) as done:
        ok.click()
    assert done.args[0].status == "done" and done.args[0].result.reports[0].mapping_saved
    assert store.fact_count(lib) == 30
    frame = kpis(lib, "platform")
    assert list(frame["platform"]) == ["snapchat"] and list(frame["currency"]) == ["GBP"] and frame["spend"].iloc[0] == 225.0
    assert len(store.stored_mappings(lib)) == 1
    # the next file with these columns goes straight in
    second = snap_csv(tmp_path / "snap-october.csv", OCT, spend=2.0)
    asked_again = []
    view.mapping_requested.connect(asked_again.append)
    run_import(view, qtbot, lambda: view.choose_files([str(second)]))
    assert not asked_again and store.fact_count(lib) == 60


def test_remove_import_asks_first_then_takes_the_facts_out(view, qtbot, two_months):
    view.imports.select(view.imports.model.batches[0].id)
    view.imports.remove_button.click()
    box = view.confirm_box
    assert box.isVisible() and "meta.csv" in box.text()
    box.button(QMessageBox.Cancel).click()
    assert store.fact_count(view.ctx.lib) == 120
    view.imports.remove_button.click()
    remove = next(b for b in view.confirm_box.buttons() if b.text() == "Remove import")
    with qtbot.waitSignal(view.removed, timeout=JOB_MS) as removed:
        remove.click()
    assert removed.args[0].status == "done" and removed.args[0].result == 120
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.empty)
    assert store.fact_count(view.ctx.lib) == 0 and view.imports.model.rowCount() == 0


def test_every_chart_exports_a_real_png_and_svg(view, two_months, tmp_path):
    for chart in view.overview.charts:
        png, svg = chart.export(tmp_path / f"{chart.key}.png"), chart.export(tmp_path / f"{chart.key}.svg")
        with Image.open(png) as picture:
            picture.load()
            assert picture.width >= 800 and len(picture.convert("RGB").getcolors(1 << 16) or range(3)) > 2, chart.key  # drawn, not blank
        renderer = QSvgRenderer(str(svg))  # a valid SVG that draws the chart
        assert renderer.isValid() and renderer.defaultSize().width() > 200, chart.key
        drawn = QImage(renderer.defaultSize(), QImage.Format_RGB32)
        drawn.fill(Qt.white)
        painter = QPainter(drawn)
        renderer.render(painter)
        painter.end()
        assert drawn.pixelColor(drawn.width() // 2, drawn.height() // 2) != QColor(Qt.white), chart.key
        assert sum(svg.read_text().count(tag) for tag in ("<path", "<polyline", "<text")) > 3, chart.key  # vectors, not a bitmap


def test_the_crosshair_reads_out_the_day_under_the_mouse(view, qtbot, two_months):
    chart = view.overview.series
    chart.split_box.setCurrentIndex(chart.split_box.findData("campaign"))
    assert chart.series.names == ["Brand", "Promo"]
    box = chart.plot.getPlotItem().getViewBox()
    day = chart.series.x[9]  # 10 November
    (x0, x1), (y0, y1) = chart.series.x[[0, -1]], (5.0, 12.0)

    def in_view() -> bool:  # the view fits the new series once it has been drawn
        (left, right), (bottom, top) = box.viewRange()
        return left <= x0 and right >= x1 and bottom <= y0 and top >= y1

    qtbot.waitUntil(in_view)
    scene_pos = box.mapViewToScene(QPointF(day, float(np.nanmean(chart.series.values))))
    at = chart.plot.mapFromScene(scene_pos)
    move = QMouseEvent(QMouseEvent.MouseMove, QPointF(at), QPointF(chart.plot.viewport().mapToGlobal(at)),
                       Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(chart.plot.viewport(), move)
    qtbot.waitUntil(lambda: "10 Nov 2026" in chart.note.text())
    assert chart.note.text() == "Tue 10 Nov 2026 · Spend: Brand €12.00 · Promo €5.00"
    assert chart.crosshair.isVisible() and chart.crosshair.value() == day


def test_response_curves_are_fitted_as_a_job(view, qtbot, tmp_path):
    days = [date(2026, 9, 1) + timedelta(days=i) for i in range(70)]
    rng = np.random.default_rng(3)
    spend = rng.uniform(20, 200, len(days))
    value = 400 * spend / (spend + 80)
    rows = [("Always on", "Set", "Ad", d.isoformat(), round(s, 2), 1000, 700, 5, 10, 1, round(v, 2)) for d, s, v in zip(days, spend, value)]
    run_import(view, qtbot, lambda: view.choose_files([str(meta_csv(tmp_path / "long.csv", rows))]))
    with qtbot.waitSignal(view.curves_finished, timeout=120_000) as fitted:
        view.overview.curves.fit_button.click()
    assert fitted.args[0].status == "done", fitted.args[0].error
    curve, mean_spend = fitted.args[0].result["curves"]["meta"]
    assert mean_spend == pytest.approx(spend.mean(), rel=1e-3)
    assert curve.daily_revenue(200.0) > curve.daily_revenue(50.0)
    assert view.overview.curves.note.text().startswith("Fitted Meta")
    assert len(view.overview.curves.plot.getPlotItem().listDataItems()) == 2  # the curve and today's dot


def test_the_layout_is_remembered_across_restarts(view, ctx, qtbot, two_months):
    overview = view.overview
    overview.series.metric_box.setCurrentIndex(overview.series.metric_box.findData("roas"))
    overview.stacked.split_box.setCurrentIndex(overview.stacked.split_box.findData("campaign"))
    overview.toggles["funnel"].trigger()  # Charts ▸ Funnel off
    assert overview.funnel.isHidden()
    view.window().resize(1400, 1200)
    qtbot.waitUntil(lambda: overview.splitter.height() > 800)
    overview.splitter.setSizes([500, 200, 200])
    sizes = overview.splitter.sizes()
    view.tabs.setCurrentIndex(1)
    view.hide()  # switching workspaces or closing the window
    again = AnalyticsView(ctx)
    qtbot.addWidget(again)
    again.resize(view.size())
    again.show()
    qtbot.waitExposed(again)
    assert again.overview.series.metric_box.currentData() == "roas"
    assert again.overview.stacked.split_box.currentData() == "campaign"
    assert again.overview.funnel.isHidden() and not again.overview.toggles["funnel"].isChecked()
    assert not again.overview.scatter.isHidden()
    assert again.tabs.currentIndex() == 1
    again.tabs.setCurrentIndex(0)
    qtbot.waitUntil(again.overview.splitter.isVisible)
    assert again.overview.splitter.sizes() == sizes
    assert again.filters.preset.currentData() == "30" and again.filters.filters().start == date(2026, 11, 1)


def test_currencies_are_shown_apart(view, qtbot, tmp_path):
    euros = meta_csv(tmp_path / "eur.csv", meta_rows(NOV, "Paris", 10.0, 20, 2, 40.0), currency="EUR")
    dollars = meta_csv(tmp_path / "usd.csv", meta_rows(NOV, "Austin", 4.0, 20, 1, 10.0), currency="USD")
    run_import(view, qtbot, lambda: view.choose_files([str(euros), str(dollars)]))
    currency = view.filters.currency
    qtbot.waitUntil(lambda: currency.isVisibleTo(view), timeout=JOB_MS)  # once the view has read the second file's facts
    assert [currency.itemData(i) for i in range(currency.count())] == ["EUR", "USD"]
    assert view.overview.tiles.tiles["spend"].number.text() == "€300.00"
    currency.setCurrentIndex(currency.findData("USD"))
    assert view.overview.tiles.tiles["spend"].number.text() == "$120.00"
    assert [view.breakdown.model.index(r, 1).data() for r in range(view.breakdown.model.rowCount())] == ["USD"]


def test_an_empty_file_is_reported_not_mapped(view, qtbot, tmp_path):
    empty = write(tmp_path / "empty.csv", "\n")
    asked = []
    view.mapping_requested.connect(asked.append)
    run_import(view, qtbot, lambda: view.choose_files([str(empty)]))
    assert not asked and store.fact_count(view.ctx.lib) == 0
    text = view.report_dialog.text.toPlainText()
    assert "✗ empty.csv" in text and "is empty: download the report again" in text


def test_redrawing_keeps_every_reference_to_none(view, qtbot, two_months):
    """PySide6 6.12.0 drops a reference to None on each call of a Python QGraphicsItem.paint or
    itemChange (pyqtgraph's items), so a few thousand redraws free None and the studio crashes;
    6.11 does not. The charts are redrawn on every filter change, hover and resize. Only the
    redraws are counted: the data stays, and garbage is collected on both sides."""
    view.filters.preset.setCurrentIndex(view.filters.preset.findData("30"))
    for chart in view.overview.charts:
        chart.plot.grab()
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(20):
        for chart in view.overview.charts:
            chart.plot.grab()
    gc.collect()
    assert sys.getrefcount(None) > before - 100, "this PySide6 leaks None references: use one without the bug (6.11.x)"
