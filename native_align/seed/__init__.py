"""Seed sampling, expert annotation and alignment-worker training."""
