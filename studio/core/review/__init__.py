"""Offline review: bundles that carry briefs and asset proxies to a reviewer on another workstation,
the reviewer's reply with comments and decisions, and merging that reply back (see bundle.py)."""

from studio.core.review.bundle import (
    Bundle,
    BundleAsset,
    BundleBrief,
    BundleInfo,
    ExportParams,
    Limits,
    export_bundle,
    export_job,
    open_bundle,
)
from studio.core.review.merge import MergeReport, import_reply, merge_reply
from studio.core.review.reply import NewComment, NewDecision, reply_bundle

__all__ = ["Bundle", "BundleAsset", "BundleBrief", "BundleInfo", "ExportParams", "Limits", "MergeReport", "NewComment",
           "NewDecision", "export_bundle", "export_job", "import_reply", "merge_reply", "open_bundle", "reply_bundle"]
