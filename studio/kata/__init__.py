"""Kata, the compositing engine (no Qt). Filled in by the Kata issues."""
