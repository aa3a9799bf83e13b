"""A synthetic seventh database, added to a copy of data/, to prove that a database is files.

`with_synthetic(tmp_path)` copies the project's data/ and adds `zmed` ("Zebra Micro-Expression
Database", invented): a one-section agreement whose text is stored in source/, a deny-list of
two subjects written `z01`, `Z-7`, a citation, one checklist. Nothing in the package knows it;
every test that uses it shows the code serving a database it has never seen.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from conftest import DATA

SYNTHETIC = "zmed"
PRIVATE = "zpriv"
"""A second synthetic database whose agreement is not public: a citation and how to ask."""
AGREEMENT_TEXT = (
    "Zebra Agreement\n\n"
    "1. Use\n\n"
    "The data may be used for research only. Images of subjects z03 and z11 must not be "
    "published. Other images may appear in journal articles with the notice (c) Zebra Lab.\n"
)

FILES = {
    "database.yaml": """\
id: zmed
name: ZMED
full_name: Zebra Micro-Expression Database (synthetic, for tests)
issuer: Zebra Lab
issuer_short: ZL
agreement: public
""",
    "agreement.yaml": """\
title: Zebra Agreement
short_title: ZMED Agreement
abbreviation: ZA
owner: Zebra Lab
owner_short: ZL
provenance:
  text:
    file: source/zmed-agreement.txt
    sha256: {sha}
    bytes: {size}
    description: The Zebra Agreement, as the synthetic test writes it.
  pdf:
    description: No PDF exists; the fields say where one would be.
    url: https://example.org/zmed.pdf
    repository: example/zmed
    path: zmed.pdf
    commit: "0000000"
    created: "2000-01-01"
    sha256: "0000000000000000000000000000000000000000000000000000000000000000"
  compared: Nothing to compare.
numbering: The agreement numbers its one section; clause numbers such as 1.2 are ours.
parts:
  - number: "1"
    prefix: "1"
    anchor: section-1
    title: Use
    clauses:
      - id: "1.1"
        kind: prohibition
        where: {{section: "1", sentence: 1}}
        topics: [research-only]
        text: The data may be used for research only.
        summary: Research only.
      - id: "1.2"
        kind: prohibition
        where: {{section: "1", sentence: 2}}
        topics: [images]
        text: Images of subjects z03 and z11 must not be published.
        subjects: Z
        summary: The images of z03 and z11 must not be published.
      - id: "1.3"
        kind: permission
        where: {{section: "1", sentence: 3}}
        topics: [images, where-images, notice]
        text: Other images may appear in journal articles with the notice (c) Zebra Lab.
        summary: Other images may appear in journal articles, with the notice.
application: {{}}
""",
    "subjects.yaml": """\
sources: {}
grammar:
  - part: Z
    pattern: '(?:z[ \\t._-]*)?0*([0-9]+)'
    bare: true
parts:
  - key: Z
    name: ZMED
    label: z{n}
    pad: 2
    numbering: z<nn>
    rule: deny
    clause: "1.2"
    allowed_clause: "1.3"
    permission: "1.3"
    verdicts:
      restricted: "{label} is one of the subjects whose images must not be published ({clause})."
      allowed: >-
        {label} is not one of them ({clause}): images may appear in journal articles with the
        notice ({permission}).
    list: [3, 11]
""",
    "citation.yaml": """\
obligation: "1.1"
clause: "1.1"
basis: Customary for the synthetic database.
checked:
  - {fields: everything, where: invented for the tests}
key: zebra2000
type: article
authors:
  - {given: Zoe, family: Zebra}
title:
  text: "ZMED: a synthetic database"
  latex: "{ZMED}: a synthetic database"
container: Journal of Tests
year: 2000
doi: 10.0000/zmed
""",
    "checklists.yaml": """\
checklists:
  - id: publish
    title: Before you publish
    intro: Before a paper goes out.
    items:
      - id: publish-z
        text: No image of z03 or z11 appears.
        clauses: ["1.2"]
""",
    # What the scanner needs to recognise it (stream B2): its name, its subjects written z03
    # (only in a context naming ZMED), its files, the notice its clause 1.3 asks for.
    "scan.yaml": """\
names:
  - pattern: 'ZMED(?![A-Za-z0-9_])'
    case: sensitive
paths:
  - 'zmed(?![a-z0-9])'
subjects:
  - text: 'z[ _-]?0*(\\d{1,3})(?![0-9a-z])'
    path:
      pattern: 'z[ _-]?0*(\\d{1,3})(?![0-9a-z])'
rows:
  - dataset: zmed
    subject: 'z[ _-]?0*(\\d{1,3})'
files:
  folders:
    - segments: ['zmed[^/]*', 'z[ _-]?0*([0-9]{1,3})']
      file: '[0-9]+\\.png'
      describe: frame folders of {n}
      noun: subject
      count: 1
      subject: 1
notice:
  text: (c) Zebra Lab
  holder: Zebra Lab
""",
}


PRIVATE_FILES = {
    "database.yaml": """\
id: zpriv
name: ZPRIV
full_name: Zebra Private Database (synthetic, for tests)
issuer: Zebra Lab
issuer_short: ZL
agreement: not-public
ask: Write to the Zebra Lab (an invented address).
""",
    "citation.yaml": FILES["citation.yaml"]
    .replace('obligation: "1.1"\nclause: "1.1"\n', "")
    .replace("zebra2000", "zebra2001"),
}


def with_synthetic(tmp_path: Path) -> Path:
    """A copy of data/ with the synthetic databases added and listed last (`zmed`, public, and
    `zpriv`, whose agreement is not); returns the copy's folder."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    folder = data / SYNTHETIC
    (folder / "source").mkdir(parents=True)
    text = AGREEMENT_TEXT.encode()
    (folder / "source" / "zmed-agreement.txt").write_bytes(text)
    for name, content in FILES.items():
        if name == "agreement.yaml":
            content = content.format(sha=hashlib.sha256(text).hexdigest(), size=len(text))
        (folder / name).write_text(content, "utf-8")
    (data / PRIVATE).mkdir()
    for name, content in PRIVATE_FILES.items():
        (data / PRIVATE / name).write_text(content, "utf-8")
    listing = data / "databases.yaml"
    lines = listing.read_text("utf-8").splitlines()
    out = []
    for line in lines:
        if line.startswith("databases: ["):
            line = line.rstrip("]") + f", {SYNTHETIC}, {PRIVATE}]"
        out.append(line)
    listing.write_text("\n".join(out) + "\n", "utf-8")
    return english_only(data)


# Stand-ins for the family (stream B2's tests) ----------------------------------------------------
#
# The scanner's tests judge every database of the family, but the data of the six databases
# beside CAS(ME)³ is written in another stream. Until data/<id>/ holds a database's own files,
# `with_family` writes a stand-in for it into a temporary copy of data/: the clauses of its
# agreement the scanner stands for, quoted from the issuer's text, and its subjects' rule. A
# database whose files are in data/ is used as it is, so the tests then judge the real data;
# they read clauses and verdicts from whatever is loaded, never from these stand-ins.

_IPCAS = "Institute of Psychology, Chinese Academy of Sciences"


def _clause(cid, kind, where, topics, text, **extra):
    return {
        "id": cid,
        "kind": kind,
        "where": where,
        "topics": topics,
        "text": text,
        "summary": "Stand-in for the tests.",
        **extra,
    }


def _agreement(name, parts):
    return {
        "title": "License Agreement",
        "short_title": f"{name} License Agreement",
        "abbreviation": "LA",
        "owner": _IPCAS if name != "MMEW" else "Shandong University",
        "owner_short": "IP-CAS" if name != "MMEW" else "SDU",
        "provenance": {
            "text": {
                "file": "source/stand-in.txt",
                "sha256": "",
                "bytes": 0,
                "description": "The clauses the stand-in quotes.",
            },
            "pdf": {
                "description": "Stand-in.",
                "url": "https://example.org/la.pdf",
                "repository": "example/la",
                "path": "la.pdf",
                "commit": "0000000",
                "created": "2000-01-01",
                "sha256": "0" * 64,
            },
            "compared": "Nothing compared: a stand-in for the tests.",
        },
        "numbering": "Clause numbers are ours.",
        "parts": parts,
        "application": {},
    }


def _subjects(key, label, rule, clause, listed=None, lo=None, hi=None):
    part = {
        "key": key,
        "name": label.split("{")[0].strip() or key,
        "label": label,
        "pad": 2,
        "numbering": label.replace("{n}", "<nn>"),
        "rule": rule,
        "clause": clause,
    }
    if rule in ("deny", "allow"):
        part["verdicts"] = {
            "restricted": "{label} is restricted ({clause}).",
            "allowed": "{label} is not restricted ({clause}).",
        }
        part["list"] = listed
    else:
        part["verdicts"] = {"approval": "{label}'s images need the issuer's approval ({clause})."}
    sources = {}
    if lo is not None:
        sources = {"ids": {"title": "Stand-in", "where": "tests", "note": "Stand-in range."}}
        part["range"] = {"min": lo, "max": hi, "source": "ids"}
    grammar = [{"part": key, "pattern": "[a-z ]*0*([0-9]+)", "bare": True}]
    return {"sources": sources, "grammar": grammar, "parts": [part]}


def _citation(key, title, doi, **extra):
    return {
        "basis": "Stand-in for the tests.",
        "checked": [{"fields": "title and DOI", "where": "the agreement or the issuer's page"}],
        "key": key,
        "type": "article",
        "authors": [{"family": "Stand-in"}],
        "title": {"text": title, "latex": title},
        "container": "Stand-in",
        "year": 2000,
        "doi": doi,
        **extra,
    }


_NOTICE = (
    "if I reproduce images and video in electronic or print media, to use only in scientific "
    "journals and include notice of copyright (©Xiaolan Fu)."
)
_SECOND = "not to provide the video or images to second parties."

STAND_INS = {
    "casme": {
        "database": {
            "name": "CASME",
            "full_name": "Chinese Academy of Sciences Micro-expression Database",
            "agreement": "public",
        },
        "agreement": _agreement(
            "CASME",
            [
                {
                    "prefix": "B",
                    "anchor": "bullets",
                    "title": "I agree",
                    "clauses": [
                        _clause(
                            "B.1",
                            "obligation",
                            {"bullet": 1, "sentence": 1},
                            ["citation"],
                            "to cite Yan et al. (2013) in any paper of mine or my collaborators "
                            "that makes any use of the database.",
                        ),
                        _clause(
                            "B.2",
                            "notice",
                            {"bullet": 1, "sentence": 2},
                            ["citation"],
                            "The reference is (updated when published): Yan, W. J., Wu, Q., Liu, "
                            "Y. J., Wang, S. J., & Fu, X. (2013).",
                        ),
                        _clause("B.3", "prohibition", {"bullet": 3}, ["distribution"], _SECOND),
                        _clause(
                            "B.4",
                            "condition",
                            {"bullet": 4},
                            ["images", "where-images", "notice"],
                            "if I reproduce images (only from sub01 and sub08) in electronic or "
                            "print media, to use only in scientific journals and include notice "
                            "of copyright (©Xiaolan Fu).",
                            subjects="S",
                        ),
                    ],
                }
            ],
        ),
        "subjects": _subjects("S", "sub{n}", "allow", "B.4", [1, 8]),
        "citation": _citation(
            "yan2013casme",
            "CASME Database: A Dataset of Spontaneous "
            "Micro-Expressions Collected from Neutralized Faces",
            "10.1109/FG.2013.6553799",
            obligation="B.1",
            clause="B.2",
        ),
    },
    "casme2": {
        "database": {
            "name": "CASME II",
            "full_name": "Chinese Academy of Sciences Micro-expression Database II",
            "agreement": "public",
        },
        "agreement": _agreement(
            "CASME II",
            [
                {
                    "prefix": "B",
                    "anchor": "bullets",
                    "title": "I agree",
                    "clauses": [
                        _clause("B.2", "prohibition", {"bullet": 2}, ["distribution"], _SECOND),
                        _clause(
                            "B.3",
                            "condition",
                            {"bullet": 3, "sentence": 1},
                            ["images", "where-images", "notice"],
                            _NOTICE,
                        ),
                        _clause(
                            "B.4",
                            "prohibition",
                            {"bullet": 3, "sentence": 2},
                            ["images"],
                            "Images and video from sub12 and sub22 should not be published.",
                            subjects="S",
                        ),
                    ],
                }
            ],
        ),
        "subjects": _subjects("S", "sub{n}", "deny", "B.4", [12, 22], 1, 26),
        "citation": _citation(
            "yan2014casme2",
            "CASME II: An Improved Spontaneous "
            "Micro-Expression Database and the Baseline Evaluation",
            "10.1371/journal.pone.0086041",
        ),
    },
    "casmesq": {
        "database": {
            "name": "CAS(ME)²",
            "full_name": "Chinese Academy of Sciences "
            "Macro-Expressions and Micro-Expressions Database",
            "agreement": "public",
        },
        "agreement": _agreement(
            "CAS(ME)²",
            [
                {
                    "prefix": "B",
                    "anchor": "bullets",
                    "title": "I agree",
                    "clauses": [
                        _clause("B.2", "prohibition", {"bullet": 2}, ["distribution"], _SECOND),
                        _clause(
                            "B.3",
                            "condition",
                            {"bullet": 3},
                            ["images", "where-images", "notice"],
                            _NOTICE,
                        ),
                    ],
                }
            ],
        ),
        "citation": _citation(
            "qu2018casmesq",
            "CAS(ME)²: A Database for Spontaneous "
            "Macro-Expression and Micro-Expression Spotting and Recognition",
            "10.1109/TAFFC.2017.2654440",
        ),
    },
    "casmemg": {
        "database": {
            "name": "CASMEMG",
            "full_name": "EMG-Based Micro-expression Database: CASMEMG",
            "agreement": "public",
        },
        "agreement": _agreement(
            "CASMEMG",
            [
                {
                    "number": "3",
                    "prefix": "3",
                    "anchor": "section-3",
                    "title": "Data storage and Distribution",
                    "clauses": [
                        _clause(
                            "3.1",
                            "prohibition",
                            {"section": "3", "paragraph": 2, "sentence": 1},
                            ["distribution"],
                            "The user may not distribute or broadcast the database in any form.",
                        ),
                        _clause(
                            "3.2",
                            "prohibition",
                            {"section": "3", "paragraph": 2, "sentence": 2},
                            ["images"],
                            "Except for subject 07, the images of the rest of the "
                            "subjects should not be published.",
                            subjects="S",
                        ),
                    ],
                },
                {
                    "number": "4",
                    "prefix": "4",
                    "anchor": "section-4",
                    "title": "Citations",
                    "clauses": [
                        _clause(
                            "4.1",
                            "obligation",
                            {"section": "4", "paragraph": 1},
                            ["citation", "name"],
                            "When reporting results in papers and "
                            "presentations, the user should refer the data as 'CASMEMG' and cite "
                            "this:",
                        ),
                        _clause(
                            "4.2",
                            "obligation",
                            {"section": "4", "paragraph": 2},
                            ["citation"],
                            "doi: 10.1109/TAFFC.2025.3575127.",
                        ),
                    ],
                },
            ],
        ),
        "subjects": _subjects("S", "subject {n}", "allow", "3.2", [7]),
        "citation": _citation(
            "li2025casmemg",
            "Could Micro-Expressions be Quantified? Electromyography Gives Affirmative Evidence",
            "10.1109/TAFFC.2025.3575127",
            obligation="4.1",
            clause="4.2",
            name={
                "clause": "4.1",
                "la_form": "CASMEMG",
                "forms": {
                    "unicode": "CASMEMG",
                    "html": "CASMEMG",
                    "latex": "CASMEMG",
                    "latex_text": "CASMEMG",
                    "plain": "CASMEMG",
                },
            },
        ),
    },
    "mmew": {
        "database": {
            "name": "MMEW",
            "full_name": "Micro-and-macro expression warehouse",
            "issuer": "Shandong University",
            "issuer_short": "SDU",
            "agreement": "public",
        },
        "agreement": _agreement(
            "MMEW",
            [
                {
                    "number": "1",
                    "prefix": "1",
                    "anchor": "section-1",
                    "title": "Redistribution",
                    "clauses": [
                        _clause(
                            "1.1",
                            "prohibition",
                            {"section": "1"},
                            ["distribution", "approval"],
                            "Redistribution: Without prior approval from Shandong University, "
                            "MMEW, in whole or in part, will not be further distributed, "
                            "published, copied, or disseminated in any way or form whatsoever, "
                            "whether for profit or not.",
                            subjects="S",
                        ),
                    ],
                },
                {
                    "number": "5",
                    "prefix": "5",
                    "anchor": "section-5",
                    "title": "Acknowledgment",
                    "clauses": [
                        _clause(
                            "5.1",
                            "obligation",
                            {"section": "5"},
                            ["acknowledgement", "citation"],
                            "In all documents and papers that report experimental results based on "
                            'this database, MMEW should be acknowledged as: "Portions of the '
                            "research in this paper use MMEW database collected by Shandong "
                            'University " and a citation of this database should be added into the '
                            "references",
                        ),
                    ],
                },
            ],
        ),
        "subjects": _subjects("S", "S{n}", "approval", "1.1"),
        "citation": _citation(
            "ben2021mmew",
            "Video-based Facial Micro-Expression Analysis: A Survey of Datasets, "
            "Features and Algorithms",
            "10.1109/TPAMI.2021.3067464",
            obligation="5.1",
            clause="5.1",
            acknowledgement={
                "clause": "5.1",
                "text": "Portions of the research "
                "in this paper use MMEW database collected by Shandong University",
            },
        ),
    },
    "samm": {
        "database": {
            "name": "SAMM",
            "full_name": "Spontaneous Actions and Micro-Movements",
            "issuer": "Manchester Metropolitan University",
            "issuer_short": "MMU",
            "agreement": "not-public",
            "ask": "the issuer, by e-mail",
        },
        "citation": _citation(
            "davison2018samm",
            "SAMM: A Spontaneous Micro-Facial Movement Dataset",
            "10.1109/TAFFC.2016.2573832",
        ),
    },
    "smic": {
        "database": {
            "name": "SMIC",
            "full_name": "Spontaneous Micro-expression Database",
            "issuer": "University of Oulu",
            "issuer_short": "Oulu",
            "agreement": "not-public",
            "ask": "the issuer, by e-mail",
        },
        "citation": _citation(
            "li2013smic",
            "A Spontaneous Micro-Expression Database: Inducement, Collection and Baseline",
            "10.1109/FG.2013.6553717",
        ),
    },
}


def with_family(tmp_path: Path, synthetic: bool = False) -> Path:
    """A copy of data/ where every database of the family has its files: its own where data/
    holds them, else the stand-in above; with `synthetic`, the seventh database (zmed) too."""
    import yaml

    data = with_synthetic(tmp_path) if synthetic else tmp_path / "data"
    if not synthetic:
        shutil.copytree(DATA, data)
    listing = data / "databases.yaml"
    listed = yaml.safe_load(listing.read_text("utf-8"))["databases"]
    for db, files in STAND_INS.items():
        folder = data / db
        if (folder / "database.yaml").exists():
            continue  # the database's own data
        folder.mkdir(exist_ok=True)
        meta = {"id": db, "issuer": _IPCAS, "issuer_short": "IP-CAS", **files["database"]}
        dump = {"database": meta, **{k: v for k, v in files.items() if k != "database"}}
        if "agreement" in dump:
            texts = [c["text"] for p in dump["agreement"]["parts"] for c in p["clauses"]]
            text = ("\n".join(texts) + "\n").encode()
            (folder / "source").mkdir(exist_ok=True)
            (folder / "source" / "stand-in.txt").write_bytes(text)
            stored = dump["agreement"]["provenance"]["text"]
            stored.update(sha256=hashlib.sha256(text).hexdigest(), bytes=len(text))
        for kind, content in dump.items():
            (folder / f"{kind}.yaml").write_text(yaml.safe_dump(content, allow_unicode=True))
        if db not in listed:
            listed.append(db)
    lines = listing.read_text("utf-8").splitlines()
    out = [
        f"databases: [{', '.join(listed)}]" if ln.startswith("databases:") else ln for ln in lines
    ]
    listing.write_text("\n".join(out) + "\n", "utf-8")
    return english_only(data)


def english_only(data: Path) -> Path:
    """The synthetic databases are written in English only: in the copy, every other language
    is a draft (which may lack a translation), whatever data/ ships."""
    langs = data / "i18n" / "languages.yaml"
    text = re.sub(
        r"(code: (?!en\b)[^,]+,.*)status: complete", r"\1status: draft", langs.read_text("utf-8")
    )
    langs.write_text(text, "utf-8")
    return data
