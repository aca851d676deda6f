"""The compositing backend, a per-user setting (QSettings "render/backend"): chosen in Settings ▸
Preview & render, used by the viewer (at once, without a restart) and by renders started from
the GUI. Whether a GPU is there is found out once, off the GUI thread (importing torch is slow).

The render cluster, chosen on the same page ("render/cluster_use", "render/cluster_address"):
renditions and Kata batches run on this computer's worker processes, or on a Dask scheduler
("local" for a LocalCluster here). `render_pool(ctx)` gives a job the pool to use."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QSettings, Signal

from studio.core.render.backends import gpu_status

KEY = "render/backend"
CHOICES = {"auto": "Auto (the GPU when there is one)", "cpu": "CPU", "gpu": "GPU (CUDA)"}
CLUSTER_USE_KEY = "render/cluster_use"  # "here" (this computer's worker processes) | "scheduler"
CLUSTER_ADDRESS_KEY = "render/cluster_address"  # kept while "here" is chosen, for switching back


class RenderSettings(QObject):
    backend_changed = Signal(str)
    gpu_checked = Signal(bool, str)  # available, what to tell the user

    def __init__(self):
        super().__init__()
        self.gpu: tuple[bool, str] | None = None  # gpu_status(), once known
        self._checking = False

    def backend(self) -> str:
        value = QSettings().value(KEY, "auto")
        return value if value in CHOICES else "auto"

    def set_backend(self, name: str) -> None:
        if name not in CHOICES:
            raise ValueError(f"unknown compositing backend {name!r}")
        if name != self.backend():
            QSettings().setValue(KEY, name)
            self.backend_changed.emit(name)

    def uses_scheduler(self) -> bool:
        return QSettings().value(CLUSTER_USE_KEY, "here") == "scheduler"

    def scheduler_address(self) -> str:
        return str(QSettings().value(CLUSTER_ADDRESS_KEY, "") or "").strip()

    def set_cluster(self, use_scheduler: bool, address: str) -> None:
        QSettings().setValue(CLUSTER_USE_KEY, "scheduler" if use_scheduler else "here")
        QSettings().setValue(CLUSTER_ADDRESS_KEY, address.strip())

    def cluster_address(self) -> str | None:
        """The scheduler renders go to; None: this computer's worker processes."""
        return (self.scheduler_address() or None) if self.uses_scheduler() else None

    def check_gpu(self) -> None:
        """Emit gpu_checked: at once when known, else when a helper thread has looked."""
        if self.gpu is not None:
            self.gpu_checked.emit(*self.gpu)
        elif not self._checking:
            self._checking = True
            threading.Thread(target=self._check, name="gpu-check", daemon=True).start()

    def _check(self) -> None:
        self.gpu = gpu_status()
        self.gpu_checked.emit(*self.gpu)  # queued to the GUI thread's receivers


_instance: RenderSettings | None = None


def render_settings() -> RenderSettings:
    global _instance
    if _instance is None:
        _instance = RenderSettings()
    return _instance


def render_pool(ctx):
    """The pool a render, export or Kata batch job hands to run_each (connected in the job, not here)."""
    return ctx.runner.render_pool(render_settings().cluster_address())
