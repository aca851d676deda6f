"""Briefs: the structured brief, its versions, comments and approvals, and its exports."""
