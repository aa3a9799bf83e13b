"""The CAS(ME)³ license agreement as data: load it, ask it questions, render it."""

from casme3_compliance.errors import DataError, RefError
from casme3_compliance.loader import load
from casme3_compliance.subjects import SubjectRef, Verdict, parse_ref, parse_refs, verdict

__version__ = "0.1.0"
__all__ = [
    "DataError",
    "RefError",
    "SubjectRef",
    "Verdict",
    "load",
    "parse_ref",
    "parse_refs",
    "verdict",
]
