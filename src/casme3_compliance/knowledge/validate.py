"""Parsing with line numbers, schema validation and the cross-file checks the schemas cannot say.

One schema per file kind serves every database; what a schema cannot say (a clause a checklist
names exists in that database's agreement, a subject list holds each number once and within its
range, the stored texts are the ones the clauses were read from) is checked here, per database.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casme3_compliance.knowledge.errors import DataError
from casme3_compliance.knowledge.paths import (
    DATABASE_FILES,
    FAMILY_FILES,
    database_ids,
    display,
    project_data_dir,
)
from casme3_compliance.knowledge.regex import literal_prefix

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
        return DataError(display(self.path), message, self.line(*keys), key)


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def parse_yaml(path: Path, text: bytes) -> Doc:
    shown = display(path)
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


@functools.cache
def _validator(name: str) -> Any:
    import jsonschema

    schema = json.loads((project_data_dir() / "schema" / f"{name}.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def validate_schema(doc: Doc, name: str) -> None:
    import jsonschema

    validator = _validator(name)
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


def family(directory: Path, texts: dict[str, bytes]) -> dict[str, Any]:
    """The validated data of every database, as the model reads it (see loader._read)."""
    docs = {
        name: parse_yaml(directory / name, text)
        for name, text in texts.items()
        if name.endswith(".yaml")
    }
    for name, doc in docs.items():
        if _kind(name) == "unknown":
            raise doc.fail(
                "not a file of i18n/<lang>/: messages/*.yaml, data/*.yaml, glossary.yaml"
            )
        validate_schema(doc, _kind(name))
    databases = docs["databases.yaml"]
    listed = databases.data["databases"]
    if listed != database_ids(directory):
        raise databases.fail(
            "write the list on one line, [a, b], or one `- id` a line", "databases"
        )
    if databases.data["default"] not in listed:
        raise databases.fail(f"the default {databases.data['default']!r} is not listed", "default")
    rules = docs["rules.yaml"]
    _check_rules(rules)
    each = {}
    for db in listed:
        mine = {kind: docs.get(f"{db}/{kind}.yaml") for kind in DATABASE_FILES}
        _check_database(directory / db, db, mine, docs["profile.yaml"])
        each[db] = {kind: doc.data for kind, doc in mine.items() if doc is not None}
    return {
        **{name: docs[f"{name}.yaml"].data for name in FAMILY_FILES},
        "i18n": _check_i18n(docs),
        "each": each,
    }


def _kind(name: str) -> str:
    """The schema of a data file, by its path under data/."""
    parts = name.removesuffix(".yaml").split("/")
    if parts[0] != "i18n":
        return parts[-1]
    if len(parts) == 2:  # languages.yaml, fields.yaml
        return parts[1]
    if parts[-1] == "glossary":
        return "glossary"
    return {"messages": "i18n", "data": "translations"}.get(parts[2], "unknown")


def _check_i18n(docs: dict[str, Doc]) -> dict[str, Any]:
    """Each language: its messages (every id of English's, with the same `{slots}`) and, for
    one other than English, a translation of each of our fields of the data (data/i18n/
    fields.yaml), none unused, none given twice two ways. A draft may lack some; it is never
    shipped (see languages.yaml)."""
    from casme3_compliance.knowledge.i18n import SOURCE, fields, placeholders

    languages = docs["i18n/languages.yaml"]
    codes = [lang["code"] for lang in languages.data["languages"]]
    if SOURCE not in codes or languages.data["default"] not in codes:
        raise languages.fail(f"{SOURCE!r} and the default must be listed", "languages")
    folders = {n.split("/")[1] for n in docs if n.count("/") >= 2 and n.startswith("i18n/")}
    if folders - set(codes):
        extra = sorted(folders - set(codes))[0]
        raise languages.fail(f"i18n/{extra}/ is not a listed language", "languages")
    patterns = docs["i18n/fields.yaml"].data
    # Every string of ours in the data, with where it is (for a missing translation's error).
    ours: dict[str, tuple[Doc, tuple[str | int, ...]]] = {}
    for name, doc in docs.items():
        kind = name.removesuffix(".yaml").rsplit("/", 1)[-1]
        if name.startswith("i18n/") or kind not in patterns:
            continue
        for pattern in patterns[kind]:
            for path, text in fields(doc.data, pattern):
                ours.setdefault(text, (doc, path))
    out: dict[str, Any] = {"languages": languages.data, "fields": patterns}
    english: dict[str, str] = {}
    for lang in sorted(codes, key=lambda c: c != SOURCE):
        status = next(x["status"] for x in languages.data["languages"] if x["code"] == lang)
        messages: dict[str, str] = {}
        for name in sorted(n for n in docs if n.startswith(f"i18n/{lang}/messages/")):
            doc = docs[name]
            for key, text in doc.data.items():
                if key in messages:
                    raise doc.fail(f"{key!r} is also in another file of messages/", key)
                if lang != SOURCE and key not in english:
                    raise doc.fail(f"{key!r} is not an id of English's messages", key)
                if lang != SOURCE and placeholders(text) != placeholders(english[key]):
                    raise doc.fail(f"keep the slots of the English: {english[key]!r}", key)
                messages[key] = text
        if lang == SOURCE:
            english = messages
        elif status == "complete" and set(english) - set(messages):
            missing = sorted(set(english) - set(messages))
            raise languages.fail(f"{lang}: no text for {', '.join(missing[:5])}", "languages")
        memory: dict[str, str] = {}
        for name in sorted(n for n in docs if n.startswith(f"i18n/{lang}/data/")):
            doc = docs[name]
            for i, pair in enumerate(doc.data):
                if set(pair) != {SOURCE, lang}:
                    raise doc.fail(f"each item has `{SOURCE}` and `{lang}`", i)
                en, tr = pair[SOURCE], pair[lang]
                if en not in ours:
                    raise doc.fail("no field of ours in the data says this (any more)", i, SOURCE)
                if memory.get(en, tr) != tr:
                    raise doc.fail("translated another way in another item", i, lang)
                if placeholders(en) != placeholders(tr):
                    raise doc.fail("keep the {slots} of the English", i, lang)
                memory[en] = tr
        if lang != SOURCE and status == "complete":
            for text, (doc, path) in ours.items():
                if text not in memory:
                    raise doc.fail(f"no {lang} translation of {text[:60]!r}", *path)
        out[lang] = {"messages": messages, "data": memory, "status": status}
    return out


def _check_rules(rules: Doc) -> None:
    codes: set[str] = set()
    applies: set[str] = set()
    for i, rule in enumerate(rules.data["rules"]):
        if rule["code"] in codes:
            raise rules.fail(f"duplicate rule code {rule['code']!r}", "rules", i, "code")
        codes.add(rule["code"])
        if rule["code"].startswith("CM0") != (rule["applies"] == "scanner"):
            raise rules.fail(
                "CM0 codes are the scanner's own rules, and only they apply to `scanner`",
                "rules",
                i,
                "applies",
            )
        if rule["applies"] in applies:
            raise rules.fail(
                f"another rule applies to {rule['applies']!r} already: the scanner finds a rule "
                "by what it applies to",
                "rules",
                i,
                "applies",
            )
        applies.add(rule["applies"])


def _check_database(
    folder: Path, db: str, docs: dict[str, Doc | None], profile: Doc | None = None
) -> None:
    meta = docs["database"]
    assert meta is not None  # required: the loader reads it or fails
    if meta.data["id"] != db:
        raise meta.fail(f"the id is {meta.data['id']!r} but the folder is {db!r}", "id")
    public = meta.data["agreement"] == "public"
    agreement = docs["agreement"]
    if public and agreement is None:
        raise meta.fail("a public agreement needs agreement.yaml beside this file", "agreement")
    if not public:
        for kind in ("agreement", "subjects", "checklists", "policy"):
            if docs[kind] is not None:
                raise docs[kind].fail(  # type: ignore[union-attr]
                    f"{db}'s agreement is not public: no {kind}.yaml of ours may say what it says"
                )
    clause_ids: set[str] = set()
    if agreement is not None:
        clause_ids = _check_clauses(agreement)
        _check_source(folder, agreement)

    def need_clause(doc: Doc, clause_id: str | None, *keys: str | int) -> None:
        if clause_id is not None and clause_id not in clause_ids:
            raise doc.fail(f"clause {clause_id!r} does not exist in {db}/agreement.yaml", *keys)

    if agreement is not None:
        application = agreement.data["application"]
        link = application.get("la_link")
        if link:
            need_clause(agreement, link["clause"], "application", "la_link", "clause")
        if application.get("who_signs"):
            _check_who_signs(agreement, application["who_signs"], need_clause)
    subjects = docs["subjects"]
    part_keys: set[str] = set()
    if subjects is not None:
        if agreement is None:
            raise subjects.fail("subject rules come from an agreement: add agreement.yaml")
        part_keys = _check_subjects(subjects, need_clause)
    if agreement is not None:
        for path, clause in _clause_paths(agreement):
            if clause.get("subjects") and clause["subjects"] not in part_keys:
                raise agreement.fail(f"no subjects part {clause['subjects']!r}", *path, "subjects")
    citation = docs["citation"]
    assert citation is not None
    c = citation.data
    for keys in (("clause",), ("obligation",), ("name", "clause"), ("acknowledgement", "clause")):
        value: Any = c
        for k in keys:
            value = value.get(k) if isinstance(value, dict) else None
        if value is not None:
            if agreement is None:
                raise citation.fail("a clause needs an agreement to be in", *keys)
            need_clause(citation, value, *keys)
    checklists = docs["checklists"]
    if checklists is not None:
        _check_checklists(checklists, need_clause)
    scan = docs.get("scan")
    if scan is not None:
        _check_scan(scan, subjects, agreement)
    policy = docs.get("policy")
    if policy is not None and profile is not None:
        assert agreement is not None  # a policy.yaml without a public agreement failed above
        _check_policy(policy, profile, agreement, subjects, citation, need_clause)


def _check_policy(
    policy: Doc, profile: Doc, agreement: Doc, subjects: Doc | None, citation: Doc, need: Any
) -> None:
    """Every term is ODRL's or the profile's, of the kind its place asks; every clause exists;
    a value quoted from the agreement is in its clause, verbatim; and every clause but the
    notices is stated (here, by subjects.yaml or by citation.yaml) or said not to be, once."""
    kinds = {f"odrl:{t['id']}": t["kind"] for t in profile.data["odrl"]}
    kinds |= {f"{profile.data['prefix']}:{t['id']}": t["kind"] for t in profile.data["terms"]}
    operators = {o["id"] for o in profile.data["operators"]}
    texts = {c["id"]: _words(c) for _, c in _clause_paths(agreement)}

    def term(value: str, kind: str, *keys: str | int) -> None:
        if kinds.get(value) != kind:
            raise policy.fail(f"{value!r} is no {kind} of ODRL's or data/profile.yaml's", *keys)

    def terms(rule: dict[str, Any], clauses: list[str], *keys: str | int) -> None:
        for i, c in enumerate(rule.get("constraints", ())):
            term(c["left"], "leftOperand", *keys, "constraints", i, "left")
            if c["operator"] not in operators:
                raise policy.fail(f"no operator {c['operator']!r}", *keys, "constraints", i)
            right = c["right"] if isinstance(c["right"], list) else [c["right"]]
            for value in right:
                term(value, "value", *keys, "constraints", i, "right")
        for i, duty in enumerate(rule.get("duties", ())):
            term(duty["action"], "action", *keys, "duties", i, "action")
            notice = duty.get("notice")
            if notice is not None and not any(notice in texts[c] for c in clauses):
                raise policy.fail(
                    f"{notice!r} is not in the words of clause {', '.join(clauses)}",
                    *keys,
                    "duties",
                    i,
                    "notice",
                )

    stated: set[str] = set()
    for i, rule in enumerate(policy.data["rules"]):
        term(rule["action"], "action", "rules", i, "action")
        for j, clause_id in enumerate(rule["clauses"]):
            need(policy, clause_id, "rules", i, "clauses", j)
        terms(rule, rule["clauses"], "rules", i)
        stated |= set(rule["clauses"])
    parts = subjects.data["parts"] if subjects is not None else []
    permits = {p.get("permission") or p["clause"] for p in parts}
    for clause_id, asks in (policy.data.get("images") or {}).items():
        if clause_id not in permits:
            raise policy.fail(
                f"clause {clause_id!r} permits no subject's images in subjects.yaml", "images"
            )
        terms(asks, [clause_id], "images", clause_id)
    for p in parts:
        stated |= {p["clause"], *p.get("conditions", ())}
        stated |= {x for x in (p.get("permission"), p.get("allowed_clause")) if x}
    c = citation.data
    stated |= {x for x in (c.get("obligation"), c.get("clause")) if x}
    stated |= {x["clause"] for x in (c.get("name"), c.get("acknowledgement")) if x}
    for field, ids in (policy.data.get("rai") or {}).items():
        for j, clause_id in enumerate(ids):
            need(policy, clause_id, "rai", field, j)
    reasons = {r["id"] for r in profile.data["reasons"]}
    for i, group in enumerate(policy.data["not_stated"]):
        if group["reason"] not in reasons:
            raise policy.fail(f"no reason {group['reason']!r} in profile.yaml", "not_stated", i)
        for j, clause_id in enumerate(group["clauses"]):
            need(policy, clause_id, "not_stated", i, "clauses", j)
            if clause_id in stated:
                raise policy.fail(f"clause {clause_id} is stated as a rule", "not_stated", i)
            stated.add(clause_id)
    for _, clause in _clause_paths(agreement):
        if clause["kind"] != "notice" and clause["id"] not in stated:
            raise policy.fail(
                f"clause {clause['id']} ({clause['kind']}) is neither stated as a rule nor "
                "listed under `not_stated`",
                "rules",
            )


def _words(clause: dict[str, Any]) -> str:
    """A clause's words, with its items, on one line."""
    items = " ".join(i["text"] if isinstance(i, dict) else i for i in clause.get("items", ()))
    return " ".join(f"{clause['text']} {items}".split())


def _check_checklists(checklists: Doc, need_clause: Any) -> None:
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


def _check_subjects(subjects: Doc, need_clause: Any) -> set[str]:
    d = subjects.data
    keys: list[str] = [p["key"] for p in d["parts"]]
    if len(set(keys)) != len(keys):
        raise subjects.fail("each part key may appear once", "parts")
    for i, form in enumerate(d["grammar"]):
        if form["part"] not in keys:
            raise subjects.fail(f"no part {form['part']!r}", "grammar", i, "part")
        try:
            re.compile(form["pattern"])
        except re.error as e:
            raise subjects.fail(f"not a regular expression: {e}", "grammar", i, "pattern") from None
        if re.compile(form["pattern"]).groups < 1:
            raise subjects.fail("group 1 must be the number", "grammar", i, "pattern")
    for i, part in enumerate(d["parts"]):
        for field in ("clause", "allowed_clause", "permission"):
            need_clause(subjects, part.get(field), "parts", i, field)
        for k, clause_id in enumerate(part.get("conditions", ())):
            need_clause(subjects, clause_id, "parts", i, "conditions", k)
        _check_part(subjects, i, part)
    return set(keys)


# Which verdict sentences each rule needs, and whether it has a list.
_RULES = {
    "deny": ({"restricted", "allowed"}, True),
    "allow": ({"restricted", "allowed"}, True),
    "all": ({"allowed"}, False),
    "approval": ({"approval"}, False),
}


def _check_part(subjects: Doc, i: int, part: dict[str, Any]) -> None:
    sentences, has_list = _RULES[part["rule"]]
    if set(part["verdicts"]) != sentences:
        raise subjects.fail(
            f"a {part['rule']} rule says {', '.join(sorted(sentences))}: its `verdicts` differ",
            "parts",
            i,
            "rule",
        )
    if has_list != ("list" in part):
        need = "needs a list" if has_list else "has no list"
        raise subjects.fail(f"a {part['rule']} rule {need}", "parts", i, "rule")
    sources = subjects.data["sources"]
    r = part.get("range")
    if r is not None:
        if r["min"] > r["max"]:
            raise subjects.fail(
                f"range min {r['min']} is above max {r['max']}", "parts", i, "range"
            )
        if r["source"] not in sources:
            raise subjects.fail(f"unknown source {r['source']!r}", "parts", i, "range", "source")
    for j, member in enumerate(part.get("members", ())):
        if member["source"] not in sources:
            raise subjects.fail(
                f"unknown source {member['source']!r}", "parts", i, "members", j, "source"
            )
    seen: set[int] = set()
    for j, n in enumerate(part.get("list", ())):
        if n in seen:
            raise subjects.fail(f"subject {n} is listed twice", "parts", i, "list", j)
        if r is not None and not r["min"] <= n <= r["max"]:
            raise subjects.fail(
                f"subject {n} is outside the range {r['min']}-{r['max']}", "parts", i, "list", j
            )
        seen.add(n)


def _clause_paths(agreement: Doc) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    return [
        (("parts", i, "clauses", j), clause)
        for i, part in enumerate(agreement.data["parts"])
        for j, clause in enumerate(part["clauses"])
    ]


def _check_clauses(agreement: Doc) -> set[str]:
    parts = agreement.data["parts"]
    for field in ("prefix", "anchor"):
        values = [p[field] for p in parts]
        if len(set(values)) != len(values):
            raise agreement.fail(f"each part's {field} may appear once", "parts")
    for i, part in enumerate(parts):
        if "number" in part and part["prefix"] != part["number"]:
            raise agreement.fail(
                f"section {part['number']}'s clauses are numbered {part['number']}.<n>",
                "parts",
                i,
                "prefix",
            )
    seen: set[str] = set()
    for path, clause in _clause_paths(agreement):
        prefix = parts[path[1]]["prefix"]  # type: ignore[index]
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


def _check_source(folder: Path, agreement: Doc) -> None:
    """The stored agreement texts are the ones the clauses were read from, byte for byte."""
    provenance = agreement.data["provenance"]
    checks = [(("provenance", "text"), "file", "sha256", "bytes")]
    if "extracted" in provenance["pdf"]:
        checks.append((("provenance", "pdf"), "extracted", "extracted_sha256", "extracted_bytes"))
    for keys, file_key, sha_key, size_key in checks:
        source = provenance[keys[1]]
        try:
            content = (folder / source[file_key]).read_bytes()
        except OSError:
            raise agreement.fail(
                f"the agreement's source {source[file_key]} cannot be read", *keys, file_key
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


# scan.yaml (stream B2) ----------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\.|\(\?P<[A-Za-z_0-9]*>")
_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\\g<")
_SUPERSCRIPT_GROUPS = {"caret", "pandoc", "plain"}


def _check_scan(scan: Doc, subjects: Doc | None, agreement: Doc | None) -> None:
    """The regular expressions compile, are lower case where they run on lower-cased text,
    start with a literal where the reader searches for it first, and give the number in group
    1; the parts they name exist; the notice is the agreement's own."""
    d = scan.data
    parts = [p["key"] for p in subjects.data["parts"]] if subjects is not None else None

    def regex(pattern: str, *keys: str | int, lower: bool = True, group: bool = False) -> Any:
        try:
            compiled = re.compile(pattern)
            re.compile(pattern.encode("utf-8"))
        except re.error as e:
            raise scan.fail(f"not a regular expression: {e}", *keys) from None
        if _BACKREF.search(pattern):
            raise scan.fail("no back-references: the forms are searched together", *keys)
        if lower and re.search("[A-Z]", _ESCAPE.sub("", pattern)):
            raise scan.fail("write it in lower case: it runs on lower-cased text", *keys)
        if group and compiled.groups < 1:
            raise scan.fail("group 1 must be the number", *keys)
        return compiled

    def literal(pattern: str, *keys: str | int) -> None:
        if len(literal_prefix(pattern)) < 2:
            raise scan.fail(
                "start with two literal characters at least: the reader looks for them first",
                *keys,
            )

    def part(given: str | None, *keys: str | int) -> None:
        if parts is None:
            if given is not None:
                raise scan.fail("the database has no subjects.yaml: no part to name", *keys)
        elif given is None:
            if len(parts) != 1:
                raise scan.fail(f"name the part: one of {', '.join(parts)}", *keys)
        elif given not in parts:
            raise scan.fail(f"no part {given!r} in subjects.yaml", *keys)

    for i, name in enumerate(d["names"]):
        sensitive = name.get("case") == "sensitive"
        compiled = regex(name["pattern"], "names", i, "pattern", lower=not sensitive)
        literal(name["pattern"], "names", i, "pattern")
        extra = set(compiled.groupindex) - _SUPERSCRIPT_GROUPS
        if extra or (compiled.groupindex and name.get("form") != "superscript"):
            raise scan.fail(
                "only a superscript form has named groups (caret, pandoc, plain)",
                "names",
                i,
                "pattern",
            )
    for i, pattern in enumerate(d.get("paths", ())):
        regex(pattern, "paths", i)
        literal(pattern, "paths", i)
    for i, form in enumerate(d.get("subjects", ())):
        part(form.get("part"), "subjects", i)
        if "text" in form:
            regex(form["text"], "subjects", i, "text", group=True)
        if "gate" in form:
            if "text" not in form:
                raise scan.fail("a gate is for a text form", "subjects", i, "gate")
            regex(form["gate"], "subjects", i, "gate")
        path = form.get("path")
        if path is not None:
            regex(path["pattern"], "subjects", i, "path", "pattern", group=True)
            for k, above in enumerate(path.get("after", ())):
                regex(above, "subjects", i, "path", "after", k)
    for i, row in enumerate(d.get("rows", ())):
        part(row.get("part"), "rows", i)
        regex(row["subject"], "rows", i, "subject", group=True)
    files = d.get("files", {})
    for i, chain in enumerate(files.get("folders", ())):
        keys = ("files", "folders", i)
        segments = [regex(s, *keys, "segments", k) for k, s in enumerate(chain["segments"])]
        if "file" in chain:
            regex(chain["file"], *keys, "file")
        for field in ("count", "subject"):
            at = chain.get(field)
            if at is not None and at >= len(segments):
                raise scan.fail(f"there is no segment {at} (0 is the first)", *keys, field)
        if "subject" in chain:
            part(chain.get("part"), *keys)
            if segments[chain["subject"]].groups < 1:
                raise scan.fail("its group 1 must be the number", *keys, "segments")
    for what in ("workbooks", "archives"):
        for i, pattern in enumerate(files.get(what, ())):
            regex(pattern, "files", what, i)
    notice = d.get("notice")
    if notice is not None:
        if notice["holder"] not in notice["text"]:
            raise scan.fail("the holder is not in the notice's text", "notice", "holder")
        texts = [
            " ".join(c["text"].split())
            for part_ in (agreement.data["parts"] if agreement is not None else ())
            for c in part_["clauses"]
            if "notice" in c.get("topics", ())
        ]
        if not any(notice["text"] in t for t in texts):
            raise scan.fail(
                "the notice must be written as a clause of topic `notice` in agreement.yaml "
                "writes it",
                "notice",
                "text",
            )
