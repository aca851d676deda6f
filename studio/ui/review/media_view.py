"""An asset's review proxy, shown: the picture of an image, a video's poster frame that Play swaps
for the playing proxy (QMediaPlayer in a QVideoWidget), or Play for a sound."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.assets.thumbnails import poster_frame
from studio.core.review import BundleAsset
from studio.ui.shell.theme import theme

log = logging.getLogger(__name__)


class Picture(QLabel):
    """A picture scaled to fit the label, keeping its aspect, sharp at any window size."""

    def __init__(self, parent=None):
        super().__init__(parent, alignment=Qt.AlignCenter)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.setMinimumSize(QSize(160, 120))
        self._pixmap = QPixmap()
        self._upscale = True

    def set_picture(self, pixmap: QPixmap, upscale: bool = True) -> None:
        self._pixmap, self._upscale = pixmap, upscale
        self._fit()

    def picture(self) -> QPixmap:
        return self._pixmap

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._pixmap.isNull():
            self.setPixmap(QPixmap())
            return
        ratio = self.devicePixelRatioF()
        room = self.size() * ratio
        if not self._upscale:
            room = room.boundedTo(self._pixmap.size())
        scaled = self._pixmap.scaled(room, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        scaled.setDevicePixelRatio(ratio)
        self.setPixmap(scaled)


def poster(path: Path) -> QPixmap:
    """The proxy's first frame (a 640 px proxy decodes in milliseconds)."""
    img = poster_frame(path, None).convert("RGB")
    data = img.tobytes()
    return QPixmap.fromImage(QImage(data, img.width, img.height, 3 * img.width, QImage.Format_RGB888).copy())


class MediaView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.asset: BundleAsset | None = None
        self.player = None  # QMediaPlayer and its QAudioOutput, made on the first Play
        self.audio = None
        self.picture = Picture()
        self.video = None  # QVideoWidget, made with the player
        self.stack = QStackedWidget()
        self.stack.addWidget(self.picture)
        self.message = QLabel(objectName="Muted", alignment=Qt.AlignCenter, wordWrap=True)
        self.play_button = QPushButton(theme().icon("mdi6.play"), "Play")
        self.play_button.clicked.connect(self.toggle_play)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.play_button, 0, Qt.AlignHCenter)

    def show_asset(self, asset: BundleAsset) -> None:
        self.stop()
        self.asset = asset
        self.stack.setCurrentWidget(self.picture)
        self.picture.set_picture(QPixmap())
        self.message.clear()
        playable = asset.kind in ("video", "audio") and asset.proxy is not None
        self.play_button.setVisible(playable)
        if asset.proxy is None:
            self.message.setText("The bundle carries no preview of this asset; ask the sender to include it.")
        elif asset.kind == "image":
            self.picture.set_picture(QPixmap(str(asset.proxy)))
        elif asset.kind == "video":
            try:
                self.picture.set_picture(poster(asset.proxy))
            except (OSError, ValueError) as exc:  # an undecodable proxy: say so, Play may still work
                log.warning("no poster frame for %s: %s", asset.proxy, exc)
                self.message.setText("No preview frame could be read from this video.")
        else:
            self.picture.set_picture(theme().icon("mdi6.music-note").pixmap(96, 96), upscale=False)

    def toggle_play(self) -> None:
        if self.asset is None or self.asset.proxy is None:
            return
        if self.player is None and not self._make_player():
            return
        if self.player.playbackState() == self.player.PlaybackState.PlayingState:
            self.player.pause()
            self.play_button.setText("Play")
            return
        if self.player.source() != QUrl.fromLocalFile(str(self.asset.proxy)):
            self.player.setSource(QUrl.fromLocalFile(str(self.asset.proxy)))
        if self.asset.kind == "video":
            self.stack.setCurrentWidget(self.video)
        self.player.play()
        self.play_button.setText("Pause")

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()
            self.player.setSource(QUrl())
        self.play_button.setText("Play")

    def _make_player(self) -> bool:
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
            from PySide6.QtMultimediaWidgets import QVideoWidget
        except ImportError:  # a Qt without multimedia: the poster frame stays
            self.message.setText("This studio cannot play media (Qt Multimedia is missing); the poster frame shows the video.")
            self.play_button.hide()
            return False
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget()
        self.stack.addWidget(self.video)
        self.player.setVideoOutput(self.video)
        self.player.errorOccurred.connect(lambda _e, text: self.message.setText(f"The preview cannot play: {text}"))
        return True
