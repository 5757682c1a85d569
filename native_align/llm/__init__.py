"""Clients for OpenAI-compatible chat endpoints (expert, judge, HTTP rewrite engine)."""
