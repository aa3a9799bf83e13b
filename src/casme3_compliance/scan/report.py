"""A Report as text, lines, JSON or SARIF 2.1.0 (for GitHub code scanning).

The rule pages of the site are the `helpUri` of each SARIF rule; SITE_URL is the one place
that names the site.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from casme3_compliance.knowledge.model import Database, Family
from casme3_compliance.scan.findings import Report
from casme3_compliance.terminal import escape

SITE_URL = "https://casme3-compliance.github.io/"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FORMATS = ("text", "json", "sarif", "lines")

_LEVEL = {"error": "error", "warning": "warning"}
_COLOR = {"error": "\033[31m", "warning": "\033[33m", "bold": "\033[1m", "dim": "\033[2m"}
_RESET = "\033[0m"


def rule_url(code: str) -> str:
    return f"{SITE_URL}rules/{code}/"


def render(
    report: Report, fmt: str, kb: Database | Family, version: str, color: bool = False
) -> str:
    """The report in `fmt` (one of FORMATS); ValueError on an unknown format."""
    if fmt == "text":
        return text(report, color)
    if fmt == "lines":
        return "".join(f"{_line(f)}\n" for f in report.findings)
    if fmt == "json":
        return to_json(report, version)
    if fmt == "sarif":
        return json.dumps(sarif(report, kb, version), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def _line(f) -> str:
    return f"{escape(shown(f.path))}:{f.line}:{f.column}: {f.code} {escape(f.message)}"


def shown(path: str) -> str:
    """A path that prints: bytes that were not UTF-8 in the file name appear as \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def text(report: Report, color: bool) -> str:
    """For a person: each finding with its severity and rule page, the notes, a summary; what
    came from the files (names, quoted text) escaped."""

    def paint(s: str, style: str) -> str:
        return f"{_COLOR[style]}{s}{_RESET}" if color else s

    out = []
    for f in report.findings:
        # As ruff prints: where, code, severity, message; then the rule's page to read.
        where = paint(f"{escape(shown(f.path))}:{f.line}:{f.column}:", "bold")
        level = paint(f"[{f.severity}]", f.severity)
        out.append(f"{where} {paint(f.code, f.severity)} {level} {escape(f.message)}")
        out.append(paint(f"  see {rule_url(f.code)}", "dim"))
    for n in report.notes:
        out.append(paint(f"note: {escape(shown(n.path))}: {escape(n.message)}", "dim"))
    files = _plural(report.files, "file")
    notes = f", {_plural(len(report.notes), 'note')}" if report.notes else ""
    notes += f", {len(report.suppressed):,} suppressed" if report.suppressed else ""
    if report.findings:
        counts = f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}"
        found = _plural(len(report.findings), "finding")
        out.append(paint(f"Found {found} ({counts}) in {files}{notes}.", "bold"))
    else:
        out.append(f"No findings in {files}{notes}.")
    return "\n".join(out) + "\n"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def to_json(report: Report, version: str) -> str:
    doc = {
        "version": version,
        "findings": [{**f.as_dict(), "path": shown(f.path)} for f in report.every_finding()],
        "notes": [{**n.as_dict(), "path": shown(n.path)} for n in report.notes],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    """A relative reference with forward slashes; a file URI for a path outside the working
    folder. The file name's own bytes are percent-encoded, so a name that is not UTF-8 stays
    exact, and so is every `:`: in a first segment (`http:x.png`, `C:x.png`) it would make the
    path a URI of that scheme (RFC 3986, section 4.2)."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if rel.startswith(".."):
            return Path(path).as_uri()
        path = rel.replace(os.sep, "/")
    from urllib.parse import quote

    return quote(path.encode("utf-8", "surrogateescape"), safe="/()+,;=@!$&'*~")


def _clauses(kb: Database | Family, report: Report, rule) -> dict[str, tuple[str, ...]]:
    """The clauses `rule` stands for, by database: those the scan judged."""
    dbs = kb.databases if isinstance(kb, Family) else (kb,)
    judged = [d for d in dbs if not report.databases or d.id in report.databases]
    return {d.id: ids for d in judged if (ids := d.clauses_for(rule))}


def sarif(report: Report, kb: Database | Family, version: str) -> dict:
    """SARIF 2.1.0: one rule entry per selected code; notes become tool notifications."""
    codes = list(report.codes) or [r.code for r in kb.rules]
    names = {d.id: d.name for d in (kb.databases if isinstance(kb, Family) else (kb,))}
    rules = []
    for code in codes:
        r = kb.rule(code)
        # A rule about the scan itself names no clause; the others, each database's own.
        by_db = _clauses(kb, report, r)
        if len(by_db) == 1:
            ids = next(iter(by_db.values()))
            clauses = f"\n\nLA clauses: {', '.join(ids)}."
        else:
            listed = "; ".join(f"{names[d]} {', '.join(c)}" for d, c in by_db.items())
            clauses = f"\n\nClauses: {listed}." if by_db else ""
        default = kb.default if isinstance(kb, Family) else kb.id
        ids = by_db.get(default) or next(iter(by_db.values()), ())
        help_text = f"{r.detects}\n\nWhy: {r.why}\n\nFix: {r.fix}{clauses}"
        rules.append(
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.detects},
                "help": {
                    "text": help_text,
                    "markdown": f"{r.detects}\n\n**Why:** {r.why}\n\n**Fix:** {r.fix}{clauses}"
                    f"\n\n[Rule page]({rule_url(r.code)})",
                },
                "helpUri": rule_url(r.code),
                "defaultConfiguration": {"level": _LEVEL[r.severity]},
                "properties": {
                    "tags": ["license-compliance", "casme3"],
                    "clauses": list(ids),
                    "databases": {d: list(c) for d, c in by_db.items()},
                },
            }
        )
    index = {code: i for i, code in enumerate(codes)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
            # Empty: checked and not suppressed; absent would mean "not known".
            "suppressions": []
            if f.suppressed is None
            else [{"kind": "inSource", "justification": f.suppressed}],
            "properties": {"clause": f.clause, "database": f.database},
        }
        for f in report.every_finding()
    ]
    notifications = [
        {
            "level": "note",
            "message": {"text": n.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(n.path)}}}],
            "descriptor": {"id": n.kind},
        }
        for n in report.notes
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "casme3",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": SITE_URL,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
