"""Load data/*.yaml once: parse, validate against the JSON Schemas, cross-check, build the model.

Every failure is a DataError naming the file and the line (or key path), so a bad edit to the
data fails the site build and the CLI with one line instead of a traceback or a wrong answer.
A validated copy is cached as JSON keyed by the data's hash, so the CLI starts without YAML or
jsonschema on the common path. The cache is only a copy: a file whose header does not match the
data, the package or its own contents is ignored and rewritten, never believed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from casme3_compliance.errors import DataError
from casme3_compliance.model import KnowledgeBase

try:  # The C SHA-256 behind hashlib, without loading OpenSSL: ~5 ms off every CLI start.
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        from hashlib import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:  # importing `typing` costs the CLI ms at every start; annotations are strings
    from typing import Any

FILES = ("agreement", "subjects", "citation", "checklists", "rules")
_CACHE_FORMAT = "2"


def data_dir() -> Path:
    """The data/ folder: $CASME3_DATA_DIR, else the project's own (see project_data_dir)."""
    env = os.environ.get("CASME3_DATA_DIR")
    return Path(env) if env else project_data_dir()


def project_data_dir() -> Path:
    """The copy inside an installed wheel, or the repository's data/ in a source checkout."""
    packaged = Path(__file__).parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def _display(path: Path) -> str:
    """Relative to the working directory when inside it, else absolute: short and unambiguous."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


_models: dict[str, KnowledgeBase] = {}
_by_stamp: dict[tuple[object, ...], KnowledgeBase] = {}


def load(directory: Path | str | None = None, *, cache: bool = True) -> KnowledgeBase:
    """The knowledge base from `directory` (default: data_dir()), rebuilt when the files change.

    A site build asks for it once per macro; while no file's size or mtime has changed, the
    model already built is returned without reading the files again.
    """
    directory = Path(directory) if directory else data_dir()
    stamp = _stamp(directory, cache)
    if stamp is not None and stamp in _by_stamp:
        return _by_stamp[stamp]
    digest, raw, cached = _read(directory, cache)
    if digest not in _models:
        try:
            _models[digest] = KnowledgeBase.from_dicts(raw)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            if not cached:
                raise
            # A cache that passed its checks but does not fit the model: rebuild it.
            digest, raw, _ = _read(directory, cache, trust_cache=False)
            _models[digest] = KnowledgeBase.from_dicts(raw)
    if stamp is not None:
        _by_stamp[stamp] = _models[digest]
    return _models[digest]


def _stamp(directory: Path, cache: bool) -> tuple[object, ...] | None:
    paths = [directory / f"{name}.yaml" for name in FILES]
    try:
        paths += sorted((directory / "source").iterdir())
        stats = [p.stat() for p in paths]
    except OSError:
        return None  # _read reports it properly
    return (cache, *((str(p), s.st_mtime_ns, s.st_size) for p, s in zip(paths, stats, strict=True)))


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:  # a folder, a dangling link, no permission: one line, no traceback
        raise DataError(_display(path), f"cannot read: {e.strerror or e}") from None


def _read(
    directory: Path, cache: bool, trust_cache: bool = True
) -> tuple[str, dict[str, Any], bool]:
    """(the data's hash, the validated data, whether it came from the cache)."""
    texts = {name: _read_file(directory / f"{name}.yaml") for name in FILES}
    digest = sha256(_CACHE_FORMAT.encode())
    for name in FILES:
        digest.update(name.encode() + b"\0" + texts[name] + b"\0")
    # The LA texts the data is checked against.
    source = directory / "source"
    try:
        sources = sorted(source.iterdir())
    except OSError as e:
        raise DataError(_display(source), f"cannot read: {e.strerror or e}") from None
    for path in sources:
        digest.update(path.name.encode() + b"\0" + _read_file(path) + b"\0")
    key = digest.hexdigest()
    cache_file = _cache_dir() / f"{key}.json" if cache else None
    if cache_file is not None and trust_cache:
        raw = _read_cache(cache_file, key)
        if raw is not None:
            return key, raw, True
    raw = _parse_and_check(directory, texts)
    if cache_file is not None:
        _write_cache(cache_file, key, raw)
    return key, raw, False


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "casme3-compliance"


def _header(key: str, payload: bytes) -> bytes:
    """What a cache file must say of itself: the format, the package, the data it was made
    from and the hash of its own payload, so that an edit to any of them is noticed."""
    from casme3_compliance import __version__

    fields = [_CACHE_FORMAT, __version__, key, sha256(payload).hexdigest()]
    return ("casme3-cache " + " ".join(fields) + "\n").encode()


def _read_cache(path: Path, key: str) -> dict[str, Any] | None:
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, _, payload = blob.partition(b"\n")
    if head + b"\n" != _header(key, payload):
        return None
    try:
        raw = json.loads(payload)
    except ValueError:
        return None
    return raw if isinstance(raw, dict) and set(raw) == set(FILES) else None


def _write_cache(path: Path, key: str, raw: dict[str, Any]) -> None:
    payload = json.dumps(raw, ensure_ascii=False).encode()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_header(key, payload) + payload)
        tmp.replace(path)
    except OSError:  # A read-only home only costs speed.
        import contextlib  # here: importing it costs every CLI start 4 ms

        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _parse_and_check(directory: Path, texts: dict[str, bytes]) -> dict[str, Any]:
    from casme3_compliance import checks  # YAML and jsonschema only when the cache misses.

    docs = {name: checks.parse_yaml(directory / f"{name}.yaml", texts[name]) for name in FILES}
    for name, doc in docs.items():
        checks.validate_schema(directory / f"{name}.yaml", doc, name)
    checks.cross_check(directory, docs)
    return {name: doc.data for name, doc in docs.items()}
