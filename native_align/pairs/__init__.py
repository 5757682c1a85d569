"""Training pairs without an expert: clean curated chunks as targets, a seeded web-noise model makes the sources.

Kept free of imports (import cycles are checked): use ``native_align.pairs.chunks``, ``.config`` and ``.noise.model``.
"""
