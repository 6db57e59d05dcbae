// The projector, beyond the cards: the round (phase + countdown on the server's clock), the view
// mode driven from the facilitator console (all cards / one card enlarged / by category /
// results), moderation deltas and announcements. Plugged into projector.js by live.js connectPage.
import { RoundClock } from "./round.js";
import { formatSeconds } from "./time.js";
import { listenAnnouncements } from "./announce.js";
import { tr } from "./i18n.js";

export function projectorExtras({ root, cards }) {
  const head = document.querySelector(".projector__head") || root;
  const banner = document.createElement("p");
  banner.className = "round-banner projector__round";
  banner.id = "round-banner";
  banner.hidden = true;
  head.append(banner);
  let categories = new Map();
  let projector = { mode: "all", focus_id: null };

  const clock = new RoundClock((v) => {
    root.dataset.phase = v.phase || "";
    if (!v.round) { banner.hidden = true; return; }
    banner.hidden = false;
    const paused = v.timerState === "paused" ? tr(" (pause)") : "";
    const time = v.remaining === null ? "" : ` · ${formatSeconds(v.remaining)}${paused}`;
    banner.textContent = tr("Manche {number} : {label}", { number: v.round.number, label: v.label }) + time;
  });

  function applyMode() {
    root.dataset.mode = projector.mode || "all";
    const order = [...categories.keys()];
    for (const node of cards.container.querySelectorAll(":scope > .card[data-id]")) {
      node.classList.toggle("card--focus", projector.mode === "card" && node.dataset.id === String(projector.focus_id));
      let tag = node.querySelector(":scope > .card__category");
      const cat = categories.get(node.dataset.categoryId || "");
      if (projector.mode === "categories") {
        // Cards grouped by category: CSS order on the grid (CSSOM, allowed by the CSP).
        const index = cat ? order.indexOf(node.dataset.categoryId) : order.length;
        node.style.order = String(index);
        if (!tag) { tag = document.createElement("p"); tag.className = "card__category"; node.prepend(tag); }
        tag.textContent = cat ? cat : tr("Sans catégorie");
      } else {
        node.style.order = "";
        if (tag) tag.remove();
      }
    }
    // For other modules (e.g. the vote results view).
    document.dispatchEvent(new CustomEvent("projector:mode", { detail: projector }));
  }

  return {
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
    attach(live) { listenAnnouncements(live.socket, { closable: false }); },
  };
}
