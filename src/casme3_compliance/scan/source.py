"""Open a file without following symlinks, and read it as UTF-8 bytes whatever BOM it starts with.

The text patterns (patterns.py) are ASCII bytes, so UTF-8 is all the rules need. A file in UTF-16
or UTF-32 with a byte order mark would hide every match between NUL bytes: it is transcoded to
UTF-8 block by block as it is read (memory stays bounded), so its text is found and its columns,
counted in characters, stay right. A UTF-8 byte order mark is dropped: it is no character of the
text. Anything else is passed on as it is; the reader of the stream notes what is not UTF-8.

Every read refuses symlinks (O_NOFOLLOW) and anything that is not a regular file (O_NONBLOCK, so
that a pipe put in a file's place cannot block the scan).
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from typing import BinaryIO

# (byte order mark, codec, label); UTF-32LE's mark begins with UTF-16LE's, so it comes first.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE"),
    (codecs.BOM_UTF8, None, "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
)
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0)
NOT_REGULAR = "not a regular file"
"""The strerror of the OSError for a file that is not a regular one: the scan words it itself."""


def open_nofollow(fs: str) -> BinaryIO:
    """`fs` opened for reading; OSError if it cannot be, if it is a symlink (ELOOP) or if it is
    not a regular file."""
    fd = os.open(fs, _FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, NOT_REGULAR)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class Utf8Reader:
    """The UTF-8 bytes of a binary stream: as they are, or transcoded from the encoding its byte
    order mark names (told by the first read). `read(n)` gives b"" only at the end."""

    def __init__(self, f: BinaryIO):
        self._f = f
        self.encoding: str | None = None  # the encoding transcoded, for a note
        self.start = 0  # bytes of the stream before its text (the byte order mark)
        self.raw = 0  # bytes read from the stream
        self.invalid_at: int | None = None  # the first byte not valid in `encoding`
        self._codec: str | None = None
        self._decoder: codecs.IncrementalDecoder | None = None
        self._started = False

    def read(self, n: int) -> bytes:
        raw = self._f.read(max(n, 4))
        self.raw += len(raw)
        if not self._started:
            self._started = True
            raw = self._sniff(raw)
        if self._decoder is None:
            return raw
        while True:
            final = not raw
            text = self._decode(raw, final)
            if text or final:
                return text.encode("utf-8", "surrogatepass")
            raw = self._f.read(n)
            self.raw += len(raw)

    def _sniff(self, head: bytes) -> bytes:
        """The first bytes without their byte order mark; a decoder when it names UTF-16 or
        UTF-32."""
        bom, codec, label = next((b for b in BOMS if head.startswith(b[0])), (b"", None, None))
        self.start = len(bom)
        if codec is not None:
            self.encoding, self._codec = label, codec
            self._decoder = codecs.getincrementaldecoder(codec)()
        return head[len(bom) :]

    def _decode(self, raw: bytes, final: bool) -> str:
        """Decode strictly until the first invalid sequence, which is noted; from there on,
        with replacement characters (U+FFFD), so the rest of the text is still read."""
        decoder = self._decoder
        assert decoder is not None and self._codec is not None
        if self.invalid_at is not None:
            return decoder.decode(raw, final)
        pending = decoder.getstate()[0]
        try:
            return decoder.decode(raw, final)
        except UnicodeDecodeError as e:
            # Offsets of the error are in `pending + raw`; `pending` was read before `raw`.
            self.invalid_at = self.raw - len(raw) - len(pending) + e.start
            self._decoder = codecs.getincrementaldecoder(self._codec)("replace")
            return self._decoder.decode(pending + raw, final)
