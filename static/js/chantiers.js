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
import { connectAtelier, onAtelierLive, STATUS_TEXT } from "./live.js";
import { formatTime } from "./cards.js";

const TEXT_FIELDS = ["constat", "objectif", "publics", "partenaires", "etapes", "porteur"];
const FORM_TEXT = ["titre", ...TEXT_FIELDS, "structure"];

function newClientId() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function plural(n, one, many) {
  return `${n} ${n > 1 ? many : one}`;
}

function person(p) {
  if (!p) return "Participant·e parti·e";
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
    liveStatus.dataset.state = state;
    liveStatus.querySelector(".live-status__text").textContent = STATUS_TEXT[state] || state;
    root.dataset.live = state;
  };
}

/** Send with an ack; a `not_joined` answer re-joins the room once and retries. */
async function request(live, event, payload) {
  const ack = await live.request(event, payload);
  if (ack && ack.ok === false && ack.code === "not_joined") {
    await live.resync();
    return live.request(event, payload);
  }
  return ack;
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
      p.append(el("span", "card__label", "Communes : "), el("span", "", view.communes.join(", ")));
      box.append(p);
    }
    if (f.porteur) {
      const p = el("p", "card__chantier-line");
      p.append(el("span", "card__label", "Porteur pressenti : "), el("span", "", f.porteur));
      box.append(p);
    }
    const engaged = (view.engagements && view.engagements.count) || 0;
    box.append(el("p", "card__chantier-counts", [
      plural((view.additions || []).length, "ajout", "ajouts"),
      plural((view.comments || []).length, "commentaire", "commentaires"),
      plural(engaged, "personne engagée", "personnes engagées"),
    ].join(" · ")));
    if (this.chantierUrl) {
      const a = el("a", "card__open", "Ouvrir le chantier");
      a.href = this.chantierUrl(view.id);
      a.setAttribute("aria-label", `Ouvrir le chantier « ${card.querySelector(".card__title")?.textContent || ""} »`);
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
    status.textContent = words.length ? `${plural(shown, "pratique affichée", "pratiques affichées")}` : "";
  });
}

function initChantierForm(form, { live, atelierId, submit, formStatus, summary, summaries }) {
  form.noValidate = true;
  const clientIdInput = form.elements.namedItem("client_id");
  let sending = false;
  let uncertain = null;

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
    if (!items.length && !others.length) others.push((ack && ack.message) || "L’envoi a échoué. Réessayez.");
    const total = items.length + others.length;
    const title = el("h2", "error-summary__title", items.length
      ? `Le formulaire contient ${total === 1 ? "une erreur" : `${total} erreurs`}`
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
    sending = busy;
    submit.setAttribute("aria-disabled", busy ? "true" : "false");
    submit.textContent = busy ? "Envoi…" : "Publier le chantier";
  }

  form.addEventListener("submit", async (event) => {
    if (!live.connected) return; // no socket: the browser POSTs the form (same client_id)
    event.preventDefault();
    if (sending) return;
    const v = values();
    const sig = JSON.stringify(v);
    if (uncertain && uncertain !== sig) clientIdInput.value = newClientId(); // edited: another chantier
    setBusy(true);
    setStatus(formStatus, "Envoi en cours…");
    try {
      const ack = await request(live, "chantier:create", { client_id: clientIdInput.value, atelier_id: atelierId, ...v });
      uncertain = null;
      if (ack && ack.ok) {
        // The card itself reaches this phone with the room's `contribution:created`.
        if (ack.contribution && ack.contribution.chantier) summaries.update(ack.contribution.chantier);
        clearErrors();
        for (const name of FORM_TEXT) {
          if (name === "structure") continue; // kept for the next chantier
          const input = form.elements.namedItem(name);
          if (input) input.value = "";
        }
        for (const box of form.querySelectorAll('input[type="checkbox"]')) box.checked = false;
        clientIdInput.value = newClientId();
        setStatus(formStatus, "Chantier publié.", "success");
      } else {
        showErrors(ack);
      }
    } catch {
      uncertain = sig;
      setStatus(formStatus, "L’envoi n’a pas été confirmé (connexion faible ?). Appuyez de nouveau sur « Publier le chantier » : "
        + "votre texte est conservé et ne sera pas publié deux fois.", "error");
    } finally {
      setBusy(false);
    }
  });
}

// ------------------------------------------------------------------ one chantier's page
function initPage(root) {
  document.documentElement.classList.add("js");
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
      text.textContent = value || "À compléter.";
      text.classList.toggle("chantier-field__text--empty", !value);
      const cons = (view.consolidated || {})[name];
      const consNode = document.getElementById(`field-${name}-cons`);
      consNode.hidden = !cons;
      consNode.textContent = cons ? `Consolidé par ${cons.by}` : "";
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
      : [el("li", "empty", "Aucune pratique reliée.")]));
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
        : [el("li", "empty", "Aucun contact partagé pour l’instant.")]));
    } catch { /* the next update tries again */ }
  }

  function setMine(mine) {
    const engageForm = document.getElementById("engage-form");
    if (!engageForm) return;
    document.getElementById("engage-mine").hidden = !mine;
    document.getElementById("disengage-form").hidden = !mine;
    document.getElementById("engage-button").textContent = mine ? "Mettre à jour mon engagement" : "Je m’engage";
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
      setStatus(status, (err && err.message) || "Une erreur est survenue.", "error");
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
    const message = placed ? "Vérifiez le formulaire." : (ack && ack.message) || "L’envoi a échoué. Réessayez.";
    setStatus(status, message, "error");
  }

  const EVENTS = {
    add: "chantier:add", comment: "chantier:comment", consolidate: "chantier:consolidate",
    engage: "chantier:engage", disengage: "chantier:disengage",
  };
  const DONE = {
    add: "Votre ajout est enregistré.", comment: "Votre commentaire est publié.",
    consolidate: "La rubrique est consolidée.", engage: "Merci ! Votre engagement est enregistré.",
    disengage: "Votre engagement est retiré.",
  };

  for (const form of root.querySelectorAll("form[data-action]")) {
    const action = form.dataset.action;
    const clientIdInput = form.elements.namedItem("client_id");
    let sending = false;
    let uncertain = null;
    form.addEventListener("submit", async (event) => {
      if (!live.connected) return; // the browser POSTs the form
      event.preventDefault();
      if (sending) return;
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
      const sig = JSON.stringify(payload);
      if (uncertain && uncertain !== sig) clientIdInput.value = newClientId();
      payload.client_id = clientIdInput.value;
      sending = true;
      const button = form.querySelector('button[type="submit"]');
      button.setAttribute("aria-disabled", "true");
      setStatus(status, "Envoi en cours…");
      try {
        const ack = await request(live, EVENTS[action], payload);
        uncertain = null;
        if (ack && ack.ok) {
          for (const node of form.querySelectorAll(".field__error[data-js]")) node.remove();
          render(ack.chantier);
          if (action === "add" || action === "comment") {
            text.value = "";
            const details = form.closest("details");
            if (details) details.open = false;
          }
          if (action === "engage" || action === "disengage") setMine(ack.mine);
          clientIdInput.value = newClientId();
          setStatus(status, DONE[action], "success");
        } else {
          formError(form, ack);
        }
      } catch {
        uncertain = sig;
        setStatus(status, "L’envoi n’a pas été confirmé (connexion faible ?). Renvoyez : "
          + "ce ne sera pas enregistré deux fois.", "error");
      } finally {
        sending = false;
        button.setAttribute("aria-disabled", "false");
      }
    });
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
