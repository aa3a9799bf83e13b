"""Where the data lives, what files it is made of, and how a path is shown to a person."""

from __future__ import annotations

import os
from pathlib import Path

from casme3_compliance.knowledge import answers

FAMILY_FILES = answers.FAMILY_FILES
"""The family's own files, beside the databases' folders and i18n/ (our texts in each
language: see knowledge/i18n.py)."""
DATABASE_FILES = answers.DATABASE_FILES
"""The file kinds of one database's folder (each `<kind>.yaml`), one schema per kind. `scan` is
what the scanner needs to recognise the database that its agreement does not say; `policy`
states its agreement as ODRL rules (the family's `profile` holds the terms)."""


def data_dir() -> Path:
    """The data/ folder: $CASME3_DATA_DIR, else the project's own (see project_data_dir)."""
    return Path(answers.data_dir())


def project_data_dir() -> Path:
    """The copy inside an installed wheel, or the repository's data/ in a source checkout."""
    packaged = Path(__file__).parents[1] / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "data"


def i18n_files(directory: Path) -> list[Path]:
    """Every file of i18n/, in a stable order: languages.yaml, fields.yaml, and each language's
    folder (messages/*.yaml, data/*.yaml, glossary.yaml). Listed by answers.py, whose key of a
    stored answer holds the same files."""
    return [Path(p) for p in answers.i18n_files(str(directory))]


def display(path: Path) -> str:
    """Relative to the working directory when inside it, else absolute: short and unambiguous."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def database_ids(directory: Path) -> list[str]:
    """The ids databases.yaml lists, read without a YAML parser (the CLI's fast path): see
    answers.database_ids."""
    return answers.database_ids(str(directory))
