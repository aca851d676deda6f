"""The Research workspace: the brand's profile, its knowledge base (crawled pages and imported
documents, its own and its competitors'), search over it, competitor comparison and trends."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.research.view import ResearchView

    return ResearchView(ctx)


register(WorkspaceSpec(key="research", title="Research", icon="mdi6.magnify-scan", factory=_make_view, order=4, shortcut="Ctrl+7"))
