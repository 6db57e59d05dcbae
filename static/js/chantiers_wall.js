// The wall of a chantier atelier (#wall[data-kind=chantier]), beside wall.js and sharing its
// connection (live.js onAtelierLive), see facilitation/realtime/PROTOCOL.md « Chantiers »:
// each chantier card gets a short summary and a link to its page; the chantier form is sent
// with `chantier:create` (same client_id as the server-rendered form: idempotent). Rounds,
// moderation and votes stay wall.js's. Without this script the form POSTs and the server
// renders. User text only ever goes through textContent.
import { buildPendingCard, pendingList } from "./cards.js";
import { TEXT_FIELDS, attachChantierCards, onPageLive } from "./chantiers_cards.js";
import { hideSummary, setFieldError, showStatus, showSummary } from "./dom.js";
import { plural, tr } from "./i18n.js";
import { Draft, newClientId, outboxFor, scopeOf } from "./outbox.js";

const FORM_TEXT = ["titre", ...TEXT_FIELDS, "structure"];
const FORM_CHOICES = ["communes", "pratique_ids"];

function normalise(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/** On a chantier atelier's wall, beside wall.js (which owns the cards and the connection). */
function initWall(root, live) {
  const atelierId = Number(root.dataset.atelierId);
  const slug = root.dataset.eventSlug;
  const index = document.getElementById("chantier-index");
  const summaries = attachChantierCards(live, document.getElementById("cards"), {
    atelierId,
    chantierUrl: (id) => `/e/${encodeURIComponent(slug)}/a/${atelierId}/chantiers/${id}`,
  });
  live.socket.on("atelier:snapshot", () => {
    if (index) index.hidden = true; // each card now carries its own link
  });
  const form = document.getElementById("chantier-form");
  if (form) {
    initChantierForm(form, {
      live,
      root,
      atelierId,
      submit: document.getElementById("submit-button"),
      formStatus: document.getElementById("form-status"),
      summary: document.getElementById("error-summary"),
      summaries,
    });
  }
  initPratiqueSearch();
}

function initPratiqueSearch() {
  const box = document.querySelector(".chantier-pratiques__search");
  const input = document.getElementById("pratique-search");
  const status = document.getElementById("pratique-search-status");
  const options = [...document.querySelectorAll(".chantier-pratiques__option")];
  if (!box || !input || !options.length) return;
  box.hidden = false;
  const texts = options.map((o) => normalise(o.textContent));
  input.addEventListener("input", () => {
    const words = normalise(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    options.forEach((option, i) => {
      const checked = option.querySelector("input").checked;
      const match = checked || words.every((w) => texts[i].includes(w));
      option.hidden = !match;
      if (match) shown += 1;
    });
    const one = tr("pratique affichée");
    const many = tr("pratiques affichées");
    status.textContent = words.length ? plural(shown, one, many) : "";
  });
}

function initChantierForm(form, { live, root, atelierId, submit, formStatus, summary, summaries }) {
  form.noValidate = true;
  const clientIdInput = form.elements.namedItem("client_id");
  // The wall's offline outbox and drafts (outbox.js, shared with wall.js and votes_phone.js): a
  // chantier proposed without network waits on the phone, « en attente d'envoi », and goes
  // out once when the connection is back (same client_id: the server stores it once); what is
  // being typed survives a reload.
  const outbox = outboxFor(live, root);
  const draft = new Draft(form, `${scopeOf(root)}:chantier`, [...FORM_TEXT, ...FORM_CHOICES]);
  const pendingBox = pendingList(document.getElementById("cards"));
  let formItem = null; // the outbox item whose text is still in the form (sent while connected)
  const refusedLater = []; // refused chantiers waiting for the form to be free

  function values() {
    const v = {};
    for (const name of FORM_TEXT) {
      const input = form.elements.namedItem(name);
      if (input) v[name] = input.value;
    }
    v.communes = [...form.querySelectorAll('input[name="communes"]:checked')].map((i) => i.value);
    v.pratique_ids = [...form.querySelectorAll('input[name="pratique_ids"]:checked')].map((i) => Number(i.value));
    return v;
  }

  function fieldBox(name) {
    if (name === "communes") return document.getElementById("communes-group");
    if (name === "pratique_ids") return document.getElementById("pratiques-group");
    const input = form.elements.namedItem(name);
    return input && input.closest ? input.closest(".field") : null;
  }

  function fieldError(name, message) {
    const box = fieldBox(name);
    if (!box) return false;
    const input = name === "communes" || name === "pratique_ids" ? box : form.elements.namedItem(name);
    setFieldError(box, input, `${name}-error`, message);
    return true;
  }

  function labelOf(name) {
    if (name === "communes") return document.querySelector("#communes-group legend")?.firstChild?.textContent.trim() || name;
    if (name === "pratique_ids") return document.querySelector("#pratiques-group legend")?.firstChild?.textContent.trim() || name;
    const label = form.querySelector(`label[for="${name}"]`);
    return label && label.firstChild ? label.firstChild.textContent.trim() : name;
  }

  function clearErrors() {
    for (const name of [...FORM_TEXT, "communes", "pratique_ids"]) fieldError(name, null);
    hideSummary(summary);
  }

  function showErrors(ack) {
    clearErrors();
    const items = [];
    const others = [];
    for (const [name, message] of Object.entries((ack && ack.errors) || {})) {
      if (fieldError(name, message)) {
        const href = name === "communes" ? "#communes-0" : name === "pratique_ids" ? "#pratiques-group" : `#${name}`;
        items.push([`${labelOf(name)} : ${message}`, href]);
      } else {
        others.push(message);
      }
    }
    if (!items.length && !others.length) others.push((ack && ack.message) || tr("L’envoi a échoué. Réessayez."));
    const total = items.length + others.length;
    const title = items.length
      ? (total === 1 ? tr("Le formulaire contient une erreur") : tr("Le formulaire contient {total} erreurs", { total }))
      : others.shift();
    showSummary(summary, title, [...items, ...others]);
    showStatus(formStatus, "");
  }

  function setBusy(busy) {
    submit.setAttribute("aria-disabled", busy ? "true" : "false");
    submit.textContent = busy ? tr("Envoi…") : tr("Publier le chantier");
  }

  function formIsEmpty() {
    return FORM_TEXT.every((name) => name === "structure" || !(form.elements.namedItem(name)?.value || "").trim());
  }

  function emptyForm() {
    for (const name of FORM_TEXT) {
      if (name === "structure") continue; // kept for the next chantier
      const input = form.elements.namedItem(name);
      if (input) input.value = "";
    }
    for (const box of form.querySelectorAll('input[type="checkbox"]')) box.checked = false;
    clientIdInput.value = newClientId();
    draft.clear();
  }

  /** Put a refused chantier back in the form: nothing typed is lost. */
  function refill(payload) {
    for (const name of FORM_TEXT) {
      const input = form.elements.namedItem(name);
      if (input && payload[name] !== undefined) input.value = payload[name];
    }
    for (const name of FORM_CHOICES) {
      const chosen = (payload[name] || []).map(String);
      for (const box of form.querySelectorAll(`input[name="${name}"]`)) box.checked = chosen.includes(box.value);
    }
    clientIdInput.value = newClientId(); // refused: nothing was stored, a new try is a new chantier
    draft.save();
  }

  function renderPending() {
    const nodes = outbox.pending("chantier")
      .filter((item) => !formItem || item.id !== formItem.id) // its text is still in the form
      .map((item) => buildPendingCard({
        kind: "chantier", titre: item.payload.titre, description: item.payload.objectif || item.payload.constat,
        structure: item.payload.structure,
      }, item.id, 3));
    pendingBox.replaceChildren(...nodes);
    pendingBox.hidden = !nodes.length;
    root.dataset.outbox = String(outbox.size);
  }

  /** The chantier in the form is stored: free the form for the next one. */
  function formDone() {
    formItem = null;
    setBusy(false);
    clearErrors();
    emptyForm();
    showStatus(formStatus, tr("Chantier publié."), "success");
    const next = refusedLater.shift();
    if (next) refill(next);
  }

  outbox.listen(renderPending);
  outbox.on("chantier", {
    ack(item, ack) {
      // The card itself reaches this phone with the room's `contribution:created`.
      if (ack.contribution && ack.contribution.chantier) summaries.update(ack.contribution.chantier);
      if (item === formItem) formDone();
      else showStatus(formStatus, tr("« {titre} » envoyé.", { titre: item.payload.titre }), "success");
      renderPending();
    },
    refused(item, ack) {
      const inForm = item === formItem;
      formItem = null;
      setBusy(false);
      if (inForm) {
        showErrors(ack);
      } else if (formIsEmpty()) {
        refill(item.payload);
        showErrors(ack);
        showStatus(formStatus, tr("« {titre} » n’a pas été publié : son texte est remis dans le formulaire.", { titre: item.payload.titre }), "error");
      } else {
        // Something else is being typed: keep both, the refused text comes back after it.
        refusedLater.push(item.payload);
        showStatus(formStatus, tr("« {titre} » n’a pas été publié. Son texte vous attend : publiez d’abord ce que vous écrivez.", { titre: item.payload.titre }), "error");
      }
      renderPending();
    },
    stalled(item) {
      if (item !== formItem) return;
      // No answer: the chantier stays in the outbox (same client_id); the form is free again.
      formItem = null;
      setBusy(false);
      emptyForm();
      renderPending();
      showStatus(formStatus, tr("Pas de réponse du serveur : votre chantier est gardé sur ce téléphone et sera envoyé automatiquement au retour de la connexion."));
    },
  });

  // What was being typed before a reload or a crash of the tab; what still waits to be sent.
  if (draft.restore()) showStatus(formStatus, tr("Votre brouillon a été restauré."));
  renderPending();
  if (outbox.pending("chantier").length) {
    showStatus(formStatus, tr("Des chantiers attendent d’être envoyés : ils partiront dès que la connexion sera rétablie."));
  }

  form.addEventListener("submit", (event) => {
    // Scripts run but the server refused the socket (not the network): the browser POSTs the
    // form instead (same client_id, idempotent).
    if (!live.connected && !live.socket.active && navigator.onLine !== false) return;
    event.preventDefault();
    if (formItem) return; // already sending this text
    const v = values();
    if (!live.connected && !v.titre.trim()) {
      showErrors({ errors: { titre: tr("Indiquez le titre du chantier.") } });
      return;
    }
    const payload = { client_id: clientIdInput.value, atelier_id: atelierId, ...v };
    if (live.connected) {
      // Online: the text stays in the form until the server answers (errors next to the fields).
      setBusy(true);
      showStatus(formStatus, tr("Envoi en cours…"));
      formItem = { id: String(payload.client_id) }; // before add(): it renders the pending list
      formItem = outbox.add("chantier", "chantier:create", payload);
    } else {
      clearErrors();
      emptyForm();
      outbox.add("chantier", "chantier:create", payload);
      showStatus(formStatus, tr("Hors ligne : votre chantier est gardé sur ce téléphone, en attente d’envoi. Il partira dès le retour de la connexion."));
      const next = refusedLater.shift();
      if (next) refill(next);
    }
  });
}

const root = document.getElementById("wall");
if (root && root.dataset.kind === "chantier") onPageLive(root, (live) => initWall(root, live));
