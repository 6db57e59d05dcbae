// Presenter notes: follows the slides window through a BroadcastChannel and can drive it
// (previous / next buttons, or the same keys as the slides). Text is server-rendered.
import { tr } from "./i18n.js";

function init(root) {
  document.documentElement.classList.add("js", "js-notes");
  let notes = Array.from(root.querySelectorAll(".note"));
  let last = null;
  const position = document.getElementById("notes-position");
  const nextTitle = document.getElementById("notes-next-title");
  const clock = document.getElementById("notes-clock");
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(root.dataset.channel) : null;

  function show(key, index, total, next) {
    last = [key, index, total, next];
    notes.forEach((note) => {
      note.hidden = note.dataset.key !== key;
    });
    root.dataset.current = key;
    position.textContent = total ? tr("Diapositive {n} / {total}", { n: index + 1, total }) : "—";
    nextTitle.textContent = next || tr("fin de la présentation");
  }

  function tick() {
    const now = new Date();
    clock.textContent = now.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    clock.dateTime = now.toISOString();
  }

  if (channel) {
    channel.addEventListener("message", ({ data }) => {
      if (data && data.type === "slide" && typeof data.key === "string") {
        show(data.key, data.index, data.total, data.next);
      }
    });
    channel.postMessage({ type: "hello" });
  }
  const send = (type) => channel && channel.postMessage({ type });
  document.getElementById("notes-prev").addEventListener("click", () => send("prev"));
  document.getElementById("notes-next").addEventListener("click", () => send("next"));
  document.addEventListener("keydown", (event) => {
    if (["ArrowRight", "PageDown", " "].includes(event.key)) {
      event.preventDefault();
      send("next");
    } else if (["ArrowLeft", "PageUp"].includes(event.key)) {
      event.preventDefault();
      send("prev");
    }
  });
  // Fresh notes (a synthesis written a minute ago) from our own server's escaped HTML.
  async function refresh() {
    try {
      const response = await fetch(window.location.pathname, { cache: "no-store" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const incoming = fresh.getElementById("notes");
      if (!incoming) return;
      root.replaceChildren(...Array.from(incoming.children, (n) => document.importNode(n, true)));
      notes = Array.from(root.querySelectorAll(".note"));
      if (last) show(...last);
    } catch {
      // Offline for a moment: keep the notes on screen.
    }
  }
  if (notes.length) show(notes[0].dataset.key, 0, notes.length, notes[1]?.dataset.title);
  tick();
  setInterval(tick, 15000);
  setInterval(refresh, 30000);
}

const root = document.getElementById("notes");
if (root) init(root);
