"""What a scan reports: findings (a rule matched) and notes (a file could not be checked fully)."""

from __future__ import annotations

from dataclasses import dataclass, field


class ScanError(ValueError):
    """The scan cannot start (a missing path, an unknown rule code); one line for the user."""


@dataclass(frozen=True, order=True)
class Finding:
    """One rule match. `line` and `column` are 1-based; `column` counts characters."""

    path: str
    line: int
    column: int
    code: str
    severity: str
    message: str
    clause: str

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "clause": self.clause,
        }


@dataclass(frozen=True, order=True)
class Note:
    """A file the scan could check only by name, or only partly, and why."""

    path: str
    kind: str  # unreadable | not-utf8 | symlink-loop | not-regular | large-file | git
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "message": self.message}


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files: int = 0
    codes: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")
