"""Micro-expression databases' license agreements as data: load them, ask them, render them."""

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

# Where each name of __all__ lives: imported when first asked for (PEP 562), so that the command
# line, which imports this package at every start, pays for the loader and `re` only when it
# uses them (`casme3 subject` answers a question asked before without either).
_HOME = {
    "DataError": "casme3_compliance.knowledge.errors",
    "RefError": "casme3_compliance.knowledge.errors",
    "load": "casme3_compliance.knowledge.loader",
    "load_family": "casme3_compliance.knowledge.loader",
    "SubjectRef": "casme3_compliance.knowledge.verdicts",
    "Verdict": "casme3_compliance.knowledge.verdicts",
    "parse_ref": "casme3_compliance.knowledge.verdicts",
    "parse_refs": "casme3_compliance.knowledge.verdicts",
    "verdict": "casme3_compliance.knowledge.verdicts",
}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
