"""`-o` never destroys what it was not asked to, and output errors are one line, exit 2."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading

import pytest
from conftest import DATA, ROOT

from casme3_compliance import output
from casme3_compliance.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert len(err.splitlines()) == 1 and err.startswith("casme3: ") and "Traceback" not in err
    return err


def test_a_character_device_is_written_into_not_replaced(capsys, tmp_path):
    """What `-o /dev/null` run as root must not do: replace the device with a regular file."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device's numbers
    except PermissionError:
        pytest.fail("mknod needs CAP_MKNOD, which CI's root container has")
    code, out, _ = run(capsys, "cite", "-o", str(null))
    assert (code, out) == (0, "")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_fifo_is_written_in_place_when_read(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        # The reader may not have opened its end yet: the writer retries until it has.
        for _ in range(200):
            code, _, err = run(capsys, "cite", "-o", str(fifo))
            if code == 0:
                break
            assert "no process is reading" in err
            threading.Event().wait(0.01)
    finally:
        thread.join(timeout=10)
    assert code == 0 and got and got[0].startswith(b"@article{")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_nobody_reads_is_refused_at_once(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "cite", "-o", str(fifo))
    assert code == 2 and "a FIFO that no process is reading" in one_line(err)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_is_followed_to_its_file(capsys, tmp_path):
    real = tmp_path / "real.bib"
    real.write_text("old")
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    assert run(capsys, "cite", "-o", str(link))[0] == 0
    assert link.is_symlink() and real.read_text().startswith("@article{")


@pytest.mark.parametrize("kind", ["slash", "existing"])
def test_a_folder_is_named_as_such(capsys, tmp_path, kind):
    target = f"{tmp_path}/" if kind == "slash" else str(tmp_path)
    code, _, err = run(capsys, "cite", "-o", target)
    assert code == 2 and "is a folder, not a file name" in one_line(err)


def test_a_folder_that_takes_no_new_file_says_so(capsys):
    if not os.path.isdir("/proc/self"):
        pytest.fail("this test needs Linux's /proc")
    code, _, err = run(capsys, "cite", "-o", "/proc/casme3-test.bib")
    assert code == 2 and "the folder /proc does not take new files" in one_line(err)


def test_a_regular_file_keeps_its_permissions(capsys, tmp_path):
    target = tmp_path / "out.bib"
    target.write_text("old")
    target.chmod(0o640)
    assert run(capsys, "cite", "-o", str(target))[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_sigterm_while_writing_leaves_no_temporary_file(capsys, tmp_path, monkeypatch):
    target = tmp_path / "out.bib"
    target.write_text("old")
    real_replace = os.replace

    def killed(src, dst):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the temporary file exists
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        code, _, err = run(capsys, "cite", "-o", str(target))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert code == 128 + signal.SIGTERM and "terminated" in err
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.bib"]


def test_a_temporary_file_of_a_killed_run_is_removed_by_the_next(capsys, tmp_path):
    target = tmp_path / "out.bib"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / f".out.bib{output.TMP_SUFFIX.format(pid=dead)}"
    stale.write_text("half a report")
    alive = tmp_path / f".out.bib{output.TMP_SUFFIX.format(pid=os.getppid())}"
    alive.write_text("another run is writing this one")
    other = tmp_path / f".other.bib{output.TMP_SUFFIX.format(pid=dead)}"
    other.write_text("not ours to judge")
    assert run(capsys, "cite", "-o", str(target))[0] == 0
    assert not stale.exists() and alive.exists() and other.exists()


def test_a_full_standard_output_is_one_line_and_exit_2():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "casme3_compliance", "subject", "132"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    assert done.returncode == 2
    assert done.stderr == "casme3: cannot write to standard output: No space left on device\n"


def test_what_the_user_typed_is_escaped_in_errors(capsys):
    hostile = "\x1b]0;owned\x07\x1b[2J\r\u202e131"
    code, out, err = run(capsys, "subject", hostile)
    assert code == 2 and out == ""
    assert not any(ch in err for ch in "\x1b\x07\r\u202e")
    assert "\\x1b]0;owned\\x07" in one_line(err)


def _verdicts() -> list[dict]:
    """Every database's answers in every shipped language: a few numbers of each part, and
    what is said of a database without an agreement."""
    import casme3_compliance as c3

    out = []
    family = c3.load_family(DATA)
    for lang in [x["code"] for x in family.shipped]:
        for db in c3.load_family(DATA, lang=lang).databases:
            parts = db.subjects.parts if db.subjects else []
            numbers = [n for p in parts for n in (p.min, p.max) if n is not None] or [1, 27]
            for n in numbers:
                try:
                    out.append(c3.verdict(str(n), db).as_dict())
                except c3.RefError:
                    continue
    return out


def test_json_text_is_what_json_dumps_writes():
    import json

    from casme3_compliance.output import json_text

    answers = _verdicts()
    assert len(answers) > 10
    odd = {
        "q": 'a "b"\\\n\t\u0001\u2028é 受限',
        "n": None,
        "t": True,
        "i": -3,
        "f": 0.1,
        "l": [1, {}],
    }
    for value in [*answers, odd, [], {}, "", 10**20]:
        assert json_text(value) == json.dumps(value, ensure_ascii=False)
    with pytest.raises(TypeError):
        json_text({"x": object()})
