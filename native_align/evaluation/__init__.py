"""Evaluations behind `native-align eval <name>`: each prints a table and returns its figures."""
