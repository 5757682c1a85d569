"""Curate: normalized view, fastText language ID and quality signals into the `signals` table."""
