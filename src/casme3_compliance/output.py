"""Where the command line writes: standard output, or the file named by `-o`.

A report must never destroy what it was not asked to: `-o /dev/null` writes into the device
(it does not replace it with a file), a FIFO is written in place if a reader is there, a
symlink is followed to the file it names, and a regular file is replaced whole or not at all,
through a temporary file beside it that is removed on Ctrl-C, SIGTERM or SIGHUP, and by the
next run if the process was killed outright.
"""

from __future__ import annotations

import errno
import os
import stat
import sys

# re, signal and contextlib are imported where they are used: `casme3 subject` imports this
# module at every start and needs none of them.


class OutputError(Exception):
    """The output cannot be written: `key`, a message of data/i18n/<lang>/messages/cli.yaml, and
    its slots say why, in one line (`say` in a language, `str` in the data's default)."""

    def __init__(self, key: str, **slots: object) -> None:
        super().__init__(key, slots)
        self.key, self.slots = key, slots

    def say(self, texts: object) -> str:
        """The message in `texts`' language (a Family or a Database: anything with `t`)."""
        return texts.t(self.key, **self.slots)  # type: ignore[attr-defined]

    def __str__(self) -> str:
        from casme3_compliance.knowledge.loader import load_family

        return self.say(load_family())


TMP_SUFFIX = ".casme3-{pid}.tmp"
_TMP = r"\.(?P<name>.+)\.casme3-(?P<pid>[0-9]+)\.tmp"  # compiled by re's cache when used


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the process stands so that `finally` clean-ups run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def catch_termination() -> None:
    """Turn SIGTERM and SIGHUP into an exception (exit status 128 + signal in the CLI)."""
    try:  # the C module behind `signal`, without the enums `signal` builds at import (3 ms)
        import _signal as signal
    except ImportError:  # pragma: no cover - another Python
        import signal
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _raise_terminated)


def write(path: str, data: bytes) -> None:
    """Write `data` to the file named `path`, as the module docstring says."""
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise OutputError("cli.output.folder", path=path)
    target = os.path.realpath(path)  # a symlink is followed to what it names
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError("cli.output.failed", path=path, why=e.strerror or e) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(path, target, st.st_mode, data)
        return
    _replace(path, target, data, None if st is None else stat.S_IMODE(st.st_mode))


def _write_in_place(path: str, target: str, mode: int, data: bytes) -> None:
    """A device or a FIFO takes the bytes as they are; anything else is refused."""
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        kind = "cli.output.block_device" if stat.S_ISBLK(mode) else "cli.output.not_regular"
        raise OutputError(kind, path=path)
    try:
        # O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of waiting forever.
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise OutputError("cli.output.fifo", path=path) from None
        raise OutputError("cli.output.failed", path=path, why=e.strerror or e) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as e:
        raise OutputError("cli.output.cannot", path=path, why=e.strerror or e) from None
    finally:
        os.close(fd)


def _replace(path: str, target: str, data: bytes, mode: int | None) -> None:
    folder, name = os.path.split(target)
    if not os.path.isdir(folder):
        raise OutputError("cli.output.no_folder", path=path, folder=folder)
    remove_stale(folder, name)
    tmp = os.path.join(folder, f".{name}" + TMP_SUFFIX.format(pid=os.getpid()))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as e:  # the true reason: the folder refuses new files (/proc, read-only)
        why = e.strerror or e
        raise OutputError("cli.output.no_new_files", path=path, folder=folder, why=why) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as e:
        _unlink(tmp)
        raise OutputError("cli.output.cannot", path=path, why=e.strerror or e) from None
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP: no half-written file, no temporary left
        _unlink(tmp)
        raise


def remove_stale(folder: str, name: str) -> None:
    """Temporary files of `name` left by a casme3 that was killed (its process is gone)."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    import re

    for entry in entries:
        m = re.fullmatch(_TMP, entry)
        if m and m["name"] == name and not _alive(int(m["pid"])):
            _unlink(os.path.join(folder, entry))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _unlink(path: str) -> None:
    import contextlib

    with contextlib.suppress(OSError):
        os.unlink(path)


def json_text(value: object) -> str:
    """json.dumps(value, ensure_ascii=False), written by json's own C encoder where Python has
    one: importing json imports re (5 ms of `casme3 subject --json`'s 20)."""
    try:
        from _json import encode_basestring, make_encoder
    except ImportError:  # pragma: no cover - another Python
        import json

        return json.dumps(value, ensure_ascii=False)

    def other(o: object) -> object:  # what json.dumps says of a value it cannot write
        import json

        return json.JSONEncoder().default(o)

    write = make_encoder({}, other, encode_basestring, None, ": ", ", ", False, False, True)
    return "".join(write(value, 0))


def stdout(text: str) -> None:
    """Print to standard output; a full device is an error, a reader that left is not."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `casme3 terms | head`: the reader left, which is not an error.
        _silence_stdout()
    except OSError as e:  # `>/dev/full`: say so once, and do not fail again at exit
        _silence_stdout()
        raise OutputError("cli.output.stdout", why=e.strerror or e) from None


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
