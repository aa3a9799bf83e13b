"""Text that is safe to print on a terminal or in a one-line record.

A file name or a typed reference can hold ESC (the sequences that move the cursor, retitle the
window or write the clipboard), CR or LF (which forge or split a record), DEL, C1 controls (CSI
0x9b, NEL 0x85), the bidi controls that reorder what is shown (U+202A-U+202E, U+2066-U+2069,
and the marks U+061C, U+200E, U+200F) and the line and paragraph separators (U+2028, U+2029)
that str.splitlines splits a record on. Human-readable output shows each as `\\n`, `\\r`,
`\\t`, `\\xNN` or `\\uNNNN`; JSON and SARIF keep the exact text and escape it their own way.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """`text` with every control character shown as an escape."""
    return _CONTROL.sub(_escaped, text)


def _escaped(m: re.Match[str]) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
