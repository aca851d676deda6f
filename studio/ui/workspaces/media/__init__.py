"""The Media library workspace: import, browse, search, tag and organise the library's assets."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.media.view import MediaLibraryView

    return MediaLibraryView(ctx)


register(WorkspaceSpec(key="media", title="Media", icon="mdi6.image-multiple", factory=_make_view, order=10, shortcut="Ctrl+1"))
