"""The Publish workspace: a campaign's posts on a calendar (month, week, day, list), dragged to
reschedule, made by dropping creatives, edited with a preview of each platform, approved and
sent out by the background publisher."""

from studio.ui.shell.registry import WorkspaceSpec, register


def _make_view(ctx):
    from studio.ui.workspaces.publish.view import PublishView

    return PublishView(ctx)


register(WorkspaceSpec(key="publish", title="Publish", icon="mdi6.calendar-month-outline", factory=_make_view, order=40, shortcut="Ctrl+4"))
