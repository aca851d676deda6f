"""Renders conext-studio.svg to conext-studio.png (256 px) with Qt's SVG renderer.
Run after changing the SVG: python packaging/icons/render_png.py"""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    app = QGuiApplication([])
    image = QImage(256, 256, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(HERE / "conext-studio.svg")).render(painter)
    painter.end()
    image.save(str(HERE / "conext-studio.png"))
