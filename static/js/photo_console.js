// The console's paperboard photos (issue 19.3): upload with progress (made smaller on this
// device first, like the phones' photos), hide / show again without reloading, and the list
// kept live when another console of the atelier changes it. Without this script the forms
// post and the page reloads.
import { onAtelierLive } from "./live.js";
import { el, showStatus } from "./dom.js";
import { tr } from "./i18n.js";
import { newClientId } from "./outbox.js";
import { downscale, keep, upload } from "./photo_upload.js";

function init(panel) {
  const form = document.getElementById("paperboard-form");
  const input = document.getElementById("paperboard-file");
  const progress = document.getElementById("paperboard-progress");
  const status = document.getElementById("paperboard-status");
  const list = document.getElementById("paperboard-list");
  const csrf = () => form.elements.namedItem("csrf_token").value;

  function itemOf(id) { return panel.querySelector(`[data-photo-id="${Number(id)}"]`); }

  /** Show a photo's hidden state on its list item (its form posts the opposite next). */
  function mark(item, hidden) {
    item.classList.toggle("photo-strip__item--hidden", hidden);
    const f = item.querySelector("form");
    f.elements.namedItem("hidden").value = hidden ? "0" : "1";
    f.querySelector("button").textContent = hidden ? tr("Réafficher") : tr("Masquer");
    let note = item.querySelector(".photo-strip__note");
    if (hidden && !note) { note = el("span", "photo-strip__note", tr("masquée")); item.append(note); }
    if (!hidden && note) note.remove();
  }

  /** A paperboard's list item, made like the server's (its hide form included). */
  function build(p) {
    const item = el("li", "photo-strip__item");
    item.dataset.photoId = String(p.id);
    const link = el("a");
    link.href = p.large;
    link.target = "_blank";
    link.rel = "noopener";
    const img = el("img", "photo-strip__img");
    img.src = p.small;
    img.alt = tr("Photo de paperboard {n}", { n: list.children.length + 1 });
    link.append(img);
    const f = el("form");
    f.method = "post";
    f.action = `${panel.dataset.uploadUrl}/${Number(p.id)}/masquer`;
    for (const [name, value] of [["csrf_token", csrf()], ["no_js", "1"], ["hidden", "1"]]) {
      const h = el("input");
      h.type = "hidden";
      h.name = name;
      h.value = value;
      f.append(h);
    }
    const b = el("button", "button button--secondary button--small", tr("Masquer"));
    b.type = "submit";
    f.append(b);
    item.append(link, f);
    mark(item, Boolean(p.hidden));
    return item;
  }

  function upsert(p) {
    if (!p || p.kind !== "paperboard") return;
    const item = itemOf(p.id);
    if (item) mark(item, Boolean(p.hidden));
    else list.append(build(p));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files && input.files[0];
    if (!file) { showStatus(status, tr("Choisissez d’abord une photo."), "error"); return; }
    showStatus(status, tr("Préparation de la photo…"), "info");
    const clientId = newClientId();
    try {
      keep(clientId, await downscale(file));
    } catch {
      showStatus(status, tr("Cette photo n’a pas pu être lue : choisissez-en une autre."), "error");
      return;
    }
    progress.hidden = false;
    progress.value = 0;
    let ack;
    try {
      ack = await upload({ payload: { client_id: clientId, card_client_id: "" } }, {
        url: panel.dataset.uploadUrl,
        csrf: csrf(),
        onProgress(share) { progress.value = Math.round(share * 100); },
      });
    } catch {
      ack = { ok: false, message: tr("Pas de réponse du serveur : réessayez.") };
    }
    progress.hidden = true;
    if (ack && ack.ok) {
      upsert(ack.photo);
      input.value = "";
      showStatus(status, tr("Photo ajoutée."), "success");
    } else {
      showStatus(status, (ack && ack.message) || tr("L’envoi a échoué. Réessayez."), "error");
    }
  });

  // Hide / show again: the item's own form, sent in the background.
  panel.addEventListener("submit", async (event) => {
    const f = event.target;
    if (f === form || !f.closest(".photo-strip__item")) return;
    event.preventDefault();
    const body = new FormData(f);
    body.delete("no_js");
    try {
      const response = await fetch(f.action, {
        method: "POST", body, headers: { "X-CSRF-Token": csrf(), Accept: "application/json" },
      });
      const ack = await response.json();
      if (ack.ok) mark(f.closest(".photo-strip__item"), Boolean(ack.photo.hidden));
      else showStatus(status, ack.message || tr("L’envoi a échoué. Réessayez."), "error");
    } catch {
      showStatus(status, tr("Pas de réponse du serveur : réessayez."), "error");
    }
  });

  // Another console of the atelier added, hid or showed a paperboard.
  onAtelierLive((live) => {
    live.socket.on("photo:added", (m) => upsert(m && m.photo));
    live.socket.on("moderation:photo", (m) => upsert(m && m.photo));
  });
}

const panel = document.getElementById("photos-panel");
if (panel) init(panel);
