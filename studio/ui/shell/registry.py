"""The workspace registry: each workspace registers itself here; the main window builds
its sidebar from it. Later issues add workspaces by registering them, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class WorkspaceSpec:
    key: str  # stable id, used by --workspace and remembered settings ("media", "research", ...)
    title: str  # shown in the sidebar
    icon: str  # a qtawesome icon name, e.g. "mdi6.image-multiple"
    factory: Callable[["StudioContext"], QWidget]  # noqa: F821 - builds the view for a context
    order: int = 100
    shortcut: str = ""  # e.g. "Ctrl+1"


_REGISTRY: dict[str, WorkspaceSpec] = {}


def register(spec: WorkspaceSpec) -> None:
    _REGISTRY[spec.key] = spec


def workspaces() -> list[WorkspaceSpec]:
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.title))
