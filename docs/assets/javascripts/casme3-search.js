/*
 * Micro-expression database agreements site: a search query that names a subject gets that
 * subject's verdict first.
 *
 * Material renders the results of each query into its list (emptied first) and writes the count
 * above it. When the query parses as a subject (of the default database, or of the database it
 * names first: `casme2:sub12`), one item in Material's own markup goes first, linking the
 * subject on its database's subjects page, and the count includes it. The words come from the
 * package in the page's language (data-la-search, rendered by the search partial), the links
 * from the page's edition's /api/databases.json (its subjects page, in its language),
 * the grammar and the verdict sentences from /api/<id>/subjects.json through casme3.js's parser:
 * no number or sentence is written here. casme3.js loads this file when the search field first
 * gets focus; instant navigation keeps the header, so it runs once.
 */
(() => {
  "use strict";

  const { api, base, configElement, element, fill, gap, identity, parser, prefixed } = window.casme3;

  function initSearch() {
    const search = document.querySelector('[data-md-component="search"][data-la-search]');
    const results = search?.querySelector('[data-md-component="search-result"]');
    const input = search?.querySelector('[data-md-component="search-query"]');
    const list = results?.querySelector(".md-search-result__list");
    const meta = results?.querySelector(".md-search-result__meta");
    if (!input || !list || !meta) return;
    const { texts, prefix: pattern, default: fallback } = JSON.parse(search.dataset.laSearch);
    const prefix = new RegExp(pattern, "s");
    const words = JSON.parse(configElement.textContent).translations;
    const [none, one, other] = ["none", "one", "other"].map((n) => words[`search.result.${n}`]);
    const [otherBefore, otherAfter] = other.split("#");
    let theirs = meta.textContent; // the count as Material last wrote it
    let ourText = null; // the text node of our count, told apart from Material's by identity

    const item = (result, link, key, title) => {
      const href = new URL(fill(link, { n: result.number }), base);
      const verdict = element("p", identity(result), element("strong", {}, texts[result.verdict]));
      verdict.append(gap(texts), result.message);
      return element(
        "li",
        { class: "md-search-result__item la-search-subject", "data-key": key },
        element(
          "a",
          { href: href.href, class: "md-search-result__link", tabindex: "-1" },
          element(
            "article",
            { class: "md-search-result__article md-typeset" },
            element("div", { class: "md-search-result__icon md-icon" }),
            element("h1", {}, title),
            verdict,
          ),
        ),
      );
    };

    /** Material's count plus one, in its own words; its text unchanged if it says no number. */
    const plusOne = (text) => {
      let n = [none, one].indexOf(text);
      if (n < 0 && text.startsWith(otherBefore) && text.endsWith(otherAfter)) {
        n = Number(text.slice(otherBefore.length, text.length - otherAfter.length));
      }
      return Number.isInteger(n) && n >= 0 ? (n === 0 ? one : other.replace("#", n + 1)) : text;
    };

    const place = async () => {
      const query = input.value;
      const family = await api("databases");
      const links = new Map(family.databases.map((d) => [d.id, d.subject_links]));
      const [named, rest] = prefixed(query, prefix, [...links.keys()]);
      const db = named || fallback;
      const has = links.has(db) && Object.keys(links.get(db)).length > 0;
      const p = has && query.trim() ? await parser(db) : null;
      const result = p ? { ...p.parse(rest), database: db } : { valid: false };
      const link = result.valid ? links.get(db)[result.part]?.[result.verdict] : null;
      const key = link ? `${db}:${result.part}${result.number}` : null;
      let shown = list.querySelector(":scope > .la-search-subject");
      if (shown && shown.dataset.key !== key) {
        shown.remove();
        shown = null;
      }
      if (key) {
        const title = named ? fill(texts.named, { name: p.name, label: result.label }) : result.label;
        shown = shown || item(result, link, key, title);
        if (list.firstElementChild !== shown) list.prepend(shown);
      }
      const count = key ? plusOne(theirs) : theirs;
      if (meta.textContent !== count) {
        ourText = document.createTextNode(count);
        meta.replaceChildren(ourText);
      }
      results.dataset.laPlaced = query; // the query this list was last judged for
    };

    const update = () => {
      if (meta.firstChild !== ourText) theirs = meta.textContent;
      place().catch((error) => console.warn("casme3: search could not place a subject:", error));
    };
    new MutationObserver(update).observe(results, { childList: true, subtree: true, characterData: true });
    update(); // Material may have shown results while this file was loading
  }

  initSearch();
})();
