// DOM helpers shared by every page's module. User text only ever goes in as textContent.

/** `<tag class="className">text</tag>`; text (when given) through textContent. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A form's or a page's status line: its text and its tone (info, success, error). */
export function showStatus(node, text, tone = "info") {
  if (!node) return;
  node.textContent = text;
  node.dataset.tone = tone;
}
