"""The data says what the LA says: put back together, the clauses are the LA's text."""

from __future__ import annotations

import hashlib
import re

from conftest import DATA

AB_LIST = "[restricted Parts A/B list]"


def normalise(text: str) -> str:
    """Drop Markdown markup and layout, keep every word and punctuation mark."""
    text = text.replace("<sup>3</sup>", "³").replace("**", "")
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^- ", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


def source_text() -> str:
    text = (DATA / "source" / "casme3-license-agreement.txt").read_text("utf-8")
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("spNO."))
    last = max(i for i, ln in enumerate(lines) if ln.startswith("spNO."))
    return normalise("\n".join([*lines[:first], AB_LIST, *lines[last + 1 :]]))


def reassembled(kb) -> str:
    a = kb.agreement
    out = [a.title]
    for part in a.parts():
        if part.number:
            out.append(part.heading)
        for clause in part.clauses:
            out.append(clause.text)
            out.extend(clause.items)
            if clause.subjects == "AB":
                out.append(AB_LIST)
    return normalise("\n".join(out))


def test_clauses_reassemble_the_la(kb):
    assert reassembled(kb) == source_text()


def test_source_hash_is_recorded(kb):
    path = DATA / kb.agreement.source_file
    assert hashlib.sha256(path.read_bytes()).hexdigest() == kb.agreement.source_sha256


def test_section_titles_are_the_las(kb):
    assert [s.title for s in kb.agreement.sections] == [
        "Purpose of use",
        "The user",
        "Data storage and Distribution",
        "Citations",
        "Data right and potential changes",
        "Warranty",
    ]


def test_steps_and_fields_are_in_the_clause_text(kb):
    for clause in kb.agreement.clauses():
        for piece in (*clause.steps, *clause.fields):
            assert piece in clause.text, (clause.id, piece)
    s2 = kb.agreement.clause("S.2")
    assert kb.agreement.upload_url in s2.text
    assert len(s2.steps) == 6 and len(kb.agreement.clause("S.3").fields) == 7


def test_citation_matches_the_la_sentence(kb):
    cit = kb.citation
    assert cit.la_sentence == kb.agreement.clause(cit.clause).text
    assert cit.doi in cit.la_sentence and cit.title in cit.la_sentence
    assert cit.authors[0].family == "Li" and cit.la_sentence.startswith("J. Li et al.")
