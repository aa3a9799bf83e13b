"""Errors that reach a user as one line, never as a traceback."""

from __future__ import annotations


class DataError(Exception):
    """The knowledge base in data/ is wrong; the message names the file and the line or key."""

    def __init__(self, file: str, message: str, line: int | None = None, key: str | None = None):
        self.file, self.line, self.key, self.message = file, line, key, message
        where = file if line is None else f"{file}:{line}"
        if key:
            where += f": {key}"
        super().__init__(f"{where}: {message}")


class RefError(ValueError):
    """A text is not a reference to a CAS(ME)³ subject; the message says why."""
