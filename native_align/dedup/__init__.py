"""Deduplication: exact content hashes and MinHash LSH, clusters by connected components in Spark."""
