"""Preview proxies, made without being asked: when a composition opens or gains a heavy video
(core's needs_proxy: over 1280 px on its long side, or over 25 Mbit/s), a make_proxy job is
queued for each such source that has no proxy yet — one job per source, in the cpu lane, shown
in the jobs panel with progress and Cancel. A finished proxy is announced so the viewer's
evaluator reloads and reads it; a cancelled or failed one is not queued again this session."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from studio.core.render.proxy import ProxyParams, needs_proxy, proxy_job, proxy_path
from studio.core.timeline.model import MediaClip


class ProxyQueue(QObject):
    proxy_ready = Signal(str)  # the source path

    def __init__(self, ctx, controller, parent=None):
        super().__init__(parent)
        self.ctx, self.controller = ctx, controller
        self.enabled = True
        self.proxy_dir = ctx.lib.root / "proxies"
        self.jobs: dict[str, object] = {}  # source path -> its queued or running Job
        self._heavy: dict[str, bool] = {}  # source path -> needs_proxy (a header read, once)
        self._given_up: set[str] = set()
        self._seen: set[Path] = set()  # the sources the last check looked at
        controller.composition_changed.connect(self.check)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self._seen = set()
        self.check()

    def _sources(self) -> dict[Path, str]:
        """The open composition's video files: path -> a name to show."""
        found = {}
        for _track, clip in self.controller.composition.clips():
            if not isinstance(clip, MediaClip):
                continue
            if clip.asset_id is not None:
                asset = self.controller.asset(clip.asset_id)
                if asset is not None and asset.kind == "video" and asset.trashed_at is None:
                    found[self.ctx.lib.media_path(asset.sha256, asset.ext)] = asset.name
            elif clip.path:
                found[Path(clip.path)] = Path(clip.path).name
        return found

    def check(self) -> None:
        if not self.enabled or self.controller.composition is None:
            return
        sources = self._sources()
        if set(sources) == self._seen:  # most edits (and every drag preview) add no source
            return
        self._seen = set(sources)
        for path, name in sources.items():
            key = str(path)
            if key in self.jobs or key in self._given_up or not path.is_file():
                continue
            if key not in self._heavy:
                self._heavy[key] = needs_proxy(path)
            if self._heavy[key] and not proxy_path(path, self.proxy_dir).exists():
                params = ProxyParams(key, str(self.proxy_dir))
                self.jobs[key] = self.ctx.submit(proxy_job, params, title=f"Preview proxy of {name}", lane="cpu")

    def _on_job_changed(self, job) -> None:
        key = next((k for k, j in self.jobs.items() if j is job), None)
        if key is None or not job.finished:
            return
        del self.jobs[key]
        if job.status == "done":
            self.proxy_ready.emit(key)
            return
        self._given_up.add(key)
        if job.status == "failed":
            self.ctx.notify(f"{job.title} was not made: {job.error.rstrip('.')}. The viewer reads the original instead.", "warning")
