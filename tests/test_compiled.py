"""The data's patterns, compiled by `re` once and made again from the kept program
(knowledge/compiled.py): the same Pattern as `re.compile`'s, never a different one, and `re`
again when the kept file is damaged or refused."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys

import pytest
from conftest import DATA

from casme3_compliance.knowledge import answers, compiled, verdicts
from casme3_compliance.knowledge.loader import load_family


def _patterns() -> list[tuple[str, int]]:
    """Every pattern `casme3 subject` compiles, with its flags: each database's forms, the
    number written alone, the list separators, the form of a database without an agreement."""
    family = load_family(DATA, cache=False)
    forms = {
        (f.pattern, compiled.IGNORECASE | compiled.ASCII)
        for db in family.databases
        if db.subjects is not None
        for f in db.subjects.forms
    }
    syntax = verdicts.SYNTAX
    rest = {
        (syntax["bare"], compiled.ASCII),
        (syntax["list_separators"], 0),
        (verdicts.UNKNOWN_FORM, compiled.ASCII),
    }
    return sorted(forms | rest)


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A cache folder of its own, and nothing compiled yet in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(compiled, "_made", {})
    monkeypatch.setattr(compiled, "_kept", None)
    return tmp_path


def _forget() -> None:
    """As a new process: the kept file is read again."""
    compiled._made.clear()
    compiled._kept = None


def test_the_flags_are_res():
    assert re.IGNORECASE.value == compiled.IGNORECASE
    assert re.ASCII.value == compiled.ASCII


@pytest.mark.parametrize("key", _patterns(), ids=lambda k: f"{k[0]}/{k[1]}")
def test_a_kept_program_makes_res_own_pattern(fresh, key):
    assert compiled.compile(*key) == re.compile(*key)
    _forget()
    made = compiled._from_kept(key)
    assert made is not None, "the program was not kept"
    assert made == re.compile(*key)
    assert compiled.compile(*key) is compiled.compile(*key)
    words = ["131", "spNO.131", "sp no 007", "Part C 27", "c 27", "sub12", "s3", "0", "x1", "1, 2"]
    for text in words:
        ours, theirs = made.fullmatch(text), re.compile(*key).fullmatch(text)
        assert (ours and ours.groups()) == (theirs and theirs.groups()), text


def _rewrite(programs: dict, damage: bool = False) -> None:
    payload = marshal.dumps(programs)
    head = compiled._head(payload)
    with open(compiled._file(), "wb") as f:
        f.write(head + (payload[:-1] + b"\0" if damage else payload))


def test_a_damaged_file_is_not_believed(fresh):
    key = _patterns()[0]
    compiled.compile(*key)
    other = compiled._programs()[key]
    # Another pattern's program under this key, with a header that does not match the payload.
    _rewrite({key: (other[0], [0, 0, 0], *other[2:])}, damage=True)
    _forget()
    assert compiled._from_kept(key) is None
    assert compiled.compile(*key) == re.compile(*key)


def test_a_program_refused_by_the_engine_falls_back_to_re(fresh):
    key = _patterns()[0]
    compiled.compile(*key)
    flags, _, *rest = compiled._programs()[key]
    _rewrite({key: (flags, [1, 2, 3], *rest)})  # a well-formed file, a program _sre refuses
    _forget()
    assert compiled._from_kept(key) is None
    assert compiled.compile(*key) == re.compile(*key)


def test_a_read_only_cache_still_compiles(fresh):
    (fresh / "casme3-compliance").write_text("not a folder")
    key = _patterns()[0]
    assert compiled.compile(*key) == re.compile(*key)
    assert not os.path.exists(compiled._file())


def _options() -> list[tuple[list[str], list[str]]]:
    """(the words before `subject`, after it): none, --lang for each other language the data
    ships, and --json."""
    family = load_family(DATA, cache=False)
    others = [(["--lang", x["code"]], []) for x in family.shipped if x["code"] != family.lang]
    return [([], []), *others, ([], ["--json"])]


@pytest.mark.parametrize("words", _options(), ids=lambda w: " ".join(w[0] + w[1]) or "plain")
def test_an_answer_not_stored_imports_neither_re_nor_pathlib(tmp_path, words):
    """The start that `benchmarks/bench_cli.py --cold` times: the second question is worked out
    from the data's cache and the kept programs, without the modules that cost it most, in
    every language and with --json."""
    env = {k: v for k, v in os.environ.items() if k not in answers.ENVIRONMENT}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = (
        "import sys; from casme3_compliance.cli import main; sys.argv = ['casme3', *sys.argv[1:]];"
        "status = main(); print(sorted({'re', 'pathlib', 'enum'} & set(sys.modules)),"
        " file=sys.stderr); sys.exit(status)"
    )
    subject, (before, after) = _first_subject(), words
    first = subprocess.run(
        [sys.executable, "-c", code, *before, "subject", subject, *after],
        env=env,
        capture_output=True,
    )
    assert first.stdout and first.returncode in (0, 1), first.stderr
    # Its answer is stored now, and the data's cache and programs kept: the same question
    # written otherwise is not stored.
    second = subprocess.run(
        [sys.executable, "-c", code, *before, "subject", f" {subject} ", *after],
        env=env,
        capture_output=True,
    )
    assert (second.stdout, second.returncode) == (first.stdout, first.returncode)
    assert second.stderr.decode().strip() == "[]"


def _first_subject() -> str:
    """The first number that names a subject of the default database, written alone."""
    db = load_family(DATA, cache=False).db(None)
    for n in range(1, 10_000):
        try:
            verdicts.verdict(str(n), db)
        except verdicts.RefError:
            continue
        return str(n)
    raise AssertionError("no number names a subject")
