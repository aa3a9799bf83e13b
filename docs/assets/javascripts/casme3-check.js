/*
 * Micro-expression database agreements site: the paper's check (docs/self-check.md). Loaded by
 * casme3.js when the reader turns to the check (or at once for a check kept from last time);
 * shares casme3.js's helpers (window.casme3).
 *
 * The databases the paper uses, each subject answered in its database by that database's
 * /api/<id>/subjects.json (fetched when the reader turns to the list, or when a stored list
 * needs it), each chosen database's "Before you publish" items, the status, the Markdown file.
 * No number, verdict or sentence is written here: they come from the package, in the page's
 * language (data-la-text, /api/), and so do the joins of a list and of two sentences and the
 * lines of the Markdown file. Nothing is sent anywhere.
 */
(() => {
  "use strict";

  const { answer, api, element, fallback, fill, hint, identity, join, loaded, parser, prefixed, ready } =
    window.casme3;

  function load(key) {
    try {
      return JSON.parse(localStorage.getItem(key));
    } catch {
      return null;
    }
  }

  function save(key, state) {
    try {
      localStorage.setItem(key, JSON.stringify(state));
    } catch {
      // Storage off or full: the page still works, it just forgets on reload.
    }
  }

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  /**
   * Markdown that shows the given text literally in Python-Markdown, CommonMark and GitHub alike:
   * the same rule as casme3_compliance.checklist's Markdown escape. `<` becomes an entity (a
   * backslash does not stop Python-Markdown's raw HTML), and so does a `{` opening Jinja syntax.
   */
  function mdEscape(text) {
    return text.replace(
      /(\{(?=[{%#]))|(&)|(<)|([\\`*_{}[\]])/g,
      (_, jinja, entity, lt, md) => (jinja ? "&#123;" : entity ? "&amp;" : lt ? "&lt;" : `\\${md}`),
    );
  }

  /** `template` with its `{slots}` filled, as Markdown that shows the whole text literally. */
  function mdFill(template, slots) {
    return template
      .split(/(\{[a-z_]+\})/)
      .map((piece) => {
        const slot = /^\{([a-z_]+)\}$/.exec(piece);
        return mdEscape(slot && slot[1] in slots ? String(slots[slot[1]]) : piece);
      })
      .join("");
  }

  async function initSelfCheck(root) {
    const end = document.querySelector('[data-la-widget="self-check-end"]');
    const textarea = root.querySelector("#self-check-subjects");
    const results = root.querySelector("#self-check-results");
    const status = end.querySelector("#self-check-status");
    const texts = JSON.parse(root.dataset.laText);
    const storage = root.dataset.laStorage;
    const prefix = new RegExp(root.dataset.laPrefix, "s");
    const fallbackDb = root.dataset.default;
    const dbBoxes = Array.from(root.querySelectorAll("#self-check-databases input[type=checkbox]"));
    const ids = dbBoxes.map((box) => box.value);
    const names = new Map(
      dbBoxes.map((box) => [box.value, root.querySelector(`label[for="${box.id}"]`).textContent]),
    );
    const sections = new Map(
      Array.from(document.querySelectorAll(".la-check-db[data-db]"), (s) => [s.dataset.db, s]),
    );
    const boxes = Array.from(document.querySelectorAll(".la-check-db input[type=checkbox][data-item]"));
    const key = (box) => `${box.dataset.db}:${box.dataset.item}`;

    const ticked = () => dbBoxes.filter((box) => box.checked).map((box) => box.value);
    /** Where a subject without a database is read: the one database ticked, or the default. */
    const readIn = () => {
      const dbs = ticked();
      return dbs.length <= 1 ? dbs[0] || fallbackDb : null;
    };

    // The databases with a subjects document (a rule for subjects, or "unknown"); another one,
    // or one whose document cannot load, answers that this project has no rule for them.
    const answering = new Set(root.dataset.laIds.split(" "));
    const failed = new Set();
    let waiting = null; // a database whose parser is on its way: update again when it comes
    const need = (db) => {
      if (waiting === db) return;
      waiting = db;
      parser(db)
        .catch((error) => {
          // Without the default database's grammar no list can be read: the tool gives way.
          if (db === fallbackDb) throw error;
          console.warn("casme3: no subjects for", db, error);
          failed.add(db);
        })
        .then(() => update())
        .catch((error) => fallback(root, error));
    };
    /** Each entry answered in its database; null while a database it needs is loading. */
    const read = () => {
      const home = readIn();
      const entries = [];
      // An empty list needs no grammar; any other is split as the default database splits it.
      const pieces = textarea.value === "" ? [] : loaded.get(fallbackDb)?.split(textarea.value);
      if (!pieces) {
        need(fallbackDb);
        return null;
      }
      for (const piece of pieces) {
        const [named, rest] = prefixed(piece, prefix, ids);
        const db = named || home;
        if (!db) {
          const why = fill(texts.ambiguous, { example: `${ticked()[0]}:${piece}` });
          const message = fill(texts.entry, { input: piece, message: why });
          entries.push({ input: piece, valid: false, verdict: "invalid", why: "ambiguous", message });
          continue;
        }
        if (!answering.has(db) || failed.has(db)) {
          const message = fill(texts.no_subjects, { name: names.get(db) });
          entries.push({ input: piece, database: db, valid: false, verdict: "invalid", why: "no-subjects", message });
          continue;
        }
        if (!loaded.has(db)) {
          need(db);
          return null;
        }
        const result = loaded.get(db).parse(rest);
        entries.push({ input: piece, database: db, ...result });
      }
      const chosen = new Set([...ticked(), ...entries.map((e) => e.database).filter(Boolean)]);
      if (chosen.size === 0) chosen.add(fallbackDb);
      return { entries, chosen };
    };

    const named = (e) => fill(texts.named, { name: names.get(e.database), label: e.label });
    const assess = ({ entries, chosen }) => {
      const blocks = [];
      const of = (verdict) => entries.filter((e) => e.verdict === verdict).map(named);
      for (const verdict of ["restricted", "approval", "unknown"]) {
        const list = of(verdict);
        if (list.length) blocks.push(fill(texts[`${verdict}_block`], { list: join(texts.list, list) }));
      }
      const invalid = entries.filter((e) => !e.valid);
      if (invalid.length) {
        const quoted = invalid.map((e) => fill(texts.quoted, { input: e.input }));
        blocks.push(fill(texts.invalid_block, { list: join(texts.list, quoted) }));
      }
      const counted = boxes.filter((box) => chosen.has(box.dataset.db));
      const unticked = counted.filter((box) => !box.checked);
      if (unticked.length) {
        blocks.push(fill(texts.unticked_block, { n: unticked.length, total: counted.length }));
      }
      const ready = blocks.length === 0;
      return { ready, text: ready ? texts.ready : join(texts.sentences, [texts.not_ready, ...blocks]) };
    };

    let last = null; // the last complete reading, for the download
    const update = () => {
      const reading = read();
      save(storage, {
        subjects: textarea.value,
        databases: ticked(),
        ticked: boxes.filter((box) => box.checked).map(key),
      });
      if (!reading) return;
      waiting = null;
      const { entries, chosen } = reading;
      for (const [db, section] of sections) section.toggleAttribute("data-chosen", chosen.has(db));
      const several = chosen.size > 1;
      results.replaceChildren(
        ...entries.map((e) =>
          element("li", identity(e), ...answer(e, texts, several && e.database ? names.get(e.database) : null)),
        ),
      );
      const { ready, text } = assess(reading);
      status.dataset.status = ready ? "ready" : "not-ready";
      status.textContent = text;
      last = reading;
    };

    /** The check as a Markdown file: each chosen database's checklist document is fetched then,
     * not on page load. */
    const markdown = async () => {
      const { entries, chosen } = last;
      const dbs = ids.filter((id) => chosen.has(id));
      const withList = dbs.filter((db) => sections.get(db)?.querySelector("fieldset[data-checklist]"));
      const docs = new Map(await Promise.all(withList.map(async (db) => [db, await api(`${db}/checklists`)])));
      const { text } = assess(last);
      const date = today();
      const ticks = new Set(boxes.filter((box) => box.checked).map(key));
      const source = (db) => {
        if (docs.has(db)) return docs.get(db).la_source.line;
        return sections.get(db)?.querySelector("fieldset") ? "" : texts.md_not_public;
      };
      const line = (e) => {
        const subject = e.valid ? e.label : fill(texts.quoted, { input: e.input });
        const name = e.database ? fill(texts.named, { name: names.get(e.database), label: subject }) : subject;
        const said = e.note ? join(texts.sentences, [e.message, e.note]) : e.message;
        return `- ${mdFill(texts.md_subject, { name, verdict: texts[e.verdict], message: said })}`;
      };
      const lines = [
        `# ${mdEscape(texts.md_title)}`,
        "",
        mdEscape(fill(texts.md_meta, { date })),
        "",
        `> ${mdEscape(texts.disclaimer)}`,
        "",
        `## ${mdEscape(texts.md_databases)}`,
        "",
        ...dbs.map(
          (db) =>
            `- ${mdFill(texts.md_database, { name: names.get(db), source: source(db) || texts.md_no_checklist })}`,
        ),
        "",
        `## ${mdEscape(texts.md_subjects)}`,
        "",
        ...(entries.length ? entries.map(line) : [mdEscape(texts.none)]),
      ];
      for (const [db, doc] of docs) {
        const fieldset = sections.get(db).querySelector("fieldset[data-checklist]");
        const checklist = doc.checklists.find((c) => c.id === fieldset.dataset.checklist);
        const refs = (item) =>
          fill(item.clauses.length === 1 ? texts.md_clause : texts.md_clauses, {
            name: names.get(db),
            ids: join(texts.list, item.clauses),
          });
        lines.push(
          "",
          `## ${mdFill(texts.legend, { title: checklist.title, name: names.get(db) })}`,
          "",
          ...checklist.items.map(
            (item) =>
              `- [${ticks.has(`${db}:${item.id}`) ? "x" : " "}] ` +
              mdFill(texts.item, { text: item.text, clauses: refs(item) }),
          ),
        );
      }
      lines.push("", mdFill(texts.md_status, { status: text }), "");
      return { name: fill(texts.md_file, { date }), content: lines.join("\n") };
    };

    // The databases: those the address names (?db=casme2&db=mmew, from the home page's choice),
    // else those ticked last time. Ticks saved before the family belong to the default database.
    // With nothing kept, what the reader did before this script came stays as it is.
    const state = load(storage);
    const asked = new URLSearchParams(location.search).getAll("db").filter((id) => ids.includes(id));
    if (asked.length || Array.isArray(state?.databases)) {
      const dbs = new Set(asked.length ? asked : state.databases);
      for (const box of dbBoxes) box.checked = dbs.has(box.value);
    }
    if (state) {
      if (typeof state.subjects === "string") textarea.value = state.subjects;
      const saved = new Set(
        (Array.isArray(state.ticked) ? state.ticked : []).map((t) =>
          String(t).includes(":") ? t : `${fallbackDb}:${t}`,
        ),
      );
      for (const box of boxes) box.checked = saved.has(key(box));
    }

    const changed = () => {
      const home = readIn();
      if (home) hint(root, home);
      update();
    };
    textarea.addEventListener("input", update);
    root.querySelector("#self-check-databases").addEventListener("change", changed);
    document.querySelector(".la-check-dbs").addEventListener("change", update);
    end.querySelector("#self-check-reset").addEventListener("click", () => {
      textarea.value = "";
      for (const box of [...boxes, ...dbBoxes]) box.checked = false;
      changed();
      try {
        localStorage.removeItem(storage);
      } catch {
        // Nothing stored.
      }
    });
    let lastDownload = null; // revoked at the next click, when that download has surely started
    const download = end.querySelector("#self-check-download");
    download.addEventListener(
      "pointerenter",
      () => {
        for (const db of last ? last.chosen : []) {
          if (sections.get(db)?.querySelector("fieldset[data-checklist]")) api(`${db}/checklists`).catch(() => {});
        }
      },
      { once: true },
    );
    download.addEventListener("click", async () => {
      if (!last) return;
      const { name, content } = await markdown();
      if (lastDownload) URL.revokeObjectURL(lastDownload);
      lastDownload = URL.createObjectURL(new Blob([content], { type: "text/markdown;charset=utf-8" }));
      const link = element("a", { href: lastDownload, download: name });
      document.body.append(link);
      link.click();
      link.remove();
    });

    changed();
    // A list kept from last time is answered before the tool shows (its databases' grammars
    // first); otherwise the reader has turned to the check: its grammar is on its way.
    const warm = parser(fallbackDb).then(() => ready(root, end));
    if (textarea.value !== "") {
      await warm;
      for (let i = 0; !last && i < 100; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    } else {
      warm.catch((error) => fallback(root, error));
    }
    root.hidden = false;
    end.hidden = false;
  }

  window.casme3.checks = initSelfCheck;
})();
