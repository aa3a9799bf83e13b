"""Our texts in more than one language, from data: message catalogues for what the code says,
and for the data's own fields (summaries, checklists, verdict sentences) a list of English
sentences with their translations.

Which fields are ours to translate is data too (data/i18n/fields.yaml): a clause's `text` and
every other word of an agreement is never among them, so an agreement reads the same, verbatim,
in every language. A language is added as files: data/i18n/<lang>/messages/*.yaml (the same ids
as English) and data/i18n/<lang>/data/*.yaml (English sentence -> translation).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

SOURCE = "en"
"""The language every text is written in first; the others translate it."""

_PLACEHOLDER = r"\{[a-z_]*\}"


def placeholders(text: str) -> list[str]:
    """The `{name}` slots the code fills, which a translation must keep, each as often."""
    import re  # here: the CLI's start in another language translates without it

    return sorted(re.findall(_PLACEHOLDER, text))


def fields(data: Any, pattern: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string of `data` at `pattern` (`parts/*/clauses/*/summary`), with its key path."""

    def walk(node: Any, parts: list[str], path: tuple[str | int, ...]) -> Any:
        if not parts:
            if isinstance(node, str):
                yield path, node
            return
        head, rest = parts[0], parts[1:]
        if head == "*":
            items = (
                node.items()
                if isinstance(node, dict)
                else enumerate(node)
                if isinstance(node, list)
                else ()
            )
            for key, child in items:
                yield from walk(child, rest, (*path, key))
        elif isinstance(node, dict) and head in node:
            yield from walk(node[head], rest, (*path, head))

    yield from walk(data, pattern.split("/"), ())


def translate(data: Any, patterns: list[str], memory: dict[str, str]) -> Any:
    """`data` with each of our fields in `memory`'s language. Validation has made sure that a
    complete language has every one; a draft keeps what it lacks in English. The containers
    on the way to a field are new, the rest is shared with `data` (never written to)."""
    for pattern in patterns if memory else ():
        data = _translated(data, pattern.split("/"), memory)
    return data


def _translated(node: Any, parts: list[str], memory: dict[str, str]) -> Any:
    if not parts:
        return memory.get(node, node) if isinstance(node, str) else node
    head, rest = parts[0], parts[1:]
    if head != "*":
        if isinstance(node, dict) and head in node:
            return {**node, head: _translated(node[head], rest, memory)}
        return node
    if isinstance(node, dict):
        return {k: _translated(v, rest, memory) for k, v in node.items()}
    if isinstance(node, list):
        return [_translated(v, rest, memory) for v in node]
    return node
