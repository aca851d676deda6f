"""Crawl site…: the address, how far to go (pages, depth, requests a second) and whose site it is
(the brand's or a competitor's). The crawl runs as a job, with its progress here and in the jobs
panel and Cancel in both; when it ends the dialog says in plain words what was added, what was
skipped and why, and what went wrong. What was fetched before an error or Cancel is kept."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
)

from studio.core.jobs import Job
from studio.core.research.library import CrawlIntoParams, crawl_into_library
from studio.ui.bridge import when_finished
from studio.ui.shell.theme import theme

SKIPS_SHOWN = 12  # the rest are counted


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else words or word + 's'}"


def crawl_report(summary) -> str:
    """The crawl's outcome as rich text: added, kept, found, skipped (with reasons), the error."""
    c = theme().colors
    lines = []
    if summary.error:
        lines.append(f"<b style='color:{c.danger}'>{html.escape(summary.error)}</b>")
    elif summary.cancelled:
        lines.append("<b>Cancelled.</b> What was fetched before is kept.")
    read = f"Read {plural(summary.pages, 'page')}: added {summary.added} to the knowledge base"
    lines.append(read + (f", {summary.duplicates} already there." if summary.duplicates else "."))
    if summary.palette:
        chips = "".join(f"<span style='background:{h}; color:{h}'>&#9608;&#9608;</span>&nbsp;" for h in summary.palette)
        lines.append(f"Palette found: {chips}")
    if summary.fonts:
        lines.append("Fonts found: " + html.escape(", ".join(summary.fonts)))
    if summary.skipped:
        rows = "".join(f"<li>{html.escape(url)}: <span style='color:{c.muted}'>{html.escape(why)}</span></li>"
                       for url, why in summary.skipped[:SKIPS_SHOWN])
        more = len(summary.skipped) - SKIPS_SHOWN
        lines.append(f"Skipped {plural(len(summary.skipped), 'address', 'addresses')}:<ul style='margin-left:-20px'>{rows}</ul>"
                     + (f"and {more} more." if more > 0 else ""))
    return "<p>" + "</p><p>".join(lines) + "</p>"


class CrawlDialog(QDialog):
    crawl_finished = Signal(object)  # the crawl Job, done, failed or cancelled

    def __init__(self, ctx, profile, competitor: str | None = None, parent=None):
        super().__init__(parent)
        self.ctx, self.profile = ctx, profile
        self.job: Job | None = None
        self.setWindowTitle(f"Crawl site · {profile.name}")
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.setMinimumWidth(520)
        self.sites = {None: profile.website or "", **{c.name: c.website or "" for c in profile.competitors}}
        self.about = QComboBox(accessibleName="Whose site")
        self.about.addItem(f"{profile.name} (the brand)", None)
        for c in profile.competitors:
            self.about.addItem(f"Competitor: {c.name}", c.name)
        self.about.setCurrentIndex(max(0, self.about.findData(competitor)))
        self.url = QLineEdit(self.sites.get(competitor, ""), placeholderText="https://example.com", accessibleName="Address",
                             clearButtonEnabled=True)
        self.about.currentIndexChanged.connect(self._on_about_changed)
        self.max_pages = QSpinBox(minimum=1, maximum=5000, value=50, accessibleName="Most pages")
        self.depth = QSpinBox(minimum=0, maximum=10, value=3, accessibleName="Depth",
                              toolTip="Links followed from the start page (0: the start page alone)")
        self.rate = QDoubleSpinBox(minimum=0.5, maximum=50.0, value=5.0, singleStep=0.5, decimals=1, suffix=" requests/s",
                                   accessibleName="Requests a second", toolTip="At most this many requests a second to the site")
        self.progress = QProgressBar(visible=False, textVisible=False)
        self.status = QLabel(objectName="Muted", wordWrap=True)
        self.report = QLabel(wordWrap=True, textFormat=Qt.RichText, alignment=Qt.AlignTop | Qt.AlignLeft)
        self.report.setTextInteractionFlags(Qt.TextSelectableByMouse)
        scroll = QScrollArea(widgetResizable=True, visible=False)
        scroll.setWidget(self.report)
        scroll.setMinimumHeight(220)
        self.report_area = scroll

        self.buttons = QDialogButtonBox()
        self.crawl_button = QPushButton(theme().icon("mdi6.web"), "Crawl")
        self.crawl_button.setProperty("primary", True)
        self.crawl_button.setDefault(True)
        self.buttons.addButton(self.crawl_button, QDialogButtonBox.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.crawl_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

        for box in (self.max_pages, self.depth, self.rate):
            box.setMaximumWidth(180)  # numbers need no more room
        form = QFormLayout()
        form.addRow("Site of", self.about)
        form.addRow("Address", self.url)
        form.addRow("Most pages", self.max_pages)
        form.addRow("Depth", self.depth)
        form.addRow("Rate", self.rate)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.report_area, 1)
        layout.addWidget(self.buttons)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def _on_about_changed(self) -> None:
        """The address follows the choice, unless the user typed one of their own."""
        if self.url.text().strip() in self.sites.values():
            self.url.setText(self.sites.get(self.about.currentData(), ""))

    def start(self) -> Job | None:
        url = self.url.text().strip()
        if not url:
            self._say("Type the site's address, such as https://example.com.", bad=True)
            return None
        if self.job is not None:
            return None
        lib = self.ctx.lib
        params = CrawlIntoParams(str(lib.root), self.profile.brand_id, url, max_pages=self.max_pages.value(),
                                 max_depth=self.depth.value(), requests_per_second=self.rate.value(),
                                 competitor=self.about.currentData())
        self.job = self.ctx.submit(lambda _p, state: crawl_into_library(params, state, lib=lib), title=f"Crawl {url}")
        for widget in (self.about, self.url, self.max_pages, self.depth, self.rate, self.crawl_button):
            widget.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the crawl knows how far it is
        self.progress.show()
        self.report_area.hide()
        self._say(f"Crawling {url}…")
        when_finished(self.ctx.bus, self.job, self._on_finished, owner=self)
        return self.job

    def cancel(self) -> None:
        """Cancel the running crawl (keeping what it fetched); otherwise close."""
        if self.job is not None:
            self.job.cancel()
            self._say("Cancelling: the pages in flight finish first…")
        else:
            self.reject()

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job or job.finished:
            return
        if job.state.progress is not None:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(job.state.progress * 1000))
        if job.state.status:
            self._say(job.state.status)

    def _on_finished(self, job: Job) -> None:
        self.job = None
        self.progress.hide()
        for widget in (self.about, self.url, self.max_pages, self.depth, self.rate, self.crawl_button):
            widget.setEnabled(True)
        self.crawl_button.setText("Crawl again")
        self.cancel_button.setText("Close")
        if job.status == "failed" or job.result is None:
            self._say(job.error or "The crawl was cancelled before it began.", bad=job.status == "failed")
        else:
            self._say("")
            self.report.setText(crawl_report(job.result))
            self.report_area.show()
        self.crawl_finished.emit(job)

    def _say(self, text: str, bad: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("state", "bad" if bad else "")
        self.status.style().polish(self.status)
