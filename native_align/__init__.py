"""native-align: natively aligned Arabic pre-training corpora (AceGPT-v2, arXiv 2412.03253).

Spark curates and deduplicates, Ray actors rewrite, every stage writes a Delta table.
"""

__version__ = "0.1.0"
