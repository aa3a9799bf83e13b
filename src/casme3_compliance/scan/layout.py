"""What a path says: a database's release (its folders, workbooks, archives), and the subject ids
in its names, each tied to a database by a form that names it or by a name of it in the path.

The patterns are data (spec.PathSpec). A tree holds many files per folder, so what a folder's
path holds (the release chains running through it, the databases it names, the subject ids of
its names) is worked out once per folder; for each file, only its own name is looked at, by the
forms whose literal it holds or whose database the path names. Caches are bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from casme3_compliance.knowledge.regex import literal_prefix
from casme3_compliance.scan import spec as SP

_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_CACHE = 1 << 14  # folders remembered


@dataclass(frozen=True)
class PathSubject:
    """A subject id in segment `index` of a path, tied to `form.db`."""

    form: SP.PathForm
    index: int
    number: int
    text: str


@dataclass(frozen=True)
class _Folder:
    """What a folder's path holds, for the files in it."""

    # Release chains whose folders the path runs through: (chain, index of its first
    # folder), the top-most first; those whose last folder is the path's last need a file.
    chains: tuple[tuple[SP.Chain, int], ...]
    named: frozenset[str]  # databases the folders' names name
    subjects: tuple[PathSubject, ...]  # in the folders' names, every form's
    # per form (index), whether the folders right above a file name are its `after`
    after: frozenset[int]


class Matcher:
    def __init__(self, spec: SP.PathSpec):
        self.spec = spec
        self.forms = [(f, literal_prefix(f.pattern.pattern)) for f in spec.forms]
        self._folders: dict[str, _Folder] = {}
        self._names: dict[str, tuple[frozenset[tuple[int, int]], frozenset[str]]] = {}
        self._prefixes: dict[str, tuple[PathSubject, ...]] = {}  # a folder's own subjects
        self._files = (
            re.compile(
                "|".join(f"(?P<f{i}>{p.pattern})" for i, (_, _, p) in enumerate(spec.files)),
                re.IGNORECASE,
            )
            if spec.files
            else None
        )

    @property
    def file_test(self) -> Callable[[str], re.Match[str] | None] | None:
        """A test that every name file_kind takes passes (None: it takes none)."""
        return self._files.fullmatch if self._files is not None else None

    def file_kind(self, name: str) -> tuple[str, str] | None:
        """(database, "workbook" or "archive") when `name` is one of a release's files."""
        if self._files is None:
            return None
        m = self._files.fullmatch(name)
        if m is None or m.lastgroup is None:
            return None
        db, what, _ = self.spec.files[int(m.lastgroup[1:])]
        return db, what

    def folder(self, low: list[str]) -> _Folder:
        """What the folders of a path (all its segments but the last, lower case) hold."""
        key = "/".join(low[:-1])
        found = self._folders.get(key)
        if found is None:
            found = self._folder(low[:-1])
            if len(self._folders) >= _CACHE:
                self._folders.clear()
            self._folders[key] = found
        return found

    def _folder(self, folders: list[str]) -> _Folder:
        # What each name says is worked out once per name (chains) or per path to it (subjects):
        # the folders of a release share all but their last names.
        if len(self._names) >= _CACHE or len(self._prefixes) >= _CACHE:
            self._names.clear()
            self._prefixes.clear()
        segments = [self._segment(name) for name in folders]
        chains = []
        for i in range(len(folders)):
            for c, chain in enumerate(self.spec.chains):
                k = len(chain.segments)
                if i + k <= len(folders) and all((c, j) in segments[i + j][0] for j in range(k)):
                    chains.append((chain, i))
        named = frozenset(db for _, dbs in segments for db in dbs)
        subjects: list[PathSubject] = []
        for i in range(len(folders)):
            key = "/".join(folders[: i + 1])
            found = self._prefixes.get(key)
            if found is None:
                found = self._prefixes[key] = tuple(
                    self._subjects(folders, i, folders[i], named, True)
                )
            subjects += found
        after = frozenset(
            k
            for k, (form, _) in enumerate(self.forms)
            if form.after and _under(folders, len(folders), form.after)
        )
        return _Folder(tuple(chains), named, tuple(subjects), after)

    def _segment(self, name: str) -> tuple[frozenset[tuple[int, int]], frozenset[str]]:
        """The (chain, segment) pairs whose pattern `name` is, and the databases it names."""
        found = self._names.get(name)
        if found is None:
            pairs = frozenset(
                (c, j)
                for c, chain in enumerate(self.spec.chains)
                for j, pattern in enumerate(chain.segments)
                if pattern.fullmatch(name)
            )
            found = self._names[name] = (pairs, self._named(name))
        return found

    def layout(self, low: list[str], folder: _Folder) -> tuple[SP.Chain, int] | None:
        """The release chain the path runs through, and the index of its first folder: the
        top-most place one starts, the first listed there; a chain with a `file` only when the
        file is right under its last folder and its name is that file's."""
        last = len(low) - 1
        for chain, i in folder.chains:
            if chain.file is None:
                return chain, i
            if i + len(chain.segments) == last and chain.file.fullmatch(low[-1]):
                return chain, i
        return None

    def subjects(self, low: list[str], folder: _Folder) -> list[PathSubject]:
        """The subject ids of the path, each with the form (and so the database) it is of:
        forms that name their database anywhere, the others where the path names it."""
        name = low[-1]
        named = folder.named | self._named(name)
        out = [s for s in folder.subjects if s.form.alone or s.form.db in named]
        out += self._subjects(low, len(low) - 1, name, named, False, folder.after)
        return out

    def _named(self, name: str) -> frozenset[str]:
        return frozenset(
            db for db, lit, pattern in self.spec.names if lit in name and _search(pattern, name)
        )

    def _subjects(
        self,
        low: list[str],
        i: int,
        name: str,
        named: frozenset[str],
        folder: bool,
        after: frozenset[int] = frozenset(),
    ) -> list[PathSubject]:
        """The subject ids in segment `i`. For a folder, every form's (the files below decide
        which count); for a file, the forms tied to the path."""
        out = []
        for k, (form, lit) in enumerate(self.forms):
            if not folder and not form.alone and form.db not in named:
                continue
            if lit and lit not in name:
                continue
            if form.after:
                if not (k in after if not folder else _under(low, i, form.after)):
                    continue
                m = (form.pattern.fullmatch if form.whole else form.pattern.match)(name)
                if m is not None:
                    out.append(PathSubject(form, i, int(m.group(1)), m.group(0)))
            elif form.whole:
                m = form.pattern.fullmatch(name) if folder else None
                if m is not None:
                    out.append(PathSubject(form, i, int(m.group(1)), m.group(0)))
            else:
                for m in form.pattern.finditer(name):
                    if m.start() and name[m.start() - 1] in _WORD:
                        continue
                    out.append(PathSubject(form, i, int(m.group(1)), m.group(0)))
        return out


def _under(low: list[str], i: int, after: tuple[re.Pattern[str], ...]) -> bool:
    """Whether the names right above segment `i` are `after`, whole."""
    k = len(after)
    return i >= k and all(after[j].fullmatch(low[i - k + j]) for j in range(k))


def _search(pattern: re.Pattern[str], name: str) -> bool:
    """Whether `pattern` matches in `name` where a name part starts."""
    return any(not m.start() or name[m.start() - 1] not in _WORD for m in pattern.finditer(name))
