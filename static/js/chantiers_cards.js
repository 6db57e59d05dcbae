// Chantiers (afternoon ateliers), see facilitation/realtime/PROTOCOL.md « Chantiers »: what
// the chantier atelier's wall (chantiers_wall.js) and its projector (chantiers_projector.js)
// share: a summary of each chantier on its card, kept live over the page's connection.
// User text only ever goes through textContent.
import { onAtelierLive } from "./live.js";
import { el } from "./dom.js";
import { plural, tr } from "./i18n.js";

/** The text fields of a chantier, in the order of its page. */
export const TEXT_FIELDS = ["constat", "objectif", "publics", "partenaires", "etapes", "porteur"];

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

/** Beside wall.js / projector.js: run `init(live)` on their connection (one socket per page). */
export function onPageLive(root, init) {
  let done = false;
  onAtelierLive((live, atelierId) => {
    if (done || Number(atelierId) !== Number(root.dataset.atelierId)) return;
    done = true;
    init(live);
  });
}
