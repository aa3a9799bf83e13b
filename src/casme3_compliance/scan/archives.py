"""The member names of an archive in the tree, read within limits and never extracted.

A repository that holds `figures.zip` publishes every name inside it. The path rules judge those
names as they judge the tree's (reported as `figures.zip!/inner/path`); the members' contents
are not read. Only the names are read, from the zip's central directory or the tar's headers,
by small readers written for that, because zipfile and tarfile keep every member's record in
memory and tarfile reads a long-name header whole:

- a zip's central directory is read entry by entry (zip64 too), never its members' data;
- a tar's 512-byte headers are read one by one, members' data skipped (a seek, or decompressing
  a .tar.gz/.tar.bz2/.tar.xz stream as far as its headers go);
- at most MAX_MEMBERS names and MAX_NAME_BYTES of names per archive, MAX_UNPACKED bytes
  decompressed per archive and Budget.unpacked per scan: what lies past a limit is reported as
  not checked, so a zip bomb or a million-member archive costs a bounded time and memory;
- archives inside an archive are judged by their names only: never opened.

A corrupt archive, or one whose central directory is encrypted, cannot be listed: ArchiveError.
What stops a listing is said as a findings.Say (a message id of scan.yaml), in no language yet.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field

from casme3_compliance.scan import source
from casme3_compliance.scan.findings import Say, say, size

# bz2, gzip and lzma are imported when an archive is read: most scans read none.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

MAX_MEMBERS = 100_000  # names read from one archive
MAX_NAME_BYTES = 16 << 20  # bytes of names read from one archive
MAX_UNPACKED = 512 << 20  # bytes of one compressed tar decompressed to walk its headers
MAX_HEADER = 1 << 20  # a GNU long name or a pax header larger than this is corrupt

# How a name ends -> "zip" or "tar" (a tar's compression is told by its first bytes).
KINDS = {
    ".zip": "zip",
    ".tar": "tar",
    ".tgz": "tar",
    ".tar.gz": "tar",
    ".tbz2": "tar",
    ".tar.bz2": "tar",
    ".txz": "tar",
    ".tar.xz": "tar",
}


class ArchiveError(Exception):
    """The archive cannot be listed (corrupt, encrypted, split): `why`, one line."""

    def __init__(self, why: Say):
        super().__init__(why.key)
        self.why = why


@dataclass
class Budget:
    """What the archives of one scan may still cost, together."""

    members: int = 1_000_000
    unpacked: int = 2 << 30


@dataclass
class Listing:
    """An archive's member names (folders end in "/"), and why the listing stopped early when
    it did (the names past that point were not checked)."""

    names: list[str] = field(default_factory=list)
    stopped: Say | None = None


# Something, then one of the extensions (the longest first), at the end of a name; in any
# ASCII case (Unicode's takes a dotless i for an i, and KINDS has no such extension).
_NAME = re.compile(
    ".(" + "|".join(re.escape(ext) for ext in sorted(KINDS, key=len, reverse=True)) + r")\Z",
    re.IGNORECASE | re.ASCII | re.DOTALL,
)


def kind(name: str) -> str | None:
    """The archive's kind, "zip" or "tar", when its member names are read; else None."""
    m = _NAME.search(name)
    return KINDS[m.group(1).lower()] if m else None


# _NAME on the last name of a path, searched in the last bytes only (a tree has many paths).
_PATH_NAME = re.compile("[^/]" + _NAME.pattern[1:], _NAME.flags)
_LONGEST = 1 + max(map(len, KINDS))


# The last characters of the names kind() takes (in ASCII case only, as _NAME).
LAST = frozenset(c for ext in KINDS for c in (ext[-1].lower(), ext[-1].upper()))


def kind_of_path(path: str) -> str | None:
    """kind() of the last name of `path` (segments split by "/")."""
    if not path or path[-1] not in LAST:
        return None
    m = _PATH_NAME.search(path, max(0, len(path) - _LONGEST))
    return KINDS[m.group(1).lower()] if m else None


def is_archive(name: str) -> bool:
    return kind(name) is not None


def list_names(fs: str, archive_kind: str, budget: Budget) -> Listing:
    """The member names of the archive at `fs` (never through a symlink), within the limits;
    OSError if it cannot be read, ArchiveError if it cannot be listed."""
    import lzma

    with source.open_nofollow(fs) as f:
        out = Listing()
        try:
            if archive_kind == "zip":
                _zip_names(f, out, budget)
            else:
                _tar_names(f, out, budget)
        except (EOFError, zlib.error, lzma.LZMAError, struct.error, ValueError) as e:
            raise ArchiveError(say("scan.archive.corrupt", error=e or type(e).__name__)) from None
        except OSError as e:
            if e.errno is not None:  # the file itself could not be read
                raise
            # A decompressor's complaint about its data (gzip, bz2): no errno.
            raise ArchiveError(say("scan.archive.corrupt", error=e)) from None
    return out


class _Names:
    """Adds names to a Listing until a limit is reached, then says which one."""

    def __init__(self, out: Listing, budget: Budget):
        self.out, self.budget, self.size = out, budget, 0

    def add(self, name: str, length: int) -> bool:
        """Whether `name` was added; False once a limit stops the listing."""
        if len(self.out.names) >= MAX_MEMBERS:
            self.out.stopped = say("scan.archive.members", n=f"{MAX_MEMBERS:,}")
        elif self.size + length > MAX_NAME_BYTES:
            self.out.stopped = say("scan.archive.name_bytes", size=size(MAX_NAME_BYTES))
        elif self.budget.members <= 0:
            self.out.stopped = say("scan.archive.scan_members")
        else:
            self.size += length
            self.budget.members -= 1
            self.out.names.append(name)
            return True
        return False


# zip ------------------------------------------------------------------------------------------

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # a central directory file header
_UTF8_NAME = 0x800  # general purpose flag bit 11: the name is UTF-8


def _zip_names(f: BinaryIO, out: Listing, budget: Budget) -> None:
    """Names from the central directory, entry by entry (zipfile would keep all of them)."""
    count, start = _zip_directory(f)
    f.seek(start)
    names = _Names(out, budget)
    for i in range(count):
        head = f.read(_CENTRAL.size)
        if len(head) < _CENTRAL.size or head[:4] != b"PK\x01\x02":
            raise ArchiveError(say("scan.archive.zip_entry", n=i + 1))
        fields = _CENTRAL.unpack(head)
        flags, name_len, extra_len, comment_len = fields[3], fields[10], fields[11], fields[12]
        raw = f.read(name_len)
        if len(raw) < name_len:
            raise ArchiveError(say("scan.archive.zip_cut_short", n=i + 1))
        if not names.add(_zip_name(raw, flags), name_len):
            return
        f.seek(extra_len + comment_len, 1)


def _zip_directory(f: BinaryIO) -> tuple[int, int]:
    """(number of members, offset of the central directory), from the end records."""
    size = f.seek(0, 2)
    tail_len = min(size, _EOCD.size + 0xFFFF)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or tail_len - at < _EOCD.size:
        raise ArchiveError(say("scan.archive.zip_no_directory"))
    _, disk, cd_disk, _, count, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, at)
    end = size - tail_len + at  # the central directory ends where the end record begins
    if 0xFFFF in (disk, cd_disk, count) or 0xFFFFFFFF in (cd_size, cd_offset):
        f.seek(max(0, end - _ZIP64_LOCATOR.size))
        locator = f.read(_ZIP64_LOCATOR.size)
        if len(locator) < _ZIP64_LOCATOR.size or locator[:4] != b"PK\x06\x07":
            raise ArchiveError(say("scan.archive.zip64_missing"))
        end = _ZIP64_LOCATOR.unpack(locator)[2]
        f.seek(end)
        record = f.read(_ZIP64_EOCD.size)
        if len(record) < _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
            raise ArchiveError(say("scan.archive.zip64_corrupt"))
        _, _, _, _, disk, cd_disk, _, count, cd_size, _ = _ZIP64_EOCD.unpack(record)
    if disk or cd_disk:
        raise ArchiveError(say("scan.archive.zip_split"))
    if cd_size > end:
        raise ArchiveError(say("scan.archive.zip_directory_size"))
    # Measured back from the end record, as zipfile does: data prepended to the zip (a
    # self-extracting stub) shifts the offsets the record gives.
    return count, end - cd_size


def _zip_name(raw: bytes, flags: int) -> str:
    """A member's name as a path with forward slashes: UTF-8 when flagged (or when it is
    valid UTF-8, as most tools write it without the flag), else code page 437."""
    if flags & _UTF8_NAME:
        name = raw.decode("utf-8", "surrogateescape")
    else:
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("cp437")
    return name.replace("\\", "/")


# tar ------------------------------------------------------------------------------------------

_BLOCK = 512
_NO_DATA = frozenset(b"123456")  # links, devices, folders, FIFOs: their size is not data


def _tar_names(f: BinaryIO, out: Listing, budget: Budget) -> None:
    """Names from the headers, one 512-byte block at a time; members' data is skipped."""
    stream = _decompressed(f)
    if stream is None:
        _tar_headers(f, out, budget, None)
        return
    if budget.unpacked <= 0:
        out.stopped = say("scan.archive.scan_unpacked")
        return
    limit = min(MAX_UNPACKED, budget.unpacked)
    try:
        _tar_headers(stream, out, budget, limit)
    finally:
        budget.unpacked -= stream.tell()


def _decompressed(f: BinaryIO) -> BinaryIO | None:
    """The decompressed stream of a .tar.gz, .tar.bz2 or .tar.xz (told by its first bytes,
    not by its name), or None for a plain tar."""
    magic = f.read(6)
    f.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        import gzip

        return gzip.GzipFile(fileobj=f)
    if magic.startswith(b"BZh"):
        import bz2

        return bz2.BZ2File(f)
    if magic.startswith(b"\xfd7zXZ\x00"):
        import lzma

        return lzma.LZMAFile(f)
    return None


def _tar_headers(stream: BinaryIO, out: Listing, budget: Budget, limit: int | None) -> None:
    names = _Names(out, budget)
    long_name: bytes | None = None
    while True:
        block = stream.read(_BLOCK)
        if not block or block == bytes(_BLOCK):
            return  # the end (two zero blocks; a missing end is accepted, as tar does)
        if len(block) < _BLOCK or not _checksum_ok(block):
            at = stream.tell() - len(block)
            raise ArchiveError(say("scan.archive.tar_header", at=f"{at:,}"))
        size, flag = _number(block[124:136]), block[156]
        if flag in b"LxX":  # a GNU long name, or a pax header: for the next member
            if size > MAX_HEADER:
                raise ArchiveError(say("scan.archive.tar_header_size", n=f"{size:,}"))
            data = stream.read(size)
            stream.seek(-size % _BLOCK, 1)
            long_name = data.split(b"\0", 1)[0] if flag == ord("L") else _pax_path(data)
            continue
        if flag not in b"gK":  # a global pax header, a GNU long link name: no member
            name = long_name if long_name is not None else _header_name(block)
            long_name = None
            text = name.decode("utf-8", "surrogateescape")
            if flag == ord("5") and not text.endswith("/"):
                text += "/"
            if not names.add(text, len(name)):
                return
            if flag == ord("S") and block[482]:  # old GNU sparse: extension headers first
                while (ext := stream.read(_BLOCK)) and len(ext) == _BLOCK and ext[504]:
                    pass
            if flag in _NO_DATA:
                continue
        if not _skip(stream, size + -size % _BLOCK, limit):
            out.stopped = _unpacked_stop(limit or 0)
            return


def _skip(stream: BinaryIO, n: int, limit: int | None) -> bool:
    """Skip `n` bytes of member data: a seek in a plain tar; in a compressed one, decompressing
    them a MiB at a time, and False once more than `limit` bytes were decompressed."""
    if limit is None:
        stream.seek(n, 1)
        return True
    while n > 0:
        step = min(n, 1 << 20)
        stream.seek(step, 1)
        n -= step
        if stream.tell() > limit:
            return False
    return stream.tell() <= limit


def _unpacked_stop(limit: int) -> Say:
    return say("scan.archive.unpacked", size=size(limit))


def _header_name(block: bytes) -> bytes:
    name = block[:100].split(b"\0", 1)[0]
    if block[257:262] == b"ustar":
        prefix = block[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name


def _checksum_ok(block: bytes) -> bool:
    """The header's checksum: its bytes summed with the checksum field read as spaces
    (unsigned, or signed as some old tars wrote it)."""
    try:
        stored = _number(block[148:156])
    except ArchiveError:
        return False
    rest = block[:148] + b" " * 8 + block[156:]
    return stored in (sum(rest), sum(b - 256 if b > 127 else b for b in rest))


def _number(field: bytes) -> int:
    """A numeric header field: octal text, or GNU's base-256 when its first bit is set."""
    if field[:1] and field[0] & 0x80:
        if field[0] == 0xFF:
            raise ArchiveError(say("scan.archive.tar_negative_size"))
        return int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
    text = field.split(b"\0", 1)[0].strip()
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise ArchiveError(say("scan.archive.tar_number", field=repr(text[:12]))) from None


def _pax_path(data: bytes) -> bytes | None:
    """The `path` of a pax extended header: records `LENGTH key=value\\n`."""
    pos, path = 0, None
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        length = int(data[pos:space] or b"0")
        if length <= 0:
            break
        record = data[space + 1 : pos + length].rstrip(b"\n")
        key, _, value = record.partition(b"=")
        if key == b"path":
            path = value
        pos += length
    return path
