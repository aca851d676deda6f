"""The Publish workspace: the navigator's campaign's posts on a month, week or day calendar or in
a list, the approvals and best-time panels beside it, the publisher's state below.

Every change is one core op (one Edit ▸ Undo step): dragging a post to another day or time
reschedules it (a refused move, into the past or of a published post, shows the core's message
and the chip stays where it was); dropping assets from the Media workspace makes draft posts;
Del deletes. Times are wall clocks in each post's channel's own zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput
from studio.core.ops import publishing as ops
from studio.core.ops.brand_rules import campaign_brand
from studio.core.publishing import best_time, calendar
from studio.core.publishing.timezones import now_local
from studio.core.queries import get_asset
from studio.core.specs.catalog import load_catalog
from studio.core.timeline.store import list_compositions
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.workspace_frame import add_bar_action, stack_under, workspace_bar
from studio.ui.workspaces.publish.calendar_model import (
    STATUS_NAMES,
    DropTarget,
    ids_mime,
    platform_color,
    post_mime,
    post_tooltip,
    shown_status,
)
from studio.ui.workspaces.publish.list_view import PostListView
from studio.ui.workspaces.publish.month_view import MonthView
from studio.ui.workspaces.publish.post_dialog import PostDialog
from studio.ui.workspaces.publish.week_view import HOUR_H, TimeGridView

try:  # the side widgets come from another part of the workspace; the calendar works without them
    from studio.ui.workspaces.publish.approvals_panel import ApprovalsPanel
except ImportError:
    ApprovalsPanel = None
try:
    from studio.ui.workspaces.publish.best_time_panel import BestTimePanel
except ImportError:
    BestTimePanel = None
try:
    from studio.ui.workspaces.publish.channels_dialog import ChannelsDialog
except ImportError:
    ChannelsDialog = None
try:
    from studio.ui.workspaces.publish.publisher_status import PublisherStatus
except ImportError:
    PublisherStatus = None
try:
    from studio.ui.workspaces.publish import transfer
except ImportError:
    transfer = None

VIEW_KEY = "publish/view"
MODES = (("month", "Month", "mdi6.calendar-month-outline", "Ctrl+Alt+1"), ("week", "Week", "mdi6.calendar-week", "Ctrl+Alt+2"),
         ("day", "Day", "mdi6.calendar-today", "Ctrl+Alt+3"), ("list", "List", "mdi6.format-list-bulleted", "Ctrl+Alt+4"))
WATCHED = {"posts", "channels", "publications", "post_decisions", "campaigns", "assets", "compositions"}
STATUS_FILTERS = (("All statuses", None),) + tuple((name, key) for key, name in STATUS_NAMES.items())
EMPTY_HINT = "Drag creatives from the Media workspace onto a day to make posts, or double-click a post to edit it."


def next_weekday_hour(after: datetime, weekday: int, hour: int) -> datetime:
    """The first wall time after `after` on that weekday at that hour."""
    day = after.date() + timedelta(days=(weekday - after.weekday()) % 7)
    candidate = datetime.combine(day, time(hour))
    return candidate if candidate > after else candidate + timedelta(days=7)


def add_months(day: date, n: int) -> date:
    month = day.month - 1 + n
    return date(day.year + month // 12, month % 12 + 1, 1)


class UnscheduledTray(QListWidget):
    """The posts not on the calendar yet; drag one onto a day or a time to schedule it."""

    def mimeData(self, items):
        return post_mime(items[0].data(Qt.UserRole))


class CompositionsTray(QListWidget):
    """The campaign's compositions; drag one onto a day or a time to make a post of it."""

    def mimeData(self, items):
        return ids_mime("compositions", [item.data(Qt.UserRole) for item in items])


class PublishView(RefreshWhenShown, QWidget):
    refreshed = Signal()
    message_shown = Signal(str)  # what the status line says after an action

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.anchor = date.today()
        self.posts: list = []  # the shown range's posts that pass the filters, unscheduled ones too
        self.selected: int | None = None
        self.channels: list = []
        self.dialog: PostDialog | None = None
        self.month = MonthView()
        self.week = TimeGridView(7)
        self.day = TimeGridView(1)
        self.list = PostListView()
        self._build()
        mode = QSettings().value(VIEW_KEY, "month")
        self.set_mode(mode if mode in self.mode_actions else "month")
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.campaign_changed.connect(lambda _c: self.follow_change())
        self.refresh()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        bar = workspace_bar()
        c = theme().colors
        bar.setStyleSheet(f"QToolButton:checked {{ background: {c.raised}; color: {c.accent}; }}")  # the view shown
        group = QActionGroup(self)
        self.mode_actions = {}
        for key, text, icon, shortcut in MODES:
            action = add_bar_action(self, bar, icon, text, shortcut, f"Show the {text.lower()}", lambda k=key: self.set_mode(k))
            action.setCheckable(True)
            group.addAction(action)
            self.mode_actions[key] = action
            bar.widgetForAction(action).setToolButtonStyle(Qt.ToolButtonIconOnly)  # the tooltip names it: room for the rest
        bar.addSeparator()
        add_bar_action(self, bar, "mdi6.chevron-left", "", "Alt+Left", "Previous", lambda: self.step(-1))
        self.today_action = add_bar_action(self, bar, "mdi6.calendar-cursor", "Today", "T", "Go to today", self.go_today)
        add_bar_action(self, bar, "mdi6.chevron-right", "", "Alt+Right", "Next", lambda: self.step(1))
        self.range_label = QLabel(objectName="PanelTitle")
        self.range_label.setContentsMargins(8, 0, 8, 0)
        bar.addWidget(self.range_label)
        bar.addSeparator()
        self.channel_filter = QComboBox(accessibleName="Channel filter")
        self.channel_filter.setMinimumWidth(150)
        self.status_filter = QComboBox(accessibleName="Status filter")
        for label, value in STATUS_FILTERS:
            self.status_filter.addItem(label, value)
        for combo in (self.channel_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
            bar.addWidget(combo)
        bar.addSeparator()
        self.queue_action = add_bar_action(self, bar, "mdi6.clock-fast", "Queue", "Ctrl+Shift+Q",
                                         "Put the selected unscheduled post in its channel's next free slot", self.queue_selected)
        if ChannelsDialog is not None:
            add_bar_action(self, bar, "mdi6.account-multiple-outline", "Channels…", "", "The brand's accounts, time zones and slots", self.edit_channels)
        if transfer is not None:
            menu = QMenu(self)
            menu.addAction(theme().icon("mdi6.file-import-outline"), "Import schedule (CSV)…", lambda: transfer.import_schedule(self.ctx, self))
            menu.addAction(theme().icon("mdi6.file-export-outline"), "Export schedule (CSV)…", lambda: transfer.export_schedule(self.ctx, self))
            menu.addAction(theme().icon("mdi6.calendar-export"), "Export calendar (iCal)…", lambda: transfer.export_ical(self.ctx, self))
            button = QToolButton(text="Schedule", icon=theme().icon("mdi6.calendar-export"), popupMode=QToolButton.InstantPopup,
                                 toolButtonStyle=Qt.ToolButtonTextBesideIcon, accessibleName="Import and export")
            button.setMenu(menu)
            bar.addWidget(button)

        self.hint = QLabel(EMPTY_HINT, objectName="Muted", wordWrap=True)
        self.hint.setContentsMargins(10, 4, 10, 4)
        self.message = QLabel(wordWrap=True)
        self.message.setContentsMargins(10, 2, 10, 4)
        self.message.hide()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.month)
        for grid in (self.week, self.day):
            scroll = QScrollArea(widgetResizable=True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
            scroll.setWidget(grid)
            scroll.verticalScrollBar().valueChanged.connect(grid.update)  # its day names stay on top
            self.pages.addWidget(scroll)
        self.pages.addWidget(self.list)
        for surface in (self.month, self.week, self.day, self.list):
            surface.post_activated.connect(self.open_post)
            surface.selection_changed.connect(self.select)
            surface.delete_pressed.connect(self.delete_selected)
        for surface in (self.month, self.week, self.day):
            surface.post_dropped.connect(self._on_post_dropped)
            surface.assets_dropped.connect(self._on_assets_dropped)
            surface.compositions_dropped.connect(self._on_compositions_dropped)
            surface.arrow_pressed.connect(self.move_selection)
        self.month.day_activated.connect(self.show_day)
        self.unscheduled = UnscheduledTray(accessibleName="Not scheduled")
        self.unscheduled.setDragEnabled(True)
        self.unscheduled.setSelectionMode(QAbstractItemView.SingleSelection)
        self.unscheduled.setMaximumHeight(90)
        self.unscheduled.setFlow(QListWidget.LeftToRight)
        self.unscheduled.currentItemChanged.connect(lambda item, _p: item and self.select(item.data(Qt.UserRole)))
        self.unscheduled.itemDoubleClicked.connect(lambda item: self.open_post(item.data(Qt.UserRole)))
        self.unscheduled_title = QLabel("Not scheduled — drag onto a day", objectName="Muted")
        self.unscheduled_title.setContentsMargins(10, 4, 10, 0)
        self.compositions = CompositionsTray(accessibleName="Compositions")
        self.compositions.setDragEnabled(True)
        self.compositions.setMaximumHeight(60)
        self.compositions.setFlow(QListWidget.LeftToRight)
        self.compositions_title = QLabel("Compositions — drag onto a day to make a post", objectName="Muted")
        self.compositions_title.setContentsMargins(10, 4, 10, 0)

        calendar_column = QWidget()
        column = QVBoxLayout(calendar_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for w in (self.hint, self.message):
            column.addWidget(w)
        column.addWidget(self.pages, 1)
        column.addWidget(self.unscheduled_title)
        column.addWidget(self.unscheduled)
        column.addWidget(self.compositions_title)
        column.addWidget(self.compositions)
        splitter = QSplitter()
        splitter.addWidget(calendar_column)
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(splitter, 1)
        if PublisherStatus is not None:
            self.publisher = PublisherStatus(self.ctx)
            body.addWidget(self.publisher)
        self.no_campaign = EmptyState("mdi6.calendar-month-outline", "Pick a campaign",
                                      "Choose a campaign in the navigator to plan, approve and publish its posts.")
        self.no_channels = EmptyState("mdi6.account-multiple-outline", "No channels yet",
                                      "Add the brand's accounts (a Facebook page, a Google Ads customer…) with Channels… to put posts on the calendar.")
        self.stack = stack_under(self, bar, content, self.no_campaign, self.no_channels)
        self._add_side_panels(splitter)

    def _add_side_panels(self, splitter: QSplitter) -> None:
        """The approvals and best-time panels, made last: moving a built pyqtgraph plot to a new
        parent crashes, so everything above them is in place before they are made."""
        self.approvals = ApprovalsPanel(self.ctx) if ApprovalsPanel is not None else None
        self.best_time = BestTimePanel(self.ctx) if BestTimePanel is not None else None
        if self.best_time is not None:
            self.best_time.slot_chosen.connect(self._on_slot_chosen)
        side = [w for w in (self.approvals, self.best_time) if w is not None]
        if side:
            panels = QSplitter(Qt.Vertical)
            splitter.addWidget(panels)
            for w in side:
                panels.addWidget(w)
            splitter.setStretchFactor(0, 1)
            splitter.setSizes([900, 320])

    # ---- what is shown -----------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.mode_actions[mode].setChecked(True)
        self.pages.setCurrentIndex([m[0] for m in MODES].index(mode))
        QSettings().setValue(VIEW_KEY, mode)
        self.refresh()
        if mode in ("week", "day"):  # the working day in view, not midnight
            self.pages.currentWidget().verticalScrollBar().setValue(7 * HOUR_H)

    def shown_days(self) -> list[date]:
        if self.mode != "list":
            return {"month": self.month, "week": self.week, "day": self.day}[self.mode].days()
        first = self.anchor.replace(day=1)
        return [first + timedelta(days=i) for i in range((add_months(first, 1) - first).days)]

    def step(self, n: int) -> None:
        if self.mode in ("month", "list"):
            self.anchor = add_months(self.anchor, n)
        else:
            self.anchor += timedelta(days=n * (7 if self.mode == "week" else 1))
        self.refresh()

    def show_day(self, day: date) -> None:
        self.anchor = day
        self.set_mode("day")

    def go_today(self) -> None:
        self.anchor = date.today()
        self.refresh()

    def refresh(self) -> None:
        campaign_id = self.ctx.current_campaign_id
        try:
            brand_id = campaign_brand(self.ctx.lib, campaign_id) if campaign_id is not None else None
        except BadInput:  # the campaign was deleted
            brand_id = None
        if brand_id is None:
            self.stack.setCurrentWidget(self.no_campaign)
            self.posts, self.channels = [], []
            return
        self.channels = calendar.list_channels(self.ctx.lib, brand_id)
        self._fill_channel_filter()
        if not self.channels:
            self.stack.setCurrentWidget(self.no_channels)
            self.posts = []
            return
        self.stack.setCurrentWidget(self.stack.widget(0))
        for surface in (self.month, self.week, self.day):
            surface.anchor = self.anchor
        days = self.shown_days()
        posts = calendar.list_posts(self.ctx.lib, days[0], days[-1], campaign_id=campaign_id,
                                    channel_id=self.channel_filter.currentData(), include_unscheduled=True)
        wanted = self.status_filter.currentData()
        self.posts = [p for p in posts if (wanted is None or shown_status(p) == wanted)
                      and (p.local_time is None or days[0] <= p.local_time.date() <= days[-1])]
        if self.selected not in {p.id for p in self.posts}:
            self.selected = None
        for surface in (self.month, self.week, self.day):
            surface.set_posts(self.posts, self.anchor)
            surface.selected = self.selected
        self.list.set_posts(self.posts, self.selected)
        self._fill_unscheduled()
        self._fill_compositions(campaign_id)
        self.range_label.setText(self._range_text(days))
        self.hint.setVisible(not any(p.local_time for p in self.posts))
        self._update_actions()
        self.refreshed.emit()

    def _range_text(self, days: list[date]) -> str:
        if self.mode in ("month", "list"):
            return self.anchor.strftime("%B %Y")
        if self.mode == "day":
            return self.anchor.strftime("%A %d %B %Y")
        return f"{days[0]:%d %b} – {days[-1]:%d %b %Y}"

    def _fill_channel_filter(self) -> None:
        current = self.channel_filter.currentData()
        self.channel_filter.blockSignals(True)
        self.channel_filter.clear()
        self.channel_filter.addItem("All channels", None)
        for c in self.channels:
            self.channel_filter.addItem(f"{PLATFORM_NAMES.get(c.platform, c.platform)} · {c.name}", c.id)
            self.channel_filter.setItemData(self.channel_filter.count() - 1, platform_color(c.platform), Qt.DecorationRole)
        self.channel_filter.setCurrentIndex(max(0, self.channel_filter.findData(current)))
        self.channel_filter.blockSignals(False)

    def _fill_compositions(self, campaign_id: int) -> None:
        self.compositions.clear()
        for info in list_compositions(self.ctx.lib, campaign_id):
            item = QListWidgetItem(theme().icon("mdi6.movie-open-outline"), info.name)
            item.setData(Qt.UserRole, info.id)
            self.compositions.addItem(item)
        shown = self.compositions.count() > 0
        self.compositions.setVisible(shown)
        self.compositions_title.setVisible(shown)

    def _fill_unscheduled(self) -> None:
        self.unscheduled.blockSignals(True)
        self.unscheduled.clear()
        for post in (p for p in self.posts if p.local_time is None):
            item = QListWidgetItem(f"{post.title}\n{PLATFORM_NAMES.get(post.platform, post.platform)} · {post.channel_name}")
            item.setData(Qt.UserRole, post.id)
            item.setData(Qt.DecorationRole, platform_color(post.platform))
            item.setToolTip(post_tooltip(post))
            self.unscheduled.addItem(item)
            item.setSelected(post.id == self.selected)
        self.unscheduled.blockSignals(False)
        shown = self.unscheduled.count() > 0 and self.mode != "list"
        self.unscheduled.setVisible(shown)
        self.unscheduled_title.setVisible(shown)

    def post(self, post_id: int | None):
        return next((p for p in self.posts if p.id == post_id), None)

    def select(self, post_id: int | None) -> None:
        if post_id == self.selected:
            return
        self.selected = post_id
        for surface in (self.month, self.week, self.day):
            surface.selected = post_id
            surface.update()
        if self.list.isVisible():
            self.list.select(post_id)
        self._update_actions()

    def _update_actions(self) -> None:
        post = self.post(self.selected)
        self.queue_action.setEnabled(post is not None and post.local_time is None)
        if self.approvals is not None:
            self.approvals.set_post(self.selected)
        if self.best_time is not None:
            self.best_time.set_channel(post.channel_id if post else self.channel_filter.currentData())

    def say(self, text: str, level: str = "info") -> None:
        color = {"error": theme().colors.danger, "warning": theme().colors.warning}.get(level, theme().colors.muted)
        self.message.setStyleSheet(f"color:{color}")
        self.message.setText(text)
        self.message.show()
        self.message_shown.emit(text)

    def _on_bus_changed(self, result) -> None:
        if set(result.changes) & WATCHED:
            self.follow_change()

    # ---- acting ------------------------------------------------------------------------------
    def _run(self, op, *args, done: str = "", **kwargs) -> bool:
        """Run a core op; its refusal is said in the message line (nothing changed)."""
        try:
            result = op(self.ctx.lib, *args, **kwargs)
        except BadInput as exc:
            self.say(str(exc), "error")
            self.refresh()  # the chip goes back where it was
            return False
        notes = result.label.split(" — ", 1)[1] if " — " in result.label else ""
        self.say(" ".join(t for t in (done, notes) if t), "warning" if notes else "info")
        return True

    def _on_post_dropped(self, post_id: int, target: DropTarget) -> None:
        post = self.post(post_id) or calendar.get_post(self.ctx.lib, post_id)
        local_time = target.local_time(post.local_time)
        if local_time == post.local_time:
            return
        self.select(post_id)
        self._run(ops.reschedule_post, post_id, local_time, done=f"Moved {post.title!r} to {local_time:%a %d %b %H:%M} (Ctrl+Z undoes it).")

    def _on_slot_chosen(self, slot) -> None:
        """A best-time slot (a wall time, or a weekday and hour: its next one) for the selected post."""
        post = self.post(self.selected)
        if post is not None:
            local_time = slot if isinstance(slot, datetime) else next_weekday_hour(now_local(post.timezone), slot.weekday, slot.hour)
            self._run(ops.reschedule_post, self.selected, local_time, done=f"Moved {post.title!r} to {local_time:%a %d %b %H:%M}.")

    def _drop_channel(self):
        """The channel dropped assets go to: the filtered one, the only one, or the user's pick."""
        chosen = self.channel_filter.currentData()
        if chosen is not None or len(self.channels) == 1:
            return next(c for c in self.channels if c.id == (chosen or self.channels[0].id))
        names = [f"{PLATFORM_NAMES.get(c.platform, c.platform)} · {c.name}" for c in self.channels]
        name, ok = QInputDialog.getItem(self, "Post on which channel?", "Channel for the new posts:", names, 0, False)
        return self.channels[names.index(name)] if ok else None

    def _on_assets_dropped(self, asset_ids: list, target: DropTarget) -> None:
        assets = [a for a in (get_asset(self.ctx.lib, i) for i in asset_ids) if a is not None]
        self._make_posts([(a.name.rsplit(".", 1)[0], a.kind, {"asset_id": a.id}) for a in assets], target)

    def _on_compositions_dropped(self, composition_ids: list, target: DropTarget) -> None:
        names = {c.id: c.name for c in list_compositions(self.ctx.lib)}
        self._make_posts([(names[i], "video", {"composition_id": i}) for i in composition_ids if i in names], target)

    def _make_posts(self, creatives: list[tuple[str, str, dict]], target: DropTarget) -> None:
        """A draft post per (title, media kind, asset_id or composition_id) dropped on a day or time."""
        channel = self._drop_channel() if creatives else None
        if channel is None:
            return
        catalog = load_catalog(self.ctx.lib)
        made = []
        for title, media, creative in creatives:
            spec = next((s.id for s in catalog.for_platforms([channel.platform]) if s.media == media), None)
            if self._run(ops.create_post, self.ctx.current_campaign_id, channel.id, title, spec_id=spec, **creative,
                         local_time=target.local_time(None), done=f"Made a draft post of {title!r} on {channel.name} (Ctrl+Z undoes it)."):
                made.append(title)
        if len(made) > 1:
            self.say(f"Made {len(made)} draft posts on {channel.name}; Ctrl+Z undoes them one at a time.")

    def open_post(self, post_id: int | None) -> None:
        if post_id is None:
            return
        self.select(post_id)
        self.dialog = PostDialog(self.ctx, post_id, self)
        self.dialog.saved.connect(lambda _r: self.refresh())
        self.dialog.open()

    def delete_selected(self) -> None:
        post = self.post(self.selected)
        if post is not None and self._run(ops.delete_post, post.id, done=f"Deleted {post.title!r} (Ctrl+Z brings it back)."):
            self.selected = None

    def queue_selected(self) -> None:
        post = self.post(self.selected)
        if post is None or post.local_time is not None:
            self.say("Select a post that is not on the calendar yet, then Queue puts it in its channel's next free slot.", "warning")
            return
        today = date.today()
        taken = [p.local_time for p in calendar.list_posts(self.ctx.lib, today, today + timedelta(days=best_time.HORIZON_DAYS), channel_id=post.channel_id)
                 if shown_status(p) != "cancelled"]
        try:
            slot = best_time.next_slot(self.ctx.lib, post.channel_id, now_local(post.timezone), taken=taken)
        except BadInput as exc:
            self.say(str(exc), "error")
            return
        self._run(ops.reschedule_post, post.id, slot, done=f"Queued {post.title!r} at {slot:%a %d %b %H:%M}.")

    def edit_channels(self) -> None:
        campaign_id = self.ctx.current_campaign_id
        if campaign_id is not None:
            ChannelsDialog(self.ctx, campaign_brand(self.ctx.lib, campaign_id), self).open()

    # ---- keys --------------------------------------------------------------------------------
    def move_selection(self, key) -> None:
        """Left/Right: the previous/next post in time; Up/Down in the month: the nearest post a week earlier/later."""
        timed = sorted((p for p in self.posts if p.local_time), key=lambda p: (p.local_time, p.id))
        if not timed:
            return
        current = self.post(self.selected)
        if current is None or current.local_time is None:
            self.select(timed[0].id)
            return
        if self.mode == "month" and key in (Qt.Key_Up, Qt.Key_Down):
            goal = current.local_time + timedelta(days=-7 if key == Qt.Key_Up else 7)
            best = min(timed, key=lambda p: abs((p.local_time - goal).total_seconds()))
            self.select(best.id)
            return
        i = [p.id for p in timed].index(current.id)
        step = -1 if key in (Qt.Key_Left, Qt.Key_Up) else 1
        self.select(timed[max(0, min(len(timed) - 1, i + step))].id)
