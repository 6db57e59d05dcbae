// « Moi aussi » on the pratiques (PROTOCOL.md), beside wall.js and projector.js: « Nous aussi »
// and « Ça m'intéresse » with their counts; aria-pressed is one's own state. A tap sends the
// wanted state (on/off, never a toggle), so a retry cannot flip it back. The projector shows
// the counts; the author's card shows who (reactions_who.js, loaded when needed).
import { onAtelierLive } from "./live.js";
import { el } from "./dom.js";
import { tr } from "./i18n.js";

const KINDS = ["nous_aussi", "interesse"];

function init(root, box) {
  const me = root.dataset.participantId || "";
  const phone = root.id === "wall" && Boolean(me);
  const atelierId = Number(root.dataset.atelierId);
  const labels = { nous_aussi: tr("Nous aussi"), interesse: tr("Ça m’intéresse") };
  let counts = {}; // card id -> {nous_aussi, interesse}
  let mine = {}; // card id -> Set of kinds
  const busy = new Set(); // "id:kind" awaiting the server
  const who = {}; // own card id -> [counts asked at, answer]
  let live = null;
  const status = el("p", "reactions-status");
  status.setAttribute("role", "status");
  box.before(status);

  const n = (id, kind) => Number((counts[id] || {})[kind] || 0);
  const own = (card) => me && card.dataset.authorId === me;
  const cardOf = (id) => box.querySelector(`.card[data-id="${CSS.escape(String(id))}"]`);

  function decorate(card) {
    const id = card.dataset.id;
    if (!id || !card.classList.contains("card--pratique")) return;
    let bar = card.querySelector(":scope > .reactions");
    const buttons = phone && !own(card);
    if (!buttons && !KINDS.some((k) => n(id, k))) { if (bar) bar.remove(); return; }
    if (!bar) card.append(bar = el("div", "reactions"));
    const titre = (card.querySelector(".card__title") || {}).textContent || "";
    const nodes = [];
    for (const kind of KINDS) {
      if (!buttons && !n(id, kind)) continue;
      const b = el(buttons ? "button" : "span", `reaction reaction--${kind}${buttons ? "" : " reaction--static"}`);
      if (buttons) {
        b.type = "button";
        b.dataset.kind = kind;
        b.setAttribute("aria-pressed", String(Boolean(mine[id] && mine[id].has(kind))));
        b.setAttribute("aria-label", tr("{label} : « {titre} » ({n})", { label: labels[kind], titre, n: n(id, kind) }));
        if (busy.has(`${id}:${kind}`)) b.setAttribute("aria-busy", "true");
      }
      b.append(el("span", "reaction__label", labels[kind]), el("span", "reaction__count", String(n(id, kind))));
      nodes.push(b);
    }
    if (own(card) && who[id] && who[id][1]) nodes.push(...who[id][1]);
    bar.replaceChildren(...nodes);
  }

  function all() {
    for (const card of box.querySelectorAll(":scope > .card[data-id]")) {
      decorate(card);
      if (phone && own(card)) askWho(card);
    }
    // The projector's pager measures its pages (projector_pager.js): taller cards, new pages.
    if (root.id === "projector") window.dispatchEvent(new Event("resize"));
  }

  // The author's card: who reacted, asked again when its counts change.
  function askWho(card) {
    const id = card.dataset.id;
    const key = JSON.stringify(counts[id] || {});
    if (!live || !live.connected || (who[id] && who[id][0] === key)) return;
    who[id] = [key, null];
    if (!KINDS.some((k) => n(id, k))) return;
    Promise.all([import("./reactions_who.js"), live.request("reaction:who", { atelier_id: atelierId, contribution_id: Number(id) })])
      .then(([m, ack]) => { if (ack && ack.ok && who[id][0] === key) { who[id][1] = m.whoLines(ack, labels); decorate(card); } })
      .catch(() => { delete who[id]; });
  }

  async function tap(card, kind) {
    const id = card.dataset.id;
    const key = `${id}:${kind}`;
    if (busy.has(key)) return;
    if (!live || !live.connected) {
      status.textContent = tr("Hors ligne : votre réaction n’est pas envoyée. Réessayez au retour de la connexion.");
      return;
    }
    const set = mine[id] || (mine[id] = new Set());
    const on = !set.has(kind);
    const before = counts[id];
    // Optimistic: the button and its count change at once; the ack brings the truth.
    if (on) set.add(kind); else set.delete(kind);
    counts[id] = { ...before, [kind]: Math.max(0, n(id, kind) + (on ? 1 : -1)) };
    busy.add(key);
    decorate(card);
    let ack = null;
    try {
      ack = await live.request("reaction:set", {
        atelier_id: atelierId, contribution_id: Number(id), kind, on,
        client_id: crypto.randomUUID ? crypto.randomUUID().replace(/-/g, "") : `${Date.now()}${Math.random()}`.replace(".", ""),
      }, 10000);
    } catch { /* no answer: undone below */ }
    busy.delete(key);
    if (ack && ack.ok) {
      mine[id] = new Set(ack.mine || []);
      counts[id] = ack.counts;
      status.textContent = "";
    } else {
      if (on) set.delete(kind); else set.add(kind);
      counts[id] = before;
      status.textContent = (ack && ack.message) || tr("Pas de réponse du serveur : réessayez.");
    }
    decorate(card);
  }

  if (phone) {
    box.addEventListener("click", (event) => {
      const b = event.target.closest("button.reaction");
      const card = b && b.closest(".card[data-id]");
      if (card) tap(card, b.dataset.kind);
    });
  }
  // Cards re-rendered by CardList (an edit, a snapshot) lose their bar: put it back.
  new MutationObserver(() => {
    for (const card of box.querySelectorAll(":scope > .card[data-id]:not(:has(> .reactions))")) decorate(card);
  }).observe(box, { childList: true });

  const kindsOf = (list) => new Set((Array.isArray(list) ? list : []).filter((k) => KINDS.includes(k)));
  onAtelierLive((api, id) => {
    if (id !== atelierId) return;
    live = api;
    const mineFor = (msg) => msg && Number(msg.atelier_id) === atelierId;
    api.socket.on("atelier:snapshot", (snap) => {
      if (!snap || (snap.atelier && Number(snap.atelier.id) !== atelierId)) return;
      counts = snap.reactions || {};
      mine = {};
      for (const [card, kinds] of Object.entries(snap.my_reactions || {})) mine[card] = kindsOf(kinds);
      all();
    });
    api.socket.on("reaction:counts", (msg) => {
      if (!mineFor(msg)) return;
      const next = msg.counts || {};
      // Taps awaiting their ack keep their optimistic count until it comes.
      for (const key of busy) { const card = key.split(":")[0]; next[card] = counts[card]; }
      counts = next;
      all();
    });
    api.socket.on("reaction:mine", (msg) => {
      if (!mineFor(msg)) return;
      mine[String(msg.contribution_id)] = kindsOf(msg.mine);
      const card = cardOf(msg.contribution_id);
      if (card) decorate(card);
    });
  });
}

const root = document.getElementById("wall") || document.getElementById("projector");
const box = document.getElementById("cards");
if (root && box && (root.dataset.kind || "pratique") === "pratique") init(root, box);
