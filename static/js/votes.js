// Dot-voting on the three atelier pages (see facilitation/realtime/PROTOCOL.md, "Dot-voting"):
//  - phone wall (#wall): dots left, one tap to add / one tap to remove a dot on each card,
//    the ranked results (server-rendered SVG) once revealed;
//  - projector (#projector): « X sur Y ont voté » while voting, the results chart once revealed;
//  - facilitator console (#console): open (with settings), close, reveal, scribe entries, live
//    tally and « X sur Y ont voté ».
// It shares the page's socket (live.js onAtelierLive) and only adds DOM next to what the page
// owns. User text goes through textContent / setAttribute only, never innerHTML.
import { onAtelierLive } from "./live.js";
import { el } from "./dom.js";
import { newClientId, outboxFor } from "./outbox.js";
import { tr } from "./i18n.js";

const STATUS_LABEL = { ouvert: tr("Vote ouvert"), clos: tr("Vote clos"), "révélé": tr("Résultats révélés") };

function plural(n, one, many) { return `${n} ${n > 1 ? many : one}`; }

function progressText(t) {
  return t.voted > 1
    ? tr("{voted} sur {eligible} ont voté", { voted: t.voted, eligible: t.eligible })
    : tr("{voted} sur {eligible} a voté", { voted: t.voted, eligible: t.eligible });
}

// English ordinals (1st, 2nd, 3rd, 4th …); French ones come from tr() (1ᵉʳ, 2ᵉ …).
const EN_ORDINAL = { one: "st", two: "nd", few: "rd", other: "th" };

function rankText(r) {
  let suffix = r.rank === 1 ? tr("ᵉʳ") : tr("ᵉ");
  if (document.documentElement.lang === "en" && typeof Intl !== "undefined" && Intl.PluralRules) {
    suffix = EN_ORDINAL[new Intl.PluralRules("en", { type: "ordinal" }).select(r.rank)] || suffix;
  }
  const tie = r.tied ? tr(" ex æquo") : "";
  return `${r.rank}${suffix}${tie}`;
}

// The round's phase (set on the page root as data-phase by wall_extras.js / projector_extras.js)
// decides what a phone or projector shows of the vote: nothing before « vote » (a ballot of an
// earlier vote, or one closed by going back to contributions, is not shown under a
// « contributions ouvertes » banner). The server keeps a ballot open only in « vote » and
// revealed in « résultats » (domain.rounds), so the banner and the ballot agree.
const VOTE_PHASES = new Set(["vote", "resultats", "clos"]);
function votePhase(root) {
  const phase = root.dataset.phase || "";
  return phase === "" || VOTE_PHASES.has(phase);
}
/** Call `render` when the page's round phase changes (not on every countdown tick). */
function onPhaseChange(root, render) {
  let last = root.dataset.phase || "";
  new MutationObserver(() => {
    const now = root.dataset.phase || "";
    if (now !== last) { last = now; render(); }
  }).observe(root, { attributes: true, attributeFilter: ["data-phase"] });
}

/** State shared by every view: the ballot, my dots, the tally, the participation. */
class VoteState {
  constructor(atelierId, render) {
    this.atelierId = atelierId;
    this.render = render;
    this.ballot = null;
    this.mine = null;
    this.tally = null;
    this.progress = null;
  }

  /** Is `ballot` at least as recent as the one shown? (States can arrive out of order: a
   *  snapshot read before a reveal may be delivered after it.) */
  isCurrent(ballot) {
    const shown = this.ballot;
    if (!shown) return true;
    if (!ballot) return false; // ballots are never deleted: "none" is an old state
    if (ballot.id !== shown.id) return ballot.id > shown.id;
    return Number(ballot.changed_us) >= Number(shown.changed_us);
  }

  apply(vote) {
    if (!vote || !this.isCurrent(vote.ballot || null)) return;
    this.ballot = vote.ballot || null;
    this.mine = vote.mine || null;
    this.tally = vote.tally || null;
    if (this.tally) this.progress = { voted: this.tally.voted, eligible: this.tally.eligible };
    this.render();
  }
}

// ---------------------------------------------------------------------------- phone
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
  // After the cards, sticky at the bottom of the screen: the round banner holds the top.
  cardsBox.after(bar);

  // desired: what the phone shows (optimistic); confirmed: what the server acknowledged.
  // Unacknowledged dots wait in the page's offline outbox (outbox.js, persisted): a dot set
  // while the phone is offline is sent, once, when the connection returns (issue 6).
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

// ---------------------------------------------------------------------------- results
function resultsBlock(id) {
  const node = el("section", "vote-results");
  node.id = id;
  node.hidden = true;
  node.setAttribute("aria-labelledby", `${id}-title`);
  const title = el("h2", "section__title vote-results__title", tr("Résultats du vote"));
  title.id = `${id}-title`;
  const progress = el("p", "vote-results__progress");
  const figure = el("figure", "vote-results__figure");
  const img = el("img", "vote-results__chart");
  img.alt = tr("Diagramme en barres des résultats (classement détaillé ci-dessous).");
  img.width = 960;
  img.decoding = "async";
  figure.append(img);
  const list = el("ol", "vote-results__list");
  node.append(title, progress, figure, list);
  let shownKey = "";
  return {
    node,
    show(state, url, extra = "", inPhase = true) {
      const t = state.tally;
      const revealed = Boolean(inPhase && state.ballot && state.ballot.status === "révélé" && t);
      node.hidden = !revealed;
      node.dataset.state = revealed ? "revealed" : "hidden";
      if (!revealed) return;
      progress.textContent = tr("{v} · {v2} au total", { v: progressText(t), v2: plural(t.dots_counted, tr("point"), tr("points")) });
      const key = JSON.stringify(t.results.map((r) => [r.contribution_id, r.dots]));
      if (key !== shownKey) {
        shownKey = key;
        img.src = `${url}?b=${t.ballot_id}&k=${encodeURIComponent(t.dots_counted)}-${t.results.length}${extra}`;
        list.replaceChildren(...t.results.map((r) => {
          const li = el("li", "vote-results__item");
          li.dataset.rank = String(r.rank);
          li.append(el("span", "vote-results__rank", rankText(r)), " ",
            el("span", "vote-results__titre", r.titre), " ",
            el("span", "vote-results__dots", plural(r.dots, tr("point"), tr("points"))));
          return li;
        }));
      }
    },
  };
}

// ---------------------------------------------------------------------------- projector
function projectorView(root, state) {
  const main = root.querySelector(".projector__main") || root;
  const progress = el("p", "vote-progress projector__vote-progress");
  progress.id = "vote-progress";
  progress.hidden = true;
  const results = resultsBlock("vote-results-projector");
  const head = main.querySelector(".projector__head");
  if (head) head.after(progress, results.node); else main.prepend(progress, results.node);
  const render = () => {
    const ballot = votePhase(root) ? state.ballot : null;
    root.dataset.vote = ballot ? ballot.status : "";
    progress.hidden = !(ballot && ballot.status !== "révélé" && state.progress);
    if (!progress.hidden) {
      const status = ballot.status === "ouvert" ? tr("Vote en cours") : tr("Vote clos");
      progress.textContent = `${status} · ${progressText(state.progress)}`;
    }
    results.show(state, `/api/ateliers/${state.atelierId}/resultats.svg`, "", votePhase(root));
  };
  onPhaseChange(root, render);
  return render;
}

// ---------------------------------------------------------------------------- console
function consoleView(panel, live, state) {
  const q = (sel) => panel.querySelector(sel);
  const status = q("#vote-panel-status");
  const progress = q("#vote-panel-progress");
  const error = q("#vote-panel-error");
  const openForm = q("#vote-open-form");
  const scribeForm = q("#vote-scribe-form");
  const scribeCard = q("#vote-scribe-card");
  const closeButton = q("#vote-close");
  const closeHint = q("#vote-close-hint");
  const revealButton = q("#vote-reveal");
  const table = q("#vote-tally");
  const chart = q("#vote-panel-chart");

  async function send(name, payload) {
    error.hidden = true;
    try {
      const ack = await live.request(name, { atelier_id: state.atelierId, ...payload });
      if (!ack || !ack.ok) throw ack;
      return ack;
    } catch (err) {
      // A refusal carries the server's message, in the page's language (e.g. no vote from
      // « préparation »); a timeout or a lost connection gets ours, not the library's English.
      const refused = err && err.ok === false && err.message;
      error.textContent = refused || tr("L’action n’a pas été confirmée : réessayez.");
      error.classList.add("flash--error"); // the panel's alert, the only place it is shown
      error.hidden = false;
      return null;
    }
  }

  openForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(openForm);
    const settings = {
      dots_per_participant: data.get("dots_per_participant"),
      max_per_card: data.get("max_per_card") || null,
      tallies_visible_live: data.get("tallies_visible_live") === "on",
      allow_own_card: data.get("allow_own_card") === "on",
    };
    const ack = await send("vote:open", { settings });
    if (ack) await refresh();
  });
  closeButton.addEventListener("click", async () => { if (await send("vote:close", {})) refresh(); });
  revealButton.addEventListener("click", async () => { if (await send("vote:reveal", {})) refresh(); });
  scribeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(scribeForm);
    const ack = await send("dot:scribe", {
      contribution_id: Number(data.get("contribution_id")),
      label: data.get("label"),
      count: Number(data.get("count")),
    });
    if (ack) {
      error.classList.remove("flash--error");
      error.hidden = false;
      error.textContent = tr("Enregistré : {v} pour « {v2} ».", { v: plural(ack.count, tr("point"), tr("points")), v2: data.get("label") });
    }
  });

  async function refresh() {
    const ack = await live.request("vote:state", { atelier_id: state.atelierId }).catch(() => null);
    if (ack && ack.ok) state.apply(ack);
  }

  return () => {
    const ballot = state.ballot;
    panel.dataset.vote = ballot ? ballot.status : "";
    const live = tr(", résultats visibles en direct");
    const dots = ballot ? plural(ballot.dots_per_participant, tr("point"), tr("points")) : "";
    status.textContent = ballot
      ? tr("{status} · {dots} par personne, {max_per_card} au plus par carte{live}", {
        status: STATUS_LABEL[ballot.status] || ballot.status,
        dots,
        max_per_card: ballot.max_per_card,
        live: ballot.tallies_visible_live ? live : "",
      })
      : tr("Aucun vote dans cet atelier.");
    openForm.hidden = Boolean(ballot && ballot.status === "ouvert");
    closeButton.hidden = !(ballot && ballot.status === "ouvert");
    closeHint.hidden = closeButton.hidden;
    revealButton.hidden = !(ballot && ballot.status !== "révélé");
    scribeForm.hidden = !(ballot && ballot.status !== "révélé");
    const t = state.tally;
    progress.textContent = t ? progressText(t) : "";
    const rows = t ? t.results : [];
    table.hidden = !rows.length;
    table.tBodies[0].replaceChildren(...rows.map((r) => {
      const row = document.createElement("tr");
      row.append(el("td", "", rankText(r)), el("td", "", r.titre), el("td", "", r.dots),
        el("td", "", r.scribe_dots));
      return row;
    }));
    const current = scribeCard.value;
    scribeCard.replaceChildren(...rows.map((r) => {
      const option = el("option", "", r.titre);
      option.value = String(r.contribution_id);
      return option;
    }));
    if (current) scribeCard.value = current;
    chart.hidden = !(ballot && t);
    if (!chart.hidden) chart.src = `/api/ateliers/${state.atelierId}/resultats.svg?b=${t.ballot_id}&k=${t.dots_counted}`;
  };
}

// ---------------------------------------------------------------------------- wiring
function attach(live, atelierId) {
  const wall = document.getElementById("wall");
  const projector = document.getElementById("projector");
  const panel = document.getElementById("vote-panel");
  const state = new VoteState(atelierId, () => renderers.forEach((r) => r()));
  const renderers = [];
  if (wall && Number(wall.dataset.atelierId) === atelierId) renderers.push(phoneView(wall, live, state));
  if (projector && Number(projector.dataset.atelierId) === atelierId) renderers.push(projectorView(projector, state));
  if (panel && Number(panel.dataset.atelierId) === atelierId) renderers.push(consoleView(panel, live, state));
  if (!renderers.length) return;

  const socket = live.socket;
  const mine = (msg) => msg && Number(msg.atelier_id) === atelierId;
  async function fetchState() {
    try {
      const ack = await live.request("vote:state", { atelier_id: atelierId });
      if (ack && ack.ok) state.apply(ack);
    } catch { /* the next (re)connection asks again */ }
  }
  socket.on("atelier:snapshot", (snap) => {
    if (snap && snap.atelier && Number(snap.atelier.id) === atelierId && snap.vote) state.apply(snap.vote);
  });
  socket.on("vote:changed", (msg) => {
    if (!mine(msg) || !state.isCurrent(msg.ballot)) return;
    const before = state.ballot ? state.ballot.id : null;
    state.ballot = msg.ballot;
    if (msg.ballot && msg.ballot.id !== before) {
      // A new ballot: a fresh budget for every phone, known without asking the server (a
      // whole room asking at once is what we avoid); the console asks for its tally.
      state.tally = null;
      state.progress = null;
      if (wall) {
        const n = msg.ballot.dots_per_participant;
        state.mine = { ballot_id: msg.ballot.id, dots: {}, used: 0, budget: n, dots_left: n };
      }
      if (panel) { fetchState(); return; }
    }
    state.render(); // a reveal's tally follows in vote:tally
  });
  socket.on("vote:tally", (msg) => {
    if (!mine(msg) || (state.ballot && msg.ballot_id < state.ballot.id)) return;
    state.tally = msg;
    state.progress = { voted: msg.voted, eligible: msg.eligible };
    state.render();
  });
  socket.on("vote:progress", (msg) => {
    if (!mine(msg)) return;
    state.progress = { voted: msg.voted, eligible: msg.eligible };
    state.render();
  });
  // Every (re)connection: the rooms of this socket are new, subscribe and resync.
  socket.on("connect", fetchState);
  if (socket.connected) fetchState();
}

onAtelierLive((live, atelierId) => attach(live, Number(atelierId)));
