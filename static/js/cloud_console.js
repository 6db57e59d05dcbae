// « En un mot » panel of the facilitator console (#cloud-panel, issue 19): open a question
// with N words per phone, close it, watch the words arrive (a preview of the projector's
// cloud and the list with counts), hide a word or show it again. Beside console.js, on its
// connection. Words via textContent only.
import { onAtelierLive } from "./live.js";
import { el } from "./dom.js";
import { plural, tr } from "./i18n.js";
import { drawCloud } from "./cloud_layout.js";
import { followCloud } from "./cloud_state.js";

const SVG = "http://www.w3.org/2000/svg";

function consoleCloud(panel, live, atelierId) {
  const q = (sel) => panel.querySelector(sel);
  const status = q("#cloud-panel-status");
  const error = q("#cloud-panel-error");
  const form = q("#cloud-open-form");
  const openButton = q("#cloud-open");
  const closeButton = q("#cloud-close");
  const preview = q("#cloud-preview");
  const wordsTitle = q("#cloud-words-title");
  const list = q("#cloud-words");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "cloud-panel__svg");
  svg.setAttribute("aria-hidden", "true"); // the list below says the same, with the controls
  preview.append(svg);
  let state = { cloud: null, tally: null };

  async function send(name, payload) {
    error.hidden = true;
    try {
      const ack = await live.request(name, { atelier_id: atelierId, ...payload });
      if (!ack || !ack.ok) throw ack;
      return ack;
    } catch (err) {
      const refused = err && err.ok === false && (Object.values(err.errors || {})[0] || err.message);
      error.textContent = refused || tr("L’action n’a pas été confirmée : réessayez.");
      error.hidden = false;
      return null;
    }
  }

  function render(next = state) {
    state = next;
    const cloud = state.cloud;
    const open = Boolean(cloud && cloud.status === "ouvert");
    panel.dataset.cloud = cloud ? cloud.status : "";
    const words = (state.tally && state.tally.words) || [];
    const phones = (state.tally && state.tally.phones) || 0;
    if (!cloud) status.textContent = tr("Aucun nuage pour l’instant.");
    else {
      const values = {
        q: cloud.question,
        phones: plural(phones, tr("téléphone"), tr("téléphones")),
        n: plural(cloud.max_words, tr("mot"), tr("mots")),
      };
      status.textContent = open
        ? tr("Nuage ouvert : « {q} » — {phones}, {n} au plus par téléphone", values)
        : tr("Nuage clos : « {q} » — {phones}, {n} au plus par téléphone", values);
    }
    closeButton.hidden = !open;
    openButton.textContent = open ? tr("Ouvrir un nouveau nuage (clôt celui-ci)") : tr("Ouvrir le nuage");
    const shown = words.filter((w) => !w.hidden);
    preview.hidden = !shown.length;
    if (shown.length) drawCloud(svg, shown, { width: 960, height: 400, maxSize: 72, minSize: 16 });
    wordsTitle.hidden = !words.length;
    list.replaceChildren(...words.map((w) => {
      const li = el("li", `cloud-panel__word${w.hidden ? " cloud-panel__word--hidden" : ""}`);
      li.dataset.key = w.key;
      const label = el("span", "cloud-panel__label", w.label);
      const count = el("span", "cloud-panel__count", plural(w.count, tr("téléphone"), tr("téléphones")));
      const toggle = el("button", "button button--secondary button--small", w.hidden ? tr("Afficher") : tr("Masquer"));
      toggle.type = "button";
      toggle.setAttribute("aria-label", w.hidden ? tr("Afficher « {w} »", { w: w.label }) : tr("Masquer « {w} »", { w: w.label }));
      toggle.addEventListener("click", async () => {
        toggle.disabled = true;
        const ack = await send("cloud:hide", { cloud_id: cloud.id, key: w.key, hidden: !w.hidden });
        toggle.disabled = false;
        if (ack) { state.tally = ack.tally; render(); }
      });
      li.append(label, " ", count, " ", toggle);
      return li;
    }));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ack = await send("cloud:open", {
      question: form.elements.namedItem("question").value,
      max_words: form.elements.namedItem("max_words").value,
    });
    if (ack) render({ cloud: ack.cloud, tally: ack.tally ? { ...ack.tally, moderation: true } : null });
  });
  closeButton.addEventListener("click", async () => {
    if (!state.cloud) return;
    const ack = await send("cloud:close", { cloud_id: state.cloud.id });
    if (ack) render({ cloud: ack.cloud, tally: ack.tally });
  });

  followCloud(live, atelierId, render, { console: true });
  render();
}

const panel = document.getElementById("cloud-panel");
if (panel) {
  onAtelierLive((live, id) => {
    if (Number(panel.dataset.atelierId) === Number(id)) consoleCloud(panel, live, Number(id));
  });
}
