// The scripts' strings in the page's language: a JSON object in <body data-i18n> rendered by
// the server (facilitation/web/i18n.py). The French text passed here is the fallback, so a page
// without the attribute still reads well.
let strings = null;

function load() {
  if (strings === null) {
    try {
      strings = JSON.parse((document.body && document.body.dataset.i18n) || "{}");
    } catch {
      strings = {};
    }
    // The translations of tr() strings, closing the page (facilitation/web/i18n.py).
    const extra = document.getElementById("i18n-scripts");
    if (extra) {
      try {
        Object.assign(strings, JSON.parse(extra.textContent || "{}"));
      } catch {
        // Keep the French texts.
      }
    }
  }
  return strings;
}

function fill(text, vars) {
  for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

/** t("wall.sent", "« {titre} » envoyée.", {titre}) -> the translated, filled-in string. */
export function t(key, fallback, vars = {}) {
  const all = load();
  return fill(typeof all[key] === "string" ? all[key] : fallback, vars);
}

/** tr('Vote clos') / tr('« {titre} » retirée.', {titre}): the French text is the key (extracted
 *  by `make translations`); the page carries the translations of its scripts' strings. */
export function tr(text, vars = {}) {
  const all = load();
  return fill(typeof all[text] === "string" ? all[text] : text, vars);
}

/** « 3 points », « 1 point »: a count and its noun (both already translated). */
export function plural(n, one, many) {
  return `${n} ${n > 1 ? many : one}`;
}
