// « Moi aussi » on the morning pratiques (PROTOCOL.md, « Réactions aux pratiques »), beside
// wall.js and projector.js. Phones: two compact buttons per card, « Nous aussi » and « Ça
// m'intéresse », with their counts; aria-pressed says one's own state. Each tap sets the
// wanted state (on / off, never a toggle): a retry cannot flip it back. The author's own
// card shows the counts and who reacted (visible profiles only, the others counted).
// Projector: the counts only. User text via textContent only.
import { onAtelierLive } from "./live.js";
import { el } from "./dom.js";
import { tr } from "./i18n.js";

const KINDS = ["nous_aussi", "interesse"];
const LABEL = { nous_aussi: () => tr("Nous aussi"), interesse: () => tr("Ça m’intéresse") };

function init(root, cardsBox) {
  const me = root.dataset.participantId || "";
  const phone = root.id === "wall" && Boolean(me);
  let counts = {}; // card id -> {nous_aussi, interesse}
  let mine = {}; // card id -> Set of kinds (this phone's)
  const busy = new Set(); // "id:kind" waiting for the server
  const who = {}; // own card id -> reaction:who answer
  const whoAsked = {}; // own card id -> the counts it was asked at
  let live = null;

  const status = el("p", "reactions-status");
  status.id = "reactions-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  cardsBox.before(status);

  const countOf = (id, kind) => Number((counts[id] || {})[kind] || 0);
  const isMine = (card) => me && card.dataset.authorId === me;

  function whoText(id, kind) {
    const entry = who[id] && who[id].reactions && who[id].reactions[kind];
    if (!entry || !entry.count) return "";
    const names = entry.people.map((p) => (p.structure ? `${p.display_name} (${p.structure})` : p.display_name));
    const others = entry.others
      ? (entry.others > 1 ? tr("et {n} autres", { n: entry.others }) : tr("et 1 autre"))
      : "";
    // The count is on the badge beside it: here who, « Inès (CCAS de Chatou), … et 2 autres ».
    const list = names.length ? [names.join(", "), others].filter(Boolean).join(" ")
      : (entry.count > 1 ? tr("{n} personnes sans profil visible", { n: entry.count }) : tr("1 personne sans profil visible"));
    return `${LABEL[kind]()} : ${list}`;
  }

  function decorate(card) {
    const id = card.dataset.id;
    if (!id || card.classList.contains("card--pending") || !card.classList.contains("card--pratique")) return;
    let box = card.querySelector(":scope > .reactions");
    const interactive = phone && !isMine(card);
    const total = KINDS.reduce((n, k) => n + countOf(id, k), 0);
    if (!interactive && !total) { if (box) box.remove(); return; }
    if (!box) {
      box = el("div", "reactions");
      card.append(box);
    }
    const titre = (card.querySelector(".card__title") || {}).textContent || "";
    const nodes = [];
    for (const kind of KINDS) {
      const n = countOf(id, kind);
      if (interactive) {
        const on = Boolean(mine[id] && mine[id].has(kind));
        const b = el("button", `reaction reaction--${kind}`);
        b.type = "button";
        b.dataset.kind = kind;
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.setAttribute("aria-label", tr("{label} : « {titre} » ({n})", { label: LABEL[kind](), titre, n }));
        if (busy.has(`${id}:${kind}`)) b.setAttribute("aria-busy", "true");
        b.append(el("span", "reaction__label", LABEL[kind]()), el("span", "reaction__count", String(n)));
        nodes.push(b);
      } else if (n) {
        const s = el("span", `reaction reaction--static reaction--${kind}`);
        s.append(el("span", "reaction__label", LABEL[kind]()), el("span", "reaction__count", String(n)));
        nodes.push(s);
      }
    }
    if (isMine(card)) {
      for (const kind of KINDS) {
        const text = whoText(id, kind);
        if (text) nodes.push(el("p", "reactions__who", text));
      }
    }
    box.replaceChildren(...nodes);
  }

  function decorateAll() {
    for (const card of cardsBox.querySelectorAll(":scope > .card[data-id]")) decorate(card);
    if (phone) askWho();
  }

  // The author's own cards: who reacted, asked again when their counts change.
  function askWho() {
    if (!live || !live.connected) return;
    for (const card of cardsBox.querySelectorAll(":scope > .card[data-id]")) {
      if (!isMine(card)) continue;
      const id = card.dataset.id;
      const key = JSON.stringify(counts[id] || {});
      if (whoAsked[id] === key) continue;
      whoAsked[id] = key;
      if (!KINDS.some((k) => countOf(id, k))) { delete who[id]; continue; }
      live.request("reaction:who", { atelier_id: Number(root.dataset.atelierId), contribution_id: Number(id) })
        .then((ack) => { if (ack && ack.ok) { who[id] = ack; decorate(card); } })
        .catch(() => { delete whoAsked[id]; });
    }
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
    // Optimistic: the button and its count change at once; the ack brings the truth.
    const before = { on: set.has(kind), counts: { ...(counts[id] || {}) } };
    if (on) set.add(kind); else set.delete(kind);
    counts[id] = { ...(counts[id] || {}), [kind]: Math.max(0, countOf(id, kind) + (on ? 1 : -1)) };
    busy.add(key);
    decorate(card);
    const payload = {
      atelier_id: Number(root.dataset.atelierId),
      contribution_id: Number(id),
      kind,
      on,
      client_id: (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/-/g, ""),
    };
    try {
      const ack = await live.request("reaction:set", payload, 10000);
      if (ack && ack.ok) {
        mine[id] = new Set(ack.mine || []);
        counts[id] = ack.counts || counts[id];
        status.textContent = "";
      } else {
        if (before.on) set.add(kind); else set.delete(kind);
        counts[id] = before.counts;
        status.textContent = (ack && ack.message) || tr("Action refusée.");
      }
    } catch {
      if (before.on) set.add(kind); else set.delete(kind);
      counts[id] = before.counts;
      status.textContent = tr("Pas de réponse du serveur : réessayez.");
    } finally {
      busy.delete(key);
      decorate(card);
    }
  }

  if (phone) {
    cardsBox.addEventListener("click", (event) => {
      const button = event.target.closest("button.reaction");
      const card = button && button.closest(".card[data-id]");
      if (card) tap(card, button.dataset.kind);
    });
  }

  // Cards re-rendered by CardList (an edit, a snapshot) lose their buttons: put them back.
  new MutationObserver(() => {
    for (const card of cardsBox.querySelectorAll(":scope > .card[data-id]")) {
      if (!card.querySelector(":scope > .reactions")) decorate(card);
    }
  }).observe(cardsBox, { childList: true });

  onAtelierLive((api, atelierId) => {
    if (atelierId !== Number(root.dataset.atelierId)) return;
    live = api;
    const mineOf = (list) => new Set(Array.isArray(list) ? list.filter((k) => KINDS.includes(k)) : []);
    api.socket.on("atelier:snapshot", (snap) => {
      if (!snap || (snap.atelier && Number(snap.atelier.id) !== atelierId)) return;
      counts = snap.reactions || {};
      mine = {};
      for (const [id, kinds] of Object.entries(snap.my_reactions || {})) mine[id] = mineOf(kinds);
      decorateAll();
    });
    api.socket.on("reaction:counts", (msg) => {
      if (!msg || Number(msg.atelier_id) !== atelierId) return;
      // Taps still waiting for their ack keep their optimistic count until it comes.
      const next = msg.counts || {};
      for (const key of busy) { const [id] = key.split(":"); if (counts[id]) next[id] = counts[id]; }
      counts = next;
      decorateAll();
    });
    api.socket.on("reaction:mine", (msg) => {
      if (!msg || Number(msg.atelier_id) !== atelierId) return;
      mine[String(msg.contribution_id)] = mineOf(msg.mine);
      const card = cardsBox.querySelector(`.card[data-id="${CSS.escape(String(msg.contribution_id))}"]`);
      if (card) decorate(card);
    });
  });
}

const root = document.getElementById("wall") || document.getElementById("projector");
const cardsBox = document.getElementById("cards");
if (root && cardsBox && (root.dataset.kind || "pratique") === "pratique") init(root, cardsBox);
