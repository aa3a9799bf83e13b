"""Every citation format read back by a real parser or validated by its official schema, and
compared with the model field by field: a renderer bug or a wrong data edit fails here."""

from __future__ import annotations

import calendar
import json
import re
import subprocess

import bibtexparser
import jsonschema
import pytest
import rispy
import yaml
from bibtexparser import middlewares as mw
from conftest import ROOT, require_program

from casme3_compliance.knowledge.model import Author, Citation
from casme3_compliance.render import citation as cit

SCHEMAS = ROOT / "tests" / "schemas"
EN_DASH = "\u2013"


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / name).read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _initials(given: str) -> str:
    """Independent of the module: first letter of each hyphen part, hyphen kept."""
    return "-".join(p[0] + "." for p in given.split("-"))


@pytest.fixture
def c(kb) -> Citation:
    return kb.citation


# --- API --------------------------------------------------------------------------------------


def test_formats_are_the_agreed_tuple():
    assert cit.FORMATS == ("bibtex", "biblatex", "ris", "apa", "ieee", "csl-json", "cff")


@pytest.mark.parametrize("fmt", cit.FORMATS)
def test_every_format_renders_deterministically(c, fmt):
    text = cit.render(c, fmt)
    assert text and text == cit.render(c, fmt)


@pytest.mark.parametrize("fmt", ["x", "BibTeX", "", "bib"])
def test_unknown_format_is_a_one_line_value_error(c, fmt):
    with pytest.raises(ValueError) as info:
        cit.render(c, fmt)
    assert str(info.value) == (
        f"unknown citation format {fmt!r} (choose from {', '.join(cit.FORMATS)})"
    )
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("fmt", cit.FORMATS)
def test_no_template_delimiters(c, fmt):
    """Pages and READMEs go through Jinja (MkDocs macros) or Liquid (Jekyll)."""
    text = cit.render(c, fmt)
    assert [tag for tag in ("{{", "{%", "{#") if tag in text] == []


def test_renderer_holds_no_literal_from_the_record(c):
    source = (ROOT / "src" / "casme3_compliance" / "render" / "citation.py").read_text("utf-8")
    literals = [c.doi, c.container, c.container_abbrev, c.key, c.title[:20]]
    literals += [a.given for a in c.authors if len(a.given) > 2]
    literals += [str(c.first_page), str(c.last_page)]
    assert [lit for lit in literals if lit in source] == []


# --- BibTeX and biblatex ------------------------------------------------------------------------


def _parse_bib(text: str, *extra: mw.Middleware) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text, append_middleware=list(extra))
    assert library.failed_blocks == []
    assert len(library.entries) == 1
    return library


def _change_case_t(title: str) -> str:
    """BibTeX's change.case$ "t" (what sentence-case styles apply): lower every letter at
    brace depth 0 except the first character; braced groups are left alone."""
    out, depth = [], 0
    for i, ch in enumerate(title):
        depth += ch == "{"
        out.append(ch if depth or i == 0 else ch.lower())
        depth -= ch == "}"
    return "".join(out)


def _assert_common_bib_fields(c: Citation, text: str) -> bibtexparser.model.Entry:
    entry = _parse_bib(text).entries[0]
    assert entry.key == c.key
    assert entry.entry_type == "article"
    assert entry["author"].split(" and ") == [f"{a.family}, {a.given}" for a in c.authors]
    names = _parse_bib(text, mw.SeparateCoAuthors(), mw.SplitNameParts()).entries[0]["author"]
    assert [(n.last, n.first, n.von, n.jr) for n in names] == [
        ([a.family], [a.given], [], []) for a in c.authors
    ]
    assert entry["title"] == cit.bibtex_title(c)
    assert entry["volume"] == c.volume
    assert entry["number"] == c.number
    assert entry["pages"] == f"{c.first_page}--{c.last_page}"
    assert entry["doi"] == c.doi
    return entry


def test_bibtex_reads_back_field_by_field(c):
    text = cit.render(c, "bibtex")
    entry = _assert_common_bib_fields(c, text)
    assert entry["journal"] == c.container
    assert entry["year"] == str(c.year)
    month = _parse_bib(text, mw.MonthIntMiddleware()).entries[0]["month"]
    assert month == c.month
    raw = bibtexparser.parse_string(text, parse_stack=[]).entries[0]
    assert re.fullmatch(r"[a-z]{3}", raw["month"]), "month must be the bare BibTeX macro"
    assert raw["title"] == f'"{cit.bibtex_title(c)}"', "a title opening with braces is quoted"
    assert raw["journal"] == "{" + c.container + "}"
    assert [f.key for f in entry.fields] == [
        "author",
        "title",
        "journal",
        "year",
        "volume",
        "number",
        "pages",
        "month",
        "doi",
    ]


def test_biblatex_reads_back_field_by_field(c):
    text = cit.render(c, "biblatex")
    entry = _assert_common_bib_fields(c, text)
    assert entry["journaltitle"] == c.container
    assert entry["date"] == f"{c.year:04d}-{c.month:02d}-{c.day:02d}"
    assert [f.key for f in entry.fields] == [
        "author",
        "title",
        "journaltitle",
        "date",
        "volume",
        "number",
        "pages",
        "doi",
    ]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_bib_layout(c, fmt):
    text = cit.render(c, fmt)
    lines = text.splitlines()
    assert lines[0] == f"@article{{{c.key},"
    assert lines[-1] == "}" and text.endswith("}\n")
    assert all(re.match(r"  [a-z]+ = ", line) for line in lines[1:-1])
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


def test_bibtex_title_protects_the_name_from_case_changes(c):
    title = cit.bibtex_title(c)
    name = c.name_forms["latex"]
    assert "{" + name + "}" in title
    assert "{" + name + "}" in _change_case_t(title)
    decoded = _parse_bib(cit.render(c, "bibtex"), mw.LatexDecodingMiddleware()).entries[0]
    assert decoded["title"].replace(name, c.name_forms["unicode"]) == c.title


@pytest.mark.parametrize("style", ["plain", "ieeetr"])
def test_real_bibtex_reads_it_without_warnings(c, tmp_path, style):
    require_program("bibtex", "texlive-base texlive-binaries")
    (tmp_path / "ref.bib").write_text(cit.render(c, "bibtex"), "utf-8")
    aux = f"\\relax\n\\citation{{{c.key}}}\n\\bibstyle{{{style}}}\n\\bibdata{{ref}}\n"
    (tmp_path / "t.aux").write_text(aux, "utf-8")
    run = subprocess.run(["bibtex", "t"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    assert "Warning" not in (tmp_path / "t.blg").read_text("utf-8")
    bbl = " ".join((tmp_path / "t.bbl").read_text("utf-8").split())
    assert "{" + c.name_forms["latex"] + "}" in bbl, "the style lowered the database name"
    assert all(a.family in bbl for a in c.authors)


def test_bibtex_title_braces_a_bare_name_and_acronyms_once(c):
    name = c.name_forms["latex"]
    bare = c.replace(title_latex=f"{name}: Results on RGB-D and {{3D}} Data")
    title = cit.bibtex_title(bare)
    assert title == f"{{{name}}}: Results on {{RGB-D}} and {{3D}} Data"
    assert _change_case_t(title) == f"{{{name}}}: results on {{RGB-D}} and {{3D}} data"


def test_bibtex_escapes_tex_specials_in_plain_fields(c):
    odd = c.replace(container="Patterns & Signals")
    assert _parse_bib(cit.render(odd, "bibtex")).entries[0]["journal"] == r"Patterns \& Signals"


# --- RIS ---------------------------------------------------------------------------------------


def test_ris_reads_back_field_by_field(c):
    text = cit.render(c, "ris")
    (entry,) = rispy.loads(text)
    assert entry == {
        "type_of_reference": "JOUR",
        "authors": [f"{a.family}, {a.given}" for a in c.authors],
        "title": c.title,
        "secondary_title": c.container,
        "alternate_title1": c.container_abbrev,
        "year": str(c.year),
        "date": f"{c.year:04d}/{c.month:02d}/{c.day:02d}",
        "volume": c.volume,
        "number": c.number,
        "start_page": str(c.first_page),
        "end_page": str(c.last_page),
        "doi": c.doi,
        "urls": [c.url],
    }


def test_ris_layout(c):
    text = cit.render(c, "ris")
    assert "\r" not in text and text.endswith("\n")
    lines = text.splitlines()
    assert lines[0] == "TY  - JOUR" and lines[-1] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)


# --- CSL-JSON ----------------------------------------------------------------------------------


def test_csl_json_validates_against_the_official_schema(c):
    text = cit.render(c, "csl-json")
    assert text.endswith("}\n]\n")
    data = json.loads(text)
    _validator("csl-data.json").validate(data)
    assert data == [cit.as_csl(c)]


def test_csl_json_matches_the_model(c):
    (item,) = json.loads(cit.render(c, "csl-json"))
    assert item["id"] == c.key
    assert item["type"] == "article-journal"
    assert item["author"] == [{"family": a.family, "given": a.given} for a in c.authors]
    assert item["title"] == c.title
    assert item["container-title"] == c.container
    assert item["container-title-short"] == c.container_abbrev
    assert (item["volume"], item["issue"]) == (c.volume, c.number)
    assert item["page"] == f"{c.first_page}-{c.last_page}"
    assert item["issued"] == {"date-parts": [[c.year, c.month, c.day]]}
    assert (item["DOI"], item["URL"]) == (c.doi, c.url)


def test_csl_schema_is_not_vacuous(c):
    with pytest.raises(jsonschema.ValidationError):
        _validator("csl-data.json").validate([{**cit.as_csl(c), "pages": "1-2"}])


# --- CFF ---------------------------------------------------------------------------------------

MINIMAL_CFF = """\
cff-version: 1.2.0
message: If you use this software, please cite it using the metadata from this file.
title: Some project
authors:
  - family-names: Doe
    given-names: Jane
"""


def test_cff_snippet_embedded_validates_against_the_cff_1_2_0_schema(c):
    snippet = cit.render(c, "cff")
    assert snippet.startswith("# ") and snippet.splitlines()[1] == "references:"
    document = yaml.safe_load(MINIMAL_CFF + snippet)
    _validator("cff-1.2.0.schema.json").validate(document)


def test_cff_matches_the_model(c):
    (ref,) = yaml.safe_load(cit.render(c, "cff"))["references"]
    assert ref["type"] == "article"
    assert ref["authors"] == [{"family-names": a.family, "given-names": a.given} for a in c.authors]
    assert ref["title"] == c.title
    assert ref["journal"] == c.container
    assert (ref["year"], ref["month"]) == (c.year, c.month)
    assert (str(ref["volume"]), str(ref["issue"])) == (c.volume, c.number)
    assert (ref["start"], ref["end"]) == (c.first_page, c.last_page)
    assert (ref["doi"], ref["url"]) == (c.doi, c.url)
    assert ref == cit.as_cff_reference(c)


def test_cff_schema_is_not_vacuous(c):
    document = yaml.safe_load(MINIMAL_CFF + cit.render(c, "cff"))
    del document["references"][0]["type"]
    with pytest.raises(jsonschema.ValidationError):
        _validator("cff-1.2.0.schema.json").validate(document)


# --- APA and IEEE ------------------------------------------------------------------------------


def test_apa_structure(c):
    text = cit.render(c, "apa")
    names = [f"{a.family}, {_initials(a.given)}" for a in c.authors]
    head = ", ".join(names[:-1]) + ", & " + names[-1] + f" ({c.year}). "
    assert text.startswith(head)
    title = text[len(head) : text.index(". " + c.container + ", ")]
    assert text.endswith(
        f". {c.container}, {c.volume}({c.number}), {c.first_page}{EN_DASH}{c.last_page}. "
        f"https://doi.org/{c.doi}"
    )
    assert "\n" not in text
    # Sentence case: only the first word, the first after a colon and the name keep capitals.
    name = c.name_forms["unicode"]
    for i, (got, want) in enumerate(zip(title.split(), c.title.split(), strict=True)):
        after_colon = i > 0 and c.title.split()[i - 1].endswith(":")
        assert got == (want if i == 0 or after_colon or name in want else want.lower())
    assert title.startswith(name)


def test_hyphenated_given_names_keep_the_hyphen(c):
    hyphenated = [a for a in c.authors if "-" in a.given]
    assert hyphenated, "the record has hyphenated given names (Su-Jing, Wen-Jing)"
    apa, ieee = cit.render(c, "apa"), cit.render(c, "ieee")
    for a in hyphenated:
        first, second = a.given.split("-")
        assert f"{a.family}, {first[0]}.-{second[0]}." in apa
        assert f"{first[0]}.-{second[0]}. {a.family}" in ieee


def test_ieee_structure(c):
    text = cit.render(c, "ieee")
    names = [f"{_initials(a.given)} {a.family}" for a in c.authors]
    head = ", ".join(names[:-1]) + ", and " + names[-1] + ", "
    assert text.startswith(head)
    # IEEE abbreviates months to "Mar.", but writes "May", "June", "July" and "Sept.".
    month = calendar.month_abbr[c.month]
    pattern = (
        re.escape(
            f"\u201c{c.title},\u201d {c.container_abbrev}, vol. {c.volume}, no. {c.number}, "
            f"pp. {c.first_page}{EN_DASH}{c.last_page}, "
        )
        + rf"{month}[a-z]*\.? {c.year}"
        + re.escape(f", doi: {c.doi}.")
    )
    assert re.fullmatch(pattern, text[len(head) :])


def test_author_lists_of_other_lengths(c):
    one = c.replace(authors=c.authors[:1])
    two = c.replace(authors=c.authors[:2])
    a, b = c.authors[:2]
    apa_a, apa_b = f"{a.family}, {_initials(a.given)}", f"{b.family}, {_initials(b.given)}"
    assert cit.render(one, "apa").startswith(f"{apa_a} ({c.year}).")
    assert cit.render(two, "apa").startswith(f"{apa_a}, & {apa_b} ({c.year}).")
    ieee_a, ieee_b = f"{_initials(a.given)} {a.family}", f"{_initials(b.given)} {b.family}"
    assert cit.render(one, "ieee").startswith(f"{ieee_a}, \u201c")
    assert cit.render(two, "ieee").startswith(f"{ieee_a} and {ieee_b}, \u201c")


def test_apa_shortens_more_than_twenty_authors(c):
    many = tuple(Author(given=f"Given{i}", family=f"Family{i}") for i in range(25))
    text = cit.render(c.replace(authors=many), "apa")
    assert "Family18, G." in text and "Family19" not in text
    assert "Family18, G., . . . Family24, G. (" in text


def test_question_titles_take_no_extra_punctuation(c):
    q = c.replace(title="Can We Spot It?")
    assert "Can we spot it? " + c.container in cit.render(q, "apa")
    assert "\u201cCan We Spot It?\u201d " in cit.render(q, "ieee")


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given,expected",
    [
        ("Jingting", "J."),
        ("Su-Jing", "S.-J."),
        ("Mary Ann", "M. A."),
        ("Jean-Luc Paul", "J.-L. P."),
    ],
)
def test_initials(given, expected):
    assert cit.initials(given) == expected


@pytest.mark.parametrize(
    "title,keep,expected",
    [
        ("A Study of Faces", (), "A study of faces"),
        ("Faces: A Study of IEEE 3D Data", (), "Faces: A study of IEEE 3D data"),
        ("X(Y)² Is Here: Why Not? Because", ("X(Y)²",), "X(Y)² is here: Why not? Because"),
        ("the lower start", (), "The lower start"),
        ("Micro-Expression Spotting", (), "Micro-expression spotting"),
    ],
)
def test_sentence_case(title, keep, expected):
    assert cit.sentence_case(title, keep) == expected
