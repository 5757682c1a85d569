"""Seed test fixtures."""

from __future__ import annotations

import pytest

from tests.support.corpus import make_docs


@pytest.fixture
def corpus():
    return make_docs(30)
