"""The walk's shortcuts (scan/files.py, scan/archives.py) say what the slow way says.

A tree of a million files is listed without an lstat per file read by its name only, and a name
is first tested on its last character before its extension is looked up: these tests hold each
shortcut to the exact answer, over every character there is where that is what it rests on.
"""

from __future__ import annotations

import os
import sys

import pytest
from conftest import DATA
from test_scan_support import FAKE, tree

import casme3_compliance as c3
from casme3_compliance.scan import archives as A
from casme3_compliance.scan import files as F

EN = c3.load_family(DATA, cache=False)


def test_text_last_is_every_last_character_of_a_text_name():
    """text_kind takes a name only when its last character is in TEXT_LAST: no character
    outside it lowers to a text extension's last letter."""
    lasts = {ext[-1] for ext in F.TEXT_KINDS}
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if c.lower()[-1:] in lasts:
            assert c in F.TEXT_LAST, hex(code)
    for name in ["a.TEX", "b.Md", "c.markdown", "d.TXT", "e.bib", "f.BBL", "g.csv", "h.TSV"]:
        assert F.text_kind(name) is not None and name[-1] in F.TEXT_LAST


NAMES = [
    "a.zip",
    ".zip",
    "a.ZIP",
    "a.Zip",
    "a.tar.gz",
    ".tar.gz",
    "x.tar.gz",
    "a.TAR.BZ2",
    "q.tbz2",
    "a.tgz",
    "a.txz",
    "a.tar.xz",
    "a.tar",
    "zip",
    "a.jpg",
    "a.z\u0131p",
    "a.\u017fip",
    "\u212a.zip",
    "a.zi\u0440",
    "a.tar.gz/",
    "\u03a9.zip",
    "a..zip",
    "x.tar.gz.jpg",
    "",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "folder", ["", "d/", "a.zip/", "very/long/folder/name/", "\u00fcn\u00ef/", "/"]
)
def test_kind_of_path_is_kind_of_the_last_name(folder, name):
    path = folder + name
    assert A.kind_of_path(path) == A.kind(path.rsplit("/", 1)[-1])


def test_archive_last_characters():
    """kind() takes a name only in ASCII case: its last character is one of A.LAST."""
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if A.kind("archive.ta" + c) or A.kind("archive.zi" + c) or A.kind("archive.tbz" + c):
            assert c in A.LAST, hex(code)
        if A.kind("archive.tg" + c) or A.kind("archive.tar.g" + c) or A.kind("a.tx" + c):
            assert c in A.LAST, hex(code)


def _slow(root: str) -> dict[str, tuple]:
    """Every file below `root` as the walk before the shortcut made it: one lstat each."""
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            fs = os.path.join(folder, name)
            shown = F.display(fs)
            top = F.display(root)
            at = 0 if top == "." else len(top) + 1
            entry = F._entry(fs, shown, F.Collected([], [], []), EN.t, root=at)
            if entry is not None:
                out[shown] = entry
    return out


@pytest.mark.parametrize("where", ["absolute", "relative", "dot"])
def test_walked_entries_are_the_lstat_ones(tmp_path, monkeypatch, where):
    root = tree(
        tmp_path / "t",
        {
            "paper/main.tex": "spNO.131\n",
            "paper/refs.BIB": "@article{a, title={x}}\n",
            "paper/fig/spNO.1_a_1.jpg": FAKE,
            "data/CASME2_RAW_selected/sub01/EP02_01f/img46.jpg": FAKE,
            "data/release.zip": b"PK\x05\x06" + bytes(18),
            "odd name \u00e9\u4e2d/\x1b[31m.txt": "x\n",
            ".git/config": "[core]\n",
            "x/a/f.jpg": FAKE,
            "x/b.jpg": FAKE,
            "x/c/g.jpg": FAKE,
            "x/d.jpg": FAKE,
        },
    )
    os.symlink("paper/main.tex", root / "link.tex")
    os.symlink("paper", root / "link-folder")
    os.symlink("loop", root / "loop")
    os.mkfifo(root / "pipe.md")
    top = str(root)
    if where != "absolute":
        monkeypatch.chdir(root if where == "dot" else tmp_path)
        top = "." if where == "dot" else "t"
    got = F.collect([top], True, t=EN.t)
    listed = list(got.entries)
    walked = {e.path: e for e in listed}
    slow = _slow(top)
    assert set(walked) == set(slow)
    for path, entry in walked.items():
        expected = slow[path]
        if entry.kind is None and entry.regular:  # read by name only: no size asked for
            expected = expected._replace(size=0)
        assert entry == expected, path
    assert len(listed) == len(walked)
    # A folder's files come together (path_rules works a folder out once for them), then its
    # subfolders by name.
    folders = [os.path.dirname(e.path) for e in listed]
    together = [f for i, f in enumerate(folders) if i == 0 or folders[i - 1] != f]
    assert len(together) == len(set(together))
    x = together.index(F.display(os.path.join(top, "x")))
    assert together[x + 1 : x + 3] == [F.display(os.path.join(top, "x", s)) for s in "ac"]
    assert not got.unchecked


def test_progress_is_told_every_folder_and_file(tmp_path):
    root = tree(tmp_path / "t", {f"d{i}/f{j}.jpg": FAKE for i in range(3) for j in range(4)})
    told: list[tuple[str, int]] = []
    got = F.collect([str(root)], True, t=EN.t, progress=lambda f, n: told.append((f, n)))
    assert len(list(got.entries)) == 12
    assert sum(n for _, n in told) == 12
    assert {f for f, _ in told} == {F.display(str(root))} | {
        F.display(str(root / f"d{i}")) for i in range(3)
    }


def test_one_folder_is_streamed_a_chunk_at_a_time(tmp_path, monkeypatch):
    """The walk of one folder holds a chunk of a folder's files and the names of the folders
    still to walk, not the tree nor a whole folder: when the first file comes, only the
    folders above it have been opened, and no more than a chunk of its own folder's files has
    been made."""
    monkeypatch.setattr(F, "_CHUNK", 2)
    root = tree(tmp_path / "t", {f"d{i}/e/f{j}.jpg": FAKE for i in range(4) for j in range(5)})
    told: list[tuple[str, int]] = []
    progress = lambda f, n: told.append((f, n))  # noqa: E731
    stream = iter(F.collect([str(root)], True, t=EN.t, progress=progress).entries)
    first = next(stream)
    above = [F.display(str(p)) for p in (root, root / "d0", root / "d0" / "e")]
    assert os.path.dirname(first.path) == above[-1]
    assert told == [(above[0], 0), (above[1], 0), (above[2], 0), (above[2], 2)]
    assert len(list(stream)) == 19
    assert sum(n for _, n in told) == 20


def test_a_folder_unreadable_part_way_is_not_checked(tmp_path, monkeypatch):
    """A listing that fails after some files were given leaves those scanned and the folder
    not checked (never a clean answer for the files it did not list)."""
    monkeypatch.setattr(F, "_CHUNK", 2)
    root = tree(tmp_path / "t", {f"f{j}.jpg": FAKE for j in range(5)})
    real = os.scandir

    class Failing:
        def __init__(self, path):
            self.it = real(path)
            self.given = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.it.close()

        def __iter__(self):
            return self

        def __next__(self):
            if self.given == 3:
                raise OSError(5, "Input/output error")
            self.given += 1
            return next(self.it)

    monkeypatch.setattr(F.os, "scandir", Failing)
    got = F.collect([str(root)], True, t=EN.t)
    assert len(list(got.entries)) == 2  # the first chunk; the second failed
    [unchecked] = got.unchecked
    assert unchecked.path == F.display(str(root)) + "/"
    assert "Input/output error" in unchecked.why


def test_a_tree_deeper_than_the_recursion_limit(tmp_path):
    depth = sys.getrecursionlimit() + 100
    folder = str(tmp_path)
    for _ in range(depth):  # not os.makedirs: it recurses
        folder += "/a"
        os.mkdir(folder)
    with open(folder + "/deep.jpg", "wb") as f:
        f.write(FAKE)
    try:
        [entry] = F.collect([str(tmp_path)], True, t=EN.t).entries
        assert entry.path.endswith("/a/deep.jpg")
    finally:  # removed here: pytest's clean-up of old temporary folders recurses too
        os.unlink(folder + "/deep.jpg")
        for _ in range(depth):
            os.rmdir(folder)
            folder = os.path.dirname(folder)
