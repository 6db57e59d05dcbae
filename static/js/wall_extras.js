// The participant's phone, beyond the cards: the round (phase + countdown on the server's
// clock), moderation deltas (edited / hidden / merged cards), announcements, and the
// participant's own cards: edit or withdraw while contributions are open. User text via
// textContent only.
import { el } from "./dom.js";
import { RoundClock } from "./round.js";
import { formatSeconds } from "./time.js";
import { listenAnnouncements } from "./announce.js";
import { tr } from "./i18n.js";

/** root: #wall, cards: its CardList, form and submit: the contribution form and its button.
 *  Returns the page's extras for live.js connectPage: {deltas, snapshot, attach, changed}. */
export function wallExtras({ root, cards, form, submit }) {
  const participantId = root.dataset.participantId || "";
  let live = null;
  let open = true;

  // ---- round banner ------------------------------------------------------------------
  const banner = el("div", "round-banner");
  banner.id = "round-banner";
  banner.hidden = true;
  banner.setAttribute("role", "status");
  banner.setAttribute("aria-live", "polite");
  const phaseText = el("p", "round-banner__phase");
  const timerText = el("p", "round-banner__timer");
  timerText.setAttribute("aria-live", "off");
  banner.append(phaseText, timerText);
  const anchor = document.getElementById("live-bar") || root.firstElementChild;
  anchor.after(banner);
  const closedNote = el("p", "form-closed");
  closedNote.id = "form-closed";
  closedNote.hidden = true;
  form.before(closedNote);
  // Said above the form before posting (issue 20): an anonymous round, card approval. The
  // pratique form has them from the server; the chantier form gets them here.
  const notice = (id, text) => {
    let node = document.getElementById(id);
    if (!node) { node = el("p", "form-notice", text); node.id = id; node.hidden = true; form.before(node); }
    return node;
  };
  const anonymousNotice = notice("anonymous-notice", tr("Tour anonyme : votre nom et votre structure ne seront pas affichés."));
  anonymousNotice.classList.add("form-notice--anonymous");
  const approvalNotice = notice("approval-notice", tr("Validation des cartes : votre carte s’affichera après l’accord de l’animation."));
  let approvalOn = !approvalNotice.hidden;
  let anonymousRound = !anonymousNotice.hidden;
  const mineIds = new Set(); // my cards on the wall, anonymous ones too (the snapshot says)
  let approval = null; // approval_phone.js, loaded when needed
  function withApproval(fn) {
    if (!approval) {
      approval = import("./approval_phone.js").then(({ phoneApproval }) => phoneApproval({
        root, anchor: form.closest("section") || form,
        request: (event, payload) => live.request(event, payload),
        onAccepted(c) { mineIds.add(String(c.id)); cards.add(c); decorateAll(); },
      }));
    }
    approval.then(fn);
  }
  function notices() {
    anonymousNotice.hidden = !(open && anonymousRound);
    approvalNotice.hidden = !(open && approvalOn);
  }

  const clock = new RoundClock((v) => {
    root.dataset.phase = v.phase || "";
    banner.dataset.phase = v.phase || "";
    if (!v.round) { banner.hidden = true; return; }
    banner.hidden = false;
    phaseText.textContent = tr("Manche {number} : {label}", { number: v.round.number, label: v.label });
    timerText.hidden = v.remaining === null;
    if (v.remaining !== null) {
      timerText.textContent = v.timerState === "ended" ? tr("Temps écoulé")
        : v.timerState === "paused"
          ? tr("Temps restant : {v} (en pause)", { v: formatSeconds(v.remaining) })
          : tr("Temps restant : {v}", { v: formatSeconds(v.remaining) });
    }
    open = v.phase === "contributions";
    anonymousRound = Boolean(v.round.anonymous);
    notices();
    submit.disabled = !open;
    closedNote.hidden = open;
    closedNote.textContent = open ? "" : tr("Les contributions sont fermées : la manche est en phase « {label} ».", { label: v.label });
    decorateAll();
  });

  // ---- own cards: edit / withdraw ----------------------------------------------------
  function dataOf(id) {
    const entry = cards.entries.get(String(id));
    return entry && entry.data;
  }

  function decorate(node) {
    const old = node.querySelector(":scope > .card__mine");
    const data = dataOf(node.dataset.id);
    const mine = participantId && (node.dataset.authorId === participantId || mineIds.has(node.dataset.id)) && data;
    // An anonymous card names nobody, but its author's phone says it is theirs.
    const badge = node.querySelector(":scope > .card__yours");
    if (mine && data.anonymous && !badge) node.append(el("p", "card__yours", tr("Votre carte (anonyme pour les autres)")));
    else if (!(mine && data.anonymous) && badge) badge.remove();
    if (!mine || !open) { if (old) old.remove(); return; }
    if (old) return;
    const bar = el("p", "card__mine actions");
    const edit = el("button", "button button--secondary button--small", tr("Modifier"));
    edit.type = "button";
    const withdraw = el("button", "button button--secondary button--small", tr("Retirer"));
    withdraw.type = "button";
    edit.addEventListener("click", () => openEditor(node, data));
    withdraw.addEventListener("click", () => doWithdraw(data));
    bar.append(edit, withdraw);
    node.append(bar);
  }

  function decorateAll() {
    for (const node of cards.container.querySelectorAll(":scope > .card[data-id]")) decorate(node);
  }

  function openEditor(node, data) {
    if (node.querySelector(".card__editor")) return;
    const editor = el("form", "card__editor form");
    const title = el("input", "field__input");
    title.name = "titre"; title.maxLength = 120; title.value = data.titre || "";
    title.setAttribute("aria-label", tr("Titre"));
    const desc = el("textarea", "field__input");
    desc.name = "description"; desc.maxLength = 2000; desc.rows = 4; desc.value = data.description || "";
    desc.setAttribute("aria-label", tr("Description"));
    const status = el("p", "form-status");
    status.setAttribute("role", "status");
    const save = el("button", "button", tr("Enregistrer")); save.type = "submit";
    const cancel = el("button", "button button--secondary", tr("Annuler")); cancel.type = "button";
    cancel.addEventListener("click", () => editor.remove());
    const actions = el("p", "actions"); actions.append(save, cancel);
    editor.append(title, desc, status, actions);
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!live) return;
      try {
        const ack = await live.request("contribution:update", {
          atelier_id: Number(root.dataset.atelierId),
          client_id: data.client_id,
          titre: title.value,
          description: desc.value,
        });
        if (ack && ack.ok) { cards.add(ack.contribution, { highlight: false }); editor.remove(); }
        else status.textContent = (ack && (Object.values(ack.errors || {})[0] || ack.message)) || "Échec.";
      } catch {
        status.textContent = tr("Pas de réponse du serveur : réessayez (aucun doublon possible).");
      }
    });
    node.append(editor);
    title.focus();
  }

  async function doWithdraw(data) {
    if (!live || !window.confirm(tr("Retirer « {titre} » du mur ?", { titre: data.titre }))) return;
    try {
      const ack = await live.request("contribution:withdraw", {
        atelier_id: Number(root.dataset.atelierId), client_id: data.client_id,
      });
      if (ack && ack.ok) cards.remove(ack.id);
      else window.alert((ack && ack.message) || "Échec.");
    } catch {
      window.alert(tr("Pas de réponse du serveur : réessayez."));
    }
  }

  const deltas = {
    "round:changed": (msg) => clock.update(msg.round, msg.server_time),
    "contribution:updated": (msg) => { cards.add(msg.contribution, { highlight: false }); decorateAll(); },
    "contribution:removed": (msg) => cards.remove(msg.id),
    "atelier:settings": (msg) => { approvalOn = Boolean(msg.card_approval); notices(); },
  };

  return {
    deltas,
    snapshot(snap) {
      approvalOn = Boolean(snap.atelier && snap.atelier.card_approval);
      const mine = snap.mine || { ids: [], waiting: [] };
      mineIds.clear();
      for (const id of mine.ids || []) mineIds.add(String(id));
      if (approval || approvalOn || (mine.waiting || []).length) withApproval((a) => a.replace(mine.waiting));
      clock.update(snap.round, snap.server_time);
      notices();
      decorateAll();
    },
    changed() { decorateAll(); },
    /** My card as the server acked it: on the wall (« votre carte »), or waiting/declined. */
    own(c) {
      if (!c) return;
      if (c.status && c.status !== "accepted") withApproval((a) => a.set(c));
      else mineIds.add(String(c.id));
    },
    attach(connection) {
      live = connection;
      listenAnnouncements(connection.socket, { closable: true });
      connection.socket.on("approval:mine", (msg) => {
        if (Number(msg.atelier_id) === Number(root.dataset.atelierId)) withApproval((a) => a.set(msg.contribution));
      });
    },
  };
}
