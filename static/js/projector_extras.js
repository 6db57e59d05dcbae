// The projector, beyond the cards: the round (phase + a countdown large enough for the back of
// the room, on the server's clock), the view mode driven from the facilitator console (all
// cards / one card enlarged / by category, in columns / results), moderation deltas and
// announcements; the cards are paged so that none is ever cut (projector_pager.js). Plugged
// into projector.js by live.js connectPage.
import { RoundClock } from "./round.js";
import { formatSeconds } from "./time.js";
import { listenAnnouncements } from "./announce.js";
import { el } from "./dom.js";
import { tr } from "./i18n.js";
import { Pager } from "./projector_pager.js";

//: More categories than this: one grid grouped by category instead of columns too narrow to read.
const MAX_COLUMNS = 4;
//: Beyond this many cards, each card shows its title and structure only.
const COMPACT_FROM = 12;
//: Up to this many, larger type (the room has the space).
const ROOMY_UPTO = 6;

export function projectorExtras({ root, cards }) {
  const head = document.querySelector(".projector__head") || root;
  const banner = el("div", "round-banner projector__round");
  banner.id = "round-banner";
  banner.hidden = true;
  const phaseLine = el("p", "projector__phase");
  const countdown = el("p", "projector__countdown");
  countdown.id = "projector-countdown";
  countdown.hidden = true;
  banner.append(phaseLine, countdown);
  head.append(banner);
  const heads = document.getElementById("category-heads");
  let categories = new Map();
  let projector = { mode: "all", focus_id: null };

  // The order in which cards fill pages: the wall's order; in columns by category, row by row
  // (each column's first cards, then their next ones), so that a page shows every category.
  function pageOrder() {
    const nodes = [...cards.container.querySelectorAll(":scope > .card[data-id]")];
    const group = (n) => Number(n.style.order) || 0;
    if (root.dataset.layout !== "columns") return nodes.sort((a, b) => group(a) - group(b));
    const columns = new Map();
    for (const n of nodes) {
      if (!columns.has(group(n))) columns.set(group(n), []);
      columns.get(group(n)).push(n);
    }
    const lists = [...columns.keys()].sort((a, b) => a - b).map((k) => columns.get(k));
    const out = [];
    for (let row = 0; lists.some((l) => row < l.length); row += 1) {
      for (const l of lists) if (row < l.length) out.push(l[row]);
    }
    return out;
  }

  const pager = new Pager({
    stage: document.getElementById("projector-stage") || cards.container.parentElement,
    list: cards.container,
    items: pageOrder,
    root,
    indicator: document.getElementById("projector-pager"),
    label: document.getElementById("projector-page"),
  });

  const clock = new RoundClock((v) => {
    root.dataset.phase = v.phase || "";
    if (!v.round) { banner.hidden = true; return; }
    banner.hidden = false;
    phaseLine.textContent = tr("Manche {number} : {label}", { number: v.round.number, label: v.label });
    if (v.expired) {
      countdown.hidden = false;
      countdown.dataset.state = "over";
      countdown.textContent = tr("Temps écoulé");
    } else if (v.remaining === null) {
      countdown.hidden = true;
      delete countdown.dataset.state;
    } else {
      countdown.hidden = false;
      countdown.dataset.state = v.timerState === "paused" ? "paused" : (v.remaining <= 30 ? "last" : "running");
      const paused = v.timerState === "paused" ? tr(" (pause)") : "";
      countdown.textContent = `${formatSeconds(v.remaining)}${paused}`;
    }
  });

  function applyMode() {
    const mode = projector.mode || "all";
    root.dataset.mode = mode;
    // The categories in use, in the console's order; cards without one last.
    const nodes = [...cards.container.querySelectorAll(":scope > .card[data-id]")];
    const used = [...categories.keys()].filter((id) => nodes.some((n) => n.dataset.categoryId === id));
    const loose = nodes.some((n) => !categories.has(n.dataset.categoryId || ""));
    const columns = mode === "categories" && used.length + (loose ? 1 : 0) <= MAX_COLUMNS;
    root.dataset.layout = mode === "categories" ? (columns ? "columns" : "groups") : "";
    // Many cards: titles and structures only (projector.css), more of them on a page.
    root.dataset.density = nodes.length > COMPACT_FROM ? "compact" : (nodes.length <= ROOMY_UPTO ? "roomy" : "");
    const count = used.length + (loose ? 1 : 0);
    cards.container.style.setProperty("--columns", String(Math.max(count, 1)));
    if (heads) {
      heads.hidden = !columns;
      heads.style.setProperty("--columns", String(Math.max(count, 1)));
      heads.replaceChildren(...(columns ? [...used.map((id) => categories.get(id)), ...(loose ? [tr("Sans catégorie")] : [])]
        .map((name) => el("p", "projector__category-head", name)) : []));
    }
    for (const node of nodes) {
      node.classList.toggle("card--focus", mode === "card" && node.dataset.id === String(projector.focus_id));
      let tag = node.querySelector(":scope > .card__category");
      const known = categories.has(node.dataset.categoryId || "");
      const index = known ? used.indexOf(node.dataset.categoryId) : used.length;
      if (mode === "categories") {
        // Cards grouped by category: CSS order (and column) on the grid (CSSOM, allowed by the CSP).
        node.style.order = String(index);
        node.style.gridColumn = columns ? String(index + 1) : "";
        if (!tag) { tag = el("p", "card__category"); node.prepend(tag); }
        tag.textContent = known ? categories.get(node.dataset.categoryId) : tr("Sans catégorie");
      } else {
        node.style.order = "";
        node.style.gridColumn = "";
        if (tag) tag.remove();
      }
    }
    if (mode === "card") pager.disable(); else { pager.enable(); pager.refresh(); }
    // For other modules (e.g. the vote results view).
    document.dispatchEvent(new CustomEvent("projector:mode", { detail: projector }));
  }

  return {
    pager,
    deltas: {
      "round:changed": (msg) => clock.update(msg.round, msg.server_time),
      "contribution:updated": (msg) => { cards.add(msg.contribution, { highlight: false }); applyMode(); },
      "contribution:removed": (msg) => cards.remove(msg.id),
      "category:created": (msg) => { categories.set(String(msg.category.id), msg.category.name); applyMode(); },
      "projector:mode": (msg) => { projector = msg.projector || projector; applyMode(); },
    },
    snapshot(snap) {
      clock.update(snap.round, snap.server_time);
      categories = new Map((snap.categories || []).map((c) => [String(c.id), c.name]));
      projector = snap.projector || projector;
      applyMode();
    },
    changed() { applyMode(); },
    /** A card just arrived: its page on screen now. */
    arrived(id) {
      const node = cards.container.querySelector(`:scope > .card[data-id="${CSS.escape(String(id))}"]`);
      if (node) pager.reveal(node);
    },
    attach(live) { listenAnnouncements(live.socket, { closable: false }); },
  };
}
