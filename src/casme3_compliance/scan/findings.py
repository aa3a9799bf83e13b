"""What a scan reports: findings (a rule matched, or something could not be checked) and notes
(information that does not weaken the verdict).

Every word of ours in them is a text of data/i18n/<lang>/messages/scan.yaml, put in the scan's
language by the family's `t(id, **slots)`; the readers that do not know the language (archives,
bibliographies) say what they found as a `Say`, which the engine puts in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Texts = Callable[..., str]
"""A family's or a database's `t`: our text `id` in its language, its `{slots}` filled."""


class ScanError(ValueError):
    """The scan cannot start (a missing path, an unknown rule code); one line for the user."""


@dataclass(frozen=True, order=True)
class Finding:
    """One rule match. `line` and `column` are 1-based; `column` counts characters.
    `suppressed` is the reason of the inline `casme3: ignore[...]` that excuses it, if any;
    `database` the id of the database whose agreement the finding is about (None for what the
    scan could not check)."""

    path: str
    line: int
    column: int
    code: str
    severity: str
    message: str
    clause: str
    suppressed: str | None = None
    database: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "clause": self.clause,
            "suppressed": None
            if self.suppressed is None
            else {"kind": "inSource", "justification": self.suppressed},
            "database": self.database,
        }


# What notes say, as docs/usage/cli.md lists them.
NOTE_KINDS = (
    "not-utf8",
    "encoding",
    "large-file",
    "symlink",
    "symlink-loop",
    "not-regular",
    "git",
    "suppression",
    "capped",
    "archive",
    "report",
    "agreement",
    "citation",
)


@dataclass(frozen=True, order=True)
class Note:
    """Information about how a file was read that does not weaken the verdict (what weakens it
    is an Unchecked, reported as a finding of the not-checked rule)."""

    path: str
    kind: str  # one of NOTE_KINDS
    message: str

    def __post_init__(self) -> None:
        if self.kind not in NOTE_KINDS:  # docs/usage/cli.md lists them: a new one goes there
            raise ValueError(f"unknown note kind {self.kind!r}")

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class Say:
    """Words of ours not yet in a language: a message id and its slots (a slot may be a Say
    too). `in_(t)` gives the text in the language of `t`."""

    key: str
    slots: tuple[tuple[str, object], ...] = ()

    def in_(self, t: Texts) -> str:
        return t(self.key, **{k: v.in_(t) if isinstance(v, Say) else v for k, v in self.slots})


def say(key: str, **slots: object) -> Say:
    return Say(key, tuple(slots.items()))


def count(t: Texts, key: str, n: int, **slots: object) -> str:
    """`key.one` for 1, else `key.other`, with `{n}` the count (thousands separated): each
    language writes both forms, whatever its grammar does with them."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", n=f"{n:,}", **slots)


def listed(t: Texts, items: list[str] | tuple[str, ...], most: int | None = None) -> str:
    """`items` joined as the language lists them; past `most` of them, the rest left out."""
    shown = t("scan.list.separator").join(items[:most])
    return t("scan.list.more", items=shown) if most is not None and len(items) > most else shown


@dataclass(frozen=True)
class Unchecked:
    """What the scan could not look at, and why: a finding of the not-checked rule (CM001), so
    that a scan never answers clean for it. `path` ends in "/" for a folder."""

    path: str
    why: str
    line: int = 1


@dataclass
class Report:
    """`findings` are those that count (for the exit status); `suppressed` those an inline
    comment excuses, kept for the reports that show them."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files: int = 0
    codes: tuple[str, ...] = ()
    suppressed: list[Finding] = field(default_factory=list)
    databases: tuple[str, ...] = ()  # the ids of the databases the scan judged

    def every_finding(self) -> list[Finding]:
        """Counted and suppressed findings together, in the order of the reports."""
        return sorted(self.findings + self.suppressed, key=sort_key)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


def sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.path, f.line, f.column, f.code, f.message)


CAP = 100  # Findings kept per file and rule; a note counts the rest.


def size(n: int) -> Say:
    """A size limit for a message: in MiB or GiB when whole, else in bytes."""
    for unit, shift in (("gib", 30), ("mib", 20)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return say(f"scan.size.{unit}", n=f"{n >> shift:,}")
    return say("scan.size.bytes", n=f"{n:,}")
