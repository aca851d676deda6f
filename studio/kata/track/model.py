"""A tracked placement: where the product's support plane is in every frame of a clip.

The placement is made once, on the anchor frame. For every other frame the track holds the
homography that carries anchor-frame pixels onto that frame's pixels, or none where the
product must not show (tracking was lost, or the frame is in a shot without the surface).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.core.errors import BadInput

TRACKED, LOST, OTHER_SHOT = 0, 1, 2  # per-frame state
STATE_NAMES = {TRACKED: "tracked", LOST: "lost", OTHER_SHOT: "other_shot"}


@dataclass
class Track:
    anchor: int  # the frame the placement was made on
    size: tuple[int, int]  # (w, h) of the frames, as displayed (rotation applied)
    quad: np.ndarray  # (4, 2) float64: the support plane's corners on the anchor frame
    homographies: np.ndarray  # (n, 3, 3) float64: anchor pixels -> frame i pixels; NaN where state != TRACKED
    state: np.ndarray  # (n,) uint8: TRACKED, LOST or OTHER_SHOT
    cuts: list[int] = field(default_factory=list)  # the first frame of every shot after the first

    def __len__(self) -> int:
        return len(self.state)

    def visible(self, i: int) -> bool:
        return bool(self.state[i] == TRACKED)

    def homography(self, i: int) -> np.ndarray | None:
        return self.homographies[i] if self.visible(i) else None

    def map_points(self, i: int, points: np.ndarray) -> np.ndarray | None:
        """points (k, 2) on the anchor frame, where they are in frame i (None where the placement is hidden)."""
        h = self.homography(i)
        if h is None:
            return None
        p = np.c_[np.asarray(points, np.float64), np.ones(len(points))] @ h.T
        return p[:, :2] / p[:, 2:]

    def corners(self) -> np.ndarray:
        """(n, 4, 2): the quad in every frame, NaN where the placement is hidden."""
        p = np.c_[self.quad, np.ones(4)] @ np.transpose(self.homographies, (0, 2, 1))  # (n, 4, 3)
        return p[..., :2] / p[..., 2:]

    def to_document(self) -> dict:
        return {"anchor": self.anchor, "size": list(self.size), "quad": np.round(self.quad, 3).tolist(),
                "homographies": [None if s != TRACKED else np.round(h.ravel(), 9).tolist()
                                 for h, s in zip(self.homographies, self.state, strict=True)],
                "state": [STATE_NAMES[int(s)] for s in self.state], "cuts": list(self.cuts)}

    @classmethod
    def from_document(cls, doc: dict) -> Track:
        try:
            states = {name: code for code, name in STATE_NAMES.items()}
            state = np.array([states[s] for s in doc["state"]], np.uint8)
            homographies = np.full((len(state), 3, 3), np.nan)
            for i, h in enumerate(doc["homographies"]):
                if h is not None:
                    homographies[i] = np.asarray(h, np.float64).reshape(3, 3)
            track = cls(anchor=int(doc["anchor"]), size=(int(doc["size"][0]), int(doc["size"][1])),
                        quad=np.asarray(doc["quad"], np.float64).reshape(4, 2), homographies=homographies,
                        state=state, cuts=[int(c) for c in doc.get("cuts", [])])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise BadInput(f"The stored track cannot be read ({exc}); track the clip again.") from None
        if len(doc["homographies"]) != len(state) or not 0 <= track.anchor < len(state):
            raise BadInput("The stored track is inconsistent (frame counts differ); track the clip again.")
        if np.isnan(homographies[state == TRACKED]).any():
            raise BadInput("The stored track has a tracked frame without its homography; track the clip again.")
        return track
