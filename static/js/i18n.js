// The scripts' strings in the page's language: a JSON object in <body data-i18n> rendered by
// the server (facilitation/web/i18n.py JS_STRINGS). The French text passed here is the
// fallback, so a page without the attribute still reads well.
let strings = null;

/** t("wall.sent", "« {titre} » envoyée.", {titre}) -> the translated, filled-in string. */
export function t(key, fallback, vars = {}) {
  if (strings === null) {
    try {
      strings = JSON.parse((document.body && document.body.dataset.i18n) || "{}");
    } catch {
      strings = {};
    }
  }
  let text = typeof strings[key] === "string" ? strings[key] : fallback;
  for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
  return text;
}
