"""The data says what the LA says: put back together, the clauses are the LA's text."""

from __future__ import annotations

import hashlib
import re

from conftest import DB

AB_LIST = "[restricted Parts A/B list]"


def normalise(text: str) -> str:
    """Drop Markdown markup and layout, keep every word and punctuation mark."""
    text = text.replace("<sup>3</sup>", "³").replace("**", "")
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^- ", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


def source_text() -> str:
    text = (DB / "source" / "casme3-license-agreement.txt").read_text("utf-8")
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("spNO."))
    last = max(i for i, ln in enumerate(lines) if ln.startswith("spNO."))
    return normalise("\n".join([*lines[:first], AB_LIST, *lines[last + 1 :]]))


def reassembled(kb) -> str:
    a = kb.agreement
    out = [a.title]
    for part in a.parts:
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


def test_source_hashes_are_recorded(kb):
    p = kb.agreement.provenance
    for file, sha in ((p.text.file, p.text.sha256), (p.pdf.extracted, p.pdf.extracted_sha256)):
        assert hashlib.sha256((DB / file).read_bytes()).hexdigest() == sha


def typographic(text: str) -> str:
    """The words and punctuation two copies of the LA share, whatever their typography:
    Markdown markup, bullets, quote and comma styles, ellipses, the lost superscript."""
    text = normalise(text).replace("³", "3")
    for a, b in (("‘", "'"), ("’", "'"), ("\uff0c", ", "), ("…", "..."), ("●", "")):
        text = text.replace(a, b)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return " ".join(text.split())


def test_the_text_is_the_issuers_published_pdf_but_for_the_file_name(kb):
    """The provenance's claim, checked: the stored text and the text of the issuer's blank PDF
    say the same words, and differ only where `application.filename` says they do."""
    p, names = kb.agreement.provenance, kb.agreement.application.filename
    text = typographic((DB / p.text.file).read_text("utf-8"))
    pdf = typographic((DB / p.pdf.extracted).read_text("utf-8"))
    here, there = typographic(names.text), typographic(names.pdf)
    assert here != there and here in text and there in pdf
    assert text.replace(here, "<file name>") == pdf.replace(there, "<file name>")


def _section_paragraphs() -> dict[str, list[str]]:
    """The LA's prose paragraphs by section ("opening", "1"-"6", then "closing" and "form"),
    lists joined to the paragraph they follow, as the LA prints them."""
    text = (DB / "source" / "casme3-license-agreement.txt").read_text("utf-8")
    out: dict[str, list[str]] = {}
    section = "title"
    for block in re.split(r"\n\s*\n", text):
        lines = [normalise(line) for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        heading = re.fullmatch(r"(\d)\. .*", lines[0])
        if heading:
            section, lines = heading[1], lines[1:]
        elif section == "title" and lines[0].startswith("By signing"):
            section = "opening"
        if not lines:
            continue
        is_list = all(
            re.match(r"(spNO\.|[A-C]\. |proving|testing|using|selling|broad)", ln) for ln in lines
        )
        if is_list and out.get(section):
            continue  # lists belong to their paragraph; clause items hold them
        out.setdefault(section, []).append(" ".join(lines))
    # The LA's closing paragraph and form follow section 6 without a heading of their own.
    last = out.pop("6")
    out["6"], out["closing"], out["form"] = last[:1], last[1:2], last[2:]
    return out


def _sentences(paragraph: str) -> list[str]:
    return re.split(r"(?<=\.)\s+(?=[A-Z])", paragraph)


def test_each_clause_says_where_it_stands_in_the_la(kb):
    """`where` is the LA's own locator: section, paragraph, sentence or condition."""
    paragraphs = _section_paragraphs()
    for clause in kb.agreement.clauses():
        w = clause.where
        text = normalise(clause.text)
        if w.part == "form":
            assert text == normalise(" ".join(paragraphs["form"])), clause.id
            continue
        if w.condition:
            assert text.startswith(f"{w.condition}. "), clause.id
            continue
        paragraph = paragraphs[w.part or w.section][(w.paragraph or 1) - 1]
        if w.sentence:
            assert _sentences(paragraph)[w.sentence - 1] == text, clause.id
        else:
            assert paragraph == text, clause.id
        if w.paragraph is None and w.part is None:  # "section 5, sentence 2": one paragraph
            assert len(paragraphs[w.section]) == 1, clause.id


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
    app = kb.agreement.application
    s2 = kb.agreement.clause(app.la_clause)
    assert app.la_url in s2.text and app.filename.text in s2.text
    assert len(s2.steps) == 6 and len(kb.agreement.clause("S.3").fields) == 7
    pdf = (DB / kb.agreement.provenance.pdf.extracted).read_text("utf-8")
    assert app.filename.pdf.replace("'", "’") in pdf


def test_citation_matches_the_la_sentence(kb):
    cit = kb.citation
    assert cit.la_sentence == kb.agreement.clause(cit.clause).text
    assert cit.doi in cit.la_sentence and cit.title in cit.la_sentence
    assert cit.authors[0].family == "Li" and cit.la_sentence.startswith("J. Li et al.")
