// Projector view of an atelier: a read-only viewer of the atelier room.
// Joins like a phone (the server sends a snapshot on every join), shows new cards as they
// arrive and the number of people connected. It never writes. User text: textContent only.
import { connectPage, presenceText } from "./live.js";
import "./atelier_head.js"; // title, question, room and event name, live (issue 3)
import { CardList, photoDeltas } from "./cards.js";
import { el } from "./dom.js";
import { tr } from "./i18n.js";
import { projectorExtras } from "./projector_extras.js";

function init(root) {
  document.documentElement.classList.add("js");
  const presence = document.getElementById("presence");
  const liveStatus = document.getElementById("live-status");
  const count = document.getElementById("card-count");
  const plural = document.getElementById("card-count-plural");
  const empty = document.getElementById("cards-empty");
  const title = document.getElementById("projector-title");
  const question = document.getElementById("projector-question");

  const cards = new CardList(document.getElementById("cards"), {
    level: 3,
    onChange(n) {
      count.textContent = String(n);
      plural.textContent = n > 1 ? "s" : "";
      empty.hidden = n > 0;
      if (extras) extras.changed();
    },
  });
  // Issue 19.3: the paperboards' photos, shown when the console picks « Paperboards ».
  const boardBox = document.getElementById("projector-boards");
  const boards = {
    nodes: () => [...boardBox.querySelectorAll("img[data-photo-id]")],
    add(p) {
      if (boardBox.querySelector(`img[data-photo-id="${Number(p.id)}"]`)) return;
      const img = el("img", "projector__board");
      img.src = p.large;
      img.width = p.width;
      img.height = p.height;
      img.dataset.photoId = String(p.id);
      boardBox.append(img);
      this.number();
    },
    remove(id) {
      for (const n of this.nodes()) if (n.dataset.photoId === String(id)) n.remove();
      this.number();
    },
    replace(list) {
      for (const n of this.nodes()) n.remove();
      for (const p of list) this.add(p);
      this.number();
    },
    number() {
      const nodes = this.nodes();
      nodes.forEach((n, i) => { n.alt = tr("Paperboard {n}", { n: i + 1 }); });
      boardBox.dataset.count = String(nodes.length);
    },
  };
  // Issue 3: round + countdown, view mode from the console, moderation, announcements.
  const extras = projectorExtras({ root, cards });

  connectPage(root, {
    extras,
    onSnapshot(snap) {
      // The facilitator may have renamed the atelier or changed its question.
      if (snap.atelier) {
        if (snap.atelier.title) title.textContent = snap.atelier.title;
        if (question && snap.atelier.question) question.textContent = snap.atelier.question;
      }
      cards.replace(snap.contributions || []);
      boards.replace((snap.photos && snap.photos.paperboards) || []);
    },
    deltas: photoDeltas(cards, (what, p) => (what === "added" ? boards.add(p) : boards.remove(p.id))),
    onCreated(c) {
      if (cards.add(c)) extras.arrived(c.id);
    },
    onPresence(n) {
      presence.dataset.count = String(n);
      presence.textContent = presenceText(n);
    },
    onError(err) {
      liveStatus.dataset.state = "offline";
      liveStatus.querySelector(".live-status__text").textContent =
        (err && err.message) || tr("Une erreur est survenue.");
    },
  });
}

// Keep the projector's screen awake (secure contexts only: https or localhost; elsewhere the
// laptop's own power settings apply). The lock is dropped when the tab is hidden: re-take it.
function keepAwake() {
  if (!("wakeLock" in navigator)) return;
  const request = () => {
    if (document.visibilityState === "visible") navigator.wakeLock.request("screen").catch(() => {});
  };
  request();
  document.addEventListener("visibilitychange", request);
}

const root = document.getElementById("projector");
if (root) {
  init(root);
  keepAwake();
}
