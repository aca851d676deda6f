"""The Analytics workspace: platform performance reports in, KPIs against the period before,
charts, and the imports that made them."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.analytics.view import AnalyticsView

    return AnalyticsView(ctx)


register(WorkspaceSpec(key="analytics", title="Analytics", icon="mdi6.chart-line", factory=_make_view, order=50, shortcut="Ctrl+5"))
