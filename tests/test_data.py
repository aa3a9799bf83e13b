"""Bad data fails with one line naming the file and the line or key, and builds no model."""

from __future__ import annotations

import marshal
import os
import re
import shutil

import pytest
from conftest import DATA, DB

import casme3_compliance as c3

# (case, file, text to replace, replacement, where the error must point, words in the message).
# `where` is a line of the changed file: "+N" counts from the replaced text's first line, a
# string is the first line holding it; None where the parser cannot know a line.
D = DB.name  # the default database's folder
BAD = [
    ("unparseable", f"{D}/subjects.yaml", "  - key: C\n", "  - key: [C\n", None, "invalid YAML"),
    (
        "tab-indent",
        f"{D}/checklists.yaml",
        "  - id: keep\n",
        "\t- id: keep\n",
        "+0",
        "invalid YAML",
    ),
    (
        "missing-key",
        f"{D}/agreement.yaml",
        "    title: Warranty\n",
        "",
        "+-3",
        "'title' is missing",
    ),
    (
        "wrong-type",
        f"{D}/citation.yaml",
        "year: 2023",
        "year: twenty",
        "+0",
        "not of type 'integer'",
    ),
    ("unknown-key", f"{D}/citation.yaml", "year: 2023", "year: 2023\nyera: 1", "+1", "unknown key"),
    (
        "duplicate-key",
        f"{D}/citation.yaml",
        "year: 2023",
        "year: 2023\nyear: 1",
        "+1",
        "duplicate key",
    ),
    ("duplicate-subject", f"{D}/subjects.yaml", "130, 131, 134", "130, 131, 131", "+0", "twice"),
    (
        "out-of-range",
        f"{D}/subjects.yaml",
        "210, 212,",
        "210, 312,",
        "+0",
        "outside the range 1-219",
    ),
    (
        "missing-clause",
        f"{D}/checklists.yaml",
        'clauses: ["3.3"]',
        'clauses: ["3.33"]',
        "+0",
        "'3.33'",
    ),
    ("clause-number", f"{D}/agreement.yaml", 'id: "6.2"', 'id: "5.9"', "+0", "expected 6.<n>"),
    ("duplicate-clause", f"{D}/agreement.yaml", 'id: "6.2"', 'id: "6.1"', "+0", "duplicate clause"),
    ("bad-clause-id", f"{D}/agreement.yaml", 'id: "6.2"', 'id: "7-2"', "+0", "does not match"),
    ("part-clause", f"{D}/subjects.yaml", 'clause: "3.6"', 'clause: "3.66"', "+0", "'3.66'"),
    ("rule-shape", f"{D}/subjects.yaml", "rule: allow", "rule: all", "+0", "rule says allowed"),
    ("grammar-part", f"{D}/subjects.yaml", "  - part: C\n", "  - part: D\n", "+0", "no part 'D'"),
    (
        "grammar-group",
        f"{D}/subjects.yaml",
        "0*([0-9]+)'\n    bare",
        "0*[0-9]+'\n    bare",
        "+0",
        "group 1",
    ),
    ("database-id", f"{D}/database.yaml", f"id: {D}", "id: other", "+0", "but the folder is"),
    ("default-unlisted", "databases.yaml", f"default: {D}", "default: nowhere", "+0", "not listed"),
    ("tool-rule-applies", "rules.yaml", "applies: scanner", "applies: files", "+0", "CM0 codes"),
    ("rule-applies", "rules.yaml", "applies: deny-list", "applies: scanner", "+0", "CM0 codes"),
    (
        "empty-text",
        "i18n/en/messages/common.yaml",
        "disclaimer:",
        "disclaimer: ''\nx:",
        "+0",
        "non-empty",
    ),
    # Our texts in another language: the ids and {slots} of English's, nothing of our own.
    (
        "unknown-id",
        "i18n/zh/messages/common.yaml",
        "verdict.invalid:",
        "verdict.nope:",
        "+0",
        "not an id",
    ),
    (
        "lost-slot",
        "i18n/zh/messages/common.yaml",
        "verdict.invalid: 不是",
        "verdict.invalid: 不{x}是",
        "+0",
        "keep the slots",
    ),
    (
        "unlisted-language",
        "i18n/languages.yaml",
        "  - {code: zh",
        "  - {code: zz",
        "+-1",
        "i18n/zh/ is not",
    ),
    (
        "source-changed",
        f"{D}/source/casme3-license-agreement.txt",
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
    shown = f"{D}/agreement.yaml" if "/source/" in file else file
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
    (data / D / "citation.yaml").write_text("clause: '4.2'\nkey: [unclosed\nyear: 2023\n", "utf-8")
    with pytest.raises(c3.DataError, match=r"citation\.yaml:\d+: invalid YAML"):
        c3.load(data, cache=False)


def test_cache_follows_the_data(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    assert c3.load(data).citation.year == 2023
    assert list((tmp_path / "cache").rglob("*.marshal"))
    path = data / D / "citation.yaml"
    path.write_text(path.read_text("utf-8").replace("year: 2023", "year: twenty"), "utf-8")
    with pytest.raises(c3.DataError):
        c3.load(data)


def test_missing_file(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "rules.yaml").unlink()
    with pytest.raises(c3.DataError, match=r"rules\.yaml: cannot read"):
        c3.load(data, cache=False)


# The loader fails closed: no alias bomb, no traceback, no cache believed blindly ------------


def _copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return data


ALIAS_BOMB = "\n".join(
    ["bomb0: &l0 [x, x, x, x, x, x, x, x, x]"]
    + [f"bomb{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
)


def test_an_alias_bomb_is_refused_at_its_line(tmp_path):
    """Eight levels of nine aliases would be 9**9 nodes for the schema check and the cache."""
    data = _copy(tmp_path)
    path = data / "rules.yaml"
    text = path.read_text("utf-8")
    path.write_text(text + ALIAS_BOMB + "\n", "utf-8")
    with pytest.raises(c3.DataError, match="aliases") as info:
        c3.load(data, cache=False)
    first_use = text.count("\n") + 2  # bomb1's line: the first that uses an alias
    assert first_use <= info.value.line <= first_use + 8


def test_a_single_alias_is_refused_too(tmp_path):
    data = _copy(tmp_path)
    path = data / D / "citation.yaml"
    text = path.read_text("utf-8").replace("year: 2023", "year: &y 2023\nextra_year: *y")
    path.write_text(text, "utf-8")
    with pytest.raises(c3.DataError, match="aliases"):
        c3.load(data, cache=False)


@pytest.mark.parametrize("where", [f"{D}/source/folder", "rules.yaml"])
def test_a_folder_where_a_file_should_be_is_one_line(tmp_path, where):
    data = _copy(tmp_path)
    target = data / where
    if target.exists():
        target.unlink()
    target.mkdir()
    with pytest.raises(c3.DataError, match="cannot read") as info:
        c3.load(data, cache=False)
    assert where.split("/")[-1] in str(info.value) and "\n" not in str(info.value)


def test_a_dangling_link_in_source_is_one_line(tmp_path):
    data = _copy(tmp_path)
    (data / D / "source" / "gone.txt").symlink_to(tmp_path / "nowhere")
    with pytest.raises(c3.DataError, match=r"gone\.txt: cannot read"):
        c3.load(data, cache=False)


def _cache_file(tmp_path):
    (path,) = (tmp_path / "cache").rglob("*.marshal")
    return path


def test_a_file_rewritten_with_its_old_size_and_mtime_is_read_again(tmp_path, monkeypatch, kb):
    """A new process skips hashing the data only while every file is the very same one: a
    write changes the file's ctime, which no tool sets back, even when the size and mtime are
    put back as they were."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = _copy(tmp_path)
    c3.load(data)
    from casme3_compliance.knowledge import loader

    loader.forget()
    n = kb.subjects.part("AB").restricted()[-1]
    subjects = data / kb.id / "subjects.yaml"
    before = subjects.stat()
    text = subjects.read_text("utf-8")
    # Same size: the number swapped for one of as many digits that is not on the list.
    part = kb.subjects.part("AB")
    m = next(
        x for x in range(n - 1, 0, -1) if len(str(x)) == len(str(n)) and not part.is_restricted(x)
    )
    start = text.index("list: [")
    edited = text[:start] + re.sub(rf"\b{n}\b", str(m), text[start:], count=1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    subjects.write_text(edited, "utf-8")
    os.utime(subjects, ns=(before.st_atime_ns, before.st_mtime_ns))
    loader.forget()
    assert not c3.verdict(f"spNO.{n}", c3.load(data)).restricted


def test_an_edited_cache_is_not_believed(tmp_path, monkeypatch, kb):
    """Removing a restricted subject from the cached copy must not make it allowed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = _copy(tmp_path)
    c3.load(data)
    path = _cache_file(tmp_path)
    n = kb.subjects.part("AB").restricted()[-1]
    blob = path.read_bytes()
    head, _, payload = blob.partition(b"\n")
    raw = marshal.loads(payload)
    mine = marshal.loads(raw["each"][kb.id])  # each database is packed on its own
    mine["subjects"]["parts"][0]["list"].remove(n)
    raw["each"][kb.id] = marshal.dumps(mine)
    edited = marshal.dumps(raw)
    assert edited != payload
    path.write_bytes(head + b"\n" + edited)
    from casme3_compliance.knowledge import loader

    loader.forget()
    assert c3.verdict(f"spNO.{n}", c3.load(data)).restricted
    assert path.read_bytes() == blob  # repaired


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[]", b'{"agreement": 1}', b"casme3-cache 2 x y z\n{}"],
    ids=["empty", "garbage", "list", "wrong-shape", "bad-header"],
)
def test_a_broken_cache_is_rebuilt_not_a_crash(tmp_path, monkeypatch, content):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = _copy(tmp_path)
    c3.load(data)
    path = _cache_file(tmp_path)
    good = path.read_bytes()
    path.write_bytes(content)
    from casme3_compliance.knowledge import loader

    loader.forget()
    assert c3.load(data).subjects.part("AB").restricted()
    assert path.read_bytes() == good


def test_a_cache_with_a_valid_header_but_the_wrong_shape_is_rebuilt(tmp_path, monkeypatch):
    """Even a file that passes every check of its header is only a copy."""
    from casme3_compliance.knowledge import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = _copy(tmp_path)
    c3.load(data)
    path = _cache_file(tmp_path)
    good = path.read_bytes()
    payload = marshal.dumps({"databases": {}, "rules": {}, "i18n": {}, "each": {}})
    path.write_bytes(loader.header(path.stem, payload) + payload)
    loader.forget()
    assert c3.load(data).subjects.part("AB").restricted()
    assert path.read_bytes() == good
