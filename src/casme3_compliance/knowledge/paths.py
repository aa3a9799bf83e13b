"""Where the data lives, what files it is made of, and how a path is shown to a person."""

from __future__ import annotations

import os
from pathlib import Path

FAMILY_FILES = ("databases", "rules", "profile")
"""The family's own files, beside the databases' folders and i18n/ (our texts in each
language: see knowledge/i18n.py)."""
DATABASE_FILES = (
    "database",
    "agreement",
    "subjects",
    "citation",
    "checklists",
    "scan",
    "policy",
)
"""The file kinds of one database's folder (each `<kind>.yaml`), one schema per kind. `scan` is
what the scanner needs to recognise the database that its agreement does not say; `policy`
states its agreement as ODRL rules (the family's `profile` holds the terms)."""


def data_dir() -> Path:
    """The data/ folder: $CASME3_DATA_DIR, else the project's own (see project_data_dir)."""
    env = os.environ.get("CASME3_DATA_DIR")
    return Path(env) if env else project_data_dir()


def project_data_dir() -> Path:
    """The copy inside an installed wheel, or the repository's data/ in a source checkout."""
    packaged = Path(__file__).parents[1] / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "data"


def i18n_files(directory: Path) -> list[Path]:
    """Every file of i18n/, in a stable order: languages.yaml, fields.yaml, and each language's
    folder (messages/*.yaml, data/*.yaml, glossary.yaml)."""
    root = directory / "i18n"
    out: list[Path] = []
    stack = [root]
    while stack:  # os.walk and rglob cost the CLI's start more than this
        folder = stack.pop()
        for entry in os.scandir(folder):
            if entry.is_dir():
                stack.append(Path(entry.path))
            elif entry.name.endswith(".yaml"):
                out.append(Path(entry.path))
    return sorted(out)


def display(path: Path) -> str:
    """Relative to the working directory when inside it, else absolute: short and unambiguous."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def database_ids(directory: Path) -> list[str]:
    """The ids databases.yaml lists, read without a YAML parser (the CLI's fast path): a flow
    list `databases: [a, b]` or a block list of `- a` lines. Validation holds the YAML's own
    reading to this one, so the cache's key never misses a database's files."""
    ids: list[str] = []
    block = False
    for line in (directory / "databases.yaml").read_text("utf-8").splitlines():
        text = line.split("#", 1)[0].rstrip()
        if text.startswith("databases:"):
            rest = text.split(":", 1)[1].strip()
            if rest:
                return [i.strip().strip("'\"") for i in rest.strip("[]").split(",") if i.strip()]
            block = True
        elif block and text.lstrip().startswith("- "):
            ids.append(text.lstrip()[2:].strip().strip("'\""))
        elif block and text and not text.startswith(" "):
            break
    return ids
