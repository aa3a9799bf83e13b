"""Each scan rule, positive and negative: the examples in data/rules.yaml, then golden trees."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import DATA, ROOT
from family_support import with_family
from test_scan_support import FAKE, codes, rel, run, tree

import casme3_compliance as c3
from casme3_compliance.render import citation
from casme3_compliance.scan import scan
from casme3_compliance.scan.rules import Registry, implemented

RULES = c3.load(DATA, cache=False).rules
FIXTURES = ROOT / "tests" / "fixtures" / "scan"


# The rule pages show these examples: each bad one must trigger its rule, each good one not,
# judged against the whole family (each database's own data, or a stand-in until it has some).


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    return c3.load_family(with_family(tmp_path_factory.mktemp("family")), cache=False)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_bad_example_triggers_its_rule(rule, whole, tmp_path):
    tree(tmp_path, {rule.bad.file: rule.bad.content or FAKE})
    found = [f for f in run(tmp_path, whole, select=rule.code).findings if f.code == rule.code]
    assert found, rule.bad
    about = None if rule.applies == "scanner" else (rule.database or whole.default)
    assert {f.database for f in found} == {about}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_good_example_does_not(rule, whole, tmp_path):
    files = {rule.good.file: rule.good.content}
    if rule.applies == "citation":  # Good means cited: the .bib holds the paper's entry.
        files["refs.bib"] = citation.render(whole.db(rule.database).citation, "bibtex")
    tree(tmp_path, files)
    assert codes(run(tmp_path, whole, select=rule.code)) == []


def test_every_rule_has_its_examples_and_its_code(whole):
    assert [r.code for r in whole.rules] == [
        "CM001", "CM301", "CM302", "CM303", "CM304", "CM305", "CM306", "CM401", "CM402", "CM403"
    ]  # fmt: skip
    registry = Registry(whole.rules)
    for r in whole.rules:
        assert registry.by_code[r.code].applies == r.applies  # one look-up, code to code
        assert r.database is None or r.database in whole.ids
        # A rule that stands for a clause does so in the database its examples are for.
        db = whole.db(r.database)
        assert (r.applies in ("scanner", "not-public")) == (not db.clauses_for(r)), r.code
    # Every kind of rule the schema allows has its code.
    schema = json.loads((DATA / "schema" / "rules.schema.json").read_text("utf-8"))
    kinds = schema["properties"]["rules"]["items"]["properties"]["applies"]["enum"]
    assert implemented() == set(kinds)


# Golden tree: every rule and a near miss for each, output compared line by line.


def test_golden_tree(kb, tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "paper", tmp_path / "paper")
    monkeypatch.chdir(tmp_path / "paper")
    from casme3_compliance.scan.report import render

    report = scan(["."], kb, all_files=True)
    got = render(report, "lines", kb, c3.__version__)
    assert got == (FIXTURES / "paper.lines").read_text("utf-8")


# CM301 ------------------------------------------------------------------------------------------

SPELLINGS = ["spNO.131", "spNo.131", "spno 131", "SPNO_131", "spNO131", "spNO. 131", "spNO.\t131"]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("ext", [".tex", ".md", ".txt", ".bib"])
def test_cm301_spellings_in_text(spelling, ext, kb, tmp_path):
    tree(tmp_path, {f"doc{ext}": f"Figure 3 shows {spelling} smiling.\n"})
    [f] = run(tmp_path, kb, select="CM301").findings
    assert (f.line, f.column, f.clause, f.severity) == (1, 16, "3.5", "error")
    assert "spNO.131" in f.message


@pytest.mark.parametrize("text", ["spNO.21", "spNO.250", "xspNO.131", "spNO.1310", "spNO.0"])
def test_cm301_allowed_unknown_and_embedded_give_nothing(text, kb, tmp_path):
    tree(tmp_path, {"doc.tex": f"see {text} here\n", f"figs/{text}_a_1.jpg": FAKE})
    assert codes(run(tmp_path, kb, select="CM301")) == []


def test_cm301_every_restricted_subject_and_only_those(kb, tmp_path):
    part = kb.subjects.part("AB")
    numbers = list(part.numbers())
    # Files of 50 lines each, so that no file reaches the cap on findings per file and rule.
    files = {f"all{i:03d}.txt": numbers[i : i + 50] for i in range(0, len(numbers), 50)}
    tree(tmp_path, {name: "".join(f"spNO.{n}\n" for n in ns) for name, ns in files.items()})
    found = [(rel(tmp_path, f), f.line) for f in run(tmp_path, kb, select="CM301").findings]
    expected = []  # line k of a file holds its k-th subject
    for name, ns in files.items():
        expected += [(name, k) for k, n in enumerate(ns, 1) if n in part.restricted()]
    assert found == expected and len(found) == len(part.restricted())


def test_cm301_image_paths_and_file_names(kb, tmp_path):
    tree(
        tmp_path,
        {
            "paper.md": "Intro.\n\n![Smile](figs/spNo.131/apex.png)\n",
            "figs/spNo.131/apex.png": FAKE,
            "figs/spNo.131/onset.png": FAKE,
            "figs/spNO.131_b_2310.jpg": FAKE,
        },
    )
    found = {(rel(tmp_path, f), f.line, f.column) for f in run(tmp_path, kb).findings}
    # The folder once (not once per image inside it), the file by its name, the image path.
    assert found == {
        ("figs/spNo.131/", 1, 1),
        ("figs/spNO.131_b_2310.jpg", 1, 1),
        ("paper.md", 3, 15),
    }
    md = [f for f in run(tmp_path, kb).findings if f.path.endswith("paper.md")]
    assert md[0].message.startswith(f"{kb.name}: image path: ")


def test_cm301_column_counts_characters_not_bytes(kb, tmp_path):
    tree(tmp_path, {"doc.md": "CAS(ME)³ – “spNO.131”\n"})
    [f] = run(tmp_path, kb, select="CM301").findings
    assert f.column == len("CAS(ME)³ – “") + 1


# CM302 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "figs/part_C/12/a.png",
        "figs/partC/sub12/a.png",
        "x/part-C/s12.png",
        "part_c/SUB12_onset.png",
    ],
)
def test_cm302_paths(path, kb, tmp_path):
    tree(tmp_path, {path: FAKE, "paper.md": f"![a]({path})\n"})
    found = run(tmp_path, kb, select="CM302").findings
    assert {rel(tmp_path, f) for f in found} >= {"paper.md"}
    assert all("Part C subject 12" in f.message and f.clause == "3.6" for f in found)
    assert len([f for f in found if not f.path.endswith("paper.md")]) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Part C subject 12",
        "Part~C, subject no. 12",
        "subject 12 of Part C",
        "subject\n12 in part C",
    ],
)
def test_cm302_text(text, kb, tmp_path):
    tree(tmp_path, {"paper.tex": f"As shown for {text}.\n"})
    [f] = run(tmp_path, kb, select="CM302").findings
    assert (f.line, f.column) == (1, 14)


@pytest.mark.parametrize(
    "text",
    [
        "Part C subject 27",
        "subject 27 of Part C",
        "figs/part_C/sub27/a.png",
        "Part C subject 40",  # not a subject: Part C has 31
        "part of the subject 12 data",
        "Part CD subject 12",
        "counterpart_C/sub12/x.png",
    ],
)
def test_cm302_negatives(text, kb, tmp_path):
    tree(tmp_path, {"paper.md": text + "\n"})
    assert codes(run(tmp_path, kb, select="CM302")) == []


# CM303 ------------------------------------------------------------------------------------------


def frames(subjects, tasks="ab", kinds=("color", "depth"), count=5, top="data/part_A"):
    return {
        f"{top}/spNO.{n}/{t}/{k}/{i:04d}.{'jpg' if k == 'color' else 'png'}": FAKE
        for n in subjects
        for t in tasks
        for k in kinds
        for i in range(1, count + 1)
    }


def test_cm303_one_finding_per_folder_not_per_frame(kb, tmp_path):
    tree(tmp_path, frames([1, 21, 131]))
    report = run(tmp_path, kb)
    assert codes(report) == ["CM303"]  # and no CM301 for the 40 frames of spNO.1 and spNO.131
    [f] = report.findings
    assert rel(tmp_path, f) == "data/part_A/"
    assert "3 subjects" in f.message and "60 files" in f.message
    assert "spNO.1, spNO.131 are restricted" in f.message


def test_cm303_ignored_leaves_one_cm301_per_restricted_subject_folder(kb, tmp_path):
    tree(tmp_path, frames([1, 21, 131]))
    found = run(tmp_path, kb, ignore="CM303").findings
    assert {(f.code, rel(tmp_path, f)) for f in found} == {
        ("CM301", "data/part_A/spNO.1/"),
        ("CM301", "data/part_A/spNO.131/"),
    }


def test_cm303_clip_folders(kb, tmp_path):
    tree(
        tmp_path,
        {
            f"clips/spNO.{n}_b_{o}/{i}.jpg": FAKE
            for n, o in [(21, 100), (131, 2310)]
            for i in range(3)
        },
    )
    [f] = run(tmp_path, kb).findings
    assert (f.code, rel(tmp_path, f)) == ("CM303", "clips/")
    assert "2 clip folders" in f.message and "6 files" in f.message


@pytest.mark.parametrize(
    "name",
    [
        "cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx",
        "CAS(ME)3_part_A_v1.xls",
        "CAS(ME)3_part_A_v2.xls",
        "CAS(ME)3_part_C_ME.xlsx",
        "CAS(ME)^3_part_B.csv",
        "casme3_part_a_labels.XLSX",
    ],
)
def test_cm303_workbooks(name, kb, tmp_path):
    tree(tmp_path, {f"annotations/{name}": b"not a real workbook"})
    [f] = run(tmp_path, kb).findings
    assert (f.code, rel(tmp_path, f), f.clause) == ("CM303", f"annotations/{name}", "3.4")


@pytest.mark.parametrize(
    "files",
    [
        {"figs/spNO.21_b_2310.jpg": FAKE},  # one exported frame of an allowed subject
        {"results/part_A_scores.xlsx": b"x"},
        {"data/spNO.21/a/notes.txt": "x"},  # no color/depth level
        {"data/spNO.21/n/color/1.jpg": FAKE},  # tasks are a-m
        {"data/README.md": "Obtain CAS(ME)³ from IP-CAS."},
    ],
)
def test_cm303_negatives(files, kb, tmp_path):
    tree(tmp_path, files)
    assert codes(run(tmp_path, kb, select="CM303")) == []


# CM401 ------------------------------------------------------------------------------------------

NAMES = [
    "CAS(ME)3",
    "CAS(ME)$^3$",
    "CAS(ME)$^{3}$",
    "CAS(ME)\\textsuperscript{3}",
    "CAS(ME)³",
    "CAS(ME)<sup>3</sup>",
    "CASME3",
    "CASME-3",
    "CASME III",
]


@pytest.mark.parametrize("name", NAMES)
def test_cm401_any_spelling_needs_the_entry(name, kb, tmp_path):
    tree(tmp_path, {"main.tex": f"Intro.\nWe use {name} Part A.\nAgain {name}.\n"})
    [f] = run(tmp_path, kb, select="CM401").findings
    obligation = kb.clauses_for(kb.rule("CM401"))[0]  # 4.1: "refer the data as ... and cite"
    assert (f.line, f.column, f.clause) == (2, 8, obligation) != kb.citation.clause
    places = [kb.agreement.clause(c).where for c in (obligation, kb.citation.clause)]
    assert f.message.endswith(
        f"(clause {obligation}; {places[0]}; the reference is clause {kb.citation.clause}; "
        f"{places[1]})"
    )
    assert "no .bib or .bbl entry" in f.message and kb.citation.doi in f.message


def test_cm401_rule_data_names_the_obligation(kb):
    rule = kb.rule("CM401")
    clauses = kb.clauses_for(rule)
    assert clauses == (kb.citation.obligation, kb.citation.clause)
    assert clauses[0] == kb.citation.name_clause  # the clause saying "refer ... and cite"
    assert rule.why.startswith(f"Clause {clauses[0]} ")
    assert f"clause {kb.citation.clause}" in rule.why


def test_cm401_entry_present_but_never_cited(kb, tmp_path):
    tree(
        tmp_path,
        {
            "main.tex": "We use CAS(ME)$^3$.\n% \\cite{li2023casme3} in a comment does not count\n",
            "refs.bib": citation.render(kb.citation, "bibtex"),
        },
    )
    [f] = run(tmp_path, kb, select="CM401").findings
    assert "never cited" in f.message and "refs.bib:1" in f.message and "li2023casme3" in f.message


@pytest.mark.parametrize(
    "cite",
    [
        "\\cite{li2023casme3}",
        "\\citep[see][p.~3]{other, li2023casme3}",
        "\\citet*{Li2023CASME3}",
        "\\parencite[12]{li2023casme3}",
        "\\textcite{li2023casme3}",
        "\\autocite{a,\n  li2023casme3}",
    ],
)
def test_cm401_latex_citations(cite, kb, tmp_path):
    tree(
        tmp_path,
        {
            "main.tex": f"We use CAS(ME)$^3$ {cite}.\n",
            "refs.bib": citation.render(kb.citation, "bibtex"),
        },
    )
    assert codes(run(tmp_path, kb, select="CM401")) == []


@pytest.mark.parametrize(
    "cite", ["[@li2023casme3]", "[see @other; @li2023casme3, p. 3]", "@li2023casme3 says"]
)
def test_cm401_pandoc_citations(cite, kb, tmp_path):
    tree(
        tmp_path,
        {
            "paper.md": f"We use CAS(ME)³ {cite}.\n",
            "refs.bib": citation.render(kb.citation, "bibtex"),
        },
    )
    assert codes(run(tmp_path, kb, select="CM401")) == []


def test_cm401_entry_found_by_title_without_doi(kb, tmp_path):
    bib = (
        "@inproceedings{mykey,\n  title = {{CAS(ME)\\textsuperscript{3}}: A third generation"
        " facial spontaneous\n micro-expression database with depth information and high"
        " ecological validity},\n}\n"
    )
    tree(tmp_path, {"main.tex": "CAS(ME)$^3$ \\cite{mykey}\n", "lib/refs.bib": bib})
    assert codes(run(tmp_path, kb, select="CM401")) == []


def test_cm401_a_manuscript_giving_the_doi_cites_it(kb, tmp_path):
    tree(
        tmp_path,
        {
            "README.md": "Trained on CAS(ME)³ ([paper](https://doi.org/10.1109/TPAMI.2022.3174895)).\n"
        },
    )
    assert codes(run(tmp_path, kb, select="CM401")) == []


def test_cm401_other_papers_and_malformed_bib(kb, tmp_path):
    bib = (
        "@article{x, doi = {10.1109/TPAMI.2019.1}}\n"
        "@article{li2023casme3,\n title = {Wrong}\n\x00\xff{{{"
    )
    tree(
        tmp_path,
        {"main.tex": "CAS(ME)$^3$ \\cite{x, li2023casme3}\n", "refs.bib": bib.encode("latin-1")},
    )
    report = run(tmp_path, kb, select="CM401")
    # and, not checked, the block that could not be parsed and the file's NUL byte
    assert codes(report) == ["CM401", "CM001", "CM001"]
    assert "no .bib or .bbl entry" in report.findings[0].message


# How the paper's entry is found: a real BibTeX parser, entry by entry.

TITLE_ONLY = (
    "@article{{{key},\n  title = {{{{CAS(ME)$^3$}}: A Third Generation Facial Spontaneous"
    " Micro-Expression Database with Depth Information and High Ecological Validity}},\n"
    "  year = 2023,\n}}\n"
)
OTHER = "@misc{{{key},\n  title = {{Something else}},\n  year = 2020,\n}}\n"


def _paper_by_doi(kb, key: str) -> str:
    return citation.render(kb.citation, "bibtex").replace(kb.citation.key, key, 1)


def _cm401(kb, tmp_path, files: dict[str, str]) -> list:
    tree(tmp_path, files)
    return run(tmp_path, kb, select="CM401").findings


@pytest.mark.parametrize("order", ["other first", "paper first"])
@pytest.mark.parametrize("identified_by", ["doi", "title"])
def test_cm401_citing_another_entry_does_not_count(order, identified_by, kb, tmp_path):
    paper = _paper_by_doi(kb, "paper") if identified_by == "doi" else TITLE_ONLY.format(key="paper")
    other = OTHER.format(key="other")
    bib = other + paper if order == "other first" else paper + other
    [f] = _cm401(kb, tmp_path, {"main.tex": "CAS(ME)$^3$ \\cite{other}\n", "refs.bib": bib})
    line = 1 + (bib.count("\n", 0, bib.index("{paper,")))
    assert "never cited" in f.message and f"refs.bib:{line} holds its paper as 'paper'" in f.message
    (tmp_path / "main.tex").write_text("CAS(ME)$^3$ \\cite{paper}\n")
    assert codes(run(tmp_path, kb, select="CM401")) == []


def test_cm401_title_and_doi_from_string_macros(kb, tmp_path):
    bib = (
        '@string{ieee = "10.1109"}\n@STRING{tpami = ieee # "/TPAMI"}\n'
        "@string{name = {{CAS(ME)\\textsuperscript{3}}}}\n"
        "@article{bydoi, doi = tpami # {.2022.3174895}}\n"
        '@article{bytitle, title = name # ": A third generation facial spontaneous "'
        ' # "micro-expression database with depth information and high ecological validity"}\n'
    )
    found = _cm401(kb, tmp_path, {"main.tex": "CAS(ME)$^3$\n", "refs.bib": bib})
    assert len(found) == 1 and "refs.bib:4 holds its paper as 'bydoi'" in found[0].message
    for key in ("bydoi", "bytitle"):
        (tmp_path / "main.tex").write_text(f"CAS(ME)$^3$ \\cite{{{key}}}\n")
        assert codes(run(tmp_path, kb, select="CM401")) == [], key


def test_cm401_a_comment_block_is_no_entry(kb, tmp_path):
    """Text in @comment (here the paper's DOI and key) belongs to no entry, not the one before."""
    doi = kb.citation.doi
    bib = OTHER.format(key="other") + f"@comment{{old: paper, doi = {{{doi}}}}}\n"
    bib += OTHER.format(key="x")
    [f] = _cm401(kb, tmp_path, {"main.tex": "CAS(ME)$^3$ \\cite{other,paper}\n", "refs.bib": bib})
    assert "no .bib or .bbl entry in the tree has its paper" in f.message
    (tmp_path / "refs.bib").write_text(bib + _paper_by_doi(kb, "paper"))
    assert codes(run(tmp_path, kb, select="CM401")) == []


def test_cm401_nested_braces_in_the_title(kb, tmp_path):
    bib = (
        "@inproceedings{nested, title = {{{CAS(ME)$^{3}$}}: {A} {T}hird {Generation} Facial "
        "{{Spontaneous}} {Micro-Expression} Database with {Depth Information} and High "
        "{Ecological Validity}}}\n"
    )
    [f] = _cm401(kb, tmp_path, {"main.tex": "CAS(ME)$^3$\n", "refs.bib": bib})
    assert "holds its paper as 'nested'" in f.message


def test_cm401_several_bib_files(kb, tmp_path):
    files = {
        "main.tex": "CAS(ME)$^3$ \\cite{other}\n",
        "a.bib": OTHER.format(key="other"),
        "refs/b.bib": OTHER.format(key="x") + _paper_by_doi(kb, "paper"),
    }
    [f] = _cm401(kb, tmp_path, files)
    assert "refs/b.bib:5 holds its paper as 'paper'" in f.message
    (tmp_path / "main.tex").write_text("CAS(ME)$^3$ \\citep{other,paper}\n")
    assert codes(run(tmp_path, kb, select="CM401")) == []


# The bibliography a manuscript declares.


@pytest.mark.parametrize(
    ("declaration", "bib"),
    [
        ("\\bibliography{a,refs/b}", "refs/b.bib"),
        ("\\bibliography{ a, refs/b.bib }", "refs/b.bib"),
        ("\\addbibresource{refs/b.bib}", "refs/b.bib"),
        ("\\addbibresource[label=x]{refs/b.bib}\n\\addbibresource{a.bib}", "refs/b.bib"),
    ],
)
def test_cm401_declared_bibliography_holds_the_paper(declaration, bib, kb, tmp_path):
    files = {
        "paper/main.tex": f"CAS(ME)$^3$ \\cite{{paper}}\n{declaration}\n",
        "paper/a.bib": OTHER.format(key="other"),
        f"paper/{bib}": _paper_by_doi(kb, "paper"),
    }
    assert _cm401(kb, tmp_path, files) == []


def test_cm401_an_undeclared_bib_does_not_count(kb, tmp_path):
    files = {
        "main.tex": "CAS(ME)$^3$ \\cite{paper}\n\\bibliography{a,missing}\n",
        "a.bib": OTHER.format(key="other"),
        "unused.bib": _paper_by_doi(kb, "paper"),
    }
    [f] = _cm401(kb, tmp_path, files)
    message = f.message.replace(f"{tmp_path}/", "")
    assert "its bibliography (a.bib, missing.bib) has no entry for its paper" in message
    assert "; missing.bib is not found" in message
    # Declared in a comment: not a declaration, so any .bib of the tree counts.
    (tmp_path / "main.tex").write_text("CAS(ME)$^3$ \\cite{paper}\n% \\bibliography{a}\n")
    assert codes(run(tmp_path, kb, select="CM401")) == []


def test_cm401_declared_bibliography_outside_the_scanned_folder(kb, tmp_path):
    files = {
        "shared/refs.bib": _paper_by_doi(kb, "paper"),
        "paper/main.tex": "CAS(ME)$^3$ \\cite{paper}\n\\bibliography{../shared/refs}\n",
    }
    tree(tmp_path, files)
    assert codes(scan([str(tmp_path / "paper")], kb, select="CM401", all_files=True)) == []


@pytest.mark.parametrize(
    "cite",
    [
        "\\citealp{paper}",
        "\\citeauthor*{paper}",
        "\\footcite[p.~3]{paper}",
        "\\cites{other}{paper}",
        "\\cites[see][]{other}[][12]{x, paper}",
        "\\parencites(see)(){other}{paper}",
        "\\citep*[e.g.][]{paper}",
        "\\Textcite{paper}",
    ],
)
def test_cm401_natbib_and_biblatex_commands(cite, kb, tmp_path):
    files = {
        "main.tex": f"We use CAS(ME)$^3$ {cite}.\n",
        "refs.bib": _paper_by_doi(kb, "paper") + OTHER.format(key="other"),
    }
    assert _cm401(kb, tmp_path, files) == []


@pytest.mark.parametrize("cite", ["[-@paper]", "[@other; @paper]", "@paper shows", "[@{paper}]"])
def test_cm401_pandoc_forms(cite, kb, tmp_path):
    files = {
        "paper.md": f"We use CAS(ME)³ {cite}.\n",
        "refs.bib": _paper_by_doi(kb, "paper") + OTHER.format(key="other"),
    }
    assert _cm401(kb, tmp_path, files) == []


def test_cm401_pandoc_front_matter_bibliography(kb, tmp_path):
    head = "---\ntitle: Results\nbibliography:\n  - refs/a.bib\n  - refs/{}\n---\n"
    files = {
        "doc/paper.md": head.format("b.bib") + "We use CAS(ME)³ [@paper].\n",
        "doc/refs/a.bib": OTHER.format(key="other"),
        "doc/refs/b.bib": _paper_by_doi(kb, "paper"),
    }
    assert _cm401(kb, tmp_path, files) == []
    (tmp_path / "doc" / "paper.md").write_text(head.format("c.bib") + "CAS(ME)³ [@paper].\n")
    [f] = run(tmp_path, kb, select="CM401").findings
    message = f.message.replace(f"{tmp_path}/", "")
    assert "its bibliography (doc/refs/a.bib, doc/refs/c.bib) has no entry" in message
    assert "; doc/refs/c.bib is not found" in message


@pytest.mark.parametrize(
    "head",
    [
        "---\nbibliography: [\n---\n",  # not YAML
        "---\nbibliography: " + "[" * 20_000 + "]" * 20_000 + "\n---\n",  # too deep for the parser
        "---\n- a list\n---\n",
        "---\nbibliography: 12\n---\n",
    ],
)
def test_cm401_front_matter_that_says_nothing_usable(head, kb, tmp_path):
    """A header that gives no bibliography file declares none: any .bib of the tree counts."""
    files = {"paper.md": head + "CAS(ME)³ [@paper]\n", "refs.bib": _paper_by_doi(kb, "paper")}
    assert _cm401(kb, tmp_path, files) == []


BBL = (
    "\\begin{{thebibliography}}{{10}}\n"
    "\\bibitem[{{Other(2020)}}]{{other}}\nA.~Other, ``Something else,'' 2020.\n"
    "\\bibitem[{{Li et~al.(2023)Li, Dong, [and] others}}]{{{key}}}\n"
    "J.~Li \\emph{{et~al.}}, ``{{CAS(ME)$^3$}}: A third generation facial spontaneous\n"
    "  micro-expression database with depth information and high ecological validity,''\n"
    "  \\emph{{IEEE TPAMI}}, vol.~45, 2023.\n"
    "\\end{{thebibliography}}\n"
)
BIBER_BBL = (
    "\\refsection{{0}}\n  \\datalist[entry]{{nty/global//global/global}}\n"
    "    \\entry{{other}}{{misc}}{{}}\n      \\field{{title}}{{Something else}}\n    \\endentry\n"
    "    \\entry{{{key}}}{{article}}{{}}\n      \\field{{title}}{{Whatever}}\n"
    "      \\verb{{doi}}\n      \\verb 10.1109/TPAMI.2022.3174895\n      \\endverb\n"
    "    \\endentry\n  \\enddatalist\n\\endrefsection\n"
)


@pytest.mark.parametrize("bbl", [BBL, BIBER_BBL], ids=["bibtex", "biber"])
def test_cm401_compiled_bbl_without_bib(bbl, kb, tmp_path):
    """An arXiv upload: main.tex declares refs.bib, which is not there; main.bbl is."""
    files = {
        "main.tex": "CAS(ME)$^3$ \\cite{other}\n\\bibliography{refs}\n",
        "main.bbl": bbl.format(key="li:23"),
    }
    [f] = _cm401(kb, tmp_path, files)
    line = 1 + files["main.bbl"].count("\n", 0, files["main.bbl"].index("{li:23}"))
    assert f"main.bbl:{line} holds its paper as 'li:23'" in f.message
    (tmp_path / "main.tex").write_text("CAS(ME)$^3$ \\cite{other,li:23}\n\\bibliography{refs}\n")
    assert codes(run(tmp_path, kb, select="CM401")) == []


@pytest.mark.parametrize("style", ["plain", "ieeetr"])
def test_cm401_bbl_written_by_real_bibtex(style, kb, tmp_path):
    """The .bbl BibTeX itself writes (line breaks, case changes) is read back."""
    import subprocess

    from conftest import require_program

    require_program("bibtex", "texlive-base texlive-binaries")
    work = tmp_path / "work"
    refs = OTHER.format(key="other") + _paper_by_doi(kb, "li:23")
    aux = f"\\relax\n\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n"
    tree(work, {"refs.bib": refs, "main.aux": aux})
    done = subprocess.run(["bibtex", "main"], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    bbl = (work / "main.bbl").read_text("utf-8")
    upload = {"main.tex": "CAS(ME)$^3$ \\cite{other}\n\\bibliography{refs}\n", "main.bbl": bbl}
    [f] = _cm401(kb, tmp_path / "arxiv", upload)
    assert "main.bbl:" in f.message and "holds its paper as 'li:23'" in f.message
    (tmp_path / "arxiv" / "main.tex").write_text(
        "CAS(ME)$^3$ \\cite{li:23}\n\\bibliography{refs}\n"
    )
    assert codes(run(tmp_path / "arxiv", kb, select="CM401")) == []


def test_cm401_bbl_of_another_paper(kb, tmp_path):
    bbl = "\\bibitem{other} A.~Other, ``Something else,'' 2020.\n"
    [f] = _cm401(kb, tmp_path, {"main.tex": "CAS(ME)$^3$ \\cite{other}\n", "main.bbl": bbl})
    assert "no .bib or .bbl entry in the tree has its paper" in f.message


# What cannot be parsed is noted and never trusted.


def test_cm401_a_block_that_fails_to_parse_is_not_trusted(kb, tmp_path):
    broken = _paper_by_doi(kb, "paper").rstrip().rstrip("}")  # never closed
    files = {"main.tex": "CAS(ME)$^3$ \\cite{paper}\n", "refs.bib": OTHER.format(key="x") + broken}
    tree(tmp_path, files)
    report = run(tmp_path, kb, select="CM401")
    [f, unchecked] = report.findings  # main.tex, then refs.bib
    assert "refs.bib:5 gives its DOI but could not be parsed" in f.message
    assert (rel(tmp_path, unchecked), unchecked.line, unchecked.code) == ("refs.bib", 5, "CM001")
    assert unchecked.message.startswith("not checked: this BibTeX block could not be parsed (")
    assert report.notes == []


def test_cm401_garbage_bib_is_not_checked_not_a_pass(kb, tmp_path):
    garbage = b"\x00\xff@@@{{{ doi = {10.1109/TPAMI.2022.3174895} \\cite{paper"
    tree(tmp_path, {"main.tex": "CAS(ME)$^3$ \\cite{paper}\n", "refs.bib": garbage})
    report = run(tmp_path, kb, select="CM401")
    assert "CM401" in codes(report) and "CM001" in codes(report)


def test_cm401_a_bib_too_large_is_not_read(kb, tmp_path, monkeypatch):
    from casme3_compliance.scan import bib

    monkeypatch.setattr(bib, "MAX_BYTES", 1000)
    bib_text = OTHER.format(key="x") * 20 + _paper_by_doi(kb, "paper")
    assert len(bib_text.encode()) > 1000
    tree(tmp_path, {"main.tex": "CAS(ME)$^3$ \\cite{paper}\n", "refs.bib": bib_text})
    report = run(tmp_path, kb, select="CM401")
    assert codes(report) == ["CM401", "CM001"]  # main.tex, then refs.bib
    assert report.findings[1].message == (
        "not checked: larger than 1,000 bytes: not read for the paper's entry"
    )
    assert report.notes == []


def test_cm401_every_bibtex_format_of_casme3_cite_is_found(kb, tmp_path):
    for fmt in ("bibtex", "biblatex"):
        text = citation.render(kb.citation, fmt)
        tree(tmp_path, {"main.tex": "CAS(ME)$^3$\n", "refs.bib": text})
        [f] = run(tmp_path, kb, select="CM401").findings
        assert f"holds its paper as '{kb.citation.key}'" in f.message, fmt


def test_cm401_not_for_other_files_or_other_databases(kb, tmp_path):
    tree(
        tmp_path,
        {
            "notes.txt": "CAS(ME)3 data\n",
            "main.tex": "CASME II and CAS(ME)$^2$.\n",
            "x.md": "`casme3 scan`\n",
        },
    )
    assert codes(run(tmp_path, kb, select="CM401")) == []


def test_cm401_first_mention_per_manuscript(kb, tmp_path):
    tree(tmp_path, {"a.tex": "x\n\n  CASME3 then CAS(ME)$^3$\n", "b.md": "CAS(ME)³\n"})
    found = [
        (rel(tmp_path, f), f.line, f.column) for f in run(tmp_path, kb, select="CM401").findings
    ]
    assert found == [("a.tex", 3, 3), ("b.md", 1, 1)]


# CM402 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("CASME3", "CASME3"),
        ("CASME-3", "CASME-3"),
        ("CASME III", "CASME III"),
        ("CASME_3", "CASME_3"),
        ("CAS(ME)^3", "CAS(ME)^3"),
        ("CAS(ME)^{3}", "CAS(ME)^{3}"),
    ],
)
@pytest.mark.parametrize("ext", [".tex", ".md"])
def test_cm402_wrong_forms(text, found, ext, kb, tmp_path):
    tree(tmp_path, {f"paper{ext}": f"Results on {text} are in Table 2.\n"})
    [f] = run(tmp_path, kb, select="CM402").findings
    assert (f.line, f.column, f.severity, f.clause) == (1, 12, "warning", "4.1")
    suggested = kb.citation.name_forms["latex" if ext == ".tex" else "unicode"]
    assert repr(found) in f.message and suggested in f.message


@pytest.mark.parametrize(
    "text",
    [
        "CAS(ME)$^3$",
        "$CAS(ME)^3$",
        "\\(\\mathrm{CAS(ME)}^3\\)",
        "CAS(ME)^3^",  # Pandoc's superscript
        "CAS(ME)³",
        "CASME II",
        "casme3 scan",
        "% CASME3 in a comment",
        "CASME3D",
    ],
)
def test_cm402_right_forms(text, kb, tmp_path):
    tree(
        tmp_path,
        {
            "paper.tex": text + "\n",
            "paper.md": text.replace("%", "") + " \n" if "%" not in text else "x",
        },
    )
    assert codes(run(tmp_path, kb, select="CM402")) == []


@pytest.mark.parametrize(
    "text",
    ["CAS(ME)3", "cas(me)3", "CAS(ME) 3", "CAS(ME)3.", "CAS(ME)3~\\cite{x}", "CAS(ME)3-based"],
)
def test_cm402_plain_3_in_latex_text(text, kb, tmp_path):
    tree(tmp_path, {"paper.tex": f"Results on {text} are in Table 2.\n"})
    [f] = run(tmp_path, kb, select="CM402").findings
    assert (f.line, f.column, f.severity, f.clause) == (1, 12, "warning", kb.citation.name_clause)
    forms = kb.citation.name_forms
    assert f"write {forms['latex']} (or {forms['latex_text']})" in f.message


@pytest.mark.parametrize(
    "text",
    [
        "CAS(ME)$^3$",
        "CAS(ME)$^{3}$",
        "CAS(ME)\\textsuperscript{3}",
        "CAS(ME)³",
        "$\\mathrm{CAS(ME)}3$",  # math: not text
        "% the draft said CAS(ME)3",  # a comment
        "\\texttt{CAS(ME)3\\_part\\_A\\_v2.xls}",  # the database's own file names
        "\\path{CAS(ME)3_part_C_ME.xlsx}",
        "CAS(ME)30",
    ],
)
def test_cm402_plain_3_in_latex_right_forms(text, kb, tmp_path):
    tree(tmp_path, {"paper.tex": f"Results on {text} are in Table 2.\n"})
    assert codes(run(tmp_path, kb, select="CM402")) == []


def test_cm402_plain_3_in_markdown_is_left_alone(kb, tmp_path):
    tree(tmp_path, {"paper.md": "Results on CAS(ME)3 are in Table 2.\n"})
    assert codes(run(tmp_path, kb, select="CM402")) == []


def test_cm402_only_in_manuscripts(kb, tmp_path):
    tree(tmp_path, {"refs.bib": "@misc{a, title={CASME3}}\n", "n.txt": "CASME3\n"})
    assert codes(run(tmp_path, kb, select="CM402")) == []
