"""Alignment rewriting: prompts, engines, guardrails, Ray actors, MERGE into `aligned`."""
