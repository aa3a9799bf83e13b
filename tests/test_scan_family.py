"""The scanner serves the family: each database detected by its names, paths and rows, and judged
by its own agreement; subject ids counted only in a context tying them to a database.

The family is data/ with, for a database whose files are not there yet, the stand-in of
tests/family_support.py, and the synthetic seventh database (zmed). Every expectation is read
from the loaded data (clauses, verdicts, labels), never from the stand-ins.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import ROOT
from family_support import SYNTHETIC, with_family
from test_scan_support import FAKE, rel, run, tree

import casme3_compliance as c3
from casme3_compliance.knowledge.errors import DataError
from casme3_compliance.render import citation
from casme3_compliance.scan import ScanError
from casme3_compliance.scan import text as T

FIXTURES = ROOT / "tests" / "fixtures" / "scan"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return with_family(tmp_path_factory.mktemp("family"), synthetic=True)


@pytest.fixture(scope="module")
def fam(data):
    return c3.load_family(data, cache=False)


def found(report, code=None, db=None):
    return [
        f
        for f in report.findings
        if (code is None or f.code == code) and (db is None or f.database == db)
    ]


def clause(fam, code, db):
    """The clause of `db`'s agreement a finding of rule `code` names."""
    return fam.db(db).clauses_for(fam.rule(code))[0]


def subject_rule(fam, db, n, part=None):
    """The code that reports subject `n` of `db`, or None when its agreement allows it."""
    d = fam.db(db)
    if d.subjects is None:
        return fam.rules[[r.applies for r in fam.rules].index("not-public")].code
    p = d.subjects.part(part) if part else d.subjects.parts[0]
    v = c3.verdict(c3.SubjectRef(p.key, n), d)
    if v.allowed:
        return None
    applies = {"deny": "deny-list", "allow": "allow-list", "approval": "approval"}[p.rule]
    return next(r.code for r in fam.rules if r.applies == applies)


# Every finding names its database, and the clause of its own agreement --------------------------


def test_each_database_by_its_own_agreement(fam, tmp_path):
    tree(
        tmp_path,
        {
            "paper.tex": "We show sub12 of CASME II.\n"
            "Figure 2 is subject 12 of CASMEMG.\n"
            "The apex of S03-01-002 from MMEW.\n"
            "And SMIC's s01.\n",
            "figs/spNO.131_b_1.jpg": FAKE,
        },
    )
    report = run(tmp_path, fam, select="CM3")
    got = {(f.database, f.code, f.clause, f.line) for f in report.findings}
    want = {
        ("casme2", subject_rule(fam, "casme2", 12), fam.db("casme2").subjects.parts[0].clause, 1),
        (
            "casmemg",
            subject_rule(fam, "casmemg", 12),
            fam.db("casmemg").subjects.parts[0].clause,
            2,
        ),
        ("mmew", subject_rule(fam, "mmew", 3), fam.db("mmew").subjects.parts[0].clause, 3),
        ("smic", subject_rule(fam, "smic", 1), "", 4),
        ("casme3", subject_rule(fam, "casme3", 131, "AB"), "3.5", 1),
    }
    assert got == want
    for f in report.findings:
        assert f.message.startswith(fam.db(f.database).name + ": ")
    [smic] = found(report, db="smic")
    assert smic.severity == "warning" and "not public" in smic.message  # unknown, never allowed


# Context: a subject id that does not name its database -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "sub12 = load(path)  # a variable\n",
        "See subsection 12 and sub12.\n",
        "We use CASME II. Then sub12 is discussed.\n",  # another sentence
        "CASME II.\n\nsub12\n",  # another paragraph
        "CASME II " + "word " * 600 + "sub12.\n",  # the same sentence, but too far
        "% CASME II\nsub12 here\n",  # a name in a LaTeX comment
        "SMIC, sub12 and more.\n",  # SMIC writes its subjects s01
        "results/sub12/x.png\n",
        "\\caption{On CASME II.}\n\\end{table}\nCode: \\texttt{sub12 = x}\n",  # ended
        "\\section{CASME II}\n\\subsection{Loading} We call sub12.\n",
    ],
)
def test_an_id_outside_a_context_is_no_finding(text, fam, tmp_path):
    tree(tmp_path, {"paper.tex": text, "results/sub12/x.png": FAKE})
    assert found(run(tmp_path, fam, select="CM3")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Figure 3 shows sub12 of CASME II.",
        "CASME II's sub_12 smiles.",
        "As CASME2 (sub12) shows.",
        "\\includegraphics{figs/casme2_sub12_EP01.png}",
        "\\includegraphics{data/CASME2/sub12/onset.png}",
        "\\begin{figure}\\includegraphics{a/sub12.png}\n\n\\caption{Onset. From CASME II.}"
        "\\end{figure}",
        "![Onset](figs/sub12_onset.png) Frames of CASME II.",
        "<figure><img src='sub12.png'><figcaption>A frame. CASME II.</figcaption></figure>",
    ],
)
@pytest.mark.parametrize("ext", [".tex", ".md", ".txt"])
def test_an_id_in_a_context_naming_its_database(text, ext, fam, tmp_path):
    if ("\\begin" in text and ext != ".tex") or (text.startswith("<figure") and ext != ".md"):
        return  # a figure of another kind of file
    tree(tmp_path, {f"paper{ext}": text + "\n"})
    [f] = found(run(tmp_path, fam, select="CM301"))
    assert (f.database, f.clause) == ("casme2", fam.db("casme2").subjects.parts[0].clause)
    assert "sub12" in f.message


def test_an_id_tied_to_two_databases_is_judged_for_each(fam, tmp_path):
    tree(tmp_path, {"paper.md": "In CASME and CASME II, sub12 and sub01 differ.\n"})
    got = {(f.database, f.code) for f in run(tmp_path, fam, select="CM3").findings}
    # CASME allows sub01 and sub08 only; CASME II restricts sub12 and sub22.
    assert got == {
        ("casme", subject_rule(fam, "casme", 12)),
        ("casme2", subject_rule(fam, "casme2", 12)),
    }


def test_an_id_a_form_reads_for_its_own_database_is_no_other_s(fam, tmp_path):
    """`Part C subject 12` is CAS(ME)³'s, even in a sentence naming CASME II, whose form
    `subject 12` would read a part of it."""
    tree(tmp_path, {"paper.md": "CASME II has sub05; CAS(ME)³ has Part C subject 12.\n"})
    got = [(f.database, f.code) for f in run(tmp_path, fam, select="CM3").findings]
    assert got == [("casme3", "CM302")]


def test_the_scanner_judges_as_casme3_subject_does(fam):
    """The verdict tables sent to the reader agree with knowledge.verdicts, for every database,
    part and number (a number outside a known range is no subject to either)."""
    from casme3_compliance.scan.spec import compile_spec

    spec = compile_spec(fam.databases)
    for db in fam.databases:
        for part in db.subjects.parts if db.subjects else [None]:
            key = part.key if part else None
            table = spec.text.verdicts.get((db.id, key))
            for n in range(0, 260):
                if part is not None and not part.in_range(n):
                    assert table.judge(n) is None
                    continue
                if db.subjects is None and db.public:
                    assert table is None
                    continue
                v = c3.verdict(c3.SubjectRef(key or "", n), db)
                assert (table.judge(n) is None) == (v.verdict == "allowed"), (db.id, key, n)


def test_a_form_naming_its_database_counts_anywhere(fam, tmp_path):
    tree(tmp_path, {"notes.txt": "spNO.131, then Part C subject 12.\n"})
    got = [(f.database, f.code) for f in run(tmp_path, fam, select="CM3").findings]
    assert got == [("casme3", "CM301"), ("casme3", "CM302")]


# Composite label files (MEGC: dataset,subject,filename,label) -----------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("casme2,sub12,EP01_02,0", [("casme2", "CM301")]),
        ("casme2,sub22,EP13_08,1", [("casme2", "CM301")]),
        ('"casme2", "sub12", "EP01_02", 0', [("casme2", "CM301")]),
        ("casme2;sub12;EP01_02;0", [("casme2", "CM301")]),
        ("casme2,sub01,EP02_01f,1", []),
        ("smic,sub12,clip,0", []),  # not an id of SMIC
        (",sub12,EP01_02,0", []),  # no dataset
        ("sub12,EP01_02,0", []),
        ("xcasme2,sub12,EP01_02,0", []),  # not the dataset field
    ],
)
def test_rows_of_a_composite_label_file(row, expected, fam, tmp_path):
    tree(tmp_path, {"labels.csv": f"{row}\n,,,\n"})
    report = run(tmp_path, fam, select="CM3")
    assert [(f.database, f.code) for f in report.findings] == expected
    for f in report.findings:  # at the subject field
        assert (f.line, f.column) == (1, row.index("sub") + 1)


def test_rows_of_databases_without_a_public_agreement_are_unknown_never_allowed(fam, tmp_path):
    rows = "smic,s01,s01_ne_01,0\n,,,\nsamm,6,006_1_2,0\n,,,\nsamm,7,007_3_1,2\n"
    tree(tmp_path, {"figures.csv": rows})
    report = run(tmp_path, fam)
    got = [(f.database, f.code, f.severity, f.line) for f in report.findings]
    unknown = subject_rule(fam, "samm", 6)
    assert got == [
        ("smic", unknown, "warning", 1),
        ("samm", unknown, "warning", 3),
        ("samm", unknown, "warning", 5),
    ]
    assert all("is not public" in f.message and "allowed" not in f.message for f in report.findings)


def test_the_megc_file_shape(fam, tmp_path):
    """A synthetic file written as MEGC2019's combined_3class_gt is: every casme2 row of a
    restricted subject is a finding, every smic and samm row an unknown, nothing else."""
    shutil.copy(FIXTURES / "megc" / "combined_3class_gt.csv", tmp_path / "gt.csv")
    report = run(tmp_path, fam)
    lines = (tmp_path / "gt.csv").read_text().splitlines()
    expected = []
    for i, line in enumerate(lines, 1):
        dataset, subject = [*line.split(","), "", ""][:2]
        if dataset == "casme2" and int(subject[3:]) in fam.db("casme2").subjects.parts[0].list:
            expected.append((i, "casme2", subject_rule(fam, "casme2", 12)))
        elif dataset in ("smic", "samm"):
            expected.append((i, dataset, subject_rule(fam, dataset, 1)))
    assert [(f.line, f.database, f.code) for f in report.findings] == expected
    assert {d for _, d, _ in expected} == {"casme2", "smic", "samm"}


# The databases' files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("db", "paths", "subjects"),
    [
        ("casme", ["data/CASME_raw_selected/sub05/EP01_5/EP01_5-1.jpg"], ["sub05"]),
        ("casme", ["Cropped/sub01/EP01_5/reg_EP01_5-12.jpg"], []),
        ("casme2", ["CASME2_RAW_selected/sub12/EP01_02/img1.jpg"], ["sub12"]),
        (
            "casme2",
            ["x/Cropped/sub22/EP09f/reg_img46.jpg", "x/Cropped/sub01/EP02_01f/reg_img2.jpg"],
            ["sub22"],
        ),
        ("casmesq", ["CASME_sq/rawpic/s15/15_0101disgustingteeth/img1.jpg"], []),
        ("casmesq", ["rawvideo/s15/15_0101disgustingteeth.avi"], []),
        ("casmemg", ["CASMEMG/12/3.mat"], ["subject 12"]),
        ("casmemg", ["CASMEMG/07/3.mat"], []),
        ("mmew", ["MMEW/S03/happiness/S03-01-002/1.jpg"], ["S03"]),
        ("mmew", ["MMEW/S03/happiness/S03-01-001.jpg"], ["S03"]),
        ("mmew", ["MMEW/Micro_Expression/anger/S05-07-001/12.jpg"], ["S05"]),
        ("mmew", ["MMEW_Micro_Exp.xlsx"], []),
        ("mmew", ["downloads/MMEW_Final.zip"], []),
        ("casme2", ["CASME2_RAW_selected.zip"], []),
        ("samm", ["SAMM/006/006_1_2/006_05562.jpg"], []),
        ("samm", ["SAMM_LongVideos/006_1/006_1_0001.jpg"], []),
        ("samm", ["SAMM_Micro_FACS_Codes_v2.xlsx"], []),
        ("smic", ["SMIC/HS/s1/micro/negative/s1_ne_01/image000001.bmp"], []),
        ("smic", ["SMIC-HS-E_annotation.xlsx"], []),
    ],
)
def test_each_release_layout(db, paths, subjects, fam, tmp_path):
    tree(tmp_path, dict.fromkeys(paths, FAKE))
    report = run(tmp_path, fam)
    [f] = report.findings  # one per folder, not per frame; no subject finding beside it
    assert f.database == db
    if fam.db(db).public:
        assert (f.code, f.severity, f.clause) == ("CM303", "error", clause(fam, "CM303", db))
        forbids = fam.db(db).scan["files"]["forbids"]
        assert forbids in f.message
    else:
        assert (f.code, f.severity, f.clause) == (subject_rule(fam, db, 1), "warning", "")
        assert "not public" in f.message
    for s in subjects:
        assert s in f.message
    if not subjects and fam.db(db).public:  # no ", and sub12 is restricted (...)"
        assert ", and " not in f.message


@pytest.mark.parametrize(
    "paths",
    [
        ["sub12/notes/readme.jpg"],  # no clip folder
        ["CASME2/sub12/EP01_02/notes.txt"],  # not a frame (and a path naming CASME II: CM301)
        ["results/006/x.png"],
        ["S03/happiness/plot.png"],
        ["HS/s1/micro/negative/x.txt"],
    ],
)
def test_near_misses_are_not_database_files(paths, fam, tmp_path):
    tree(tmp_path, dict.fromkeys(paths, FAKE))
    assert "CM303" not in [f.code for f in run(tmp_path, fam).findings]


def test_files_of_a_database_whose_agreement_forbids_nothing_of_the_kind(fam, tmp_path):
    """zmed's agreement has no distribution clause: its frames are no CM303 finding, and the
    subjects in their paths are judged as any path's."""
    tree(tmp_path, {"ZMED/z03/1.png": FAKE, "ZMED/z07/1.png": FAKE})
    assert fam.db(SYNTHETIC).clauses_for(fam.rule("CM303")) == ()
    [f] = run(tmp_path, fam).findings
    assert (rel(tmp_path, f), f.code, f.database) == ("ZMED/z03/", "CM301", SYNTHETIC)


# The copyright notice --------------------------------------------------------------------------

FIGURE = (
    "\\begin{{figure}}\n  \\includegraphics{{{image}}}\n  \\caption{{{caption}}}\n\\end{{figure}}\n"
)


@pytest.mark.parametrize("db", ["casme", "casme2", "casmesq"])
def test_a_figure_from_a_database_needs_its_notice(db, fam, tmp_path):
    name = fam.db(db).name.replace("²", "$^2$")
    notice = fam.db(db).scan["notice"]["text"]
    tree(
        tmp_path, {"paper.tex": "Intro.\n" + FIGURE.format(image="a.png", caption=f"Apex, {name}.")}
    )
    [f] = found(run(tmp_path, fam, select="CM305"))
    assert (f.database, f.line, f.column, f.clause) == (db, 2, 1, clause(fam, "CM305", db))
    assert notice in f.message
    for mark in ("\\textcopyright", "\\copyright{}", "©", "(c)", "&copy;"):
        caption = f"Apex, {name}. {mark} Xiaolan~Fu"
        tree(tmp_path, {"paper.tex": FIGURE.format(image="a.png", caption=caption)})
        assert found(run(tmp_path, fam, select="CM305")) == [], mark


def test_a_figure_is_from_a_database_by_its_image_path_or_subject(fam, tmp_path):
    figures = FIGURE.format(image="figs/casme2_sub05_apex.png", caption="An apex.")
    figures += FIGURE.format(image="figs/apex.png", caption="An apex (others).")
    tree(tmp_path, {"paper.tex": figures})
    [f] = found(run(tmp_path, fam, select="CM305"))
    assert (f.database, f.line) == ("casme2", 1)


def test_the_notice_in_markdown_and_html_figures(fam, tmp_path):
    md = (
        "Intro.\n\n![Apex of sub05](figs/apex.png)\nA frame of CASME II.\n\n"
        "![Onset](figs/onset.png) CASME II, ©Xiaolan Fu.\n\n"
        "<figure><img src='x.png'><figcaption>CASME II</figcaption></figure>\n"
    )
    tree(tmp_path, {"paper.md": md})
    got = [(f.line, f.column) for f in found(run(tmp_path, fam, select="CM305"))]
    assert got == [(3, 1), (8, 1)]


def test_no_notice_where_the_agreement_asks_none(fam, tmp_path):
    tree(
        tmp_path, {"paper.tex": FIGURE.format(image="figs/spNO.21_a_1.png", caption="CAS(ME)$^3$.")}
    )
    assert found(run(tmp_path, fam, select="CM305")) == []


# How a paper names, cites and acknowledges a database -----------------------------------------


def test_a_required_citation_is_an_error_a_customary_one_a_note(fam, tmp_path):
    tree(tmp_path, {"paper.tex": "We use CASME and CASME II.\n"})
    report = run(tmp_path, fam, select="CM401")
    [f] = report.findings
    assert (f.database, f.code, f.severity) == ("casme", "CM401", "error")
    assert f.clause == fam.db("casme").citation.obligation
    assert "casme3 cite --db casme" in f.message
    [note] = [n for n in report.notes if n.kind == "citation"]
    assert note.message.startswith("line 1: CASME II: names the database, but no .bib")
    assert "customary" in note.message and fam.db("casme2").citation.doi in note.message
    assert "asks for no citation" in note.message
    tree(tmp_path, {"paper.tex": "SAMM too.\n"})
    [note] = run(tmp_path, fam, select="CM401").notes
    assert "SAMM's agreement" not in note.message and "not public" in note.message
    # Cited: neither.
    bib = citation.render(fam.db("casme").citation, "bibtex")
    bib += citation.render(fam.db("casme2").citation, "bibtex")
    keys = f"{fam.db('casme').citation.key},{fam.db('casme2').citation.key}"
    tree(tmp_path, {"paper.tex": f"We use CASME and CASME II \\cite{{{keys}}}.\n", "refs.bib": bib})
    report = run(tmp_path, fam, select="CM401")
    assert report.findings == [] and report.notes == []


ACK = "Portions of the research in this paper use MMEW database collected by Shandong University"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We evaluate on MMEW.\n", ["CM403"]),
        (f"We evaluate on MMEW.\n\n{ACK}.\n", []),
        (
            "We evaluate on MMEW.\n\nportions of the research in\nthis paper use MMEW~database "
            "collected by Shandong University.\n",
            [],
        ),
        ("We evaluate on CASME II.\n", []),
    ],
)
def test_the_acknowledgement(text, expected, fam, tmp_path):
    tree(tmp_path, {"paper.tex": text})
    report = run(tmp_path, fam, select="CM403")
    assert [f.code for f in report.findings] == expected
    for f in report.findings:
        assert (f.database, f.line, f.column) == ("mmew", 1, 16)
        assert f.clause == fam.db("mmew").citation.acknowledgement_clause
        assert fam.db("mmew").citation.acknowledgement in f.message


def test_a_manuscript_citing_the_paper_uses_the_database(fam, tmp_path):
    """Citing MMEW's paper (named or not) is using MMEW: its acknowledgement is due."""
    c = fam.db("mmew").citation
    tree(
        tmp_path,
        {
            "paper.tex": f"Intro.\nThe warehouse~\\cite{{{c.key}}} is used.\n",
            "refs.bib": citation.render(c, "bibtex"),
        },
    )
    report = run(tmp_path, fam, select="CM4")
    assert [(f.code, f.line, f.column) for f in report.findings] == [("CM403", 2, 15)]
    assert "cites the database's paper but not the acknowledgement" in report.findings[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Results on CASME-MG.", ["CASME-MG"]),
        ("Results on CASME MG and CasMEMG.", ["CASME MG", "CasMEMG"]),
        ("Results on CASMEMG.", []),
        ("Results on CASME-II and CASME 2.", []),  # CASME II's agreement asks no spelling
        ("Results on CASME3.", ["CASME3"]),
    ],
)
def test_each_database_s_required_name(text, expected, fam, tmp_path):
    tree(tmp_path, {"paper.md": text + "\n"})
    report = run(tmp_path, fam, select="CM402")
    assert [f.message.split("'")[1] for f in report.findings] == expected
    for f in report.findings:
        db = fam.db(f.database)
        assert f.clause == db.citation.name_clause
        assert f"calls it '{db.citation.name_forms['unicode']}'" in f.message


# --db --------------------------------------------------------------------------------------------


def test_db_checks_only_the_databases_named(fam, tmp_path):
    tree(tmp_path, {"paper.md": "spNO.131 and, in CASME II, sub12.\n"})
    assert {f.database for f in run(tmp_path, fam, select="CM3").findings} == {"casme3", "casme2"}
    only = run(tmp_path, fam, select="CM3", databases="casme2")
    assert [f.database for f in only.findings] == ["casme2"] and only.databases == ("casme2",)
    both = run(tmp_path, fam, select="CM3", databases=["CASME3", " casme2"])
    assert {f.database for f in both.findings} == {"casme3", "casme2"}
    for bad, why in [("nope", "unknown database 'nope'"), (",", "names no database")]:
        with pytest.raises(ScanError, match=why):
            run(tmp_path, fam, databases=bad)


def test_db_takes_the_databases_as_used_by_each_paper(fam, tmp_path):
    tree(
        tmp_path,
        {
            "main.tex": "\\documentclass{article}\nThe warehouse of micro-expressions.\n",
            "README.md": "How to build.\n",
        },
    )
    assert run(tmp_path, fam).findings == []
    report = run(tmp_path, fam, databases="mmew")
    got = sorted((rel(tmp_path, f), f.code, f.line) for f in report.findings)
    assert got == [("main.tex", "CM401", 1), ("main.tex", "CM403", 1)]
    assert all("uses the database (--db)" in f.message for f in report.findings)


def test_cli_db_and_database_in_json_and_sarif(data, tmp_path, capsys, monkeypatch):
    from test_cli import check_sarif, cli

    monkeypatch.setenv("CASME3_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    tree(tmp_path / "p", {"a.md": "spNO.131; CASME II's sub12.\n", "x.csv": "samm,6,1,0\n"})
    folder = "p"
    code, out, _ = cli(capsys, "scan", "-f", "json", str(folder))
    doc = json.loads(out)
    assert code == 1
    assert sorted(f["database"] for f in doc["findings"]) == ["casme2", "casme3", "samm"]
    code, out, _ = cli(capsys, "scan", "-f", "sarif", "--db", "casme2", str(folder))
    log = json.loads(out)
    check_sarif(log)
    [result] = log["runs"][0]["results"]
    assert result["properties"]["database"] == "casme2"
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["CM301"]["properties"]["databases"] == {"casme2": [result["properties"]["clause"]]}
    code, out, err = cli(capsys, "scan", "--db", "nope", str(folder))
    assert (code, out) == (2, "") and "unknown database 'nope' in --db" in err
    code, out, _ = cli(capsys, "scan", "-f", "lines", str(folder))
    assert "p/a.md:1:22: CM301 CASME II: sub12" in out


# The synthetic seventh database: detected and judged with no code change ------------------------


def test_the_synthetic_database_is_scanned_by_its_data(fam, tmp_path):
    db = fam.db(SYNTHETIC)
    figure = FIGURE.format(image="figs/zmed_z07.png", caption="A ZMED frame.")
    tree(
        tmp_path,
        {
            "paper.tex": "In ZMED, z03 smiles; z07 does not.\n" + figure,
            "labels.csv": "zmed,z11,clip,0\nzmed,z05,clip,0\n",
            "z03.png": FAKE,  # no context: nothing
        },
    )
    report = run(tmp_path, fam)
    got = sorted((rel(tmp_path, f), f.code, f.line, f.clause) for f in report.findings)
    part = db.subjects.parts[0]
    assert got == [
        ("labels.csv", "CM301", 1, part.clause),
        ("paper.tex", "CM301", 1, part.clause),
        ("paper.tex", "CM305", 2, clause(fam, "CM305", SYNTHETIC)),
        ("paper.tex", "CM401", 1, db.citation.obligation),
    ]
    assert all(f.database == SYNTHETIC for f in report.findings)
    assert "(c) Zebra Lab" in found(report, "CM305")[0].message
    fixed = figure.replace("frame.", "frame. (c) Zebra Lab")
    tree(tmp_path, {"paper.tex": "In ZMED, z07 does not smile.\n" + fixed})
    assert found(run(tmp_path, fam, select="CM305")) == []


# Data: scan.yaml is validated with its file and line ------------------------------------------


@pytest.mark.parametrize(
    ("edit", "at", "words"),
    [
        (("'ZMED(?![A-Za-z0-9_])'", "'ZMED(['"), "'ZMED", "not a regular expression"),
        (("'zmed(?![a-z0-9])'", "'ZMED'"), "'ZMED'", "lower case"),
        (("'zmed(?![a-z0-9])'", "'(?:zmed|zed)'"), "(?:zmed", "two literal characters"),
        (("  - dataset: zmed\n", "  - dataset: zmed\n    part: Q\n"), "- dataset", "no part 'Q'"),
        (("text: (c) Zebra Lab", "text: (c) Zebra Labs"), "text: (c)", "of topic `notice`"),
        (("subject: 1\n", "subject: 4\n"), "subject: 4", "there is no segment 4"),
        (("'z[ _-]?0*(\\d{1,3})'\n", "'z[ _-]?0*\\d{1,3}'\n"), "'z[ _-]?0*\\d{1,3}'", "group 1"),
    ],
)
def test_scan_yaml_errors_name_the_file_and_line(edit, at, words, data, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    path = copy / SYNTHETIC / "scan.yaml"
    text = path.read_text()
    assert edit[0] in text, edit
    text = text.replace(edit[0], edit[1], 1)
    path.write_text(text)
    line = text[: text.index(at)].count("\n") + 1
    with pytest.raises(DataError) as e:
        c3.load_family(copy, cache=False)
    assert f"{SYNTHETIC}/scan.yaml:{line}" in str(e.value) and words in str(e.value)


def test_every_scan_yaml_of_data_is_valid_and_used(fam):
    """data/<id>/scan.yaml exists for every database id of the family's contract, and each
    loaded one compiles; a database listed without one is still judged (forced, by its papers)."""
    ids = ("casme3", "casme", "casme2", "casmesq", "casmemg", "mmew", "samm", "smic")
    for db in ids:
        assert (ROOT / "data" / db / "scan.yaml").exists(), db
        assert fam.db(db).scan is not None
    from casme3_compliance.scan.spec import compile_spec

    spec = compile_spec(fam.databases)
    assert {f.db for g in spec.text.names for f in g.forms} == {
        d.id for d in fam.databases if d.scan
    }


# Linear work, bounded memory, with every database's forms ---------------------------------------


def test_work_stays_linear_with_many_names_and_ids(fam, tmp_path, monkeypatch):
    """A line of a million tied ids and names: bounded findings, linear cursor work."""
    counted = [0]
    real = T._chars

    def counting(b: bytes) -> int:
        counted[0] += len(b)
        return real(b)

    monkeypatch.setattr(T, "_chars", counting)
    monkeypatch.setattr(T, "CHUNK", 1 << 16)
    body = ("CASME II sub12 SMIC s01 MMEW S03 " * 20_000).encode()
    tree(tmp_path, {"big.txt": body, "big.csv": b"casme2,sub12,x,0\n" * 20_000})
    report = run(tmp_path, fam)
    assert counted[0] <= 16 * (len(body) + 17 * 20_000) + 4096
    assert len(report.findings) <= 3 * 100 + 100
    assert {n.kind for n in report.notes} == {"capped"}


def test_each_rule_applies_to_one_thing(data, tmp_path):
    """The scanner finds a rule by what it applies to: two rules for one thing is bad data."""
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    path = copy / "rules.yaml"
    text = path.read_text()
    path.write_text(text.replace("applies: allow-list", "applies: deny-list", 1))
    with pytest.raises(DataError, match=r"rules.yaml:\d+: rules.2.applies: another rule"):
        c3.load_family(copy, cache=False)
