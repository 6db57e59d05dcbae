// Dot-voting (PROTOCOL.md, "Dot-voting"): the vote state every screen's view module draws
// (votes_phone.js, votes_projector.js, votes_console.js), kept from the page's socket.
// User text through textContent / setAttribute only.
import { onAtelierLive } from "./live.js";
import { el } from "./dom.js";
import { plural, tr } from "./i18n.js";

export function progressText(t) {
  return t.voted > 1
    ? tr("{voted} sur {eligible} ont voté", { voted: t.voted, eligible: t.eligible })
    : tr("{voted} sur {eligible} a voté", { voted: t.voted, eligible: t.eligible });
}

// English ordinals (1st, 2nd, 3rd, 4th …); French ones come from tr() (1ᵉʳ, 2ᵉ …).
const EN_ORDINAL = { one: "st", two: "nd", few: "rd", other: "th" };

export function rankText(r) {
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
export function votePhase(root) {
  const phase = root.dataset.phase || "";
  return phase === "" || VOTE_PHASES.has(phase);
}
/** Call `render` when the page's round phase changes (not on every countdown tick). */
export function onPhaseChange(root, render) {
  let last = root.dataset.phase || "";
  new MutationObserver(() => {
    const now = root.dataset.phase || "";
    if (now !== last) { last = now; render(); }
  }).observe(root, { attributes: true, attributeFilter: ["data-phase"] });
}

/** State shared by every view: the ballot, my dots, the tally, the participation. */
export class VoteState {
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

/** The revealed results (chart + ranked list) of the phone and the projector. */
export function resultsBlock(id) {
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

/** The vote of root's atelier, drawn by `view(live, state)` (returns its render function).
 *  onNewBallot(ballot, state, fetchState): true when it asked the server itself. */
export function attachVotes(root, view, { onNewBallot = null } = {}) {
  onAtelierLive((live, id) => {
    const atelierId = Number(id);
    if (Number(root.dataset.atelierId) !== atelierId) return;
    let render = null;
    const state = new VoteState(atelierId, () => { if (render) render(); });
    render = view(live, state);
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
        // A new ballot: a phone knows its fresh budget without asking (a whole room asking at
        // once is what we avoid); the console asks for its tally.
        state.tally = null;
        state.progress = null;
        if (onNewBallot && onNewBallot(msg.ballot, state, fetchState)) return;
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
  });
}
