// The facilitator's control of the tour de table (templates/interconnaissance/tour_control.html).
// Steps send the version they saw, so a retried « Suivant » never skips two people.
import { connectAtelier, showLiveStatus } from "./live.js";
import { tr } from "./i18n.js";

const root = document.getElementById("tour-control");
const atelierId = Number(root.dataset.atelierId);
const $ = (id) => document.getElementById(id);
let tour = null;

function render(next) {
  if (!next || Number(next.atelier_id) !== atelierId) return;
  if (tour && Number(next.version) < Number(tour.version)) return;
  tour = next;
  root.dataset.version = String(tour.version);
  let text = tr("Le tour de table n’est pas commencé.");
  if (tour.active) {
    text = tr("En cours : {v} / {total}", { v: tour.position + 1, total: tour.total });
    if (tour.person) text += ` — ${tour.person.display_name}`;
    else if (tour.hidden) text += tr(" — profil masqué");
    if (!tour.total) text = tr("En cours : personne n’a encore rendu son profil visible.");
  }
  $("tour-status").textContent = text;
  $("tour-start").textContent = tour.active ? tr("Recommencer") : tr("Commencer le tour");
  // While running, « Suivant » is the main action; restarting is the secondary one.
  $("tour-start").classList.toggle("button--secondary", Boolean(tour.active));
  $("tour-prev").disabled = !tour.active || tour.position <= 0;
  $("tour-next").disabled = !tour.active || tour.position >= tour.total - 1;
  $("tour-stop").disabled = !tour.active;
  $("tour-timer-set").disabled = !tour.active;
  markCurrent();
}

/** The speaking order (acks and `tour:get` give it to facilitators only). */
function renderOrder(order) {
  if (!Array.isArray(order)) return;
  const items = order.map((entry) => {
    const li = document.createElement("li");
    li.dataset.id = String(entry.id);
    if (entry.hidden) {
      li.textContent = tr("Profil masqué");
    } else {
      const structure = document.createElement("span");
      structure.className = "tour-order__structure";
      structure.textContent = `· ${entry.structure}`;
      li.append(`${entry.display_name} `, structure);
    }
    return li;
  });
  $("tour-order").replaceChildren(...items);
  $("tour-order-empty").hidden = items.length > 0;
  markCurrent();
}

function markCurrent() {
  [...$("tour-order").children].forEach((li, index) => {
    const current = Boolean(tour && tour.active && index === tour.position);
    li.classList.toggle("tour-order__current", current);
    if (current) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  });
}

function showError(err) {
  const el = $("tour-error");
  el.textContent = (err && err.message) || tr("Action impossible.");
  el.hidden = false;
}

function seconds() {
  const n = Number($("tour-seconds").value || 0);
  return Number.isFinite(n) ? Math.round(n) : 0;
}

async function send(event, extra = {}) {
  $("tour-error").hidden = true;
  try {
    const ack = await live.request(event, { atelier_id: atelierId, ...extra });
    if (ack && ack.ok) {
      renderOrder(ack.order);
      render(ack.tour);
    } else showError(ack);
  } catch (_) {
    showError({ message: tr("Pas de réponse du serveur : vérifiez la connexion puis réessayez.") });
  }
}

function setStatus(state) {
  showLiveStatus($("live-status"), state);
  if (state !== "connected") root.dataset.live = state;
}

async function refresh() {
  try {
    const ack = await live.request("tour:get", { atelier_id: atelierId });
    if (ack && ack.ok) {
      tour = null;
      renderOrder(ack.order);
      render(ack.tour);
      root.dataset.live = "joined"; // the state shown is the server's
    }
  } catch (_) {
    // the next reconnection asks again
  }
}

const live = connectAtelier({ atelierId, onStatus: setStatus, onJoined: refresh });
live.socket.on("tour:changed", (state) => {
  render(state);
  refresh(); // the order itself (newcomers, a hidden profile) comes with `tour:get`
});
// `app:error` is also answered in the ack: showError() is called from send().

$("tour-start").addEventListener("click", () => send("tour:start", { seconds: seconds() }));
$("tour-timer-set").addEventListener("click", () => send("tour:timer", { seconds: seconds() }));
$("tour-next").addEventListener("click", () => send("tour:next", { version: tour ? tour.version : undefined }));
$("tour-prev").addEventListener("click", () => send("tour:prev", { version: tour ? tour.version : undefined }));
$("tour-stop").addEventListener("click", () => send("tour:stop"));
