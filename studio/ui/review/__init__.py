"""Review bundles in the studio: the sender's export dialog and reply import, and the reviewer's
window (read-only, except for comments and approve/reject). The work itself is studio.core.review."""
