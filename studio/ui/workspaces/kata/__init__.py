"""The Kata workspace: place a product into a scene photo, scored and composited live."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.kata.view import KataView

    return KataView(ctx)


register(WorkspaceSpec(key="kata", title="Kata", icon="mdi6.image-filter-center-focus-weak", factory=_make_view, order=30, shortcut="Ctrl+3"))
