"""What a pattern of the data says before it is compiled: validation and the scanner read it
alike."""

from __future__ import annotations

from re import _constants, _parser  # type: ignore[attr-defined]


def literal_prefix(pattern: str) -> str:
    """The characters every match of `pattern` starts with (`sp ?no` -> `sp`)."""
    out = []
    for op, av in _parser.parse(pattern):
        if op is not _constants.LITERAL:
            break
        out.append(chr(av))
    return "".join(out)
