"""How check results look: one status per rendition or copy set, its icon, and findings as HTML."""

from __future__ import annotations

from html import escape

import qtawesome as qta
from PySide6.QtGui import QIcon

from studio.core.specs.validate import Finding
from studio.ui.shell.theme import theme

ICONS = {"ok": "mdi6.check-circle", "warning": "mdi6.alert", "error": "mdi6.close-circle"}


def status_of(findings: list[Finding]) -> str:
    """"error" when any finding blocks, "warning" when some only inform, else "ok"."""
    severities = {f.severity for f in findings}
    return "error" if "error" in severities else "warning" if severities else "ok"


def _colour(status: str) -> str:
    c = theme().colors
    return {"ok": c.success, "warning": c.warning, "error": c.danger}[status]


def status_icon(status: str) -> QIcon:
    return qta.icon(ICONS[status], color=_colour(status))


def findings_html(title: str, findings: list[Finding], all_clear: str) -> str:
    """A heading, then every finding with its severity, message and fix hint."""
    muted = theme().colors.muted
    rows = [f"<p style='margin-bottom:6px'><b>{escape(title)}</b></p>"]
    if not findings:
        rows.append(f"<p style='color:{_colour('ok')}'>✓ {escape(all_clear)}</p>")
    for f in sorted(findings, key=lambda f: f.severity != "error"):
        label = "Error" if f.severity == "error" else "Warning"
        rows.append(f"<p style='margin:4px 0 8px 0'><span style='color:{_colour(f.severity)}'>● <b>{label}</b></span> "
                    f"{escape(f.message)}<br><span style='color:{muted}'>{escape(f.hint)}</span></p>")
    return "".join(rows)
