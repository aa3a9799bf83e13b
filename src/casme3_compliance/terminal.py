"""Text that is safe to print on a terminal: no control sequence from input or a file name.

A file name or a typed reference can hold ESC (colours, OSC 0 window titles, OSC 52 clipboard
writes), `\\r` (overprinting) or a newline (a forged extra line). Human-readable output shows
each such character as an escape (`\\x1b`, `\\r`, `\\u202e`) instead; machine formats (JSON,
SARIF) keep the exact text and escape it their own way.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode bidirectional controls that reorder what is shown.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def safe(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character shown as an escape (newlines kept if asked)."""
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return _UNSAFE.sub(_escape, text)
