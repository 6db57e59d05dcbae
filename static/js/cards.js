// Contribution cards: DOM builder (mirror of the `card` macro in templates/macros.html)
// and a small keyed store that renders a newest-first list without innerHTML.
// User text only ever goes through textContent.

import { t } from "./i18n.js";
import { el } from "./dom.js";
import { formatTime, localizeTimes, parseDate } from "./time.js";

const HIGHLIGHT_MS = 8000;

function sep() {
  const s = el("span", "card__sep", " · ");
  s.setAttribute("aria-hidden", "true");
  return s;
}

/** Build one card; same structure and classes as the Jinja macro `card(c, level)`. */
export function buildCard(c, level = 3) {
  const kind = /^[a-z_]+$/.test(c.kind || "") ? c.kind : "pratique";
  const card = el("article", `card card--${kind}`);
  card.id = `contribution-${c.id}`;
  card.dataset.id = String(c.id);

  card.append(el(`h${level}`, "card__title", c.titre));
  if (c.photo && c.photo.small) card.append(photoOf(c.photo));
  if (c.description) card.append(el("p", "card__desc", c.description));

  if (c.structure || c.commune) {
    const where = el("p", "card__where");
    if (c.structure) where.append(el("span", "card__structure", c.structure));
    if (c.structure && c.commune) where.append(sep());
    if (c.commune) where.append(el("span", "card__commune", c.commune));
    card.append(where);
  }

  if (c.public_concerne) {
    const pub = el("p", "card__public");
    pub.append(el("span", "card__label", t("card.public", "Public concerné :")), " ",
      el("span", "card__public-value", c.public_concerne));
    card.append(pub);
  }

  const foot = el("p", "card__foot");
  const author = c.author && c.author.display_name;
  if (author) foot.append(el("span", "card__author", author), sep());
  else if (c.anonymous) foot.append(el("span", "card__anonymous", t("card.anonymous", "anonyme")), sep());
  const time = el("time", "card__time", formatTime(c.created_at));
  time.dateTime = c.created_at || "";
  foot.append(time);
  // Moderation: the author and the room see that a card was edited.
  if (c.edited) foot.append(sep(), el("span", "card__edited", t("card.edited", "modifié")));
  card.append(foot);
  if (Array.isArray(c.merged) && c.merged.length) card.append(buildMerged(c.merged));
  if (c.pinned) card.classList.add("card--pinned");
  if (c.hidden) card.classList.add("card--hidden");
  if (c.author && c.author.id !== undefined) card.dataset.authorId = String(c.author.id);
  if (c.client_id) card.dataset.clientId = String(c.client_id);
  if (c.category_id) card.dataset.categoryId = String(c.category_id);
  return card;
}

/** A card's photo (issue 19.3): the small JPEG, the large one a tap away. */
function photoOf(p) {
  const link = el("a", "card__photo-link");
  link.href = p.large;
  link.target = "_blank";
  link.rel = "noopener";
  const img = el("img", `card__photo${p.hidden ? " card__photo--hidden" : ""}`);
  img.src = p.small;
  img.alt = t("card.photo", "Photo jointe à la carte");
  img.loading = "lazy";
  img.width = p.small_width || 0;
  img.height = p.small_height || 0;
  link.append(img);
  return link;
}

/** Socket deltas that put a card's photo on it, or take it off (hidden, deleted). */
export function photoDeltas(cards, onBoard = null) {
  const set = (cardId, photo) => {
    const e = cards.entries.get(String(cardId));
    if (e && e.data) cards.add({ ...e.data, photo }, { highlight: false });
  };
  const added = (m) => {
    const p = m.photo || {};
    if (p.kind === "card") set(p.card_id, p);
    else if (onBoard) onBoard("added", p);
  };
  return {
    "photo:added": added,
    "moderation:photo": added,
    "photo:removed": (m) => {
      if (m.kind === "card") set(m.card_id, null);
      else if (onBoard) onBoard("removed", m);
    },
  };
}

/**
 * A card still in the phone's offline outbox (outbox.js): « En attente d’envoi ». It has no
 * data-id, so votes and moderation leave it alone until the stored card replaces it.
 */
export function buildPendingCard(fields, clientId, level = 3) {
  const card = buildCard({ ...fields, id: `pending-${clientId}`, author: null, created_at: null }, level);
  card.classList.add("card--pending");
  delete card.dataset.id;
  card.append(el("p", "card__pending", t("wall.pending", "En attente d’envoi")));
  return card;
}

/** The list of the page's waiting cards, just before the wall's `cards` (made once). */
export function pendingList(cards) {
  let box = document.getElementById("outbox-cards");
  if (!box) {
    box = el("div", "cards cards--pending");
    box.id = "outbox-cards";
    cards.before(box);
  }
  return box;
}

/** Duplicates merged into a card: their text and author stay visible. */
function buildMerged(list) {
  const box = el("div", "card__merged");
  box.append(el("p", "card__label", t("card.merged", "Regroupé avec :")));
  for (const m of list) {
    const item = el("p", "card__merged-item");
    item.append(el("span", "card__merged-title", m.titre));
    if (m.author && m.author.display_name) item.append(sep(), el("span", "card__author", m.author.display_name));
    box.append(item);
  }
  return box;
}

function signature(c) {
  return JSON.stringify([c.titre, c.description, c.structure, c.commune, c.public_concerne,
    c.author && c.author.display_name, c.anonymous, c.created_at, c.kind,
    c.edited, c.pinned, c.hidden, c.category_id, JSON.stringify(c.merged || []),
    c.photo ? `${c.photo.small}${c.photo.hidden ? "h" : ""}` : ""]);
}

/**
 * Keyed, newest-first list of cards inside `container`.
 * Seeded from the server-rendered cards; `replace()` applies a snapshot, `add()` a delta.
 */
export class CardList {
  constructor(container, { level = 3, highlight = true, onChange = null } = {}) {
    this.container = container;
    this.level = level;
    this.highlight = highlight;
    this.onChange = onChange;
    this.entries = new Map(); // id -> { id, time, data|null, node }
    for (const node of container.querySelectorAll(":scope > .card[data-id]")) {
      const t = node.querySelector("time[datetime]");
      const d = parseDate(t && t.getAttribute("datetime"));
      this.entries.set(node.dataset.id, { id: node.dataset.id, time: d ? d.getTime() : 0, data: null, node });
    }
    localizeTimes(container);
  }

  get size() { return this.entries.size; }

  has(id) { return this.entries.has(String(id)); }

  /** Drop a card (withdrawn, hidden, merged away). Returns true when it was shown. */
  remove(id) {
    const entry = this.entries.get(String(id));
    if (!entry) return false;
    entry.node.remove();
    this.entries.delete(String(id));
    this._render([]);
    return true;
  }

  /** Replace the whole state with a snapshot's contributions. Returns the new cards. */
  replace(list) {
    const fresh = [];
    const next = new Map();
    for (const c of list || []) {
      const id = String(c.id);
      const old = this.entries.get(id);
      if (!old) fresh.push(c);
      next.set(id, this._entry(c, old));
    }
    for (const [id, e] of this.entries) if (!next.has(id)) e.node.remove();
    this.entries = next;
    this._render(fresh.map((c) => String(c.id)));
    return fresh;
  }

  /** Insert a card unless already present. Returns true when it was new. */
  add(c, { highlight = this.highlight } = {}) {
    const id = String(c.id);
    const old = this.entries.get(id);
    this.entries.set(id, this._entry(c, old));
    this._render(!old && highlight ? [id] : []);
    return !old;
  }

  _entry(c, old) {
    // A card's own deltas do not carry its photo (it has its own): keep the one shown.
    if (c.photo === undefined && old && old.data) c = { ...c, photo: old.data.photo };
    const d = parseDate(c.created_at);
    const entry = { id: String(c.id), time: d ? d.getTime() : 0, data: c, node: old && old.node };
    if (!entry.node || !old.data || signature(old.data) !== signature(c)) {
      const node = buildCard(c, this.level);
      if (entry.node) entry.node.replaceWith(node);
      entry.node = node;
    }
    return entry;
  }

  _sorted() {
    const byNumber = (a, b) => {
      const na = Number(a), nb = Number(b);
      return Number.isFinite(na) && Number.isFinite(nb) ? nb - na : String(b).localeCompare(String(a));
    };
    // Pinned cards first (moderation), then newest first.
    const pinned = (e) => (e.data && e.data.pinned ? 1 : 0);
    return [...this.entries.values()].sort((a, b) => (pinned(b) - pinned(a)) || (b.time - a.time) || byNumber(a.id, b.id));
  }

  _render(newIds) {
    let prev = null;
    for (const e of this._sorted()) {
      const ref = prev ? prev.nextSibling : this.container.firstChild;
      if (e.node !== ref) this.container.insertBefore(e.node, ref);
      prev = e.node;
    }
    if (this.highlight) {
      for (const id of newIds) {
        const node = this.entries.get(id)?.node;
        if (!node) continue;
        node.classList.add("card--new");
        setTimeout(() => node.classList.remove("card--new"), HIGHLIGHT_MS);
      }
    }
    if (this.onChange) this.onChange(this.entries.size);
  }
}
