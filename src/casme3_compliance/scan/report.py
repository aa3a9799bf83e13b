"""A Report as text, lines, JSON or SARIF 2.1.0 (for GitHub code scanning).

The rule pages of the site are the `helpUri` of each SARIF rule; SITE_URL is the one place
that names the site. What a person reads (the text report's lines, the findings' and notes'
messages, a SARIF rule's help) is in the language of the family given; what a program reads
(JSON and SARIF keys, rule codes, ids, `database`, `clause`) is the same in every language.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from casme3_compliance.knowledge.model import Database, Family
from casme3_compliance.scan.findings import Report, Texts, count, listed
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
        return text(report, color, kb.t)
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


def text(report: Report, color: bool, t: Texts) -> str:
    """For a person, in the language of `t`: each finding with its severity and rule page, the
    notes, a summary; what came from the files (names, quoted text) escaped."""

    def paint(s: str, style: str) -> str:
        return f"{_COLOR[style]}{s}{_RESET}" if color else s

    out = []
    for f in report.findings:
        # As ruff prints: where, code, severity, message; then the rule's page to read.
        where = paint(f"{escape(shown(f.path))}:{f.line}:{f.column}:", "bold")
        level = paint(f"[{t(f'scan.report.{f.severity}')}]", f.severity)
        out.append(f"{where} {paint(f.code, f.severity)} {level} {escape(f.message)}")
        out.append(paint(t("scan.report.see", url=rule_url(f.code)), "dim"))
    for n in report.notes:
        note = t("scan.report.note", path=escape(shown(n.path)), message=escape(n.message))
        out.append(paint(note, "dim"))
    files = count(t, "scan.count.file", report.files)
    more = count(t, "scan.report.notes", len(report.notes)) if report.notes else ""
    if report.suppressed:
        more += t("scan.report.suppressed", n=f"{len(report.suppressed):,}")
    if report.findings:
        found = t(
            "scan.report.found",
            findings=count(t, "scan.report.findings", len(report.findings)),
            errors=count(t, "scan.report.errors", report.errors),
            warnings=count(t, "scan.report.warnings", report.warnings),
            files=files,
            more=more,
        )
        out.append(paint(found, "bold"))
    else:
        out.append(t("scan.report.clean", files=files, more=more))
    return "\n".join(out) + "\n"


# What each slot of a report line's text is, to recognise the line (`[\d,]+`: a count).
_LINE_SLOTS = {"url": r"\S+/rules/CM\d{3}/", "path": ".*", "message": ".*", "n": r"[\d,]+"}
_SLOT = re.compile(r"\{([a-z_]*)\}")


def report_lines(kb: Database | Family) -> re.Pattern[bytes]:
    """The lines no casme3 text or lines report has, in any language of ours. A report's line
    is a finding, its rule page, a note (on stdout, or on stderr after `casme3: `), the
    summary; a file without any other line is a report, which the scan does not read
    (scan/text.py). The texts are each language's messages, the run's own first."""
    alternatives = [r".+:\d+:\d+: CM\d{3} .*"]  # the same in every language
    for texts in _every_language(kb):
        alternatives += _report_line(texts)
    either = "|".join(dict.fromkeys(alternatives))
    return _compiled(rf"^(?!(?:{either})\r?$)[^\n]*\S")


def _report_line(texts: dict[str, str]) -> list[str]:
    """The lines of a text report in the language of `texts`, but its findings', as patterns."""

    def one(key: str, **slots: str) -> str:
        return _pattern(texts[key], {**_LINE_SLOTS, **slots})

    def counted(key: str) -> str:
        return f"(?:{one(key + '.one')}|{one(key + '.other')})"

    files = counted("scan.count.file")
    more = f"(?:{counted('scan.report.notes')})?(?:{one('scan.report.suppressed')})?"
    found = one(
        "scan.report.found",
        findings=counted("scan.report.findings"),
        errors=counted("scan.report.errors"),
        warnings=counted("scan.report.warnings"),
        files=files,
        more=more,
    )
    clean = one("scan.report.clean", files=files, more=more)
    return [one("scan.report.see"), f"(?:casme3: )?{one('scan.report.note')}", found, clean]


def _pattern(template: str, slots: dict[str, str]) -> str:
    """A regular expression for the texts `template` gives, each slot as `slots` says."""
    out, at = [], 0
    for m in _SLOT.finditer(template):
        out += [re.escape(template[at : m.start()]), slots[m.group(1)]]
        at = m.end()
    return "".join([*out, re.escape(template[at:])])


_compiled_patterns: dict[str, re.Pattern[bytes]] = {}


def _compiled(pattern: str) -> re.Pattern[bytes]:
    if pattern not in _compiled_patterns:
        _compiled_patterns[pattern] = re.compile(pattern.encode("utf-8"), re.M)
    return _compiled_patterns[pattern]


def _every_language(kb: Database | Family) -> list[dict[str, str]]:
    """The messages of the run's language, then those of every other language of the data: a
    report written in one is recognised in a run in another."""
    from casme3_compliance.knowledge.errors import DataError
    from casme3_compliance.knowledge.loader import load_family

    out = [kb.texts]
    try:
        family = load_family()
        out += [load_family(lang=x["code"]).texts for x in family.languages if x["code"] != kb.lang]
    except (DataError, OSError, LookupError):
        pass  # the data's other languages cannot be read: the run's own is still known
    return out


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
    t = kb.t
    rules = []
    for code in codes:
        r = kb.rule(code)
        # A rule about the scan itself names no clause; the others, each database's own.
        by_db = _clauses(kb, report, r)
        if len(by_db) == 1:
            ids = next(iter(by_db.values()))
            clauses = t("scan.sarif.clauses", ids=listed(t, ids))
        elif by_db:
            each = [
                t("scan.sarif.database_clauses", name=names[d], ids=listed(t, c))
                for d, c in by_db.items()
            ]
            clauses = t("scan.sarif.clauses_by_database", listed=t("scan.list.groups").join(each))
        else:
            clauses = ""
        default = kb.default if isinstance(kb, Family) else kb.id
        ids = by_db.get(default) or next(iter(by_db.values()), ())
        texts = {"detects": r.detects, "why": r.why, "fix": r.fix, "cited": clauses}
        rules.append(
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.detects},
                "help": {
                    "text": t("scan.sarif.help", **texts),
                    "markdown": t("scan.sarif.markdown", **texts, url=rule_url(r.code)),
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
