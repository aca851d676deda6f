"""Every write to the library is an op here: one transaction, one undo entry, an OpResult."""

from studio.core.ops.tx import OpResult

__all__ = ["OpResult"]
