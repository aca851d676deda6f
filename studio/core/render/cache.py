"""A byte-bounded LRU cache for decoded source frames and rendered static layers.

Values are arrays (numpy, or a backend's tensors) or tuples holding some; their size is
the arrays' nbytes. An entry larger than the whole budget is not kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


def _nbytes(value: Any) -> int:
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    return getattr(value, "nbytes", 0)


class FrameCache:
    def __init__(self, limit_bytes: int):
        self.limit = limit_bytes
        self.bytes = 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable):
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value) -> None:
        size = _nbytes(value)
        if size > self.limit:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= _nbytes(old)
        self._items[key] = value
        self.bytes += size
        while self.bytes > self.limit:
            _, evicted = self._items.popitem(last=False)
            self.bytes -= _nbytes(evicted)

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0
