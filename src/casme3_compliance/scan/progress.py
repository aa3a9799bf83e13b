"""What a long scan shows while it runs, on a terminal: files looked at, bytes read, where it is.

Only `casme3 scan` makes one, and only when its stderr is a terminal: the report (stdout, or
the file of `-o`) never holds a byte of it, and neither does a stderr read by a program. The
line appears once the scan has run for AFTER seconds (CASME3_PROGRESS_AFTER sets another
delay: tests use 0), is redrawn in place (carriage return, then erase to the end of the line)
at most once every EVERY seconds, never wider than the terminal, and is erased when the scan
ends, whatever ends it. Its words are data/i18n/<lang>/messages/cli.yaml's; the folder it
names is the user's, shown escaped (terminal.escape), so a name holding ESC or a newline
cannot move the cursor or forge a line.
"""

from __future__ import annotations

import os
import time

from casme3_compliance.terminal import columns, escape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import TextIO

    from casme3_compliance.scan.findings import Texts

AFTER = 1.0  # seconds of scanning before the line first shows
EVERY = 0.1  # seconds between two redraws at least
ENV = "CASME3_PROGRESS_AFTER"
_ERASE = "\r\x1b[K"  # back to the line's start, erase to its end


def delay(environ: Mapping[str, str] = os.environ) -> float | None:
    """The delay CASME3_PROGRESS_AFTER sets (seconds, 0 or more), AFTER when it is unset or
    empty; None when it is not a number of seconds (the caller says so)."""
    value = environ.get(ENV, "").strip()
    if not value:
        return AFTER
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


class Progress:
    """The progress line of one scan, written to `stream` (a terminal) in `t`'s language."""

    def __init__(
        self,
        stream: TextIO,
        t: Texts,
        after: float = AFTER,
        clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ):
        self.stream, self.t, self.clock = stream, t, clock
        self.files = 0  # files looked at (listed, or read)
        self.bytes = 0  # bytes of text read
        self.where = ""  # the folder (or archive) the scan is in
        self.due = clock() + after  # when the line may next be drawn
        self.shown = False
        self.draws = 0
        self._width = width

    def folder(self, path: str, files: int = 0) -> None:
        """The scan lists `path` (`files` more files listed)."""
        self.files += files
        self.where = path
        self._tick()

    def read(self, path: str, size: int) -> None:
        """The scan has read the text of file `path`, `size` bytes."""
        self.bytes += size
        self.where = os.path.dirname(path) or "."
        self._tick()

    def _tick(self) -> None:
        now = self.clock()
        if now >= self.due:
            self.due = now + EVERY
            self._draw()

    def _draw(self) -> None:
        width = max(self.width() - 1, 1)  # the last column would wrap on some terminals
        mib = f"{self.bytes / (1 << 20):,.1f}"
        where = escape(self.where)

        def line(folder: str) -> str:
            return self.t("cli.scan.progress", files=f"{self.files:,}", mib=mib, folder=folder)

        text = line(where)
        if columns(text) > width:  # keep the end of the folder's path, where the scan is
            room = width - columns(line("…"))
            tail = where[-room:] if room > 0 else ""
            while tail and columns(tail) > room:
                tail = tail[1:]
            text = line("…" + tail)
            while text and columns(text) > width:
                text = text[:-1]
        self.stream.write(_ERASE + text)
        self.stream.flush()
        self.shown = True
        self.draws += 1

    def width(self) -> int:
        if self._width is not None:
            return self._width
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            return 80

    def close(self) -> None:
        """Erase the line, if it was drawn."""
        if self.shown:
            self.stream.write(_ERASE)
            self.stream.flush()
            self.shown = False
