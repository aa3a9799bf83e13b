/*
 * Micro-expression database agreements site: the apply helper (a database's apply page). Loaded
 * by casme3.js on a page that has it; shares casme3.js's helpers (window.casme3).
 *
 * Who signs, as the package rendered the data's table; the signed scan's file name from the
 * templates and the file name rules of the database's /api/<id>/agreement.json.
 */
(() => {
  "use strict";

  const { api, fill, ready, shown } = window.casme3;

  async function initApply(root) {
    const texts = JSON.parse(root.dataset.laText);
    const agreement = await api(`${root.dataset.db}/agreement`);
    const rules = agreement.filename_rules;
    const forbidden = new RegExp(rules.forbidden, "gu");
    const blank = new RegExp(rules.blank, "u");
    const bytes = (text) => new TextEncoder().encode(text).length;
    const signer = root.querySelector("#apply-signer");
    const name = root.querySelector("#apply-signer-name");
    const outputs = Array.from(root.querySelectorAll("output[data-template]"));
    const copies = Array.from(root.querySelectorAll("button[data-copy]"));
    const error = root.querySelector("#apply-filename-error");
    const copyStatus = root.querySelector("#apply-copy-status");
    const checked = (question) => root.querySelector(`input[name="${question}"]:checked`);

    // Who signs: the role's answer for the work email, as the package rendered it from the data.
    const decide = () => {
      if (!signer) return;
      const role = checked("apply-role");
      const email = checked("apply-email")?.value;
      const which = role && email ? role.dataset[email === "yes" ? "withEmail" : "withoutEmail"] : "unknown";
      for (const p of signer.querySelectorAll("[data-case]")) p.hidden = p.dataset.case !== which;
      signer.dataset.signer = which;
    };

    const rename = () => {
      const value = name.value.trim();
      const bad = Array.from(new Set(value.match(forbidden) || []));
      const longest = Math.max(...outputs.map((o) => bytes(fill(o.dataset.template, { name: value }))));
      let message = "";
      if (!value) message = texts.empty;
      else if (bad.length) message = fill(texts.forbidden, { chars: bad.map(shown).join(" ") });
      else if (blank.test(value)) message = texts.blank;
      else if (longest > rules.max_bytes) {
        message = fill(texts.too_long, { bytes: longest, max: rules.max_bytes });
      }
      for (const output of outputs) {
        output.textContent = message ? "" : fill(output.dataset.template, { name: value });
        output.dataset.valid = message ? "false" : "true";
      }
      error.textContent = message;
      for (const copy of copies) copy.disabled = Boolean(message);
      copyStatus.textContent = "";
    };

    root.addEventListener("change", (event) => {
      if (event.target.type === "radio") decide();
    });
    name?.addEventListener("input", rename);
    for (const copy of copies) {
      copy.addEventListener("click", async () => {
        const text = root.querySelector(`#${copy.dataset.copy}`).textContent;
        try {
          await navigator.clipboard.writeText(text);
          copyStatus.textContent = fill(texts.copied, { filename: text });
        } catch {
          copyStatus.textContent = texts.copy_failed;
        }
      });
    }

    decide();
    if (name?.value) rename();
    ready(root);
    root.hidden = false;
  }


  window.casme3.tools.apply = initApply;
})();
