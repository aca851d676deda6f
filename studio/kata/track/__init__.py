"""Kata in video: track a placement through a clip, hide it behind what passes in front, follow the light."""
