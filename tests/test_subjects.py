"""The subject parser and verdicts, against the LA's own list and the shared vectors."""

from __future__ import annotations

import re

import pytest
from conftest import DB, VECTORS

import casme3_compliance as c3


def la_deny_list() -> list[int]:
    """The Parts A/B numbers as printed in the LA source, read independently of the YAML."""
    text = (DB / "source" / "casme3-license-agreement.txt").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.startswith("spNO.")]
    return [int(n) for ln in lines for n in re.findall(r"\d+", ln.removeprefix("spNO."))]


def test_deny_list_is_the_las_108_numbers(kb):
    numbers = la_deny_list()
    assert len(numbers) == 108
    assert list(kb.subjects.part("AB").list) == numbers
    assert kb.subjects.part("AB").restricted() == tuple(sorted(numbers))


def test_part_c_all_restricted_but_27(kb):
    part = kb.subjects.part("C")
    assert [n for n in part.numbers() if not part.is_restricted(n)] == [27]
    assert len(part.restricted()) == part.max - part.min


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: repr(c["input"]))
def test_parser_accepts(case, kb):
    assert c3.parse_ref(case["input"], kb) == c3.SubjectRef(case["part"], case["number"])


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: repr(c["input"]))
def test_parser_rejects(case, kb):
    with pytest.raises(c3.RefError):
        c3.parse_ref(case["input"], kb)
    with pytest.raises(c3.RefError):
        c3.verdict(case["input"], kb)


@pytest.mark.parametrize("case", VECTORS["lists"], ids=lambda c: repr(c["input"]))
def test_lists(case, kb):
    assert [(r.part, r.number) for r in c3.parse_refs(case["input"], kb)] == [
        tuple(r) for r in case["refs"]
    ]


def test_every_subject_has_the_right_verdict(kb):
    deny = set(la_deny_list())
    for n in range(1, 220):
        v = c3.verdict(c3.SubjectRef("AB", n), kb)
        assert v.restricted is (n in deny)
        assert v.clause == ("3.5" if v.restricted else "3.7")
        assert v.subject == f"spNO.{n}" and f"spNO.{n}" in v.message
    for n in range(1, 32):
        v = c3.verdict(c3.SubjectRef("C", n), kb)
        assert v.restricted is (n != 27)
        assert v.clause == "3.6"


def test_every_verdict_is_exactly_as_strong_as_the_la(kb):
    """Restricted: "should not be published", as the LA says. Not restricted: the permission's
    own limit (paper writing and academic presentation) and its conditions, never "may be
    published"; and never a claim that a subject with that number exists."""
    for part in kb.subjects.parts:
        for n in part.numbers():
            v = c3.verdict(c3.SubjectRef(part.key, n), kb)
            where = kb.agreement.clause(v.clause).where
            assert f"{v.clause}" in v.message and f"; {where}" in v.message
            assert v.where == str(where)
            assert "may be published" not in v.message and "may appear" not in v.message
            if v.restricted:
                assert "should not be published" in v.message
            else:
                assert "may be used in paper writing and academic presentation" in v.message
                assert "under conditions A, B and C" in v.message
    # A number on neither list says nothing about a subject having it.
    ab = kb.subjects.part("AB")
    free = [n for n in ab.numbers() if not ab.is_restricted(n)]
    for n in free:
        message = c3.verdict(c3.SubjectRef("AB", n), kb).message
        assert "a subject with this number" in message and "its images" not in message


def test_out_of_range_names_the_range(kb):
    with pytest.raises(c3.RefError, match="1 to 219"):
        c3.parse_ref("spNO.250", kb)
    with pytest.raises(c3.RefError, match="1 to 31"):
        c3.parse_ref("C40", kb)


def test_the_words_around_the_data_are_the_models_in_english(family):
    """verdicts.place and provenance_line say, from the catalogue, what Where.__str__ and
    Provenance.line() say in English: a clause's place reads the same on every page and output."""
    from casme3_compliance.knowledge.verdicts import place, provenance_line, provenance_stamp

    for db in family.databases:
        if db.agreement is None:
            continue
        for clause in db.agreement.clauses():
            assert place(db, clause.where) == str(clause.where)
        provenance = db.agreement.provenance
        assert provenance_line(db, provenance) == provenance.line()
        assert provenance_stamp(db, provenance) == provenance.stamp()


def test_the_parsers_messages_in_english_are_what_the_site_was_shipped(kb):
    """ref_messages(db) in a database's language; the old module constants (render/api.py)
    still read as they did."""
    from casme3_compliance.knowledge import verdicts

    messages = verdicts.ref_messages(kb)
    assert messages["empty"] == verdicts.MESSAGES["empty"] == "empty subject reference"
    syntax = verdicts.MESSAGES["syntax"].replace("{of}", f" of {kb.name}")
    assert messages["syntax"] == syntax.replace("{examples}", verdicts.examples(kb))
    for part in kb.subjects.parts:
        with pytest.raises(c3.RefError) as info:
            c3.parse_ref(part.name_of(part.max + 1), kb)
        assert str(info.value) == messages["range"][part.key].replace(
            "{input}", part.name_of(part.max + 1)
        )
    assert messages["notes"] == verdicts.NOTES
    assert "{subject}" in messages["unknown"] and "{subject}" in verdicts.UNKNOWN
