"""Export ▸ render the composition (any of its aspect variants) to MP4, as a job with a
progress bar and Cancel in the jobs panel; the render runs in a worker process, compositing on
the backend chosen in Settings ▸ Preview & render."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton

from studio.core.render.encode import RenderParams, render
from studio.ui.bridge import when_finished
from studio.ui.shell.render_settings import render_settings

PRESETS = {"fast": "Fast (veryfast, CRF 21)", "quality": "Quality (medium, CRF 18)"}


class Exporter(QObject):
    def __init__(self, ctx, controller, parent):
        super().__init__(parent)
        self.ctx, self.controller, self.parent_widget = ctx, controller, parent
        self.button = QToolButton(text="Export", toolTip="Render the composition to MP4", popupMode=QToolButton.InstantPopup)
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.button.setMenu(self.menu)

    def _fill_menu(self) -> None:
        self.menu.clear()
        comp = self.controller.composition
        if comp is None:
            return
        for variant in comp.variant_names():
            for preset, label in PRESETS.items():
                self.menu.addAction(f"{variant} · {label}…", lambda v=variant, p=preset: self.choose_file(v, p))

    def choose_file(self, variant: str, preset: str) -> None:
        comp = self.controller.composition
        stem = re.sub(r"[^\w.-]+", "-", comp.name).strip("-.") or "render"
        folder = QSettings().value("export/folder", str(Path.home()))
        out, _ = QFileDialog.getSaveFileName(self.parent_widget, "Render to MP4", str(Path(folder) / f"{stem}-{variant}.mp4"), "MP4 video (*.mp4)")
        if out:
            QSettings().setValue("export/folder", str(Path(out).parent))
            self.start(Path(out), variant, preset)

    def render_params(self, out: Path, variant: str | None = None, preset: str = "fast") -> RenderParams:
        return RenderParams(str(self.ctx.lib.root), self.controller.composition_id, str(out), preset, variant,
                            backend=render_settings().backend())

    def start(self, out: Path, variant: str | None = None, preset: str = "fast"):
        """The saved composition is rendered (so what is exported is what undo history holds)."""
        comp = self.controller.composition
        job = self.ctx.submit(render, self.render_params(out, variant, preset), title=f"Render {comp.name} ({variant or comp.aspect})", lane="cpu")
        when_finished(self.ctx.bus, job, self._on_finished, owner=self)
        return job

    def _on_finished(self, job) -> None:
        if job.status == "done":
            r = job.result
            self.ctx.notify(f"Rendered {Path(r['path']).name}: {r['width']}×{r['height']}, {r['duration_s']:.1f} s, {r['bytes'] / 1e6:.1f} MB in {r['render_s']:.0f} s")
