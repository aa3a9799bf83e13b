"""Parsing with line numbers, schema validation and the cross-file checks the schemas cannot say."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casme3_compliance.errors import DataError
from casme3_compliance.loader import _display, project_data_dir

try:  # The C loader is several times faster where libyaml is present.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


@dataclass
class Doc:
    path: Path
    data: Any
    node: yaml.Node

    def line(self, *keys: str | int) -> int | None:
        """1-based line of the value at `keys`, or of the nearest parent that exists."""
        node, line = self.node, self.node.start_mark.line + 1
        for key in keys:
            child = _child(node, key)
            if child is None:
                break
            node, line = child, child.start_mark.line + 1
        return line

    def fail(self, message: str, *keys: str | int) -> DataError:
        key = ".".join(str(k) for k in keys) if keys else None
        return DataError(_display(self.path), message, self.line(*keys), key)


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def parse_yaml(path: Path, text: bytes) -> Doc:
    shown = _display(path)
    try:
        loader = _Loader(text.decode("utf-8"))
        try:
            node = loader.get_single_node()
            if node is None:
                raise DataError(shown, "the file is empty", 1)
            _check_nodes(shown, node)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except UnicodeDecodeError as e:
        raise DataError(shown, f"not UTF-8 ({e.reason} at byte {e.start})") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(filter(None, [e.context, e.problem])) or "invalid YAML"
        raise DataError(shown, f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as e:
        raise DataError(shown, f"invalid YAML: {e}") from None
    return Doc(path, data, node)


def _check_nodes(shown: str, root: yaml.Node) -> None:
    """No duplicate key, and no alias: a node reached twice is an alias (`*name`, `<<: *name`),
    which a few nested levels turn into billions of nodes for every later step to walk. Each
    node is visited once, so this is linear in the file's size."""
    seen = {id(root)}
    stack = [root]

    def push(child: yaml.Node, where: yaml.Node) -> None:
        if id(child) in seen:  # the alias itself has no node: name the line that uses it
            raise DataError(
                shown, "aliases (*name) are not allowed in data files", where.start_mark.line + 1
            )
        seen.add(id(child))
        stack.append(child)

    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for k, v in node.value:
                if k.value in keys:
                    raise DataError(shown, f"duplicate key {k.value!r}", k.start_mark.line + 1)
                keys.add(k.value)
                push(k, k)
                push(v, k)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                push(v, node)


def validate_schema(path: Path, doc: Doc, name: str) -> None:
    import jsonschema

    schema = json.loads((project_data_dir() / "schema" / f"{name}.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc.data))
    if error is not None:
        keys = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            keys += [k for k in error.instance if k not in known][:1]
        raise doc.fail(_schema_message(error), *keys)


def _schema_message(error: Any) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    return error.message


def cross_check(directory: Path, docs: dict[str, Doc]) -> None:
    agreement, subjects, checklists = docs["agreement"], docs["subjects"], docs["checklists"]
    clause_ids = _check_clauses(agreement)
    _check_source(directory, agreement)

    def need_clause(doc: Doc, clause_id: str, *keys: str | int) -> None:
        if clause_id not in clause_ids:
            raise doc.fail(f"clause {clause_id!r} does not exist in agreement.yaml", *keys)

    part_keys = set()
    for i, part in enumerate(subjects.data["parts"]):
        _check_part(subjects, i, part)
        part_keys.add(part["key"])
        need_clause(subjects, part["clause"], "parts", i, "clause")
        need_clause(subjects, part["allowed_clause"], "parts", i, "allowed_clause")
        need_clause(subjects, part["permission"], "parts", i, "permission")
    if len(part_keys) != len(subjects.data["parts"]):
        raise subjects.fail("each part key may appear once", "parts")
    for path, clause in _clause_paths(agreement):
        if clause.get("subjects") and clause["subjects"] not in part_keys:
            raise agreement.fail(f"no subjects part {clause['subjects']!r}", *path, "subjects")

    application = agreement.data["application"]
    need_clause(agreement, application["la_link"]["clause"], "application", "la_link", "clause")
    _check_who_signs(agreement, application["who_signs"], need_clause)

    citation = docs["citation"]
    need_clause(citation, citation.data["clause"], "clause")
    need_clause(citation, citation.data["name"]["clause"], "name", "clause")

    ids: Counter[str] = Counter()
    for i, checklist in enumerate(checklists.data["checklists"]):
        for j, item in enumerate(checklist["items"]):
            ids[item["id"]] += 1
            if ids[item["id"]] > 1:
                raise checklists.fail(
                    f"duplicate item id {item['id']!r}", "checklists", i, "items", j
                )
            for k, clause_id in enumerate(item["clauses"]):
                need_clause(checklists, clause_id, "checklists", i, "items", j, "clauses", k)

    rules, codes = docs["rules"], set()
    for i, rule in enumerate(rules.data["rules"]):
        if rule["code"] in codes:
            raise rules.fail(f"duplicate rule code {rule['code']!r}", "rules", i, "code")
        codes.add(rule["code"])
        # CM0xx rules are about the scan itself (what it could not check): they name no clause.
        # Every other rule enforces at least one clause of the section its first digit names.
        if (rule["code"][2] == "0") != (not rule["clauses"]):
            raise rules.fail(
                f"{rule['code']}: a CM0 code names no clause, any other code at least one",
                "rules",
                i,
                "clauses",
            )
        for k, clause_id in enumerate(rule["clauses"]):
            need_clause(rules, clause_id, "rules", i, "clauses", k)
            if not clause_id.startswith(rule["code"][2] + "."):
                raise rules.fail(
                    f"{rule['code']}: the first digit of a code is its LA section, "
                    f"but clause {clause_id} is in another section",
                    "rules",
                    i,
                    "clauses",
                    k,
                )


def _clause_paths(agreement: Doc) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    d = agreement.data
    out: list[tuple[tuple[str | int, ...], dict[str, Any]]] = [(("preamble",), d["preamble"])]
    for i, section in enumerate(d["sections"]):
        out += [(("sections", i, "clauses", j), c) for j, c in enumerate(section["clauses"])]
    out += [(("closing", "clauses", j), c) for j, c in enumerate(d["closing"]["clauses"])]
    return out


def _check_clauses(agreement: Doc) -> set[str]:
    seen: set[str] = set()
    for i, section in enumerate(agreement.data["sections"]):
        if section["number"] != str(i + 1):
            raise agreement.fail(
                f"section {i + 1} is numbered {section['number']!r}", "sections", i
            )
    for path, clause in _clause_paths(agreement):
        prefix = {"preamble": "P", "closing": "S"}.get(str(path[0]))
        if prefix is None:
            prefix = agreement.data["sections"][path[1]]["number"]
        if clause["id"].split(".")[0] != prefix:
            raise agreement.fail(
                f"clause {clause['id']!r} is not numbered for its place (expected {prefix}.<n>)",
                *path,
                "id",
            )
        if clause["id"] in seen:
            raise agreement.fail(f"duplicate clause id {clause['id']!r}", *path, "id")
        seen.add(clause["id"])
    return seen


def _check_source(directory: Path, agreement: Doc) -> None:
    """The stored LA texts are the ones the clauses were read from, byte for byte."""
    provenance = agreement.data["provenance"]
    for keys, file_key, sha_key, size_key in (
        (("provenance", "text"), "file", "sha256", "bytes"),
        (("provenance", "pdf"), "extracted", "extracted_sha256", "extracted_bytes"),
    ):
        source = provenance[keys[1]]
        try:
            content = (directory / source[file_key]).read_bytes()
        except OSError:
            raise agreement.fail(
                f"the LA source {source[file_key]} cannot be read", *keys, file_key
            ) from None
        digest = hashlib.sha256(content).hexdigest()
        if digest != source[sha_key]:
            raise agreement.fail(
                f"{source[file_key]} has sha256 {digest}; re-read the clauses and the provenance "
                "against it",
                *keys,
                sha_key,
            )
        if len(content) != source[size_key]:
            raise agreement.fail(
                f"{source[file_key]} is {len(content)} bytes, not {source[size_key]}",
                *keys,
                size_key,
            )


def _check_who_signs(agreement: Doc, who: dict[str, Any], need_clause: Any) -> None:
    keys = ("application", "who_signs")
    for k, clause_id in enumerate(who["clauses"]):
        need_clause(agreement, clause_id, *keys, "clauses", k)
    for name, outcome in who["outcomes"].items():
        for k, clause_id in enumerate(outcome["clauses"]):
            need_clause(agreement, clause_id, *keys, "outcomes", name, "clauses", k)
    for i, role in enumerate(who["roles"]):
        for field in ("with_email", "without_email"):
            if role[field] not in who["outcomes"]:
                raise agreement.fail(f"no outcome {role[field]!r}", *keys, "roles", i, field)


def _check_part(subjects: Doc, i: int, part: dict[str, Any]) -> None:
    lo, hi = part["range"]["min"], part["range"]["max"]
    if lo > hi:
        raise subjects.fail(f"range min {lo} is above max {hi}", "parts", i, "range")
    if part["range"]["source"] not in subjects.data["sources"]:
        raise subjects.fail(
            f"unknown source {part['range']['source']!r}", "parts", i, "range", "source"
        )
    for j, member in enumerate(part["members"]):
        if member["source"] not in subjects.data["sources"]:
            raise subjects.fail(
                f"unknown source {member['source']!r}", "parts", i, "members", j, "source"
            )
    field = "restricted" if "restricted" in part else "allowed"
    seen: set[int] = set()
    for j, n in enumerate(part[field]):
        if n in seen:
            raise subjects.fail(f"subject {n} is listed twice", "parts", i, field, j)
        if not lo <= n <= hi:
            raise subjects.fail(f"subject {n} is outside the range {lo}-{hi}", "parts", i, field, j)
        seen.add(n)
