"""The grammar /api/subjects.json ships to the site's parser (no browser needed).

The browser tests prove the JavaScript reads references as the package does; these check the
export itself, so a grammar change JavaScript would read differently fails here first.
"""

from __future__ import annotations

import re

import pytest

import casme3_compliance as c3
from casme3_compliance.render import api


def test_error_templates_are_the_parsers_own_messages(kb):
    errors = api.syntax(kb)["errors"]
    for text, template in [
        ("", errors["empty"]),
        ("abc", errors["syntax"]),
        ("  spNO.13a ", errors["syntax"]),
        ("1234567", errors["too_long"]),
        ("spNO.250", errors["range"]["AB"]),
        ("Part C 32", errors["range"]["C"]),
    ]:
        with pytest.raises(c3.RefError) as e:
            c3.parse_ref(text, kb)
        assert str(e.value) == template.replace("{input}", text.strip()), text


def test_max_digits_is_where_the_parser_stops_reading_numbers(kb):
    n = api.syntax(kb)["max_digits"]
    with pytest.raises(c3.RefError, match="numbered"):  # read, and out of range
        c3.parse_ref("1".ljust(n, "0"), kb)
    with pytest.raises(c3.RefError, match="too long"):
        c3.parse_ref("1".ljust(n + 1, "0"), kb)
    # Leading zeros are not digits of the number: the scanner reads spNO.0…0131 as 131 too.
    assert c3.parse_ref("spNO." + "131".zfill(n + 5), kb) == c3.SubjectRef("AB", 131)


def test_patterns_mean_the_same_in_python_and_javascript(kb):
    """ASCII only, and none of the constructs whose meaning differs between the two engines."""
    syntax = api.syntax(kb)
    patterns = [f["pattern"] for f in syntax["forms"]] + [syntax["list_separators"], syntax["bare"]]
    for pattern in patterns:
        key = pattern
        assert pattern.isascii(), key
        assert not re.search(r"\\[dDwWsSbBAZ]|\(\?[P<=!]|\(\?[a-z]", pattern), (key, pattern)
    assert syntax["strip"].isascii() and not syntax["strip"].strip()


@pytest.mark.parametrize(
    "text", ["spNO.\uff11\uff13\uff11", "\u00a0131", "C\uff12\uff17", "sp\u2003no 5"]
)
def test_non_ascii_digits_and_spaces_name_no_subject(kb, text):
    with pytest.raises(c3.RefError):
        c3.parse_ref(text, kb)
