// Dot-voting on the phone (#wall, beside wall.js): dots left, one tap to add or remove a dot
// on a card, the ranked results once revealed.
import { el } from "./dom.js";
import { plural, tr } from "./i18n.js";
import { newClientId, outboxFor } from "./outbox.js";
import { attachVotes, onPhaseChange, resultsBlock, votePhase } from "./votes_state.js";

function phoneView(root, live, state) {
  const cardsBox = document.getElementById("cards");
  const section = cardsBox ? cardsBox.closest("section") : root;
  const bar = el("div", "vote-bar");
  bar.id = "vote-bar";
  bar.hidden = true;
  const status = el("p", "vote-bar__status");
  status.id = "vote-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const left = el("p", "vote-bar__left");
  left.id = "dots-left";
  const message = el("p", "vote-bar__message");
  message.id = "vote-message";
  message.setAttribute("role", "alert");
  bar.append(status, left, message);
  const results = resultsBlock("vote-results-phone");
  section.parentNode.insertBefore(results.node, section);
  // At the head of the ballot (the first screen while voting), sticky while scrolling it.
  (section.querySelector(".section__title") || cardsBox).after(bar);

  // desired: what the phone shows (optimistic); confirmed: what the server acknowledged.
  // Unacknowledged dots wait in the page's offline outbox (outbox.js, persisted): a dot set
  // while the phone is offline is sent, once, when the connection returns.
  let desired = new Map();
  let confirmed = new Map();
  const outbox = outboxFor(live, root);

  function budget() { return state.ballot ? state.ballot.dots_per_participant : 0; }
  function used() { let n = 0; for (const v of desired.values()) n += v; return n; }
  function open() {
    return Boolean(state.ballot && state.ballot.status === "ouvert" && state.mine && votePhase(root));
  }

  function syncFromServer() {
    const dots = (state.mine && state.mine.dots) || {};
    confirmed = new Map(Object.entries(dots).map(([k, v]) => [k, Number(v)]));
    desired = new Map(confirmed);
    const ballotId = state.ballot ? state.ballot.id : null;
    // Dots of another ballot (closed while the phone was away) are not carried over.
    if (ballotId !== null) outbox.drop((i) => i.type === "dot" && i.meta.ballot_id !== ballotId);
    for (const item of outbox.pending("dot")) desired.set(String(item.payload.contribution_id), item.payload.count);
  }

  function decorate(card) {
    const id = card.dataset.id;
    let box = card.querySelector(":scope > .vote-controls");
    if (!open()) { if (box) box.remove(); return; }
    const titre = (card.querySelector(".card__title") || {}).textContent || tr("cette carte");
    if (!box) {
      box = el("div", "vote-controls");
      const minus = el("button", "vote-controls__button vote-controls__minus", "−");
      minus.type = "button";
      minus.dataset.voteAction = "remove";
      const count = el("span", "vote-controls__count");
      count.setAttribute("aria-live", "polite");
      const plus = el("button", "vote-controls__button vote-controls__plus", "+");
      plus.type = "button";
      plus.dataset.voteAction = "add";
      box.append(minus, count, plus);
      card.append(box);
    }
    const n = desired.get(id) || 0;
    const max = state.ballot.max_per_card;
    const [minus, count, plus] = box.children;
    minus.setAttribute("aria-label", tr("Retirer un point à « {titre} »", { titre }));
    plus.setAttribute("aria-label", tr("Ajouter un point à « {titre} »", { titre }));
    minus.disabled = n <= 0;
    plus.disabled = n >= max || used() >= budget();
    count.textContent = n ? plural(n, tr("point"), tr("points")) : tr("0 point");
    card.dataset.myDots = String(n);
  }

  function renderPhone() {
    syncFromServer();
    const ballot = votePhase(root) ? state.ballot : null;
    bar.hidden = !ballot || ballot.status === "révélé";
    root.dataset.vote = ballot ? ballot.status : "";
    if (ballot) {
      status.textContent = ballot.status === "ouvert"
        ? tr("Vote en cours : placez vos points sur les cartes.")
        : tr("Le vote est clos : les résultats seront bientôt révélés.");
    }
    left.hidden = !open();
    left.textContent = open()
      ? tr("Il vous reste {v} sur {v2}.", { v: plural(budget() - used(), tr("point"), tr("points")), v2: budget() })
      : "";
    for (const card of cardsBox.querySelectorAll(":scope > .card[data-id]")) decorate(card);
    results.show(state, `/api/ateliers/${state.atelierId}/resultats.svg`, "&w=narrow", votePhase(root));
  }
  onPhaseChange(root, () => renderPhone());

  function refreshCounts() {
    left.textContent = tr("Il vous reste {v} sur {v2}.", { v: plural(budget() - used(), tr("point"), tr("points")), v2: budget() });
    for (const card of cardsBox.querySelectorAll(":scope > .card[data-id]")) decorate(card);
  }

  function waitingFor(id) {
    return outbox.pending("dot").some((i) => String(i.payload.contribution_id) === id);
  }

  outbox.on("dot", {
    ack(item, ack) {
      const id = String(item.payload.contribution_id);
      if (ack.mine) state.mine = ack.mine;
      confirmed.set(id, ack.count);
      if (!outbox.pending("dot").length) message.textContent = "";
      refreshCounts();
    },
    refused(item, ack) {
      // Refused (budget, closed …): the server's numbers win.
      const id = String(item.payload.contribution_id);
      message.textContent = (ack && ack.message) || tr("Point non enregistré.");
      if (ack && ack.count !== undefined) confirmed.set(id, ack.count);
      if (!waitingFor(id)) desired.set(id, confirmed.get(id) || 0);
      refreshCounts();
    },
    stalled() {
      message.textContent = tr("Point en attente d’envoi : il partira dès le retour de la connexion.");
    },
  });

  function queueDot(id, count) {
    outbox.set("dot", "dot:set", {
      client_id: newClientId(), atelier_id: state.atelierId, contribution_id: Number(id), count,
    }, (i) => String(i.payload.contribution_id) === id, { ballot_id: state.ballot.id });
    if (!live.connected) message.textContent = tr("Hors ligne : point en attente d’envoi, il partira au retour de la connexion.");
  }

  cardsBox.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-vote-action]");
    if (!button || !open()) return;
    const id = button.closest(".card[data-id]").dataset.id;
    const n = desired.get(id) || 0;
    if (button.dataset.voteAction === "add") {
      if (n >= state.ballot.max_per_card || used() >= budget()) return;
      desired.set(id, n + 1);
    } else if (n > 0) {
      desired.set(id, n - 1);
    } else {
      return;
    }
    refreshCounts();
    queueDot(id, desired.get(id));
  });
  // Cards are re-rendered by cards.js: put the buttons back on new nodes.
  new MutationObserver(() => {
    for (const card of cardsBox.querySelectorAll(":scope > .card[data-id]")) {
      if (!card.querySelector(":scope > .vote-controls") && open()) decorate(card);
    }
  }).observe(cardsBox, { childList: true });

  live.socket.on("vote:mine", (msg) => {
    if (!msg || Number(msg.atelier_id) !== state.atelierId) return;
    state.mine = msg;
    renderPhone();
  });
  return renderPhone;
}

const root = document.getElementById("wall");
if (root) {
  attachVotes(root, (live, state) => phoneView(root, live, state), {
    onNewBallot(ballot, state) {
      const n = ballot.dots_per_participant;
      state.mine = { ballot_id: ballot.id, dots: {}, used: 0, budget: n, dots_left: n };
    },
  });
}
