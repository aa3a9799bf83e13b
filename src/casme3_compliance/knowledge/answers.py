"""The answers `casme3 subject` gave before, kept so that the same question costs no parsing.

Scripts ask `casme3 subject` once per subject, and most of each run went on starting: importing
`re`, `pathlib` and the model, reading the cached data. A question asked before is answered
from its stored answer instead, found by a key that holds everything the answer is made from:

- the words of the command line, exactly as typed;
- the environment variables that choose the language or the data (LANGUAGE, LC_ALL,
  LC_MESSAGES, LANG, CASME3_DATA_DIR);
- every file of the data (the family's files, every file of i18n/, each database's files and
  the agreement texts of its source/ folder), by path, size, inode, modification and change
  time, as the loader's own stamp (a write to a file changes its ctime, which no tool sets
  back);
- every Python file of this package by the same stamp, the package's version and Python's.

A change to any of them is a new key: the answer is worked out again, the normal way, and
stored under it. A stored answer is a copy, checked as the loader checks its cache (a header
naming its format and the SHA-256 of its payload); anything else is ignored. Only answers that
were printed on stdout are kept (an error is never answered from here); where the cache folder
cannot be written, nothing is kept and nothing is lost but speed.

This module imports nothing but os, sys and marshal (and the C SHA-256), so the look-up costs
less than a millisecond; the list of the data's files is made here, once, for the loader too.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

try:  # The C SHA-256 behind hashlib, without loading OpenSSL (see loader.py).
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        from hashlib import sha256

FORMAT = "1"
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "CASME3_DATA_DIR")
"""The variables an answer depends on (the language, the data); every other is not read."""
FAMILY_FILES = ("databases", "rules", "profile")  # the data's files (knowledge/paths.py says)
DATABASE_FILES = (
    "database",
    "agreement",
    "subjects",
    "citation",
    "checklists",
    "scan",
    "policy",
)
MAX_ANSWERS = 4096  # stored answers kept; past it, the oldest half is removed
_PACKAGE = os.path.dirname(os.path.abspath(__file__ if __file__ else "."))
_PACKAGE = os.path.dirname(_PACKAGE)  # casme3_compliance/


# --- The data's files (the loader's list too) --------------------------------------------------


def data_dir() -> str:
    """The data/ folder: $CASME3_DATA_DIR, else the copy inside an installed wheel, else the
    repository's data/ in a source checkout."""
    env = os.environ.get("CASME3_DATA_DIR")
    if env:
        return env
    packaged = os.path.join(_PACKAGE, "data")
    if os.path.isdir(packaged):
        return packaged
    here = os.path.realpath(os.path.join(_PACKAGE, "__init__.py"))
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(here))), "data")


def database_ids(directory: str) -> list[str]:
    """The ids databases.yaml lists, read without a YAML parser: a flow list `databases: [a, b]`
    or a block list of `- a` lines. Validation holds the YAML's own reading to this one, so the
    cache's key never misses a database's files. OSError if it cannot be read."""
    ids: list[str] = []
    block = False
    with open(os.path.join(directory, "databases.yaml"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
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


def i18n_files(directory: str) -> list[str]:
    """Every .yaml file below i18n/ (languages.yaml, fields.yaml, each language's folder),
    sorted. OSError if a folder cannot be listed."""
    out: list[str] = []
    stack = [os.path.join(directory, "i18n")]
    while stack:  # os.walk and rglob cost the CLI's start more than this
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    stack.append(entry.path)
                elif entry.name.endswith(".yaml"):
                    out.append(entry.path)
    return sorted(out)


def data_files(directory: str) -> list[str] | None:
    """Every file the data consists of, or None if the folders cannot be listed."""
    try:
        order = database_ids(directory)
        paths = [os.path.join(directory, f"{name}.yaml") for name in FAMILY_FILES]
        paths += i18n_files(directory)
        for db in order:
            folder = os.path.join(directory, db)
            paths += [os.path.join(folder, f"{name}.yaml") for name in DATABASE_FILES]
            source = os.path.join(folder, "source")
            if os.path.isdir(source):
                paths += sorted(os.path.join(source, n) for n in os.listdir(source))
    except OSError:
        return None
    return paths


def stamp(paths: list[str]) -> list[object] | None:
    """Each file's (path, mtime, ctime, inode, size), or (path, None) where there is none;
    None when one cannot be looked at."""
    out: list[object] = []
    for p in paths:
        try:
            s = os.stat(p)
        except FileNotFoundError:
            out.append((p, None))
            continue
        except OSError:
            return None
        out.append((p, s.st_mtime_ns, s.st_ctime_ns, s.st_ino, s.st_size))
    return out


# --- Stored answers ----------------------------------------------------------------------------


def _code_files() -> list[str]:
    out: list[str] = []
    stack = [_PACKAGE]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and entry.name != "__pycache__":
                    stack.append(entry.path)
                elif entry.name.endswith(".py"):
                    out.append(entry.path)
    return sorted(out)


def state() -> str | None:
    """What every answer here and now is made from but the words (the data, the code, the
    environment), as a digest; None when a file cannot be looked at (then nothing is looked up
    nor stored)."""
    from casme3_compliance import __version__

    directory = data_dir()
    try:
        code = stamp(_code_files())
    except OSError:
        return None
    paths = data_files(directory)
    data = stamp(paths) if paths is not None else None
    if code is None or data is None:
        return None
    global _stamped
    _stamped = (directory, data)
    env = [os.environ.get(name) for name in ENVIRONMENT]
    what = (FORMAT, __version__, sys.version, env, directory, data, code)
    return _digest(what)


_stamped: tuple[str, list[object]] | None = None


def take_stamp(directory: str) -> list[object] | None:
    """The stamp of the data in `directory` that state() took last, once: the CLI stamps the
    data for an answer's key and loads it a moment later, without looking at every file again
    (cli.main drops what is left when its command ends)."""
    global _stamped
    found, _stamped = _stamped, None
    return found[1] if found is not None and found[0] == directory else None


def key(words: list[str], now: str | None = None) -> str | None:
    """The key of the answer to the command line `words` in the state `now` (default: here and
    now); None when there is no state."""
    now = state() if now is None else now
    return None if now is None else _digest((FORMAT, now, list(words)))


def _digest(what: object) -> str:
    # repr, not marshal: marshal writes the same strings differently as they are interned or
    # shared, so two processes would not agree on the key.
    return sha256(repr(what).encode("utf-8", "surrogateescape")).hexdigest()


def first_time(what: str) -> bool:
    """True once for `what` (a digest; a mark is left): when the answers of a whole list are
    made ahead."""
    mark = os.path.join(_folder(), f"{what}.all")
    try:
        os.makedirs(_folder(), exist_ok=True)
        fd = os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return False  # made already, or no room: either way not now
    os.close(fd)
    return True


def cache_base() -> str:
    """Where this package keeps what it worked out before (the validated data, these answers,
    compiled patterns, drawn PDFs)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "casme3-compliance")


def _folder() -> str:
    return os.path.join(cache_base(), "answers")


def _head(payload: bytes) -> bytes:
    return f"casme3-answer {FORMAT} {sha256(payload).hexdigest()}\n".encode()


def lookup(key: str) -> tuple[str, int] | None:
    """(what was printed on stdout, the exit status) stored under `key`, or None."""
    found = read(os.path.join(_folder(), key), _head)
    if not (isinstance(found, tuple) and len(found) == 2):
        return None
    text, status = found
    if not isinstance(text, str) or type(status) is not int or not 0 <= status < 256:
        return None
    return text, status


def remember(key: str, text: str, status: int, *, tidy: bool = True) -> None:
    """Store the answer to the question `key` names (a failure to write only costs speed); then,
    if `tidy`, in one process of 16 (by its id: not by the key, or the same question would
    always pay), prune(): listing the folder costs 1 ms at 2,000 answers, more than the rest
    of a store."""
    payload = marshal.dumps((text, status))
    stored = write(os.path.join(_folder(), key), _head(payload) + payload)
    if stored and tidy and os.getpid() % 16 == 0:
        prune()


def read(path: str, head: Callable[[bytes], bytes]) -> object:
    """The value marshalled in the cache's file `path`, when its first line is `head` of the
    rest (the file's format and checksum, see write); else None."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    first, _, payload = blob.partition(b"\n")
    if first + b"\n" != head(payload):
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def write(path: str, content: bytes) -> bool:
    """`content` in `path`, whole or not at all (a file of the cache: another process may be
    reading it); False when it cannot be written, which only costs speed."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except OSError:
        try:  # noqa: SIM105 - importing contextlib would cost every start
            os.unlink(tmp)
        except OSError:
            pass
        return False
    return True


def prune() -> None:
    """Remove the older half of the stored answers when there are more than MAX_ANSWERS."""
    folder = _folder()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    if len(names) > MAX_ANSWERS:
        _prune(folder, names)


def _prune(folder: str, names: list[str]) -> None:
    """Remove the older half of the stored answers (by modification time)."""
    dated = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            dated.append((os.stat(path).st_mtime_ns, path))
        except OSError:
            continue
    dated.sort()
    import contextlib

    for _, path in dated[: len(dated) // 2]:
        with contextlib.suppress(OSError):
            os.unlink(path)
