"""The grammar /api/subjects.json exports for the site's parser (no browser needed).

The browser tests prove the JavaScript reads references as the package does; these check the
export itself, so a grammar change JavaScript cannot follow fails here first.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

import casme3_compliance as c3
from casme3_compliance import api


def test_error_templates_are_the_parsers_own_messages(kb):
    errors = api.syntax(kb)["errors"]
    for text, template in [
        ("", errors["empty"]),
        ("abc", errors["syntax"]),
        ("  spNO.13a ", errors["syntax"]),
        ("0000001", errors["too_long"]),
        ("spNO.250", errors["range"]["AB"]),
        ("Part C 32", errors["range"]["C"]),
    ]:
        with pytest.raises(c3.RefError) as e:
            c3.parse_ref(text, kb)
        assert str(e.value) == template.replace("{input}", repr(text.strip())), text


def test_max_digits_is_where_the_parser_stops_reading_numbers(kb):
    n = api.syntax(kb)["max_digits"]
    assert c3.parse_ref("1".zfill(n), kb) == c3.SubjectRef("AB", 1)
    with pytest.raises(c3.RefError, match="too long"):
        c3.parse_ref("1".zfill(n + 1), kb)


def test_digit_runs_start_at_zero_so_offsets_give_values(kb):
    runs = api.syntax(kb)["digits"]
    assert [48, 57] in runs and [0xFF10, 0xFF19] in runs
    for lo, hi in runs:
        assert (hi - lo + 1) % 10 == 0
        for cp in range(lo, hi + 1):
            assert chr(cp).isdecimal() and unicodedata.decimal(chr(cp)) == (cp - lo) % 10


def test_class_translation(kb):
    assert api.js_pattern(re.compile(r"[,;\n]+")) == r"[,;\n]+"
    spaces = "".join(
        f"\\u{{{lo:x}}}" + (f"-\\u{{{hi:x}}}" if hi > lo else "") for lo, hi in api._ranges("s")
    )
    assert api.js_pattern(re.compile(r"a\s[\s.]")) == f"a[{spaces}][{spaces}.]"
    assert api.js_pattern(re.compile(r"\d", re.ASCII)) == r"[\u{30}-\u{39}]"
    for unsupported in (r"\w+", r"(?P<n>\d)", r"\bC", r"(?i)c"):
        with pytest.raises(ValueError):
            api.js_pattern(re.compile(unsupported))
