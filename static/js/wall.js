// Participant's phone view of an atelier: live cards + posting over Socket.IO.
// Without this script (or without a socket connection) the page still works:
// the form POSTs and the cards are server-rendered.
import { connectPage, presenceText } from "./live.js";
import "./atelier_head.js"; // title, question, room and event name, live
import { CardList, buildPendingCard, pendingList, photoDeltas } from "./cards.js";
import { wallExtras } from "./wall_extras.js";
import { Draft, newClientId, outboxFor, scopeOf } from "./outbox.js";
import { t, tr } from "./i18n.js";
import { hideSummary, setFieldError, showStatus, showSummary } from "./dom.js";

const FIELDS = ["titre", "description", "structure", "commune", "public_concerne"];
const CLEARED_ON_SUCCESS = ["titre", "description", "public_concerne"]; // structure/commune stay for the next card

function init(root) {
  document.documentElement.classList.add("js");
  const atelierId = Number(root.dataset.atelierId);
  const participantId = root.dataset.participantId;
  const noun = root.dataset.kind === "chantier" ? "chantier" : "pratique";

  // A chantier atelier has the chantier form instead (chantiers_wall.js sends it);
  // rounds still open and close it.
  const form = document.getElementById("contribution-form") || document.getElementById("chantier-form");
  const submit = document.getElementById("submit-button");
  const formStatus = document.getElementById("form-status");
  const summary = document.getElementById("error-summary");
  const presence = document.getElementById("presence");
  const count = document.getElementById("card-count");
  const empty = document.getElementById("cards-empty");
  const announcer = document.getElementById("announcer");

  // Declared before the connection: its callbacks read it, and on a chantier wall the form
  // section below never runs (a `let` there would stay uninitialised).
  let formItem = null; // the outbox item whose text is still in the form (sent while connected)
  let extras = null; // round + countdown, moderation, own cards, announcements
  const cards = new CardList(document.getElementById("cards"), {
    level: 3,
    onChange(n) {
      count.textContent = `(${n})`;
      empty.hidden = n > 0;
      if (extras) extras.changed();
    },
  });
  extras = wallExtras({ root, cards, form, submit });

  // Others' cards that arrive out of sight: a visible « N nouvelles cartes » pill (the
  // announcer above only speaks to screen readers); a tap scrolls to the newest.
  const pill = document.createElement("button");
  pill.type = "button";
  pill.className = "new-cards";
  pill.id = "new-cards";
  pill.hidden = true;
  document.body.append(pill);
  let unseen = [];
  const inView = (node) => {
    const r = node.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  };
  const nodeOf = (id) => cards.container.querySelector(`.card[data-id="${CSS.escape(String(id))}"]`);
  function updatePill() {
    unseen = unseen.filter((id) => { const n = nodeOf(id); return n && !inView(n); });
    pill.hidden = !unseen.length;
    pill.textContent = unseen.length > 1 ? tr("↓ {n} nouvelles cartes", { n: unseen.length }) : tr("↓ 1 nouvelle carte");
  }
  function offScreen(id) {
    const node = nodeOf(id);
    if (node && !inView(node)) unseen.push(id);
    updatePill();
  }
  pill.addEventListener("click", () => {
    const node = nodeOf(unseen[unseen.length - 1]);
    unseen = [];
    pill.hidden = true;
    if (node) node.scrollIntoView({ behavior: "smooth", block: "center" });
  });
  window.addEventListener("scroll", () => { if (unseen.length) updatePill(); }, { passive: true });

  // « En un mot »: its module loads only once a cloud is open (the first load's budget).
  let cloud = null;
  const cloudPart = (part) => {
    if (!cloud && part && part.cloud) cloud = import("./cloud_phone.js").then((m) => m.attachCloud(root, live, part));
  };

  const live = connectPage(root, {
    extras,
    onStatus(state) {
      if (state !== "connected") presence.hidden = true; // a stale count would mislead
    },
    onSnapshot(snap) {
      cards.replace(snap.contributions || []);
      cloudPart(snap.cloud);
    },
    // One object: the cloud's opening (cloud_phone.js loads then) and the cards' photos.
    deltas: { "cloud:changed": cloudPart, ...photoDeltas(cards) },
    onCreated(c) {
      // The room's copy of my own card may arrive before the answer to my post.
      const sentHere = Boolean(formItem && c.client_id && String(c.client_id) === formItem.id);
      if (sentHere) {
        shownAsPublished.add(formItem.id);
        formDone();
        extras.own(c); // « votre carte », even when anonymous (no author in the room's copy)
      }
      const isNew = cards.add(c);
      if (isNew && !sentHere && String(c.author && c.author.id) !== participantId) {
        announcer.textContent = (noun === "chantier" ? tr("Nouvelle proposition : {titre}", { titre: c.titre }) : tr("Nouvelle pratique : {titre}", { titre: c.titre }));
        offScreen(c.id);
      }
    },
    onPresence(n) {
      presence.hidden = false;
      presence.textContent = presenceText(n);
    },
    onError(err) {
      if (err && err.event === "contribution:create") return; // shown by the form's ack handler
      showStatus(formStatus, (err && err.message) || tr("Une erreur est survenue."), "error");
    },
  });

  if (form.id !== "contribution-form") return;

  // ---- form over Socket.IO, through the offline outbox -------------------------------
  form.noValidate = true; // French messages from the server instead of the browser's bubbles
  const clientIdInput = form.elements.namedItem("client_id");
  const outbox = outboxFor(live, root);
  const draft = new Draft(form, scopeOf(root), FIELDS);
  const published = noun === "chantier" ? t("wall.published_chantier", "Chantier publié.") : t("wall.published_pratique", "Pratique publiée.");

  // Cards waiting in the outbox, above the wall: « en attente d'envoi » until the server acks.
  const pendingBox = pendingList(document.getElementById("cards"));

  function values() {
    const v = {};
    for (const name of FIELDS) v[name] = form.elements.namedItem(name).value;
    return v;
  }

  function labelOf(name) {
    const label = form.querySelector(`label[for="${name}"]`);
    return label && label.firstChild ? label.firstChild.textContent.trim() : name;
  }

  function fieldError(name, message) {
    const input = form.elements.namedItem(name);
    const field = input && input.closest(".field");
    if (field) setFieldError(field, input, `${name}-error`, message);
    return Boolean(field);
  }

  function clearErrors() {
    for (const name of FIELDS) fieldError(name, null);
    hideSummary(summary);
  }

  function showErrors(ack, intro = "") {
    clearErrors();
    const items = [];
    const others = [];
    for (const [name, message] of Object.entries((ack && ack.errors) || {})) {
      if (FIELDS.includes(name) && fieldError(name, message)) items.push([`${labelOf(name)} : ${message}`, `#${name}`]);
      else others.push(message);
    }
    if (!items.length && !others.length) others.push((ack && ack.message) || t("wall.failed", "L’envoi a échoué. Réessayez."));
    const total = items.length + others.length;
    const title = items.length
      ? (total === 1 ? t("wall.form_errors_one", "Le formulaire contient une erreur") : t("wall.form_errors_many", "Le formulaire contient {n} erreurs", { n: total }))
      : others.shift();
    showSummary(summary, title, [...(intro ? [intro] : []), ...items, ...others]);
    showStatus(formStatus, "", "info");
  }

  function setBusy(busy) {
    submit.setAttribute("aria-disabled", busy ? "true" : "false");
    submit.textContent = busy ? t("wall.sending", "Envoi…") : t("wall.publish", "Publier");
  }

  function formIsEmpty() {
    return CLEARED_ON_SUCCESS.every((name) => !form.elements.namedItem(name).value.trim());
  }

  function emptyForm() {
    for (const name of CLEARED_ON_SUCCESS) form.elements.namedItem(name).value = "";
    clientIdInput.value = newClientId();
    draft.clear();
  }

  /** Put a card's text back in the form (a refusal): nothing typed is lost. */
  function refill(payload) {
    for (const name of FIELDS) {
      if (payload[name] !== undefined) form.elements.namedItem(name).value = payload[name];
    }
    clientIdInput.value = newClientId(); // refused: nothing was stored, a new try is a new card
    draft.save();
  }

  function renderPending() {
    const nodes = [];
    for (const item of outbox.pending("card")) {
      if (formItem && item.id === formItem.id) continue; // its text is still in the form
      nodes.push(buildPendingCard(item.payload, item.id, 3));
    }
    pendingBox.replaceChildren(...nodes);
    pendingBox.hidden = !nodes.length;
    root.dataset.outbox = String(outbox.size);
  }

  const refusedLater = []; // refused texts waiting for the form to be free
  const shownAsPublished = new Set(); // client ids whose card came back before their ack

  /** The card in the form is stored: free the form for the next one. */
  function formDone() {
    formItem = null;
    setBusy(false);
    clearErrors();
    emptyForm();
    showStatus(formStatus, published, "success");
    const next = refusedLater.shift();
    if (next) refill(next);
  }
  outbox.listen(renderPending);
  outbox.on("card", {
    ack(item, ack) {
      if (item === formItem) formDone();
      else if (!shownAsPublished.delete(item.id)) showStatus(formStatus, t("wall.sent", "« {titre} » envoyée.", { titre: item.payload.titre }), "success");
      const c = ack.contribution;
      if (c && c.status && c.status !== "accepted") {
        // « Validation des cartes »: shown in « vos cartes en attente », not on the wall.
        extras.own(c);
        showStatus(formStatus, tr("Carte envoyée : elle s’affichera après l’accord de l’animation."), "info");
      } else if (c) {
        extras.own(c);
        cards.add(c);
      }
      renderPending();
    },
    refused(item, ack) {
      const inForm = item === formItem;
      formItem = null;
      setBusy(false);
      if (inForm || formIsEmpty()) {
        if (!inForm) refill(item.payload);
        showErrors(ack, inForm ? "" : t("wall.refused_refilled", "« {titre} » n’a pas été publiée : son texte est remis dans le formulaire.", { titre: item.payload.titre }));
      } else {
        // Something else is being typed: keep both, the refused text goes back after it.
        showErrors(ack, t("wall.refused_later", "« {titre} » n’a pas été publiée. Son texte vous attend : publiez d’abord ce que vous écrivez.", { titre: item.payload.titre }));
        refusedLater.push(item.payload);
      }
      renderPending();
    },
    stalled(item) {
      if (item !== formItem) return;
      // No answer: the card stays in the outbox (same client_id); the form is free again.
      formItem = null;
      setBusy(false);
      emptyForm();
      renderPending();
      showStatus(formStatus, t("wall.stalled", "Pas de réponse du serveur : votre carte est gardée sur ce téléphone et sera envoyée "
        + tr("automatiquement au retour de la connexion.")), "info");
    },
  });

  // ---- the card's photo (issue 19.3): sent after its card, over HTTP, through the outbox;
  // the code (progress, messages) is photo_upload.js, loaded when a photo is chosen or waits.
  const photoModule = () => import("./photo_upload.js");
  const photo = { form, cards, live, files: new Map() }; // files: chosen while offline
  const photoInput = form.elements.namedItem("photo");
  if (photoInput) photoInput.addEventListener("click", () => { photoModule().catch(() => {}); });
  const withPhotos = (fn) => (...args) => photoModule().then((m) => m[fn](photo, ...args));
  outbox.sendWith("photo", withPhotos("send"));
  outbox.on("photo", { ack: withPhotos("answered"), refused: withPhotos("answered"), stalled: withPhotos("stalled") });
  /** Queue the chosen photo after the card `cardClientId` (already in the outbox). */
  function queuePhoto(cardClientId) {
    const file = photoInput && photoInput.files && photoInput.files[0];
    if (!file) return;
    photoInput.value = "";
    const id = newClientId();
    photo.files.set(id, file);
    outbox.add("photo", "photo:upload", { client_id: id, card_client_id: cardClientId });
    withPhotos("queued")(id).catch(() => { // offline before the module could load: sent later
      showStatus(document.getElementById("photo-status"), tr("Photo gardée sur ce téléphone : elle partira au retour de la connexion."), "info");
    });
  }

  // Restore what was being typed before a reload or a crash of the tab.
  if (draft.restore()) showStatus(formStatus, t("wall.draft_restored", "Votre brouillon a été restauré."), "info");
  renderPending();
  if (outbox.pending("card").length) {
    showStatus(formStatus, t("wall.waiting", "Des cartes attendent d’être envoyées : elles partiront dès que la connexion sera rétablie."), "info");
  }

  form.addEventListener("submit", (event) => {
    // Scripts run but the server refused the socket (not the network): the browser POSTs the
    // form instead (same client_id, idempotent).
    if (!live.connected && !live.socket.active && navigator.onLine !== false) return;
    event.preventDefault();
    if (formItem) return; // already sending this text

    const v = values();
    if (!live.connected && !v.titre.trim()) {
      showErrors({ errors: { titre: t("wall.title_required", "Indiquez « Titre ».") } });
      return;
    }
    const payload = { client_id: clientIdInput.value, atelier_id: atelierId, ...v };
    if (live.connected) {
      // Online: the text stays in the form until the server answers (errors next to the fields).
      setBusy(true);
      showStatus(formStatus, t("wall.sending_status", "Envoi en cours…"), "info");
      formItem = { id: String(payload.client_id) }; // before add(): it renders the pending list
      formItem = outbox.add("card", "contribution:create", payload);
      queuePhoto(payload.client_id);
    } else {
      clearErrors();
      emptyForm();
      outbox.add("card", "contribution:create", payload);
      queuePhoto(payload.client_id);
      showStatus(formStatus, t("wall.offline_queued", "Hors ligne : votre carte est gardée sur ce téléphone, en attente d’envoi. "
        + tr("Elle partira dès le retour de la connexion.")), "info");
      const next = refusedLater.shift();
      if (next) refill(next);
    }
  });
}

const root = document.getElementById("wall");
if (root) init(root);
