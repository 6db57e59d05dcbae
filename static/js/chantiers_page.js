// One chantier's page (#chantier), see facilitation/realtime/PROTOCOL.md « Chantiers »: its
// own connection; additions, comments, consolidation and « Je m'engage » go over the socket
// (through the phone's offline outbox); `chantier:updated` re-renders the page live. Without
// this script the page still works: the forms POST and the server renders.
// User text only ever goes through textContent.
import { TEXT_FIELDS } from "./chantiers_cards.js";
import { el, showStatus } from "./dom.js";
import { tr } from "./i18n.js";
import { connectPage } from "./live.js";
import { Draft, newClientId, outboxFor, scopeOf } from "./outbox.js";
import { formatTime, localizeTimes } from "./time.js";

// Outbox item type of the chantier page's writes (additions, comments, « Je m'engage » …).
const PAGE_WRITE = "chantier-page";

function person(p) {
  if (!p) return tr("Participant·e parti·e");
  return p.structure ? `${p.display_name} (${p.structure})` : p.display_name;
}

function initPage(root) {
  document.documentElement.classList.add("js");
  let outbox = null; // the phone's offline outbox, once the connection object exists
  const atelierId = Number(root.dataset.atelierId);
  const chantierId = Number(root.dataset.chantierId);
  let shownVersion = Number(root.dataset.chantierVersion);
  const status = document.getElementById("chantier-status");
  const seen = new Set([...root.querySelectorAll("[data-id]")].map((n) => `${n.className}:${n.dataset.id}`));
  const contactsList = document.getElementById("chantier-contacts");
  let engagedCount = Number((document.getElementById("engagement-count")?.textContent || "0").replace(/\D/g, "")) || 0;

  localizeTimes(root, "time.chantier-time[datetime]");

  function byline(p, iso, tag = "span") {
    const by = el(tag, "chantier-addition__by", `— ${person(p)}, `);
    const time = el("time", "chantier-time", formatTime(iso));
    time.dateTime = iso || "";
    by.append(time);
    return by;
  }

  function highlight(node, key, cls) {
    if (!seen.has(key)) {
      seen.add(key);
      node.classList.add(cls);
      setTimeout(() => node.classList.remove(cls), 8000);
    }
  }

  function render(view) {
    if (!view || Number(view.id) !== chantierId) return;
    if (Number(view.version) < shownVersion) return; // older than what is shown
    shownVersion = Number(view.version);
    root.dataset.chantierVersion = String(shownVersion);
    document.getElementById("chantier-titre").textContent = view.titre;
    const communes = document.getElementById("chantier-communes");
    communes.hidden = !(view.communes && view.communes.length);
    document.getElementById("chantier-communes-list").textContent = (view.communes || []).join(", ");
    for (const name of TEXT_FIELDS) {
      const text = document.getElementById(`field-${name}-text`);
      const value = (view.fields || {})[name] || "";
      text.textContent = value || tr("À compléter.");
      text.classList.toggle("chantier-field__text--empty", !value);
      const cons = (view.consolidated || {})[name];
      const consNode = document.getElementById(`field-${name}-cons`);
      consNode.hidden = !cons;
      consNode.textContent = cons ? tr("Consolidé par {by}", { by: cons.by }) : "";
      const list = document.getElementById(`field-${name}-additions`);
      list.replaceChildren(...(view.additions || []).filter((a) => a.field === name).map((a) => {
        const li = el("li", "chantier-addition");
        li.dataset.id = String(a.id);
        li.append(el("span", "chantier-addition__text", a.text), " ", byline(a.author, a.created_at));
        highlight(li, `chantier-addition:${a.id}`, "chantier-addition--new");
        return li;
      }));
    }
    const pratiques = document.getElementById("chantier-pratiques");
    pratiques.replaceChildren(...((view.pratiques || []).length
      ? view.pratiques.map((p) => {
        const li = el("li");
        li.append(el("span", "chantier-pratique__titre", p.titre), " ", el("span", "choice__meta", p.atelier.title));
        return li;
      })
      : [el("li", "empty", tr("Aucune pratique reliée."))]));
    const comments = view.comments || [];
    document.getElementById("comment-count").textContent = `(${comments.length})`;
    document.getElementById("chantier-comments").replaceChildren(...comments.map((c) => {
      const li = el("li", "chantier-comment");
      li.dataset.id = String(c.id);
      li.append(el("p", "chantier-comment__text", c.text), byline(c.author, c.created_at, "p"));
      highlight(li, `chantier-comment:${c.id}`, "chantier-comment--new");
      return li;
    }));
    const engaged = view.engagements || { count: 0, participants: [] };
    document.getElementById("engagement-count").textContent = `(${engaged.count})`;
    document.getElementById("chantier-engaged").replaceChildren(
      ...(engaged.participants || []).map((p) => el("li", "", person(p))));
    if (contactsList && engaged.count !== engagedCount) refreshContacts();
    engagedCount = engaged.count;
    showPending(); // the lists were rebuilt: what still waits on this phone goes back after them
  }

  async function refreshContacts() {
    // Contacts never come with room updates: ask for them, for this socket only.
    try {
      const ack = await live.request("chantier:get", { chantier_id: chantierId });
      if (!ack || !ack.ok || !Array.isArray(ack.contacts)) return;
      contactsList.replaceChildren(...(ack.contacts.length
        ? ack.contacts.map((c) => {
          const li = el("li", "", `${person(c.participant)} : `);
          li.append(el("span", "chantier-contact", c.contact));
          return li;
        })
        : [el("li", "empty", tr("Aucun contact partagé pour l’instant."))]));
    } catch { /* the next update tries again */ }
  }

  function setMine(mine) {
    const engageForm = document.getElementById("engage-form");
    if (!engageForm) return;
    document.getElementById("engage-mine").hidden = !mine;
    document.getElementById("disengage-form").hidden = !mine;
    document.getElementById("engage-button").textContent = mine ? tr("Mettre à jour mon engagement") : tr("Je m’engage");
    if (!mine) {
      engageForm.elements.namedItem("contact").value = "";
      engageForm.elements.namedItem("consent").checked = false;
    }
  }

  const live = connectPage(root, {
    onSnapshot(snap) {
      const view = (snap.chantiers || []).find((c) => Number(c.id) === chantierId);
      if (view) render(view);
    },
    onError(err) {
      if (err && String(err.event || "").startsWith("chantier:")) return; // shown by the form
      showStatus(status, (err && err.message) || tr("Une erreur est survenue."), "error");
    },
  });
  live.socket.on("chantier:updated", (msg) => {
    if (msg && Number(msg.atelier_id) === atelierId) render(msg.chantier);
  });

  function formError(form, ack) {
    for (const node of form.querySelectorAll(".field__error[data-js]")) node.remove();
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    const errors = (ack && ack.errors) || {};
    let placed = false;
    for (const [name, message] of Object.entries(errors)) {
      const input = form.elements.namedItem(name);
      if (!input || !input.closest) continue;
      const field = input.closest(".field");
      const node = el("p", "field__error", message);
      node.dataset.js = "1";
      node.id = `${input.id}-jserror`;
      field.insertBefore(node, field.querySelector(".check") || input);
      input.setAttribute("aria-invalid", "true");
      const described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (!described.includes(node.id)) input.setAttribute("aria-describedby", [...described, node.id].join(" "));
      placed = true;
    }
    const message = placed ? tr("Vérifiez le formulaire.") : (ack && ack.message) || tr("L’envoi a échoué. Réessayez.");
    showStatus(status, message, "error");
  }

  const EVENTS = {
    add: "chantier:add", comment: "chantier:comment", consolidate: "chantier:consolidate",
    engage: "chantier:engage", disengage: "chantier:disengage",
  };
  const DONE = {
    add: tr("Votre ajout est enregistré."), comment: tr("Votre commentaire est publié."),
    consolidate: tr("La rubrique est consolidée."), engage: tr("Merci ! Votre engagement est enregistré."),
    disengage: tr("Votre engagement est retiré."),
  };

  // ---- writes through the phone's offline outbox (outbox.js, as on the wall): an addition, a
  // comment or « Je m'engage » made without network waits on the phone, « en attente d'envoi »,
  // and goes out once when the connection is back (its client_id makes a resend harmless).
  outbox = outboxFor(live, root);
  const forms = [...root.querySelectorAll("form[data-action]")];
  const formFor = (meta) => forms.find((f) => f.dataset.action === meta.action && (f.dataset.field || "") === (meta.field || ""));
  const inForm = new Set(); // client ids being sent while their text is still in their form
  const drafts = new Map(); // form -> Draft (additions and comments: text typed survives a reload)

  function setBusy(form, busy) {
    form.querySelector('button[type="submit"]').setAttribute("aria-disabled", busy ? "true" : "false");
  }

  /** The form's text went out (or waits in the outbox): free it for the next one. */
  function freeForm(form, action) {
    const text = form.elements.namedItem("text");
    if (text && (action === "add" || action === "comment")) {
      text.value = "";
      const details = form.closest("details");
      if (details) details.open = false;
    }
    form.elements.namedItem("client_id").value = newClientId();
    if (drafts.has(form)) drafts.get(form).clear();
  }

  outbox.on(PAGE_WRITE, {
    ack(item, ack) {
      const form = formFor(item.meta);
      const wasInForm = inForm.delete(item.id);
      if (form && wasInForm) {
        setBusy(form, false);
        for (const node of form.querySelectorAll(".field__error[data-js]")) node.remove();
        freeForm(form, item.meta.action);
      }
      render(ack.chantier);
      if (item.meta.action === "engage" || item.meta.action === "disengage") setMine(ack.mine);
      showStatus(status, DONE[item.meta.action] || tr("Envoyé."), "success");
    },
    refused(item, ack) {
      const form = formFor(item.meta);
      inForm.delete(item.id);
      if (!form) {
        showStatus(status, (ack && ack.message) || tr("L’envoi a échoué. Réessayez."), "error");
        return;
      }
      setBusy(form, false);
      const text = form.elements.namedItem("text");
      if (text && !text.value && item.payload.text) {
        text.value = item.payload.text; // sent later and refused: the text comes back
        const details = form.closest("details");
        if (details) details.open = true;
      }
      formError(form, ack);
      showPending();
    },
    stalled(item) {
      const form = formFor(item.meta);
      if (!form || !inForm.delete(item.id)) return;
      // No answer: it stays in the outbox (same client_id) and goes out on reconnection.
      setBusy(form, false);
      freeForm(form, item.meta.action);
      showPending();
      showStatus(status, tr("Pas de réponse du serveur : c’est gardé sur ce téléphone et sera envoyé automatiquement au retour de la connexion."));
    },
  });
  outbox.listen(showPending);

  for (const form of forms) {
    const action = form.dataset.action;
    const clientIdInput = form.elements.namedItem("client_id");
    if (action === "add" || action === "comment") {
      const draft = new Draft(form, `${scopeOf(root)}:${chantierId}:${action}:${form.dataset.field || ""}`, ["text"]);
      drafts.set(form, draft);
      if (draft.restore()) {
        const details = form.closest("details");
        if (details) details.open = true;
        showStatus(status, tr("Votre brouillon a été restauré."));
      }
    }
    form.addEventListener("submit", (event) => {
      // Scripts run but the server refused the socket (not the network): the browser POSTs.
      if (!live.connected && !live.socket.active && navigator.onLine !== false) return;
      event.preventDefault();
      if (inForm.has(clientIdInput.value)) return; // already sending it
      const payload = { chantier_id: chantierId };
      const text = form.elements.namedItem("text");
      const field = form.elements.namedItem("field");
      if (text) payload.text = text.value;
      if (field) payload.field = field.value;
      const choices = form.querySelectorAll('input[name="values"]');
      if (choices.length) payload.values = [...choices].filter((c) => c.checked).map((c) => c.value);
      if (action === "engage") {
        payload.contact = form.elements.namedItem("contact").value;
        payload.consent = form.elements.namedItem("consent").checked;
      }
      payload.client_id = clientIdInput.value;
      const meta = { action, field: form.dataset.field || "" };
      if (live.connected) {
        // Online: the text stays in its form until the server answers (errors beside it).
        setBusy(form, true);
        showStatus(status, tr("Envoi en cours…"));
        inForm.add(payload.client_id);
        outbox.add(PAGE_WRITE, EVENTS[action], payload, meta);
      } else {
        outbox.add(PAGE_WRITE, EVENTS[action], payload, meta);
        freeForm(form, action);
        showStatus(status, tr("Hors ligne : c’est gardé sur ce téléphone, en attente d’envoi, et partira dès le retour de la connexion."));
      }
    });
  }
  showPending();

  /** Additions and comments still in the outbox, « En attente d'envoi », after the stored ones. */
  function showPending() {
    for (const node of root.querySelectorAll("[data-pending]")) node.remove();
    if (!outbox) return;
    for (const item of outbox.pending(PAGE_WRITE)) {
      if (Number(item.payload.chantier_id) !== chantierId || inForm.has(item.id)) continue;
      const comment = item.meta.action === "comment";
      const list = comment ? document.getElementById("chantier-comments")
        : item.meta.action === "add" ? document.getElementById(`field-${item.payload.field}-additions`) : null;
      if (!list) continue;
      const li = el("li", comment ? "chantier-comment chantier-pending" : "chantier-addition chantier-pending");
      li.dataset.pending = item.id;
      li.append(el(comment ? "p" : "span", comment ? "chantier-comment__text" : "chantier-addition__text", item.payload.text),
        " ", el("span", "card__pending", tr("En attente d’envoi")));
      list.append(li);
    }
    root.dataset.outbox = String(outbox.size);
  }
}

const root = document.getElementById("chantier");
if (root) initPage(root);
