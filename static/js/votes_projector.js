// Dot-voting on the projector (#projector): « X sur Y ont voté » while voting, the results
// chart once revealed. Beside projector.js, on its connection. User text via textContent only.
import { el } from "./dom.js";
import { tr } from "./i18n.js";
import { attachVotes, onPhaseChange, progressText, resultsBlock, votePhase } from "./votes_state.js";

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

const root = document.getElementById("projector");
if (root) attachVotes(root, (live, state) => projectorView(root, state));
