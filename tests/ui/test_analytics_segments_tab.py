"""The Analytics Segments tab on real orders files: opened or dropped, segmented as a job with core's
numbers in both tables and the chart, the table exported, the k chosen, bad files explained."""

from __future__ import annotations

import pandas as pd
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from studio.core.analytics.segments import CHANNELS, read_orders, segment
from studio.core.errors import BadInput
from studio.ui.workspaces.analytics.segments_tab import SegmentsTab
from studio.ui.workspaces.analytics.view import AnalyticsView
from tests.core.analytics.test_segments import orders, write_orders
from tests.ui.test_analytics_models_tabs import JOB_MS, cells, values


@pytest.fixture
def tab(ctx, qtbot) -> SegmentsTab:
    tab = SegmentsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1300, 720)
    tab.show()
    tab.k.setValue(tab.k.minimum())  # auto, whatever an earlier test left in the settings
    return tab


@pytest.fixture
def orders_file(tmp_path) -> str:
    return write_orders(tmp_path / "orders.csv", orders(per_kind=30))


def run(tab, qtbot, start):
    with qtbot.waitSignal(tab.finished, timeout=JOB_MS) as blocker:
        start()
    return blocker.args[0]


def test_the_tables_and_chart_show_cores_segments(tab, qtbot, orders_file, tmp_path):
    job = run(tab, qtbot, lambda: tab.choose_file(orders_file))
    assert job.status == "done" and tab.stack.currentIndex() == 1 and not tab.message.isVisible()
    truth = segment(read_orders(orders_file))
    named = truth.segments
    table = tab.segments_table
    assert cells(table, 0) == named["name"].tolist()
    assert values(table, 1) == named["size"].tolist() and sum(values(table, 1)) == 120
    assert values(table, 2) == pytest.approx(named["share"].tolist())
    assert values(table, 3) == pytest.approx(named["total_value"].tolist())
    assert values(table, 4) == pytest.approx(named["mean_value"].tolist())
    assert values(table, 5) == pytest.approx(named["recency"].tolist())
    assert values(table, 6) == pytest.approx(named["frequency"].tolist())
    assert named["monetary"].tolist() == pytest.approx(named["mean_value"].tolist())  # so shown once
    champions = cells(table, 0).index("Champions")
    assert table.item(champions, 7).text() == ", ".join(CHANNELS["Champions"])

    clusters = tab.clusters_table
    assert clusters.rowCount() == truth.k == len(truth.clusters)
    assert values(clusters, 2) == truth.clusters["size"].tolist()
    assert values(clusters, 4) == pytest.approx(truth.clusters["total_value"].tolist())
    assert f"k = {truth.k}" in tab.clusters_label.text() and f"silhouette {truth.silhouette:.2f}" in tab.clusters_label.text()

    customers, value = (bar.opts["height"] for bar in tab.chart.bars)
    assert customers == pytest.approx((100 * named["share"]).tolist())
    assert value == pytest.approx((100 * named["total_value"] / named["total_value"].sum()).tolist())
    png = tab.chart.export(tmp_path / "segments.png")
    assert Image.open(png).width >= 800

    exported = pd.read_csv(tab.export_table(tmp_path / "segments.csv"))
    assert exported["segment"].tolist() == named["name"].tolist()
    assert exported["customers"].tolist() == named["size"].tolist()
    assert exported.set_index("segment").loc["At risk", "channels"] == "; ".join(CHANNELS["At risk"])
    with pytest.raises(BadInput, match="exports to a .csv file"):
        tab.export_table(tmp_path / "segments.xlsx")


def test_a_chosen_k_runs_again_with_that_many_clusters(tab, qtbot, orders_file):
    run(tab, qtbot, lambda: tab.choose_file(orders_file))
    job = run(tab, qtbot, lambda: tab.k.setValue(3))
    assert job.status == "done" and tab.result.k == 3 and tab.clusters_table.rowCount() == 3
    assert tab.result.clusters["size"].tolist() == segment(read_orders(orders_file), k=3).clusters["size"].tolist()


def test_a_dropped_orders_file_is_segmented(tab, qtbot, orders_file, tmp_path):
    assert tab.stack.currentIndex() == 0  # says to drop a file first
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.pdf"))])
    enter = QDragEnterEvent(QPoint(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert not enter.isAccepted()
    mime.setUrls([QUrl.fromLocalFile(orders_file)])
    enter = QDragEnterEvent(QPoint(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    job = run(tab, qtbot, lambda: QApplication.sendEvent(tab, drop))
    assert job.status == "done" and tab.file_label.text() == "orders.csv · 120 customers"
    assert tab.stack.currentIndex() == 1 and tab.segments_table.rowCount() == len(tab.result.segments)


@pytest.mark.parametrize("content, says", [
    ("", "is empty"),
    ("customer_id,amount\na,3\n", "has no date column"),
    ("customer_id,order_date,amount\na,yesterday,3\n", "are not dates on row(s) 2"),
    ("customer_id,order_date,amount\n" + "".join(f"c{i},2026-01-0{i},5\n" for i in range(1, 4)), "at least 10 customers"),
])
def test_a_bad_orders_file_shows_cores_message(tab, qtbot, tmp_path, orders_file, content, says):
    run(tab, qtbot, lambda: tab.choose_file(orders_file))  # a good file first: its numbers must not stay up
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    job = run(tab, qtbot, lambda: tab.choose_file(str(path)))
    assert job.status == "failed"
    text = tab.message.text()
    assert text.startswith("The orders could not be segmented:") and says in text and tab.message.isVisible()
    assert tab.message.property("state") == "bad" and tab.result is None and not tab.export_button.isEnabled()
    assert tab.stack.currentIndex() == 0


def test_in_the_workspace_the_tab_is_added_and_shown(ctx, qtbot, orders_file):
    view = AnalyticsView(ctx)
    qtbot.addWidget(view)
    view.resize(1400, 860)
    view.show()
    tab = SegmentsTab(ctx)
    index = view.add_tab(tab, "Segments", "mdi6.account-group-outline")
    view.show_tool(tab)
    assert view.tabs.currentIndex() == index and view.tabs.tabText(index) == "Segments"
    run(tab, qtbot, lambda: tab.choose_file(orders_file))
    assert tab.isVisible() and tab.segments_table.isVisible() and tab.segments_table.rowCount() > 0
