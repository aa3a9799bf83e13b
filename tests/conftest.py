"""Shared fixtures: the knowledge base, the repository's paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import casme3_compliance as c3
from casme3_compliance.model import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
VECTORS = json.loads((ROOT / "tests" / "vectors" / "subject_refs.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return c3.load(DATA, cache=False)
