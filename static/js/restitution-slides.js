// The plenary's slides: one slide at a time, driven by the keyboard or a presentation clicker
// (they send arrows / Page Up / Page Down, sometimes "b" or "." for a black screen), by the
// on-screen buttons or by the presenter-notes window (BroadcastChannel, same origin).
// The slides are server-rendered (user text escaped by Jinja); this module never builds
// markup from strings. Every few seconds it fetches the same page again and swaps in the
// fresh slides (parsed by DOMParser from our own server's escaped HTML), so a vote closed a
// minute ago is on screen without reloading and without losing the current slide.
import { tr } from "./i18n.js";

// Fixed 16:9 boxes that never overflow (issue 16): a slide whose content is too long is first
// set smaller, down to FLOOR of its size; what still does not fit continues on a next slide
// (« (suite) »), its list cut between items. Done on the slides as the server sent them, again
// after a refresh or a resize (from a pristine copy).
const FLOOR = 0.72;
// A list is first set a little smaller (down to SOFT_FLOOR), then continued; FLOOR is for
// what cannot be cut (a long synthesis).
const SOFT_FLOOR = 0.86;
const STEP = 0.04;
const LISTS = ":scope > ol, :scope > ul, :scope > .slide__vote > ol";

function bodyOf(slide) {
  return slide.querySelector(".slide__body");
}

function overflowing(slide) {
  const body = bodyOf(slide);
  return Boolean(body) && body.scrollHeight > body.clientHeight + 1;
}

function setScale(slide, scale) {
  bodyOf(slide).style.setProperty("--fit", String(scale));
  slide.dataset.fit = String(scale);
}

/** Shrink `slide` until it fits, not below `floor`. True when it fits. */
function shrink(slide, floor = FLOOR) {
  let scale = 1;
  setScale(slide, scale);
  while (overflowing(slide) && scale > floor) {
    scale = Math.max(floor, Math.round((scale - STEP) * 100) / 100);
    setScale(slide, scale);
  }
  return !overflowing(slide);
}

/** Cut `slide`'s last list in two: the items that do not fit go to a new slide after it. */
function split(slide, part) {
  const body = bodyOf(slide);
  const lists = [...body.querySelectorAll(LISTS)].filter((l) => l.children.length > 1);
  const list = lists[lists.length - 1];
  if (!list) return null;
  setScale(slide, 1);
  const next = slide.cloneNode(true);
  const base = slide.dataset.noteKey || slide.dataset.key;
  next.dataset.noteKey = base;
  next.dataset.key = `${base}-suite-${part}`;
  next.id = `slide-${next.dataset.key}`;
  next.dataset.title = `${slide.dataset.noteTitle || slide.dataset.title}${tr(" (suite)")}`;
  next.dataset.noteTitle = slide.dataset.noteTitle || slide.dataset.title;
  const nextBody = bodyOf(next);
  const nextList = [...nextBody.querySelectorAll(LISTS)].filter((l) => l.children.length > 1).pop();
  // The continuation keeps the kicker, the title and the list; the rest was said before.
  const keep = new Set([...nextBody.children].filter((n) => n.matches(".slide__kicker, .slide__title") || n.contains(nextList)));
  for (const node of [...nextBody.children]) if (!keep.has(node)) node.remove();
  const title = nextBody.querySelector(".slide__title");
  if (title && !title.querySelector(".slide__more")) title.append(el("span", "slide__more", tr(" (suite)")));
  nextList.replaceChildren();
  while (overflowing(slide) && list.children.length > 1) nextList.prepend(list.lastElementChild);
  if (!nextList.children.length) return null;
  if (list.tagName === "OL") nextList.start = (list.start || 1) + list.children.length;
  slide.after(next);
  return next;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** Fit every slide of `deck` (each shown alone while it is measured), then number them. */
function fitAll(deck) {
  let slides = [...deck.querySelectorAll(".slide")];
  for (const s of slides) s.hidden = true;
  for (let i = 0; i < slides.length; i += 1) {
    const slide = slides[i];
    slide.hidden = false;
    if (!shrink(slide, SOFT_FLOOR)) {
      const part = Number(slide.dataset.part || 1) + 1;
      const next = split(slide, part);
      if (next) {
        next.dataset.part = String(part);
        next.hidden = true;
        slides = [...deck.querySelectorAll(".slide")];
      }
      // What could not be cut (or the last item alone): smaller, down to the floor.
      shrink(slide);
    }
    slide.hidden = true;
  }
  slides.forEach((slide, i) => {
    const number = slide.querySelector(".slide__number");
    if (number) number.textContent = `${i + 1} / ${slides.length}`;
    slide.setAttribute("aria-label", tr("{index} sur {slides} : {title}", { index: i + 1, slides: slides.length, title: slide.dataset.title }));
  });
  return slides;
}

const NEXT_KEYS = new Set(["ArrowRight", "ArrowDown", "PageDown", " ", "Spacebar", "Enter", "n"]);
const PREV_KEYS = new Set(["ArrowLeft", "ArrowUp", "PageUp", "Backspace", "p"]);

function init(deck) {
  document.documentElement.classList.add("js", "js-slides");
  const position = document.getElementById("deck-position");
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(deck.dataset.channel) : null;
  let pristine = Array.from(deck.children, (node) => node.cloneNode(true));
  let slides = fitAll(deck);
  let index = Math.max(0, slides.findIndex((s) => `#${s.dataset.key}` === window.location.hash));

  function announce() {
    if (!channel || !slides.length) return;
    const current = slides[index];
    const next = slides[index + 1];
    channel.postMessage({
      type: "slide",
      key: current.dataset.noteKey || current.dataset.key,
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
      pristine = Array.from(incoming.children, (node) => document.importNode(node, true));
      deck.replaceChildren(...pristine.map((node) => node.cloneNode(true)));
      slides = fitAll(deck);
      const found = slides.findIndex((s) => s.dataset.key === key);
      show(found >= 0 ? found : index);
      deck.dataset.refreshedAt = new Date().toISOString();
    } catch {
      // Offline for a moment: keep the slides on screen, try again at the next tick.
    }
  }
  // Another window size: the slides are cut again from the server's version.
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      const key = slides[index] ? slides[index].dataset.key : null;
      deck.replaceChildren(...pristine.map((node) => node.cloneNode(true)));
      slides = fitAll(deck);
      const found = slides.findIndex((s) => s.dataset.key === key);
      show(found >= 0 ? found : Math.min(index, slides.length - 1));
    }, 200);
  });

  const seconds = Number(deck.dataset.refresh || 0);
  if (seconds > 0) setInterval(refresh, seconds * 1000);
  show(index);
}

const deck = document.getElementById("deck");
if (deck) init(deck);
