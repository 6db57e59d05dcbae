// « En un mot » on the phone (issue 19), loaded by wall.js only while a cloud is open (the
// wall's first-load budget): the question, a field for one word or short phrase at a time,
// the words already sent (« en attente » while in the offline outbox) and the room's most
// cited words. Sends go through the page's outbox (outbox.js): one client id per word, so a
// resend after a lost answer stores nothing twice. Words via textContent only.
import { el } from "./dom.js";
import { plural, tr } from "./i18n.js";
import { newClientId, outboxFor } from "./outbox.js";
import { followCloud } from "./cloud_state.js";

const TOP = 8;
const MAX_LENGTH = 40;

export function attachCloud(root, live, first) {
  const atelierId = Number(root.dataset.atelierId);
  const outbox = outboxFor(live, root);

  const section = el("section", "section wall-cloud");
  section.id = "wall-cloud";
  section.hidden = true;
  section.setAttribute("aria-labelledby", "wall-cloud-title");
  const title = el("h2", "section__title wall-cloud__title", tr("En un mot"));
  title.id = "wall-cloud-title";
  const question = el("p", "wall-cloud__question");
  question.id = "wall-cloud-question";
  const form = el("form", "form wall-cloud__form");
  form.id = "cloud-form";
  form.noValidate = true;
  const label = el("label", "field__label", tr("Un mot ou une courte expression"));
  label.htmlFor = "cloud-word";
  const left = el("p", "field__hint wall-cloud__left");
  left.id = "cloud-left";
  const row = el("div", "wall-cloud__row");
  const input = el("input", "field__input wall-cloud__input");
  input.id = "cloud-word";
  input.name = "text";
  input.maxLength = MAX_LENGTH;
  input.autocomplete = "off";
  input.enterKeyHint = "send";
  input.setAttribute("aria-describedby", "cloud-left cloud-error");
  const submit = el("button", "button wall-cloud__send", tr("Envoyer"));
  submit.type = "submit";
  submit.id = "cloud-send";
  row.append(input, submit);
  const error = el("p", "field__error wall-cloud__error");
  error.id = "cloud-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  const status = el("p", "form-status wall-cloud__status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  form.append(label, left, row, error, status);
  const mineTitle = el("h3", "wall-cloud__subtitle", tr("Vos mots"));
  const mineList = el("ul", "wall-cloud__mine");
  mineList.id = "cloud-mine";
  const roomTitle = el("h3", "wall-cloud__subtitle", tr("Les plus cités dans la salle"));
  const roomList = el("ol", "wall-cloud__top");
  roomList.id = "cloud-top";
  section.append(title, question, form, mineTitle, mineList, roomTitle, roomList);
  const head = root.querySelector(".wall-head");
  (head || root.firstElementChild).after(section);

  let state = { cloud: null, tally: null, mine: [] };

  function pending() {
    return state.cloud ? outbox.pending("cloud").filter((i) => i.meta.cloud_id === state.cloud.id) : [];
  }

  function render(next = state) {
    state = next;
    const cloud = state.cloud && state.cloud.status === "ouvert" ? state.cloud : null;
    root.dataset.cloud = cloud ? "ouvert" : "";
    section.hidden = !cloud;
    if (!cloud) return;
    // Words of a cloud closed while the phone was away are not sent to the next one.
    outbox.drop((i) => i.type === "cloud" && i.meta.cloud_id !== cloud.id);
    question.textContent = cloud.question;
    const waiting = pending();
    const sent = new Set(state.mine.map((w) => w.client_id));
    const items = [
      ...state.mine.map((w) => el("li", "wall-cloud__word", w.text)),
      ...waiting.filter((i) => !sent.has(i.id)).map((i) => {
        const li = el("li", "wall-cloud__word wall-cloud__word--pending", i.payload.text);
        li.append(" ", el("span", "wall-cloud__pending", tr("(en attente d’envoi)")));
        return li;
      }),
    ];
    mineList.replaceChildren(...items);
    mineTitle.hidden = !items.length;
    const remaining = Math.max(0, cloud.max_words - items.length);
    left.textContent = remaining
      ? tr("Encore {n} sur {max}, un à la fois (40 caractères au plus).", {
        n: plural(remaining, tr("mot"), tr("mots")), max: cloud.max_words,
      })
      : (cloud.max_words > 1 ? tr("Merci ! Vous avez envoyé vos {n} mots.", { n: cloud.max_words }) : tr("Merci ! Vous avez envoyé votre mot."));
    input.disabled = !remaining;
    submit.disabled = !remaining;
    const words = ((state.tally && state.tally.words) || []).slice(0, TOP);
    roomList.replaceChildren(...words.map((w) => {
      const li = el("li", "wall-cloud__room-word");
      li.append(el("span", "wall-cloud__label", w.label), " ", el("span", "wall-cloud__count", String(w.count)));
      return li;
    }));
    roomTitle.hidden = !words.length;
  }

  function showError(message) {
    error.textContent = message || "";
    error.hidden = !message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  outbox.on("cloud", {
    ack(item, ack) {
      if (ack.word && !state.mine.some((w) => w.client_id === ack.word.client_id)) state.mine.push(ack.word);
      status.textContent = ack.duplicate ? "" : tr("« {text} » envoyé.", { text: item.payload.text });
      render();
    },
    refused(item, ack) {
      // Nothing typed is lost: the refused word goes back in the field when it is free.
      if (!input.value.trim()) input.value = item.payload.text;
      showError((ack.errors && ack.errors.text) || ack.message || tr("Mot refusé."));
      status.textContent = "";
      render();
    },
    stalled() {
      status.textContent = tr("Pas de réponse du serveur : vos mots sont gardés sur ce téléphone et partiront au retour de la connexion.");
    },
  });
  outbox.listen(() => render());
  input.addEventListener("input", () => { if (!error.hidden) showError(""); });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.replace(/\s+/g, " ").trim();
    if (!state.cloud) return;
    if (!text) { showError(tr("Écrivez un mot ou une courte expression.")); input.focus(); return; }
    if ([...text].length > MAX_LENGTH) { showError(tr("Ce mot est trop long : 40 caractères au plus.")); return; }
    showError("");
    input.value = "";
    status.textContent = live.connected ? tr("Envoi…") : tr("Hors ligne : votre mot est gardé sur ce téléphone et partira au retour de la connexion.");
    outbox.add("cloud", "cloud:send", { client_id: newClientId(), atelier_id: atelierId, cloud_id: state.cloud.id, text }, { cloud_id: state.cloud.id });
    input.focus();
  });

  followCloud(live, atelierId, render, { first });
}
