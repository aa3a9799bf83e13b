"""Load data/ once: parse, validate against the JSON Schemas, cross-check, build the model.

The family's files are databases.yaml and rules.yaml, then one folder per database holding its
database.yaml and, where it has them, its agreement, subjects, citation and checklists (one
schema per file kind, the same for every database) and the source texts they were read from.

Every failure is a DataError naming the file and the line (or key path), so a bad edit to the
data fails the site build and the CLI with one line instead of a traceback or a wrong answer.
A validated copy is cached (in marshal's format: no import, the fastest to read) keyed by the
data's hash, so the CLI starts without YAML, jsonschema or even json on the common path. The
cache is only a copy: a file whose header does not match the data, the package or its own
contents is ignored and rewritten, never believed. Its own contents are checked by their CRC-32:
made to notice a copy damaged on disk, and a fifth of the time SHA-256 took on every start
(which was no better a defence against whoever can write the cache folder: they could as well
write its header, or the answers kept beside it).
"""

from __future__ import annotations

import marshal
import os
from binascii import crc32

from casme3_compliance.knowledge import answers
from casme3_compliance.knowledge.errors import DataError
from casme3_compliance.knowledge.model import Database, Family

try:  # The C SHA-256 behind hashlib, without loading OpenSSL: ~5 ms off every CLI start.
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        from hashlib import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:  # importing `typing` costs the CLI ms at every start; annotations are strings
    from pathlib import Path  # and pathlib 3 ms: the files of a cache hit are named by os.path
    from typing import Any

REQUIRED = ("database", "citation")
"""The file kinds every database has; the others only where its agreement is public."""
_CACHE_FORMAT = "8"

_families: dict[tuple[str, str | None], Family] = {}
_by_stamp: dict[tuple[tuple[object, ...], str | None], Family] = {}


def load(
    directory: Path | str | None = None,
    *,
    cache: bool = True,
    db: str | None = None,
    lang: str | None = None,
) -> Database:
    """One database (default: the family's default) from `directory` (default: data_dir())."""
    family = load_family(directory, cache=cache, lang=lang)
    try:
        return family.db(db)
    except KeyError:
        known = ", ".join(family.ids)
        raise DataError("databases.yaml", f"no database {db!r} (known: {known})") from None


def load_family(
    directory: Path | str | None = None, *, cache: bool = True, lang: str | None = None
) -> Family:
    """Every database in `directory` (default: data_dir()), with our texts in `lang` (default:
    the data's default language), rebuilt when a file changes.

    While no file has changed (size, inode, mtime, ctime), the family already built is returned
    without reading the files again, and a new process finds the validated copy without
    hashing them again.
    """
    directory = os.fspath(directory) if directory else answers.data_dir()
    stamp = _stamp(directory, cache)
    if stamp is not None and (stamp, lang) in _by_stamp:
        return _by_stamp[stamp, lang]
    known = _read_by_stamp(stamp) if cache and stamp is not None else None
    if known is not None:
        (digest, raw), cached = known, True
    else:
        digest, raw, cached = _read(directory, cache)
        if cache and stamp is not None:
            _remember_stamp(stamp, digest)
    if lang is not None and lang not in raw["i18n"]:
        known = ", ".join(x["code"] for x in raw["i18n"]["languages"]["languages"])
        raise DataError("i18n/languages.yaml", f"no language {lang!r} (known: {known})")
    if (digest, lang) not in _families:
        try:
            family = Family.from_dicts(raw, lang)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            if not cached:
                raise
            # A cache that passed its checks but does not fit the model: rebuild it.
            digest, raw, _ = _read(directory, cache, trust_cache=False)
            family = Family.from_dicts(raw, lang)
        _families[digest, lang] = family
    if stamp is not None:
        _by_stamp[stamp, lang] = _families[digest, lang]
    return _families[digest, lang]


def forget() -> None:
    """Drop what this process has loaded (tests that edit a cache between two loads)."""
    _families.clear()
    _by_stamp.clear()


def _stamp(directory: str, cache: bool) -> tuple[object, ...] | None:
    """The data's files as answers.py stamps them (its key of a stored answer holds the same);
    None when one cannot be looked at (_read reports it properly)."""
    stamps = answers.take_stamp(directory)
    if stamps is None:
        paths = answers.data_files(directory)
        stamps = answers.stamp(paths) if paths is not None else None
    return None if stamps is None else (cache, *stamps)


def _stamp_file(stamp: tuple[object, ...]) -> str:
    # repr, not marshal: marshal writes equal strings differently as they are interned or
    # shared, and a process of another kind (the site's build, the CLI) would miss the file.
    name = sha256(repr(stamp).encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(answers.cache_base(), "stamps", name)


def _read_by_stamp(stamp: tuple[object, ...]) -> tuple[str, dict[str, Any]] | None:
    """The validated data a process read before from the very same files: the same paths,
    sizes, inodes, and modification and change times (a write to a file changes its ctime,
    which no tool can set back), so their hash need not be taken again. The cache file itself
    is still checked against its header."""
    try:
        with open(_stamp_file(stamp), encoding="ascii") as f:
            key = f.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    raw = _read_cache(_cache_file(key), key) if len(key) == 64 else None
    return (key, raw) if raw is not None else None


def _remember_stamp(stamp: tuple[object, ...], key: str) -> None:
    answers.write(_stamp_file(stamp), key.encode("ascii"))


def _read_file(path: Path, required: bool = True) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as e:  # a folder, a dangling link, no permission: one line, no traceback
        if isinstance(e, FileNotFoundError) and not required:
            return None
        from casme3_compliance.knowledge.paths import display

        raise DataError(display(path), f"cannot read: {e.strerror or e}") from None


def _read(
    directory: Path | str, cache: bool, trust_cache: bool = True
) -> tuple[str, dict[str, Any], bool]:
    """(the data's hash, the validated data, whether it came from the cache)."""
    from pathlib import Path

    from casme3_compliance.knowledge.paths import (
        DATABASE_FILES,
        FAMILY_FILES,
        database_ids,
        display,
        i18n_files,
    )

    directory = Path(directory)
    texts: dict[str, bytes] = {}
    for name in FAMILY_FILES:
        texts[f"{name}.yaml"] = _read_file(directory / f"{name}.yaml")  # type: ignore[assignment]
    try:
        translations = i18n_files(directory)
    except OSError as e:
        raise DataError(display(directory / "i18n"), f"cannot read: {e.strerror or e}") from None
    for path in translations:
        name = path.relative_to(directory).as_posix()
        texts[name] = _read_file(path)  # type: ignore[assignment]
    try:
        ids = database_ids(directory)
    except OSError as e:
        raise DataError(display(directory / "databases.yaml"), f"cannot read: {e}") from None
    digest = sha256(_CACHE_FORMAT.encode())
    for db in ids:
        folder = directory / db
        for name in DATABASE_FILES:
            content = _read_file(folder / f"{name}.yaml", required=name in REQUIRED)
            if content is not None:
                texts[f"{db}/{name}.yaml"] = content
        source = folder / "source"
        if source.exists():
            try:
                sources = sorted(source.iterdir())
            except OSError as e:
                raise DataError(display(source), f"cannot read: {e.strerror or e}") from None
            for path in sources:  # the agreement texts the data is checked against
                texts[f"{db}/source/{path.name}"] = _read_file(path)  # type: ignore[assignment]
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name] + b"\0")
    key = digest.hexdigest()
    cache_file = _cache_file(key) if cache else None
    if cache_file is not None and trust_cache:
        raw = _read_cache(cache_file, key)
        if raw is not None:
            return key, raw, True
    from casme3_compliance.knowledge import validate  # YAML and jsonschema: only on a miss

    raw = validate.family(directory, texts)
    if cache_file is not None:
        _write_cache(cache_file, key, raw)
    return key, raw, False


def cache_dir() -> Path:
    """Where validated copies of the data (and drawn PDFs) are kept between runs."""
    from pathlib import Path

    return Path(answers.cache_base())


def _cache_file(key: str) -> str:
    return os.path.join(answers.cache_base(), f"{key}.marshal")


def header(key: str, payload: bytes) -> bytes:
    """What a cache file must say of itself: the format, the package, the data it was made
    from and the CRC-32 of its own payload, so that a change to any of them is noticed."""
    from casme3_compliance import __version__

    fields = [_CACHE_FORMAT, __version__, key, f"{crc32(payload):08x}"]
    return ("casme3-cache " + " ".join(fields) + "\n").encode()


def _read_cache(path: str, key: str) -> dict[str, Any] | None:
    raw = answers.read(path, lambda payload: header(key, payload))
    wanted = {*answers.FAMILY_FILES, "i18n", "each"}
    return raw if isinstance(raw, dict) and set(raw) == wanted else None


def _write_cache(path: str, key: str, raw: dict[str, Any]) -> None:
    # Each database and each language packed on its own (model._unpacked reads them when asked).
    i18n = {
        k: v if k in ("languages", "fields") else marshal.dumps(v) for k, v in raw["i18n"].items()
    }
    each = {k: marshal.dumps(v) for k, v in raw["each"].items()}
    payload = marshal.dumps({**raw, "i18n": i18n, "each": each})
    answers.write(path, header(key, payload) + payload)
