"""Track a placement's support plane through a clip.

The clip is read once, in order: each frame becomes a small grayscale copy (at most
WORK_WIDTH wide, about 0.2 MB) and goes through the cut detector. Then every shot is tracked
on the small copies, outward from a frame where the surface is known (the anchor; in another
shot, a frame where ORB matching against the anchor re-finds it):

- the surface is predicted where the camera's last motion takes it, and re-measured against
  the anchor itself: this frame is warped back onto the anchor by the prediction and the
  anchor's features are found again in the warped image by KLT optical flow (a residual of a
  pixel or two), then a RANSAC homography of them; measured against the anchor on every
  frame, the track does not drift;
- when that fails (a jerk of the camera), KLT flow of the features from the previous frame
  and its RANSAC homography give a better prediction to measure from, or carry the track
  alone for a few frames;
- too few agreeing features, features bunched in a sliver of the surface (the rest covered)
  or an implausible homography (flipped, shrunk or grown many times, corners far off) mark
  the frame LOST; later frames try to re-acquire the surface where it was last seen, then by
  ORB matching against the anchor;
- the corner paths are smoothed per stretch (smooth.py) and the returned homographies are
  those of the smoothed corners, scaled back to the full frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import cv2
import numpy as np

from studio.core.errors import BadInput
from studio.kata.track.cuts import CutDetector
from studio.kata.track.model import LOST, OTHER_SHOT, TRACKED, Track
from studio.kata.track.smooth import smooth_corners

WORK_WIDTH = 640  # tracking runs on frames at most this wide
MIN_FEATURES = 12  # fewer trackable corners in the placement's quad: the scene is featureless
MAX_FEATURES = 150  # the strongest corners tracked; more cost time and add little
MIN_CORNER = 2e-5  # a corner's smaller structure-tensor eigenvalue (cv2 units, after a blur) above sensor noise
REGION = 1.6  # features come from the quad grown this much about its centre: more of the same surface
MAX_BLIND = 4  # frames tracked by optical flow alone (the anchor not re-found) before LOST
SEARCH_STRIDE = 4  # in a shot without the anchor, look for the surface every this many frames
ALIGN_TOLERANCE = 0.75  # pixels (working scale) a re-measured feature may miss the homography by
ROUND_TRIP = 1.0  # pixels a feature found again may land from where it started when tracked back
SPREAD = 0.4  # the agreeing features must span this share of the area the anchor's features span
MIN_SIMILARITY = 0.6  # correlation with the anchor's region that a re-acquired surface must show
TRACKER_NOISE = 0.2  # per-frame corner noise at the working scale (pixels), for the smoother
_KLT = {"winSize": (15, 15), "maxLevel": 3, "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.01)}
# Refining starts a pixel or two from the answer: a small window and one pyramid level keep an
# occluder's edge nearby from pulling the features.
_REFINE_KLT = {"winSize": (13, 13), "maxLevel": 1,
               "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.005)}


class Featureless(BadInput):
    """The placement's quad has too little texture to track. Carries what a fixed placement
    needs: the clip's frame count and its cuts (see fixed_track)."""

    def __init__(self, frame_count: int = 0, cuts: list[int] | None = None):
        super().__init__("There is too little texture around the placement to track it; use a fixed placement "
                         "(it stays where you put it) or pick a more textured spot.")
        self.frame_count = frame_count
        self.cuts = list(cuts or [])


def quad_around(contact: tuple[float, float], height_px: float, size: tuple[int, int]) -> np.ndarray:
    """The support-plane region around the base of a product standing at contact (x, y) that
    is height_px tall: wider than deep (a surface seen at an angle), reaching further behind
    the product than in front of it, never smaller than a tenth of the frame, clipped to it."""
    w, h = size
    x, y = contact
    if not (0 <= x <= w - 1 and 0 <= y <= h - 1):
        raise BadInput(f"The placement's contact point ({x:.0f}, {y:.0f}) is outside the {w}x{h} frame; "
                       "put the product inside the picture.")
    half_w = max(0.8 * height_px, 0.1 * w)
    behind, front = max(0.45 * height_px, 0.07 * h), max(0.3 * height_px, 0.05 * h)
    x0, x1 = max(0.0, x - half_w), min(w - 1.0, x + half_w)
    y0, y1 = max(0.0, y - behind), min(h - 1.0, y + front)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


def fixed_track(frame_count: int, anchor: int, quad, size, cuts: list[int]) -> Track:
    """The placement held still where it was put, through the anchor's shot; hidden in the others."""
    if not 0 <= anchor < frame_count:
        raise BadInput(f"Frame {anchor} is not in the clip (frames 0 to {frame_count - 1}); pick a frame inside it.")
    start, stop = _shot_of(anchor, cuts, frame_count)
    homographies = np.full((frame_count, 3, 3), np.nan)
    homographies[start:stop] = np.eye(3)
    state = np.full(frame_count, OTHER_SHOT, np.uint8)
    state[start:stop] = TRACKED
    return Track(anchor, (int(size[0]), int(size[1])), _checked_quad(quad, size), homographies, state, sorted(cuts))


def track_clip(frames: Iterable[np.ndarray], anchor: int, quad: np.ndarray, *, frame_count: int | None = None,
               state=None) -> Track:
    """Track the support plane `quad` (its corners on frame `anchor`) through the clip.
    frames: RGB uint8 (h, w, 3), read once in order. state: a job state (set_progress, check)
    or None. Raises Featureless when the quad has too little texture to track."""
    if frame_count is not None and not 0 <= anchor < frame_count:
        raise BadInput(f"Frame {anchor} is not in the clip (frames 0 to {frame_count - 1}); pick a frame inside it.")
    progress = _Progress(state)
    clip = _read(frames, quad, progress, frame_count)
    n = len(clip.smalls)
    if not 0 <= anchor < n:
        raise BadInput(f"Frame {anchor} is not in the clip (frames 0 to {n - 1}); pick a frame inside it.")
    template = _Template.build(clip.smalls[anchor], _apply(clip.to_small, clip.quad))
    if template is None:
        raise Featureless(n, clip.cuts)
    homographies = np.full((n, 3, 3), np.nan)
    states = np.full(n, OTHER_SHOT, np.uint8)
    progress.total = 2 * n
    for start, stop in _shots(clip.cuts, n):
        seed = (anchor, np.eye(3)) if start <= anchor < stop else _search(clip.smalls, template, start, stop, progress)
        if seed is None:
            progress.advance(stop - start)
            continue
        i, h = seed
        homographies[i], states[i] = h, TRACKED
        progress.advance(1)
        for step, end in ((1, stop), (-1, start - 1)):
            _follow(clip.smalls, template, i, h, end, step, homographies, states, progress)
    corners = _apply_all(clip.to_full @ homographies @ clip.to_small, clip.quad)
    noise = np.full(n, TRACKER_NOISE / clip.to_small[0, 0])
    noise[anchor] = 0.0  # the placement stays exactly where it was put
    smooth = smooth_corners(corners, clip.cuts, noise_px=noise)
    for i in np.flatnonzero(states == TRACKED):
        homographies[i] = cv2.getPerspectiveTransform(clip.quad.astype(np.float32), smooth[i].astype(np.float32))
    homographies[states != TRACKED] = np.nan
    progress.done()
    return Track(anchor, clip.size, clip.quad, homographies, states, clip.cuts)


class _Progress:
    """Progress and cancel through a duck-typed job state (or none)."""

    def __init__(self, state):
        self.state, self.count, self.total = state, 0, None

    def advance(self, frames: int = 1) -> None:
        self.count += frames
        if self.state is not None:
            self.state.check()
            if self.total:
                self.state.set_progress(min(self.count, self.total), self.total)

    def done(self) -> None:
        if self.state is not None:
            self.state.set_progress(1, 1)


class _Read:
    def __init__(self):
        self.smalls: list[np.ndarray] = []
        self.cuts: list[int] = []
        self.size = self.small_size = (0, 0)
        self.quad = np.zeros((4, 2))
        self.to_small = np.eye(3)  # full-frame pixels -> small-copy pixels
        self.to_full = np.eye(3)


def _read(frames: Iterable[np.ndarray], quad, progress: _Progress, frame_count: int | None) -> _Read:
    clip = _Read()
    detector = CutDetector()
    progress.total = 2 * frame_count if frame_count else None
    for i, frame in enumerate(frames):
        if not (isinstance(frame, np.ndarray) and frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8):
            raise BadInput(f"Frame {i} is not an RGB image of bytes (h, w, 3); decode the video to RGB frames.")
        if i == 0:
            _first_frame(clip, frame, quad)
        elif frame.shape[:2] != (clip.size[1], clip.size[0]):
            raise BadInput(f"Frame {i} is {frame.shape[1]}x{frame.shape[0]}, not {clip.size[0]}x{clip.size[1]} "
                           "like the first; a clip's frames must all have one size.")
        small = _small(frame, clip.small_size)
        if detector.feed(small):
            clip.cuts.append(i)
        clip.smalls.append(small)
        progress.advance()
    if not clip.smalls:
        raise BadInput("The clip has no frames; pick a video with at least one frame.")
    return clip


def _first_frame(clip: _Read, frame: np.ndarray, quad) -> None:
    clip.size = (frame.shape[1], frame.shape[0])
    clip.quad = _checked_quad(quad, clip.size)
    ws, hs = clip.small_size = _small_size(clip.size)
    sx, sy = ws / clip.size[0], hs / clip.size[1]
    # Pixel centres sit at integer coordinates in both images.
    clip.to_small = np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1.0]])
    clip.to_full = np.linalg.inv(clip.to_small)


def _small_size(size: tuple[int, int]) -> tuple[int, int]:
    w, h = size
    if w <= WORK_WIDTH:
        return w, h
    return WORK_WIDTH, max(1, round(h * WORK_WIDTH / w))


def _small(frame: np.ndarray, small_size) -> np.ndarray:
    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    if gray.shape[::-1] == small_size:
        return gray
    return cv2.resize(gray, small_size, interpolation=cv2.INTER_AREA)


def _checked_quad(quad, size) -> np.ndarray:
    w, h = size
    try:
        q = np.asarray(quad, np.float64).reshape(4, 2)
    except (TypeError, ValueError):
        raise BadInput("The placement's quad must be four (x, y) corners.") from None
    if not np.isfinite(q).all():
        raise BadInput("The placement's quad has a corner that is not a number; place the product again.")
    if (q < -0.5).any() or (q[:, 0] > w - 0.5).any() or (q[:, 1] > h - 0.5).any():
        raise BadInput(f"The placement's quad reaches outside the {w}x{h} frame; place the product so its surface "
                       "is inside the picture (quad_around clips it for you).")
    if abs(cv2.contourArea(q.astype(np.float32))) < 16:
        raise BadInput("The placement's quad has no area; place the product again.")
    return q


def _shots(cuts: list[int], n: int) -> list[tuple[int, int]]:
    return list(itertools.pairwise([0, *cuts, n]))


def _shot_of(i: int, cuts: list[int], n: int) -> tuple[int, int]:
    return next(s for s in _shots(sorted(cuts), n) if s[0] <= i < s[1])


def _apply(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    p = np.c_[points, np.ones(len(points))] @ h.T
    return p[:, :2] / p[:, 2:]


def _apply_all(hs: np.ndarray, points: np.ndarray) -> np.ndarray:
    p = np.c_[points, np.ones(len(points))] @ np.transpose(hs, (0, 2, 1))
    return p[..., :2] / p[..., 2:]


class _Template:
    """The anchor's view of the surface: its features and the image patch around them."""

    def __init__(self, image, quad, box, points, mask):
        self.image, self.quad, self.box, self.points, self.mask = image, quad, box, points, mask
        x0, y0, x1, y1 = box
        self.patch = image[y0:y1, x0:x1]
        self.patch_points = (points - (x0, y0)).astype(np.float32)
        self.detail = _detail(self.patch)
        self.spread = cv2.contourArea(cv2.convexHull(self.points))
        self._orb = None

    @classmethod
    def build(cls, image: np.ndarray, quad: np.ndarray) -> _Template | None:
        h, w = image.shape
        centre = quad.mean(axis=0)
        region = centre + REGION * (quad - centre)
        mask = np.zeros_like(image)
        cv2.fillConvexPoly(mask, np.round(region).astype(np.int32), 255)
        found = cv2.goodFeaturesToTrack(image, MAX_FEATURES, 0.005, 5, mask=mask, blockSize=5)
        if found is None:
            return None
        points = found.reshape(-1, 2)
        # Blurred first: sensor noise makes many weak corners, real texture survives the blur.
        strength = cv2.cornerMinEigenVal(cv2.GaussianBlur(image, (0, 0), 1.5), 5, 3)
        points = points[strength[points[:, 1].astype(int), points[:, 0].astype(int)] >= MIN_CORNER]
        if len(points) < MIN_FEATURES:
            return None
        margin = 12
        x0, y0 = np.maximum(np.floor(region.min(axis=0)).astype(int) - margin, 0)
        x1, y1 = np.minimum(np.ceil(region.max(axis=0)).astype(int) + margin + 1, (w, h))
        return cls(image, quad, (int(x0), int(y0), int(x1), int(y1)), points.astype(np.float32), mask[y0:y1, x0:x1])

    def _warped_back(self, image: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The image warped onto the anchor's patch by h (anchor -> image), and patch -> image."""
        x0, y0, x1, y1 = self.box
        patch_to_image = h @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]])
        warped = cv2.warpPerspective(image, patch_to_image, (x1 - x0, y1 - y0),
                                     flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
        return warped, patch_to_image

    def align(self, image: np.ndarray, predicted: np.ndarray) -> np.ndarray | None:
        """Re-measure anchor -> image near `predicted`: warp the image back onto the anchor's
        patch and find the anchor's features in it again."""
        warped, patch_to_image = self._warped_back(image, predicted)
        warped = _detail(warped)
        found, ok, _ = cv2.calcOpticalFlowPyrLK(self.detail, warped, self.patch_points, None, **_REFINE_KLT)
        back, ok_back, _ = cv2.calcOpticalFlowPyrLK(warped, self.detail, found, None, **_REFINE_KLT)
        back_error = np.linalg.norm(back - self.patch_points, axis=1)
        good = (ok.ravel() == 1) & (ok_back.ravel() == 1) & (back_error < ROUND_TRIP)
        if good.sum() < MIN_FEATURES:
            return None
        src = self.points[good]
        dst = _apply(patch_to_image, found[good].astype(np.float64)).astype(np.float32)
        h, inliers = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, ALIGN_TOLERANCE, confidence=0.999, maxIters=200)
        if h is None:
            return None
        inlying = src[inliers.ravel() == 1]
        if len(inlying) < max(MIN_FEATURES, 0.2 * len(self.points)) or not _plausible(h, self.quad, image.shape):
            return None
        # Features bunched in a sliver of the surface (the rest covered) cannot hold its corners.
        if cv2.contourArea(cv2.convexHull(inlying)) < SPREAD * self.spread:
            return None
        return h

    def reacquire(self, image: np.ndarray) -> np.ndarray | None:
        """Find the surface anywhere in the image by ORB matching against the anchor, then align."""
        if self._orb is None:
            self._orb = _OrbAnchor(self.image, self.quad)
        guess = self._orb.match(image)
        if guess is None:
            return None
        aligned = self.align(image, guess)
        if aligned is not None:  # a second pass from the closer start
            aligned = self.align(image, aligned)
        if aligned is None or self.similarity(image, aligned) < MIN_SIMILARITY:
            return None
        return aligned

    def similarity(self, image: np.ndarray, h: np.ndarray) -> float:
        """Normalised cross-correlation of the anchor's region with the image warped back by h."""
        warped, _ = self._warped_back(image, h)
        inside = self.mask > 0
        a = self.patch[inside].astype(np.float64)
        b = warped[inside].astype(np.float64)
        a, b = a - a.mean(), b - b.mean()
        return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-9))


class _OrbAnchor:
    """ORB features of the anchor around the quad (twice its size, for enough of them)."""

    def __init__(self, image: np.ndarray, quad: np.ndarray):
        self.orb = cv2.ORB_create(500, scaleFactor=1.2, nlevels=6, edgeThreshold=15, patchSize=15, fastThreshold=8)
        centre = quad.mean(axis=0)
        mask = np.zeros_like(image)
        cv2.fillConvexPoly(mask, np.round(centre + 2 * (quad - centre)).astype(np.int32), 255)
        self.keypoints, self.descriptors = self.orb.detectAndCompute(image, mask)
        self.matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
        self.quad = quad

    def match(self, image: np.ndarray) -> np.ndarray | None:
        if self.descriptors is None or len(self.keypoints) < MIN_FEATURES:
            return None
        self.orb.setMaxFeatures(1000)  # the whole frame, against the anchor's 500
        keypoints, descriptors = self.orb.detectAndCompute(image, None)
        if descriptors is None or len(keypoints) < MIN_FEATURES:
            return None
        pairs = [p for p in self.matcher.knnMatch(self.descriptors, descriptors, k=2)
                 if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
        if len(pairs) < MIN_FEATURES:
            return None
        src = np.float32([self.keypoints[m.queryIdx].pt for m, _ in pairs])
        dst = np.float32([keypoints[m.trainIdx].pt for m, _ in pairs])
        h, inliers = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 3.0, confidence=0.999, maxIters=1000)
        if h is None or inliers.sum() < MIN_FEATURES or not _plausible(h, self.quad, image.shape):
            return None
        return h


def _detail(image: np.ndarray) -> np.ndarray:
    """The image's detail (band-pass): local brightness removed, so exposure changes and a
    dark occluder nearby do not pull the features; the finest noise softened."""
    fine = cv2.GaussianBlur(image, (0, 0), 0.5).astype(np.int16)
    coarse = cv2.stackBlur(image, (31, 31)).astype(np.int16)
    return np.clip(2 * (fine - coarse) + 128, 0, 255).astype(np.uint8)


def _plausible(h: np.ndarray, quad: np.ndarray, shape) -> bool:
    """Not flipped, not folded, not shrunk or grown more than 4 times, corners not far off the frame."""
    p = np.c_[quad, np.ones(4)] @ h.T
    if (p[:, 2] <= 1e-3 * np.abs(p[:, 2]).max()).any():
        return False
    corners = (p[:, :2] / p[:, 2:]).astype(np.float32)
    area0 = cv2.contourArea(quad.astype(np.float32), oriented=True)
    area = cv2.contourArea(corners, oriented=True)
    if area * area0 <= 0 or not 1 / 16 < area / area0 < 16 or not cv2.isContourConvex(corners):
        return False
    rows, cols = shape
    return bool((corners[:, 0] > -cols).all() and (corners[:, 0] < 2 * cols).all()
                and (corners[:, 1] > -rows).all() and (corners[:, 1] < 2 * rows).all())


def _flow(prev: np.ndarray, image: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """prev -> image homography from KLT of `points` (prev pixels), or None when too few agree
    or those that agree are bunched in a sliver of the surface."""
    found, ok, _ = cv2.calcOpticalFlowPyrLK(prev, image, points, None, **_KLT)
    back, ok_back, _ = cv2.calcOpticalFlowPyrLK(image, prev, found, None, **_KLT)
    good = (ok.ravel() == 1) & (ok_back.ravel() == 1) & (np.linalg.norm(back - points, axis=1) < 1.0)
    if good.sum() < MIN_FEATURES:
        return None
    h, inliers = cv2.findHomography(points[good], found[good], cv2.USAC_MAGSAC, 1.5, confidence=0.995, maxIters=200)
    if h is None or inliers.sum() < max(MIN_FEATURES, 0.3 * len(points)):
        return None
    inlying = points[good][inliers.ravel() == 1]
    if cv2.contourArea(cv2.convexHull(inlying)) < SPREAD * cv2.contourArea(cv2.convexHull(points)):
        return None
    return h


def _follow(smalls, template: _Template, start: int, h_start: np.ndarray, end: int, step: int,
            homographies: np.ndarray, states: np.ndarray, progress: _Progress) -> None:
    """Track from frame `start` (anchor -> start is h_start) one frame at a time to `end` (excluded)."""
    h_prev, motion, blind, lost = h_start, np.eye(3), 0, False
    for i in range(start + step, end, step):
        image = smalls[i]
        found = None
        if not lost:
            # The camera keeps its motion: predict, then measure against the anchor. Only when that
            # fails does optical flow from the previous frame find the surface again.
            aligned = template.align(image, motion @ h_prev)
            if aligned is None:
                points = _apply(h_prev, template.points).astype(np.float32)
                flow = _flow(smalls[i - step], image, points)
                predicted = flow @ h_prev if flow is not None else h_prev
                aligned = template.align(image, predicted)
                if aligned is None and flow is not None and blind < MAX_BLIND and \
                        _plausible(predicted, template.quad, image.shape):
                    found, blind = predicted, blind + 1
            if aligned is not None:
                found, blind = aligned, 0
        else:
            found = template.align(image, h_prev)  # where it was last seen
            if found is None:
                found = template.reacquire(image)
        if found is None:
            states[i], lost, motion = LOST, True, np.eye(3)
        else:
            homographies[i], states[i] = found, TRACKED
            motion = found @ np.linalg.inv(h_prev) if not lost else np.eye(3)
            h_prev, lost = found, False
        progress.advance()


def _search(smalls, template: _Template, start: int, stop: int, progress: _Progress):
    """A frame of the shot start..stop-1 where matching against the anchor re-finds the surface."""
    for i in range(start, stop, SEARCH_STRIDE):
        progress.advance(0)
        h = template.reacquire(smalls[i])
        if h is not None:
            return i, h
    return None
