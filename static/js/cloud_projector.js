// « En un mot » on the projector (issue 19): while a cloud is open, the question and the
// cloud fill the main column, growing as the coalesced tallies arrive. Deterministic layout
// (cloud_layout.js); words via textContent.
import { onAtelierLive } from "./live.js";
import { el } from "./dom.js";
import { plural, tr } from "./i18n.js";
import { drawCloud } from "./cloud_layout.js";
import { followCloud } from "./cloud_state.js";

const SVG = "http://www.w3.org/2000/svg";

function projectorCloud(root, live, atelierId) {
  const main = root.querySelector(".projector__main");
  const head = root.querySelector(".projector__head");
  const section = el("section", "projector-cloud");
  section.id = "projector-cloud";
  section.hidden = true;
  section.setAttribute("aria-labelledby", "projector-cloud-question");
  const kicker = el("p", "projector-cloud__kicker", tr("En un mot"));
  const question = el("h2", "projector-cloud__question");
  question.id = "projector-cloud-question";
  const meta = el("p", "projector-cloud__meta");
  meta.setAttribute("aria-live", "polite");
  const stage = el("div", "projector-cloud__stage");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "projector-cloud__svg");
  svg.setAttribute("role", "img");
  const empty = el("p", "projector-cloud__empty", tr("Les mots envoyés depuis les téléphones s’affichent ici."));
  stage.append(svg, empty);
  section.append(kicker, question, meta, stage);
  head.after(section);

  let shownKeys = new Set();
  let last = null;
  function draw(state) {
    last = state;
    const open = Boolean(state.cloud && state.cloud.status === "ouvert");
    root.dataset.cloud = open ? "ouvert" : "";
    section.hidden = !open;
    if (!open) { shownKeys = new Set(); return; }
    question.textContent = state.cloud.question;
    const words = (state.tally && state.tally.words) || [];
    const phones = (state.tally && state.tally.phones) || 0;
    // Outside the tr() call: the extractor does not see a tr() nested in another's arguments.
    const answered = plural(phones, tr("téléphone a répondu"), tr("téléphones ont répondu"));
    const most = plural(state.cloud.max_words, tr("mot"), tr("mots"));
    meta.textContent = tr("{phones} · jusqu’à {n} par téléphone", { phones: answered, n: most });
    empty.hidden = words.length > 0;
    const box = stage.getBoundingClientRect();
    const width = Math.max(320, Math.round(box.width));
    const height = Math.max(200, Math.round(box.height));
    const fresh = new Set(words.map((w) => w.key).filter((k) => !shownKeys.has(k)));
    // Sizes for a room read from 10 m: the smallest word stays above 34 px at 1080p, and
    // while there are few words none is tiny (the cloud grows, then spreads its sizes).
    const maxSize = Math.round(height / 4.5);
    const share = words.length <= 8 ? 0.45 : words.length <= 20 ? 0.3 : 0.2;
    const placed = drawCloud(svg, words, {
      width, height, maxSize, minSize: Math.max(34, Math.round(maxSize * share)),
      highlight: shownKeys.size ? fresh : new Set(),
    });
    svg.setAttribute("aria-label", placed.map((p) => `${p.label} (${p.count})`).join(", "));
    shownKeys = new Set(words.map((w) => w.key));
    section.dataset.words = String(placed.length);
  }
  followCloud(live, atelierId, draw);
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (last) draw(last); }, 200);
  });
}

const root = document.getElementById("projector");
if (root) {
  onAtelierLive((live, id) => {
    if (Number(root.dataset.atelierId) === Number(id)) projectorCloud(root, live, Number(id));
  });
}
