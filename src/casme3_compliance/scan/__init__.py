"""`casme3 scan`: find what would break the LA in a manuscript or a repository before it goes out.

The rules (CM301-CM402) and their texts are in data/rules.yaml; subject verdicts come from
casme3_compliance.knowledge.verdicts. The CLI only parses arguments and prints a Report.
"""

from casme3_compliance.scan.engine import resolve_codes, scan
from casme3_compliance.scan.findings import Finding, Note, Report, ScanError

__all__ = ["Finding", "Note", "Report", "ScanError", "resolve_codes", "scan"]
