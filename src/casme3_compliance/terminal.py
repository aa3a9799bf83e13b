"""Text that is safe to print on a terminal or in a one-line record, and lines that fit.

A file name or a typed reference can hold ESC (the sequences that move the cursor, retitle the
window or write the clipboard), CR or LF (which forge or split a record), DEL, C1 controls (CSI
0x9b, NEL 0x85), the bidi controls that reorder what is shown (U+202A-U+202E, U+2066-U+2069,
and the marks U+061C, U+200E, U+200F) and the line and paragraph separators (U+2028, U+2029)
that str.splitlines splits a record on. Human-readable output shows each as `\\n`, `\\r`,
`\\t`, `\\xNN` or `\\uNNNN`; JSON and SARIF keep the exact text and escape it their own way.

Chinese (and Japanese, Korean) text has no spaces between words: a line may break between any
two wide characters, but never before a closing mark (a full stop, a comma, a closing bracket or
quote) nor after an opening one. `wrap` breaks so, with any measure: a terminal's columns (a
wide character takes two) for --help, a font's widths for the PDF.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable

# `re` is imported on first use, not at every start of the command line (`casme3 subject`
# escapes nothing it prints from the data, and its answers need no regular expression).
_CONTROL = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _re():
    found = sys.modules.get("re")
    if found is None:
        import re as found
    return found


def escape(text: str) -> str:
    """`text` with every control character shown as an escape."""
    return _re().sub(_CONTROL, _escaped, text)


def _escaped(m: re.Match[str]) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


# --- Lines that fit ---------------------------------------------------------------------------

# Wide characters: CJK ideographs, kana and punctuation, Hangul, full-width forms.
_WIDE = (
    r"\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3"
    r"\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
# Compiled on first use (by re's cache), not at every start of the command line.
_WIDE_CHAR = f"[{_WIDE}]"
# One unit of a line: a run of spaces, one wide character, or a word of other characters.
_ATOM = rf"\s+|[{_WIDE}]|[^\s{_WIDE}]+"
# What a line must not begin with, and what it must not end with (the rules of Chinese and
# Japanese typesetting, with their ASCII counterparts).
_NO_START = frozenset(
    "\uff0c\u3002\u3001\uff1b\uff1a\uff1f\uff01\uff09\u3011\u300d\u300f\u300b\u3009"
    "\u201d\u2019\u2026\u2014\u00b7%,.;:?!)]}"
)
_NO_END = frozenset("\uff08\u3010\u300c\u300e\u300a\u3008\u201c\u2018([{")


def has_wide(text: str) -> bool:
    """Whether `text` holds a wide (CJK) character."""
    return not text.isascii() and _re().search(_WIDE_CHAR, text) is not None


def columns(text: str) -> int:
    """How many columns a terminal gives `text`: two for each wide character."""
    if text.isascii():
        return len(text)
    return len(text) + len(_re().findall(_WIDE_CHAR, text))


def _breaks_before(atoms: list[str], i: int) -> bool:
    """Whether a line may end before atoms[i]: at a space, or beside a wide character unless a
    closing mark would begin the next line or an opening mark end this one."""
    this, prev = atoms[i], atoms[i - 1]
    if this.isspace() or prev.isspace():
        return True
    re = _re()
    if re.fullmatch(_WIDE_CHAR, this) is None and re.fullmatch(_WIDE_CHAR, prev) is None:
        return False
    return this[0] not in _NO_START and prev[-1] not in _NO_END


def wrap(text: str, width: float, measure: Callable[[str], float] = columns) -> list[str]:
    """`text` (its spaces collapsed) in lines no wider than `width` as `measure` measures, broken
    at spaces and between wide characters as the typesetting rules allow; a word wider than a
    line (a long URL) is cut between characters. A line is never wider than `width`, unless
    one character is."""
    lines: list[str] = []
    line: list[str] = []
    for atom in _re().findall(_ATOM, " ".join(text.split())):
        line.append(atom)
        while len(line) > 1 and measure("".join(line).strip()) > width:
            # The last break the rules allow; where there is none (a word and the closing marks
            # after it are wider than a line), the last one between two units: the line fits.
            allowed = (k for k in range(len(line) - 1, 0, -1) if _breaks_before(line, k))
            cut = next(allowed, len(line) - 1)
            lines.append("".join(line[:cut]).strip())
            line = line[cut:]
            while line and line[0].isspace():
                line.pop(0)
        if len(line) == 1 and measure(line[0]) > width:  # one word, wider than a line
            word = line.pop()
            while word:
                n = len(word)
                while n > 1 and measure(word[:n]) > width:
                    n -= 1
                lines.append(word[:n])
                word = word[n:]
            line = [lines.pop()]
    rest = "".join(line).strip()
    return [*lines, rest] if rest or not lines else lines
