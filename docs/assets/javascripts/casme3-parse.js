/*
 * Micro-expression database agreements site: the subject parser, loaded by casme3.js with the
 * first database's /api/<id>/subjects.json a tool needs (window.casme3.parser).
 */
(() => {
  "use strict";

  const { base, fill } = window.casme3;

  /**
   * The package's subject parser (casme3_compliance.knowledge.verdicts.parse_ref and verdict)
   * for one database, driven by the grammar its /api/<id>/subjects.json exports. A database
   * whose agreement is not public has no parts: any number is its subject, answered "unknown".
   */
  function makeParser(data) {
    const syntax = data.syntax;
    const space = `[${syntax.strip.replace(/[\\\]^-]/g, "\\$&")}]+`;
    const strip = new RegExp(`^${space}|${space}$`, "g");
    const separators = new RegExp(syntax.list_separators);
    const forms = syntax.forms.map((form) => ({
      part: form.part,
      pattern: new RegExp(`^(?:${form.pattern})$`, syntax.flags),
    }));
    const parts = new Map(data.parts.map((part) => [part.key, { ...part, listed: new Set(part.list) }]));
    const bare = new RegExp(`^(?:${syntax.bare})$`);
    const page = (name, anchor) => new URL(`${data.pages[name]}#${anchor}`, base).href;

    /** The subject as its part's label writes it (zero-padded where the database pads). */
    const nameOf = (part, number) => fill(part.templates.label, { n: String(number).padStart(part.pad, "0") });
    const inRange = (part, number) => number >= part.min && (part.max === null || number <= part.max);

    /** The part's rule for `number`: the three shapes of a rule, or the issuer's approval. */
    function ruling(part, number) {
      if (part.rule === "approval") return "approval";
      if (part.rule === "deny") return part.listed.has(number) ? "restricted" : "allowed";
      if (part.rule === "allow") return part.listed.has(number) ? "allowed" : "restricted";
      return "allowed";
    }

    /** Why a number alone got this part's verdict (verdicts.bare_note). */
    function bareNote(part, number, label) {
      let note = fill(syntax.notes.bare, { name: part.name, label });
      for (const other of parts.values()) {
        if (other.key !== part.key && other.max !== null && inRange(other, number)) {
          note += fill(syntax.notes.other_part, {
            other: other.name,
            short: fill(other.short || other.templates.label, { n: number }),
            other_label: nameOf(other, number),
          });
        }
      }
      return note;
    }

    const invalid = (why, message) => ({ valid: false, verdict: "invalid", why, message });

    /** One reference: a verdict, or why it names no subject. */
    function parse(text) {
      const stripped = text.replace(strip, "");
      if (!stripped) return invalid("syntax", syntax.errors.empty);
      let key = null;
      let match = null;
      for (const form of forms) {
        match = form.pattern.exec(stripped);
        if (match) {
          key = form.part;
          break;
        }
      }
      if (!match) return invalid("syntax", fill(syntax.errors.syntax, { input: stripped }));
      const digits = match[1].replace(/^0+(?=[0-9])/, "");
      if (digits.length > syntax.max_digits) {
        return invalid("range", fill(syntax.errors.too_long, { input: stripped }));
      }
      const number = Number.parseInt(digits, 10);
      if (data.unknown !== undefined) {
        return {
          note: "",
          valid: true,
          verdict: "unknown",
          part: "",
          number,
          label: stripped,
          message: fill(data.unknown, { subject: stripped }),
          clause: null,
          href: page("home", "not-public"),
        };
      }
      const part = parts.get(key);
      if (!inRange(part, number)) {
        return invalid("range", fill(syntax.errors.range[key], { input: stripped }));
      }
      const verdict = ruling(part, number);
      const label = nameOf(part, number);
      const allowed = verdict === "allowed";
      return {
        note: bare.test(stripped) && parts.size > 1 ? bareNote(part, number, label) : "",
        valid: true,
        verdict,
        part: key,
        number,
        label,
        message: fill(part.templates[verdict], { label }),
        clause: allowed ? part.allowed_clause : part.clause,
        href: page("terms", allowed ? part.allowed_clause_anchor : part.clause_anchor),
      };
    }

    /** A list, split as parse_refs splits it: the stripped pieces that are not empty. */
    function split(text) {
      return text
        .split(separators)
        .map((piece) => piece.replace(strip, ""))
        .filter((piece) => piece !== "");
    }

    return { database: data.database, name: data.name, parse, split };
  }

  window.casme3.makeParser = makeParser;
})();
