// The atelier's heading, live: the organizer may rename a running atelier, change
// its theme, question or room, or rename and re-brand the event from the set-up pages while
// phones, projectors and consoles are open (PROTOCOL.md, « atelier:updated », « event:updated »).
//
// Attaches itself to the page's connection (live.js onAtelierLive): the page's script only
// imports this module. Elements carry data-atelier-field="title|theme|question|room",
// data-sequence-field="title" (the programme slot, renamed from the programme page) and
// data-event-field="title|brand|logo"; user text goes in with textContent only.
import { onAtelierLive } from "./live.js";

const ATELIER_FIELDS = ["title", "theme", "question", "room"];

function nodes(attribute, name) {
  return document.querySelectorAll(`[${attribute}="${name}"]`);
}

// The tab's title holds both names (« Atelier · Événement »): swap the old one for the new.
let shown = { atelier: null, event: null };
function retitle(which, value) {
  const old = shown[which];
  shown[which] = value;
  if (old && value && old !== value && document.title.includes(old)) {
    document.title = document.title.replace(old, value);
  }
}

function initialText(attribute, name) {
  const node = document.querySelector(`[${attribute}="${name}"]`);
  return node ? node.textContent.trim() : null;
}

/** Apply the protocol's `atelier` (snapshot or `atelier:updated`). */
export function applyAtelier(atelier) {
  if (!atelier || typeof atelier !== "object") return;
  for (const name of ATELIER_FIELDS) {
    if (!(name in atelier)) continue;
    const value = String(atelier[name] || "");
    for (const node of nodes("data-atelier-field", name)) {
      if (node.textContent !== value) node.textContent = value;
      // A title is never empty; the others may be cleared, and then take no room.
      if (name !== "title") node.hidden = !value;
    }
  }
  if (atelier.title) retitle("atelier", String(atelier.title));
  if (atelier.event && atelier.event.title) applyEventTitle(String(atelier.event.title));
  if (atelier.sequence && atelier.sequence.title) {
    const title = String(atelier.sequence.title);
    for (const node of nodes("data-sequence-field", "title")) {
      if (node.textContent !== title) node.textContent = title;
    }
  }
}

function applyEventTitle(title) {
  for (const node of nodes("data-event-field", "title")) {
    if (node.textContent !== title) node.textContent = title;
  }
  retitle("event", title);
}

/** Apply `event:updated`: the event's name and its branding (name, colour, logo). */
export function applyEvent(message) {
  if (!message || typeof message !== "object") return;
  if (message.event && message.event.title) applyEventTitle(String(message.event.title));
  const brand = message.brand || null;
  for (const node of nodes("data-event-field", "brand")) {
    // The site header falls back to the app's name; the projector's brand line hides.
    const value = (brand && brand.name) || node.dataset.fallback || "";
    node.textContent = value;
    node.hidden = !value;
  }
  for (const node of nodes("data-event-field", "logo")) {
    if (brand && brand.logo_url) {
      node.src = brand.logo_url;
      node.hidden = false;
    } else {
      node.hidden = true;
    }
  }
  // The colours: the page came with them inline (a <style> under a CSP hash, naming the
  // stylesheet it stands for); a change brings the served stylesheet (same origin, CSP ok).
  let sheet = document.querySelector("link[data-event-theme]");
  const href = brand && brand.css_url;
  const inline = document.querySelector("style[data-event-theme]");
  if (inline && inline.dataset.eventTheme === href) return;
  if (href) {
    if (!sheet) {
      sheet = document.createElement("link");
      sheet.rel = "stylesheet";
      sheet.dataset.eventTheme = "";
      document.head.append(sheet);
    }
    // The old colours stay until the new ones are there (no flash of the default look).
    if (inline) sheet.addEventListener("load", () => inline.remove(), { once: true });
    if (sheet.getAttribute("href") !== href) sheet.setAttribute("href", href);
  } else {
    if (sheet) sheet.remove();
    if (inline) inline.remove();
  }
}

const attached = new WeakSet();
onAtelierLive((live, atelierId) => {
  const socket = live.socket;
  if (attached.has(socket)) return;
  attached.add(socket);
  if (shown.atelier === null) shown.atelier = initialText("data-atelier-field", "title");
  if (shown.event === null) shown.event = initialText("data-event-field", "title");
  const id = Number(atelierId);
  // Every (re)join's snapshot: a change missed while away (or offline) shows up here.
  socket.on("atelier:snapshot", (snap) => {
    if (!snap || !snap.atelier || Number(snap.atelier.id) !== id) return;
    // live.js handled it first: a snapshot older than what the page shows was not applied.
    if (Number(snap.version) < live.version) return;
    applyAtelier(snap.atelier);
  });
  // A versioned delta: live.js keeps the version and resyncs on a gap.
  live.delta("atelier:updated", (msg) => applyAtelier(msg.atelier));
  socket.on("event:updated", (msg) => applyEvent(msg));
});
