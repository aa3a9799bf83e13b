"""A synthetic seventh database, added to a copy of data/, to prove that a database is files.

`with_synthetic(tmp_path)` copies the project's data/ and adds `zmed` ("Zebra Micro-Expression
Database", invented): a one-section agreement whose text is stored in source/, a deny-list of
two subjects written `z01`, `Z-7`, a citation, one checklist. Nothing in the package knows it;
every test that uses it shows the code serving a database it has never seen.
"""

from __future__ import annotations

import hashlib
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
    return data
