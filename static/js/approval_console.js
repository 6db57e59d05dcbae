// The console's « tour anonyme » and « validation des cartes » (PROTOCOL.md): the two
// switches, and the queue of cards waiting for a decision (accept, edit then accept, decline
// with a reason for the author). The queue comes from the server's snapshot on every
// (re)join and from `approval:queued` / `approval:decided`; the wall only gets a card when the
// server broadcasts it. User text via textContent only.
import { buildCard } from "./cards.js";
import { el } from "./dom.js";
import { tr } from "./i18n.js";

function button(text, onClick, className = "button button--secondary button--small") {
  const b = el("button", className, text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

/** send(event, payload): the console's authorised request (null when refused, error shown). */
export function approvalConsole({ send }) {
  const $ = (id) => document.getElementById(id);
  const section = $("queue-section");
  const box = $("queue");
  const anonymous = $("round-anonymous");
  const approval = $("card-approval");
  let round = null;
  let enabled = approval.checked;
  const waiting = new Map(); // id -> card

  function render() {
    const list = [...waiting.values()].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.id - b.id);
    box.replaceChildren(...list.map(buildItem));
    $("queue-count").textContent = `(${list.length})`;
    $("queue-empty").hidden = list.length > 0;
    section.hidden = !enabled && !list.length;
  }

  function buildItem(c) {
    const node = buildCard(c, 3);
    node.classList.add("card--queued");
    const tools = el("div", "card__tools");
    const accept = button(tr("Accepter"), () => decide("approval:accept", { contribution_id: c.id }), "button button--small");
    accept.dataset.action = "accept";
    const edit = button(tr("Modifier puis accepter"), () => openEditor(node, c));
    const decline = button(tr("Refuser…"), () => openDecline(node, c));
    decline.dataset.action = "decline";
    tools.append(accept, edit, decline);
    node.append(tools);
    return node;
  }

  async function decide(event, payload) {
    const ack = await send(event, payload);
    // Accepted or declined (or already so): out of the queue; the card reaches the wall
    // through the room's `contribution:created`, like any card.
    if (ack) { waiting.delete(Number(payload.contribution_id)); render(); }
    return ack;
  }

  function openEditor(node, c) {
    if (node.querySelector(".card__editor")) return;
    const editor = el("form", "card__editor form");
    const title = el("input", "field__input");
    title.maxLength = 120; title.value = c.titre || "";
    title.setAttribute("aria-label", tr("Titre"));
    const desc = el("textarea", "field__input");
    desc.maxLength = 2000; desc.rows = 4; desc.value = c.description || "";
    desc.setAttribute("aria-label", tr("Description"));
    const save = el("button", "button button--small", tr("Accepter ce texte")); save.type = "submit";
    const cancel = button(tr("Annuler"), () => editor.remove());
    const actions = el("p", "actions"); actions.append(save, cancel);
    editor.append(title, desc, actions);
    editor.addEventListener("submit", (event) => {
      event.preventDefault();
      decide("approval:accept", { contribution_id: c.id, titre: title.value, description: desc.value });
    });
    node.append(editor);
    title.focus();
  }

  function openDecline(node, c) {
    if (node.querySelector(".card__decline")) return;
    const form = el("form", "card__decline form");
    const label = el("label", "field__label", tr("Motif pour l’auteur·rice (facultatif)"));
    const reason = el("textarea", "field__input");
    reason.maxLength = 300; reason.rows = 2;
    reason.id = `decline-reason-${c.id}`;
    label.htmlFor = reason.id;
    const save = el("button", "button button--small", tr("Refuser la carte")); save.type = "submit";
    const cancel = button(tr("Annuler"), () => form.remove());
    const actions = el("p", "actions"); actions.append(save, cancel);
    form.append(label, reason, actions);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      decide("approval:decline", { contribution_id: c.id, reason: reason.value });
    });
    node.append(form);
    reason.focus();
  }

  anonymous.addEventListener("change", async () => {
    if (!round) return;
    const want = anonymous.checked;
    const ack = await send("round:anonymous", { round_id: round.id, anonymous: want });
    anonymous.checked = ack ? Boolean(ack.round && ack.round.anonymous) : !want;
  });
  approval.addEventListener("change", async () => {
    const want = approval.checked;
    const ack = await send("approval:set", { enabled: want });
    enabled = ack ? Boolean(ack.enabled) : !want;
    approval.checked = enabled;
    render();
  });

  return {
    deltas: {
      "atelier:settings": (msg) => { enabled = Boolean(msg.card_approval); approval.checked = enabled; render(); },
    },
    round(r) {
      round = r;
      anonymous.checked = Boolean(r && r.anonymous);
      anonymous.disabled = !r;
    },
    snapshot(snap) {
      enabled = Boolean(snap.atelier && snap.atelier.card_approval);
      approval.checked = enabled;
      waiting.clear();
      for (const c of snap.queue || []) waiting.set(c.id, c);
      render();
    },
    attach(socket, atelierId) {
      socket.on("approval:queued", (msg) => {
        if (Number(msg.atelier_id) !== atelierId) return;
        waiting.set(msg.contribution.id, msg.contribution);
        render();
      });
      socket.on("approval:decided", (msg) => {
        if (Number(msg.atelier_id) !== atelierId) return;
        waiting.delete(msg.id);
        render();
      });
      // Withdrawn by its author while waiting.
      socket.on("contribution:removed", (msg) => {
        if (Number(msg.atelier_id) === atelierId && waiting.delete(msg.id)) render();
      });
    },
  };
}
