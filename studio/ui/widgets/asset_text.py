"""How assets read in the UI: sizes, durations, dimensions, kind icons."""

from __future__ import annotations

from studio.core.queries import AssetInfo

KIND_ICONS = {"image": "mdi6.image-outline", "video": "mdi6.filmstrip", "audio": "mdi6.waveform"}


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = round(seconds)
    h, rest = divmod(total, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def dimensions(info: AssetInfo) -> str:
    return f"{info.width}×{info.height}" if info.width and info.height else ""
