"""Which files a scan looks at: what git would publish, or every file (`--all`, or outside git).

Symlinks are never followed (git publishes the link, not its target); a symlink loop and other
things that are not regular files become notes; a file or folder that cannot be looked at is
Unchecked (a finding). Nothing here reads a file's content.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from casme3_compliance.scan.findings import Note, ScanError, Texts, Unchecked

# Extensions whose text is read; every other file is checked by its name only.
TEXT_KINDS = {
    ".tex": "tex",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".bib": "bib",
    ".bbl": "bbl",
    ".csv": "csv",  # composite label files: `casme2,sub12,EP01_02,0`
    ".tsv": "csv",
}


class Entry(NamedTuple):
    """A file of the tree: `path` as shown to the user (forward slashes), `fs` to open it.

    A tuple, not a dataclass: a tree of a million files makes a million of them. `size` is
    known for the files whose text is read (`kind`); a walked file read by its name only is
    not looked at (its type comes from the folder's listing), and its size is 0."""

    path: str
    fs: str
    kind: str | None  # a TEXT_KINDS value when its text is read, else None
    regular: bool
    size: int = 0
    root: int = 0  # path[:root] is the folder the user named: its own name is not judged

    @property
    def judged(self) -> str:
        """The part of the path the rules look at: below the scanned folder."""
        return self.path[self.root :]


# The last characters of the names text_kind takes: an extension's last letter in either case
# (no other character has one of them as its lower case; tests/test_scan_walk.py checks).
TEXT_LAST = frozenset(c for ext in TEXT_KINDS for c in (ext[-1], ext[-1].upper()))
_CHUNK = 4096  # a folder's entries made at a time: never a whole folder of a million files
_new = tuple.__new__  # Entry(...) without its keyword handling: a tree makes many


def text_kind(name: str) -> str | None:
    dot = name.rfind(".")
    return TEXT_KINDS.get(name[dot:].lower()) if dot > 0 else None


def display(path: str) -> str:
    shown = os.path.normpath(path).replace(os.sep, "/")
    return "." if shown == "" else shown


@dataclass
class Collected:
    """The entries under the paths of a scan, each once, and what was skipped or not checked.
    `entries` is iterated once: for one folder walked it is a stream (a folder's files
    together, see _walk), and the notes and the unchecked are complete only once it is
    spent; otherwise a list in the order of the paths."""

    entries: Iterable[Entry]
    notes: list[Note]
    unchecked: list[Unchecked]


def file_key(fs: str) -> str:
    """Which file `fs` is, for telling files apart: its folder resolved, its own name not (a
    symlink is its own file, never its target)."""
    folder, name = os.path.split(os.path.abspath(fs))
    return os.path.join(os.path.realpath(folder), name)


def collect(
    paths: list[str],
    all_files: bool,
    exclude: frozenset[str] = frozenset(),
    *,
    t: Texts,
    progress: Callable[[str, int], None] | None = None,
) -> Collected:
    """The entries under `paths` (files or folders), each once, and notes on what was skipped
    (in the language of `t`); never the files whose file_key is in `exclude` (the report this
    run writes). `progress`, if given, is told of each folder listed and of the files found in
    it."""
    out = Collected([], [], [])
    entries: dict[str, Entry] = {}
    for arg in paths:
        try:
            st = os.stat(arg)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise ScanError(t("scan.error.symlink_loop", path=arg)) from None
            if e.errno == errno.ENOENT:
                raise ScanError(t("scan.error.missing", path=arg)) from None
            raise ScanError(t("scan.error.os", path=arg, error=e.strerror or e)) from None
        if stat.S_ISDIR(st.st_mode):
            top = display(arg)
            root = 0 if top == "." else len(top.rstrip("/")) + 1
            rels = None if all_files else _git_files(arg, out.notes, t)
            if rels is None and len(paths) == 1:
                # One folder walked, nothing else: no file twice, so nothing to tell apart;
                # its entries are streamed to the scan, never all held.
                out.entries = _walk(arg, root, out, t, exclude, progress)
                return out
            if rels is None:
                for entry in _walk(arg, root, out, t, exclude, progress):
                    entries.setdefault(entry.path, entry)
            elif not rels and _has_files(arg):
                raise ScanError(t("scan.error.git_nothing", path=display(arg)))
            else:
                noted = (len(out.notes), len(out.unchecked))
                found = 0
                for rel in rels:
                    fs = os.path.join(arg, rel)
                    if exclude and file_key(fs) in exclude:
                        continue
                    shown = display(fs)
                    entry = entries.get(shown) or _entry(fs, shown, out, t, root=root)
                    if entry is not None:
                        entries.setdefault(shown, entry)
                        found += 1
                    if progress is not None:
                        progress(os.path.dirname(fs), 1)
                if not found:
                    _nothing_found(arg, out, noted, t)
        else:
            shown = display(arg)
            # A relative path is judged whole (a hook passes paths from the repository's root);
            # of an absolute one, only the file's name.
            root = shown.rfind("/") + 1 if os.path.isabs(arg) else 0
            if exclude and file_key(arg) in exclude:
                if all(file_key(p) in exclude for p in paths):  # not a clean scan of nothing
                    _nothing_to_scan(arg, [t("scan.error.own_report")], t)
                continue
            entry = _entry(arg, shown, out, t, explicit=True, root=root)
            if entry is not None:
                entries.setdefault(shown, entry)
    out.entries = [entries[k] for k in sorted(entries)]
    return out


def _entry(
    fs: str,
    shown: str,
    out: Collected,
    t: Texts,
    explicit: bool = False,
    root: int = 0,
    walked: bool = False,
) -> Entry | None:
    notes = out.notes
    try:
        st = os.lstat(fs)
    except FileNotFoundError:
        if walked:  # listed a moment ago by the walk: it vanished during the scan
            out.unchecked.append(Unchecked(shown, t("scan.unreadable.vanished")))
        return None  # Listed by git, deleted in the work tree since.
    except OSError as e:
        why = t("scan.unreadable.cannot_read", error=e.strerror or e)
        out.unchecked.append(Unchecked(shown, why))
        return Entry(shown, fs, None, False, root=root)
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        try:
            os.stat(fs)
        except OSError as e:
            if e.errno == errno.ELOOP:
                notes.append(Note(shown, "symlink-loop", t("scan.files.symlink_loop")))
                return Entry(shown, fs, None, False, root=root)
        if explicit:  # named on the command line: say why its content was not read
            notes.append(Note(shown, "symlink", t("scan.files.symlink")))
        return Entry(shown, fs, None, False, root=root)
    if stat.S_ISDIR(mode):
        notes.append(Note(shown, "not-regular", t("scan.files.nested_repository")))
        return None
    if not stat.S_ISREG(mode):
        notes.append(Note(shown, "not-regular", t("scan.files.not_regular")))
        return Entry(shown, fs, None, False, root=root)
    return Entry(shown, fs, text_kind(os.path.basename(fs)), True, st.st_size, root)


def _git_files(directory: str, notes: list[Note], t: Texts) -> list[str] | None:
    """Tracked and untracked-not-ignored files under `directory`, or None outside a work tree."""
    try:
        import subprocess  # here: only a scan in git needs it

        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=directory,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None  # No git: every file.
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if message and "not a git repository" not in message[0]:
            why = t("scan.files.git_failed", error=message[0])
            notes.append(Note(display(directory), "git", why))
        return None
    return list(dict.fromkeys(os.fsdecode(p) for p in done.stdout.split(b"\0") if p))


def _walk(
    top: str,
    root: int,
    out: Collected,
    t: Texts,
    exclude: frozenset[str],
    progress: Callable[[str, int], None] | None,
) -> Iterator[Entry]:
    """Every file below `top`, without following symlinks, skipping .git; ScanError at the end
    when there was none. A folder's files come together, in the order the system lists them,
    then its subfolders by name.

    Streamed: what is held is a chunk of one folder's files and the names of the folders still
    to walk, never the tree nor a whole folder, so a folder of a million files costs what one of
    a thousand does. A regular file read by its name only is taken from the listing as it is;
    any other (a text to read, a symlink, a type the listing does not tell) is looked at by
    _entry, which says what it is or why it cannot be."""
    noted = (len(out.notes), len(out.unchecked))
    found = 0
    posix = os.sep == "/" and not os.altsep
    last = TEXT_LAST
    pending = [""]  # the folders still to walk, below `top`; the next one last
    while pending:
        rel = pending.pop()
        folder = os.path.join(top, rel) if rel else top
        shown_dir = display(folder)
        try:
            listing = os.scandir(folder)
        except OSError as e:
            why = t("scan.unreadable.folder", error=e.strerror or e)
            out.unchecked.append(Unchecked(shown_dir + "/", why))
            continue
        if progress is not None:
            progress(shown_dir, 0)
        # The path shown and the path opened of a file here are these plus its name (what
        # display(os.path.join(top, rel, name)) gives, without normalising each path).
        shown_prefix = "" if shown_dir == "." else shown_dir.rstrip("/") + "/"
        fs_prefix = os.path.join(folder, "")
        same = posix and shown_prefix == fs_prefix  # one string for both
        real = os.path.join(os.path.realpath(os.path.abspath(folder)), "") if exclude else ""
        subfolders: list[str] = []
        with listing:
            while True:
                try:
                    chunk = list(islice(listing, _CHUNK))
                except OSError as e:  # the listing failed part way: the rest is not checked
                    why = t("scan.unreadable.folder", error=e.strerror or e)
                    out.unchecked.append(Unchecked(shown_dir + "/", why))
                    break
                if not chunk:
                    break
                run: list[Entry] = []
                for item in chunk:
                    name = item.name
                    try:
                        plain = item.is_file(follow_symlinks=False)
                        if not plain and item.is_dir(follow_symlinks=False):
                            if name != ".git":
                                subfolders.append(name)
                            continue
                    except OSError:
                        plain = False
                    if exclude and real + name in exclude:
                        continue
                    if same:
                        shown = fs = fs_prefix + name
                    else:
                        fs = fs_prefix + name
                        shown = shown_prefix + name if posix else display(fs)
                        if shown == fs:
                            shown = fs
                    kind = text_kind(name) if name[-1] in last else None
                    if plain and kind is None:
                        entry = _new(Entry, (shown, fs, None, True, 0, root))
                    else:
                        entry = _entry(fs, shown, out, t, root=root, walked=True)
                        if entry is None:
                            continue
                    run.append(entry)
                if run:
                    found += len(run)
                    if progress is not None:
                        progress(shown_dir, len(run))
                    yield from run
        subfolders.sort(reverse=True)
        pending += [f"{rel}/{name}" if rel else name for name in subfolders]
    if not found:
        _nothing_found(top, out, noted, t)


def _nothing_to_scan(folder: str, why: list[str], t: Texts) -> None:
    """A folder that gives no file at all is an error, not a clean scan: a CI job pointed at
    the wrong folder must not pass."""
    first = why[0] if why else t("scan.error.no_files")
    raise ScanError(t("scan.error.nothing", path=display(folder), why=first))


def _nothing_found(folder: str, out: Collected, noted: tuple[int, int], t: Texts) -> None:
    """_nothing_to_scan, saying why from what was noted or not checked since `noted`."""
    why = [u.why for u in out.unchecked[noted[1] :]]
    why += [n.message for n in out.notes[noted[0] :]]
    _nothing_to_scan(folder, why, t)


def _has_files(folder: str) -> bool:
    try:
        with os.scandir(folder) as it:
            return any(True for _ in it)
    except OSError:
        return False
