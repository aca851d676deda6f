"""The Compliance workspace: a campaign's findings against platform policies and brand rules,
each shown where it is (the span in the copy, the box on the picture), fixed or waived."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.compliance.view import ComplianceView

    return ComplianceView(ctx)


register(WorkspaceSpec(key="compliance", title="Compliance", icon="mdi6.shield-check-outline", factory=_make_view, order=60, shortcut="Ctrl+6"))
