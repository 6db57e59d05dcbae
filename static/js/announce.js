// Announcements from the organizers ("Retour en plénière à 15h45"), shown on every phone,
// projector and console of the event. Text via textContent only.

const PROJECTOR_HIDE_MS = 3 * 60 * 1000;

export function showAnnouncement(msg, { closable = true } = {}) {
  if (!msg || !msg.text) return;
  let box = document.getElementById("announcement");
  if (!box) {
    box = document.createElement("div");
    box.id = "announcement";
    box.className = "announcement";
    box.setAttribute("role", "alert");
    const main = document.getElementById("contenu") || document.body;
    main.prepend(box);
  }
  box.replaceChildren();
  const label = document.createElement("p");
  label.className = "announcement__label";
  label.textContent = "Annonce de l’organisation";
  const text = document.createElement("p");
  text.className = "announcement__text";
  text.textContent = String(msg.text);
  box.append(label, text);
  if (closable) {
    const close = document.createElement("button");
    close.type = "button";
    close.className = "button button--secondary announcement__close";
    close.textContent = "J’ai lu";
    close.addEventListener("click", () => box.remove());
    box.append(close);
  } else {
    clearTimeout(box._hide);
    box._hide = setTimeout(() => box.remove(), PROJECTOR_HIDE_MS);
  }
  box.hidden = false;
}

/** Listen for `announcement` on a Socket.IO socket. */
export function listenAnnouncements(socket, options) {
  socket.on("announcement", (msg) => showAnnouncement(msg, options));
}
