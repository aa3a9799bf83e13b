"""Micro-expression databases' license agreements as data: load them, ask them, render them."""

from casme3_compliance.knowledge.errors import DataError, RefError
from casme3_compliance.knowledge.loader import load, load_family
from casme3_compliance.knowledge.verdicts import (
    SubjectRef,
    Verdict,
    parse_ref,
    parse_refs,
    verdict,
)

__version__ = "0.2.0"
__all__ = [
    "DataError",
    "RefError",
    "SubjectRef",
    "Verdict",
    "load",
    "load_family",
    "parse_ref",
    "parse_refs",
    "verdict",
]
