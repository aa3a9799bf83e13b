"""The progress line of `casme3 scan`: on a terminal's stderr only, never in the report.

The command runs for real with its stderr on a pseudo-terminal (pty); CASME3_PROGRESS_AFTER=0,
the documented hook, shows the line at once instead of after a second, so no test waits. The
line's throttling, fitting and erasing are checked on scan/progress.py's Progress with a clock
the test moves.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import DATA
from test_scan_support import FAKE, tree

import casme3_compliance as c3
from casme3_compliance.scan import progress as P
from casme3_compliance.terminal import columns

EN = c3.load_family(DATA, cache=False)
ZH = c3.load_family(DATA, cache=False, lang="zh")
ERASE = "\r\x1b[K"
COMMAND = [sys.executable, "-m", "casme3_compliance"]


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", P.ENV):
        monkeypatch.delenv(name, raising=False)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.pop(P.ENV, None)
    return {**env, **extra}


def _paper(root: Path) -> Path:
    return tree(
        root,
        {
            "paper/main.tex": "We use CASME3 and show spNO.131 in Figure 2.\n",
            "paper/notes.md": "Nothing here.\n",
            "data/CASME2_RAW_selected/sub01/EP02_01f/img46.jpg": FAKE,
        },
    )


def _on_pty(args: list[str], env: dict[str, str], columns: int = 0) -> tuple[str, bytes, int]:
    """Run the command with stderr on a pseudo-terminal: (what the terminal got, stdout, exit)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    if columns:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([*COMMAND, *args], stdout=out, stderr=slave, env=env)
        os.close(slave)
        got = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            got += chunk
        os.close(master)
        code = proc.wait(timeout=120)
        out.seek(0)
        stdout = out.read()
    # The terminal turns \n into \r\n on output: only our own \r\x1b[K sequences matter here.
    return got.decode("utf-8"), stdout, code


def _plain(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*COMMAND, *args], capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize("fmt", ["json", "sarif", "lines", "text"])
def test_a_terminal_shows_progress_and_the_report_is_unchanged(tmp_path, fmt):
    root = _paper(tmp_path)
    args = ["scan", "--all", "--format", fmt, str(root)]
    shown, stdout, code = _on_pty(args, _env(**{P.ENV: "0"}))
    assert ERASE + "scanning: " in shown
    progress = shown.split("\r\n")[0] if fmt == "lines" else shown  # lines: then its notes
    assert progress.endswith(ERASE)  # erased when the scan ends
    assert "MiB read, in " in shown
    # The same scan, stderr not a terminal and the line's delay left alone: the same report.
    plain = _plain(args, _env())
    assert stdout == plain.stdout
    assert code == plain.returncode == 1
    if fmt != "lines":
        assert plain.stderr == b""


def test_no_terminal_no_progress(tmp_path):
    """stderr a pipe: not one byte of progress, even with no delay at all."""
    root = _paper(tmp_path)
    done = _plain(["scan", "--all", "--format", "json", str(root)], _env(**{P.ENV: "0"}))
    assert done.returncode == 1
    assert done.stderr == b""
    assert b"scanning" not in done.stdout
    assert b"\x1b" not in done.stdout


def test_a_short_scan_shows_nothing(tmp_path):
    """Without the hook, a scan of a moment is over before the second the line waits."""
    root = _paper(tmp_path)
    shown, stdout, code = _on_pty(["scan", "--all", "--format", "json", str(root)], _env())
    assert shown == ""
    assert code == 1 and stdout.startswith(b"{")


def test_the_folder_is_escaped(tmp_path):
    """A folder name holding ESC sequences, a bell, a newline and a bidi control cannot drive the
    terminal: it is shown escaped, and the only escapes written are the line's own."""
    evil = tmp_path / "x\x1b]0;owned\x07\x1b[31m\nfake line\u202e"
    tree(evil, {"notes.md": "Nothing here.\n", "img/spNO.131.jpg": FAKE})
    shown, stdout, _ = _on_pty(
        ["scan", "--all", "--format", "json", str(evil)], _env(**{P.ENV: "0"})
    )
    assert "x\\x1b]0;owned\\x07\\x1b[31m\\nfake line\\u202e" in shown
    rest = shown.replace(ERASE, "")
    assert "\x1b" not in rest and "\x07" not in rest and "\n" not in rest and "\u202e" not in rest
    assert b"scanning" not in stdout


def test_the_line_fits_the_terminal(tmp_path):
    deep = tmp_path / ("a-rather-long-folder-name/" * 8).rstrip("/")
    tree(deep, {"notes.md": "Nothing here.\n"})
    shown, _, _ = _on_pty(["scan", "--all", str(deep)], _env(**{P.ENV: "0"}), columns=80)
    lines = [x for x in shown.split(ERASE) if x]
    assert lines and all(columns(x) <= 79 for x in lines)
    assert any(x.rstrip().endswith("a-rather-long-folder-name") for x in lines)
    assert any("…" in x for x in lines)  # the folder's start is cut, its end kept


def test_in_chinese(tmp_path):
    root = _paper(tmp_path)
    args = ["--lang", "zh", "scan", "--all", "--format", "json", str(root)]
    shown, stdout, _ = _on_pty(args, _env(**{P.ENV: "0"}))
    start = ZH.t("cli.scan.progress", files="1", mib="0", folder="F").split("1")[0]
    assert start and start.isascii() is False
    assert ERASE + start in shown and shown.endswith(ERASE)
    assert stdout == _plain(args, _env()).stdout


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_delay_is_refused(tmp_path, value):
    root = _paper(tmp_path)
    done = _plain(["scan", "--all", str(root)], _env(**{P.ENV: value}))
    assert done.returncode == 2
    assert done.stdout == b""
    message = done.stderr.decode()
    assert message.count("\n") == 1
    assert message.startswith(f"casme3: {P.ENV} must be a number of seconds")


def test_delay():
    assert P.delay({}) == P.AFTER == 1.0
    assert P.delay({P.ENV: ""}) == P.AFTER
    assert P.delay({P.ENV: "0"}) == 0
    assert P.delay({P.ENV: " 2.5 "}) == 2.5
    assert P.delay({P.ENV: "x"}) is None


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttled_and_erased():
    clock, stream = _Clock(), io.StringIO()
    p = P.Progress(stream, EN.t, after=1.0, clock=clock, width=200)
    for _ in range(50):  # the first second: nothing
        clock.now += 0.019
        p.folder("a/b", 1)
    assert stream.getvalue() == "" and p.draws == 0
    for i in range(1000):  # then ten seconds of calls, every 10 ms: at most 10 draws a second
        clock.now += 0.01
        p.read(f"a/b{i % 7}/f.tex", 1 << 20)
    assert 90 <= p.draws <= 101
    assert stream.getvalue().count(ERASE) == p.draws
    p.close()
    text = stream.getvalue()
    assert text.endswith(ERASE) and text.count(ERASE) == p.draws + 1
    last = text.split(ERASE)[-2]  # what was drawn last, some calls before the end
    assert re.fullmatch(r"scanning: 50 files, [0-9,]+\.0 MiB read, in a/b[0-6]", last)
    p.close()  # once only
    assert stream.getvalue() == text


def test_nothing_to_erase():
    stream = io.StringIO()
    p = P.Progress(stream, EN.t, after=1.0, clock=_Clock(), width=80)
    p.folder("x", 3)
    p.close()
    assert stream.getvalue() == ""


@pytest.mark.parametrize("texts", [EN, ZH])
@pytest.mark.parametrize("width", [1, 12, 30, 80])
def test_fitted_to_any_width(texts, width):
    clock, stream = _Clock(), io.StringIO()
    p = P.Progress(stream, texts.t, after=0, clock=clock, width=width)
    p.folder("论文/图像/" * 20 + "spNO.131", 12345)
    line = stream.getvalue().removeprefix(ERASE)
    assert columns(line) <= max(width - 1, 1)
    assert line or width == 1  # a wide character needs two columns
    if width >= 80:
        assert line.endswith("spNO.131")


def test_the_messages_exist_in_both_languages():
    for family in (EN, ZH):
        said = family.t("cli.scan.progress", files="1", mib="0.0", folder="F")
        assert "F" in said and "1" in said
        assert not re.search(r"[{}]", said)
