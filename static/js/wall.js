// Participant's phone view of an atelier: live cards + posting over Socket.IO.
// Without this script (or without a socket connection) the page still works:
// the form POSTs and the cards are server-rendered.
import { connectAtelier, STATUS_TEXT } from "./live.js";
import { CardList } from "./cards.js";
import { wallExtras } from "./wall_extras.js";

const FIELDS = ["titre", "description", "structure", "commune", "public_concerne"];
const CLEARED_ON_SUCCESS = ["titre", "description", "public_concerne"]; // structure/commune stay for the next card

function newClientId() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function presenceText(n) {
  return `${n} ${n <= 1 ? "personne connectée" : "personnes connectées"}`;
}

function init(root) {
  document.documentElement.classList.add("js");
  const atelierId = Number(root.dataset.atelierId);
  const participantId = root.dataset.participantId;
  const noun = root.dataset.kind === "chantier" ? "chantier" : "pratique";

  const form = document.getElementById("contribution-form");
  const submit = document.getElementById("submit-button");
  const formStatus = document.getElementById("form-status");
  const summary = document.getElementById("error-summary");
  const liveBar = document.getElementById("live-bar");
  const liveStatus = document.getElementById("live-status");
  const presence = document.getElementById("presence");
  const count = document.getElementById("card-count");
  const empty = document.getElementById("cards-empty");
  const announcer = document.getElementById("announcer");

  let extras = null; // issue 3: round + countdown, moderation, own cards, announcements
  const cards = new CardList(document.getElementById("cards"), {
    level: 3,
    onChange(n) {
      count.textContent = `(${n})`;
      empty.hidden = n > 0;
      if (extras) extras.changed();
    },
  });
  extras = wallExtras({ root, cards, form, submit });

  liveBar.hidden = false;
  const live = connectAtelier({
    atelierId,
    version: Number(root.dataset.version),
    deltas: extras.deltas,
    onStatus(state) {
      liveStatus.dataset.state = state;
      liveStatus.querySelector(".live-status__text").textContent = STATUS_TEXT[state] || state;
      root.dataset.live = state;
    },
    onJoined() {
      root.dataset.live = "joined";
    },
    onSnapshot(snap) {
      cards.replace(snap.contributions || []);
      extras.snapshot(snap);
    },
    onCreated(c) {
      const isNew = cards.add(c);
      if (isNew && String(c.author && c.author.id) !== participantId) {
        announcer.textContent = `Nouvelle ${noun === "chantier" ? "proposition" : "pratique"} : ${c.titre}`;
      }
    },
    onPresence(n) {
      presence.hidden = false;
      presence.textContent = presenceText(n);
    },
    onError(err) {
      if (err && err.event === "contribution:create") return; // shown by the form's ack handler
      showStatus((err && err.message) || "Une erreur est survenue.", "error");
    },
  });
  extras.attach(live);

  // ---- form over Socket.IO ------------------------------------------------------------
  form.noValidate = true; // French messages from the server instead of the browser's bubbles
  const clientIdInput = form.elements.namedItem("client_id");
  let sending = false;
  let uncertain = null; // payload signature of a send whose answer never came

  function values() {
    const v = {};
    for (const name of FIELDS) v[name] = form.elements.namedItem(name).value;
    return v;
  }

  function showStatus(text, tone = "info") {
    formStatus.textContent = text;
    formStatus.dataset.tone = tone;
  }

  function labelOf(name) {
    const label = form.querySelector(`label[for="${name}"]`);
    return label && label.firstChild ? label.firstChild.textContent.trim() : name;
  }

  function setFieldError(name, message) {
    const input = form.elements.namedItem(name);
    const field = input && input.closest(".field");
    if (!field) return false;
    const errorId = `${name}-error`;
    let node = document.getElementById(errorId);
    const described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== errorId);
    if (message) {
      if (!node) {
        node = document.createElement("p");
        node.className = "field__error";
        node.id = errorId;
        field.insertBefore(node, input);
      }
      node.textContent = message;
      described.push(errorId);
      input.setAttribute("aria-invalid", "true");
      field.classList.add("field--invalid");
    } else {
      if (node) node.remove();
      input.removeAttribute("aria-invalid");
      field.classList.remove("field--invalid");
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
    return true;
  }

  function clearErrors() {
    for (const name of FIELDS) setFieldError(name, null);
    summary.hidden = true;
    summary.removeAttribute("role");
    summary.replaceChildren();
  }

  function showErrors(ack) {
    clearErrors();
    const errors = (ack && ack.errors) || {};
    const items = [];
    let otherMessages = [];
    for (const [name, message] of Object.entries(errors)) {
      if (FIELDS.includes(name) && setFieldError(name, message)) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = `#${name}`;
        a.textContent = `${labelOf(name)} : ${message}`;
        li.append(a);
        items.push(li);
      } else {
        otherMessages.push(message);
      }
    }
    if (!items.length && !otherMessages.length) {
      otherMessages = [(ack && ack.message) || "L’envoi a échoué. Réessayez."];
    }
    const title = document.createElement("h2");
    title.className = "error-summary__title";
    const total = items.length + otherMessages.length;
    title.textContent = items.length
      ? `Le formulaire contient ${total === 1 ? "une erreur" : `${total} erreurs`}`
      : otherMessages.shift();
    const list = document.createElement("ul");
    list.className = "error-summary__list";
    list.append(...items);
    for (const message of otherMessages) {
      const li = document.createElement("li");
      li.textContent = message;
      list.append(li);
    }
    summary.replaceChildren(title);
    if (list.childElementCount) summary.append(list);
    summary.hidden = false;
    summary.setAttribute("role", "alert");
    summary.focus();
    showStatus("", "info");
  }

  function setBusy(busy) {
    sending = busy;
    submit.setAttribute("aria-disabled", busy ? "true" : "false");
    submit.textContent = busy ? "Envoi…" : "Publier";
  }

  async function send(payload, retry = true) {
    const ack = await live.request("contribution:create", payload);
    if (ack && ack.ok === false && ack.code === "not_joined" && retry) {
      await live.resync();
      return send(payload, false);
    }
    return ack;
  }

  form.addEventListener("submit", async (event) => {
    if (!live.connected) return; // no socket: the browser POSTs the form (same client_id, idempotent)
    event.preventDefault();
    if (sending) return;

    const v = values();
    const sig = JSON.stringify(v);
    if (uncertain && uncertain !== sig) clientIdInput.value = newClientId(); // edited: it is another card
    const payload = { client_id: clientIdInput.value, atelier_id: atelierId, ...v };

    setBusy(true);
    showStatus("Envoi en cours…", "info");
    try {
      const ack = await send(payload);
      if (ack && ack.ok) {
        uncertain = null;
        if (ack.contribution) cards.add(ack.contribution);
        clearErrors();
        for (const name of CLEARED_ON_SUCCESS) form.elements.namedItem(name).value = "";
        clientIdInput.value = newClientId();
        showStatus(noun === "chantier" ? "Chantier publié." : "Pratique publiée.", "success");
      } else {
        uncertain = null;
        showErrors(ack);
      }
    } catch {
      uncertain = sig;
      showStatus("L’envoi n’a pas été confirmé (connexion faible ?). Appuyez de nouveau sur « Publier » : "
        + "votre texte est conservé et ne sera pas publié deux fois.", "error");
    } finally {
      setBusy(false);
    }
  });
}

const root = document.getElementById("wall");
if (root) init(root);
