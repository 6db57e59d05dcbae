// The plenary vote page (templates/restitution/vote.html) without reloads: a phone waiting on
// « Le vote va bientôt s'ouvrir » switches to the ballot when the vote opens and to the result
// when it is revealed (the page asks the server every few seconds while it is on screen), and a
// tap on − / + is posted in the background: the page keeps its scroll, only the region changes.
// Without this script the forms post and the page reloads, as before. The server renders the
// region (no user text goes through innerHTML here: nodes are moved from the parsed page).
const region = document.getElementById("plenary-vote");
const POLL_MS = 4000;
let busy = false;

function regionOf(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return { next: doc.getElementById("plenary-vote"), flashes: [...doc.querySelectorAll(".flash")] };
}

function swap(next, flashes = []) {
  if (!next) return;
  const focusedId = document.activeElement && document.activeElement.closest("#plenary-vote")
    ? document.activeElement.closest(".vote-item") && document.activeElement.closest(".vote-item").id : null;
  const focusedLabel = document.activeElement && document.activeElement.getAttribute("aria-label");
  region.replaceChildren(...[...next.childNodes].map((n) => document.adoptNode(n)));
  const say = document.getElementById("plenary-flash");
  if (say && flashes.length) {
    say.textContent = flashes.map((f) => f.textContent.trim()).join(" ");
    say.className = "flash flash--error";
  }
  if (focusedId && focusedLabel) {
    const again = region.querySelector(`#${CSS.escape(focusedId)} [aria-label="${CSS.escape(focusedLabel)}"]`);
    if (again && !again.disabled) again.focus();
  }
}

async function refresh() {
  if (busy || document.hidden) return;
  try {
    const response = await fetch(window.location.href, { cache: "no-store", credentials: "same-origin" });
    if (!response.ok || busy) return;
    const { next } = regionOf(await response.text());
    if (next && next.textContent !== region.textContent) swap(next);
  } catch { /* offline for a moment: the next tick asks again */ }
}

if (region) {
  region.addEventListener("submit", async (event) => {
    const form = event.target.closest("form");
    if (!form) return;
    event.preventDefault();
    busy = true;
    for (const b of region.querySelectorAll("button")) b.disabled = true;
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
      });
      const { next, flashes } = regionOf(await response.text());
      swap(next, flashes);
    } catch {
      form.submit(); // no answer: fall back to the plain form
    } finally {
      busy = false;
    }
  });
  setInterval(refresh, POLL_MS);
  document.addEventListener("visibilitychange", refresh);
}
