"""Kata in video, around the tracker and the tracked compositor: a clip's frames (upright, by
presentation time), the tracking job that stores a track in its recipe, a tracked recipe played
on the timeline, and `studio kata track`'s pipeline."""
