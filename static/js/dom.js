// DOM helpers of every page. User text only ever goes in as textContent.

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

/** The error `message` (null: none) of a field `box` (.field, fieldset) and its `input`. */
export function setFieldError(box, input, id, message) {
  let node = document.getElementById(id);
  const described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== id);
  if (message) {
    if (!node) {
      node = el("p", "field__error");
      node.id = id;
      box.insertBefore(node, box.tagName === "FIELDSET" ? box.querySelector("legend").nextSibling : input);
    }
    node.textContent = message;
    described.push(id);
    if (input !== box) input.setAttribute("aria-invalid", "true");
    box.classList.add("field--invalid");
  } else {
    if (node) node.remove();
    if (input !== box) input.removeAttribute("aria-invalid");
    box.classList.remove("field--invalid");
  }
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

/** A form's error summary: its title, then its lines: a message, or [text, href] to a field. */
export function showSummary(summary, title, lines) {
  const list = el("ul", "error-summary__list");
  for (const line of lines) {
    const li = list.appendChild(el("li"));
    if (Array.isArray(line)) li.appendChild(el("a", "", line[0])).href = line[1];
    else li.textContent = line;
  }
  summary.replaceChildren(el("h2", "error-summary__title", title));
  if (list.childElementCount) summary.append(list);
  summary.hidden = false;
  summary.setAttribute("role", "alert");
  summary.focus();
}

export function hideSummary(summary) {
  summary.hidden = true;
  summary.removeAttribute("role");
  summary.replaceChildren();
}
