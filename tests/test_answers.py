"""`casme3 subject` answers a question asked before from its stored answer (knowledge/answers.py):
the same bytes and exit status, and never a stale answer when the data, the language or the
code changed. Run as a real program, each test with a cache folder of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA

from casme3_compliance.knowledge import answers

COMMAND = [sys.executable, "-m", "casme3_compliance"]


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in answers.ENVIRONMENT}
    return {**env, "XDG_CACHE_HOME": str(cache), **extra}


def _run(env: dict[str, str], *words: str) -> tuple[bytes, bytes, int]:
    done = subprocess.run([*COMMAND, *words], capture_output=True, env=env, timeout=120)
    return done.stdout, done.stderr, done.returncode


def _stored(cache: Path) -> list[Path]:
    folder = cache / "casme3-compliance" / "answers"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _key(env: dict[str, str], *words: str) -> str:
    """The key another process computes for `words` in `env`."""
    code = f"from casme3_compliance.knowledge import answers; print(answers.key({list(words)!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
    return done.stdout.decode().strip()


def _numbers() -> list[int]:
    """The numbers a bare reference names a subject by, in the data."""
    import casme3_compliance as c3

    db = c3.load_family(DATA, cache=False).db(None)
    out = []
    for n in range(1, 1000):
        try:
            c3.verdict(str(n), db)
        except c3.RefError:
            continue
        out.append(n)
    return out


@pytest.mark.parametrize(
    "words", [("subject", "131"), ("subject", "7", "--json"), ("--lang", "zh", "subject", "C12")]
)
def test_the_same_answer_twice(tmp_path, words):
    env = _env(tmp_path)
    first = _run(env, *words)
    stored = _stored(tmp_path)
    assert (tmp_path / "casme3-compliance" / "answers" / _key(env, *words)) in stored
    assert _run(env, *words) == first
    assert _stored(tmp_path) == stored
    assert first[0] and first[1] == b""


def test_the_answer_comes_from_the_store(tmp_path):
    """The stored answer is what is printed (and a damaged one is not)."""
    env = _env(tmp_path)
    out, _, code = _run(env, "subject", "131")
    stored = tmp_path / "casme3-compliance" / "answers" / _key(env, "subject", "131")
    payload = __import__("marshal").dumps(("marker\n", 0))
    stored.write_bytes(answers._head(payload) + payload)
    assert _run(env, "subject", "131") == (b"marker\n", b"", 0)
    stored.write_bytes(b"casme3-answer 1 0000\n" + payload)  # its header does not match
    assert _run(env, "subject", "131") == (out, b"", code)


def test_a_change_to_the_data_is_a_new_answer(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    env = _env(tmp_path / "cache", CASME3_DATA_DIR=str(data))
    out, _, code = _run(env, "subject", "131")
    assert code == 1 and out.startswith(b"restricted: ")
    messages = data / "i18n" / "en" / "messages" / "cli.yaml"
    text = messages.read_text("utf-8")
    assert "cli.answer.restricted: restricted\n" in text
    messages.write_text(
        text.replace("cli.answer.restricted: restricted\n", "cli.answer.restricted: RESTRICTED\n"),
        "utf-8",
    )
    again, _, code = _run(env, "subject", "131")
    assert code == 1 and again == out.replace(b"restricted: ", b"RESTRICTED: ", 1)


def test_the_language_is_part_of_the_question(tmp_path):
    env = _env(tmp_path)
    english = _run(env, "subject", "131")
    chinese = _run({**env, "LANGUAGE": "zh"}, "subject", "131")
    assert chinese[2] == english[2] == 1
    assert chinese[0] != english[0]
    assert _run(env, "subject", "131") == english
    assert _run({**env, "LANGUAGE": "zh"}, "subject", "131") == chinese


@pytest.mark.parametrize("words", [("subject", "spNO.x"), ("subject", "131", "--db", "nope")])
def test_errors_are_not_stored(tmp_path, words):
    env = _env(tmp_path)
    out, err, code = _run(env, *words)
    assert code == 2 and out == b"" and err.count(b"\n") == 1
    assert _stored(tmp_path) == []
    assert _run(env, *words) == (out, err, code)


def test_a_change_to_the_code_is_a_new_key(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 1\n")
    monkeypatch.setattr(answers, "_PACKAGE", str(package))
    monkeypatch.setenv("CASME3_DATA_DIR", str(DATA))
    before = answers.key(["subject", "131"])
    assert before is not None and before == answers.key(["subject", "131"])
    assert before != answers.key(["subject", "132"])
    (package / "sub" / "b.py").write_text("y = 2\n")
    assert answers.key(["subject", "131"]) != before


def test_a_read_only_cache_costs_only_speed(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "casme3-compliance").write_text("not a folder")
    env = _env(cache)
    first = _run(env, "subject", "131")
    assert first[2] == 1 and first[1] == b""
    assert _run(env, "subject", "131") == first


def test_another_process_finds_the_same_key(tmp_path, monkeypatch):
    """The key is the same in every process (marshal, which writes a string differently as it
    is interned or not, would not do): the command line's answer is where this one looks."""
    env = _env(tmp_path)
    _run(env, "subject", "131")
    for name in answers.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = answers.key(["subject", "131"])
    assert key is not None and key == _key(env, "subject", "131")
    assert key in [p.name for p in _stored(tmp_path)]
    assert answers.lookup(key) == (_run(env, "subject", "131")[0].decode(), 1)


@pytest.mark.parametrize("json", [False, True])
def test_a_number_asked_answers_the_list_ahead(tmp_path, json):
    """The first number asked alone stores the answer of every number from 1 up to the first
    that is no subject, each as that question is answered the normal way."""
    flag = ["--json"] if json else []
    env = _env(tmp_path / "ahead")
    _run(env, "subject", "131", *flag)
    stored = _stored(tmp_path / "ahead")
    numbers = _numbers()
    assert numbers == list(range(1, len(numbers) + 1))  # CAS(ME)3's data: 1 to 219
    assert len([p for p in stored if not p.name.endswith(".all")]) == len(numbers)
    for n in (1, 7, 130, numbers[-1]):
        fresh = _run(_env(tmp_path / f"fresh{n}"), "subject", str(n), *flag)
        assert _run(env, "subject", str(n), *flag) == fresh
    assert len(_stored(tmp_path / "ahead")) == len(stored)  # all of them were there
    # Past the list: an error, the normal way, and nothing stored.
    out, err, code = _run(env, "subject", str(numbers[-1] + 1), *flag)
    assert code == 2 and out == b"" and err
    assert len(_stored(tmp_path / "ahead")) == len(stored)


def test_the_list_is_made_once_per_state(tmp_path):
    env = _env(tmp_path)
    _run(env, "subject", "131")
    (mark,) = [p for p in _stored(tmp_path) if p.name.endswith(".all")]
    many = len(_stored(tmp_path))
    assert many == len(_numbers()) + 1
    seven = tmp_path / "casme3-compliance" / "answers" / _key(env, "subject", "7")
    seven.unlink()
    eight = tmp_path / "casme3-compliance" / "answers" / _key(env, "subject", "8")
    eight.unlink()
    _run(env, "subject", "7")  # answered the normal way: the list is not made again
    assert mark.exists() and seven.exists() and not eight.exists()
    assert len(_stored(tmp_path)) == many - 1


def test_each_command_line_gets_its_list(tmp_path):
    """Another command line (`--json`) is another list, made once too."""
    env = _env(tmp_path)
    _run(env, "subject", "131")
    plain = len(_stored(tmp_path))
    first = _run(env, "subject", "7", "--json")
    assert len(_stored(tmp_path)) == 2 * plain  # every number's JSON answer, and a mark
    eight = tmp_path / "casme3-compliance" / "answers" / _key(env, "subject", "8", "--json")
    assert eight.exists()
    eight.unlink()
    assert _run(env, "subject", "7", "--json") == first
    _run(env, "subject", "9", "--json")  # answered the normal way: the list is not made again
    assert not eight.exists()


def test_a_command_leaves_no_stamp_for_the_next_in_the_same_process(tmp_path, monkeypatch, capsys):
    """The data's stamp taken for an answer's key is the loader's for that command only: a
    script calling main() again after editing the data gets answers from the edited data."""
    from casme3_compliance.cli import main
    from casme3_compliance.knowledge import loader

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for name in answers.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("CASME3_DATA_DIR", str(data))
    loader.forget()
    ref = _numbers()[0]
    monkeypatch.setattr(sys, "argv", ["casme3", "subject", str(ref)])
    assert main() == main()  # worked out, then answered from the store
    first = capsys.readouterr().out
    messages = data / "i18n" / "en" / "messages" / "cli.yaml"
    text = messages.read_text("utf-8")
    verdict = first.split(":", 1)[0]
    line = f"cli.answer.{verdict}: {verdict}\n"
    assert line in text
    messages.write_text(text.replace(line, f"cli.answer.{verdict}: {verdict.upper()}\n"), "utf-8")
    main(["subject", str(ref)])
    assert capsys.readouterr().out.startswith(verdict.upper() + ": ")


def test_the_store_is_pruned_to_its_newer_half(tmp_path, monkeypatch):
    """Past MAX_ANSWERS, a store that looks (in one process of 16) removes the older half; the
    others do not list the folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(answers, "MAX_ANSWERS", 8)
    folder = tmp_path / "casme3-compliance" / "answers"
    keys = [f"{i:063x}0" for i in range(20)]
    monkeypatch.setattr(os, "getpid", lambda: 16 * 1000 + 1)
    for i, key in enumerate(keys):
        answers.remember(key, f"answer {i}\n", 0)
        os.utime(folder / key, ns=(i * 10**9, i * 10**9))  # stored one after the other
    assert len(list(folder.iterdir())) == 20  # not a process that looks: never listed
    monkeypatch.setattr(os, "getpid", lambda: 16 * 1000)
    last = "f" * 64
    answers.remember(last, "the newest\n", 0)
    left = {p.name for p in folder.iterdir()}
    assert len(left) == 11 and last in left
    assert left - {last} == set(keys[10:])
    assert answers.lookup(last) == ("the newest\n", 0)
