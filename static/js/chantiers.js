// Chantiers (afternoon ateliers), see facilitation/realtime/PROTOCOL.md « Chantiers ».
//
// - On a chantier atelier's wall (#wall[data-kind=chantier]), beside wall.js and sharing its
//   connection (live.js onAtelierLive): each chantier card gets a short summary and a link to
//   its page; the chantier form is sent with `chantier:create` (same client_id as the
//   server-rendered form: idempotent). Rounds, moderation and votes stay wall.js's.
// - On the projector (#projector[data-kind=chantier]), beside projector.js: the summaries.
// - On a chantier's page (#chantier): its own connection; additions, comments, consolidation
//   and « Je m'engage » go over the socket; `chantier:updated` re-renders the page live.
// Without this script both pages still work: the forms POST and the server renders.
// User text only ever goes through textContent.
import { connectAtelier, onAtelierLive, showLiveStatus } from "./live.js";
import { buildPendingCard, pendingList } from "./cards.js";
import { el } from "./dom.js";
import { formatTime } from "./time.js";
import { Draft, newClientId, outboxFor, scopeOf } from "./outbox.js";
import { tr } from "./i18n.js";

const TEXT_FIELDS = ["constat", "objectif", "publics", "partenaires", "etapes", "porteur"];
const FORM_TEXT = ["titre", ...TEXT_FIELDS, "structure"];
const FORM_CHOICES = ["communes", "pratique_ids"];
// Outbox item type of the chantier page's writes (additions, comments, « Je m'engage » …).
const PAGE_WRITE = "chantier-page";

function plural(n, one, many) {
  return `${n} ${n > 1 ? many : one}`;
}

function person(p) {
  if (!p) return tr("Participant·e parti·e");
  return p.structure ? `${p.display_name} (${p.structure})` : p.display_name;
}

function normalise(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function setStatus(node, text, tone = "info") {
  if (!node) return;
  node.textContent = text;
  node.dataset.tone = tone;
}

function bindLiveStatus(root, liveStatus) {
  return (state) => {
    if (!liveStatus) return;
    showLiveStatus(liveStatus, state);
    root.dataset.live = state;
  };
}

// ------------------------------------------------------------------ chantier summaries on cards
/**
 * Keep a chantier summary (objective, communes, counts, link) inside each chantier card of
 * `container`. `chantierUrl(id)` gives the page's address (null: no link, e.g. projector).
 */
export class ChantierCards {
  constructor(container, { chantierUrl = null } = {}) {
    this.container = container;
    this.chantierUrl = chantierUrl;
    this.views = new Map(); // id -> chantier view
  }

  replace(list) {
    this.views = new Map((list || []).map((c) => [String(c.id), c]));
    this.decorateAll();
  }

  update(view) {
    if (!view) return false;
    const id = String(view.id);
    const old = this.views.get(id);
    if (old && Number(old.version) > Number(view.version)) return false; // stale
    this.views.set(id, view);
    this.decorate(this.container.querySelector(`.card[data-id="${CSS.escape(id)}"]`));
    return true;
  }

  decorateAll() {
    for (const node of this.container.querySelectorAll(".card[data-id]")) this.decorate(node);
  }

  decorate(card) {
    if (!card) return;
    const view = this.views.get(card.dataset.id);
    if (!view) return;
    const stamp = String(view.version);
    const existing = card.querySelector(":scope > .card__chantier");
    if (existing && existing.dataset.version === stamp) return;
    const box = el("div", "card__chantier");
    box.dataset.version = stamp;
    const f = view.fields || {};
    const lead = f.objectif || f.constat;
    if (lead) box.append(el("p", "card__chantier-line", lead));
    if (view.communes && view.communes.length) {
      const p = el("p", "card__chantier-line");
      p.append(el("span", "card__label", tr("Communes : ")), el("span", "", view.communes.join(", ")));
      box.append(p);
    }
    if (f.porteur) {
      const p = el("p", "card__chantier-line");
      p.append(el("span", "card__label", tr("Porteur pressenti : ")), el("span", "", f.porteur));
      box.append(p);
    }
    const engaged = (view.engagements && view.engagements.count) || 0;
    box.append(el("p", "card__chantier-counts", [
      plural((view.additions || []).length, tr("ajout"), tr("ajouts")),
      plural((view.comments || []).length, tr("commentaire"), tr("commentaires")),
      plural(engaged, tr("personne engagée"), tr("personnes engagées")),
    ].join(" · ")));
    if (this.chantierUrl) {
      const a = el("a", "card__open", tr("Ouvrir le chantier"));
      a.href = this.chantierUrl(view.id);
      a.setAttribute("aria-label", tr("Ouvrir le chantier « {v} »", { v: card.querySelector(".card__title")?.textContent || "" }));
      box.append(a);
    }
    if (existing) existing.replaceWith(box);
    else card.insertBefore(box, card.querySelector(":scope > .card__foot"));
  }
}

/**
 * Keep chantier summaries on the cards of `container`, from the page's shared connection
 * `live` (live.js): the snapshot's `chantiers`, new chantier cards, `chantier:updated`.
 * The page's own script (wall.js, projector.js) owns the cards; a MutationObserver puts the
 * summary back whenever it rebuilds one.
 */
export function attachChantierCards(live, container, { atelierId, chantierUrl = null, onUpdate = null } = {}) {
  const cards = new ChantierCards(container, { chantierUrl });
  live.socket.on("atelier:snapshot", (snap) => {
    if (snap && snap.atelier && Number(snap.atelier.id) !== atelierId) return;
    cards.replace((snap && snap.chantiers) || []);
  });
  live.socket.on("contribution:created", (msg) => {
    if (msg && Number(msg.atelier_id) === atelierId && msg.contribution && msg.contribution.chantier) {
      cards.update(msg.contribution.chantier);
    }
  });
  const onUpdated = (msg) => {
    if (!msg || Number(msg.atelier_id) !== atelierId) return;
    cards.update(msg.chantier);
    if (onUpdate) onUpdate(msg.chantier);
  };
  // A versioned delta: through live.js's version check when it offers one (a gap resyncs).
  if (typeof live.delta === "function") live.delta("chantier:updated", onUpdated);
  else live.socket.on("chantier:updated", onUpdated);
  new MutationObserver(() => cards.decorateAll()).observe(container, { childList: true });
  // The first snapshot may have arrived before this module attached: ask for a fresh one.
  if (live.connected) live.resync();
  return cards;
}

// ------------------------------------------------------------------ the wall of a chantier atelier
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
  // The wall's offline outbox and drafts (outbox.js, shared with wall.js and votes.js): a
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

  function setFieldError(name, message) {
    const box = fieldBox(name);
    if (!box) return false;
    const errorId = `${name}-error`;
    let node = document.getElementById(errorId);
    const input = name === "communes" || name === "pratique_ids" ? box : form.elements.namedItem(name);
    const described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== errorId);
    if (message) {
      if (!node) {
        node = el("p", "field__error");
        node.id = errorId;
        const anchor = box.tagName === "FIELDSET" ? box.querySelector("legend").nextSibling : input;
        box.insertBefore(node, anchor);
      }
      node.textContent = message;
      described.push(errorId);
      if (input !== box) input.setAttribute("aria-invalid", "true");
      box.classList.add("field--invalid");
    } else {
      if (node) node.remove();
      if (input !== box) input.removeAttribute("aria-invalid");
      box.classList.remove("field--invalid");
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
    return true;
  }

  function labelOf(name) {
    if (name === "communes") return document.querySelector("#communes-group legend")?.firstChild?.textContent.trim() || name;
    if (name === "pratique_ids") return document.querySelector("#pratiques-group legend")?.firstChild?.textContent.trim() || name;
    const label = form.querySelector(`label[for="${name}"]`);
    return label && label.firstChild ? label.firstChild.textContent.trim() : name;
  }

  function clearErrors() {
    for (const name of [...FORM_TEXT, "communes", "pratique_ids"]) setFieldError(name, null);
    summary.hidden = true;
    summary.removeAttribute("role");
    summary.replaceChildren();
  }

  function showErrors(ack) {
    clearErrors();
    const items = [];
    const others = [];
    for (const [name, message] of Object.entries((ack && ack.errors) || {})) {
      if (setFieldError(name, message)) {
        const li = el("li");
        const a = el("a", "", `${labelOf(name)} : ${message}`);
        a.href = name === "communes" ? "#communes-0" : name === "pratique_ids" ? "#pratiques-group" : `#${name}`;
        li.append(a);
        items.push(li);
      } else {
        others.push(message);
      }
    }
    if (!items.length && !others.length) others.push((ack && ack.message) || tr("L’envoi a échoué. Réessayez."));
    const total = items.length + others.length;
    const title = el("h2", "error-summary__title", items.length
      ? (total === 1 ? tr("Le formulaire contient une erreur") : tr("Le formulaire contient {total} erreurs", { total }))
      : others.shift());
    const list = el("ul", "error-summary__list");
    list.append(...items, ...others.map((m) => el("li", "", m)));
    summary.replaceChildren(title);
    if (list.childElementCount) summary.append(list);
    summary.hidden = false;
    summary.setAttribute("role", "alert");
    summary.focus();
    setStatus(formStatus, "");
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
    setStatus(formStatus, tr("Chantier publié."), "success");
    const next = refusedLater.shift();
    if (next) refill(next);
  }

  outbox.listen(renderPending);
  outbox.on("chantier", {
    ack(item, ack) {
      // The card itself reaches this phone with the room's `contribution:created`.
      if (ack.contribution && ack.contribution.chantier) summaries.update(ack.contribution.chantier);
      if (item === formItem) formDone();
      else setStatus(formStatus, tr("« {titre} » envoyé.", { titre: item.payload.titre }), "success");
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
        setStatus(formStatus, tr("« {titre} » n’a pas été publié : son texte est remis dans le formulaire.", { titre: item.payload.titre }), "error");
      } else {
        // Something else is being typed: keep both, the refused text comes back after it.
        refusedLater.push(item.payload);
        setStatus(formStatus, tr("« {titre} » n’a pas été publié. Son texte vous attend : publiez d’abord ce que vous écrivez.", { titre: item.payload.titre }), "error");
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
      setStatus(formStatus, tr("Pas de réponse du serveur : votre chantier est gardé sur ce téléphone et sera envoyé automatiquement au retour de la connexion."));
    },
  });

  // What was being typed before a reload or a crash of the tab; what still waits to be sent.
  if (draft.restore()) setStatus(formStatus, tr("Votre brouillon a été restauré."));
  renderPending();
  if (outbox.pending("chantier").length) {
    setStatus(formStatus, tr("Des chantiers attendent d’être envoyés : ils partiront dès que la connexion sera rétablie."));
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
      setStatus(formStatus, tr("Envoi en cours…"));
      formItem = { id: String(payload.client_id) }; // before add(): it renders the pending list
      formItem = outbox.add("chantier", "chantier:create", payload);
    } else {
      clearErrors();
      emptyForm();
      outbox.add("chantier", "chantier:create", payload);
      setStatus(formStatus, tr("Hors ligne : votre chantier est gardé sur ce téléphone, en attente d’envoi. Il partira dès le retour de la connexion."));
      const next = refusedLater.shift();
      if (next) refill(next);
    }
  });
}

// ------------------------------------------------------------------ one chantier's page
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

  for (const t of root.querySelectorAll("time.chantier-time[datetime]")) {
    const text = formatTime(t.getAttribute("datetime"));
    if (text) t.textContent = text;
  }

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

  document.getElementById("live-bar").hidden = false;
  const live = connectAtelier({
    atelierId,
    version: Number(root.dataset.version),
    onStatus: bindLiveStatus(root, document.getElementById("live-status")),
    onJoined() { root.dataset.live = "joined"; },
    onSnapshot(snap) {
      const view = (snap.chantiers || []).find((c) => Number(c.id) === chantierId);
      if (view) render(view);
    },
    onError(err) {
      if (err && String(err.event || "").startsWith("chantier:")) return; // shown by the form
      setStatus(status, (err && err.message) || tr("Une erreur est survenue."), "error");
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
    setStatus(status, message, "error");
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
      setStatus(status, DONE[item.meta.action] || tr("Envoyé."), "success");
    },
    refused(item, ack) {
      const form = formFor(item.meta);
      inForm.delete(item.id);
      if (!form) {
        setStatus(status, (ack && ack.message) || tr("L’envoi a échoué. Réessayez."), "error");
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
      setStatus(status, tr("Pas de réponse du serveur : c’est gardé sur ce téléphone et sera envoyé automatiquement au retour de la connexion."));
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
        setStatus(status, tr("Votre brouillon a été restauré."));
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
        setStatus(status, tr("Envoi en cours…"));
        inForm.add(payload.client_id);
        outbox.add(PAGE_WRITE, EVENTS[action], payload, meta);
      } else {
        outbox.add(PAGE_WRITE, EVENTS[action], payload, meta);
        freeForm(form, action);
        setStatus(status, tr("Hors ligne : c’est gardé sur ce téléphone, en attente d’envoi, et partira dès le retour de la connexion."));
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

// Beside wall.js / projector.js: share their connection (one socket per page).
function onPageLive(root, init) {
  let done = false;
  onAtelierLive((live, atelierId) => {
    if (done || Number(atelierId) !== Number(root.dataset.atelierId)) return;
    done = true;
    init(live);
  });
}

const wallRoot = document.getElementById("wall");
if (wallRoot && wallRoot.dataset.kind === "chantier") onPageLive(wallRoot, (live) => initWall(wallRoot, live));
const projectorRoot = document.getElementById("projector");
if (projectorRoot && projectorRoot.dataset.kind === "chantier") {
  const sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("../css/chantiers.css", import.meta.url).href;
  document.head.append(sheet);
  onPageLive(projectorRoot, (live) => attachChantierCards(live, document.getElementById("cards"), {
    atelierId: Number(projectorRoot.dataset.atelierId),
  }));
}
const pageRoot = document.getElementById("chantier");
if (pageRoot) initPage(pageRoot);
