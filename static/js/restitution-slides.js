// The plenary's slides: one slide at a time, driven by the keyboard or a presentation clicker
// (they send arrows / Page Up / Page Down, sometimes "b" or "." for a black screen), by the
// on-screen buttons or by the presenter-notes window (BroadcastChannel, same origin).
// The slides are server-rendered (user text escaped by Jinja); this module never builds
// markup from strings. Every few seconds it fetches the same page again and swaps in the
// fresh slides (parsed by DOMParser from our own server's escaped HTML), so a vote closed a
// minute ago is on screen without reloading and without losing the current slide.
import { tr } from "./i18n.js";

const NEXT_KEYS = new Set(["ArrowRight", "ArrowDown", "PageDown", " ", "Spacebar", "Enter", "n"]);
const PREV_KEYS = new Set(["ArrowLeft", "ArrowUp", "PageUp", "Backspace", "p"]);

function init(deck) {
  document.documentElement.classList.add("js", "js-slides");
  const position = document.getElementById("deck-position");
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(deck.dataset.channel) : null;
  let slides = Array.from(deck.querySelectorAll(".slide"));
  let index = Math.max(0, slides.findIndex((s) => `#${s.dataset.key}` === window.location.hash));

  function announce() {
    if (!channel || !slides.length) return;
    const current = slides[index];
    const next = slides[index + 1];
    channel.postMessage({
      type: "slide",
      key: current.dataset.key,
      index,
      total: slides.length,
      next: next ? next.dataset.title : null,
    });
  }

  function show(target) {
    if (!slides.length) return;
    index = Math.min(Math.max(target, 0), slides.length - 1);
    slides.forEach((slide, i) => {
      slide.hidden = i !== index;
      slide.classList.toggle("slide--current", i === index);
    });
    const current = slides[index];
    position.textContent = `${index + 1} / ${slides.length}`;
    document.title = tr("{title} · présentation", { title: current.dataset.title });
    history.replaceState(null, "", `#${current.dataset.key}`);
    deck.dataset.current = current.dataset.key;
    announce();
  }

  function goto(key) {
    const found = slides.findIndex((s) => s.dataset.key === key);
    if (found >= 0) show(found);
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen?.().catch(() => {});
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest && event.target.closest("button, a, input, textarea, select")) {
      if (event.key === " " || event.key === "Enter") return; // let the control act
    }
    if (NEXT_KEYS.has(event.key)) {
      event.preventDefault();
      show(index + 1);
    } else if (PREV_KEYS.has(event.key)) {
      event.preventDefault();
      show(index - 1);
    } else if (event.key === "Home") {
      event.preventDefault();
      show(0);
    } else if (event.key === "End") {
      event.preventDefault();
      show(slides.length - 1);
    } else if (event.key === "f" || event.key === "F5") {
      event.preventDefault();
      toggleFullscreen();
    } else if (event.key === "b" || event.key === "." || event.key === "B") {
      document.body.classList.toggle("deck--blank");
    } else if (event.key === "r" || event.key === "R") {
      refresh(); // fresh figures now, without waiting for the next tick
    }
  });
  document.getElementById("deck-prev").addEventListener("click", () => show(index - 1));
  document.getElementById("deck-next").addEventListener("click", () => show(index + 1));
  document.getElementById("deck-fullscreen").addEventListener("click", toggleFullscreen);
  document.getElementById("deck-notes").addEventListener("click", (event) => {
    event.preventDefault();
    window.open(event.currentTarget.href, "restitution-notes", "width=900,height=700");
  });

  if (channel) {
    channel.addEventListener("message", ({ data }) => {
      if (!data || typeof data !== "object") return;
      if (data.type === "next") show(index + 1);
      else if (data.type === "prev") show(index - 1);
      else if (data.type === "goto" && typeof data.key === "string") goto(data.key);
      else if (data.type === "hello") announce();
    });
  }

  async function refresh() {
    try {
      const response = await fetch(window.location.pathname, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        cache: "no-store",
      });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const incoming = fresh.getElementById("deck");
      if (!incoming) return;
      const key = slides[index] ? slides[index].dataset.key : null;
      deck.replaceChildren(...Array.from(incoming.children, (node) => document.importNode(node, true)));
      slides = Array.from(deck.querySelectorAll(".slide"));
      const found = slides.findIndex((s) => s.dataset.key === key);
      show(found >= 0 ? found : index);
      deck.dataset.refreshedAt = new Date().toISOString();
    } catch {
      // Offline for a moment: keep the slides on screen, try again at the next tick.
    }
  }
  const seconds = Number(deck.dataset.refresh || 0);
  if (seconds > 0) setInterval(refresh, seconds * 1000);
  show(index);
}

const deck = document.getElementById("deck");
if (deck) init(deck);
