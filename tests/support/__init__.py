"""Test support code: tiny local models, local HTTP servers."""
