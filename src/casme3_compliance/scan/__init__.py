"""`casme3 scan`: find what would break a database's agreement in a manuscript or a repository
before it goes out.

The rules and their texts are in data/rules.yaml, implemented by scan/rules.py; what the scanner
looks for is each database's data/<id>/scan.yaml; subject verdicts come from
casme3_compliance.knowledge.verdicts. The CLI only parses arguments and prints a Report.
"""

from casme3_compliance.scan.engine import resolve_codes, scan
from casme3_compliance.scan.findings import Finding, Note, Report, ScanError

__all__ = ["Finding", "Note", "Report", "ScanError", "resolve_codes", "scan"]
