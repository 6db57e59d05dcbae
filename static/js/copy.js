// « Copier le lien »: a button data-copy="<input id>" copies that read-only field's text.
// Without JavaScript the button stays hidden and the field can be selected by hand; on a page
// served over plain http (no Clipboard API) the text is selected and copied the old way.
import { tr } from "./i18n.js";

function say(id, text) {
  const status = document.querySelector(`[data-copy-status="${id}"]`);
  if (status) status.textContent = text;
}

async function copy(id) {
  const field = document.getElementById(id);
  if (!field) return;
  field.focus();
  field.select();
  let done = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(field.value);
      done = true;
    }
  } catch {
    done = false;
  }
  if (!done) {
    try {
      done = document.execCommand("copy");
    } catch {
      done = false;
    }
  }
  say(id, done ? tr("Lien copié.") : tr("Copie impossible : le lien est sélectionné, copiez-le à la main."));
}

for (const button of document.querySelectorAll("[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", () => copy(button.dataset.copy));
}
