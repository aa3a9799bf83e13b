"""Shared fixtures: the default database and the whole family, the repository's paths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import casme3_compliance as c3
from casme3_compliance.knowledge.model import Database, Family

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FAMILY = c3.load_family(DATA, cache=False)
DB = DATA / FAMILY.default
"""The default database's folder (its agreement, subjects, citation, checklists, source/)."""
VECTORS = json.loads((ROOT / "tests" / "vectors" / "subject_refs.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def kb() -> Database:
    """The default database: what every command answers for when no database is named."""
    return FAMILY.db()


@pytest.fixture(scope="session")
def family() -> Family:
    return FAMILY


def missing(message: str) -> None:
    """Skip locally, fail in CI (where .ci/run and `make test` install everything)."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI installs it: .ci/run)")
    pytest.skip(message)


def require_program(name: str, debian_packages: str) -> str:
    """The program's path, or a skip (locally) or failure (CI) naming what to install."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} not found: apt-get install {debian_packages}")
    return path


def mkdocs_build(site: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=300,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The project's site, built once a session."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = mkdocs_build(out, {"CASME3_SOURCE_URL": ""})
    assert result.returncode == 0, result.stderr
    return out
