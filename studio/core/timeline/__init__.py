"""Compositions: the timeline model (no Qt), its JSON document, storage and OTIO exchange."""
