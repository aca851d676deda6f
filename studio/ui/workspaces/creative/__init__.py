"""The Creative workspace: compositions on a timeline, a viewer, a media bin and an inspector."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.creative.view import CreativeView

    return CreativeView(ctx)


register(WorkspaceSpec(key="creative", title="Creative", icon="mdi6.movie-open-edit-outline", factory=_make_view, order=20, shortcut="Ctrl+2"))
