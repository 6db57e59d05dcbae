// Presenter notes: follows the slides window through a BroadcastChannel and can drive it
// (previous / next buttons, or the same keys as the slides). Text is server-rendered.

function init(root) {
  document.documentElement.classList.add("js", "js-notes");
  const notes = Array.from(root.querySelectorAll(".note"));
  const position = document.getElementById("notes-position");
  const nextTitle = document.getElementById("notes-next-title");
  const clock = document.getElementById("notes-clock");
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(root.dataset.channel) : null;

  function show(key, index, total, next) {
    notes.forEach((note) => {
      note.hidden = note.dataset.key !== key;
    });
    root.dataset.current = key;
    position.textContent = total ? `Diapositive ${index + 1} / ${total}` : "—";
    nextTitle.textContent = next || "fin de la présentation";
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
  if (notes.length) show(notes[0].dataset.key, 0, notes.length, notes[1]?.dataset.title);
  tick();
  setInterval(tick, 15000);
}

const root = document.getElementById("notes");
if (root) init(root);
