"""The Briefs workspace: a campaign's briefs, each a structured document edited section by section
with autosave, version history, comments, approvals and AI assist grounded in the knowledge base."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.briefs.view import BriefsView

    return BriefsView(ctx)


register(WorkspaceSpec(key="briefs", title="Briefs", icon="mdi6.file-document-edit-outline", factory=_make_view, order=6, shortcut="Ctrl+8"))
