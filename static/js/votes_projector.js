// Dot-voting on the projector (#projector): while voting, « 12 sur 20 ont voté » in large type
// with a bar filling up; once revealed, the ranking takes the whole main area with full titles
// (they wrap, never cut) and a bar each, paged when it is longer than the screen (issue 16).
// Beside projector.js, on its connection. User text via textContent only.
import { el } from "./dom.js";
import { tr } from "./i18n.js";
import { attachVotes, onPhaseChange, progressText, resultsBlock, votePhase } from "./votes_state.js";
import { Pager } from "./projector_pager.js";

function projectorView(root, state) {
  const main = root.querySelector(".projector__main") || root;
  const progress = el("div", "vote-progress projector__vote-progress");
  progress.id = "vote-progress";
  progress.hidden = true;
  const status = el("p", "projector__vote-status");
  const count = el("p", "projector__vote-count");
  const bar = el("div", "projector__meter");
  bar.setAttribute("aria-hidden", "true");
  const fill = el("span", "projector__meter-fill");
  bar.append(fill);
  progress.append(status, count, bar);
  const results = resultsBlock("vote-results-projector");
  results.node.classList.add("projector__results");
  const list = results.node.querySelector(".vote-results__list");
  // The ranking's own box and page line: the list is paged inside it, like the cards.
  const stage = el("div", "projector__results-stage");
  list.replaceWith(stage);
  stage.append(list);
  const pagerLine = el("p", "projector__pager");
  pagerLine.hidden = true;
  const pageLabel = el("span", "projector__page");
  pagerLine.append(pageLabel);
  results.node.append(pagerLine);
  const pager = new Pager({
    stage, list, root, indicator: pagerLine, label: pageLabel,
    items: () => [...list.querySelectorAll(":scope > .vote-results__item")],
  });
  const head = main.querySelector(".projector__head");
  if (head) head.after(progress, results.node); else main.prepend(progress, results.node);

  const render = () => {
    const ballot = votePhase(root) ? state.ballot : null;
    root.dataset.vote = ballot ? ballot.status : "";
    progress.hidden = !(ballot && ballot.status !== "révélé" && state.progress);
    if (!progress.hidden) {
      status.textContent = ballot.status === "ouvert" ? tr("Vote en cours") : tr("Vote clos");
      count.textContent = progressText(state.progress);
      const { voted, eligible } = state.progress;
      const share = eligible > 0 ? Math.min(1, voted / eligible) : 0;
      fill.style.width = `${Math.round(share * 100)}%`;
    }
    results.show(state, `/api/ateliers/${state.atelierId}/resultats.svg`, "", votePhase(root));
    if (!results.node.hidden && state.tally) {
      // A bar per line, from the tally (the list itself is the shared resultsBlock's).
      const top = Math.max(1, ...state.tally.results.map((r) => r.dots));
      const items = list.querySelectorAll(":scope > .vote-results__item");
      state.tally.results.forEach((r, i) => {
        const item = items[i];
        if (!item) return;
        let meter = item.querySelector(":scope > .vote-results__bar");
        if (!meter) {
          meter = el("span", "vote-results__bar");
          meter.setAttribute("aria-hidden", "true");
          meter.append(el("span", "vote-results__bar-fill"));
          item.append(meter);
        }
        meter.firstChild.style.width = `${Math.round((100 * r.dots) / top)}%`;
      });
      pager.refresh();
    }
  };
  onPhaseChange(root, render);
  return render;
}

const root = document.getElementById("projector");
if (root) attachVotes(root, (live, state) => projectorView(root, state));
