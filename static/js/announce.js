// Announcements from the organizers ("Retour en plénière à 15h45"), shown on every phone,
// projector and console of the event. Text via textContent only.
//
// The server stores them (PROTOCOL.md, "Facilitation"): every `atelier:snapshot` carries the
// current one (or null), so a phone that was asleep or joins later still sees it; the live
// `announcement` event brings a new one and `announcement:cleared` takes it down. A phone
// shows each announcement once: « J’ai lu » hides it and remembers its id in localStorage,
// so a reconnection or a reload does not bring it back.
import { tr } from "./i18n.js";
import { formatTime, parseDate } from "./time.js";

const PROJECTOR_HIDE_MS = 3 * 60 * 1000;
const DISMISSED_KEY = "facilitation:announcements:dismissed";
const KEEP_DISMISSED = 20;

function dismissed() {
  try {
    const ids = JSON.parse(window.localStorage.getItem(DISMISSED_KEY) || "[]");
    return Array.isArray(ids) ? ids.map(Number) : [];
  } catch {
    return [];
  }
}

function dismiss(id) {
  if (id === undefined || id === null) return;
  const ids = dismissed().filter((x) => x !== Number(id));
  ids.push(Number(id));
  try {
    window.localStorage.setItem(DISMISSED_KEY, JSON.stringify(ids.slice(-KEEP_DISMISSED)));
  } catch {
    // Private browsing without storage: it is hidden for this page only.
  }
}

function removeBox(box) {
  clearTimeout(box._hide);
  box.remove();
}

/** Show `msg` ({id, text, at, expires_at}) in the page's banner. closable: « J’ai lu »
 *  (phones, consoles), else hidden three minutes after it was sent (projectors). live: just
 *  sent (role=alert, read out at once), not found in a snapshot (role=status, polite). */
export function showAnnouncement(msg, { closable = true, live = true } = {}) {
  if (!msg || !msg.text || msg.withdrawn) return;
  const id = msg.id === undefined || msg.id === null ? "" : String(msg.id);
  if (closable && id && dismissed().includes(Number(id))) return;
  const sent = parseDate(msg.at);
  const expires = parseDate(msg.expires_at);
  let hideIn = expires ? expires.getTime() - Date.now() : null;
  if (!closable) {
    const projectorLeft = (sent ? sent.getTime() : Date.now()) + PROJECTOR_HIDE_MS - Date.now();
    hideIn = hideIn === null ? projectorLeft : Math.min(hideIn, projectorLeft);
  }
  if (hideIn !== null && hideIn <= 0) return;
  let box = document.getElementById("announcement");
  if (box && id && box.dataset.announcementId === id) return; // already shown: no second alert
  if (!box) {
    box = document.createElement("div");
    box.id = "announcement";
    box.className = "announcement";
    const main = document.getElementById("contenu") || document.body;
    main.prepend(box);
  }
  box.dataset.announcementId = id;
  box.setAttribute("role", live ? "alert" : "status");
  box.replaceChildren();
  const label = document.createElement("p");
  label.className = "announcement__label";
  label.textContent = tr("Annonce de l’organisation");
  const text = document.createElement("p");
  text.className = "announcement__text";
  text.textContent = String(msg.text);
  box.append(label, text);
  const time = formatTime(msg.at);
  if (time) {
    const when = document.createElement("p");
    when.className = "announcement__time";
    const stamp = document.createElement("time");
    stamp.dateTime = String(msg.at);
    stamp.textContent = time;
    when.append(tr("Envoyée à "), stamp);
    box.append(when);
  }
  if (closable) {
    const close = document.createElement("button");
    close.type = "button";
    close.className = "button button--secondary announcement__close";
    close.textContent = tr("J’ai lu");
    close.addEventListener("click", () => { dismiss(id); removeBox(box); });
    box.append(close);
  }
  clearTimeout(box._hide);
  // setTimeout takes at most 2^31-1 ms; announcements last hours at most.
  if (hideIn !== null) box._hide = setTimeout(() => removeBox(box), Math.min(hideIn, 2 ** 31 - 1));
  box.hidden = false;
}

/** Take down the banner if it shows announcement `id` (withdrawn by the organizer). */
export function clearAnnouncement(id) {
  const box = document.getElementById("announcement");
  if (box && (id === undefined || box.dataset.announcementId === String(id))) removeBox(box);
}

/** Listen on a Socket.IO socket: live announcements, withdrawals, and the snapshot's current
 *  one (every (re)join), so the page shows what the server holds. */
export function listenAnnouncements(socket, options = {}) {
  socket.on("announcement", (msg) => showAnnouncement(msg, { ...options, live: true }));
  socket.on("announcement:cleared", (msg) => clearAnnouncement(msg && msg.id));
  socket.on("atelier:snapshot", (snap) => {
    if (!snap || !("announcement" in snap)) return;
    const current = snap.announcement;
    const box = document.getElementById("announcement");
    // Withdrawn or replaced while this page was away: what it shows is no longer current.
    if (box && (!current || box.dataset.announcementId !== String(current.id))) removeBox(box);
    if (current) showAnnouncement(current, { ...options, live: false });
  });
}
