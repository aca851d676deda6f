"""The parts a brief's comment threads are shown with, in the Briefs workspace and in the review
window: the threads tree (the comment, and the section it is on) and the picker of the section a
new comment goes on."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHeaderView, QTreeWidget

from studio.core.briefs.sections import SECTIONS

WHOLE_BRIEF = "Whole brief"


def section_title(section: str | None) -> str:
    """What the "On" column says for a comment on this section (None: the whole brief)."""
    return SECTIONS.get(section, WHOLE_BRIEF) if section else WHOLE_BRIEF


def comment_tree() -> QTreeWidget:
    tree = QTreeWidget(accessibleName="Comments")
    tree.setHeaderLabels(["Comment", "On"])
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
    tree.setWordWrap(True)
    return tree


def section_picker() -> QComboBox:
    """The brief's sections, the whole brief first (its data None)."""
    combo = QComboBox(accessibleName="Comment on")
    combo.addItem(WHOLE_BRIEF, None)
    for key, title in SECTIONS.items():
        combo.addItem(title, key)
    return combo
