"""The /api/*.json documents: the data for tools and for the site's own scripts.

The site's JavaScript reads these instead of a second hand-written copy, so subject numbers,
ranges, clause links and verdict sentences have one source.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from functools import cache
from typing import Any

from casme3_compliance.errors import RefError
from casme3_compliance.model import KnowledgeBase, anchor_for
from casme3_compliance.subjects import _AB, _C, _LIST_SEPARATORS, parse_ref, templates

FILENAME_FORBIDDEN = r'[/\\:*?"<>|\x00-\x1f\x7f]'
"""Characters no file name may hold on Windows, macOS or Linux (a RegExp for Python and JS)."""


def _meta(kb: KnowledgeBase) -> dict[str, str]:
    return {"la_version": kb.agreement.version, "la_date": kb.agreement.taken}


def agreement(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        **_meta(kb),
        "title": kb.agreement.title,
        "owner": kb.agreement.owner,
        "disclaimer": kb.agreement.disclaimer,
        "upload_url": kb.agreement.upload_url,
        "filename_template": kb.agreement.filename_template,
        "filename_forbidden": FILENAME_FORBIDDEN,
        "sections": [
            {
                "number": part.number,
                "title": part.title,
                "clauses": [
                    {
                        "id": c.id,
                        "anchor": c.anchor,
                        "kind": c.kind,
                        "text": c.text,
                        "items": list(c.items),
                        "summary": c.summary,
                    }
                    for c in part.clauses
                ],
            }
            for part in kb.agreement.parts()
        ],
    }


def subjects(kb: KnowledgeBase) -> dict[str, Any]:
    parts = []
    for p in kb.subjects.parts:
        parts.append(
            {
                "key": p.key,
                "name": p.name,
                "numbering": p.numbering,
                "min": p.min,
                "max": p.max,
                "range_source": p.range_source.where,
                "restricted": list(p.restricted()),
                "clause": p.clause,
                "clause_anchor": anchor_for(p.clause),
                "allowed_clause": p.allowed_clause,
                "allowed_clause_anchor": anchor_for(p.allowed_clause),
                "templates": templates(kb, p),
            }
        )
    return {**_meta(kb), "parts": parts, "syntax": syntax(kb)}


# --- The subject-reference grammar for JavaScript ----------------------------------------------
#
# The site's parser runs the package's own regexes, so the two accept the same text. Python's
# `\d` and `\s` are Unicode classes (full-width digits, U+0085...) that JavaScript spells
# differently; they are written out as code-point ranges, which also give each digit its value.


@cache
def _ranges(kind: str) -> tuple[tuple[int, int], ...]:
    """Code points Python's `\\d` (str.isdecimal) or `\\s` (str.isspace) matches, as runs."""
    test = str.isdecimal if kind == "d" else str.isspace
    runs: list[list[int]] = []
    for cp in range(0x110000):
        if test(chr(cp)):
            if runs and runs[-1][1] == cp - 1:
                runs[-1][1] = cp
            else:
                runs.append([cp, cp])
    return tuple((lo, hi) for lo, hi in runs)


def _class_ranges(kind: str, ascii_only: bool) -> tuple[tuple[int, int], ...]:
    if ascii_only:
        return ((48, 57),) if kind == "d" else ((9, 13), (32, 32))
    return _ranges(kind)


_SAME_ESCAPES = frozenset("nrt^$\\.*+?()[]{}|/")


def js_pattern(regex: re.Pattern[str]) -> str:
    """`regex` as the source of a JavaScript RegExp with the `u` flag, matching the same text.

    Only what the subject grammar uses is translated; anything else raises, so a change to the
    grammar that JavaScript would read differently fails the build instead of drifting.
    """
    pattern, ascii_only = regex.pattern, bool(regex.flags & re.ASCII)
    if "(?" in pattern.replace("(?:", ""):
        raise ValueError(f"{pattern!r}: only (?:...) groups are translated")
    out, in_class, i = [], False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            esc = pattern[i + 1]
            if esc in "ds":
                body = "".join(
                    f"\\u{{{lo:x}}}" + (f"-\\u{{{hi:x}}}" if hi > lo else "")
                    for lo, hi in _class_ranges(esc, ascii_only)
                )
                out.append(body if in_class else f"[{body}]")
            elif esc in _SAME_ESCAPES or (in_class and esc == "-"):
                out.append(ch + esc)
            else:
                raise ValueError(f"\\{esc} in {pattern!r} has no JavaScript translation here")
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def _message(kb: KnowledgeBase, probe: str) -> str:
    """The parser's own error for `probe`, with the quoted input as an `{input}` slot."""
    try:
        parse_ref(probe, kb)
    except RefError as e:
        return str(e).replace(repr(probe.strip()), "{input}")
    raise AssertionError(f"{probe!r} was expected to be refused")


def _max_digits(kb: KnowledgeBase) -> int:
    """The longest run of digits the parser reads as a number (`000001` is subject 1)."""
    low = kb.subjects.parts[0].min
    n = 1
    while n < 64:
        try:
            parse_ref(str(low).zfill(n + 1), kb)
        except RefError:
            return n
        n += 1
    return n


def syntax(kb: KnowledgeBase) -> dict[str, Any]:
    """What the site's JavaScript needs to parse references exactly as `parse_ref` does."""
    flags = {_AB.flags & re.IGNORECASE, _C.flags & re.IGNORECASE}
    if len(flags) != 1:
        raise ValueError("the subject regexes disagree on case")
    max_digits = _max_digits(kb)
    ab, c = kb.subjects.part("AB"), kb.subjects.part("C")
    return {
        "about": "Try `patterns` in `order`, each against the whole stripped text; group 1 is "
        "the number. Strip and split with Python's whitespace (`spaces`); a digit's value is its "
        "offset from the start of its run in `digits`, modulo 10. `{input}` in an error is the "
        "stripped text as Python's repr() writes it.",
        "order": ["C", "AB"],
        "patterns": {"C": js_pattern(_C), "AB": js_pattern(_AB)},
        "flags": ("i" if flags.pop() else "") + "u",
        "list_separators": js_pattern(_LIST_SEPARATORS),
        "max_digits": max_digits,
        "digits": [list(r) for r in _class_ranges("d", bool(_AB.flags & re.ASCII))],
        "spaces": [list(r) for r in _ranges("s")],
        "errors": {
            "empty": _message(kb, ""),
            "syntax": _message(kb, "x"),
            "too_long": _message(kb, str(ab.min).zfill(max_digits + 1)),
            "range": {"AB": _message(kb, str(ab.max + 1)), "C": _message(kb, f"C{c.max + 1}")},
        },
    }


def citation(kb: KnowledgeBase) -> dict[str, Any]:
    return {**_meta(kb), **asdict(kb.citation)}


def checklists(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        **_meta(kb),
        "disclaimer": kb.agreement.disclaimer,
        "checklists": [
            {
                "id": c.id,
                "title": c.title,
                "intro": c.intro,
                "items": [
                    {
                        "id": i.id,
                        "text": i.text,
                        "clauses": [{"id": cid, "anchor": anchor_for(cid)} for cid in i.clauses],
                    }
                    for i in c.items
                ],
            }
            for c in kb.checklists
        ],
    }


DOCUMENTS = {
    "agreement": agreement,
    "subjects": subjects,
    "citation": citation,
    "checklists": checklists,
}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
