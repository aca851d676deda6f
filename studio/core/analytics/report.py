"""The analytics report of a period, as a PDF and a self-contained HTML page.

    paths = write_report(lib, date(2026, 11, 1), date(2026, 11, 30), Path("november.pdf"), provider="auto")

Both hold the written summary (insights.summarize), the totals per currency, the platforms,
the top campaigns and four charts: daily spend and conversions, spend by platform, and CPA
and ROAS by campaign (one row of charts per currency: amounts in different currencies are
never drawn on one axis). The PDF has a title page with the summary and the totals, then the
charts, then the tables; the HTML page has the charts as inline SVG. Charts are drawn on
matplotlib Figure objects (never pyplot's global state), so reports can be made on any thread.
Both files are written under temporary names and renamed at the end: an error or Cancel
leaves no half-written report and keeps an older one of the same name.
"""

from __future__ import annotations

import html
import io
import os
import textwrap
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DayLocator
from matplotlib.figure import Figure

from studio.core.analytics.insights import (
    Summary,
    currency_totals,
    format_metric,
    platform_name,
    previous_period,
    summarize,
)
from studio.core.analytics.kpis import kpis
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.secrets import SERVICES

PAGE = (11.69, 8.27)  # A4 landscape, inches
ACCENT, SECOND, INK, MUTED = "#3b6fd8", "#e0813a", "#1e1e22", "#6b6b75"
TOP_CAMPAIGNS = 20  # rows of the campaigns table
CHART_CAMPAIGNS = 10  # campaigns per currency in the CPA/ROAS chart
TABLE_ROWS_PER_PAGE = 22
SUMMARY_WIDTH = 150  # characters per line of the summary in the PDF


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ReportData:
    title: str
    period: str
    summary: Summary
    tables: list[Table]  # the totals first
    charts: list[tuple[str, Figure]]


def report_paths(out: Path) -> tuple[Path, Path]:
    """(pdf, html) for out, which must end in .pdf or .html."""
    out = Path(out).expanduser()
    if out.suffix.lower() not in (".pdf", ".html"):
        raise BadInput(f"The report file {out.name} should end in .pdf or .html (the other one is written beside it).")
    return out.with_suffix(".pdf"), out.with_suffix(".html")


def write_report(lib, date_from: date, date_to: date, out: Path, *, provider: str | None = None,
                 progress: JobState | None = None, store=None, endpoint: str | None = None) -> list[Path]:
    """Write the period's report to out (.pdf or .html) and the other format beside it;
    returns [pdf, html]. provider: None for the rules summary, else "auto", "anthropic" or
    "openai" (store and endpoint as in studio.core.ai.providers.complete). progress: the job's
    state, for progress and Cancel. No data in the period: BadInput, and nothing is written."""
    state = progress or JobState()
    pdf_path, html_path = report_paths(out)
    if date_from > date_to:
        raise BadInput(f"The period starts ({date_from}) after it ends ({date_to}); swap --from and --to.")
    state.set_status("Writing the summary")
    data = _collect(lib, date_from, date_to, provider, store, endpoint)
    state.check()
    try:
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"Cannot create the folder {pdf_path.parent} ({exc.strerror}). Choose another place for the report.") from None
    temps = [p.with_name(f".{p.name}.{uuid.uuid4().hex[:8]}.tmp") for p in (pdf_path, html_path)]
    try:
        state.set_status("Drawing the HTML page")
        temps[1].write_text(_html(data), encoding="utf-8", newline="\n")
        state.check()
        state.set_status("Drawing the PDF")
        _pdf(temps[0], data, state)
        os.replace(temps[0], pdf_path)
        os.replace(temps[1], html_path)
    except OSError as exc:
        raise BadInput(f"Cannot write the report to {pdf_path.parent} ({exc.strerror or exc}). Choose another place for it.") from None
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    state.set_progress(1.0)
    return [pdf_path, html_path]


def _collect(lib, date_from: date, date_to: date, provider, store, endpoint) -> ReportData:
    summary = summarize(lib, date_from, date_to, provider=provider, store=store, endpoint=endpoint)  # BadInput when empty
    totals = currency_totals(lib, date_from, date_to)
    previous = currency_totals(lib, *previous_period(date_from, date_to))
    daily = kpis(lib, "day", date_from, date_to, compare=False)
    platforms = kpis(lib, "platform", date_from, date_to, compare=False).sort_values(["currency", "spend"], ascending=[True, False])
    campaigns = kpis(lib, ("platform", "campaign"), date_from, date_to, compare=True)
    campaigns = campaigns.sort_values(["currency", "spend", "platform", "campaign"], ascending=[True, False, True, True])
    currencies = list(totals.index)
    return ReportData(
        title="Performance report",
        period=f"{date_from} to {date_to}",
        summary=summary,
        tables=[_totals_table(totals, previous), _platform_table(platforms), _campaign_table(campaigns)],
        charts=[("Daily spend and conversions", _daily_chart(daily, currencies, date_from, date_to)),
                ("Spend by platform", _platform_chart(platforms, currencies)),
                ("CPA and ROAS by campaign", _campaign_chart(campaigns, currencies))],
    )


# --- tables: formatted once, laid out by both the HTML page and the PDF ---

def _cell(metric: str, value, currency: str) -> str:
    return "–" if pd.isna(value) else format_metric(metric, value, currency)


def _change(now, before) -> str:
    if pd.isna(now) or pd.isna(before) or before == 0:
        return "–"
    return f"{now / before - 1:+.1%}"


def _totals_table(totals: pd.DataFrame, previous: pd.DataFrame) -> Table:
    rows = []
    for currency, r in totals.iterrows():
        before = previous.loc[currency] if currency in previous.index else pd.Series(dtype=float)
        rows.append([currency, _cell("spend", r.spend, currency), _change(r.spend, before.get("spend")),
                     *(_cell(m, r[m], currency) for m in ("impressions", "clicks", "ctr", "conversions")),
                     _change(r.conversions, before.get("conversions")),
                     *(_cell(m, r[m], currency) for m in ("cpa", "conversion_value", "roas"))])
    return Table("Totals", ["Currency", "Spend", "vs before", "Impressions", "Clicks", "CTR", "Conversions", "vs before",
                            "CPA", "Conv. value", "ROAS"], rows)


PLATFORM_COLUMNS = ("spend", "impressions", "clicks", "ctr", "conversions", "cpa", "roas")


def _platform_table(platforms: pd.DataFrame) -> Table:
    rows = [[platform_name(r.platform), r.currency, *(_cell(m, getattr(r, m), r.currency) for m in PLATFORM_COLUMNS)]
            for r in platforms.itertuples()]
    return Table("Platforms", ["Platform", "Currency", "Spend", "Impressions", "Clicks", "CTR", "Conversions", "CPA", "ROAS"], rows)


def _campaign_table(campaigns: pd.DataFrame) -> Table:
    top = campaigns.sort_values(["spend", "currency", "platform", "campaign"], ascending=[False, True, True, True]).head(TOP_CAMPAIGNS)
    rows = [[r.campaign, platform_name(r.platform), r.currency, _cell("spend", r.spend, r.currency), _change(r.spend, r.spend_prev),
             *(_cell(m, getattr(r, m), r.currency) for m in ("conversions", "cpa", "roas"))]
            for r in top.itertuples()]
    return Table(f"Top campaigns by spend (up to {TOP_CAMPAIGNS})",
                 ["Campaign", "Platform", "Currency", "Spend", "vs before", "Conversions", "CPA", "ROAS"], rows)


# --- charts ---

def _figure(rows: int, cols: int = 1) -> tuple[Figure, np.ndarray]:
    figure = Figure(figsize=PAGE, layout="constrained")  # a whole PDF page
    axes = np.atleast_2d(figure.subplots(rows, cols, squeeze=False))
    for ax in axes.flat:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(colors=MUTED, labelsize=8)
    return figure, axes


def _daily_chart(daily: pd.DataFrame, currencies: list[str], date_from: date, date_to: date) -> Figure:
    figure, axes = _figure(len(currencies))
    for ax, currency in zip(axes[:, 0], currencies):
        days = daily[daily.currency == currency].groupby("day")[["spend", "conversions"]].sum().sort_index()
        when = pd.to_datetime(days.index)
        ax.bar(when, days.spend, width=0.8, color=ACCENT, label=f"Spend ({currency})")
        ax.set_ylabel(f"Spend ({currency})", fontsize=9, color=ACCENT)
        ax.set_title(f"Daily spend and conversions, {currency}", fontsize=10, loc="left", color=INK)
        right = ax.twinx()
        right.plot(when, days.conversions, color=SECOND, marker="o", markersize=3, linewidth=1.5)
        right.set_ylabel("Conversions", fontsize=9, color=SECOND)
        right.tick_params(labelsize=8, colors=MUTED)
        right.set_ylim(bottom=0)
        days_long = (date_to - date_from).days + 1
        locator = DayLocator(interval=-(-days_long // 10)) if days_long <= 45 else AutoDateLocator(maxticks=10)  # no hours
        ax.set_xlim(pd.Timestamp(date_from) - pd.Timedelta(hours=14), pd.Timestamp(date_to) + pd.Timedelta(hours=14))
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    return figure


def _platform_chart(platforms: pd.DataFrame, currencies: list[str]) -> Figure:
    figure, axes = _figure(len(currencies))
    for ax, currency in zip(axes[:, 0], currencies):
        rows = platforms[platforms.currency == currency]
        _bars(ax, [platform_name(p) for p in rows.platform], rows.spend, [_cell("spend", v, currency) for v in rows.spend], ACCENT)
        ax.set_xlabel(f"Spend ({currency})", fontsize=9)
        ax.set_title(f"Spend by platform, {currency}", fontsize=10, loc="left", color=INK)
    return figure


def _campaign_chart(campaigns: pd.DataFrame, currencies: list[str]) -> Figure:
    figure, axes = _figure(len(currencies), 2)
    for (cpa_ax, roas_ax), currency in zip(axes, currencies):
        rows = campaigns[campaigns.currency == currency].head(CHART_CAMPAIGNS)
        labels = [textwrap.shorten(f"{c} ({platform_name(p)})", 40, placeholder="…") for c, p in zip(rows.campaign, rows.platform)]
        for ax, metric, colour, label in ((cpa_ax, "cpa", SECOND, f"CPA ({currency})"), (roas_ax, "roas", ACCENT, "ROAS")):
            _bars(ax, labels, rows[metric].fillna(0), [_cell(metric, v, currency) for v in rows[metric]], colour)
            ax.set_xlabel(label, fontsize=9)
            ax.set_title(f"{label} of the top campaigns by spend, {currency}", fontsize=10, loc="left", color=INK)
        roas_ax.tick_params(labelleft=False)
    return figure


def _bars(ax, labels: list[str], values, texts: list[str], colour: str) -> None:
    """Horizontal bars, each with its value written at its end; a few bars stay thin."""
    ax.barh([_safe(t) for t in labels], values, height=0.6, color=colour)
    for y, (value, text) in enumerate(zip(values, texts)):
        ax.annotate(_safe(text), (value, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8, color=INK)
    ax.set_ylim(max(len(labels), 6) - 0.5, -0.5)  # the first label on top
    ax.margins(x=0.12)


def _safe(text: str) -> str:
    """Text for matplotlib: a $ would start mathtext."""
    return text.replace("$", r"\$")


# --- HTML ---

def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _html_table(table: Table) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in table.rows)
    return f"<h2>{e(table.title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _written_by(summary: Summary) -> str:
    if summary.source == "rules":
        return "Summary written by the built-in rules"
    return f"Summary written by {SERVICES[summary.source].title} from the figures below"


def _html(data: ReportData) -> str:
    e = html.escape
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in data.summary.text.split("\n") if p.strip())
    charts = "".join(f'<h2>{e(title)}</h2><div class="chart">{_svg(figure)}</div>' for title, figure in data.charts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(data.title)}, {e(data.period)}</title>
<style>
body{{font-family:system-ui,sans-serif;color:{INK};margin:40px auto;max-width:1100px;padding:0 20px}}
h1{{font-weight:600;margin-bottom:0}} .muted{{color:{MUTED}}} .summary p{{margin:6px 0}}
table{{border-collapse:collapse;margin:8px 0 24px;font-size:14px}}
th,td{{padding:4px 10px;border-bottom:1px solid #e2e2e8;text-align:right}} th:first-child,td:first-child{{text-align:left}}
th{{background:#f4f4f8}} .chart svg{{width:100%;height:auto}}
</style></head><body>
<h1>{e(data.title)}</h1>
<p class="muted">{e(data.period)} · generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {e(_written_by(data.summary))}</p>
<div class="summary">{paragraphs}</div>
{_html_table(data.tables[0])}
{charts}
{''.join(_html_table(t) for t in data.tables[1:])}
</body></html>
"""


# --- PDF ---

def _page() -> Figure:
    return Figure(figsize=PAGE)


def _draw_table(figure: Figure, table: Table, rows: list[list[str]], top: float, title: str) -> None:
    """The rows as a table under a heading, from top (figure fraction) down."""
    figure.text(0.05, top, _safe(title), fontsize=12, weight="bold", color=INK, va="top")
    height = min(top - 0.08, 0.035 * (len(rows) + 1))
    ax = figure.add_axes((0.05, top - 0.04 - height, 0.9, height))
    ax.axis("off")
    cells = ax.table(cellText=[[_safe(v) for v in row] for row in rows] or [["–"] * len(table.columns)],
                     colLabels=table.columns, loc="upper center", cellLoc="right", colLoc="right")
    cells.auto_set_font_size(False)
    cells.set_fontsize(9)
    cells.auto_set_column_width(list(range(len(table.columns))))
    cells.scale(1, 1.25)
    for (row, _col), cell in cells.get_celld().items():
        cell.set_edgecolor("#e2e2e8")
        if row == 0:
            cell.set_facecolor("#f4f4f8")


def _title_pages(data: ReportData) -> list[Figure]:
    """The title, the summary and the totals; a long summary continues on further pages."""
    lines = [w for p in data.summary.text.split("\n") for w in (textwrap.wrap(p, SUMMARY_WIDTH) or [""])]
    totals = data.tables[0]
    table_height = 0.1 + 0.035 * (len(totals.rows) + 1)  # the totals table and its heading, under the summary
    per_line = 0.026
    pages, first = [], True
    while first or lines:
        page = _page()
        top = 0.93
        if first:
            page.text(0.05, top, data.title, fontsize=22, weight="bold", color=INK, va="top")
            page.text(0.05, top - 0.06, _safe(f"{data.period} · {_written_by(data.summary)}"), fontsize=10, color=MUTED, va="top")
            top -= 0.11
        fits = max(1, int((top - 0.05 - (table_height if first else 0)) / per_line))
        shown, lines = lines[:fits], lines[fits:]
        for i, line in enumerate(shown):
            page.text(0.05, top - i * per_line, _safe(line), fontsize=9, color=INK, va="top")
        if first:
            _draw_table(page, totals, totals.rows, top - len(shown) * per_line - 0.03, totals.title)
        pages.append(page)
        first = False
    return pages


def _table_pages(table: Table) -> list[Figure]:
    pages = []
    chunks = [table.rows[i:i + TABLE_ROWS_PER_PAGE] for i in range(0, len(table.rows), TABLE_ROWS_PER_PAGE)] or [[]]
    for n, rows in enumerate(chunks):
        page = _page()
        _draw_table(page, table, rows, 0.93, table.title + (f" (continued, {n + 1}/{len(chunks)})" if n else ""))
        pages.append(page)
    return pages


def _pdf(path: Path, data: ReportData, state: JobState) -> None:
    pages = [*_title_pages(data), *(f for _, f in data.charts), *(p for t in data.tables[1:] for p in _table_pages(t))]
    with PdfPages(path, metadata={"Title": f"{data.title}, {data.period}", "Creator": "Conext Studio"}) as pdf:
        for done, page in enumerate(pages):
            state.check()
            pdf.savefig(page)
            state.set_progress(done + 1, len(pages) + 1)
