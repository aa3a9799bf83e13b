"""Helpers shared by the scanner tests (no tests here): build a synthetic tree, scan it."""

from __future__ import annotations

from pathlib import Path

from casme3_compliance.scan import Finding, Report, scan

FAKE = b"not a real image"


def tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under `root`; returns `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run(root: Path, kb, **options) -> Report:
    return scan([str(root)], kb, all_files=options.pop("all_files", True), **options)


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def rel(root: Path, f: Finding) -> str:
    prefix = str(root).replace("\\", "/") + "/"
    return f.path[len(prefix) :] if f.path.startswith(prefix) else f.path
