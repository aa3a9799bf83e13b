"""Lists of subjects as people keep them, answered row by row for every database they name.

A row is one reference (`spNO.131`), a reference with its database (`casme2:sub12`), or a row of
a composite label file whose first two fields are the dataset and the subject, as the MEGC
challenges write them (`casme2,sub12,EP01_02,0`; `samm,6,006_1_2,0`; blank `,,,` rows between).
A row of a database whose agreement is not public is answered "unknown", never "allowed"; a row
of a database this project does not know is "unknown" too, and says so, in the family's
language (data/i18n/<lang>/messages/cli.yaml).
"""

from __future__ import annotations

from casme3_compliance.knowledge.errors import RefError
from casme3_compliance.knowledge.model import Family, Record
from casme3_compliance.knowledge.verdicts import SYNTAX, Verdict, join, verdict


class Row(Record):
    """One answered row: its line, what it said, and the verdict or why there is none."""

    line: int
    text: str
    database: str
    verdict: Verdict | None = None
    error: str | None = None
    known: bool = True  # False: the row names a database this project does not know

    @property
    def answer(self) -> str:
        """`restricted`, `allowed`, `approval`, `unknown`, or `invalid` (no subject named)."""
        if self.verdict is not None:
            return self.verdict.verdict
        return "invalid" if self.known else "unknown"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"line": self.line, "input": self.text, "database": self.database}
        if self.verdict is not None:
            out.update(self.verdict.as_dict())
        else:
            out.update({"verdict": self.answer, "message": self.error})
        return out


def database_of(family: Family, name: str) -> str | None:
    """The id a dataset field or a `db:` prefix names (an id, or an alias in database.yaml)."""
    wanted = name.strip().lower()
    for db in family.databases:
        if wanted == db.id or wanted in db.aliases:
            return db.id
    return None


def answer(text: str, family: Family, default: str | None = None) -> list[Row]:
    """Every row of `text` that names something (blank rows and a header are skipped)."""
    rows: list[Row] = []
    default = default or family.default
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip(SYNTAX["strip"])
        fields = [f.strip() for f in stripped.split(",")]
        if not stripped or not any(fields):
            continue
        if len(fields) >= 2 and fields[0] and fields[1]:  # a composite label row
            dataset, ref = fields[0], fields[1]
            if number == 1 and dataset.lower() in ("dataset", "database", "db"):
                continue  # a header
            rows.append(_row(family, number, stripped, dataset, ref))
            continue
        head, colon, rest = stripped.partition(":")
        if colon and database_of(family, head) is not None:
            rows.append(_row(family, number, stripped, head, rest))
        else:
            rows.append(_row(family, number, stripped, default, stripped))
    return rows


def _row(family: Family, number: int, text: str, dataset: str, ref: str) -> Row:
    db_id = database_of(family, dataset)
    if db_id is None:
        known = join(family, family.ids, "cli.list.comma")
        message = family.t("cli.rows.unknown_database", dataset=dataset, known=known)
        return Row(number, text, dataset, error=message, known=False)
    try:
        return Row(number, text, db_id, verdict(ref, family.db(db_id)))
    except RefError as e:
        return Row(number, text, db_id, error=str(e))
