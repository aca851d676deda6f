"""Everything the studio does without a window: no Qt is imported below this package."""
