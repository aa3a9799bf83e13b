"""Regular expressions of the data, compiled by `re` once and kept for the processes after.

`casme3 subject` matches one reference against the data's grammar; importing `re` to compile
it (with `enum`, `functools` and `collections` behind it) was 4.7 ms of a 20 ms start. `re`
compiles a pattern to a program, a list of integers that its C engine `_sre` runs. The
programs are kept in the cache folder, in a file named for the Python that made them (its
version and `_sre.MAGIC`, the program format's number), and a later process makes the very
same Pattern from the kept program with `_sre.compile`, as `re` itself does last.

Never believed blindly: a program is kept only when the Pattern made from it compares equal to
`re.compile`'s own (Python compares their flags, pattern and whole program); the file must
match the SHA-256 of its payload; and whatever is missing, unreadable or refused by `_sre`, `re`
compiles, as before. Only Python's private `re._compiler` and `_sre` are relied on, each behind
those checks.
"""

from __future__ import annotations

import _sre
import marshal
import os
import sys

from casme3_compliance.knowledge.answers import cache_base, read, sha256, write

TYPE_CHECKING = False
if TYPE_CHECKING:
    from re import Pattern

IGNORECASE = 2
ASCII = 256
"""re.IGNORECASE and re.ASCII, without importing `re` (tests hold them to re's)."""
FORMAT = "1"
MAX_KEPT = 256  # programs kept; past it the file starts afresh (the data's patterns are a few)

_made: dict[tuple[str, int], Pattern[str]] = {}
_kept: dict[tuple[str, int], tuple] | None = None


def compile(pattern: str, flags: int = 0) -> Pattern[str]:
    """re.compile(pattern, flags), from the kept program where there is one."""
    key = (pattern, flags)
    found = _made.get(key)
    if found is None:
        found = _from_kept(key) or _compile(key)
        _made[key] = found
    return found


def _file() -> str:
    return os.path.join(cache_base(), f"patterns-{sys.hexversion:x}-{_sre.MAGIC}.marshal")


def _head(payload: bytes) -> bytes:
    return f"casme3-patterns {FORMAT} {sha256(payload).hexdigest()}\n".encode()


def _programs() -> dict[tuple[str, int], tuple]:
    global _kept
    if _kept is None:
        found = read(_file(), _head)
        _kept = found if isinstance(found, dict) else {}
    return _kept


def _from_kept(key: tuple[str, int]) -> Pattern[str] | None:
    program = _programs().get(key)
    if not isinstance(program, tuple):
        return None
    try:
        return _sre.compile(key[0], *program)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return None


def _compile(key: tuple[str, int]) -> Pattern[str]:
    import re

    made = re.compile(*key)
    try:  # what re._compiler.compile passes to _sre.compile
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(*key)
        index = [None] * parsed.state.groups
        for name, i in parsed.state.groupdict.items():
            index[i] = name
        program = (
            key[1] | parsed.state.flags,
            [int(op) for op in _compiler._code(parsed, key[1])],  # ints, not re's named ones
            parsed.state.groups - 1,
            dict(parsed.state.groupdict),
            tuple(index),
        )
        if _sre.compile(key[0], *program) == made:
            _keep(key, program)
    except Exception:  # another Python's internals: then nothing is kept
        pass
    return made


def _keep(key: tuple[str, int], program: tuple) -> None:
    kept = _programs()
    if len(kept) >= MAX_KEPT:
        kept.clear()
    kept[key] = program
    payload = marshal.dumps(kept)
    write(_file(), _head(payload) + payload)
