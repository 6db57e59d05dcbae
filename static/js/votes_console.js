// Dot-voting panel of the facilitator console (#vote-panel): open (with settings), close,
// reveal, scribe entries, live tally and « X sur Y ont voté ». Beside console.js, on its
// connection. User text via textContent only.
import { el } from "./dom.js";
import { plural, tr } from "./i18n.js";
import { attachVotes, progressText, rankText } from "./votes_state.js";

const STATUS_LABEL = { ouvert: tr("Vote ouvert"), clos: tr("Vote clos"), "révélé": tr("Résultats révélés") };

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

const panel = document.getElementById("vote-panel");
if (panel) {
  attachVotes(panel, (live, state) => consoleView(panel, live, state), {
    // The console asks for its tally (settings, scribe entries) rather than guess it.
    onNewBallot(ballot, state, fetchState) { fetchState(); return true; },
  });
}
