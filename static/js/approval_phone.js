// The participant's own cards that are not on the wall (« validation des cartes »): waiting
// for the facilitator, or declined with the reason, the text kept to rework it and send it
// back. Loaded only when the atelier has approval or the phone has such cards (the phone's
// first-load budget). Rebuilt from the snapshot's `mine.waiting` on every (re)join and from
// `approval:mine`. User text via textContent only.
import { buildCard } from "./cards.js";
import { el } from "./dom.js";
import { tr } from "./i18n.js";

/** root: #wall; cards: the wall's CardList; request(event, payload): the socket's ack. */
export function phoneApproval({ root, anchor, request, onAccepted }) {
  const atelierId = Number(root.dataset.atelierId);
  const box = el("section", "section wall-mine");
  box.id = "my-waiting";
  box.setAttribute("aria-labelledby", "my-waiting-title");
  const title = el("h2", "section__title", tr("Vos cartes en attente"));
  title.id = "my-waiting-title";
  const list = el("div", "cards cards--mine");
  box.append(title, list);
  box.hidden = true;
  anchor.after(box);
  const waiting = new Map();

  function render() {
    const items = [...waiting.values()].sort((a, b) => a.id - b.id);
    list.replaceChildren(...items.map(build));
    box.hidden = !items.length;
  }

  function build(c) {
    const node = buildCard(c, 3);
    node.classList.add(`card--${c.status === "declined" ? "declined" : "awaiting"}`);
    if (c.status === "declined") {
      node.append(el("p", "card__state card__state--declined", tr("Refusée par l’animation")));
      if (c.decline_reason) {
        const why = el("p", "card__reason");
        why.append(el("span", "card__label", tr("Motif :")), " ", el("span", "card__reason-text", c.decline_reason));
        node.append(why);
      }
      const rework = el("button", "button button--secondary button--small", tr("Retravailler et renvoyer"));
      rework.type = "button";
      rework.addEventListener("click", () => openEditor(node, c));
      const bar = el("p", "actions"); bar.append(rework);
      node.append(bar);
    } else {
      node.append(el("p", "card__state", tr("En attente de validation par l’animation")));
    }
    return node;
  }

  function openEditor(node, c) {
    if (node.querySelector(".card__editor")) return;
    const editor = el("form", "card__editor form");
    const t = el("input", "field__input");
    t.maxLength = 120; t.value = c.titre || ""; t.setAttribute("aria-label", tr("Titre"));
    const d = el("textarea", "field__input");
    d.maxLength = 2000; d.rows = 4; d.value = c.description || ""; d.setAttribute("aria-label", tr("Description"));
    const status = el("p", "form-status"); status.setAttribute("role", "status");
    const save = el("button", "button", tr("Renvoyer")); save.type = "submit";
    const actions = el("p", "actions"); actions.append(save);
    editor.append(t, d, status, actions);
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const ack = await request("contribution:update", { atelier_id: atelierId, client_id: c.client_id, titre: t.value, description: d.value });
        if (ack && ack.ok) set(ack.contribution);
        else status.textContent = (ack && (Object.values(ack.errors || {})[0] || ack.message)) || tr("Échec.");
      } catch {
        status.textContent = tr("Pas de réponse du serveur : réessayez (aucun doublon possible).");
      }
    });
    node.append(editor);
    t.focus();
  }

  /** One of my cards changed (ack, `approval:mine`): waiting, declined, or now on the wall. */
  function set(c) {
    if (!c) return;
    if (c.status === "accepted") {
      waiting.delete(c.id);
      onAccepted(c);
    } else {
      waiting.set(c.id, c);
    }
    render();
  }

  return {
    set,
    replace(list) {
      waiting.clear();
      for (const c of list || []) waiting.set(c.id, c);
      render();
    },
  };
}
