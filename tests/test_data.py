"""Bad data fails with one line naming the file and the line or key, and builds no model."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA

import casme3_compliance as c3

# (case, file, text to replace, replacement, where the error must point, words in the message).
# `where` is a line of the changed file: "+N" counts from the replaced text's first line, a
# string is the first line holding it; None where the parser cannot know a line.
BAD = [
    ("unparseable", "subjects.yaml", "  - key: C\n", "  - key: [C\n", None, "invalid YAML"),
    ("tab-indent", "checklists.yaml", "  - id: keep\n", "\t- id: keep\n", "+0", "invalid YAML"),
    ("missing-key", "agreement.yaml", "    title: Warranty\n", "", "+-1", "'title' is missing"),
    ("wrong-type", "citation.yaml", "year: 2023", "year: twenty", "+0", "not of type 'integer'"),
    ("unknown-key", "citation.yaml", "year: 2023", "year: 2023\nyera: 1", "+1", "unknown key"),
    ("duplicate-key", "citation.yaml", "year: 2023", "year: 2023\nyear: 1", "+1", "duplicate key"),
    ("duplicate-subject", "subjects.yaml", "130, 131, 134", "130, 131, 131", "+0", "listed twice"),
    ("out-of-range", "subjects.yaml", "210, 212,", "210, 312,", "+0", "outside the range 1-219"),
    ("missing-clause", "checklists.yaml", 'clauses: ["3.3"]', 'clauses: ["3.33"]', "+0", "'3.33'"),
    ("clause-number", "agreement.yaml", 'id: "6.2"', 'id: "5.9"', "+0", "expected 6.<n>"),
    ("duplicate-clause", "agreement.yaml", 'id: "6.2"', 'id: "6.1"', "+0", "duplicate clause"),
    ("bad-clause-id", "agreement.yaml", 'id: "6.2"', 'id: "7.2"', "+0", "does not match"),
    ("rule-section", "rules.yaml", 'clauses: ["3.6"]', 'clauses: ["4.1"]', "+0", "first digit"),
    (
        "source-changed",
        "source/casme3-license-agreement.txt",
        "Warranty",
        "Guarantee",
        "sha256:",
        "sha256",
    ),
    ("empty", "rules.yaml", None, "", "+0", "empty"),
]


@pytest.mark.parametrize("file,old,new,where,words", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_data_fails_with_file_and_line(tmp_path, file, old, new, where, words):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    target = data / file
    text = target.read_text("utf-8")
    assert old is None or old in text, "the fixture no longer matches the data"
    changed = new if old is None else text.replace(old, new, 1)
    target.write_text(changed, "utf-8")
    with pytest.raises(c3.DataError) as info:
        c3.load(data, cache=False)
    message = str(info.value)
    assert "\n" not in message
    shown = "agreement.yaml" if file.startswith("source/") else file
    assert shown in message and words in message
    if where is not None:
        if where.startswith("+"):
            line = (text[: text.index(old)].count("\n") if old else 0) + 1 + int(where[1:])
        else:
            agreement = (data / shown).read_text("utf-8")
            line = agreement[: agreement.index(where)].count("\n") + 1
        assert f"{shown}:{line}:" in message
        assert info.value.line == line


def test_unparseable_names_the_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "citation.yaml").write_text("clause: '4.2'\nkey: [unclosed\nyear: 2023\n", "utf-8")
    with pytest.raises(c3.DataError, match=r"citation\.yaml:\d+: invalid YAML"):
        c3.load(data, cache=False)


def test_cache_follows_the_data(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    assert c3.load(data).citation.year == 2023
    assert list((tmp_path / "cache").rglob("*.json"))
    path = data / "citation.yaml"
    path.write_text(path.read_text("utf-8").replace("year: 2023", "year: twenty"), "utf-8")
    with pytest.raises(c3.DataError):
        c3.load(data)


def test_missing_file(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "rules.yaml").unlink()
    with pytest.raises(c3.DataError, match=r"rules\.yaml: cannot read"):
        c3.load(data, cache=False)
